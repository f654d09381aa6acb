#!/usr/bin/env bash
# SQL injection through names and values: a schema and a table whose names
# hold quotes and a "DROP TABLE", a replication key column with quotes and
# backslashes, a text bookmark '; DROP TABLE y; --\ in the state, and a
# catalog whose schema-name, table name and column try the same. Every
# sync works (or fails cleanly), table y survives, the rows are exactly
# the ones >= the bookmark, and the server log shows each name and the
# literal properly quoted.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"

pg_sql >/dev/null <<'SQL'
CREATE TABLE public.y (id int);
INSERT INTO public.y VALUES (1);
GRANT SELECT ON public.y TO tap;
CREATE SCHEMA "we'ird""schema";
GRANT USAGE ON SCHEMA "we'ird""schema" TO tap;
CREATE TABLE "we'ird""schema"."x""; DROP TABLE y; --" (
    id int PRIMARY KEY,
    "k""ey\'s" text NOT NULL
);
INSERT INTO "we'ird""schema"."x""; DROP TABLE y; --" VALUES
    (1, '!first'),
    (2, ''''),
    (3, '''; DROP'),
    (4, '''; DROP TABLE y; --\'),
    (5, '''; DROP TABLE y; --\\'),
    (6, 'a'),
    (7, 'back\slash'),
    (8, 'z"q');
GRANT SELECT ON ALL TABLES IN SCHEMA "we'ird""schema" TO tap;
SQL

SCHEMA="we'ird\"schema"
TABLE='x"; DROP TABLE y; --'
KEY="k\"ey\\'s"
ID="tapdb-$SCHEMA-$TABLE"
y_alive() { [[ $(pg_sql_value "SELECT count(*) FROM public.y") == 1 ]] || fail "table y is gone ($1)"; pass "table y still exists ($1)"; }

# --- discovery shows the names as they are
run_tap "$T/cat.all" "$T/disc.err" --config "$T/config.json" --discover
assert_ok "$T/disc.err" "discovery"
python3 - "$T/cat.all" "$ID" "$KEY" <<'PY' || fail "discovery lists the weird stream and its key column"
import json, sys
cat = json.load(open(sys.argv[1]))
e = [s for s in cat["streams"] if s["tap_stream_id"] == sys.argv[2]]
assert len(e) == 1, [s["tap_stream_id"] for s in cat["streams"]]
assert sys.argv[3] in e[0]["schema"]["properties"]
PY
pass "discovery lists $ID"

# --- INCREMENTAL on the quoted key from the injection bookmark
python3 "$SELECT" "$T/cat.all" "$T/inc.json" "$ID:INCREMENTAL:$KEY"
python3 - "$T/state.json" "$ID" "$KEY" <<'PY'
import json, sys
json.dump({"bookmarks": {sys.argv[2]: {
    "last_replication_method": "INCREMENTAL", "replication_key": sys.argv[3],
    "version": 1, "replication_key_value": "'; DROP TABLE y; --\\"}}},
    open(sys.argv[1], "w"))
PY
run_tap "$T/inc.out" "$T/inc.err" --config "$T/config.json" --catalog "$T/inc.json" --state "$T/state.json"
assert_ok "$T/inc.err" "incremental sync from an injection bookmark"
got=$(python3 "$MSGS" records "$T/inc.out" "$TABLE" |
      python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["id"]) for l in sys.stdin))')
assert_eq "4 5 6 7 8" "$got" "exactly the rows >= the bookmark, in key order"
python3 "$MSGS" records "$T/inc.out" "$TABLE" | python3 -c '
import json, sys
keys = [json.loads(l)[sys.argv[1]] for l in sys.stdin]
assert keys == ["\x27; DROP TABLE y; --\\", "\x27; DROP TABLE y; --\\\\", "a", "back\\slash", "z\"q"], keys
' "$KEY" || fail "key values come back byte for byte"
pass "key values come back byte for byte"
assert_eq '"z\"q"' "$(python3 "$MSGS" last-state "$T/inc.out" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["bookmarks"][sys.argv[1]]["replication_key_value"]))' "$ID")" \
    "the new bookmark is the largest key"
y_alive "after the incremental sync"
# The literal: E'' form, quotes and backslashes doubled; the names: quotes doubled.
assert_contains "$PGH_LOG" "E'''; DROP TABLE y; --\\\\'" "server log: the bookmark is one properly quoted literal"
assert_contains "$PGH_LOG" "FROM \"we'ird\"\"schema\".\"x\"\"; DROP TABLE y; --\"" "server log: schema and table quoted as identifiers"
assert_contains "$PGH_LOG" "\"k\"\"ey\\'s\" >= E'" "server log: the key column quoted as an identifier"
if grep -E 'statement: .*DROP TABLE y; --[^\\"]' "$PGH_LOG" | grep -vE "(\"x\"\"; DROP TABLE y; --\"|E'''; DROP TABLE y; --\\\\\\\\')" | grep -q .; then
    fail "server log: an unquoted DROP TABLE reached the server"
fi
pass "server log: no unquoted DROP TABLE"

# --- the next run from that state: only the tie on the largest key
run_tap "$T/inc2.out" "$T/inc2.err" --config "$T/config.json" --catalog "$T/inc.json" --state <(python3 "$MSGS" last-state "$T/inc.out")
assert_ok "$T/inc2.err" "second incremental run"
assert_eq 1 "$(python3 "$MSGS" count "$T/inc2.out" "$TABLE")" "second run: only the row at the bookmark"

# --- FULL_TABLE on the same table (ctid path)
python3 "$SELECT" "$T/cat.all" "$T/full.json" "$ID:FULL_TABLE"
run_tap "$T/full.out" "$T/full.err" --config "$T/config.json" --catalog "$T/full.json"
assert_ok "$T/full.err" "full table sync of the quoted table"
assert_eq 8 "$(python3 "$MSGS" count "$T/full.out" "$TABLE")" "full table: every row"
y_alive "after the full table sync"

# --- a catalog whose names try injection: refused cleanly, nothing runs
python3 - "$T/cat.all" "$T/evil.json" <<'PY'
import copy, json, sys
cat = json.load(open(sys.argv[1]))
base = next(s for s in cat["streams"] if s["table_name"] == "y")
def root(e):
    return next(m["metadata"] for m in e["metadata"] if m["breadcrumb"] == [])
out = []
def add(tid, schema, table, col=None):
    e = copy.deepcopy(base)
    e["tap_stream_id"], e["table_name"], e["stream"] = tid, table, table
    root(e).update({"selected": True, "schema-name": schema})
    if col:
        e["schema"]["properties"][col] = {"type": ["null", "string"]}
        e["metadata"].append({"breadcrumb": ["properties", col], "metadata": {"inclusion": "available", "selected": True}})
    out.append({"streams": [e]})
add("evil-1", 'public"; DROP TABLE y; --', "y")
add("evil-2", "public", "y\"; DROP TABLE y; --")
add("evil-3", "public", "y' OR '1'='1")
add("evil-4", "public", "y", col='id" FROM public.y; DROP TABLE y; --')
for i, c in enumerate(out, 1):
    json.dump(c, open("%s.%d" % (sys.argv[2], i), "w"))
PY
for i in 1 2 3 4; do
    run_tap "$T/evil$i.out" "$T/evil$i.err" --config "$T/config.json" --catalog "$T/evil.json.$i"
    assert_eq 2 "$RC" "injection catalog $i: refused with exit 2"
    assert_contains "$T/evil$i.err" "does not exist" "injection catalog $i: says the table or column does not exist"
    if grep -q '"type":"RECORD"' "$T/evil$i.out"; then fail "injection catalog $i: records were written"; fi
done
y_alive "after the injection catalogs"
if grep -E 'ERROR: ' "$PGH_LOG" | grep -q .; then
    grep -E 'ERROR: ' "$PGH_LOG" | head -5 >&2
    fail "server log: no statement failed (names are parameters or quoted)"
fi
pass "server log: no statement failed"
assert_done
