#!/usr/bin/env bash
# bench/discover.sh: how long --discover takes on a database of 1,000
# tables x 20 columns of mixed types (README, "Discovery": "a thousand tables
# discover in seconds").
#
# Run:
#   ninja -C build && bench/discover.sh [BUILDDIR]     (default: build)
#   TABLES=5000 RUNS=9 bench/discover.sh build          (other sizes)
#
# It starts a throwaway cluster with tests/harness/pg.sh (as the postgres
# OS user when run as root; removed at exit), creates the tables, runs
# discovery RUNS times (5 by default) over TCP with SSL, and prints the
# median wall time in seconds, the number of streams and the catalog size.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
BUILDDIR=${1:-$SRCDIR/build}
TAP_BIN=${TAP_BIN:-$(cd "$BUILDDIR" && pwd)/tap-postgres}
TABLES=${TABLES:-1000}
RUNS=${RUNS:-5}
[[ -x $TAP_BIN ]] || { echo "bench: no tap-postgres at $TAP_BIN (build it first)" >&2; exit 2; }

# shellcheck source=tests/harness/pg.sh
source "$SRCDIR/tests/harness/pg.sh"
PGH_EXTRA_CONF="log_statement = 'none'" pg_start
W=$(mktemp -d)
pg_on_exit "rm -rf '$W'"

echo "# creating $TABLES tables x 20 columns"
pg_sql <<SQL
DO \$\$
BEGIN
    FOR i IN 1..$TABLES LOOP
        EXECUTE format(
            'CREATE TABLE public.%I ('
            'id bigint PRIMARY KEY, name varchar(100) NOT NULL, note text, '
            'amount numeric(12,2), ratio double precision, qty integer, '
            'small smallint, flag boolean, created date, '
            'updated_at timestamptz, local_ts timestamp, at_time time, '
            'ident uuid, doc jsonb, tags text[], scores integer[], '
            'prices numeric(8,3)[], ip inet, blob bytea, attrs hstore)',
            'bench_' || i);
        -- one transaction per 100 tables: max_locks_per_transaction
        IF i % 100 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END
\$\$;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO tap;
ANALYZE;
SQL
pg_config_json "$W/config.json"

times=()
for ((r = 1; r <= RUNS; r++)); do
    t0=$(date +%s%N)
    "$TAP_BIN" --config "$W/config.json" --discover >"$W/catalog.json" 2>"$W/err" ||
        { cat "$W/err" >&2; exit 1; }
    t1=$(date +%s%N)
    times+=("$(( (t1 - t0) / 1000 ))")
    printf '# run %d: %d.%06d s\n' "$r" "$(( (t1 - t0) / 1000000000 ))" \
        "$(( (t1 - t0) / 1000 % 1000000 ))"
done

median_us=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
streams=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["streams"]))' "$W/catalog.json")
bytes=$(wc -c <"$W/catalog.json")
printf 'discover: %d tables x 20 columns: median %d.%03d s over %d runs; %d streams; catalog %d bytes (%.1f MiB)\n' \
    "$TABLES" "$((median_us / 1000000))" "$((median_us / 1000 % 1000))" "$RUNS" \
    "$streams" "$bytes" "$(echo "$bytes / 1048576" | bc -l)"
