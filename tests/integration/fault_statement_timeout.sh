#!/usr/bin/env bash
# A statement_timeout set on the role fires during a stream's COPY: exit 4,
# one CRITICAL line naming the stream and the timeout, every STATE true;
# with the timeout lifted, a run from the last STATE completes without
# losing a row changed in between. A table is read in block ranges, one
# short statement each, so a timeout meant for long queries does not hit
# it; the slow statement here is a view's (whose one COPY lasts seconds on
# the server). Then a query cancelled by pg_cancel_backend, on a table.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
source "$SRCDIR/tests/integration/fault_lib.sh"
pg_config_json "$T/config.json"

# make_slow_view: a fresh big table, and a view over it that takes about
# 2 s of server time to read
make_slow_view() {
    pg_sql <<<'DROP VIEW IF EXISTS big_slow' >/dev/null
    fault_table
    pg_sql >/dev/null <<'SQL'
CREATE OR REPLACE FUNCTION slowly(integer) RETURNS integer LANGUAGE sql
    AS 'SELECT $1 FROM pg_sleep(0.001)';
CREATE VIEW big_slow AS
    SELECT id, v, CASE WHEN id % 100 = 0 THEN slowly(v) ELSE v END AS w, t FROM big;
GRANT SELECT ON big_slow TO tap;
SQL
    discover_select "$T/slow.json" public.big_slow --view-keys public.big_slow=id
}

# view_resume WHAT: run 1's output ($T/v1.*) is whole messages ending with a
# STATE and one CRITICAL line; after fault_change, a run from its last
# STATE completes and the union of both runs holds every row of the view
view_resume() {
    local what=$1
    python3 "$MSGS" check "$T/v1.out" >/dev/null || fail "$what: stdout is not whole Singer messages"
    assert_eq STATE "$(tail -n1 "$T/v1.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])')" \
        "$what: stdout ends with a whole message, a STATE"
    assert_eq 1 "$(grep -c '^CRITICAL ' "$T/v1.err")" "$what: one CRITICAL line, the last"
    fault_change
    python3 "$MSGS" last-state "$T/v1.out" >"$T/vstate.json"
    run_tap "$T/v2.out" "$T/v2.err" --config "$T/config.json" --catalog "$T/slow.json" --state "$T/vstate.json"
    assert_ok "$T/v2.err" "$what: a run from the last STATE completes"
    pg_sql -c "SELECT row_to_json(x) FROM (SELECT id, v, w, t FROM big_slow) x" >"$T/vfinal.jsonl"
    python3 "$RESUME_CHECK" union --stream big_slow --key id --final "$T/vfinal.jsonl" \
        "$T/v1.out" "$T/v2.out" || fail "$what: rows lost or stale"
    pass "$what: every row of the final view was sent with its final values"
}

make_slow_view
# 1 s: far more than the session setup and catalog queries need
pg_sql <<<"ALTER ROLE tap SET statement_timeout = '1s'" >/dev/null
run_tap "$T/v1.out" "$T/v1.err" --config "$T/config.json" --catalog "$T/slow.json"
assert_eq 4 "$RC" "statement timeout: exit 4"
tail -n1 "$T/v1.err" | grep -qE '^CRITICAL reading stream "tapdb-public-big_slow" failed: canceling statement due to statement timeout \(SQLSTATE 57014\)$' ||
    fail "statement timeout: the last line is $(tail -n1 "$T/v1.err")"
pg_sql <<<"ALTER ROLE tap RESET statement_timeout" >/dev/null
view_resume "statement timeout"

# --- pg_cancel_backend, on the same slow statement --------------------------
make_slow_view
"$TAP_BIN" --config "$T/config.json" --catalog "$T/slow.json" >"$T/v1.out" 2>"$T/v1.err" &
TAP_PID=$!
FAULT_PIDS=$TAP_PID
for _ in $(seq 1 100); do
    n=$(pg_sql_value "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tap-postgres' AND query LIKE 'COPY%big_slow%' AND state = 'active'")
    [[ $n -ge 1 ]] && break
    sleep 0.1
done
sleep 0.3
cancelled=$(pg_sql_value "SELECT count(pg_cancel_backend(pid)) FROM (SELECT pid FROM pg_stat_activity
                          WHERE application_name = 'tap-postgres' AND pid <> pg_backend_pid()
                          AND query LIKE 'COPY%big_slow%' AND state = 'active' ORDER BY pid LIMIT 1) x")
assert_eq 1 "$cancelled" "one tap query cancelled"
set +e
timeout 30 tail --pid="$TAP_PID" -f /dev/null
wait "$TAP_PID"
rc=$?
set -e
FAULT_PIDS=
assert_eq 4 "$rc" "cancelled: exit 4"
tail -n1 "$T/v1.err" | grep -qE '^CRITICAL reading stream "tapdb-public-big_slow" failed: canceling statement due to user request \(SQLSTATE 57014\)$' ||
    fail "cancelled: the last line is $(tail -n1 "$T/v1.err")"
view_resume "after the cancel"
assert_done
