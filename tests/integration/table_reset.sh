#!/usr/bin/env bash
# README's "Table-level reset", run as README writes it: the standalone
# recipe (a python3 snippet that drops one stream's bookmark, then a run
# with that state) re-sends every row of that stream and only the
# bookmark's row of the other; the Meltano recipe's snippet drops the
# bookmark inside "singer_state" and leaves the rest alone.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"

pg_sql >/dev/null <<'SQL'
CREATE TABLE orders (id integer PRIMARY KEY, updated_at timestamptz NOT NULL);
CREATE TABLE customers (id integer PRIMARY KEY, updated_at timestamptz NOT NULL);
INSERT INTO orders SELECT g, '2024-01-01'::timestamptz + g * interval '1 day' FROM generate_series(1, 3) g;
INSERT INTO customers SELECT g, '2024-01-01'::timestamptz + g * interval '1 day' FROM generate_series(1, 4) g;
GRANT SELECT ON orders, customers TO tap;
SQL
pg_config_json "$T/config.json" select='["*-public-orders", "*-public-customers"]' \
    metadata='{"*": {"replication-method": "INCREMENTAL", "replication-key": "updated_at"}}'

# block N: the Nth fenced code block of README's "Table-level reset"
block() {
    python3 - "$SRCDIR/README.md" "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
sec = text.split("\n## Table-level reset\n", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"^```\n(.*?)^```$", sec, re.S | re.M)
sys.stdout.write(blocks[int(sys.argv[2])])
PY
}

cd "$T"
mkdir bin   # tap-postgres on PATH, as README assumes (a wrapper: TAP_BIN may be one)
printf '#!/usr/bin/env bash\nexec %q "$@"\n' "$TAP_BIN" >bin/tap-postgres
chmod +x bin/tap-postgres
run_tap "$T/first.out" "$T/first.err" --config config.json
assert_ok "$T/first.err" "first sync"
python3 "$MSGS" last-state "$T/first.out" >state.json
assert_eq "3 4" "$(python3 "$MSGS" count first.out orders) $(python3 "$MSGS" count first.out customers)" "first sync: every row"

block 0 >reset.sh
grep -q 'tapdb-public-orders' reset.sh || fail "README's standalone recipe not found"
PATH=$T/bin:$PATH bash -e reset.sh 2>reset.err || { cat reset.err >&2; fail "README's standalone recipe failed"; }
pass "README's standalone recipe runs"
assert_eq "3 1" "$(python3 "$MSGS" count out.jsonl orders) $(python3 "$MSGS" count out.jsonl customers)" \
    "after the reset: orders from scratch, customers only from its bookmark (the >= row)"
python3 -c 'import json,sys; b=json.load(open("state.json"))["bookmarks"]; sys.exit("tapdb-public-orders" in b or "tapdb-public-customers" not in b)' ||
    fail "the recipe leaves the other bookmarks"
pass "the recipe drops only that stream's bookmark"

# the Meltano recipe's python part, on a state as "meltano state get" gives it
block 1 | sed -n '/^python3 - /,/^EOF$/p' >meltano.sh
python3 - "$T/first.out" <<'PY' >state.json
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]["value"]
print(json.dumps({"singer_state": last}))
PY
bash -e meltano.sh || fail "README's Meltano recipe (python part) failed"
assert_eq '["tapdb-public-customers"]' \
    "$(python3 -c 'import json; print(json.dumps(sorted(json.load(open("state.json"))["singer_state"]["bookmarks"])))')" \
    "the Meltano recipe drops the stream's bookmark inside singer_state"
