#!/usr/bin/env bash
# The config's "select" and "metadata" rules: a run with rules and no
# --catalog discovers, selects and syncs; --discover marks what they
# select; rules plus a --catalog, where the catalog's explicit choices
# win; "select all" (["*.*"]); rules that select nothing; no rules and no
# catalog. Each sync is compared as the full set of streams, their
# columns, keys and replication method.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"

pg_sql >/dev/null <<'SQL'
CREATE TABLE people (id integer PRIMARY KEY, name text, secret text);
CREATE TABLE orders (id integer PRIMARY KEY, total numeric(10,2),
                     note text, updated_at timestamptz NOT NULL);
CREATE TABLE tags (tag text PRIMARY KEY, hits integer);
INSERT INTO people VALUES (1, 'ada', 'x'), (2, 'bob', 'y');
INSERT INTO orders VALUES (1, 9.50, 'n', '2024-01-01T00:00:00Z'),
                          (2, 3.25, NULL, '2024-01-02T00:00:00Z');
INSERT INTO tags VALUES ('a', 1);
GRANT SELECT ON people, orders, tags TO tap;
SQL

RULES='["*-public-people", "!*-public-people.secret", "*-public-orders.total"]'
META='{"*-public-orders": {"replication-method": "INCREMENTAL", "replication-key": "updated_at"}}'
pg_config_json "$T/rules.json" select="$RULES" metadata="$META"
pg_config_json "$T/all.json" select='["*.*"]'
pg_config_json "$T/none.json" select='["*-public-nosuch"]'
pg_config_json "$T/plain.json"

# summary FILE: per stream (sorted): stream, the SCHEMA's properties, the
# key properties, the columns of every RECORD, the record count, and the
# replication method of its bookmark.
summary() {
    python3 - "$1" <<'PY'
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
streams = {}
for m in msgs:
    if m["type"] == "SCHEMA":
        streams[m["stream"]] = [",".join(m["schema"]["properties"]),
                                ",".join(m["key_properties"]), set(), 0]
    elif m["type"] == "RECORD":
        s = streams[m["stream"]]
        s[2].add(",".join(m["record"]))
        s[3] += 1
state = [m["value"] for m in msgs if m["type"] == "STATE"][-1]
methods = {k.split("-")[-1]: v.get("last_replication_method")
           for k, v in state["bookmarks"].items()}
for name in sorted(streams):
    props, keys, cols, n = streams[name]
    print(f"{name}: props={props} keys={keys} records={'|'.join(sorted(cols))} "
          f"n={n} method={methods.get(name)}")
PY
}

# 1. rules alone: discovery, rules, sync in one run
run_tap "$T/r.out" "$T/r.err" --config "$T/rules.json"
assert_ok "$T/r.err" "rules without --catalog: a sync"
python3 "$MSGS" check "$T/r.out" || fail "rules alone: not a valid message stream"
assert_eq "orders: props=id,total,updated_at keys=id records=id,total,updated_at n=2 method=INCREMENTAL
people: props=id,name keys=id records=id,name n=2 method=FULL_TABLE" \
    "$(summary "$T/r.out")" \
    "rules alone: people without secret, orders with its key, total and replication key, tags not at all"
assert_contains "$T/r.err" 'no --catalog: discovering, then syncing what the "select" rules' \
    "rules alone: says that it discovers"

# 2. --discover marks what the rules select
run_tap "$T/d.out" "$T/d.err" --config "$T/rules.json" --discover
assert_ok "$T/d.err" "discovery with rules"
assert_eq "tapdb-public-orders selected=True method=INCREMENTAL key=updated_at cols=id:False,total:True,note:False,updated_at:False
tapdb-public-people selected=True method=None key=None cols=id:True,name:True,secret:False
tapdb-public-tags selected=False method=None key=None cols=tag:False,hits:False" \
    "$(python3 - "$T/d.out" <<'PY'
import json, sys
for s in sorted(json.load(open(sys.argv[1]))["streams"], key=lambda s: s["tap_stream_id"]):
    md = {tuple(m["breadcrumb"]): m["metadata"] for m in s["metadata"]}
    root = md[()]
    cols = ",".join(f"{c}:{md[('properties', c)].get('selected')}" for c in s["schema"]["properties"])
    print(f"{s['tap_stream_id']} selected={root.get('selected')} "
          f"method={root.get('replication-method')} key={root.get('replication-key')} cols={cols}")
PY
)" "--discover with rules: selected and metadata marked per stream and column"

# 3. rules plus a catalog: the catalog's explicit choices win. The catalog
# (a plain discovery) selects tags and deselects people explicitly, and
# asks FULL_TABLE for orders; the rules select people and orders.
run_tap "$T/plain.cat" "$T/p.err" --config "$T/plain.json" --discover
assert_ok "$T/p.err" "plain discovery"
python3 - "$T/plain.cat" "$T/mixed.cat" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1]))
for s in cat["streams"]:
    root = next(m["metadata"] for m in s["metadata"] if m["breadcrumb"] == [])
    t = s["table_name"]
    if t == "tags":
        root["selected"] = True
    elif t == "people":
        root["selected"] = False
    elif t == "orders":
        root["replication-method"] = "FULL_TABLE"
json.dump(cat, open(sys.argv[2], "w"))
PY
run_tap "$T/m.out" "$T/m.err" --config "$T/rules.json" --catalog "$T/mixed.cat"
assert_ok "$T/m.err" "rules plus a catalog"
# (orders FULL_TABLE: updated_at is no replication key, so it is not sent)
assert_eq "orders: props=id,total keys=id records=id,total n=2 method=FULL_TABLE
tags: props=tag,hits keys=tag records=hits,tag n=1 method=FULL_TABLE" \
    "$(summary "$T/m.out")" \
    "rules plus a catalog: its selections and method win, the rules fill in the rest"

# 4. select all, in one line of config
run_tap "$T/a.out" "$T/a.err" --config "$T/all.json"
assert_ok "$T/a.err" 'select all (["*.*"])'
assert_eq "orders: props=id,total,note,updated_at keys=id records=id,note,total,updated_at n=2 method=FULL_TABLE
people: props=id,name,secret keys=id records=id,name,secret n=2 method=FULL_TABLE
tags: props=tag,hits keys=tag records=hits,tag n=1 method=FULL_TABLE" \
    "$(summary "$T/a.out")" 'select all: every stream, every column'

# 5. rules that select nothing, and neither rules nor a catalog
run_tap "$T/n.out" "$T/n.err" --config "$T/none.json"
assert_eq 2 "$RC" "rules that select nothing: exit 2"
assert_contains "$T/n.err" "CRITICAL config file \"$T/none.json\": the \"select\" rules choose no stream of the 3 discovered" \
    "... naming the config file and the key"
[[ -s $T/n.out ]] && fail "rules that select nothing: stdout is not empty"
run_tap "$T/x.out" "$T/x.err" --config "$T/plain.json"
assert_eq 2 "$RC" "no rules and no catalog: exit 2"
assert_contains "$T/x.err" 'CRITICAL nothing to do: give --discover to print a catalog, --catalog FILE to sync, or "select" rules' \
    "... says what to give"
