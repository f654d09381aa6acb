# shellcheck shell=bash
# tests/integration/xmin_lib.sh: the steps the XMIN tests share. Source
# after lib.sh, with SID (the items stream's tap_stream_id) set and
# $T/items.json.all discovered.
#
#   sel ARGS...                 catalog_select.py on the discovery
#   xrun NAME [STATE] [CATALOG] one sync: $T/NAME.out, .err, .state
#   seq_of NAME                 the run's message sequence
#   bm NAME KEY [SID]           a key of a bookmark in NAME's last STATE
#   same_records NAME STREAM WHERE MSG [TABLE] [COLS]
#                               the run's records of STREAM are exactly the
#                               table's rows that satisfy WHERE, each once
#   version_of NAME             the version of the run's first record
#   next_xid                    the server's next 64-bit transaction id

sel() { python3 "$SELECT" "$T/items.json.all" "$@"; }

# xrun NAME [STATE] [CATALOG]: one sync; $T/NAME.out/.err/.state
xrun() {
    local name=$1 state=${2:-} cat=${3:-$T/items.json}
    run_tap "$T/$name.out" "$T/$name.err" --config "$T/config.json" --catalog "$cat" ${state:+--state "$state"}
    assert_ok "$T/$name.err" "$name: exit 0" >/dev/null
    python3 "$MSGS" check "$T/$name.out" >/dev/null || fail "$name: not a valid message stream"
    python3 "$MSGS" last-state "$T/$name.out" >"$T/$name.state"
}
seq_of() { python3 "$MSGS" seq "$T/$1.out"; }
# bm NAME KEY: a key of the items bookmark in NAME's last STATE (JSON)
bm() {
    python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["bookmarks"][sys.argv[2]].get(sys.argv[3], "absent")))' \
        "$T/$1.state" "${3:-$SID}" "$2"
}
# same_records NAME STREAM WHERE MSG: the run's records of STREAM are exactly
# the rows of the table (columns id,k,v,t) that satisfy WHERE, as full
# records, each once
same_records() {
    local name=$1 stream=$2 where=$3 msg=$4 table=${5:-$2} cols=${6:-id, k, v, t}
    python3 "$MSGS" records "$T/$name.out" "$stream" >"$T/$name.records"
    pg_sql -c "SELECT row_to_json(x) FROM (SELECT $cols FROM $table WHERE $where) x" >"$T/$name.want"
    python3 - "$T/$name.records" "$T/$name.want" "$msg" <<'PY' || exit 1
import json, sys
def load(p):
    return sorted((json.loads(l) for l in open(p) if l.strip()),
                  key=lambda r: json.dumps(r, sort_keys=True))
got, want = load(sys.argv[1]), load(sys.argv[2])
if got != want:
    gs = {json.dumps(r, sort_keys=True) for r in got}
    ws = {json.dumps(r, sort_keys=True) for r in want}
    print("FAIL: %s: %d records, want %d" % (sys.argv[3], len(got), len(want)), file=sys.stderr)
    for r in sorted(ws - gs)[:5]: print("  missing " + r, file=sys.stderr)
    for r in sorted(gs - ws)[:5]: print("  unexpected " + r, file=sys.stderr)
    if gs == ws: print("  duplicates among the records", file=sys.stderr)
    sys.exit(1)
print("ok - %s (%d records)" % (sys.argv[3], len(got)))
PY
}
version_of() { grep -m1 '"RECORD"' "$T/$1.out" | sed -E 's/.*"version":([0-9]+).*/\1/'; }
next_xid() { pg_sql_value "SELECT txid_snapshot_xmax(txid_current_snapshot())"; }
