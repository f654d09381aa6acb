#!/usr/bin/env bash
# config_errors.sh: bad config files make the tap exit 2 with one last
# "CRITICAL ..." line naming the file and the key, nothing on stdout, and
# never the password; --about (json, markdown, text) needs no config and
# lists every config key.
#
# Exit 0 = pass, 1 = fail, 77 = skip. Needs TAP_BIN and SRCDIR (set by
# tests/meson.build).
set -u

: "${TAP_BIN:?TAP_BIN is not set}"
: "${SRCDIR:?SRCDIR is not set}"
[ -x "$TAP_BIN" ] || { echo "1..0 # SKIP no binary at $TAP_BIN"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/config_errors.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
unset DATABASE_URL PGPASSWORD

SECRET='Tst-pw-7hq2Zx'
# shellcheck source=tests/cli/lib.sh
. "$SRCDIR/tests/cli/lib.sh"

# bad_config LABEL KEY FILE-NAME CONTENT: runs --discover on the config
# and checks the exit status, stdout, the last stderr line and the secret.
bad_config() {
	local label=$1 key=$2 file="$WORK/$3" content=$4 rc last before
	before=$(assert_failures)
	printf '%s' "$content" > "$file"
	"$TAP_BIN" --config "$file" --discover > "$WORK/out" 2> "$WORK/err"
	rc=$?
	last=$(tail -n 1 "$WORK/err")
	assert_exit 2 "$rc" "$label: exit 2"
	assert_eq 0 "$(stat -c %s "$WORK/out")" "$label: nothing on stdout"
	assert_match '^CRITICAL ' "$last" "$label: last stderr line is CRITICAL"
	assert_substr "$last" "\"$file\"" "$label: names the file"
	if [ -n "$key" ]; then
		assert_substr "$last" "\"$key\"" "$label: names the key \"$key\""
	fi
	cat "$WORK/out" "$WORK/err" > "$WORK/all"
	assert_not_contains "$WORK/all" "$SECRET" \
		"$label: the password appears nowhere"
	if [ "$(assert_failures)" -gt "$before" ]; then
		sed 's/^/#   stderr: /' "$WORK/err"
	fi
}

C="\"host\": \"db.example.com\", \"user\": \"etl\", \"password\": \"$SECRET\""

bad_config "port abc" port port.json "{$C, \"port\": \"abc\"}"
bad_config "port 70000" port port2.json "{$C, \"port\": 70000}"
bad_config "sslmode unknown" sslmode sslmode.json "{$C, \"sslmode\": \"sometimes\"}"
bad_config "ssl yes" ssl ssl.json "{$C, \"ssl\": \"yes\"}"
bad_config "itersize 0" itersize itersize.json "{$C, \"itersize\": 0}"
bad_config "filter_schemas number" filter_schemas fs.json "{$C, \"filter_schemas\": 5}"
bad_config "replication method" default_replication_method rm.json \
	"{$C, \"default_replication_method\": \"SOMETIMES\"}"
bad_config "sslrootcert missing" sslrootcert ca.json \
	"{$C, \"sslrootcert\": \"$WORK/no-such-ca.crt\"}"
bad_config "password a number" password pwnum.yaml \
	"host: h
password: 12345678
"
bad_config "database_url scheme" database_url url.json \
	"{\"database_url\": \"mysql://etl:$SECRET@db.example.com/shop\"}"
bad_config "YAML port" port port.yaml \
	"host: db.example.com
password: $SECRET
port: abc
"
bad_config "no connection information" "" noconn.json \
	"{\"user\": \"etl\", \"password\": \"$SECRET\"}"
bad_config "truncated JSON" "" trunc.json "{\"host\": \"h\", \"password\": \"$SECRET\""
bad_config "YAML syntax" "" syntax.yaml "host: h: x
password: $SECRET
"
bad_config "empty file" "" empty.json ""
bad_config "top-level array" "" array.json "[\"$SECRET\"]"

# a missing config file
"$TAP_BIN" --config "$WORK/absent.json" --discover > "$WORK/out" 2> "$WORK/err"
rc=$?
assert_exit 2 "$rc" "missing config: exit 2"
assert_match "^CRITICAL .*absent.json" "$(tail -n 1 "$WORK/err")" \
	"missing config: CRITICAL line names the file"

# --about --format json: valid JSON listing every key of samples/config.json
keys=$(grep -o '^  "[a-z_]*":' "$SRCDIR/samples/config.json" | tr -d ' ":')
for spelling in "--format json" "--format=json"; do
	# shellcheck disable=SC2086
	"$TAP_BIN" --about $spelling > "$WORK/about.json" 2> "$WORK/err"
	rc=$?
	assert_exit 0 "$rc" "--about $spelling: exit 0"
	assert_cmd "--about $spelling: valid JSON" \
		python3 -m json.tool "$WORK/about.json"
	# shellcheck disable=SC2086
	missing=$(python3 -c 'import json,sys
try:
    props = json.load(open(sys.argv[1]))["settings"]["properties"]
except Exception:
    props = {}
print(" ".join(k for k in sys.argv[2:] if k not in props))' \
		"$WORK/about.json" $keys 2> /dev/null)
	assert_status "$([ -z "$missing" ] && [ -n "$keys" ]; echo $?)" \
		"--about $spelling: lists every sample key${missing:+ (missing:$missing)}"
	assert_status "$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
caps = {"catalog","discover","state","properties","about","test"}
ok = d["name"] == "tap-postgres" and caps <= set(d["capabilities"]) \
	and d["settings"]["properties"]["password"].get("writeOnly") is True \
	and "require" in d["settings"]["properties"]["sslmode"]["enum"]
sys.exit(0 if ok else 1)' "$WORK/about.json" 2> /dev/null; echo $?)" \
		"--about $spelling: name, capabilities, secret and enum marks"
done

# --about as markdown and as text: every key, no config needed
"$TAP_BIN" --about --format markdown > "$WORK/about.md" 2> "$WORK/err"
rc=$?
assert_exit 0 "$rc" "--about --format markdown: exit 0"
missing=""
for k in $keys; do
	grep -qF "| \`$k\` |" "$WORK/about.md" || missing="$missing $k"
done
assert_eq "" "$missing" "--about --format markdown: a table row per key"
"$TAP_BIN" --about > "$WORK/about.txt" 2> "$WORK/err"
rc=$?
assert_status "$([ "$rc" = 0 ] && grep -q "sslmode" "$WORK/about.txt"; echo $?)" \
	"--about (text): exit 0, lists keys (exit $rc)"
"$TAP_BIN" --about --format yaml > "$WORK/out" 2> "$WORK/err"
rc=$?
assert_status "$([ "$rc" = 2 ] && [ ! -s "$WORK/out" ]; echo $?)" \
	"--about --format yaml: exit 2, nothing on stdout (exit $rc)"

assert_done
