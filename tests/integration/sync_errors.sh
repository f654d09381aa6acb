#!/usr/bin/env bash
# Bad catalogs fail before any message, naming the stream; a closed stdout
# ends the run with its own exit code and message.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_load_fixture alltypes
pg_config_json "$T/config.json"

expect_fail() { # CODE TEXT DESCRIPTION -- after run_tap
    assert_exit "$1" "$RC" "$3: exit $1" "$T/e.err"
    assert_eq 0 "$(stat -c %s "$T/e.out")" "$3: nothing on stdout"
    assert_match '^CRITICAL ' "$(tail -n1 "$T/e.err")" "$3: the last stderr line is CRITICAL"
    assert_contains "$T/e.err" "$2" "$3"
}

# a table dropped after discovery
discover_select "$T/drop.json" public.no_pk:FULL_TABLE public.events:INCREMENTAL:updated_at
pg_sql <<<'DROP TABLE public.no_pk' >/dev/null
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/drop.json"
expect_fail 2 'stream "tapdb-public-no_pk": table "public"."no_pk" does not exist' "missing table"

# a replication key that is not a column
discover_select "$T/badkey.json" public.events:INCREMENTAL:nope
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/badkey.json"
expect_fail 2 'stream "tapdb-public-events": replication key "nope" is not a column' "bad replication key"

# unknown and log-based methods
discover_select "$T/m.json" public.events:SOMETIMES
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/m.json"
expect_fail 2 'has replication method "SOMETIMES"; expected FULL_TABLE, INCREMENTAL or XMIN' "unknown method"
discover_select "$T/lb.json" public.events:LOG_BASED
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/lb.json"
expect_fail 2 'asks for LOG_BASED replication, which this tap does not support' "log-based"

# a selected column dropped after discovery
discover_select "$T/col.json" public.events:FULL_TABLE
pg_sql <<<'ALTER TABLE public.events DROP COLUMN payload' >/dev/null
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/col.json"
expect_fail 2 'column "payload" does not exist in table "public"."events"' "dropped column"

# not a catalog at all
echo '{"streams": 3}' >"$T/bad.json"
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/bad.json"
expect_fail 2 "has no \"streams\" list" "catalog of the wrong shape"

# a hand-edited state whose bookmark has the wrong shape
discover_select "$T/st.json" public.composite_pk:FULL_TABLE
echo '{"bookmarks": {"tapdb-public-composite_pk": {"version": 1, "ctid_block": -5, "snapshot_xmin": 7}}}' >"$T/badstate.json"
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/st.json" --state "$T/badstate.json"
expect_fail 2 "state file \"$T/badstate.json\": stream \"tapdb-public-composite_pk\": \"ctid_block\" must be a block number from 0 to 4294967295, or null" "negative ctid_block"
echo '{"bookmarks": {"tapdb-public-composite_pk": {"version": "soon"}}}' >"$T/badstate.json"
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/st.json" --state "$T/badstate.json"
expect_fail 2 '"version" must be a positive integer' "version not a number"

# closed stdout: the reader goes away after one line
discover_select "$T/big.json" public.alltypes:FULL_TABLE
pg_sql <<<'CREATE TABLE public.many AS SELECT g AS id, repeat($$x$$, 200) AS t FROM generate_series(1, 200000) g; ALTER TABLE public.many ADD PRIMARY KEY (id); GRANT SELECT ON public.many TO tap' >/dev/null
discover_select "$T/many.json" public.many:FULL_TABLE
set +e
"$TAP_BIN" --config "$T/config.json" --catalog "$T/many.json" 2>"$T/pipe.err" | head -n 1 >/dev/null
rc=${PIPESTATUS[0]}
set -e
assert_eq 5 "$rc" "closed stdout exits 5"
assert_contains "$T/pipe.err" "could not write to standard output: the reading end of the pipe was closed" "closed stdout message"
assert_match '^CRITICAL ' "$(tail -n1 "$T/pipe.err")" "closed stdout: the last line is CRITICAL"
! grep -qiE 'AddressSanitizer|runtime error' "$T/pipe.err"
assert_status $? "closed stdout: no sanitizer report"

# a target that stops reading: SIGTERM still ends the run, promptly
mkfifo "$T/stuck"
"$TAP_BIN" --config "$T/config.json" --catalog "$T/many.json" >"$T/stuck" 2>"$T/stuck.err" &
tap_pid=$!
exec 3<"$T/stuck"            # a reader that never reads
for _ in $(seq 1 100); do    # until the pipe is full and the tap blocked
    grep -q 'beginning sync' "$T/stuck.err" && break
    sleep 0.1
done
sleep 1
kill -TERM "$tap_pid"
for _ in $(seq 1 100); do
    kill -0 "$tap_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$tap_pid" 2>/dev/null; then
    kill -KILL "$tap_pid"
    fail "SIGTERM did not end a run blocked on a target that does not read"
fi
set +e
wait "$tap_pid"
rc=$?
set -e
exec 3<&-
assert_eq 143 "$rc" "blocked on a stuck target: SIGTERM exits 143"
assert_contains "$T/stuck.err" "stopped while the target was not reading standard output" "blocked on a stuck target: message"

# a full disk
if [[ -w /dev/full ]]; then
    set +e
    "$TAP_BIN" --config "$T/config.json" --catalog "$T/many.json" >/dev/full 2>"$T/full.err"
    rc=$?
    set -e
    assert_eq 5 "$rc" "/dev/full exits 5"
    assert_contains "$T/full.err" "no space left on device" "/dev/full message"
fi
assert_done
