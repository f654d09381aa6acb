#!/usr/bin/env bash
# -v / --verbose: a DEBUG line with every statement sent to the server and
# its time, after it completes ("DEBUG statement took 1.234 ms: SQL"); a
# failing statement at DEBUG before the CRITICAL line, which carries the
# server's DETAIL and HINT and stays the last line. Without -v: no DEBUG
# line, and the stdout of a sync is the same with and without -v.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"

pg_sql >/dev/null <<'SQL'
CREATE TABLE vt (id integer PRIMARY KEY, x text);
INSERT INTO vt SELECT g, 'x' || g FROM generate_series(1, 10) g;
GRANT SELECT ON vt TO tap;
CREATE FUNCTION boom() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'boom went the view'
    USING DETAIL = 'the detail of it', HINT = 'the hint for it';
END $$;
CREATE VIEW vboom AS SELECT 1 AS id, boom() AS x;
GRANT SELECT ON vboom TO tap;
SQL

# --test: the session setup and the test query, each with its time
run_tap "$T/t.out" "$T/t.err" --config "$T/config.json" --test -v
assert_ok "$T/t.err" "--test -v"
grep -qE "^DEBUG statement took [0-9]+\.[0-9]{3} ms: SET TimeZone = 'UTC'; " "$T/t.err" ||
    fail "no DEBUG line for the session setup"
pass "DEBUG line for the session setup"
grep -qE '^DEBUG statement took [0-9]+\.[0-9]{3} ms: SELECT 1$' "$T/t.err" ||
    fail "no DEBUG line for the test query"
pass "DEBUG line for the test query, with its time"
run_tap "$T/q.out" "$T/q.err" --config "$T/config.json" --test
assert_ok "$T/q.err" "--test without -v"
grep -q '^DEBUG' "$T/q.err" && fail "DEBUG lines without -v"
pass "no DEBUG line without -v"

# a FULL_TABLE sync of a table within one block range: one COPY (timed
# when its data ends) in its own snapshot, no transaction around it
discover_select "$T/cat.json" public.vt
run_tap "$T/s.out" "$T/s.err" --config "$T/config.json" --catalog "$T/cat.json" --verbose
assert_ok "$T/s.err" "sync --verbose"
re='^DEBUG statement took [0-9.]+ ms: COPY \(SELECT "id","x" FROM "public"\."vt"\) TO STDOUT$'
grep -qE "$re" "$T/s.err" || { cat "$T/s.err" >&2; fail "no line matching $re"; }
pass "sync -v: a line matching $re"
grep -qE 'BEGIN|COMMIT' "$T/s.err" && { cat "$T/s.err" >&2; fail "a one-range table read in a transaction"; }
pass "sync -v: no BEGIN or COMMIT around one COPY"
# INCREMENTAL: BEGIN, the COPY and COMMIT
discover_select "$T/inc.json" public.vt:INCREMENTAL:id
run_tap "$T/i.out" "$T/i.err" --config "$T/config.json" --catalog "$T/inc.json" --verbose
assert_ok "$T/i.err" "INCREMENTAL sync --verbose"
for re in '^DEBUG statement took [0-9.]+ ms: BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY$' \
          '^DEBUG statement took [0-9.]+ ms: COPY \(SELECT .*"public"\."vt".*\) TO STDOUT' \
          '^DEBUG statement took [0-9.]+ ms: COMMIT$'; do
    grep -qE "$re" "$T/i.err" || { cat "$T/i.err" >&2; fail "no line matching $re"; }
    pass "INCREMENTAL sync -v: a line matching $re"
done
run_tap "$T/s2.out" "$T/s2.err" --config "$T/config.json" --catalog "$T/cat.json"
assert_ok "$T/s2.err" "sync without -v"
grep -q '^DEBUG' "$T/s2.err" && fail "DEBUG lines in a sync without -v"
pass "no DEBUG line in a sync without -v"
# the same messages (time_extracted and versions aside)
strip() { sed -E 's/"time_extracted": ?"[^"]*"//; s/"version": ?[0-9]+//' "$1"; }
[[ $(strip "$T/s.out") == "$(strip "$T/s2.out")" ]] || fail "-v changed stdout"
pass "-v does not change stdout"

# a failure: DETAIL and HINT in the CRITICAL line; with -v the failing
# statement is logged at DEBUG before it
discover_select "$T/boom.json" public.vboom
for flag in "" -v; do
    run_tap "$T/b.out" "$T/b.err" --config "$T/config.json" --catalog "$T/boom.json" $flag
    [[ $RC -eq 4 ]] || { cat "$T/b.err" >&2; fail "failing view ($flag): exit $RC, want 4"; }
    last=$(tail -n 1 "$T/b.err")
    [[ $last == 'CRITICAL '*'failed: boom went the view (SQLSTATE P0001); DETAIL: the detail of it; HINT: the hint for it' ]] ||
        fail "failing view ($flag): the last line lacks DETAIL or HINT: $last"
    pass "failing view ${flag:-without -v}: $last"
done
prev=$(tail -n 2 "$T/b.err" | head -n 1)
[[ $prev == 'DEBUG failed statement: COPY '*'"public"."vboom"'* ]] ||
    fail "-v: the failing statement is not the line before the CRITICAL one: $prev"
pass "-v: the failing statement precedes the CRITICAL line"
echo "all passed"
