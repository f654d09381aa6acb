#!/usr/bin/env bash
# INCREMENTAL: ties, NULL and infinite keys, and timestamp, integer, date
# and text keys; a later run emits only rows >= the bookmark.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_load_fixture alltypes
pg_config_json "$T/config.json"

# inc NAME CATALOG STREAM [STATE]: sync; prints "id:name" of the records in
# order and leaves the last STATE in $T/NAME.state
inc() {
    local name=$1 cat=$2 stream=$3 state=${4:-}
    run_tap "$T/$name.out" "$T/$name.err" --config "$T/config.json" --catalog "$cat" ${state:+--state "$state"}
    assert_ok "$T/$name.err" "$name" >/dev/null
    python3 "$MSGS" last-state "$T/$name.out" >"$T/$name.state"
    python3 "$MSGS" records "$T/$name.out" "$stream" |
        python3 -c 'import json,sys; print(" ".join("%s:%s" % (r["id"], r["name"]) for r in map(json.loads, sys.stdin)))'
}
bookmark() { python3 -c 'import json,sys; print(json.dumps(next(iter(json.load(open(sys.argv[1]))["bookmarks"].values()))["replication_key_value"]))' "$1"; }

# --- timestamptz key with ties
discover_select "$T/ts.json" public.events:INCREMENTAL:updated_at
assert_eq "1:alpha 2:bravo 3:charlie 4:delta 6:foxtrot 5:echo" "$(inc ts1 "$T/ts.json" events)" "timestamptz: first run in key order"
assert_eq '"2024-01-04T23:59:59.999999+00:00"' "$(bookmark "$T/ts1.state")" "timestamptz: bookmark in the record's rendering"
echo '{"bookmarks":{"tapdb-public-events":{"last_replication_method":"INCREMENTAL","replication_key":"updated_at","version":1,"replication_key_value":"2024-01-03T08:00:00+00:00"}}}' >"$T/tie.state"
assert_eq "3:charlie 4:delta 6:foxtrot 5:echo" "$(inc tie "$T/ts.json" events "$T/tie.state")" "timestamptz: both rows of a tie come again (>=)"
pg_sql <<<"INSERT INTO events (id, updated_at, updated_on, seq, name) VALUES (7, '2024-02-01 00:00:00+00', '2024-02-01', 70, 'golf'); UPDATE events SET updated_at = '2024-02-02 00:00:00+00', name = 'alpha2' WHERE id = 1" >/dev/null
assert_eq "5:echo 7:golf 1:alpha2" "$(inc ts2 "$T/ts.json" events "$T/ts1.state")" "timestamptz: later run emits only rows >= bookmark"

# --- integer key
discover_select "$T/int.json" public.events:INCREMENTAL:seq
inc int1 "$T/int.json" events >/dev/null
assert_eq '70' "$(bookmark "$T/int1.state")" "integer: bookmark is a number"
pg_sql <<<"INSERT INTO events (id, updated_at, updated_on, seq, name) VALUES (8, now(), '2024-03-01', 80, 'hotel')" >/dev/null
assert_eq "7:golf 8:hotel" "$(inc int2 "$T/int.json" events "$T/int1.state")" "integer: later run"

# --- date key
discover_select "$T/date.json" public.events:INCREMENTAL:updated_on
inc d1 "$T/date.json" events >/dev/null
assert_eq '"2024-03-01T00:00:00+00:00"' "$(bookmark "$T/d1.state")" "date: bookmark rendered like the record"
assert_eq "8:hotel" "$(inc d2 "$T/date.json" events "$T/d1.state")" "date: later run"

# --- text key
discover_select "$T/text.json" public.events:INCREMENTAL:name
inc t1 "$T/text.json" events >/dev/null
assert_eq '"hotel"' "$(bookmark "$T/t1.state")" "text: bookmark"
pg_sql <<<"INSERT INTO events (id, updated_at, seq, name) VALUES (9, now(), 90, 'india'), (10, now(), 5, 'aardvark')" >/dev/null
assert_eq "8:hotel 9:india" "$(inc t2 "$T/text.json" events "$T/t1.state")" "text: later run"

# --- numeric keys: a number while a double holds it, else an exact string
pg_sql >/dev/null <<'SQL'
CREATE TABLE nums (id integer PRIMARY KEY, k numeric, name text);
INSERT INTO nums VALUES (1, 1.25, 'a'), (2, 2.50, 'b'), (3, 'NaN', 'nan');
CREATE TABLE bignums (id integer PRIMARY KEY, k numeric, name text);
INSERT INTO bignums VALUES (1, 12345678901234567890.123, 'a'), (2, 12345678901234567890.124, 'b');
GRANT SELECT ON nums, bignums TO tap;
SQL
discover_select "$T/num.json" public.nums:INCREMENTAL:k
assert_eq "1:a 2:b 3:nan" "$(inc n1 "$T/num.json" nums)" "numeric: NaN last, emitted once"
assert_eq '2.5' "$(bookmark "$T/n1.state")" "numeric: bookmark is a number"
assert_eq "2:b" "$(inc n2 "$T/num.json" nums "$T/n1.state")" "numeric: later run, NaN not again"
discover_select "$T/bignum.json" public.bignums:INCREMENTAL:k
inc b1 "$T/bignum.json" bignums >/dev/null
assert_eq '"12345678901234567890.124"' "$(bookmark "$T/b1.state")" "numeric beyond a double: exact string bookmark"
pg_sql <<<"INSERT INTO bignums VALUES (3, 12345678901234567890.125, 'c'), (4, 12345678901234567890.1235, 'd')" >/dev/null
assert_eq "2:b 3:c" "$(inc b2 "$T/bignum.json" bignums "$T/b1.state")" "numeric beyond a double: later run from the exact value"

# --- NULL and infinite keys: emitted on the first run, never poison the bookmark
discover_select "$T/odd.json" public.events_odd_keys:INCREMENTAL:updated_at
assert_eq "3:minus infinity 1:ordinary 5:ordinary 2 4:plus infinity 2:null key" \
    "$(inc o1 "$T/odd.json" events_odd_keys)" "odd keys: first run emits every row, NULL last"
assert_eq '"2024-01-02T00:00:00+00:00"' "$(bookmark "$T/o1.state")" "odd keys: bookmark ignores infinity"
grep '"name":"plus infinity"' "$T/o1.out" | grep -qF '"updated_at":"9999-12-31T23:59:59.999999+00:00"' ||
    fail "infinity renders as SIO's 9999-12-31T23:59:59.999999+00:00"
pg_sql <<<"INSERT INTO events_odd_keys VALUES (6, '2024-01-03 00:00:00+00', '2024-01-03', 'ordinary 3'), (7, NULL, NULL, 'another null')" >/dev/null
assert_eq "5:ordinary 2 6:ordinary 3" "$(inc o2 "$T/odd.json" events_odd_keys "$T/o1.state")" "odd keys: later run has neither infinity nor NULL"

discover_select "$T/oddd.json" public.events_odd_keys:INCREMENTAL:updated_on
inc od1 "$T/oddd.json" events_odd_keys >/dev/null
assert_eq '"2024-01-03T00:00:00+00:00"' "$(bookmark "$T/od1.state")" "odd date keys: bookmark ignores infinity"

# --- a deselected replication key is still emitted (SIO crashes)
discover_select "$T/desel.json" public.events:INCREMENTAL:updated_at --deselect public.events.updated_at --deselect public.events.payload
inc ds "$T/desel.json" events >/dev/null
python3 "$MSGS" records "$T/ds.out" events >"$T/ds.records"
[[ $(grep -c '"updated_at":' "$T/ds.records") -eq $(wc -l <"$T/ds.records") ]] || fail "deselected replication key must still be emitted"
grep -q '"payload"' "$T/ds.records" && fail "deselected column payload was emitted"
pass "deselected replication key emitted, deselected column left out"

# --- changing the key resets the bookmark
assert_eq "10:aardvark 1:alpha2 2:bravo 3:charlie 4:delta 5:echo 6:foxtrot 7:golf 8:hotel 9:india" \
    "$(inc rk "$T/text.json" events "$T/int1.state")" "a changed replication key starts the stream over"
assert_contains "$T/rk.err" 'replication key changed from "seq" to "name"' "key change is logged"
assert_done
