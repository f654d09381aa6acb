#!/usr/bin/env bash
# The progress line. Under a pseudo-terminal (script(1) from util-linux)
# stderr shows one live line per stream, starting with the planner's
# estimate, and ends each stream with a summary line; log lines never share
# a screen line with it. Without a terminal, stderr has no progress at all;
# --no-progress and --progress force it off and on.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
command -v script >/dev/null || fail "script(1) is missing (util-linux)"

pg_sql >/dev/null <<'SQL'
CREATE TABLE big (id integer PRIMARY KEY, v text);
INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 200000) g;
CREATE TABLE small (id integer PRIMARY KEY);
INSERT INTO small SELECT generate_series(1, 10);
GRANT SELECT ON big, small TO tap;
SQL
pg_sql >/dev/null <<<'VACUUM ANALYZE big'
pg_sql >/dev/null <<<'VACUUM ANALYZE small'
pg_config_json "$T/config.json" select='["*-public-big", "*-public-small"]'

# visible SCREEN_FILE: what a terminal shows, line by line: each '\r'
# returns to column 0 and ESC[K erases the rest, so the text after the last
# '\r' of a line (ESC[K removed) is what stays.
visible() {
    python3 - "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace").replace("\r\n", "\n")
for line in data.split("\n"):
    shown = line.split("\r")[-1].replace("\x1b[K", "")
    if shown.strip():
        print(shown)
PY
}

# 1. under a pseudo-terminal
cmd=$(printf '%q ' "$TAP_BIN" --config "$T/config.json")
script -qec "$cmd >$(printf '%q' "$T/tty.out") 2>/dev/tty" /dev/null >"$T/tty.screen" </dev/null || true
[[ -s $T/tty.out ]] || fail "no output from the run under a terminal"
assert_eq 200000 "$(python3 "$MSGS" count "$T/tty.out" big)" "under a terminal: stdout has every record"
grep -q $'\r\e\\[Ktapdb-public-big: 0 rows, 0 rows/s, 0% of ~200,000, ?:?? left' "$T/tty.screen" ||
    { cat -v "$T/tty.screen" | head -20 >&2; fail "under a terminal: the live line with the estimate appears"; }
pass "under a terminal: the live line shows rows, rate, percent of the estimate and time left"
n=$(tr '\r' '\n' <"$T/tty.screen" | grep -c $'^\e\\[Ktapdb-public-big: [0-9,]* rows, ' || true)
(( n >= 1 )) || fail "under a terminal: the live line is drawn with \\r"
pass "under a terminal: the live line is redrawn in place ($n draws)"
visible "$T/tty.screen" >"$T/tty.visible"
grep -Eq '^tapdb-public-big: 200,000 rows in ([0-9]+\.[0-9] s|[0-9:]+) \([0-9,]+ rows/s\)$' "$T/tty.visible" ||
    { cat "$T/tty.visible" >&2; fail "under a terminal: the big stream ends with its summary line"; }
grep -Eq '^tapdb-public-small: 10 rows in ([0-9]+\.[0-9] s|[0-9:]+) \([0-9,]+ rows/s\)$' "$T/tty.visible" ||
    { cat "$T/tty.visible" >&2; fail "under a terminal: the small stream ends with its summary line"; }
pass "under a terminal: one summary line per stream"
bad=$(grep -v -E '^(INFO|WARNING|ERROR|CRITICAL|DEBUG) |^tapdb-public-(big|small): [0-9,]+ rows in ' "$T/tty.visible" || true)
[[ -z $bad ]] || { cat "$T/tty.visible" >&2; fail "under a terminal: a screen line mixes progress and log: $bad"; }
pass "under a terminal: every screen line is either a log line or a summary"
assert_contains "$T/tty.visible" 'INFO METRIC: {"type": "counter", "metric": "record_count", "value": 200000' \
    "under a terminal: log lines still come"

# 2. no terminal: stderr is log lines only, and the same as with --no-progress
run_tap "$T/p.out" "$T/p.err" --config "$T/config.json"
assert_ok "$T/p.err" "without a terminal"
if grep -q $'\r\\|\e\\|rows/s' "$T/p.err"; then cat -v "$T/p.err" >&2; fail "without a terminal: stderr has progress"; fi
pass "without a terminal: no progress on stderr"
bad=$(grep -v -E '^(INFO|WARNING) ' "$T/p.err" || true)
[[ -z $bad ]] || fail "without a terminal: a stderr line that is not a log line: $bad"
pass "without a terminal: stderr holds log lines only"

# 3. --no-progress on a terminal: nothing; --progress without one: the lines
script -qec "$cmd --no-progress >/dev/null 2>/dev/tty" /dev/null >"$T/np.screen" </dev/null || true
grep -q 'INFO' "$T/np.screen" || fail "--no-progress under a terminal: the run logged nothing"
if grep -q $'\r\e\\|rows/s' "$T/np.screen"; then fail "--no-progress under a terminal: progress shown"; fi
pass "--no-progress: no progress line on a terminal"
run_tap "$T/f.out" "$T/f.err" --config "$T/config.json" --progress
assert_ok "$T/f.err" "--progress without a terminal"
visible "$T/f.err" >"$T/f.visible"
grep -Eq '^tapdb-public-small: 10 rows in ' "$T/f.visible" || fail "--progress: summary line without a terminal"
pass "--progress: the lines without a terminal too"
