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
CREATE TABLE va (id integer PRIMARY KEY, x text);
INSERT INTO va SELECT g, 'a' || g FROM generate_series(1, 5) g;
CREATE TABLE vz (id integer PRIMARY KEY, x text);
INSERT INTO vz SELECT g, 'z' || g FROM generate_series(1, 7) g;
GRANT SELECT ON va, vz TO tap;
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

# several streams of one COPY each: their COPYs go to the server at once,
# and each stream is still framed and counted on its own
discover_select "$T/three.json" public.va public.vt public.vz
run_tap "$T/q.out" "$T/q.err" --config "$T/config.json" --catalog "$T/three.json" -v
assert_ok "$T/q.err" "three one-COPY streams"
assert_contains "$T/q.err" "DEBUG sent 3 COPY statements at once" "the three COPYs sent at once"
assert_eq "SCHEMA STATE ACTIVATE_VERSION RECORD*5 ACTIVATE_VERSION STATE SCHEMA STATE ACTIVATE_VERSION RECORD*10 ACTIVATE_VERSION STATE SCHEMA STATE ACTIVATE_VERSION RECORD*7 ACTIVATE_VERSION STATE" \
    "$(python3 "$MSGS" seq "$T/q.out")" "three one-COPY streams: each framed on its own"
for t in va vt vz; do
    want=$(pg_sql_value "SELECT string_agg(json_build_object('id', id, 'x', x)::text, ' ' ORDER BY id) FROM $t")
    got=$(python3 "$MSGS" records "$T/q.out" "$t" | python3 -c '
import json, sys
rows = sorted((json.loads(l) for l in sys.stdin), key=lambda r: r["id"])
print(" ".join(json.dumps(r, separators=(", ", " : ")) for r in rows))')
    assert_eq "$want" "$got" "three one-COPY streams: $t's records are its rows"
done

# a failure among them: the streams before it are complete, the COPYs
# after it are never read, the last STATE is true
discover_select "$T/fail3.json" public.va public.vboom public.vz
run_tap "$T/f.out" "$T/f.err" --config "$T/config.json" --catalog "$T/fail3.json" -v
assert_eq 4 "$RC" "a failing COPY among those sent at once: exit 4"
assert_contains "$T/f.err" "DEBUG sent 3 COPY statements at once" "the three COPYs sent at once"
assert_match 'CRITICAL .*boom went the view' "$(tail -n 1 "$T/f.err")" "the CRITICAL line is the failing stream's"
assert_eq "SCHEMA STATE ACTIVATE_VERSION RECORD*5 ACTIVATE_VERSION STATE SCHEMA STATE ACTIVATE_VERSION STATE" \
    "$(python3 "$MSGS" seq "$T/f.out")" "va complete, vboom begun, vz never begun"
python3 "$MSGS" last-state "$T/f.out" >"$T/f.state"
python3 - "$T/f.state" <<'PY' || fail "the last STATE after the failure: $(cat "$T/f.state")"
import json, sys
s = json.load(open(sys.argv[1]))
b = s["bookmarks"]
assert s["currently_syncing"] == "tapdb-public-vboom", s
assert b["tapdb-public-va"]["ctid_block"] is None and "version" in b["tapdb-public-va"], b
assert "tapdb-public-vz" not in b or "version" not in b["tapdb-public-vz"], b
PY
pass "the last STATE: va complete, vboom under way, vz not begun"
echo "all passed"
