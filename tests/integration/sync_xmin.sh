#!/usr/bin/env bash
# XMIN replication: the first run sends the whole table; each later run
# sends exactly the rows inserted or updated since (HOT and non-HOT
# updates; deletes are not seen), compared as full records with the final
# table. A transaction open during a run (with SAVEPOINT subtransactions)
# arrives in the next run; rolled-back work never does; VACUUM FREEZE hides
# nothing and frozen rows are not sent again. A horizon ahead of the
# server starts over; bad bookmarks are refused. Metrics: rows_scanned and
# record_count. (Method changes, singer-io states, what XMIN cannot read,
# partitions and discovery: sync_xmin_methods.sh.)
#
# The one duplicate this method allows, and which this test expects: rows
# of a transaction that committed while an older one was still open at the
# time of a run's snapshot come again in the next run (their xmin is at or
# past that snapshot's horizon).
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
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
discover_select "$T/items.json" public.items:XMIN
# the other catalogs from the same discovery, and the shared steps
source "$SRCDIR/tests/integration/xmin_lib.sh"

# ---- first run: the whole table, ACTIVATE_VERSION before and after
xrun r1
assert_eq "SCHEMA STATE ACTIVATE_VERSION RECORD*2000 ACTIVATE_VERSION STATE" "$(seq_of r1)" "first run: the whole table, framed like FULL_TABLE"
same_records r1 items "true" "first run: every row"
V1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bookmarks"][sys.argv[2]]["version"])' "$T/r1.state" "$SID")
assert_eq "$V1" "$(version_of r1)" "first run: records carry the bookmark's version"
assert_eq '"XMIN"' "$(bm r1 last_replication_method)" "first run: last_replication_method"
assert_eq 'null' "$(bm r1 ctid_block)" "first run: ctid_block null when complete"
assert_eq 'null' "$(bm r1 xmin_snapshot)" "first run: xmin_snapshot null when complete"
h1=$(bm r1 xmin_horizon)
[[ $h1 =~ ^[0-9]+$ ]] || fail "first run: xmin_horizon is not an integer: $h1"
nx=$(next_xid)
(( h1 <= nx )) || fail "first run: horizon $h1 is past the server's next xid $nx"
pass "first run: xmin_horizon $h1 (next xid $nx)"

# ---- a no-op run
xrun r2 "$T/r1.state"
assert_eq "SCHEMA STATE STATE" "$(seq_of r2)" "no-op run: no record, no ACTIVATE_VERSION"
assert_eq "$V1" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bookmarks"][sys.argv[2]]["version"])' "$T/r2.state" "$SID")" "no-op run: same version"
assert_contains "$T/r2.err" 'METRIC: {"type": "counter", "metric": "rows_scanned", "value": 2000, "tags": {"schema": "public", "table": "items"}}' \
    "no-op run: rows_scanned is the table's 2000 rows"
assert_contains "$T/r2.err" '"metric": "record_count", "value": 0,' "no-op run: record_count 0"

# ---- inserts, HOT and non-HOT updates, deletes
pg_sql >/dev/null <<'SQL'
INSERT INTO items VALUES (2001, 2001, 2001, 'new 2001'), (2002, 2002, 2002, 'new 2002');
UPDATE items SET v = v + 100000 WHERE id IN (10, 20);           -- HOT
UPDATE items SET k = -k, t = 'moved' WHERE id IN (30, 40);      -- not HOT (k indexed)
UPDATE items SET t = repeat('long ', 2000) WHERE id = 45;      -- not HOT (toasted, new tuple elsewhere)
DELETE FROM items WHERE id IN (50, 60);
INSERT INTO items VALUES (2003, 2003, 2003, 'new 2003');
DELETE FROM items WHERE id = 2003;
SQL
hot=$(pg_sql_value "SELECT n_tup_hot_upd || ' ' || n_tup_upd FROM pg_stat_user_tables WHERE relname = 'items'")
[[ ${hot%% *} -ge 2 && ${hot##* } -ge 5 && $(( ${hot##* } - ${hot%% *} )) -ge 2 ]] ||
    fail "the updates were meant to be HOT (2) and not HOT (3): n_tup_hot_upd, n_tup_upd = $hot"
pass "updates: $hot (HOT, all)"
xrun r3 "$T/r2.state"
assert_eq "SCHEMA STATE RECORD*7 STATE" "$(seq_of r3)" "later run: records only, no ACTIVATE_VERSION"
same_records r3 items "id IN (10, 20, 30, 40, 45, 2001, 2002)" "later run: exactly the inserted and updated rows (deleted ones not seen)"
assert_eq "$V1" "$(version_of r3)" "later run: records carry the first run's version"
assert_contains "$T/r3.err" '"metric": "rows_scanned", "value": 2000,' "later run: rows_scanned counts the rows the server read"
assert_contains "$T/r3.err" '"metric": "record_count", "value": 7,' "later run: record_count counts the rows sent"
xrun r4 "$T/r3.state"
assert_eq "SCHEMA STATE STATE" "$(seq_of r4)" "no-op run after changes: nothing"

# ---- a transaction open during a run: its rows come in the next run
mkfifo "$T/tx.fifo"
open_tx() {
    PGAPPNAME=xmin_open_tx pg_sql -f "$T/tx.fifo" >"$T/tx.log" 2>&1 &
    tx_pid=$!
    exec 7>"$T/tx.fifo"
    printf '%s\n' "$1" >&7
    for _ in $(seq 1 100); do
        [[ $(pg_sql_value "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'xmin_open_tx' AND state = 'idle in transaction' AND backend_xid IS NOT NULL") == 1 ]] && return 0
        sleep 0.1
    done
    fail "the open transaction did not start: $(cat "$T/tx.log")"
}
end_tx() {
    printf '%s\n' "$1" >&7
    exec 7>&-
    wait "$tx_pid" || fail "the open transaction failed: $(cat "$T/tx.log")"
}
open_tx "BEGIN; INSERT INTO items VALUES (3001, 3001, 3001, 'open tx'); UPDATE items SET v = -5, t = 'open tx' WHERE id = 5;"
pg_sql <<<"INSERT INTO items VALUES (3002, 3002, 3002, 'committed meanwhile')" >/dev/null
xrun r5 "$T/r4.state"
same_records r5 items "id = 3002" "open transaction: the run sees only what was committed"
h5=$(bm r5 xmin_horizon)
xid_open=$(pg_sql_value "SELECT backend_xid FROM pg_stat_activity WHERE application_name = 'xmin_open_tx'")
end_tx "COMMIT;"
(( h5 % 4294967296 <= xid_open )) || fail "the horizon ($h5) is past the open transaction ($xid_open)"
pass "the horizon $h5 is at or before the open transaction $xid_open"
xrun r6 "$T/r5.state"
same_records r6 items "id IN (5, 3001, 3002)" "after the commit: the open transaction's rows, and 3002 again (the allowed duplicate)"

# ---- SAVEPOINT subtransactions and rolled-back work
open_tx "BEGIN; SAVEPOINT a; INSERT INTO items VALUES (4001, 4001, 4001, 'in a savepoint'); RELEASE SAVEPOINT a; SAVEPOINT b; UPDATE items SET v = -6 WHERE id = 6; INSERT INTO items VALUES (4002, 4002, 4002, 'savepoint b'); SAVEPOINT c; INSERT INTO items VALUES (4003, 4003, 4003, 'rolled back to c'); ROLLBACK TO SAVEPOINT c;"
pg_sql >/dev/null <<'SQL'
BEGIN;
INSERT INTO items VALUES (4100, 4100, 4100, 'rolled back');
UPDATE items SET v = -7 WHERE id = 7;
ROLLBACK;
SQL
xrun r7 "$T/r6.state"
assert_eq "SCHEMA STATE STATE" "$(seq_of r7)" "subtransactions in progress, a rollback: nothing yet"
end_tx "RELEASE SAVEPOINT b; COMMIT;"
xrun r8 "$T/r7.state"
same_records r8 items "id IN (6, 4001, 4002)" "subtransactions committed: their rows, nothing rolled back"

# ---- VACUUM FREEZE between runs
pg_sql >/dev/null <<'SQL'
UPDATE items SET v = -8 WHERE id = 8;
INSERT INTO items VALUES (5001, 5001, 5001, 'frozen before the run');
VACUUM FREEZE items;
SQL
fz=$(pg_sql_value "SELECT count(*) FROM pg_class WHERE relname = 'items' AND age(relfrozenxid) < 5")
assert_eq 1 "$fz" "VACUUM FREEZE advanced relfrozenxid past the changes"
xrun r9 "$T/r8.state"
same_records r9 items "id IN (8, 5001)" "rows changed and then frozen: still found"
xrun r10 "$T/r9.state"
assert_eq "SCHEMA STATE STATE" "$(seq_of r10)" "frozen rows are not sent again"
pg_sql <<<"VACUUM FREEZE items" >/dev/null
xrun r11 "$T/r10.state"
assert_eq "SCHEMA STATE STATE" "$(seq_of r11)" "another VACUUM FREEZE: still nothing"

# ---- a horizon the server has not reached: starts over
python3 - "$T/r11.state" "$SID" "$(( $(next_xid) + 1000000 ))" >"$T/ahead.state" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["bookmarks"][sys.argv[2]]["xmin_horizon"] = int(sys.argv[3])
print(json.dumps(s))
PY
xrun ahead "$T/ahead.state"
assert_contains "$T/ahead.err" "ahead of the server" "horizon ahead of the server: WARNING says why"
grep -q "^WARNING .*$SID" "$T/ahead.err" || fail "the WARNING names the stream"
assert_eq "SCHEMA STATE RECORD*2005 ACTIVATE_VERSION STATE" "$(seq_of ahead)" "horizon ahead: the whole table again, ACTIVATE_VERSION at the end"
same_records ahead items "true" "horizon ahead: every row"
[[ $(version_of ahead) != "$V1" ]] || fail "a run that starts over has a new version"
pass "starting over: new version"
xrun after_ahead "$T/ahead.state"
assert_eq "SCHEMA STATE STATE" "$(seq_of after_ahead)" "after starting over: later runs as before"

# ---- bookmark shapes
for bad in '"xmin_horizon": "12"' '"xmin_horizon": -1' '"xmin_snapshot": 1.5' '"ctid_block": -3'; do
    echo "{\"bookmarks\": {\"$SID\": {\"last_replication_method\": \"XMIN\", \"version\": 1, $bad}}}" >"$T/bad.state"
    run_tap "$T/bad.out" "$T/bad.err" --config "$T/config.json" --catalog "$T/items.json" --state "$T/bad.state"
    assert_eq 2 "$RC" "bad bookmark $bad: exit 2"
    key=${bad%%\":*}; key=${key#\"}
    assert_contains "$T/bad.err" "stream \"$SID\": \"$key\" must be" "bad bookmark $bad: named"
    [[ ! -s $T/bad.out ]] || fail "bad bookmark: nothing written"
done

echo "all passed"
