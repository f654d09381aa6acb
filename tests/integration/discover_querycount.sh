#!/usr/bin/env bash
# tests/integration/discover_querycount.sh: discovery sends the same number
# of statements for 10 tables as for 200 (README, "Discovery": one catalog query
# per database, not one per table). Statements are counted in the server
# log (log_statement = all), keeping the lines whose prefix names
# application tap-postgres.
set -euo pipefail

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/harness/pg.sh
source "$SRCDIR/tests/harness/pg.sh"
pg_start
# shellcheck source=tests/integration/lib.sh
source "$SRCDIR/tests/integration/lib.sh"

pg_config_json "$T/config.json"

# make_tables FROM TO: tables qc_FROM .. qc_TO, readable by tap
make_tables() {
    pg_sql <<SQL
DO \$\$
BEGIN
    FOR i IN $1..$2 LOOP
        EXECUTE format('CREATE TABLE public.%I (id integer PRIMARY KEY, '
                       'name text, amount numeric(10,2), at timestamptz, '
                       'tags text[])', 'qc_' || i);
    END LOOP;
END
\$\$;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO tap;
SQL
}

# statements_of_discovery NAME: runs --discover, prints how many statements
# the tap sent (log lines from application tap-postgres)
statements_of_discovery() {
    local before after
    before=$(wc -l <"$PGH_LOG")
    run_tap "$T/$1.json" "$T/$1.err" --config "$T/config.json" --discover
    assert_ok "$T/$1.err" "discover ($1)" >&2
    # the server has logged every statement before answering it; the last
    # line (the disconnection) may still be on its way, and is not counted
    sleep 0.2
    after=$(wc -l <"$PGH_LOG")
    tail -n "+$((before + 1))" "$PGH_LOG" | head -n "$((after - before))" |
        grep -E 'app=tap-postgres .*(LOG: +statement:|LOG: +execute )' \
            >"$T/$1.statements" || true
    wc -l <"$T/$1.statements"
}

count_streams() {
    python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["streams"]))' "$1"
}

make_tables 1 10
n10=$(statements_of_discovery ten)
assert_eq 10 "$(count_streams "$T/ten.json")" "10 streams discovered"

make_tables 11 200
n200=$(statements_of_discovery two_hundred)
assert_eq 200 "$(count_streams "$T/two_hundred.json")" "200 streams discovered"

echo "# statements for 10 tables: $n10, for 200 tables: $n200"
sed 's/^/#   /' "$T/two_hundred.statements" | cut -c1-160
[[ $n10 -ge 1 ]] || fail "no statement of the tap was found in the server log"
assert_eq "$n10" "$n200" "the number of statements does not grow with the number of tables"
[[ $n200 -le 3 ]] || fail "discovery sent $n200 statements; expected at most 3"
pass "discovery sends at most 3 statements ($n200)"
