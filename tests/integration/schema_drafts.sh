#!/usr/bin/env bash
# tests/integration/schema_drafts.sh: every SCHEMA the tap writes for the
# every-type fixtures (tests/fixtures/alltypes.sql and exttypes.sql, with
# and without json_as_object) is a valid JSON Schema under draft 4 and
# under draft 7, no $ref in it reaches itself, and every RECORD validates
# against its stream's schema under both drafts, numbers read as decimals
# (as strict targets read them). Debian's python3-jsonschema does the
# validating. The checker is first shown to catch each kind of fault.
set -euo pipefail

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/harness/pg.sh
source "$SRCDIR/tests/harness/pg.sh"
pg_start
# shellcheck source=tests/integration/lib.sh
source "$SRCDIR/tests/integration/lib.sh"

python3 -c 'import jsonschema' 2>/dev/null ||
    fail "python3-jsonschema is missing (scripts/install-deps.sh installs it)"

pg_load_fixture alltypes
pg_sql postgres -c 'CREATE DATABASE extdb'
pg_load_fixture exttypes extdb

cat >"$T/check.py" <<'PY'
"""check.py OUT...: the SCHEMA and RECORD messages of each tap output."""
import json
import sys
from decimal import Decimal

from jsonschema import Draft4Validator, Draft7Validator


def refs(node, found):
    """Every $ref string under node."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                found.append(v)
            else:
                refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)
    return found


def self_reaching(schema):
    """The $refs (within the document) from which the same $ref is reached
    again: following a reference into a definition and, from there, every
    reference it holds."""
    def target(ref):
        if not ref.startswith("#/"):
            raise ValueError("reference out of the document: " + ref)
        node = schema
        for part in ref[2:].split("/"):
            node = node[part]
        return node

    bad = []
    for start in set(refs(schema, [])):
        seen, todo = set(), [start]
        while todo:
            ref = todo.pop()
            for nxt in refs(target(ref), []):
                if nxt == start:
                    bad.append(start)
                    todo = []
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    return sorted(set(bad))


def check(paths):
    problems, nschemas, nrecords = [], 0, 0
    for path in paths:
        schemas = {}
        for line in open(path, encoding="utf-8"):
            m = json.loads(line, parse_float=Decimal)
            if m["type"] == "SCHEMA":
                s = m["schema"]
                nschemas += 1
                for v in (Draft4Validator, Draft7Validator):
                    try:
                        v.check_schema(s)
                    except Exception as e:
                        problems.append("%s: SCHEMA of %s is not a valid %s schema: %s"
                                        % (path, m["stream"], v.__name__, str(e).splitlines()[0]))
                loops = self_reaching(s)
                if loops:
                    problems.append("%s: SCHEMA of %s: $ref reaching itself: %s"
                                    % (path, m["stream"], loops))
                schemas[m["stream"]] = (Draft4Validator(s), Draft7Validator(s))
            elif m["type"] == "RECORD":
                nrecords += 1
                for v in schemas[m["stream"]]:
                    for e in v.iter_errors(m["record"]):
                        problems.append("%s: RECORD of %s fails %s at %s: %s"
                                        % (path, m["stream"], type(v).__name__,
                                           "/".join(map(str, e.absolute_path)), e.message))
    return problems, nschemas, nrecords


if __name__ == "__main__":
    problems, nschemas, nrecords = check(sys.argv[1:])
    for p in problems[:30]:
        print(p)
    if problems:
        sys.exit("%d problems" % len(problems))
    print("%d schemas, %d records" % (nschemas, nrecords))
PY

# --- the checker catches what it must --------------------------------------
# SIO's exclusiveMaximum: true (draft 7 reads it as "maximum 1"), a
# recursive array definition, a value beyond numeric(5,2)'s bound.
cat >"$T/bad1.out" <<'EOF'
{"type":"SCHEMA","stream":"s","schema":{"type":"object","properties":{"n":{"type":["null","number"],"exclusiveMaximum":true,"maximum":1000,"multipleOf":0.01}}},"key_properties":[]}
{"type":"RECORD","stream":"s","record":{"n":1.98}}
EOF
cat >"$T/bad2.out" <<'EOF'
{"type":"SCHEMA","stream":"s","schema":{"type":"object","properties":{"a":{"type":["null","array"],"items":{"$ref":"#/definitions/d"}}},"definitions":{"d":{"type":["null","integer","array"],"items":{"$ref":"#/definitions/d"}}}},"key_properties":[]}
EOF
cat >"$T/bad3.out" <<'EOF'
{"type":"SCHEMA","stream":"s","schema":{"type":"object","properties":{"n":{"type":["null","number"],"maximum":999.99,"multipleOf":0.01,"minimum":-999.99}}},"key_properties":[]}
{"type":"RECORD","stream":"s","record":{"n":999.99}}
{"type":"RECORD","stream":"s","record":{"n":1000.00}}
{"type":"RECORD","stream":"s","record":{"n":1.005}}
EOF
for i in 1 2 3; do
    if python3 "$T/check.py" "$T/bad$i.out" >"$T/bad$i.txt" 2>&1; then
        cat "$T/bad$i.txt" >&2
        fail "the checker accepts bad$i"
    fi
done
grep -q 'fails Draft7Validator' "$T/bad1.txt" || fail "draft 7 reading of exclusiveMaximum: true not caught"
grep -q 'reaching itself' "$T/bad2.txt" || fail "recursive \$ref not caught"
n=$(grep -c 'RECORD of s fails' "$T/bad3.txt" || true)
assert_eq 4 "$n" "the checker rejects 1000.00 and 1.005 for numeric(5,2) under both drafts"

# --- the tap's schemas and records ---------------------------------------------
# sync_all DB NAME [key=value...]: discover DB, select every stream that
# can be read (the fixture's foreign table points nowhere), sync to NAME.out
sync_all() {
    local db=$1 name=$2
    shift 2
    pg_config_json "$T/$name.json" dbname="\"$db\"" "$@"
    run_tap "$T/$name.catalog" "$T/$name.derr" --config "$T/$name.json" --discover
    assert_ok "$T/$name.derr" "discover $db ($name)"
    python3 - "$T/$name.catalog" "$T/$name.selected" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for e in c["streams"]:
    if e["table_name"] == "remote_things":
        continue
    root = next(m["metadata"] for m in e["metadata"] if m["breadcrumb"] == [])
    root["selected"] = True
    root["replication-method"] = "FULL_TABLE"
json.dump(c, open(sys.argv[2], "w"))
PY
    run_tap "$T/$name.out" "$T/$name.err" --config "$T/$name.json" --catalog "$T/$name.selected"
    assert_ok "$T/$name.err" "sync every stream of $db ($name)"
}

sync_all tapdb alltypes
sync_all tapdb alltypes_obj json_as_object=true
sync_all extdb exttypes
sync_all extdb exttypes_obj json_as_object=true

for name in alltypes alltypes_obj exttypes exttypes_obj; do
    if ! python3 "$T/check.py" "$T/$name.out" >"$T/$name.check" 2>&1; then
        cat "$T/$name.check" >&2
        fail "$name: schemas or records are not valid under draft 4 and draft 7"
    fi
    pass "$name: $(tail -n 1 "$T/$name.check") valid under draft 4 and draft 7, no recursive \$ref"
done

# numbers at numeric(p,s)'s exact bounds are inside the schema
grep -q '"maximum":9999999999.99' "$T/alltypes.out" ||
    fail "numeric(12,2)'s SCHEMA does not state its exact maximum"
pass "numeric bounds are the exact largest values"

echo "# all schema draft checks passed"
