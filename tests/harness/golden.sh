# shellcheck shell=bash
# tests/harness/golden.sh: how the golden files are produced, in one place
# for the tests that compare them (tests/integration/discover_golden.sh,
# tests/integration/sync_values.sh) and for scripts/update-golden.sh, the
# only thing that rewrites them. Source after tests/harness/pg.sh
# (pg_start done) and tests/integration/lib.sh.
#
#   golden_fixture               loads the fixture, writes $T/config.json
#   golden_catalog OUT ERR       --discover on the fixture into OUT: what
#                                catalogs/fixture.catalog.json holds
#   GOLDEN_VALUE_TABLES          the tables of tests/expected/<name>.jsonl
#   golden_value_name TABLE      <name> for TABLE ("Mixed Case" -> Mixed_Case)
#   golden_values TABLE DIR      a FULL_TABLE sync of TABLE (run in
#                                DIR/<name>.out and .err); DIR/<name>.jsonl:
#                                its records, one per line, as the tap wrote
#                                them, ordered by key: what
#                                tests/expected/<name>.jsonl holds

GOLDEN_CATALOG=catalogs/fixture.catalog.json
GOLDEN_VALUE_TABLES=(alltypes special_values '"select"' '"Mixed Case"' 'données' no_pk)

golden_fixture() {
    pg_load_fixture alltypes
    pg_config_json "$T/config.json"
}

golden_catalog() {
    run_tap "$1" "$2" --config "$T/config.json" --discover
    assert_ok "$2" "discover exits 0"
}

golden_value_name() {
    local name=${1//\"/}
    printf '%s\n' "${name// /_}"
}

golden_values() {
    local table=$1 dir=$2 name sel
    name=$(golden_value_name "$table")
    sel=public.${table//\"/}
    discover_select "$dir/$name.json" "$sel:FULL_TABLE"
    run_tap "$dir/$name.out" "$dir/$name.err" --config "$T/config.json" --catalog "$dir/$name.json"
    assert_ok "$dir/$name.err" "sync of $sel"
    python3 "$MSGS" check "$dir/$name.out" >/dev/null ||
        fail "sync of $sel: stdout is not whole Singer messages"
    grep -q '^{"type":"SCHEMA","stream":"' "$dir/$name.out" ||
        fail "sync of $sel: no SCHEMA message"
    # one line per record, ordered by the key, exactly as the tap wrote it
    grep '"type":"RECORD"' "$dir/$name.out" |
        sed -E 's/^\{"type":"RECORD","stream":"[^"]*","record":(.*),"version":[0-9]+,"time_extracted":"[^"]*"\}$/\1/' >"$dir/$name.raw"
    python3 - "$dir/$name.raw" >"$dir/$name.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
def key(line):
    rec = json.loads(line)
    k = [rec.get(c) for c in ("id", "order", "Id", "a", "b")]
    return json.dumps(k)
for line in sorted(lines, key=key):
    print(line)
PY
}
