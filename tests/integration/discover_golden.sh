#!/usr/bin/env bash
# tests/integration/discover_golden.sh: --discover on the fixture database
# equals catalogs/fixture.catalog.json byte for byte, and the discovery
# rules hold (partitions, permissions, same-name tables, stream naming,
# filter_schemas, filter_dbs, an empty catalog).
#
# This test only compares. When discovery changes on purpose, regenerate
# the golden file with scripts/update-golden.sh [BUILDDIR] and review the
# diff by eye before committing it.
set -euo pipefail

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/harness/pg.sh
source "$SRCDIR/tests/harness/pg.sh"
pg_start
# shellcheck source=tests/integration/lib.sh
source "$SRCDIR/tests/integration/lib.sh"
# shellcheck source=tests/harness/golden.sh
source "$SRCDIR/tests/harness/golden.sh"

GOLDEN=$SRCDIR/$GOLDEN_CATALOG

golden_fixture

# --- the golden catalog ---------------------------------------------------
golden_catalog "$T/catalog.json" "$T/discover.err"
if ! diff -u "$GOLDEN" "$T/catalog.json" >"$T/golden.diff"; then
    head -n 200 "$T/golden.diff" >&2
    fail "discover output differs from $GOLDEN_CATALOG" \
         "(scripts/update-golden.sh regenerates it)"
fi
pass "discover output equals $GOLDEN_CATALOG"

n=$(grep -c 'not supported' "$T/discover.err" || true)
assert_eq 0 "$n" "no unsupported-column WARNING: every type is supported"

# check CATALOG PYTHON-ASSERTIONS: runs the assertions with `c` bound to the
# parsed catalog, `ids` to its tap_stream_ids and `entry(id)` / `root(id)`
# / `col(id, name)` to its parts; prints the failing assertion.
check() {
    python3 - "$1" "$2" <<'PY'
import json, sys
path, code = sys.argv[1], sys.argv[2]
c = json.load(open(path))
ids = [e["tap_stream_id"] for e in c["streams"]]
def entry(i):
    return next(e for e in c["streams"] if e["tap_stream_id"] == i)
def root(i):
    return next(m["metadata"] for m in entry(i)["metadata"] if m["breadcrumb"] == [])
def col(i, name):
    return next(m["metadata"] for m in entry(i)["metadata"]
                if m["breadcrumb"] == ["properties", name])
for line in code.strip().splitlines():
    line = line.strip()
    if not line:
        continue
    try:
        ok = eval(line)
    except Exception as e:
        sys.exit("error in %s: %r" % (line, e))
    if not ok:
        sys.exit("assertion failed: " + line)
PY
}

check "$T/catalog.json" '
ids == sorted(ids, key=lambda i: (root(i)["schema-name"].encode(), entry(i)["table_name"].encode()))
"tapdb-public-measurements" in ids
not any(i.startswith("tapdb-public-measurements_") for i in ids)
root("tapdb-public-measurements")["table-key-properties"] == ["id", "logdate"]
"tapdb-public-secret" not in ids
not any(i.startswith("tapdb-private-") for i in ids)
"c_hidden" not in entry("tapdb-public-partial_grant")["schema"]["properties"]
list(entry("tapdb-public-partial_grant")["schema"]["properties"]) == ["a", "b"]
"tapdb-public-same_name" in ids and "tapdb-other-same_name" in ids
entry("tapdb-public-same_name")["stream"] == "same_name" == entry("tapdb-other-same_name")["stream"]
"tapdb-public-remote_things" in ids
root("tapdb-public-events_view")["is-view"] is True
root("tapdb-public-events_mv")["is-view"] is True
root("tapdb-public-events_view")["table-key-properties"] == []
root("tapdb-public-composite_pk")["table-key-properties"] == ["tenant_id", "item_code"]
col("tapdb-public-alltypes", "c_composite") == {"sql-datatype": "pair", "inclusion": "available", "selected-by-default": True}
entry("tapdb-public-alltypes")["schema"]["properties"]["c_composite"] == {"type": ["null", "object"], "properties": {"a": {"type": ["null", "integer"], "minimum": -2147483648, "maximum": 2147483647}, "b": {"type": ["null", "string"]}}}
not any(m["metadata"].get("inclusion") == "unsupported" for e in c["streams"] for m in e["metadata"])
"$ref" not in json.dumps(c["streams"][0]["schema"]["definitions"])
col("tapdb-public-alltypes", "id")["inclusion"] == "automatic"
col("tapdb-public-alltypes", "c_bit8")["sql-datatype"] == "bit(8)"
entry("tapdb-public-composite_pk")["schema"]["properties"]["qty"]["type"] == ["integer"]
list(entry("tapdb-public-alltypes")["schema"]["definitions"])[:6] == ["sdc_recursive_integer_array", "sdc_recursive_number_array", "sdc_recursive_string_array", "sdc_recursive_boolean_array", "sdc_recursive_timestamp_array", "sdc_recursive_object_array"]
all(list(e) == ["table_name", "stream", "metadata", "tap_stream_id", "schema"] for e in c["streams"])
all(e["metadata"][0]["breadcrumb"] == [] for e in c["streams"])
all(list(root(i)) == ["table-key-properties", "schema-name", "database-name", "row-count", "is-view", "valid-replication-keys", "valid-replication-methods"] for i in ids)
' || fail "catalog rules (see the assertion above)"
pass "partitions, permissions, same-name tables, views, key order"

# --- include_schemas_in_destination_stream_name -----------------------------
pg_config_json "$T/config-inc.json" include_schemas_in_destination_stream_name='"true"'
run_tap "$T/inc.json" "$T/inc.err" --config "$T/config-inc.json" --discover
assert_ok "$T/inc.err" "discover with include_schemas_in_destination_stream_name"
check "$T/inc.json" '
entry("tapdb-public-same_name")["stream"] == "public__same_name"
entry("tapdb-other-same_name")["stream"] == "other__same_name"
entry("tapdb-public-same_name")["table_name"] == "same_name"
all(e["stream"] == root(e["tap_stream_id"])["schema-name"] + "__" + e["table_name"] for e in c["streams"])
' || fail "stream names with schemas"
pass "stream names are <schema>__<table>"

# --- filter_schemas, string and list forms ------------------------------------
pg_config_json "$T/config-fs.json" filter_schemas='"other"'
run_tap "$T/fs.json" "$T/fs.err" --config "$T/config-fs.json" --discover
assert_ok "$T/fs.err" "discover with filter_schemas as a string"
check "$T/fs.json" 'ids == ["tapdb-other-same_name"]' || fail "filter_schemas string"
pass "filter_schemas (string) keeps only schema other"

pg_config_json "$T/config-fs2.json" filter_schemas='"other, public"'
run_tap "$T/fs2.json" "$T/fs2.err" --config "$T/config-fs2.json" --discover
assert_ok "$T/fs2.err" "discover with filter_schemas listing two schemas"
cmp -s "$T/fs2.json" "$T/catalog.json" || fail "filter_schemas 'other, public' differs from the full catalog"
pass "filter_schemas 'other, public' gives the full catalog"

pg_config_json "$T/config-fs3.json" filter_schemas='["other"]'
run_tap "$T/fs3.json" "$T/fs3.err" --config "$T/config-fs3.json" --discover
assert_ok "$T/fs3.err" "discover with filter_schemas as a list"
cmp -s "$T/fs3.json" "$T/fs.json" || fail "filter_schemas list and string forms differ"
pass "filter_schemas (list) equals the string form"

# --- an empty catalog is a valid answer ---------------------------------------
pg_config_json "$T/config-empty.json" filter_schemas='"no_such_schema"'
run_tap "$T/empty.json" "$T/empty.err" --config "$T/config-empty.json" --discover
assert_ok "$T/empty.err" "discover of nothing exits 0"
check "$T/empty.json" 'c == {"streams": []}' || fail "empty catalog"
assert_contains "$T/empty.err" "WARNING no table" "an empty catalog is warned about"

# --- json_as_object -------------------------------------------------------------
pg_config_json "$T/config-obj.json" json_as_object=true
run_tap "$T/obj.json" "$T/obj.err" --config "$T/config-obj.json" --discover
assert_ok "$T/obj.err" "discover with json_as_object"
check "$T/obj.json" '
entry("tapdb-public-alltypes")["schema"]["properties"]["c_jsonb"] == {"type": ["null", "object", "array", "string", "number", "boolean"]}
entry("tapdb-public-alltypes")["schema"]["properties"]["c_jsonb_arr"]["items"] == {"$ref": "#/definitions/sdc_recursive_string_array"}
' || fail "json_as_object schemas"
pass "json_as_object changes json columns only"

# --- filter_dbs: listed databases in name order; one that cannot be opened
# is skipped with a WARNING ------------------------------------------------------
pg_sql postgres <<'SQL'
CREATE DATABASE db_b;
CREATE DATABASE db_closed;
REVOKE CONNECT ON DATABASE db_closed FROM PUBLIC;
SQL
pg_sql db_b <<'SQL'
CREATE TABLE public.b_table (id integer PRIMARY KEY);
GRANT SELECT ON public.b_table TO tap;
SQL
pg_config_json "$T/config-dbs.json" filter_dbs='"tapdb,db_closed,db_b,no_such_db"'
run_tap "$T/dbs.json" "$T/dbs.err" --config "$T/config-dbs.json" --discover
assert_ok "$T/dbs.err" "discover with filter_dbs"
check "$T/dbs.json" '
ids[0] == "db_b-public-b_table"
root("db_b-public-b_table")["database-name"] == "db_b"
ids[1:] == [e["tap_stream_id"] for e in json.load(open(sys.argv[1].replace("dbs.json", "catalog.json")))["streams"]]
' || fail "filter_dbs catalog"
assert_contains "$T/dbs.err" 'database "db_closed" of "filter_dbs" is left out' \
    "a database without CONNECT is skipped with a WARNING"
assert_contains "$T/dbs.err" 'database "no_such_db" of "filter_dbs" is left out' \
    "a missing database is skipped with a WARNING"
pass "filter_dbs discovers each listed database"

assert_done
