#!/usr/bin/env bash
# Message sequences: FULL_TABLE first, second and resumed runs; INCREMENTAL
# first and later runs. Compares the exact order of SCHEMA / STATE /
# ACTIVATE_VERSION / RECORD and the full STATE values (versions masked).
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_load_fixture alltypes
pg_config_json "$T/config.json"

discover_select "$T/full.json" public.composite_pk:FULL_TABLE
discover_select "$T/inc.json" public.events:INCREMENTAL:updated_at

# mask: versions are epoch milliseconds of the run
mask() { sed -E 's/"version":[0-9]{13}/"version":V/g; s/"snapshot_xmin":[0-9]+/"snapshot_xmin":X/g' "$@"; }

# --- FULL_TABLE, first run
run_tap "$T/f1.out" "$T/f1.err" --config "$T/config.json" --catalog "$T/full.json"
assert_ok "$T/f1.err" "full table first run"
python3 "$MSGS" check "$T/f1.out" >/dev/null
assert_eq "SCHEMA STATE ACTIVATE_VERSION RECORD*3 ACTIVATE_VERSION STATE" \
    "$(python3 "$MSGS" seq "$T/f1.out")" "full table first run: message sequence"
assert_eq '{"type":"STATE","value":{"bookmarks":{"tapdb-public-composite_pk":{"last_replication_method":"FULL_TABLE","version":V}},"currently_syncing":"tapdb-public-composite_pk"}}' \
    "$(grep -m1 '"STATE"' "$T/f1.out" | mask)" "full table first run: first STATE"
assert_eq '{"type":"STATE","value":{"bookmarks":{"tapdb-public-composite_pk":{"last_replication_method":"FULL_TABLE","version":V,"ctid_block":null,"snapshot_xmin":null}},"currently_syncing":null}}' \
    "$(tail -n1 "$T/f1.out" | mask)" "full table first run: final STATE"
v1=$(grep -m1 ACTIVATE_VERSION "$T/f1.out" | sed -E 's/.*"version":([0-9]+).*/\1/')
assert_eq "7" "$(grep -c "\"version\":$v1[,}]" "$T/f1.out")" "every message but SCHEMA carries the one version"
assert_eq '{"type":"RECORD","stream":"composite_pk","record":{"item_code":"a","qty":10,"tenant_id":1},"version":V,"time_extracted":"T"}' \
    "$(grep -m1 RECORD "$T/f1.out" | mask | sed -E 's/"time_extracted":"[0-9T:.-]+Z"/"time_extracted":"T"/')" \
    "full table first run: first RECORD, keys sorted"
grep RECORD "$T/f1.out" | grep -qE '"time_extracted":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"' ||
    fail "time_extracted is not YYYY-MM-DDTHH:MM:SS.ffffffZ"

# --- FULL_TABLE, second run: no leading ACTIVATE_VERSION, a new version
python3 "$MSGS" last-state "$T/f1.out" >"$T/state1.json"
sleep 0.01
run_tap "$T/f2.out" "$T/f2.err" --config "$T/config.json" --catalog "$T/full.json" --state "$T/state1.json"
assert_ok "$T/f2.err" "full table second run"
assert_eq "SCHEMA STATE RECORD*3 ACTIVATE_VERSION STATE" \
    "$(python3 "$MSGS" seq "$T/f2.out")" "full table second run: message sequence"
v2=$(grep -m1 ACTIVATE_VERSION "$T/f2.out" | sed -E 's/.*"version":([0-9]+).*/\1/')
[[ $v2 -gt $v1 ]] || fail "second run must use a new version ($v2 <= $v1)"
pass "second run has a new version"

# --- FULL_TABLE, resumed run: the interrupted version is kept
horizon=$(pg_sql_value "SELECT txid_snapshot_xmin(txid_current_snapshot()) % 4294967296")
cat >"$T/resume.json" <<JSON
{"bookmarks":{"tapdb-public-composite_pk":{"last_replication_method":"FULL_TABLE","version":1700000000000,"ctid_block":0,"snapshot_xmin":$horizon},"other-stream":{"kept":true}},"currently_syncing":"tapdb-public-composite_pk","custom_key":[1,2]}
JSON
run_tap "$T/f3.out" "$T/f3.err" --config "$T/config.json" --catalog "$T/full.json" --state "$T/resume.json"
assert_ok "$T/f3.err" "full table resumed run"
assert_eq "SCHEMA STATE RECORD*3 ACTIVATE_VERSION STATE" \
    "$(python3 "$MSGS" seq "$T/f3.out")" "full table resumed run: message sequence"
assert_eq '{"type":"ACTIVATE_VERSION","stream":"composite_pk","version":1700000000000}' \
    "$(grep ACTIVATE_VERSION "$T/f3.out")" "resumed run keeps the interrupted version"
assert_eq '{"type":"STATE","value":{"bookmarks":{"tapdb-public-composite_pk":{"last_replication_method":"FULL_TABLE","version":1700000000000,"ctid_block":null,"snapshot_xmin":null},"other-stream":{"kept":true}},"currently_syncing":null,"custom_key":[1,2]}}' \
    "$(tail -n1 "$T/f3.out")" "resumed run: final STATE carries unknown keys through"
assert_contains "$T/f3.err" "resuming full table sync of version 1700000000000 at block 0" "resume is logged"

# --- INCREMENTAL, first run
run_tap "$T/i1.out" "$T/i1.err" --config "$T/config.json" --catalog "$T/inc.json"
assert_ok "$T/i1.err" "incremental first run"
assert_eq "SCHEMA STATE ACTIVATE_VERSION RECORD*6 STATE" \
    "$(python3 "$MSGS" seq "$T/i1.out")" "incremental first run: message sequence"
assert_eq '"key_properties":["id"],"bookmark_properties":["updated_at"]}' \
    "$(head -n1 "$T/i1.out" | grep -o '"key_properties".*')" "incremental SCHEMA names its bookmark"
assert_eq '{"type":"STATE","value":{"bookmarks":{"tapdb-public-events":{"last_replication_method":"INCREMENTAL","replication_key":"updated_at","version":V,"replication_key_value":"2024-01-04T23:59:59.999999+00:00"}},"currently_syncing":null}}' \
    "$(tail -n1 "$T/i1.out" | mask)" "incremental first run: final STATE"

# --- INCREMENTAL, later run: ACTIVATE_VERSION again, same version, rows >= bookmark
python3 "$MSGS" last-state "$T/i1.out" >"$T/istate.json"
run_tap "$T/i2.out" "$T/i2.err" --config "$T/config.json" --catalog "$T/inc.json" --state "$T/istate.json"
assert_ok "$T/i2.err" "incremental second run"
assert_eq "SCHEMA STATE ACTIVATE_VERSION RECORD STATE" \
    "$(python3 "$MSGS" seq "$T/i2.out")" "incremental second run: only the boundary row again"
assert_eq "$(grep -m1 ACTIVATE_VERSION "$T/i1.out")" "$(grep -m1 ACTIVATE_VERSION "$T/i2.out")" \
    "incremental runs keep their version"
assert_done
