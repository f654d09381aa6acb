#!/usr/bin/env bash
# Connection failures are told apart by codes (libpq's connection state,
# the SSL state, whether a password was asked for, the server's SQLSTATE),
# never by message text: with libpq speaking German (LANGUAGE=de,
# LC_ALL=de_DE.UTF-8) and the server too (lc_messages), a wrong password,
# a closed port, a missing database and a server without SSL still exit 3
# with the same English advice. The German text must really be there, or
# the test would prove nothing.
source "$SRCDIR/tests/harness/pg.sh"
locale -a 2>/dev/null | grep -qix 'de_DE.utf8' || {
    echo "FAIL: the de_DE.UTF-8 locale is missing; run scripts/install-deps.sh" >&2
    exit 1
}
PGH_EXTRA_CONF="lc_messages = 'de_DE.UTF-8'" pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"

# run_de OUT ERR ARGS...: run_tap with libpq's messages in German
run_de() { LANGUAGE=de LC_ALL=de_DE.UTF-8 LC_MESSAGES=de_DE.UTF-8 run_tap "$@"; }

# expect_failure EXIT ADVICE GERMAN DESCRIPTION: after run_de
expect_failure() {
    [[ $RC -eq $1 ]] || { cat "$T/e.err" >&2; fail "$4: exit $RC, want $1"; }
    pass "$4: exit $1"
    [[ ! -s $T/e.out ]] || fail "$4: stdout is not empty"
    tail -n1 "$T/e.err" | grep -q '^CRITICAL ' || fail "$4: last line is not CRITICAL"
    assert_contains "$T/e.err" "$2" "$4: English advice"
    [[ -z $3 ]] || assert_contains "$T/e.err" "$3" "$4: libpq's text is German"
}

# a connection that works says so in English too
pg_config_json "$T/config.json"
run_de "$T/t.out" "$T/t.err" --config "$T/config.json" --test
assert_ok "$T/t.err" "--test in German"
assert_contains "$T/t.err" 'connection test passed: database "tapdb" is reachable over SSL' "--test: English report"

# wrong password: 28P01 from a German server
pg_config_json "$T/badpw.json" password='"not-the-password-XYZ"'
run_de "$T/e.out" "$T/e.err" --config "$T/badpw.json" --test
expect_failure 3 'authentication failed for user "tap"; check "user" and "password" in the config' \
    'Passwort-Authentifizierung' "wrong password"
grep -q 'not-the-password-XYZ' "$T/e.err" && fail "the wrong password was printed"
grep -qE '28P01|LOCATION|auth\.c' "$T/e.err" && fail "the verbose parts of libpq's text were left in"
pass "wrong password: not printed, no SQLSTATE or source location in the text"

# a database that does not exist: 3D000
pg_config_json "$T/nodb.json" dbname='"no_such_db"'
run_de "$T/e.out" "$T/e.err" --config "$T/nodb.json" --test
expect_failure 3 "could not connect to 127.0.0.1:$PGH_PORT database \"no_such_db\"" \
    'existiert nicht' "missing database"

# a closed port on 127.0.0.1: retried (no server answered), then exit 3
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pg_config_json "$T/closed.json" port="$port"
run_de "$T/e.out" "$T/e.err" --config "$T/closed.json" --test
expect_failure 3 "could not connect to 127.0.0.1:$port: no server accepted the connection" \
    'Verbindung zum Server' "closed port"
assert_contains "$T/e.err" "(attempt 3 of 4); retrying in 2000 ms" "closed port: retried with backoff"

# a server without SSL while sslmode is require
(
    export PGH_SSL=off
    PGH_EXTRA_CONF="lc_messages = 'de_DE.UTF-8'" pg_start || exit 1
    pg_config_json "$T/nossl.json"
    run_de "$T/e.out" "$T/e.err" --config "$T/nossl.json" --test
    expect_failure 3 'the server does not accept SSL connections, but "sslmode" is "require"' \
        '' "server without SSL"
    assert_contains "$T/e.err" 'set "sslmode": "prefer"' "server without SSL: the fix is named"
    grep -q 'attempt 1 of' "$T/e.err" && fail "server without SSL: retried"
    pass "server without SSL: not retried"
)
echo "all passed"
