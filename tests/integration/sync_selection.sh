#!/usr/bin/env bash
# Column selection, automatic columns, views with and without
# view-key-properties, schema-qualified stream names, SIO state files.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_load_fixture alltypes
pg_config_json "$T/config.json"

keys_of() { python3 "$MSGS" records "$1" "$2" | python3 -c 'import json,sys; print(",".join(json.loads(sys.stdin.readline())))'; }
schema_of() { grep -m1 "\"SCHEMA\",\"stream\":\"$2\"" "$1" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(",".join(m["schema"]["properties"]), "|", json.dumps(m["key_properties"]))'; }

# deselecting a key column has no effect (automatic), others disappear
discover_select "$T/c.json" public.composite_pk --deselect public.composite_pk.tenant_id --deselect public.composite_pk.qty
run_tap "$T/c.out" "$T/c.err" --config "$T/config.json" --catalog "$T/c.json"
assert_ok "$T/c.err" "sync with deselected columns"
assert_eq "item_code,tenant_id" "$(keys_of "$T/c.out" composite_pk)" "deselected column absent, automatic column present"
assert_eq 'tenant_id,item_code | ["tenant_id", "item_code"]' "$(schema_of "$T/c.out" composite_pk)" "SCHEMA lists the emitted columns and the keys"

# a view without keys, and with view-key-properties
discover_select "$T/v.json" public.events_view
run_tap "$T/v.out" "$T/v.err" --config "$T/config.json" --catalog "$T/v.json"
assert_ok "$T/v.err" "view without keys"
assert_eq "[]" "$(schema_of "$T/v.out" events_view | sed 's/.*| //')" "view without view-key-properties has no keys"
discover_select "$T/vk.json" public.events_view --view-keys public.events_view=id
run_tap "$T/vk.out" "$T/vk.err" --config "$T/config.json" --catalog "$T/vk.json"
assert_ok "$T/vk.err" "view with keys"
assert_eq '["id"]' "$(schema_of "$T/vk.out" events_view | sed 's/.*| //')" "view-key-properties become key_properties"
assert_eq "SCHEMA STATE ACTIVATE_VERSION RECORD*6 ACTIVATE_VERSION STATE" "$(python3 "$MSGS" seq "$T/vk.out")" "view full table sequence"
grep -q ctid_block "$T/vk.out" && fail "a view has no block bookmark"
pass "views carry no block bookmark"

# the materialized view and the partitioned parent sync whole
discover_select "$T/p.json" public.measurements public.events_mv
run_tap "$T/p.out" "$T/p.err" --config "$T/config.json" --catalog "$T/p.json"
assert_ok "$T/p.err" "partitioned table and materialized view"
assert_eq "$(pg_sql_value 'SELECT count(*) FROM measurements')" "$(python3 "$MSGS" count "$T/p.out" measurements)" "partitioned parent: every row of every partition"

# schema in the stream name
pg_config_json "$T/config2.json" include_schemas_in_destination_stream_name=true
cp "$T/config.json" "$T/config.keep"; cp "$T/config2.json" "$T/config.json"
discover_select "$T/s.json" public.same_name other.same_name
run_tap "$T/s.out" "$T/s.err" --config "$T/config.json" --catalog "$T/s.json"
assert_ok "$T/s.err" "two tables of the same name"
assert_eq "1 2" "$(python3 "$MSGS" count "$T/s.out" public__same_name) $(python3 "$MSGS" count "$T/s.out" other__same_name)" "<schema>__<table> stream names keep them apart"
cp "$T/config.keep" "$T/config.json"

# a state written by singer-io/tap-postgres
discover_select "$T/sio.json" public.events:INCREMENTAL:updated_at public.composite_pk:FULL_TABLE
cat >"$T/sio-state.json" <<'JSON'
{"bookmarks": {"tapdb-public-events": {"last_replication_method": "INCREMENTAL", "replication_key": "updated_at", "version": 1600000000000, "replication_key_value": "2024-01-03T08:00:00+00:00"},
               "tapdb-public-composite_pk": {"last_replication_method": "FULL_TABLE", "version": 1600000000001, "xmin": 742}},
 "currently_syncing": "tapdb-public-composite_pk"}
JSON
run_tap "$T/sio.out" "$T/sio.err" --config "$T/config.json" --catalog "$T/sio.json" --state "$T/sio-state.json"
assert_ok "$T/sio.err" "SIO state accepted"
assert_eq "composite_pk" "$(grep -m1 '"SCHEMA"' "$T/sio.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stream"])')" "currently_syncing goes first"
assert_contains "$T/sio.err" 'holds an "xmin" bookmark from singer-io/tap-postgres' "SIO xmin bookmark: WARNING"
assert_eq 3 "$(python3 "$MSGS" count "$T/sio.out" composite_pk)" "SIO xmin bookmark: the stream restarts whole"
assert_eq 4 "$(python3 "$MSGS" count "$T/sio.out" events)" "SIO incremental bookmark resumes (>=)"
grep '"ACTIVATE_VERSION","stream":"events"' "$T/sio.out" | grep -q 1600000000000 || fail "SIO version kept for incremental"
pass "SIO incremental version kept"
python3 "$MSGS" last-state "$T/sio.out" | grep -q '"xmin"' && fail "the SIO xmin bookmark is dropped"
pass "SIO xmin bookmark replaced"

# the example catalog in catalogs/ stays valid
run_tap "$T/ex.out" "$T/ex.err" --config "$T/config.json" --catalog "$SRCDIR/catalogs/example.selected.json"
assert_ok "$T/ex.err" "catalogs/example.selected.json syncs"
assert_eq "composite_pk events events_view" "$(grep '"SCHEMA"' "$T/ex.out" | python3 -c 'import json,sys; print(" ".join(json.loads(l)["stream"] for l in sys.stdin))')" "example catalog: its three streams, by tap_stream_id"
assert_done
