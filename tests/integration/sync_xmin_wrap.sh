#!/usr/bin/env bash
# XMIN across transaction-ID wraparound, in seconds: the cluster's counter
# is moved to 3,000 transactions before the 32-bit limit (pg_resetwal -x,
# epoch 2), runs happen before and after the counter wraps, and each later
# run sends exactly the rows changed since the run before. Rows frozen
# before the jump (their raw xmin now looks like the future) are not sent,
# and are sent once more, as the method allows, when the counter passes
# their old xmin again; then never again. Last, the epoch is moved on by
# two (8.6 billion transactions): the stored horizon is beyond the safe
# window and the stream starts over with a WARNING.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"
SID=tapdb-public-w

pg_sql >/dev/null <<'SQL'
CREATE TABLE w (id integer PRIMARY KEY, v integer NOT NULL, t text NOT NULL);
INSERT INTO w SELECT g, g, 'row ' || g FROM generate_series(1, 1000) g;
GRANT SELECT ON w TO tap;
SQL
raw0=$(pg_sql_value "SELECT DISTINCT xmin FROM w")
discover_select "$T/w.json" public.w:XMIN

E=2
X=$(( 4294967296 - 3000 ))
pg_set_next_xid "$X" "$E" || fail "pg_set_next_xid"
got=$(pg_sql_value "SELECT txid_snapshot_xmax(txid_current_snapshot())")
(( got >= E * 4294967296 + X && got < E * 4294967296 + X + 100 )) || fail "counter not moved: $got"
pass "counter at $got (epoch $E, 32-bit $(( got % 4294967296 )))"

xrun() {
    local name=$1 state=${2:-}
    run_tap "$T/$name.out" "$T/$name.err" --config "$T/config.json" --catalog "$T/w.json" ${state:+--state "$state"}
    assert_ok "$T/$name.err" "$name: exit 0" >/dev/null
    python3 "$MSGS" last-state "$T/$name.out" >"$T/$name.state"
}
seq_of() { python3 "$MSGS" seq "$T/$1.out"; }
horizon() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bookmarks"][sys.argv[2]]["xmin_horizon"])' "$T/$1.state" "$SID"; }
# same_records NAME WHERE MSG: the records are exactly the rows WHERE
same_records() {
    python3 "$MSGS" records "$T/$1.out" w >"$T/$1.records"
    pg_sql -c "SELECT row_to_json(x) FROM (SELECT id, v, t FROM w WHERE $2) x" >"$T/$1.want"
    python3 - "$T/$1.records" "$T/$1.want" "$3" <<'PY' || exit 1
import json, sys
def load(p):
    return sorted((json.loads(l) for l in open(p) if l.strip()), key=lambda r: r["id"])
got, want = load(sys.argv[1]), load(sys.argv[2])
if got != want:
    print("FAIL: %s: %d records (ids %s), want %d (ids %s)" % (
        sys.argv[3], len(got), [r["id"] for r in got][:20], len(want),
        [r["id"] for r in want][:20]), file=sys.stderr)
    sys.exit(1)
print("ok - %s (%d records)" % (sys.argv[3], len(got)))
PY
}
# burn_until_low N: consume transaction IDs until the 32-bit counter is in
# epoch E+1 at or past N
burn_until_low() {
    local want=$1 cur
    for _ in $(seq 1 40); do
        cur=$(pg_sql_value "SELECT txid_snapshot_xmax(txid_current_snapshot())")
        (( cur / 4294967296 == E + 1 && cur % 4294967296 >= want )) && return 0
        for _ in $(seq 1 500); do echo "SELECT txid_current();"; done | pg_sql >/dev/null
    done
    fail "could not move the counter to $want in epoch $(( E + 1 )) (at $cur)"
}

xrun r1
assert_eq "SCHEMA STATE ACTIVATE_VERSION RECORD*1000 ACTIVATE_VERSION STATE" "$(seq_of r1)" "first run near the limit: the whole table"
h1=$(horizon r1)
(( h1 >= E * 4294967296 + X )) || fail "horizon $h1 lacks the epoch"
pass "horizon $h1 is epoch-aware"

pg_sql >/dev/null <<'SQL'
UPDATE w SET v = -v, t = 'before the wrap' WHERE id <= 10;
INSERT INTO w SELECT g, g, 'new before the wrap' FROM generate_series(1001, 1010) g;
SQL
xrun r2 "$T/r1.state"
same_records r2 "id <= 10 OR id > 1000" "before the wrap: exactly the changed rows, no frozen row whose xmin looks like the future"

pg_sql <<<"UPDATE w SET v = -v, t = 'just before the wrap' WHERE id BETWEEN 101 AND 105" >/dev/null
burn_until_low 3
low=$(( $(pg_sql_value "SELECT txid_snapshot_xmax(txid_current_snapshot())") % 4294967296 ))
(( low < raw0 - 100 )) || fail "burnt too far ($low) for the next checks (rows frozen at xmin $raw0)"
pass "the counter wrapped: epoch $(( E + 1 )), 32-bit $low"
pg_sql >/dev/null <<'SQL'
UPDATE w SET v = -v, t = 'after the wrap' WHERE id BETWEEN 106 AND 110;
INSERT INTO w SELECT g, g, 'new after the wrap' FROM generate_series(1011, 1015) g;
SQL
xrun r3 "$T/r2.state"
same_records r3 "id BETWEEN 101 AND 110 OR id > 1010" "across the wrap: the rows changed on both sides of it"
(( $(horizon r3) / 4294967296 == E + 1 )) || fail "the horizon after the wrap is in epoch $(( E + 1 )): $(horizon r3)"
xrun r4 "$T/r3.state"
assert_eq "SCHEMA STATE STATE" "$(seq_of r4)" "after the wrap: a no-op run sends nothing"

# the counter passes the raw xmin the rows had when they were frozen
burn_until_low $(( raw0 + 50 ))
xrun r5 "$T/r4.state"
same_records r5 "xmin = '$raw0'" "the counter passed the old xmin of rows frozen long ago: those rows once more (the allowed duplicate)"
xrun r6 "$T/r5.state"
assert_eq "SCHEMA STATE STATE" "$(seq_of r6)" "and never again"

# the horizon more than 2^31 transactions old: two epochs on
v1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bookmarks"][sys.argv[2]]["version"])' "$T/r6.state" "$SID")
cur=$(pg_sql_value "SELECT txid_snapshot_xmax(txid_current_snapshot())")
pg_set_next_xid $(( cur % 4294967296 + 10 )) $(( E + 3 )) || fail "pg_set_next_xid (epoch)"
xrun r7 "$T/r6.state"
assert_contains "$T/r7.err" "WARNING stream \"$SID\"" "too old a horizon: a WARNING naming the stream"
assert_contains "$T/r7.err" "transactions old" "too old a horizon: the WARNING says why"
assert_eq "SCHEMA STATE RECORD*1015 ACTIVATE_VERSION STATE" "$(seq_of r7)" "too old a horizon: the whole table again, ACTIVATE_VERSION at the end"
same_records r7 "true" "too old a horizon: every row"
v7=$(grep -m1 '"RECORD"' "$T/r7.out" | sed -E 's/.*"version":([0-9]+).*/\1/')
[[ $v7 != "$v1" ]] || fail "starting over takes a new version"
(( $(horizon r7) / 4294967296 == E + 3 )) || fail "new horizon in epoch $(( E + 3 )): $(horizon r7)"
pg_sql <<<"UPDATE w SET t = 'after the epoch move' WHERE id = 500" >/dev/null
xrun r8 "$T/r7.state"
same_records r8 "id = 500" "after starting over: later runs as before"
echo "all passed"
