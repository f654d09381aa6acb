#!/usr/bin/env bash
# tests/integration/types_extension.sh: PostGIS, an extension's own types
# (made the way pgvector makes them), composite types and a domain over
# one (tests/fixtures/exttypes.sql).
#
# - discovery lists no unsupported column and no extension table, unless
#   include_extension_tables; its catalog equals
#   tests/expected/exttypes.catalog.json;
# - the RECORDs equal tests/expected/exttypes_<table>.jsonl;
# - every geometry and geography value equals the server's own GeoJSON of
#   it, and reads back (ST_GeomFromGeoJSON) to the same coordinates and
#   SRID; with json_as_object they are objects;
# - a catalog that names an extension's table syncs it.
# UPDATE_GOLDEN=1 rewrites the golden files (review the diff!).
set -euo pipefail

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/harness/pg.sh
source "$SRCDIR/tests/harness/pg.sh"
pg_start
# shellcheck source=tests/integration/lib.sh
source "$SRCDIR/tests/integration/lib.sh"

pg_sql postgres -c 'CREATE DATABASE extdb'
pg_load_fixture exttypes extdb
pg_config_json "$T/config.json" dbname='"extdb"'

golden() { # NAME FILE: FILE equals tests/expected/NAME
    local want=$SRCDIR/tests/expected/$1
    if [[ ${UPDATE_GOLDEN:-0} == 1 ]]; then
        cp "$2" "$want"
        echo "# updated $want"
    fi
    if ! diff -u "$want" "$2" >"$T/golden.diff"; then
        head -n 80 "$T/golden.diff" >&2
        fail "$1 differs from tests/expected/$1 (UPDATE_GOLDEN=1 regenerates it)"
    fi
    pass "$1 equals tests/expected/$1"
}

# select CATALOG_IN CATALOG_OUT ID...: those streams selected, FULL_TABLE
select_streams() {
    python3 - "$@" <<'PY'
import json, sys
src, dst, *ids = sys.argv[1:]
c = json.load(open(src))
found = set()
for e in c["streams"]:
    if e["tap_stream_id"] in ids:
        found.add(e["tap_stream_id"])
        root = next(m["metadata"] for m in e["metadata"] if m["breadcrumb"] == [])
        root["selected"] = True
        root["replication-method"] = "FULL_TABLE"
missing = set(ids) - found
if missing:
    sys.exit("select: no stream %s" % sorted(missing))
json.dump(c, open(dst, "w"), indent=2)
PY
}

# --- discovery ---------------------------------------------------------------
run_tap "$T/catalog.json" "$T/discover.err" --config "$T/config.json" --discover
assert_ok "$T/discover.err" "discover extdb"
golden exttypes.catalog.json "$T/catalog.json"
if grep -q 'not supported' "$T/discover.err"; then
    fail "discovery warned about an unsupported column: $(grep 'not supported' "$T/discover.err")"
fi

python3 - "$T/catalog.json" <<'PY' || fail "discovery of extension and composite types"
import json, sys
c = json.load(open(sys.argv[1]))
ids = sorted(e["tap_stream_id"] for e in c["streams"])
assert ids == ["extdb-public-embeddings", "extdb-public-people", "extdb-public-shapes"], ids
def entry(i):
    return next(e for e in c["streams"] if e["tap_stream_id"] == i)
def col(i, name):
    return next(m["metadata"] for m in entry(i)["metadata"] if m["breadcrumb"] == ["properties", name])
for e in c["streams"]:
    for m in e["metadata"][1:]:
        assert m["metadata"]["inclusion"] != "unsupported", (e["tap_stream_id"], m)
        assert m["metadata"]["selected-by-default"] is True, (e["tap_stream_id"], m)
props = entry("extdb-public-shapes")["schema"]["properties"]
assert props["g"] == {"type": ["null", "string"]}, props["g"]
assert props["geog"] == {"type": ["null", "string"]}, props["geog"]
assert col("extdb-public-shapes", "g")["sql-datatype"] == "gis.geometry"
assert col("extdb-public-shapes", "g_arr")["sql-datatype"] == "gis.geometry[]"
emb = entry("extdb-public-embeddings")["schema"]["properties"]
assert emb["emb"] == {"type": ["null", "array"], "items": {"type": "number"}}, emb["emb"]
assert emb["half"] == emb["emb"]
assert emb["sparse"] == {"type": ["null", "string"]}
assert emb["other"] == {"type": ["null", "string"]}
assert col("extdb-public-embeddings", "other")["sql-datatype"] == "vec.blob"
pp = entry("extdb-public-people")["schema"]["properties"]
assert pp["p"]["type"] == ["null", "object"]
assert list(pp["p"]["properties"]) == ["name", "home", "scores", "emb", "doc"]
assert list(pp["p"]["properties"]["home"]["properties"]) == ["street", "zip", "at", "tags", "loc"]
assert pp["pd"] == pp["p"], "a domain over a composite is the composite"
assert pp["one_addr"]["type"] == ["object"], "NOT NULL composite"
assert pp["addrs"]["items"]["type"] == ["null", "object", "array"]
assert "$ref" not in json.dumps(pp["p"]) and "$ref" not in json.dumps(pp["addrs"])
PY
pass "no unsupported column; vectors, composites, the domain and PostGIS typed"

pg_config_json "$T/config-ext.json" dbname='"extdb"' include_extension_tables=true
run_tap "$T/catalog-ext.json" "$T/discover-ext.err" --config "$T/config-ext.json" --discover
assert_ok "$T/discover-ext.err" "discover extdb with include_extension_tables"
python3 - "$T/catalog-ext.json" <<'PY' || fail "include_extension_tables"
import json, sys
ids = sorted(e["tap_stream_id"] for e in json.load(open(sys.argv[1]))["streams"])
want = ["extdb-gis-geography_columns", "extdb-gis-geometry_columns",
        "extdb-gis-spatial_ref_sys", "extdb-public-embeddings",
        "extdb-public-people", "extdb-public-shapes", "extdb-vec-ext_settings"]
assert ids == want, ids
PY
pass "include_extension_tables lists spatial_ref_sys, geometry_columns, geography_columns, ext_settings"

# --- records -----------------------------------------------------------------
# records OUT TABLE: the RECORDs of stream TABLE in OUT, exactly as the
# tap wrote them, one per line, by id
records() {
    python3 - "$1" "$2" <<'PY'
import json, re, sys
out, table = sys.argv[1:]
shape = re.compile(r'^\{"type":"RECORD","stream":"([^"]*)","record":(.*),'
                   r'"version":[0-9]+,"time_extracted":"[^"]*"\}$')
recs = []
for line in open(out, encoding="utf-8"):
    m = shape.match(line.rstrip("\n"))
    if m and m.group(1) == table:
        recs.append(m.group(2))
recs.sort(key=lambda r: json.loads(r)["id"])
print("\n".join(recs))
PY
}

ids=(extdb-public-shapes extdb-public-embeddings extdb-public-people)
select_streams "$T/catalog.json" "$T/selected.json" "${ids[@]}"
run_tap "$T/sync.out" "$T/sync.err" --config "$T/config.json" --catalog "$T/selected.json"
assert_ok "$T/sync.err" "sync of shapes, embeddings, people"
python3 "$MSGS" check "$T/sync.out" >/dev/null
for t in shapes embeddings people; do
    records "$T/sync.out" "$t" >"$T/$t.jsonl"
    golden "exttypes_$t.jsonl" "$T/$t.jsonl"
done

# INCREMENTAL reads the same values through the same SELECT list
python3 - "$T/selected.json" "$T/selected-inc.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["streams"] = [e for e in c["streams"] if e["tap_stream_id"] == "extdb-public-shapes"]
root = next(m["metadata"] for m in c["streams"][0]["metadata"] if m["breadcrumb"] == [])
root["replication-method"] = "INCREMENTAL"
root["replication-key"] = "id"
json.dump(c, open(sys.argv[2], "w"))
PY
run_tap "$T/inc.out" "$T/inc.err" --config "$T/config.json" --catalog "$T/selected-inc.json"
assert_ok "$T/inc.err" "INCREMENTAL sync of shapes"
assert_contains "$T/inc.out" '"replication_key_value":20' "INCREMENTAL bookmark on id"
records "$T/inc.out" shapes >"$T/shapes-inc.jsonl"
cmp -s "$T/shapes.jsonl" "$T/shapes-inc.jsonl" ||
    { diff "$T/shapes.jsonl" "$T/shapes-inc.jsonl" | head -5 >&2; fail "INCREMENTAL records of shapes differ from FULL_TABLE's"; }
pass "INCREMENTAL renders PostGIS values as FULL_TABLE does"

# --- geometry values against the server ----------------------------------------
# Every value: the server's own GeoJSON of it (geography as geometry, so
# that a SRID other than 4326 is named), EWKT where GeoJSON cannot express
# it, and read back by the server to the same coordinates and SRID (M
# values aside: GeoJSON has none).
geo_cols=(g g_pt4326 g_ls3857 g_polyz g_ptm g_mpzm geog geog_pt)
python3 - "$T/shapes.jsonl" "${geo_cols[@]}" >"$T/geo.tsv" <<'PY'
import json, sys
path, *cols = sys.argv[1:]
for line in open(path):
    r = json.loads(line)
    for c in cols:
        v = r[c]
        text = "\\N" if v is None else v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        print("%d\t%s\t%s" % (r["id"], c, text))
PY
pg_sql extdb -c 'CREATE TABLE public.got (id integer, col text, v text)'
pg_sql extdb -c "\\copy public.got FROM '$T/geo.tsv'"
checks=""
for c in "${geo_cols[@]}"; do
    [[ $c == geog* ]] && src="gis.geometry(s.$c)" || src="s.$c"
    checks+="
SELECT s.id, '$c' AS col, g.v,
       CASE WHEN gis.st_hasarc($src) OR gis.geometrytype($src) LIKE 'POLYHEDRALSURFACE%'
                 OR (gis.geometrytype($src) LIKE 'GEOMETRYCOLLECTION%' AND gis.st_astext($src) LIKE '%POLYHEDRALSURFACE%')
            THEN gis.st_asewkt($src, 1000)
            ELSE gis.st_asgeojson($src, 1000, 8) END AS server,
       $src AS orig
  FROM public.shapes s JOIN public.got g ON g.id = s.id AND g.col = '$c'
UNION ALL"
done
checks=${checks%UNION ALL}
pg_sql extdb >"$T/geo.bad" <<SQL
WITH v AS ($checks)
SELECT id, col, v, server FROM v
 WHERE v IS DISTINCT FROM server
    OR (v LIKE '{%' AND NOT gis.st_isempty(orig) AND (
        gis.st_asbinary(gis.st_geomfromgeojson(v)) <>
        gis.st_asbinary(CASE gis.st_zmflag(orig) WHEN 1 THEN gis.st_force2d(orig)
                                                 WHEN 3 THEN gis.st_force3dz(orig)
                                                 ELSE orig END)
        OR gis.st_srid(gis.st_geomfromgeojson(v)) <>
           CASE WHEN gis.st_srid(orig) = 0 THEN 4326 ELSE gis.st_srid(orig) END))
    OR (v NOT LIKE '{%' AND gis.st_asewkb(gis.st_geomfromewkt(v)) <> gis.st_asewkb(orig));
SQL
if [[ -s $T/geo.bad ]]; then
    cat "$T/geo.bad" >&2
    fail "geometry values differ from the server's rendering or do not read back exactly"
fi
n=$(pg_sql_value extdb "SELECT count(*) FROM public.got WHERE v IS NOT NULL")
(( n >= 40 )) || fail "only $n geometry values were compared"
pass "$n geometry and geography values equal the server's GeoJSON and read back exactly"

python3 - "$T/shapes.jsonl" <<'PY' || fail "geometry spot checks"
import json, sys
r = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[1])}
assert r[4]["g"] == '{"type":"Point","crs":{"type":"name","properties":{"name":"EPSG:2154"}},"coordinates":[0.000012345678901234568,6543210.987654321]}', r[4]["g"]
assert r[2]["g"] == '{"type":"Point","coordinates":[-122.41941550000001,37.7749295]}', r[2]["g"]
assert r[1]["geog"].find('"EPSG:4269"') > 0, r[1]["geog"]
assert r[17]["g"] == "CIRCULARSTRING(0 0,1 1,2 0)", r[17]["g"]
assert r[20]["g"] is None
assert r[3]["g_arr"] == ['{"type":"Point","coordinates":[1,2]}', None,
                         '{"type":"LineString","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"coordinates":[[0,0],[1,1]]}'], r[3]["g_arr"]
assert r[1]["g_arr"] == [] and r[2]["g_arr"] is None
PY
pass "SRIDs kept, coordinates exact, curves as EWKT, arrays in order"

# --- json_as_object ------------------------------------------------------------
pg_config_json "$T/config-obj.json" dbname='"extdb"' json_as_object=true
run_tap "$T/catalog-obj.json" "$T/discover-obj.err" --config "$T/config-obj.json" --discover
assert_ok "$T/discover-obj.err" "discover with json_as_object"
select_streams "$T/catalog-obj.json" "$T/selected-obj.json" extdb-public-shapes extdb-public-people
run_tap "$T/obj.out" "$T/obj.err" --config "$T/config-obj.json" --catalog "$T/selected-obj.json"
assert_ok "$T/obj.err" "sync with json_as_object"
python3 - "$T/obj.out" "$T/shapes.jsonl" <<'PY' || fail "json_as_object values"
import json, sys
recs = {}
schemas = {}
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["type"] == "RECORD":
        recs[(m["stream"], m["record"]["id"])] = m["record"]
    elif m["type"] == "SCHEMA":
        schemas[m["stream"]] = m["schema"]
strings = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[2])}
sp = schemas["shapes"]["properties"]
assert sp["g"] == {"type": ["null", "object", "string"]}, sp["g"]
assert sp["g_pt4326"] == {"type": ["null", "object"]}, sp["g_pt4326"]
assert sp["geog"] == {"type": ["null", "object"]}, sp["geog"]
for i, s in strings.items():
    o = recs[("shapes", i)]
    for c in ("g", "g_pt4326", "geog", "g_mpzm"):
        if s[c] is None:
            assert o[c] is None
        elif s[c].startswith("{"):
            assert o[c] == json.loads(s[c]), (i, c, o[c])
        else:
            assert o[c] == s[c], (i, c, o[c])
    assert o["g_arr"] == s["g_arr"], "array elements stay strings"
p = recs[("people", 1)]["p"]
assert p["doc"] == {"k": [1, "x"]}, p["doc"]
assert p["home"]["loc"] == "0101000020E6100000000000000000F03F0000000000000040", p["home"]["loc"]
PY
pass "json_as_object: GeoJSON objects (EWKT strings for curves), composite json fields as values"

# --- a catalog naming an extension's table syncs it ------------------------------
select_streams "$T/catalog-ext.json" "$T/selected-ext.json" extdb-gis-spatial_ref_sys
run_tap "$T/srs.out" "$T/srs.err" --config "$T/config.json" --catalog "$T/selected-ext.json"
assert_ok "$T/srs.err" "sync of gis.spatial_ref_sys named by a catalog"
got=$(grep -c '"type":"RECORD"' "$T/srs.out" || true)
want=$(pg_sql_value extdb "SELECT count(*) FROM gis.spatial_ref_sys")
assert_eq "$want" "$got" "every row of spatial_ref_sys is synced when a catalog names it"

echo "# all extension type checks passed"
