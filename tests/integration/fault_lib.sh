# shellcheck shell=bash
# tests/integration/fault_lib.sh: a FULL_TABLE sync of a 200,000-row table
# hit by a fault mid-stream, then resumed from its last STATE. Shared by
# the fault_*.sh tests; source after lib.sh.
#
#   fault_table                  (re)creates public.big, discovers it into
#                                $T/big.json, records each row's block in
#                                $T/pos.tsv (the table is static until
#                                fault_change)
#   fault_start CONFIG           run 1 in the background, its stdout read by
#                                a slow reader into $T/r1.out (TAP_PID)
#   fault_wait_records N         until run 1 has written N records (bounded)
#   fault_wait_exit SECS         until run 1 has exited; sets RC1. Fails if
#                                it is still running after SECS (a hang).
#   fault_check_run1 RC REGEX    exit code RC, the last stderr line is
#                                CRITICAL and matches REGEX (grep -E), whole
#                                messages only, every STATE true, and the
#                                fault came mid-stream
#   fault_change                 inserts and updates, between the runs
#   fault_resume CONFIG [what]   run 2 from run 1's last STATE completes, and
#                                the records of both runs hold every row of
#                                the final table with its final values

RESUME_CHECK="$SRCDIR/tests/harness/resume_check.py"
FAULT_ROWS=200000


# A zombie counts as gone: we reap it with wait afterwards.
fault_alive() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $st != Z* ]]
}

fault_table() {
    pg_sql >/dev/null <<SQL
DROP TABLE IF EXISTS big;
CREATE TABLE big (id integer PRIMARY KEY, v integer NOT NULL, t text NOT NULL);
INSERT INTO big SELECT g, g, repeat(md5(g::text), 3) FROM generate_series(1, $FAULT_ROWS) g;
-- free space in the first blocks, for rows that arrive between the runs
DELETE FROM big WHERE id <= 3000;
VACUUM big;
GRANT SELECT ON big TO tap;
SQL
    discover_select "$T/big.json" public.big:FULL_TABLE
    pg_sql -F $'\t' -c "SELECT id, (ctid::text::point)[0]::bigint FROM big" >"$T/pos.tsv"
}

fault_start() {
    local config=$1
    rm -f "$T/r1.out" "$T/r1.err" "$T/fifo"
    mkfifo "$T/fifo"
    "$TAP_BIN" --config "$config" --catalog "$T/big.json" >"$T/fifo" 2>"$T/r1.err" &
    TAP_PID=$!
    python3 "$SRCDIR/tests/harness/slow_reader.py" "$T/r1.out" <"$T/fifo" &
    READER_PID=$!
    FAULT_PIDS="$TAP_PID $READER_PID"
}

# Never leave run 1 behind, whatever the test does; only processes not yet
# reaped, so a recycled pid is never hit.
FAULT_PIDS=
fault_cleanup() {
    local p
    for p in $FAULT_PIDS; do kill -KILL "$p" 2>/dev/null; done
    FAULT_PIDS=
}
pg_on_exit fault_cleanup

fault_wait_records() {
    local want=$1 n=0 i
    for ((i = 0; i < 600; i++)); do
        n=$(grep -c '"RECORD"' "$T/r1.out" 2>/dev/null || true)
        [[ ${n:-0} -ge $want ]] && return 0
        fault_alive "$TAP_PID" || break
        sleep 0.1
    done
    cat "$T/r1.err" >&2
    fail "run 1 did not get to $want records (got ${n:-0})"
}

fault_wait_exit() {
    local secs=$1 i
    for ((i = 0; i < secs * 10; i++)); do
        fault_alive "$TAP_PID" || break
        sleep 0.1
    done
    if fault_alive "$TAP_PID"; then
        kill -KILL "$TAP_PID" 2>/dev/null || true
        wait "$TAP_PID" 2>/dev/null || true
        wait "$READER_PID" 2>/dev/null || true
        FAULT_PIDS=
        tail -n 5 "$T/r1.err" >&2
        fail "the tap was still running ${secs}s after the fault (a hang)"
    fi
    set +e
    wait "$TAP_PID"
    RC1=$?
    set -e
    # the reader ends at EOF on the fifo, now that the tap has gone
    for ((i = 0; i < 300; i++)); do
        fault_alive "$READER_PID" || break
        sleep 0.1
    done
    fault_alive "$READER_PID" && kill -KILL "$READER_PID"
    local reader_rc=0
    wait "$READER_PID" || reader_rc=$?
    assert_status "$reader_rc" "the slow reader ends cleanly"
    FAULT_PIDS=
    if grep -qF -- "$PGH_PASSWORD" "$T/r1.out" "$T/r1.err"; then
        fail "the password appears in the output of run 1"
    fi
}

fault_check_run1() {
    local want=$1 regex=$2 last n1
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/r1.err"; then
        cat "$T/r1.err" >&2
        fail "sanitizer report in run 1"
    fi
    last=$(tail -n 1 "$T/r1.err")
    printf '# run 1 exit %s, last stderr line: %s\n' "$RC1" "$last"
    assert_exit "$want" "$RC1" "run 1 exits $want" "$T/r1.err"
    assert_match '^CRITICAL ' "$last" "run 1: the last stderr line is CRITICAL"
    assert_match "$regex" "$last" "run 1: the CRITICAL line matches /$regex/"
    assert_eq 1 "$(grep -c '^CRITICAL ' "$T/r1.err")" "run 1: one CRITICAL line"
    assert_cmd "run 1: stdout is whole Singer messages" python3 "$MSGS" check "$T/r1.out"
    n1=$(python3 "$MSGS" count "$T/r1.out" big)
    assert_status "$([[ $n1 -lt $((FAULT_ROWS - 3000)) ]]; echo $?)" \
        "run 1: the fault came mid-stream ($n1 records)"
    assert_cmd "run 1: every STATE is true (claims only rows it had sent)" \
        python3 "$RESUME_CHECK" states --stream big --stream-id tapdb-public-big --key id \
        --positions "$T/pos.tsv" "$T/r1.out"
    python3 "$MSGS" last-state "$T/r1.out" >"$T/state.json"
    assert_match '"ctid_block":[0-9]' "$(cat "$T/state.json")" \
        "run 1's last STATE has a block bookmark"
}

fault_change() {
    pg_sql >/dev/null <<'SQL'
INSERT INTO big SELECT g, -g, 'new ' || g FROM generate_series(1, 1500) g;
INSERT INTO big SELECT g, -g, 'new ' || g FROM generate_series(300001, 301000) g;
UPDATE big SET v = v + 1000000, t = 'updated' WHERE id % 997 = 0;
DELETE FROM big WHERE id % 1999 = 0;
SQL
}

fault_resume() {
    local config=$1 what=${2:-resumed run}
    run_tap "$T/r2.out" "$T/r2.err" --config "$config" --catalog "$T/big.json" \
        --state "$T/state.json"
    assert_ok "$T/r2.err" "$what: completes from run 1's last STATE"
    assert_contains "$T/r2.err" "resuming full table sync of version" "$what: resumes, not restarts"
    pg_sql -c "SELECT row_to_json(x) FROM (SELECT id, v, t FROM big) x" >"$T/final.jsonl"
    assert_cmd "$what: every row of the final table was sent with its final values" \
        python3 "$RESUME_CHECK" union --stream big --key id --final "$T/final.jsonl" \
        "$T/r1.out" "$T/r2.out"
}
