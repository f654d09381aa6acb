#!/usr/bin/env bash
# A table larger than a quarter of shared_buffers (README, "Sync") is
# read in one sequential pass, which the server makes
# through its small ring of buffers for bulk reads, so the cache of the
# user's own queries stays as it was. A TID range scan never takes that
# ring: forced here, it fills the cache with the table, which shows the
# check can fail. With a statement_timeout the tap keeps to short range
# statements instead. Also: the resumed one-pass read, two connections,
# and XMIN's full read keep to the ring, and every run sends every row.
source "$SRCDIR/tests/harness/pg.sh"
# 16MB: 2,048 buffers; the server's ring threshold is a quarter, 512 blocks
PGH_EXTRA_CONF="shared_buffers = 16MB" pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"

pg_sql >/dev/null <<'SQL'
CREATE EXTENSION pg_buffercache;
CREATE EXTENSION pg_prewarm;
CREATE TABLE big (id integer PRIMARY KEY, v integer NOT NULL, t text NOT NULL);
INSERT INTO big SELECT g, g, repeat(md5(g::text), 3) FROM generate_series(1, 85000) g;
-- the user's working set: most of the cache
CREATE TABLE hot (id integer, t text);
INSERT INTO hot SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 80000) g;
VACUUM ANALYZE big;
VACUUM ANALYZE hot;
GRANT SELECT ON big TO tap;
SQL
nblocks=$(pg_sql_value "SELECT pg_relation_size('big') / 8192")
hot_blocks=$(pg_sql_value "SELECT pg_relation_size('hot') / 8192")
[[ $nblocks -gt 1024 ]] || fail "big must span more than one block range ($nblocks blocks)"
[[ $hot_blocks -gt 1000 ]] || fail "hot must fill most of the cache ($hot_blocks blocks)"
discover_select "$T/big.json" public.big:FULL_TABLE
discover_select "$T/xmin.json" public.big:XMIN

# cached REL: REL's blocks in the server's shared buffers
cached() {
    pg_sql_value "SELECT count(*) FROM pg_buffercache
                  WHERE relfilenode = pg_relation_filenode('$1')
                    AND reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"
}

# fresh_cache: an empty cache (a restart after a checkpoint, so nothing
# is replayed into it), then hot read into it
fresh_cache() {
    pg_sql_value "CHECKPOINT" >/dev/null
    pg_restart_immediate || fail "restart failed"
    pg_sql_value "SELECT pg_prewarm('hot')" >/dev/null
    assert_eq 0 "$(cached big)" "after a restart big is not cached"
}

# records FILE: the stream's records, sorted, without version and time
records() {
    python3 "$MSGS" records "$1" big | python3 -c '
import json, sys
print("\n".join(sorted(json.dumps(json.loads(l), sort_keys=True) for l in sys.stdin)))'
}

# table_rows [WHERE]: the table's rows in the same form
table_rows() {
    pg_sql -c "SELECT row_to_json(x) FROM (SELECT id, t, v FROM big ${1:-}) x" | python3 -c '
import json, sys
print("\n".join(sorted(json.dumps(json.loads(l), sort_keys=True) for l in sys.stdin if l.strip())))'
}

# check_ring WHAT: big took about a ring's worth of buffers (32 per
# sequential scan, more where the server gives a dirty one up rather than
# flush WAL for it; at most 128 here, while a TID range read takes all
# 1,400), and hot is still cached
check_ring() {
    local b h
    b=$(cached big)
    h=$(cached hot)
    [[ $b -le 128 ]] || fail "$1: big took $b buffers of the cache (a ring is 32)"
    [[ $h -ge $(( hot0 - 16 )) ]] || fail "$1: hot lost $(( hot0 - h )) of its $hot0 cached blocks"
    pass "$1: big took $b buffers, hot kept $h of $hot0"
}

# run_fresh NAME WHAT ARGS...: on an empty cache with hot in it, the tap
# with ARGS (stdout NAME.out, stderr NAME.err), which must succeed
run_fresh() {
    local name=$1 what=$2
    shift 2
    fresh_cache
    hot0=$(cached hot)
    run_tap "$T/$name.out" "$T/$name.err" "$@"
    assert_ok "$T/$name.err" "$what: the sync completes"
}

# same_rows NAME WHAT [WANT]: NAME's records are WANT's rows (default: the
# table's), each exactly once
same_rows() {
    records "$T/$1.out" >"$T/$1.txt"
    cmp -s "${3:-$T/want.txt}" "$T/$1.txt" || fail "$2: records differ from the table"
    pass "$2: every row, exactly once ($(wc -l <"$T/$1.txt") rows)"
}

table_rows >"$T/want.txt"

# ---- the default: one pass through the ring -----------------------------
run_fresh d default -v --config "$T/config.json" --catalog "$T/big.json"
assert_contains "$T/d.err" "INFO stream \"tapdb-public-big\": the table ($(( nblocks / 128 )) MiB) is larger than a quarter of the server's shared_buffers: it is read in one sequential pass, which the server makes through a small ring of buffers instead of its shared cache" "default: the INFO line says why"
assert_contains "$T/d.err" 'reading stream "tapdb-public-big": COPY (SELECT "id","t","v",ctid FROM "public"."big") TO STDOUT' "default: one COPY, no ctid condition"
assert_eq 1 "$(grep -c 'reading stream "tapdb-public-big": COPY' "$T/d.err")" "default: one statement reads the table"
same_rows d default
check_ring "default"

# ---- TID ranges, forced: the check above fails --------------------------
TAP_SCAN_STRATEGY=tid-ranges run_fresh r tid-ranges --config "$T/config.json" --catalog "$T/big.json"
b=$(cached big)
h=$(cached hot)
[[ $b -gt 512 ]] || fail "tid-ranges: big took only $b buffers; the ring check above proves nothing"
pass "tid-ranges (forced): big took $b buffers and hot kept $h of $hot0: what the default avoids"

# ---- a statement_timeout: short range statements --------------------------
pg_sql_value "ALTER ROLE tap SET statement_timeout = '10min'" >/dev/null
run_tap "$T/t.out" "$T/t.err" -v --config "$T/config.json" --catalog "$T/big.json"
pg_sql_value "ALTER ROLE tap RESET statement_timeout" >/dev/null
assert_ok "$T/t.err" "statement_timeout: the sync completes"
assert_contains "$T/t.err" "but a statement_timeout is set: it is read in short 8 MiB range statements" "statement_timeout: the INFO line says why"
assert_contains "$T/t.err" "WHERE ctid >= '(0,0)'::tid AND ctid < '(1024,0)'::tid) TO STDOUT" "statement_timeout: block ranges"
same_rows t statement_timeout

# ---- resuming a one-pass read: still through the ring --------------------
horizon=$(pg_sql_value "SELECT txid_snapshot_xmin(txid_current_snapshot()) % 4294967296")
cat >"$T/state.json" <<EOF
{"currently_syncing": "tapdb-public-big", "bookmarks": {"tapdb-public-big":
 {"last_replication_method": "FULL_TABLE", "version": 1700000000000,
  "ctid_block": 700, "snapshot_xmin": $horizon}}}
EOF
pg_sql >/dev/null <<'SQL'
UPDATE big SET v = -v, t = 'changed' WHERE id % 500 = 0;
INSERT INTO big SELECT g, g, 'new' FROM generate_series(100001, 100300) g;
-- a scan that prunes dead rows writes WAL, and the server's ring gives up
-- such a buffer rather than wait for a WAL flush (any sequential scan
-- does): vacuumed, the count of buffers is the ring's
VACUUM big;
SQL
run_fresh s resume -v --config "$T/config.json" --catalog "$T/big.json" --state "$T/state.json"
assert_contains "$T/s.err" "pg_catalog.tidlt(ctid, '(700,0)'::tid) AND age(xmin) <= age('$horizon'::xid)" "resume: the rows changed since, in the blocks passed, by a function call"
assert_contains "$T/s.err" "WHERE pg_catalog.tidge(ctid, '(700,0)'::tid)) TO STDOUT" "resume: the rest from block 700, by a function call"
# what a resumed run owes: every row from block 700 on, and every row
# changed since the interrupted snapshot before it
table_rows "WHERE ctid >= '(700,0)'::tid OR age(xmin) <= age('$horizon'::xid)" >"$T/swant.txt"
same_rows s "resume (the rows from block 700 on, and those changed since)" "$T/swant.txt"
check_ring "resume"
table_rows >"$T/want.txt"   # the table as it is now

# ---- two connections: big is one unit, one pass ---------------------------
pg_config_json "$T/config2.json" parallel_connections=2
run_fresh p "2 connections" --config "$T/config2.json" --catalog "$T/big.json"
assert_contains "$T/p.err" "reading database \"tapdb\" with 2 connection(s) in one snapshot" "2 connections: one snapshot"
same_rows p "2 connections"
check_ring "2 connections"

# ---- two connections with parallel_large_tables: ranges over both ----------
pg_config_json "$T/config2s.json" parallel_connections=2 parallel_large_tables=true
run_fresh ps parallel_large_tables -v --config "$T/config2s.json" --catalog "$T/big.json"
assert_contains "$T/ps.err" "and parallel_large_tables is set: it is read in 8 MiB ranges over several connections" "parallel_large_tables: the INFO line says what it costs"
assert_contains "$T/ps.err" "WHERE ctid >= '(1024,0)'::tid) TO STDOUT" "parallel_large_tables: block ranges"
same_rows ps parallel_large_tables
b=$(cached big)
[[ $b -gt 512 ]] || fail "parallel_large_tables: big took only $b buffers"
pass "parallel_large_tables: big took $b buffers of the cache, as README says"

# ---- XMIN's full read ---------------------------------------------------------
run_fresh x "XMIN (first run)" --config "$T/config.json" --catalog "$T/xmin.json"
assert_contains "$T/x.err" "is larger than a quarter of the server's shared_buffers: it is read in one sequential pass" "XMIN: one pass"
same_rows x XMIN
check_ring "XMIN"
