#!/usr/bin/env bash
# The server goes down (immediate shutdown) mid-stream: the tap exits 3
# with one CRITICAL line naming the stream, every STATE it wrote is true,
# and once the server is back a run from the last STATE completes without
# losing a row changed in between.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
source "$SRCDIR/tests/integration/fault_lib.sh"
pg_config_json "$T/config.json"

fault_table
# the harness runs with synchronous_commit off: make the table survive the
# crash-style stop
pg_sql <<<'CHECKPOINT' >/dev/null
fault_start "$T/config.json"
fault_wait_records 40000
pg_stop_immediate || fail "pg_stop_immediate"
fault_wait_exit 30
fault_check_run1 3 '^CRITICAL reading stream "tapdb-public-big" failed: (the connection to the server was lost: |terminating connection due to immediate shutdown)'

pg_resume || fail "pg_resume"
fault_change
fault_resume "$T/config.json" "after the server came back"
assert_done
