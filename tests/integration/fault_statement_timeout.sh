#!/usr/bin/env bash
# A statement_timeout set on the role fires during the COPY (the reader is
# slow, so the COPY lasts seconds): exit 4, one CRITICAL line naming the
# stream and the timeout, every STATE true; with the timeout lifted a run
# from the last STATE completes without losing a row changed in between.
# Then the same for a query cancelled by pg_cancel_backend.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
source "$SRCDIR/tests/integration/fault_lib.sh"
pg_config_json "$T/config.json"

fault_table
# 1 s: far more than the session setup and catalog queries need, far less
# than the COPY takes through the slow reader (several seconds)
pg_sql <<<"ALTER ROLE tap SET statement_timeout = '1s'" >/dev/null
fault_start "$T/config.json"
fault_wait_exit 40
fault_check_run1 4 '^CRITICAL reading stream "tapdb-public-big" failed: canceling statement due to statement timeout \(SQLSTATE 57014\)$'

pg_sql <<<"ALTER ROLE tap RESET statement_timeout" >/dev/null
fault_change
fault_resume "$T/config.json" "without the timeout"

# --- pg_cancel_backend ----------------------------------------------------
fault_table
fault_start "$T/config.json"
fault_wait_records 40000
cancelled=$(pg_sql_value "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity
                          WHERE application_name = 'tap-postgres' AND pid <> pg_backend_pid()")
assert_eq 1 "$cancelled" "one tap query cancelled"
fault_wait_exit 30
fault_check_run1 4 '^CRITICAL reading stream "tapdb-public-big" failed: canceling statement due to user request \(SQLSTATE 57014\)$'
fault_change
fault_resume "$T/config.json" "after the cancel"
echo "all passed"
