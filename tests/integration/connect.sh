#!/usr/bin/env bash
# Connecting: --test, SSL by default, database_url and DATABASE_URL, and the
# failures a user meets first (closed port, wrong password, plaintext
# refused, a server without SSL), each with exit 3, a CRITICAL line that
# says what to do, and never the password.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"

expect_connect_failure() { # TEXT DESCRIPTION (after run_tap)
    assert_exit 3 "$RC" "$2: exit 3" "$T/e.err"
    assert_eq 0 "$(stat -c %s "$T/e.out")" "$2: nothing on stdout"
    assert_match '^CRITICAL ' "$(tail -n1 "$T/e.err")" "$2: the last line is CRITICAL"
    assert_contains "$T/e.err" "$1" "$2"
}

# --test succeeds over SSL and says so
run_tap "$T/t.out" "$T/t.err" --config "$T/config.json" --test
assert_ok "$T/t.err" "--test against the harness server"
[[ ! -s $T/t.out ]] || fail "--test writes nothing to stdout"
assert_contains "$T/t.err" "connection test passed: database \"tapdb\" is reachable over SSL" "--test reports success"
grep -qE '^INFO connected to PostgreSQL 1[0-9.]+.* with SSL \(TLSv1\.[23], ' "$T/t.err" || fail "the INFO line names the version, SSL protocol and cipher"
pass "INFO line with server version and SSL protocol"

# JSON and YAML configs give the same catalog
cat >"$T/config.yaml" <<YAML
# the same settings as config.json
host: 127.0.0.1
port: $PGH_PORT
user: tap
password: "$PGH_PASSWORD"
dbname: tapdb
YAML
pg_load_fixture alltypes
run_tap "$T/j.out" "$T/j.err" --config "$T/config.json" --discover
assert_ok "$T/j.err" "discovery with the JSON config"
run_tap "$T/y.out" "$T/y.err" --config "$T/config.yaml" --discover
assert_ok "$T/y.err" "discovery with the YAML config"
cmp -s "$T/j.out" "$T/y.out" || fail "JSON and YAML configs give different catalogs"
pass "JSON and YAML configs give the same catalog"

# database_url, and the DATABASE_URL environment variable
url="postgres://tap:$PGH_PASSWORD@127.0.0.1:$PGH_PORT/tapdb"
printf '{"database_url": "%s"}\n' "$url" >"$T/url.json"
run_tap "$T/u.out" "$T/u.err" --config "$T/url.json" --test
assert_ok "$T/u.err" "database_url"
assert_contains "$T/u.err" "over SSL" "database_url: SSL by default"
echo '{}' >"$T/empty.json"
DATABASE_URL=$url run_tap "$T/u.out" "$T/u.err" --config "$T/empty.json" --test
assert_ok "$T/u.err" "DATABASE_URL from the environment"
grep -qF "$url" "$T/u.err" && fail "the URL was printed"
# discrete keys override the URL's parts
printf '{"database_url": "postgres://tap:%s@127.0.0.1:1/tapdb", "port": %s}\n' "$PGH_PASSWORD" "$PGH_PORT" >"$T/url2.json"
run_tap "$T/u.out" "$T/u.err" --config "$T/url2.json" --test
assert_ok "$T/u.err" "port overrides the URL's port"

# a URL libpq cannot read is bad input (2), and its password stays hidden
printf '{"database_url": "postgres://tap:%s@[::1/tapdb"}\n' "$PGH_PASSWORD" >"$T/badurl.json"
run_tap "$T/e.out" "$T/e.err" --config "$T/badurl.json" --test
[[ $RC -eq 2 ]] || fail "an unreadable database_url: exit $RC, want 2"
assert_contains "$T/e.err" 'key "database_url" is not a valid postgres:// URL' "an unreadable database_url is named"

# a closed port on 127.0.0.1: retried, then a clear failure
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pg_config_json "$T/closed.json" port="$port"
run_tap "$T/e.out" "$T/e.err" --config "$T/closed.json" --test
expect_connect_failure "could not connect to 127.0.0.1:$port" "closed port"
assert_contains "$T/e.err" "(attempt 3 of 4); retrying in 2000 ms" "closed port: retried with backoff"
run_tap "$T/e.out" "$T/e.err" --config "$T/closed.json" --discover
expect_connect_failure "could not connect to 127.0.0.1:$port" "closed port (discover)"

# a wrong password: the message names the user, never either password
pg_config_json "$T/badpw.json" password='"not-the-password-XYZ"'
run_tap "$T/e.out" "$T/e.err" --config "$T/badpw.json" --test
expect_connect_failure 'authentication failed for user "tap"' "wrong password"
grep -q 'not-the-password-XYZ' "$T/e.err" && fail "the wrong password was printed"
pass "wrong password not printed"

# plaintext is refused by the server (hostssl only)
pg_config_json "$T/plain.json" sslmode='"disable"'
run_tap "$T/e.out" "$T/e.err" --config "$T/plain.json" --test
expect_connect_failure "no encryption" "sslmode disable against an SSL-only server"

# a server without SSL while sslmode is require
(
    export PGH_SSL=off
    pg_start || exit 1
    pg_config_json "$T/nossl.json"
    run_tap "$T/e.out" "$T/e.err" --config "$T/nossl.json" --test
    expect_connect_failure 'the server does not accept SSL connections, but "sslmode" is "require"' "server without SSL"
    assert_contains "$T/e.err" 'set "sslmode": "prefer"' "server without SSL: the fix is named"
    pg_config_json "$T/nossl2.json" sslmode='"prefer"'
    run_tap "$T/e.out" "$T/e.err" --config "$T/nossl2.json" --test
    assert_ok "$T/e.err" "sslmode prefer against a server without SSL"
    assert_contains "$T/e.err" "WITHOUT SSL" "a connection without SSL is a WARNING"
)
assert_done
