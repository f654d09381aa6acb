#!/usr/bin/env bash
# secrets.sh: the password never appears in any output, whatever goes
# wrong: database_url values that libpq rejects (with the password in the
# user info, percent-encoded, or in the query string), DATABASE_URL from
# the environment, a config value equal to the password, a refused
# connection, and --about given a config. No server: everything fails
# before a connection or at a closed port on 127.0.0.1 (no DNS lookups).
#
# Exit 0 = pass, 1 = fail, 77 = skip. Needs TAP_BIN.
set -u

: "${TAP_BIN:?TAP_BIN is not set}"
[ -x "$TAP_BIN" ] || { echo "1..0 # SKIP no binary at $TAP_BIN"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/secrets.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
unset DATABASE_URL PGPASSWORD PGHOST PGPORT PGSSLMODE PGSERVICE PGPASSFILE

# The secret in its plain and percent-encoded spellings (%70 is "p").
SECRET='SECRETpw'
ENCODED='SECRET%70w'
port=""
for p in 1 9 19 49151 59999; do
	if ! (: <>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "1..0 # SKIP no closed port found on 127.0.0.1"; exit 77; }

# shellcheck source=tests/cli/lib.sh
. "$SRCDIR/tests/cli/lib.sh"

# no_secret LABEL WANT_RC ARGS...: runs the tap; checks the exit status,
# a last CRITICAL line, and that no spelling of the secret was printed
no_secret() {
	local label=$1 want=$2 before rc
	before=$(assert_failures)
	shift 2
	timeout -k 5 60 "$TAP_BIN" "$@" > "$WORK/out" 2> "$WORK/err"
	rc=$?
	assert_exit "$want" "$rc" "$label: exit $want"
	if [ "$want" != 0 ]; then
		assert_match '^CRITICAL ' "$(tail -n 1 "$WORK/err")" \
			"$label: ends with a CRITICAL line"
	fi
	# either spelling, in any case
	! grep -qiF -e "$SECRET" -e "$ENCODED" "$WORK/out" "$WORK/err"
	assert_status $? "$label: the password appears nowhere"
	if [ "$(assert_failures)" -gt "$before" ]; then
		sed 's/^/#   stderr: /' "$WORK/err"
	fi
}

url_case() {   # LABEL WANT_RC URL
	printf '{"database_url": "%s"}\n' "$3" > "$WORK/url.json"
	no_secret "$1" "$2" --config "$WORK/url.json" --test
}

U="u:$SECRET@127.0.0.1:$port/db"
url_case "database_url, unknown query parameter" 2 "postgres://$U?bogus=1"
url_case "database_url, percent-encoded password" 2 "postgres://u:$ENCODED@127.0.0.1:$port/db?bogus=1"
url_case "database_url, password in the query" 2 "postgres://u@127.0.0.1:$port/db?password=$SECRET&bogus=1"
url_case "database_url, unterminated IPv6 bracket" 2 "postgres://u:$SECRET@[::1/db"
url_case "database_url, bad percent-encoding" 2 "postgres://u:$SECRET%zz@127.0.0.1:$port/db"
url_case "database_url, bad port" 3 "postgresql://u:$SECRET@127.0.0.1:notaport/db"
url_case "database_url, bad sslmode" 2 "postgres://$U?sslmode=sometimes"
url_case "database_url, wrong scheme" 2 "mysql://$U"

echo '{}' > "$WORK/empty.json"
DATABASE_URL="postgres://$U?bogus=1" no_secret "DATABASE_URL from the environment" 2 \
	--config "$WORK/empty.json" --test

cat > "$WORK/same.json" <<JSON
{"host": "127.0.0.1", "port": $port, "password": "$SECRET", "sslmode": "$SECRET"}
JSON
no_secret "a value equal to the password (sslmode)" 2 --config "$WORK/same.json" --test

cat > "$WORK/typo.json" <<JSON
{"host": "127.0.0.1", "port": $port, "pasword": "$SECRET", "db_password": "$SECRET",
 "sqlalchemy_url": "postgres://$U", "extra": {"password": "$SECRET"}, "password": 5}
JSON
no_secret "unknown keys and a password of the wrong type" 2 --config "$WORK/typo.json" --test

cat > "$WORK/refused.json" <<JSON
{"host": "127.0.0.1", "port": $port, "user": "u", "password": "$SECRET",
 "database_url": "postgres://$U", "sslmode": "disable", "connect_timeout": 2}
JSON
no_secret "a refused connection (--discover)" 3 --config "$WORK/refused.json" --discover

for fmt in "" "--format json" "--format markdown"; do
	# shellcheck disable=SC2086
	no_secret "--about $fmt with a config" 0 --about $fmt --config "$WORK/refused.json"
done

assert_done
