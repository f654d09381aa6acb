#!/usr/bin/env bash
# verbose_flag.sh: -v / --verbose adds DEBUG lines and changes nothing
# else: the exit status, stdout and the last CRITICAL line stay the same,
# without -v there is no DEBUG line, and the password never appears.
# Needs no server: it connects to a closed port on 127.0.0.1.
#
# Exit 0 = pass, 1 = fail, 77 = skip. Needs TAP_BIN and SRCDIR.
set -u

: "${TAP_BIN:?TAP_BIN is not set}"
: "${SRCDIR:?SRCDIR is not set}"
[ -x "$TAP_BIN" ] || { echo "1..0 # SKIP no binary at $TAP_BIN"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/verbose_flag.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
unset DATABASE_URL PGPASSWORD PGHOST PGPORT PGUSER PGDATABASE PGSSLMODE

SECRET='Vb-pw-93kQ%40x'
# shellcheck source=tests/cli/lib.sh
. "$SRCDIR/tests/cli/lib.sh"

"$TAP_BIN" --help > "$WORK/help" 2>&1
grep -q -- '-v, --verbose' "$WORK/help"
ok $? "--help lists -v, --verbose"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '{"database_url": "postgres://tap:%s@127.0.0.1:%s/tapdb"}\n' \
	"$SECRET" "$port" > "$WORK/closed.json"

for flag in -v --verbose ""; do
	label=${flag:-"no flag"}
	# shellcheck disable=SC2086 # an empty flag is no argument
	"$TAP_BIN" $flag --config "$WORK/closed.json" --test \
		> "$WORK/out" 2> "$WORK/err"
	rc=$?
	ok "$([ "$rc" = 3 ]; echo $?)" "$label: exit 3 (got $rc)"
	ok "$([ ! -s "$WORK/out" ]; echo $?)" "$label: nothing on stdout"
	last=$(tail -n 1 "$WORK/err")
	ok "$(case $last in "CRITICAL could not connect to 127.0.0.1:$port: "*) echo 0;; *) echo 1;; esac)" \
		"$label: the last line is the CRITICAL one"
	grep -qF -e "$SECRET" -e 'Vb-pw-93kQ@x' "$WORK/err"
	ok "$([ $? = 1 ]; echo $?)" "$label: the password is not printed"
	count=$(grep -c '^DEBUG connection attempt [123]: ' "$WORK/err")
	if [ -n "$flag" ]; then
		ok "$([ "$count" = 3 ]; echo $?)" "$label: one DEBUG line per failed attempt (got $count)"
	else
		count=$(grep -c '^DEBUG' "$WORK/err")
		ok "$([ "$count" = 0 ]; echo $?)" "$label: no DEBUG line (got $count)"
	fi
done

# -v does not turn a usage error into anything else
"$TAP_BIN" -v --discover > "$WORK/out" 2> "$WORK/err"
rc=$?
ok "$([ "$rc" = 2 ]; echo $?)" "-v without --config: exit 2 (got $rc)"
grep -q '^CRITICAL --config FILE is required' "$WORK/err"
ok $? "-v without --config: the usual message"

done_testing
