#!/usr/bin/env bash
# XMIN interrupted: SIGTERM and SIGKILL during the first run and during a
# later run of a 200,000-row table. Between the interruption and the
# resumed run, rows are inserted (into free space in blocks already passed,
# and at the end) and updated. The resumed first run keeps the version and
# ends with ACTIVATE_VERSION; the union of the interrupted and resumed
# first runs holds every row of the final table with its final values. A
# later run (after every row was updated) is interrupted and resumed the
# same way: no ACTIVATE_VERSION, and again every row arrives with its final
# values. A run after that sends nothing.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"
mkfifo "$T/fifo"

# interrupted SIG NAME [STATE]: a sync stopped by SIG after 40,000 records;
# $T/NAME.out holds its complete lines, $T/NAME.state its last STATE
interrupted() {
    local sig=$1 name=$2 state=${3:-} n rc
    rm -f "$T/$name.raw"
    "$TAP_BIN" --config "$T/config.json" --catalog "$T/big.json" ${state:+--state "$state"} >"$T/fifo" 2>"$T/$name.err" &
    local tap_pid=$!
    python3 "$SRCDIR/tests/harness/slow_reader.py" "$T/$name.raw" <"$T/fifo" &
    local reader_pid=$!
    for _ in $(seq 1 600); do
        n=$(grep -c '"RECORD"' "$T/$name.raw" 2>/dev/null || true)
        [[ ${n:-0} -ge 40000 ]] && break
        sleep 0.1
    done
    [[ ${n:-0} -ge 40000 ]] || fail "$name: the run did not get going"
    kill -"$sig" "$tap_pid"
    set +e
    wait "$tap_pid"
    rc=$?
    set -e
    wait "$reader_pid"
    if [[ $sig == TERM ]]; then
        assert_eq 143 "$rc" "$name: SIGTERM, exit 143"
        tail -n1 "$T/$name.err" | grep -q "^CRITICAL stopped by SIGTERM" || fail "$name: last log line"
    else
        assert_eq 137 "$rc" "$name: SIGKILL"
    fi
    python3 - "$T/$name.raw" "$T/$name.out" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(data[: data.rfind(b"\n") + 1])
PY
    n=$(python3 "$MSGS" count "$T/$name.out" big)
    [[ $n -lt 190000 ]] || fail "$name: SIG$sig came too late to test anything ($n records)"
    python3 "$MSGS" last-state "$T/$name.out" >"$T/$name.state"
    pass "$name: SIG$sig after $n records; state $(cat "$T/$name.state")"
}
xrun() {
    local name=$1 state=${2:-}
    run_tap "$T/$name.out" "$T/$name.err" --config "$T/config.json" --catalog "$T/big.json" ${state:+--state "$state"}
    assert_ok "$T/$name.err" "$name: completes"
    python3 "$MSGS" last-state "$T/$name.out" >"$T/$name.state"
}
bmk() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["bookmarks"]["tapdb-public-big"].get(sys.argv[2], "absent")))' "$T/$1.state" "$2"; }
final() { pg_sql -c "SELECT row_to_json(x) FROM (SELECT id, v, t FROM big) x" >"$T/final.jsonl"; }
between_runs() {
    pg_sql >/dev/null <<SQL
INSERT INTO big SELECT g, -g, 'new $1 ' || g FROM generate_series($2, $2 + 1499) g;
INSERT INTO big SELECT g, -g, 'new $1 ' || g FROM generate_series($2 + 300000, $2 + 300999) g;
UPDATE big SET v = v + 1000000, t = 'updated $1' WHERE id % 997 = 0;
SQL
}

for sig in TERM KILL; do
    pg_sql >/dev/null <<'SQL'
DROP TABLE IF EXISTS big;
CREATE TABLE big (id integer PRIMARY KEY, v integer NOT NULL, t text NOT NULL);
INSERT INTO big SELECT g, g, repeat(md5(g::text), 3) FROM generate_series(1, 200000) g;
-- free space in the first blocks, for rows that arrive between the runs
DELETE FROM big WHERE id <= 3000;
VACUUM big;
GRANT SELECT ON big TO tap;
SQL
    discover_select "$T/big.json" public.big:XMIN

    # --- the first run, interrupted and resumed
    interrupted "$sig" f1
    [[ $(bmk f1 ctid_block) =~ ^[0-9]+$ && $(bmk f1 xmin_snapshot) =~ ^[0-9]+$ ]] ||
        fail "$sig: an interrupted first run's STATE holds ctid_block and xmin_snapshot: $(cat "$T/f1.state")"
    [[ $(bmk f1 xmin_horizon) == '"absent"' || $(bmk f1 xmin_horizon) == null ]] ||
        fail "$sig: no horizon before the first run completes: $(cat "$T/f1.state")"
    between_runs first 1
    xrun f2 "$T/f1.state"
    assert_contains "$T/f2.err" "resuming" "$sig: the first run resumed"
    v1=$(grep -m1 '"ACTIVATE_VERSION"' "$T/f1.out" | sed -E 's/.*"version":([0-9]+).*/\1/')
    assert_eq "{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"big\",\"version\":$v1}" \
        "$(grep '"ACTIVATE_VERSION"' "$T/f2.out")" "$sig: the resumed first run activates the first run's version, once, at the end"
    final
    python3 "$SRCDIR/tests/harness/resume_check.py" union --stream big --key id \
        --final "$T/final.jsonl" "$T/f1.out" "$T/f2.out" || fail "$sig: first run: rows lost or stale"
    pass "$sig: first run: every row of the final table was sent with its final values"
    [[ $(bmk f2 xmin_horizon) =~ ^[0-9]+$ ]] || fail "$sig: a horizon once complete: $(cat "$T/f2.state")"

    # --- a later run that carries every row, interrupted and resumed
    pg_sql <<<"UPDATE big SET v = v + 1; VACUUM big;" >/dev/null
    interrupted "$sig" l1 "$T/f2.state"
    grep -q '"ACTIVATE_VERSION"' "$T/l1.out" && fail "$sig: a later run has no ACTIVATE_VERSION"
    assert_eq "$(bmk f2 xmin_horizon)" "$(bmk l1 xmin_horizon)" "$sig: an interrupted later run keeps the horizon it started from"
    [[ $(bmk l1 ctid_block) =~ ^[0-9]+$ && $(bmk l1 xmin_snapshot) =~ ^[0-9]+$ ]] ||
        fail "$sig: an interrupted later run's STATE holds ctid_block and xmin_snapshot: $(cat "$T/l1.state")"
    between_runs later 400001
    xrun l2 "$T/l1.state"
    assert_contains "$T/l2.err" "resuming" "$sig: the later run resumed"
    grep -q '"ACTIVATE_VERSION"' "$T/l2.out" && fail "$sig: a resumed later run has no ACTIVATE_VERSION"
    final
    python3 "$SRCDIR/tests/harness/resume_check.py" union --stream big --key id \
        --final "$T/final.jsonl" "$T/l1.out" "$T/l2.out" || fail "$sig: later run: rows lost or stale"
    pass "$sig: later run: every row (all were updated) was sent with its final values"
    run_tap "$T/l3.out" "$T/l3.err" --config "$T/config.json" --catalog "$T/big.json" --state "$T/l2.state"
    assert_ok "$T/l3.err" "$sig: a run after that"
    assert_eq 0 "$(python3 "$MSGS" count "$T/l3.out" big)" "$sig: sends nothing"
done
echo "all passed"
