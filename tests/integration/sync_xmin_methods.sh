#!/usr/bin/env bash
# XMIN replication, the edges: a change of method to and from XMIN, states
# written by singer-io/tap-postgres, views / materialized views / foreign
# tables / a user without SELECT on xmin refused before any message,
# partitioned tables read through their partitions, and discovery's
# valid-replication-methods.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_load_fixture alltypes
pg_config_json "$T/config.json"
SID=tapdb-public-items

pg_sql >/dev/null <<'SQL'
-- fillfactor 50: room in every page, so updates of v (not indexed) are HOT
CREATE TABLE items (id integer PRIMARY KEY, k integer NOT NULL,
                    v integer NOT NULL, t text NOT NULL) WITH (fillfactor = 50);
CREATE INDEX items_k ON items (k);
INSERT INTO items SELECT g, g, g, 'row ' || g FROM generate_series(1, 2000) g;
GRANT SELECT ON items TO tap;
SQL
# a table of another access method (here heap under another name: the
# tap cannot know that its rows carry an xmin)
pg_sql >/dev/null <<'SQL'
CREATE ACCESS METHOD heap_alias TYPE TABLE HANDLER heap_tableam_handler;
CREATE TABLE other_am (id integer PRIMARY KEY) USING heap_alias;
GRANT SELECT ON other_am TO tap;
SQL
discover_select "$T/items.json" public.items:XMIN
# the other catalogs from the same discovery, and the shared steps
source "$SRCDIR/tests/integration/xmin_lib.sh"

# ---- a completed XMIN run to start from
xrun r1
same_records r1 items "true" "first run: every row"

# ---- method changes and singer-io states
sel "$T/items-full.json" public.items:FULL_TABLE
xrun tofull "$T/r1.state" "$T/items-full.json"
assert_contains "$T/tofull.err" "replication method changed from XMIN to FULL_TABLE" "XMIN -> FULL_TABLE: logged"
assert_eq '"absent"' "$(bm tofull xmin_horizon)" "XMIN -> FULL_TABLE: XMIN keys gone"
xrun toxmin "$T/tofull.state"
assert_contains "$T/toxmin.err" "replication method changed from FULL_TABLE to XMIN" "FULL_TABLE -> XMIN: logged"
assert_eq "SCHEMA STATE ACTIVATE_VERSION RECORD*2000 ACTIVATE_VERSION STATE" "$(seq_of toxmin)" "FULL_TABLE -> XMIN: a first run"
echo "{\"bookmarks\": {\"$SID\": {\"last_replication_method\": \"FULL_TABLE\", \"version\": 1700000000000, \"xmin\": 742}}, \"currently_syncing\": \"$SID\"}" >"$T/sio1.state"
xrun sio1 "$T/sio1.state"
assert_eq "SCHEMA STATE ACTIVATE_VERSION RECORD*2000 ACTIVATE_VERSION STATE" "$(seq_of sio1)" "singer-io FULL_TABLE state: XMIN starts with a first run"
assert_eq '"absent"' "$(bm sio1 xmin)" "singer-io FULL_TABLE state: its xmin bookmark is dropped"
echo "{\"bookmarks\": {\"$SID\": {\"version\": 1700000000000, \"xmin\": 742}}, \"currently_syncing\": \"$SID\"}" >"$T/sio2.state"
xrun sio2 "$T/sio2.state"
assert_contains "$T/sio2.err" "singer-io" "singer-io xmin bookmark without a method: WARNING"
assert_eq "SCHEMA STATE RECORD*2000 ACTIVATE_VERSION STATE" "$(seq_of sio2)" "singer-io xmin bookmark without a method: starts over"
[[ $(version_of sio2) != 1700000000000 ]] || fail "singer-io xmin bookmark: a new version"
assert_eq '"absent"' "$(bm sio2 xmin)" "singer-io xmin bookmark without a method: dropped"
xrun sio3 "$T/sio2.state"
assert_eq "SCHEMA STATE STATE" "$(seq_of sio3)" "after a singer-io state: later runs as before"

# ---- parallel_connections: XMIN runs on the leader, in the run's snapshot
pg_config_json "$T/config-par.json" parallel_connections=2
pg_sql <<<"UPDATE items SET t = 'parallel' WHERE id IN (1, 2)" >/dev/null
run_tap "$T/par1.out" "$T/par1.err" --config "$T/config-par.json" --catalog "$T/items.json" --state "$T/sio3.state"
assert_ok "$T/par1.err" "parallel_connections 2: exit 0"
same_records par1 items "id IN (1, 2)" "parallel_connections 2: a later run sends the changed rows"
python3 "$MSGS" last-state "$T/par1.out" >"$T/par1.state"
run_tap "$T/par2.out" "$T/par2.err" --config "$T/config-par.json" --catalog "$T/items.json" --state "$T/par1.state"
assert_ok "$T/par2.err" "parallel_connections 2: second run exit 0"
assert_eq "SCHEMA STATE STATE" "$(seq_of par2)" "parallel_connections 2: then nothing"

# ---- the other scan paths (older servers: one pass; no ctid: whole)
prev=par2
python3 "$MSGS" last-state "$T/par2.out" >"$T/par2.state"
for strategy in one-pass whole; do
    pg_sql <<<"UPDATE items SET t = '$strategy' WHERE id = 3" >/dev/null
    TAP_SCAN_STRATEGY=$strategy run_tap "$T/$strategy.out" "$T/$strategy.err" --config "$T/config.json" --catalog "$T/items.json" --state "$T/$prev.state"
    assert_ok "$T/$strategy.err" "TAP_SCAN_STRATEGY=$strategy: exit 0"
    same_records "$strategy" items "id = 3" "TAP_SCAN_STRATEGY=$strategy: a later run sends the changed row"
    python3 "$MSGS" last-state "$T/$strategy.out" >"$T/$strategy.state"
    prev=$strategy
done

# ---- what XMIN cannot read
for s in events_view:view events_mv:"materialized view" remote_things:"foreign table"; do
    tbl=${s%%:*} kind=${s#*:}
    sel "$T/bad-$tbl.json" "public.$tbl:XMIN"
    run_tap "$T/bad.out" "$T/bad.err" --config "$T/config.json" --catalog "$T/bad-$tbl.json"
    assert_eq 2 "$RC" "$kind with XMIN: exit 2"
    assert_contains "$T/bad.err" "stream \"tapdb-public-$tbl\"" "$kind with XMIN: the stream is named"
    assert_contains "$T/bad.err" "is a $kind" "$kind with XMIN: says why"
    [[ ! -s $T/bad.out ]] || fail "$kind with XMIN: nothing written"
done
sel "$T/bad-am.json" public.other_am:XMIN
run_tap "$T/bad.out" "$T/bad.err" --config "$T/config.json" --catalog "$T/bad-am.json"
assert_eq 2 "$RC" "another table access method with XMIN: exit 2"
assert_contains "$T/bad.err" 'uses the table access method "heap_alias"' "another table access method with XMIN: says why"
sel "$T/bad-pg.json" public.partial_grant:XMIN
run_tap "$T/bad.out" "$T/bad.err" --config "$T/config.json" --catalog "$T/bad-pg.json"
[[ $RC -ne 0 ]] || fail "XMIN without SELECT on xmin must fail"
assert_contains "$T/bad.err" 'GRANT SELECT (xmin, ctid)' "XMIN without SELECT on xmin: says how to fix it"

# ---- partitioned tables, through their partitions
sel "$T/meas.json" public.measurements:XMIN
xrun m1 "" "$T/meas.json"
MCOLS='id, to_char(logdate, '"'"'YYYY-MM-DD"T00:00:00+00:00"'"'"') AS logdate, value'
same_records m1 measurements "true" "partitioned: first run, every partition" measurements "$MCOLS"
pg_sql >/dev/null <<'SQL'
INSERT INTO measurements VALUES (5, '2023-03-03', 5.00), (6, '2024-03-03', 6.00);
UPDATE measurements SET value = 99 WHERE id = 1;
DELETE FROM measurements WHERE id = 4;
SQL
xrun m2 "$T/m1.state" "$T/meas.json"
same_records m2 measurements "id IN (1, 5, 6)" "partitioned: a later run, changes in both partitions" measurements "$MCOLS"
xrun m3 "$T/m2.state" "$T/meas.json"
assert_eq "SCHEMA STATE STATE" "$(seq_of m3)" "partitioned: no-op run"

# ---- discovery says which streams can use XMIN
python3 - "$T/items.json.all" <<'PY' || fail "valid-replication-methods"
import json, sys
cat = json.load(open(sys.argv[1]))
want = {"items": ["FULL_TABLE", "INCREMENTAL", "XMIN"],
        "measurements": ["FULL_TABLE", "INCREMENTAL", "XMIN"],
        "events_view": ["FULL_TABLE", "INCREMENTAL"],
        "events_mv": ["FULL_TABLE", "INCREMENTAL"],
        "remote_things": ["FULL_TABLE", "INCREMENTAL"]}
for e in cat["streams"]:
    if e["tap_stream_id"].startswith("tapdb-public-") and e["table_name"] in want:
        root = next(m["metadata"] for m in e["metadata"] if m["breadcrumb"] == [])
        got = root.get("valid-replication-methods")
        if got != want[e["table_name"]]:
            sys.exit("%s: valid-replication-methods %r, want %r" % (e["table_name"], got, want[e["table_name"]]))
PY
pass "discovery: valid-replication-methods lists XMIN for tables only"
echo "all passed"
