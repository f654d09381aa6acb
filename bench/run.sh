#!/usr/bin/env bash
# bench/run.sh: the tap against PostgreSQL's own COPY ... TO STDOUT of the
# same rows, in one run, on the same server (README, "Performance").
#
# Run (from anywhere, on a fresh Debian 12 machine, as root or with sudo):
#   bash bench/run.sh [--rows N] [--runs K] [--memory] [--discover]
#
#   --rows N        rows of the events table (default 1000000)
#   --runs K        timed runs per side and case, medians reported (default 5)
#   --wide-rows N   rows of the ~30-column wide table (default 200000)
#   --geo-rows N    rows of the PostGIS table geo (a Point and a Polygon
#                   column, read as GeoJSON rendered by the server); 0
#                   leaves the case out (default 200000)
#   --memory        also the flat-memory check: the tap's peak RSS on
#                   events-shaped tables of 1,000,000 and 5,000,000 rows
#                   (on by default when --rows is 5000000)
#   --mem-runs M    runs per size in the memory check (default 3)
#   --discover      also bench/discover.sh (1,000 tables x 20 columns)
#   --no-tap-sql    leave out the third side of the FULL_TABLE cases: psql
#                   running the tap's kind of statement (SELECT ... WHERE
#                   ctid >= '(0,0)'::tid: a TID range scan; the tap issues
#                   one such COPY per 8 MiB block range), which tells server
#                   work from client work
#   --wait-quiet S  on a shared machine: before each run, wait up to S
#                   seconds for half a second in which the machine is idle
#                   (under 5 % of a CPU busy); the "other s" column shows
#                   what other work still ran during each case
#   --small-tables N  tables of 1,000 rows each for the many-streams case
#                   (default 300; 0 leaves it out)
#   --shared-buffers SIZE  the server's shared_buffers (default 256MB).
#                   A table larger than a quarter of it is read in one
#                   sequential pass (the server's ring of buffers), a
#                   smaller one in block ranges that several connections
#                   can share: 256MB reads events (277 MiB) in one pass,
#                   2GB in ranges
#   --builddir DIR  where the optimized binary is built (default build-bench)
#   --cases LIST    comma-separated case ids to run (default all):
#                   events-full, events-full-p2, events-full-p2s,
#                   events-full-p4,
#                   events-inc, wide-full, events-xmin, small-p1,
#                   small-p2, small-p4, geo-full
#
# What it does: installs the dependencies (scripts/install-deps.sh, and GNU
# time for the children's rusage), builds an optimized tap (meson
# --buildtype=release, no sanitizers), starts a throwaway PostgreSQL with SSL
# (tests/harness/pg.sh; stopped and removed at exit), loads the tables of
# bench/schema.sql deterministically (generate_series arithmetic, no
# random()), VACUUM ANALYZEs them, and then, alternating tap and COPY runs
# after one warm-up run of each:
#   (a) tap FULL_TABLE of events    vs (b) psql COPY (SELECT cols FROM events)
#   (c) tap INCREMENTAL of events   vs (d) psql COPY (... ORDER BY updated_at)
#       (no bookmark, replication key updated_at)
#   (e) tap FULL_TABLE of wide      vs (f) psql COPY of wide
#   (a2, a4) as (a), with parallel_connections 2 and 4 (one snapshot,
#       block ranges over several connections), against the same COPY;
#       (a2s) 2 connections with parallel_large_tables (events split into
#       ranges even where it exceeds a quarter of shared_buffers);
#       (a2) also against two psql COPYs of the two halves of events (by
#       TID range) run at the same time: what two connections can gain
#       on this machine at best
#   (s1, s2, s4) tap FULL_TABLE of N small tables with 1, 2 and 4
#       connections vs one psql session running N COPYs
#   (g) tap FULL_TABLE of geo       vs (h) psql COPY of geo (PostGIS's hex
#       EWKB text), and psql COPY of the tap's statement (ST_AsGeoJSON per
#       value: the server's share of the cost)
#   (i) tap XMIN, a later run       vs (j) tap FULL_TABLE of events
#       (after a first XMIN run, 1 % of the rows of events are updated;
#       every timed XMIN run starts from the first run's state, so each
#       sends exactly those 10,000 rows; after the other events cases,
#       since it changes events)
# All over TCP to 127.0.0.1 with sslmode=require, output to /dev/null. The
# warm-up runs also check the output: the tap's RECORD lines must equal the
# table's rows (and every timed run's METRIC record_count too); the script
# fails loudly otherwise.
#
# Prints a table (median wall s, rows/s, MB/s, CPU user+sys s, peak RSS MiB,
# the server backend's CPU s, tap/COPY wall ratio, tap CPU µs per row) and
# writes the raw measurements to bench/out/<timestamp>/ (runs.jsonl,
# summary.txt, summary.json, meta.json, the tap's stderr per run);
# bench/out/latest points at the newest.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
ROWS=1000000
RUNS=5
WIDE_ROWS=200000
GEO_ROWS=200000
SMALL_TABLES=300
MEMORY=0
MEM_RUNS=3
DISCOVER=0
TAP_SQL=1
QUIET_WAIT=0
BUILDDIR=$SRCDIR/build-bench
CASES=
SHARED_BUFFERS=256MB

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "${1:-0}"; }
while (( $# )); do
    case $1 in
        --rows) ROWS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --wide-rows) WIDE_ROWS=$2; shift 2 ;;
        --geo-rows) GEO_ROWS=$2; shift 2 ;;
        --small-tables) SMALL_TABLES=$2; shift 2 ;;
        --memory) MEMORY=1; shift ;;
        --mem-runs) MEM_RUNS=$2; shift 2 ;;
        --discover) DISCOVER=1; shift ;;
        --no-tap-sql) TAP_SQL=0; shift ;;
        --wait-quiet) QUIET_WAIT=$2; shift 2 ;;
        --builddir) BUILDDIR=$(realpath -m "$2"); shift 2 ;;
        --cases) CASES=$2; shift 2 ;;
        --shared-buffers) SHARED_BUFFERS=$2; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "bench: unknown argument '$1'" >&2; usage 2 >&2 ;;
    esac
done
[[ $QUIET_WAIT =~ ^[0-9]+$ ]] || { echo "bench: --wait-quiet takes whole seconds" >&2; exit 2; }
[[ $GEO_ROWS =~ ^[0-9]+$ ]] || { echo "bench: GEO_ROWS must be a whole number" >&2; exit 2; }
[[ $SHARED_BUFFERS =~ ^[1-9][0-9]*(kB|MB|GB)$ ]] || { echo "bench: --shared-buffers takes a size such as 256MB or 2GB" >&2; exit 2; }
[[ $SMALL_TABLES =~ ^[0-9]+$ ]] || { echo "bench: --small-tables takes a whole number" >&2; exit 2; }
for v in ROWS RUNS WIDE_ROWS MEM_RUNS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench: $v must be a positive integer" >&2; exit 2; }
done
(( ROWS == 5000000 )) && MEMORY=1

say() { printf '# %s\n' "$*" >&2; }

# ---- dependencies and an optimized build -------------------------------
say "dependencies"
bash "$SRCDIR/scripts/install-deps.sh"
if [[ ! -x /usr/bin/time ]]; then   # GNU time: the children's CPU and peak RSS
    sudo=(); (( EUID == 0 )) || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends time </dev/null
fi
command -v meson >/dev/null && command -v ninja >/dev/null

say "building an optimized tap in $BUILDDIR"
if [[ ! -f $BUILDDIR/build.ninja ]]; then
    meson setup "$BUILDDIR" "$SRCDIR" --buildtype=release -Db_sanitize=none >/dev/null
else
    meson configure "$BUILDDIR" -Dbuildtype=release -Db_sanitize=none >/dev/null
fi
ninja -C "$BUILDDIR" tap-postgres >/dev/null
TAP=$BUILDDIR/tap-postgres

OUT=$SRCDIR/bench/out/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
ln -sfn "$(basename "$OUT")" "$SRCDIR/bench/out/latest"

# ---- a throwaway server ------------------------------------------------
# shellcheck source=tests/harness/pg.sh
source "$SRCDIR/tests/harness/pg.sh"
PGH_EXTRA_CONF="log_statement = 'none'
log_connections = off
shared_buffers = $SHARED_BUFFERS
max_wal_size = 8GB
checkpoint_timeout = 30min" pg_start
W=$PGH_DIR/bench
mkdir -p "$W"
PSQL=$PGH_BINDIR/psql

# ---- data --------------------------------------------------------------
# bench/schema.sql: every value is arithmetic on the row number (no
# random()), so every machine gets the same tables.
say "loading events ($ROWS rows) and wide ($WIDE_ROWS rows)"
t0=$(date +%s)
pg_sql -f "$SRCDIR/bench/schema.sql" >/dev/null
pg_sql -c "SELECT bench_make_events('events', $ROWS)" >/dev/null
pg_sql -c "SELECT bench_make_wide($WIDE_ROWS)" >/dev/null
if (( GEO_ROWS > 0 )); then
    say "loading geo ($GEO_ROWS rows, PostGIS)"
    pg_sql -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
    pg_sql -c "SELECT bench_make_geo($GEO_ROWS)" >/dev/null
fi

if (( SMALL_TABLES > 0 )); then
    say "loading $SMALL_TABLES small tables of 1,000 rows"
    pg_sql -c "SELECT bench_make_small($SMALL_TABLES, 1000)" >/dev/null
fi

MEM_TABLES=()   # table:rows for the memory check
if (( MEMORY )); then
    for n in 1000000 5000000; do
        if (( n == ROWS )); then
            MEM_TABLES+=("events:$n")
        else
            say "loading events_$n ($n rows) for the memory check"
            pg_sql -c "SELECT bench_make_events('events_$n', $n)" >/dev/null
            MEM_TABLES+=("events_$n:$n")
        fi
    done
fi
pg_sql <<'SQL'
GRANT SELECT ON ALL TABLES IN SCHEMA public TO tap;
VACUUM ANALYZE;
CHECKPOINT;
SQL
say "loaded in $(( $(date +%s) - t0 )) s; events $(pg_sql_value "SELECT pg_size_pretty(pg_table_size('events'))"), wide $(pg_sql_value "SELECT pg_size_pretty(pg_table_size('wide'))")"
EVENTS_COUNT=$(pg_sql_value "SELECT count(*) FROM events")
EVENTS_HALF=$(pg_sql_value "SELECT pg_relation_size('events') / 8192 / 2")
WIDE_COUNT=$(pg_sql_value "SELECT count(*) FROM wide")
[[ $EVENTS_COUNT == "$ROWS" && $WIDE_COUNT == "$WIDE_ROWS" ]] ||
    { echo "bench: row counts $EVENTS_COUNT/$WIDE_COUNT, expected $ROWS/$WIDE_ROWS" >&2; exit 1; }

# ---- the tap's config and catalogs -------------------------------------
pg_config_json "$W/config.json"
pg_config_json "$W/config2.json" parallel_connections=2
pg_config_json "$W/config4.json" parallel_connections=4
pg_config_json "$W/config2s.json" parallel_connections=2 parallel_large_tables=true
"$TAP" --config "$W/config.json" --discover >"$W/catalog.json" 2>"$W/discover.err" ||
    { cat "$W/discover.err" >&2; exit 1; }
sel() { python3 "$SRCDIR/tests/harness/catalog_select.py" "$W/catalog.json" "$W/$1" "${@:2}"; }
sel cat-events-full.json events:FULL_TABLE
sel cat-events-inc.json events:INCREMENTAL:updated_at
sel cat-wide.json wide:FULL_TABLE
sel cat-events-xmin.json events:XMIN
(( GEO_ROWS > 0 )) && sel cat-geo.json geo:FULL_TABLE
for mt in "${MEM_TABLES[@]}"; do sel "cat-mem-${mt%%:*}.json" "${mt%%:*}:FULL_TABLE"; done
if (( SMALL_TABLES > 0 )); then
    python3 - "$W/catalog.json" "$W/cat-small.json" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1]))
cat["streams"] = [s for s in cat["streams"] if s["table_name"].startswith("small_")]
for s in cat["streams"]:
    root = next(m["metadata"] for m in s["metadata"] if m["breadcrumb"] == [])
    root["selected"] = True
    root["replication-method"] = "FULL_TABLE"
json.dump(cat, open(sys.argv[2], "w"))
PY
fi

# The columns the tap selects, in its order (by name), for the COPY side.
cols() {
    python3 - "$W/catalog.json" "$1" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1]))
s = next(e for e in cat["streams"] if e["table_name"] == sys.argv[2])
names = sorted(s["schema"]["properties"], key=lambda n: n.encode())
print(",".join('"%s"' % n.replace('"', '""') for n in names))
PY
}
EVENTS_COLS=$(cols events)
WIDE_COLS=$(cols wide)
GEO_COLS=""
(( GEO_ROWS > 0 )) && GEO_COLS=$(cols geo)
# shellcheck disable=SC2119 # no extra conninfo keys
CONNINFO=$(pg_conninfo)
export PGPASSWORD=$PGH_PASSWORD

# ---- the plan, then the runs -------------------------------------------
PM_PID=$(head -n 1 "$PGH_DATA/postmaster.pid")
PG_VERSION=$(pg_sql_value "SELECT version()")
python3 - "$W/plan.json" <<PY
import json, sys
tap, cfg, w = "$TAP", "$W/config.json", "$W"
psql, conninfo = "$PSQL", "$CONNINFO"
def tap_argv(cat, conns=1):
    c = cfg if conns == 1 else f"{w}/config{conns}.json"   # conns: 2, 4 or "2s"
    return [tap, "--config", c, "--catalog", f"{w}/{cat}"]
def copy_argv(sql): return [psql, "-X", conninfo, "-c", f"COPY ({sql}) TO STDOUT"]
ev, wi, geo = '''$EVENTS_COLS''', '''$WIDE_COLS''', '''$GEO_COLS'''
# what the tap selects for geo: PostGIS values as GeoJSON, by the server
geo_tap = ",".join('public.st_asgeojson(%s, 1000, 8)' % c if c in ('"loc"', '"area"') else c
                   for c in geo.split(",")) if geo else ""
def tapsql(sql):
    # the tap's kind of FULL_TABLE statement (a TID range scan, which the
    # plain COPY does not do), as a third side
    if not $TAP_SQL: return []
    return [{"key": "copy_tapsql", "label": "COPY/psql, tap's SQL",
             "argv": copy_argv(sql)}]
plan = {
    "out": "$OUT", "runs": $RUNS, "postmaster_pid": $PM_PID,
    "quiet_wait": $QUIET_WAIT,
    "describe": "events $ROWS rows x 12 columns, wide $WIDE_ROWS rows x 30 columns; "
                "$(nproc) CPUs; shared_buffers $SHARED_BUFFERS; SSL (sslmode=require) over TCP to 127.0.0.1",
    "cases": [
        {"id": "events-full", "name": "events FULL_TABLE", "kind": "full", "rows": $ROWS,
         "tap": tap_argv("cat-events-full.json"),
         "copy": copy_argv(f"SELECT {ev} FROM events"),
         "extra": tapsql(f"SELECT {ev} FROM public.events WHERE ctid >= '(0,0)'::tid")},
        {"id": "events-inc", "name": "events INCREMENTAL", "kind": "incremental", "rows": $ROWS,
         "tap": tap_argv("cat-events-inc.json"),
         "copy": copy_argv(f"SELECT {ev} FROM events ORDER BY updated_at")},
        {"id": "wide-full", "name": "wide FULL_TABLE", "kind": "wide", "rows": $WIDE_ROWS,
         "tap": tap_argv("cat-wide.json"),
         "copy": copy_argv(f"SELECT {wi} FROM wide"),
         "extra": tapsql(f"SELECT {wi} FROM public.wide WHERE ctid >= '(0,0)'::tid")},
        {"id": "events-xmin", "name": "events XMIN 1%", "kind": "xmin", "rows": $ROWS,
         "labels": {"tap": "tap XMIN later run", "copy": "tap FULL_TABLE"},
         "tap_sides": ["copy"],
         "expect": {"tap": $ROWS // 100, "copy": $ROWS},
         "setup": [
             # the first run, whose state every timed later run starts from
             ["bash", "-c", f"'{tap}' --config '{cfg}' --catalog '{w}/cat-events-xmin.json' "
                            f"2>'{w}/xmin-first.err' | python3 '$SRCDIR/tests/harness/msgs.py' "
                            f"last-state /dev/stdin >'{w}/xmin.state'"],
             # 1 % of the rows change (not the indexed updated_at: HOT where
             # the page has room, as most small updates are)
             ["$PSQL", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "$PGH_SOCKDIR",
              "-p", "$PGH_PORT", "-U", "postgres", "-d", "tapdb",
              "-c", "UPDATE events SET qty = qty + 1 WHERE id % 100 = 0"],
         ],
         "tap": tap_argv("cat-events-xmin.json") + ["--state", f"{w}/xmin.state"],
         "copy": tap_argv("cat-events-full.json")},
    ],
    "memory": [],
}
import shlex
def halves_argv():
    # two psql COPYs of the halves of events at once, both to stdout
    h = $EVENTS_HALF
    one = lambda cond: " ".join(shlex.quote(a) for a in
                                copy_argv(f"SELECT {ev} FROM events WHERE {cond}"))
    return ["bash", "-c", one(f"ctid < '({h},0)'::tid") + " & "
            + one(f"ctid >= '({h},0)'::tid") + " & wait"]
for n in (2, 4):
    plan["cases"].insert(1 if n == 2 else 2,
        {"id": f"events-full-p{n}", "name": f"events FULL_TABLE, {n} conns", "kind": "parallel",
         "rows": $ROWS, "tap": tap_argv("cat-events-full.json", n),
         "copy": copy_argv(f"SELECT {ev} FROM events"),
         "extra": [{"key": "copy_halves", "label": "2 psql COPYs of halves at once",
                    "argv": halves_argv()}] if n == 2 else []})
plan["cases"].insert(2,
    {"id": "events-full-p2s", "name": "events FULL_TABLE, 2 conns, parallel_large_tables",
     "kind": "parallel", "rows": $ROWS, "tap": tap_argv("cat-events-full.json", "2s"),
     "copy": copy_argv(f"SELECT {ev} FROM events")})
if $SMALL_TABLES > 0:
    copies = []
    for i in range(1, $SMALL_TABLES + 1):
        copies += ["-c", f"COPY (SELECT id, k, v FROM small_{i}) TO STDOUT"]
    for n in (1, 2, 4):
        plan["cases"].append(
            {"id": f"small-p{n}", "name": f"$SMALL_TABLES small tables, {n} conns", "kind": "small",
             "rows": $SMALL_TABLES * 1000, "tap": tap_argv("cat-small.json", n),
             "copy": [psql, "-X", conninfo] + copies})
if $GEO_ROWS > 0:
    plan["cases"].append(
        {"id": "geo-full", "name": "geo FULL_TABLE (PostGIS)", "kind": "geo", "rows": $GEO_ROWS,
         "tap": tap_argv("cat-geo.json"),
         "copy": copy_argv(f"SELECT {geo} FROM geo"),
         "extra": [{"key": "copy_geojson", "label": "COPY/psql, GeoJSON SQL",
                    "argv": copy_argv(f"SELECT {geo_tap} FROM public.geo WHERE ctid >= '(0,0)'::tid")}]})
if "$CASES":
    wanted = "$CASES".split(",")
    unknown = set(wanted) - {c["id"] for c in plan["cases"]}
    if unknown:
        sys.exit("bench: unknown case(s) %s" % ", ".join(sorted(unknown)))
    plan["cases"] = [c for c in plan["cases"] if c["id"] in wanted]
for mt in """${MEM_TABLES[*]}""".split():
    t, n = mt.split(":")
    plan["memory"].append({"id": f"mem-{t}", "name": f"memory {t}", "rows": int(n),
                           "runs": $MEM_RUNS, "tap": tap_argv(f"cat-mem-{t}.json")})
json.dump(plan, open(sys.argv[1], "w"), indent=1)
PY
# A record of what ran (no password in it: PGPASSWORD is in the environment).
cp "$W/plan.json" "$OUT/plan.json"

python3 - "$OUT/meta.json" <<PY
import json, os, platform, subprocess, sys
def sh(c):
    try: return subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception as e: return str(e)
meta = {
    "date_utc": sh("date -u +%FT%TZ"),
    "nproc": sh("nproc"),
    "cpu_model": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-"),
    "mem_total": sh("grep MemTotal /proc/meminfo"),
    "kernel": platform.release(),
    "os": sh(". /etc/os-release && echo \$PRETTY_NAME"),
    "postgresql": """$PG_VERSION""",
    "psql": sh("'$PSQL' --version"),
    "libpq": sh("pkg-config --modversion libpq"),
    "openssl": sh("openssl version"),
    "cc": sh("cc --version | head -n 1"),
    "buildtype": sh("meson introspect --buildoptions '$BUILDDIR' | python3 -c 'import json,sys; print([o[\"value\"] for o in json.load(sys.stdin) if o[\"name\"]==\"buildtype\"][0])'"),
    "git_head": sh("git -C '$SRCDIR' rev-parse HEAD"),
    "git_dirty": sh("git -C '$SRCDIR' status --short -- src include meson.build"),
    "git_diff_sha1": sh("git -C '$SRCDIR' diff HEAD -- src include meson.build | sha1sum | cut -c1-40"),
    "nice": os.nice(0),
    "loadavg_before": open("/proc/loadavg").read().strip(),
    "rows": $ROWS, "wide_rows": $WIDE_ROWS, "runs": $RUNS,
}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
PY
say "machine: $(nproc) CPUs,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-); $PG_VERSION"
[[ -z $(git -C "$SRCDIR" status --short -- src include meson.build 2>/dev/null) ]] ||
    say "note: src/ has uncommitted changes; the binary measured includes them (see $OUT/meta.json)"

rc=0
python3 "$SRCDIR/bench/measure.py" "$W/plan.json" || rc=$?
echo "raw measurements: $OUT"

if (( DISCOVER )); then
    pg_stop   # one server at a time on a small machine
    say "discovery: bench/discover.sh (1,000 tables x 20 columns)"
    bash "$SRCDIR/bench/discover.sh" "$BUILDDIR" 2>&1 | tee "$OUT/discover.txt" | grep -v '^# run' || rc=1
    med=$(sed -n 's/^discover: .*median \([0-9.]*\) s.*/\1/p' "$OUT/discover.txt")
    if [[ -n $med ]]; then
        awk -v m="$med" 'BEGIN { printf "  discovery of 1,000 tables: %s s < 2 -> %s\n", m, (m < 2 ? "MET" : "NOT MET") }' |
            tee -a "$OUT/summary.txt"
    fi
fi
exit "$rc"
