#!/usr/bin/env bash
# Transient connection failures at start: a sync started while the server
# is down, which comes up a second later, connects on a retry (logged with
# the attempt and the backoff) and completes. A closed port (nothing
# listening) is retried too, then fails with exit 3 and a CRITICAL line
# naming host:port.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"

pg_sql >/dev/null <<'SQL'
CREATE TABLE cr (id integer PRIMARY KEY, x text);
INSERT INTO cr SELECT g, 'x' || g FROM generate_series(1, 500) g;
GRANT SELECT ON cr TO tap;
SQL
discover_select "$T/cat.json" public.cr

alive() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $st != Z* ]]
}

# --- the server comes up during the retries -----------------------------
# the harness runs with synchronous_commit off: make the table survive the
# crash-style stop
pg_sql <<<'CHECKPOINT' >/dev/null
pg_stop_immediate || fail "pg_stop_immediate"
"$TAP_BIN" --config "$T/config.json" --catalog "$T/cat.json" >"$T/r.out" 2>"$T/r.err" &
tap_pid=$!
pg_on_exit "[[ -n \${tap_pid:-} ]] && kill -KILL \$tap_pid 2>/dev/null; true"
# the server comes back once the tap has failed its first attempt (a fixed
# sleep is too short for a tap started under valgrind)
for ((i = 0; i < 300; i++)); do
    grep -qF "(attempt 1 of 4)" "$T/r.err" 2>/dev/null && break
    alive "$tap_pid" || break
    sleep 0.1
done
pg_resume || fail "pg_resume"
# attempts at about 0, 0.5, 1.5 and 3.5 s: it is over well within 30 s
for ((i = 0; i < 300; i++)); do alive "$tap_pid" || break; sleep 0.1; done
alive "$tap_pid" && fail "the tap was still running 30 s after the server came back"
set +e
wait "$tap_pid"
RC=$?
set -e
tap_pid=
grep -qF -- "$PGH_PASSWORD" "$T/r.out" "$T/r.err" && fail "the password appears in the output"
assert_ok "$T/r.err" "the sync completes once the server is up"
assert_contains "$T/r.err" "INFO could not connect to 127.0.0.1:$PGH_PORT yet (attempt 1 of 4); retrying in 500 ms" \
    "the first failure is retried after 500 ms"
grep -E "^INFO could not connect to 127\.0\.0\.1:$PGH_PORT yet \(attempt [23] of 4\); retrying in (1000|2000) ms$" "$T/r.err" |
    sed 's/^/# /' || true
! grep -q '^CRITICAL' "$T/r.err" || fail "a CRITICAL line in a successful run"
assert_eq 500 "$(python3 "$MSGS" count "$T/r.out" cr)" "every row was sent"

# --- a closed port ------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pg_config_json "$T/closed.json" port="$port"
t0=$(date +%s%N)
run_tap "$T/e.out" "$T/e.err" --config "$T/closed.json" --catalog "$T/cat.json"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[[ $RC -eq 3 ]] || { cat "$T/e.err" >&2; fail "closed port: exit $RC, want 3"; }
pass "closed port: exit 3 after $ms ms"
[[ ! -s $T/e.out ]] || fail "closed port: something was written to stdout"
for a in "1 of 4); retrying in 500 ms" "2 of 4); retrying in 1000 ms" "3 of 4); retrying in 2000 ms"; do
    assert_contains "$T/e.err" "INFO could not connect to 127.0.0.1:$port yet (attempt $a" "closed port: attempt $a"
done
last=$(tail -n 1 "$T/e.err")
[[ $last == "CRITICAL could not connect to 127.0.0.1:$port: "*"Connection refused"* ]] ||
    fail "closed port: the last line does not name host:port and the refusal: $last"
pass "closed port: $last"
(( ms >= 3300 )) || fail "closed port: gave up after $ms ms, before the 0.5 + 1 + 2 s of backoff"
assert_done
