#!/usr/bin/env bash
# bench/profile.sh: where the tap's CPU goes on the events FULL_TABLE case.
#
# Run:
#   bash bench/profile.sh [--rows N] [--perf-rows M] [--case full|incremental|wide]
#
#   --rows N       rows for callgrind (default 100000)
#   --perf-rows M  rows for perf record (default 1000000; 0: no perf)
#   --case C       full (default): events FULL_TABLE; incremental: events
#                  INCREMENTAL on updated_at; wide: the 30-column table
#
# Builds the tap with -O3 -g (meson --buildtype=release -Ddebug=true, in
# build-prof), starts a throwaway PostgreSQL with SSL (tests/harness/pg.sh),
# loads bench/schema.sql's tables, then:
#   valgrind --tool=callgrind on N rows -> callgrind_annotate, inclusive and
#       self (instruction counts: not disturbed by other load on the machine)
#   perf record -e cpu-clock -g on M rows, when perf works here -> perf
#       report by symbol (self), and by shared object
# Output: bench/out/profile-<timestamp>/ (callgrind.out, *.txt);
# bench/out/profile-latest points at the newest.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
ROWS=100000
PERF_ROWS=1000000
CASE=full
BUILDDIR=$SRCDIR/build-prof
while (( $# )); do
    case $1 in
        --rows) ROWS=$2; shift 2 ;;
        --perf-rows) PERF_ROWS=$2; shift 2 ;;
        --case) CASE=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "profile: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
case $CASE in
    full) TABLE=events SPEC=FULL_TABLE ;;
    incremental) TABLE=events SPEC=INCREMENTAL:updated_at ;;
    wide) TABLE=wide SPEC=FULL_TABLE ;;
    *) echo "profile: --case full|incremental|wide" >&2; exit 2 ;;
esac
say() { printf '# %s\n' "$*" >&2; }

bash "$SRCDIR/scripts/install-deps.sh"
command -v valgrind >/dev/null || {
    sudo=(); (( EUID == 0 )) || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends valgrind </dev/null
}
say "building -O3 -g in $BUILDDIR"
if [[ ! -f $BUILDDIR/build.ninja ]]; then
    meson setup "$BUILDDIR" "$SRCDIR" --buildtype=release -Ddebug=true -Db_sanitize=none >/dev/null
fi
ninja -C "$BUILDDIR" tap-postgres >/dev/null
TAP=$BUILDDIR/tap-postgres

OUT=$SRCDIR/bench/out/profile-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
ln -sfn "$(basename "$OUT")" "$SRCDIR/bench/out/profile-latest"

# shellcheck source=tests/harness/pg.sh
source "$SRCDIR/tests/harness/pg.sh"
PGH_EXTRA_CONF="log_statement = 'none'
log_connections = off
shared_buffers = 256MB
max_wal_size = 8GB" pg_start
W=$PGH_DIR/prof
mkdir -p "$W"

pg_sql -f "$SRCDIR/bench/schema.sql" >/dev/null
if [[ $TABLE == events ]]; then
    pg_sql -c "SELECT bench_make_events('events', $ROWS)" >/dev/null
    (( PERF_ROWS > 0 )) && pg_sql -c "SELECT bench_make_events('events_perf', $PERF_ROWS)" >/dev/null
else
    pg_sql -c "SELECT bench_make_wide($ROWS)" >/dev/null
fi
pg_sql -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO tap" -c "VACUUM ANALYZE" >/dev/null
pg_config_json "$W/config.json"
"$TAP" --config "$W/config.json" --discover >"$W/catalog.json"
python3 "$SRCDIR/tests/harness/catalog_select.py" "$W/catalog.json" "$W/cat.json" "$TABLE:$SPEC"

# a warm-up, so the table is in the page cache and has its hint bits
"$TAP" --config "$W/config.json" --catalog "$W/cat.json" >/dev/null 2>&1

say "callgrind: $CASE on $TABLE, $ROWS rows"
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
    "$TAP" --config "$W/config.json" --catalog "$W/cat.json" \
    >/dev/null 2>"$OUT/callgrind.err"
callgrind_annotate --inclusive=yes "$OUT/callgrind.out" >"$OUT/callgrind-inclusive.txt"
callgrind_annotate "$OUT/callgrind.out" >"$OUT/callgrind-self.txt"
# the function lines only, without the source annotation that follows
for k in inclusive self; do
    echo "== callgrind, $CASE on $TABLE, $ROWS rows: $k"
    awk '/file:function/ {on = 1; next} on && /^-+$/ {n++; if (n > 1) exit; next} on' \
        "$OUT/callgrind-$k.txt" | sed '/^$/q' | head -n 45 || true
done

if (( PERF_ROWS > 0 )) && [[ $TABLE == events ]] && perf record -o /dev/null -e cpu-clock true >/dev/null 2>&1; then
    python3 "$SRCDIR/tests/harness/catalog_select.py" "$W/catalog.json" "$W/cat-perf.json" "events_perf:$SPEC"
    "$TAP" --config "$W/config.json" --catalog "$W/cat-perf.json" >/dev/null 2>&1
    say "perf: $CASE on events_perf, $PERF_ROWS rows"
    perf record -q -e cpu-clock -F 9999 -g -o "$OUT/perf.data" -- \
        "$TAP" --config "$W/config.json" --catalog "$W/cat-perf.json" >/dev/null 2>"$OUT/perf-run.err"
    perf report -i "$OUT/perf.data" --no-children --sort symbol --stdio \
        -g none --percent-limit 0.3 2>/dev/null >"$OUT/perf-self.txt"
    perf report -i "$OUT/perf.data" --no-children --sort dso --stdio \
        -g none 2>/dev/null >"$OUT/perf-dso.txt"
    perf report -i "$OUT/perf.data" --children --sort symbol --stdio \
        -g none --percent-limit 2 2>/dev/null >"$OUT/perf-children.txt"
    grep -v '^#' "$OUT/perf-dso.txt" | sed '/^$/d' | head -n 15
    grep -v '^#' "$OUT/perf-self.txt" | sed '/^$/d' | head -n 40
else
    say "perf: skipped (no perf, or it cannot sample here)"
fi
echo "profile output: $OUT"
