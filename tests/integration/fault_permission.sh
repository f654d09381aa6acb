#!/usr/bin/env bash
# SELECT revoked on one selected table (then on one selected column)
# between discovery and sync: the sync checks the catalog against the live
# database before writing anything, so it exits 4 (permission) with one
# CRITICAL line naming the stream (the column) and the user, and stdout
# stays empty. A dropped table is told apart: that is a stale catalog, 2.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"

pg_sql >/dev/null <<'SQL'
CREATE TABLE pa (id integer PRIMARY KEY, x text);
CREATE TABLE pb (id integer PRIMARY KEY, y text);
INSERT INTO pa SELECT g, 'a' || g FROM generate_series(1, 100) g;
INSERT INTO pb SELECT g, 'b' || g FROM generate_series(1, 100) g;
GRANT SELECT ON pa, pb TO tap;
SQL
discover_select "$T/cat.json" public.pa public.pb

expect_error() { # CODE REGEX DESCRIPTION (after run_tap)
    local code=$1 last
    shift
    last=$(tail -n 1 "$T/e.err")
    assert_exit "$code" "$RC" "$2: exit $code" "$T/e.err"
    assert_eq 0 "$(stat -c %s "$T/e.out")" "$2: nothing on stdout"
    assert_match '^CRITICAL ' "$last" "$2: the last stderr line is CRITICAL"
    assert_eq 1 "$(grep -c '^CRITICAL ' "$T/e.err")" "$2: one CRITICAL line"
    assert_match "$1" "$last" "$2: $last"
}

# the whole table
pg_sql <<<'REVOKE SELECT ON pb FROM tap' >/dev/null
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/cat.json"
expect_error 4 'stream "tapdb-public-pb": permission denied: user "tap" may not read table "public"."pb"' \
    "SELECT revoked on a table"

# one selected column
pg_sql <<<'GRANT SELECT (id) ON pb TO tap' >/dev/null
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/cat.json"
expect_error 4 'stream "tapdb-public-pb": permission denied: user "tap" may not read column "y" of table "public"."pb"' \
    "SELECT revoked on a column"

# a schema without USAGE is a permission problem too
pg_sql <<<'CREATE SCHEMA locked; CREATE TABLE locked.t (id integer PRIMARY KEY); GRANT USAGE ON SCHEMA locked TO tap; GRANT SELECT ON locked.t TO tap' >/dev/null
discover_select "$T/locked.json" locked.t
pg_sql <<<'REVOKE USAGE ON SCHEMA locked FROM tap' >/dev/null
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/locked.json"
expect_error 4 'stream "tapdb-locked-t": permission denied: user "tap" may not read table "locked"."t" \(or the USAGE of its schema\)' \
    "USAGE revoked on the schema"

# granted again: the same catalog syncs
pg_sql <<<'GRANT SELECT ON pb TO tap' >/dev/null
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/cat.json"
assert_ok "$T/e.err" "SELECT granted again: the sync completes"
assert_eq 100 "$(python3 "$MSGS" count "$T/e.out" pb)" "all of pb's rows"
assert_done
