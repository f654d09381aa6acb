#!/usr/bin/env bash
# A column's type changed between discovery and sync: one WARNING naming
# the column, its old and its new type; the SCHEMA message describes the
# column as discovery of the new type would, and the values follow the new
# type.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"

pg_sql >/dev/null <<'SQL'
CREATE TABLE tc (id integer PRIMARY KEY, n integer, m integer NOT NULL, keep text);
INSERT INTO tc SELECT g, g * 10, g, 'k' || g FROM generate_series(1, 50) g;
GRANT SELECT ON tc TO tap;
SQL
discover_select "$T/cat.json" public.tc
pg_sql >/dev/null <<'SQL'
ALTER TABLE tc ALTER COLUMN n TYPE text USING 'n=' || n;
ALTER TABLE tc ALTER COLUMN m TYPE numeric(8,2) USING m + 0.25;
SQL
# what discovery says about the new types
run_tap "$T/new.all" "$T/new.err" --config "$T/config.json" --discover
assert_ok "$T/new.err" "discovery after the change"

run_tap "$T/s.out" "$T/s.err" --config "$T/config.json" --catalog "$T/cat.json"
assert_ok "$T/s.err" "the sync completes"
assert_contains "$T/s.err" 'WARNING stream "tapdb-public-tc": column "n" was "integer" at discovery and is "text" now' \
    "a WARNING names column n and its new type"
assert_contains "$T/s.err" 'WARNING stream "tapdb-public-tc": column "m" was "integer" at discovery and is "numeric" now' \
    "a WARNING names column m and its new type"
[[ $(grep -c '^WARNING .*at discovery and is' "$T/s.err") -eq 2 ]] || fail "one WARNING per changed column"

python3 - "$T/s.out" "$T/new.all" <<'PY'
import json, sys
from decimal import Decimal
msgs = [json.loads(l) for l in open(sys.argv[1])]
cat = json.load(open(sys.argv[2]))
want = next(s for s in cat["streams"] if s["tap_stream_id"] == "tapdb-public-tc")["schema"]["properties"]
schema = next(m for m in msgs if m["type"] == "SCHEMA")["schema"]["properties"]
for col in ("n", "m", "id", "keep"):
    if schema[col] != want[col]:
        sys.exit("SCHEMA property %s is %s, discovery of the live table says %s"
                 % (col, json.dumps(schema[col]), json.dumps(want[col])))
recs = [json.loads(l, parse_float=Decimal)["record"]
        for l in open(sys.argv[1]) if '"RECORD"' in l]
if len(recs) != 50:
    sys.exit("%d records, want 50" % len(recs))
for r in recs:
    if r["n"] != "n=%d" % (r["id"] * 10):
        sys.exit("n of row %d is %r, want the new text value" % (r["id"], r["n"]))
    if r["m"] != Decimal(r["id"]) + Decimal("0.25"):
        sys.exit("m of row %d is %r, want the new numeric value" % (r["id"], r["m"]))
print("SCHEMA: n %s, m %s" % (json.dumps(schema["n"]), json.dumps(schema["m"])))
PY
pass "the SCHEMA and the values follow the new types"
assert_done
