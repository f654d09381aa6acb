#!/usr/bin/env bash
# The harness itself: SSL-only TCP, the fixture, and cleanup whatever
# happens (failure, SIGTERM, SIGKILL of the test).  Exit 0 pass, 77 skip.
set -euo pipefail

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/harness/pg.sh
source "$SRCDIR/tests/harness/pg.sh"

# the first failure ends the test: each step builds on the previous ones
ASSERT_STOP=1
# shellcheck source=tests/harness/assert.sh
source "$SRCDIR/tests/harness/assert.sh"
quiet() { "$@" >/dev/null 2>&1; }

# A zombie (PID 1 in a container may reap late) counts as stopped.
alive() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $st != Z* ]]
}
# Polls up to $2 seconds until the command succeeds.
eventually() {
    local secs=$1 i; shift
    for ((i = 0; i < secs * 10; i++)); do "$@" && return 0; sleep 0.1; done
    return 1
}
gone() { [[ ! -e $1 ]] && ! alive "$2"; }

t0=$(date +%s%N)
pg_start
echo "# pg_start took $(( ($(date +%s%N) - t0) / 1000000 )) ms (port $PGH_PORT)"
assert_cmd "pg_start exports" test -n "$PGH_DIR" -a -n "$PGH_PORT" -a -s "$PGH_CA" \
    -a -s "$PGH_CLIENT_CERT" -a -s "$PGH_LOG" -a -x "$PGH_BINDIR/initdb"
assert_cmd "password is distinctive" test "${PGH_PASSWORD#tap-Pw-}" != "$PGH_PASSWORD"
assert_cmd "client key is 0600" test "$(stat -c %a "$PGH_CLIENT_KEY")" = 600
assert_cmd "client cert is signed by the CA" \
    quiet openssl verify -CAfile "$PGH_CA" -purpose sslclient "$PGH_CLIENT_CERT"
assert_cmd "server cert is for localhost" \
    quiet openssl verify -CAfile "$PGH_CA" -purpose sslserver -verify_hostname localhost "$PGH_SERVER_CERT"

tcp="host=127.0.0.1 port=$PGH_PORT user=tap dbname=tapdb"
export PGPASSWORD=$PGH_PASSWORD
v=$(psql -X -At "$tcp sslmode=require" -c 'select ssl from pg_stat_ssl where pid = pg_backend_pid()')
assert_cmd "TCP as tap uses SSL" test "$v" = t

if err=$(psql -X -At "$tcp sslmode=disable" -c 'select 1' 2>&1); then
    fail "sslmode=disable was accepted"
fi
assert_cmd "sslmode=disable rejected (pg_hba: no encryption)" grep -q "no encryption" <<<"$err"

v=$(psql -X -At "host=localhost port=$PGH_PORT user=tap dbname=tapdb sslmode=verify-full sslrootcert=$PGH_CA" -c 'select 1')
assert_cmd "verify-full as localhost" test "$v" = 1
v=$(psql -X -At "$tcp sslmode=verify-full sslrootcert=$PGH_CA" -c 'select 1')
assert_cmd "verify-full as 127.0.0.1 (IP SAN)" test "$v" = 1
if PGPASSWORD=wrong psql -X -At "$tcp sslmode=require" -c 'select 1' >/dev/null 2>&1; then
    fail "wrong password accepted"
fi
assert_pass "wrong password rejected"
unset PGPASSWORD

pg_load_fixture alltypes
assert_cmd "fixture alltypes has 5 rows" test "$(pg_sql_value 'select count(*) from public.alltypes')" = 5
assert_cmd "pg_sql reads stdin, -At" test "$(printf 'select 1, 2;\n' | pg_sql)" = "1|2"
assert_cmd "pg_sql_value with db" test "$(pg_sql_value postgres 'select current_database()')" = postgres
v=$(pg_sql_value "select has_table_privilege('tap', 'public.secret', 'SELECT')::text
    || has_column_privilege('tap', 'public.partial_grant', 'b', 'SELECT')::text
    || has_column_privilege('tap', 'public.partial_grant', 'c_hidden', 'SELECT')::text")
assert_cmd "fixture grants (secret, partial_grant)" test "$v" = falsetruefalse

cfg=$PGH_DIR/c.json
pg_config_json "$cfg" sslmode='"verify-full"' sslrootcert="\"$PGH_CA\"" dbname= itersize=100
v=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["host"], c["port"], c["user"], c["password"], c["sslmode"], c["sslrootcert"], "dbname" in c, c["itersize"])' "$cfg")
assert_cmd "pg_config_json" test "$v" = "127.0.0.1 $PGH_PORT tap $PGH_PASSWORD verify-full $PGH_CA False 100"

if grep -qF -- "$PGH_PASSWORD" "$PGH_LOG"; then fail "password in the server log"; fi
assert_pass "password not in the server log"
assert_cmd "log_line_prefix has app and db" grep -q 'app=psql db=tapdb' "$PGH_LOG"

pid=$(head -n 1 "$PGH_DATA/postmaster.pid")
pg_restart_immediate
assert_cmd "pg_restart_immediate" test "$(pg_sql_value 'select count(*) from public.alltypes')" = 5
assert_cmd "a new postmaster after restart" test "$(head -n 1 "$PGH_DATA/postmaster.pid")" != "$pid"

# A test that fails: its cluster is stopped and its directory removed.
info=$PGH_DIR/sub.info
set +e
(
    unset TAP_TEST_KEEP
    PGH_QUIET=1
    pg_start
    echo "$PGH_DIR $(head -n 1 "$PGH_DATA/postmaster.pid")" >"$info"
    exit 1
)
rc=$?
set -e
assert_cmd "failing subshell exits 1" test "$rc" = 1
read -r sub_dir sub_pid <"$info"
assert_cmd "failed test's postmaster stopped" eventually 5 bash -c "! kill -0 $sub_pid 2>/dev/null || [[ \$(ps -o stat= -p $sub_pid) == Z* ]]"
assert_cmd "failed test's directory removed" test ! -e "$sub_dir"

# SIGTERM (a runner's timeout) cleans up too.
rm -f "$info"
(
    PGH_QUIET=1
    pg_start
    echo "$PGH_DIR $(head -n 1 "$PGH_DATA/postmaster.pid")" >"$info"
    sleep 60 & echo "$!" >"$info.sleep"
    wait
) &
sub=$!
eventually 20 test -s "$info" || fail "background cluster did not start"
kill -TERM "$sub"
wait "$sub" || true
kill "$(cat "$info.sleep")" 2>/dev/null || true
read -r sub_dir sub_pid <"$info"
assert_cmd "SIGTERM: cluster stopped and removed" eventually 10 gone "$sub_dir" "$sub_pid"

# SIGKILL leaves no trap to run: the watchdog stops the cluster.
rm -f "$info" "$info.sleep"
(
    pg_start
    echo "$PGH_DIR $(head -n 1 "$PGH_DATA/postmaster.pid")" >"$info"
    sleep 60 & echo "$!" >"$info.sleep"
    wait
) &
sub=$!
eventually 20 test -s "$info" || fail "background cluster did not start"
kill -KILL "$sub"
wait "$sub" 2>/dev/null || true
kill "$(cat "$info.sleep")" 2>/dev/null || true
read -r sub_dir sub_pid <"$info"
assert_cmd "SIGKILL: watchdog stopped and removed the cluster" eventually 15 gone "$sub_dir" "$sub_pid"

# PGH_SSL=off and PGH_EXTRA_CONF.
if (

    PGH_SSL=off
    PGH_EXTRA_CONF="work_mem = '7MB'"
    pg_start
    export PGPASSWORD=$PGH_PASSWORD
    tcp="host=127.0.0.1 port=$PGH_PORT user=tap dbname=tapdb"
    v=$(psql -X -At "$tcp sslmode=disable" -c 'select ssl from pg_stat_ssl where pid = pg_backend_pid()')
    [[ $v == f ]] || { echo "ssl=off server: ssl=$v"; exit 1; }
    if psql -X -At "$tcp sslmode=require" -c 'select 1' >/dev/null 2>&1; then
        echo "ssl=off server accepted sslmode=require"; exit 1
    fi
    [[ $(pg_sql_value 'show work_mem') == 7MB ]] || { echo "PGH_EXTRA_CONF ignored"; exit 1; }
); then assert_pass "PGH_SSL=off, PGH_EXTRA_CONF"; else fail "PGH_SSL=off, PGH_EXTRA_CONF"; fi

dir=$PGH_DIR
pg_stop
pg_stop
assert_cmd "pg_stop removes the directory, twice is fine" test ! -e "$dir"
assert_done
