#!/usr/bin/env bash
# A tour of tap-postgres on a throwaway PostgreSQL with a small shop
# (samples/sample_data.sql): discovery, then a FULL_TABLE and an INCREMENTAL
# sync, a few changes, and an incremental re-run from the last STATE.
# The cluster lives in a temp dir and is removed on exit, whatever happens.
# TAP_DEMO_BUILDDIR names the build directory (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
SRCDIR=$PWD
BUILDDIR=${TAP_DEMO_BUILDDIR:-build}
TAP=$BUILDDIR/tap-postgres
[[ $TAP == /* ]] || TAP=$SRCDIR/$TAP

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
[[ -t 1 ]] || say() { printf '\n== %s\n' "$*"; }

say "dependencies and build"
# Only what the build and this demo need; the test suite's tools
# (valgrind, cppcheck, ...) come with scripts/test.sh.
bash scripts/install-deps.sh build
[[ -f $BUILDDIR/build.ninja ]] || meson setup "$BUILDDIR"
ninja -C "$BUILDDIR"

say "throwaway PostgreSQL (SSL only over TCP)"
# shellcheck source=tests/harness/pg.sh
source tests/harness/pg.sh
pg_start
echo "PostgreSQL $(pg_sql_value 'SHOW server_version') on 127.0.0.1:$PGH_PORT, data in $PGH_DIR"
pg_sql -f samples/sample_data.sql
pg_sql <<'SQL'
SELECT 'loaded: ' || string_agg(format('%s %s', n, t), ', ' ORDER BY t)
FROM (VALUES ('customers', (SELECT count(*) FROM customers)),
             ('products', (SELECT count(*) FROM products)),
             ('orders', (SELECT count(*) FROM orders)),
             ('order_items', (SELECT count(*) FROM order_items))) v(t, n);
SQL

W=$PGH_DIR/demo
mkdir -p "$W"
CFG=$W/config.json
# verify-full: the harness's CA signed a certificate for 127.0.0.1 (an IP
# address, so no name lookup can pick IPv6 first).
# The select and metadata rules (Meltano's) choose the streams: customers
# FULL_TABLE (the default), orders INCREMENTAL on updated_at.
pg_config_json "$CFG" host='"127.0.0.1"' sslmode='"verify-full"' \
    sslrootcert="\"$PGH_CA\"" application_name='"tap-postgres-demo"' \
    select='["tapdb-public-customers", "tapdb-public-orders"]' \
    metadata='{"tapdb-public-orders": {"replication-method": "INCREMENTAL", "replication-key": "updated_at"}}'
say "config ($CFG, password masked)"
sed "s/$PGH_PASSWORD/********/" "$CFG"

# Runs the tap, keeps stdout and stderr apart, never stops the demo.
run_tap() {   # run_tap NAME args...
    local name=$1; shift
    echo "\$ tap-postgres $*" | sed "s#$W/##g"
    set +e
    "$TAP" "$@" >"$W/$name.out" 2>"$W/$name.err"
    RC=$?
    set -e
    if [[ -s $W/$name.err ]]; then
        echo "-- stderr:"
        sed 's/^/   /' "$W/$name.err" | tail -n 25
    fi
    echo "-- exit status $RC"
}

say "discovery"
echo "(the select rules mark customers and orders \"selected\": true)"
run_tap discover --config "$CFG" --discover
if (( RC != 0 )) || ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$W/discover.out" 2>/dev/null; then
    echo "-- stdout:"
    head -c 4000 "$W/discover.out"
    echo
    echo "demo: discovery did not produce a catalog; stopping here." >&2
    exit 1
fi
cp "$W/discover.out" "$W/catalog.json"
# The catalog, one line per property and per metadata entry.
python3 - "$W/catalog.json" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1]))
c = lambda v: json.dumps(v, ensure_ascii=False)
print('{"streams": [')
for i, s in enumerate(cat["streams"]):
    print("  {")
    for k in ("tap_stream_id", "table_name", "stream"):
        if k in s:
            print(f'    "{k}": {c(s[k])},')
    sch = s.get("schema", {})
    print('    "schema": {' + ", ".join(f'"{k}": {c(v)}' for k, v in sch.items()
                                        if k not in ("properties", "definitions")) + ",")
    if "definitions" in sch:
        print(f'      "definitions": {{{len(sch["definitions"])} entries}},')
    print('      "properties": {')
    props = list(sch.get("properties", {}).items())
    for j, (k, v) in enumerate(props):
        print(f'        {c(k)}: {c(v)}' + ("," if j < len(props) - 1 else ""))
    print("      }},")
    print('    "metadata": [')
    md = s.get("metadata", [])
    for j, m in enumerate(md):
        print("      " + c(m) + ("," if j < len(md) - 1 else ""))
    print("    ]")
    print("  }" + ("," if i < len(cat["streams"]) - 1 else ""))
print("]}")
PY
echo "(full catalog: $W/catalog.json)"

# Summary of a run's messages: counts, first and last lines, the final STATE.
show_messages() {   # show_messages FILE STATE_OUT
    python3 - "$1" "$2" <<'PY'
import json, sys
from collections import Counter
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
counts, state = Counter(), None
for l in lines:
    m = json.loads(l)
    counts[(m.get("type"), m.get("stream", ""))] += 1
    if m.get("type") == "STATE":
        state = m["value"]
for (t, s), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1])):
    print(f"  {n:5d} {t} {s}")
cut = lambda l: l.rstrip("\n") if len(l) < 200 else l[:197] + "..."
print("-- first messages:")
for l in lines[:6]:
    print("  " + cut(l))
print("-- last messages:")
for l in lines[-4:]:
    print("  " + cut(l))
if state is not None:
    json.dump(state, open(sys.argv[2], "w"))
    print("-- last STATE value:", json.dumps(state))
PY
}

say "first sync"
echo "(no --catalog: the tap discovers, applies the config's select rules and syncs)"
run_tap sync1 --config "$CFG"
(( RC == 0 )) || { echo "demo: the first sync failed; stopping here."; exit 1; }
show_messages "$W/sync1.out" "$W/state.json"
[[ -s $W/state.json ]] || { echo "demo: no STATE from the first sync; stopping here."; exit 1; }

say "changes: two orders updated, one order added"
pg_sql <<'SQL'
UPDATE orders SET status = 'refunded', updated_at = '2025-01-15 10:00:00+00'
 WHERE id IN (5, 6);
INSERT INTO orders (customer_id, status, total, created_at, updated_at)
VALUES (7, 'new', 42.00, '2025-01-15 11:00:00+00', '2025-01-15 11:00:00+00');
SELECT format('order %s: %s, updated %s', id, status, updated_at)
  FROM orders WHERE updated_at >= '2025-01-01' ORDER BY updated_at, id;
SQL

say "second sync, from the last STATE"
cat <<'TXT'
orders is INCREMENTAL on updated_at: it reads the rows whose updated_at is
>= the bookmark, so the 3 changed rows come with the row that holds the
bookmark itself (sent again by design: a row committed later with that same
timestamp is not lost; targets upsert by key, so the repeat is harmless).
customers is FULL_TABLE: every run sends the whole table again.
TXT
run_tap sync2 --config "$CFG" --state "$W/state.json"
(( RC == 0 )) || { echo "demo: the second sync failed; stopping here."; exit 1; }
show_messages "$W/sync2.out" "$W/state2.json"
python3 - "$W/sync2.out" <<'PY'
import json, sys
ids = [m["record"]["id"] for m in map(json.loads, open(sys.argv[1], encoding="utf-8"))
       if m.get("type") == "RECORD" and m["stream"] == "orders"]
print(f"-- orders in the second sync: {len(ids)} rows, ids {', '.join(map(str, ids))}"
      " (the first one holds the bookmark)")
PY

echo
echo "demo: done. Discovery, a first sync and an incremental second sync ran"
echo "against a throwaway PostgreSQL, which is now stopped and removed."
