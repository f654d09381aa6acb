#!/usr/bin/env bash
# The tap's backend is killed with pg_terminate_backend mid-stream: exit 3,
# one CRITICAL line naming the stream, every STATE true, and a run from the
# last STATE completes without losing a row changed in between.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
source "$SRCDIR/tests/integration/fault_lib.sh"
pg_config_json "$T/config.json"

fault_table
fault_start "$T/config.json"
fault_wait_records 40000
# one backend: with several connections (TAP_TEST_PARALLEL) the others
# must notice and stop too
killed=$(pg_sql_value "SELECT count(pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity
                       WHERE application_name = 'tap-postgres' AND pid <> pg_backend_pid()
                       ORDER BY pid LIMIT 1) x")
assert_eq 1 "$killed" "one tap backend terminated"
fault_wait_exit 30
fault_check_run1 3 '^CRITICAL reading stream "tapdb-public-big" failed: (the connection to the server was lost: |terminating connection due to administrator command)'

fault_change
fault_resume "$T/config.json" "after the backend was killed"
assert_done
