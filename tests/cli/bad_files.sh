#!/usr/bin/env bash
# bad_files.sh: hostile or broken catalog and state files. The tap reads
# the config, then the catalog, then the state, and only then connects;
# the config here points at a closed port on 127.0.0.1, so a file error
# must end the run first: exit 2, one last "CRITICAL ..." line naming the
# file, nothing on stdout, within 20 s and (outside the sanitizer and
# valgrind setups, which need a huge address space) 1 GiB of address
# space. A file that is fine (an empty or missing state) gets as far as
# the connection, which fails with exit 3.
#
# Config errors are tests/cli/config_errors.sh's; parser details are
# tests/unit/test_docload.c's. Exit 0 = pass, 1 = fail, 77 = skip.
set -u

: "${TAP_BIN:?TAP_BIN is not set}"
[ -x "$TAP_BIN" ] || { echo "1..0 # SKIP no binary at $TAP_BIN"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bad_files.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
unset DATABASE_URL PGPASSWORD PGHOST PGPORT PGSSLMODE PGSERVICE

# The valgrind setup runs the binary 20-50 times slower.
limit_s=20
[ "${TAP_VALGRIND:-0}" = 1 ] && limit_s=200
limit_kb=$((1024 * 1024))

# A closed port: nothing may answer there, so a connection attempt fails
# at once with "connection refused".
port=""
for p in 1 9 19 49151 59999 60998; do
	if ! (: <>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "1..0 # SKIP no closed port found on 127.0.0.1"; exit 77; }

SECRET='bf-Pw-3c9d1e'
cat > "$WORK/config.json" <<JSON
{"host": "127.0.0.1", "port": $port, "user": "tap", "password": "$SECRET",
 "dbname": "tapdb", "sslmode": "disable", "connect_timeout": 5}
JSON

# shellcheck source=tests/cli/lib.sh
. "$SRCDIR/tests/cli/lib.sh"

# run_tap ARGS...: the tap with time and memory bounds; sets rc, secs
run_tap() {
	local t0 t1
	t0=$(date +%s%N)
	(
		if [ "${TAP_SANITIZE:-0}" != 1 ] && [ "${TAP_VALGRIND:-0}" != 1 ]; then
			ulimit -v "$limit_kb" || exit 125
		fi
		exec timeout -k 5 "$limit_s" "$TAP_BIN" --config "$WORK/config.json" "$@"
	) > "$WORK/out" 2> "$WORK/err"
	rc=$?
	t1=$(date +%s%N)
	secs=$(( (t1 - t0) / 1000000000 ))
}

# expect_file_error LABEL KIND FILE REGEX: a sync with FILE as the
# catalog (KIND catalog) or the state (KIND state, with a good catalog)
# fails with exit 2 and a last line naming FILE and matching REGEX.
expect_file_error() {
	local label=$1 kind=$2 file=$3 re=$4 last before
	before=$(assert_failures)
	if [ "$kind" = catalog ]; then
		run_tap --catalog "$file"
	else
		run_tap --catalog "$WORK/good.catalog.json" --state "$file"
	fi
	last=$(tail -n 1 "$WORK/err")
	assert_exit 2 "$rc" "$kind $label: exit 2 (in ${secs}s)"
	assert_eq 0 "$(stat -c %s "$WORK/out")" "$kind $label: nothing on stdout"
	assert_status "$(case $last in "CRITICAL "*"\"$file\""*) echo 0;; *) echo 1;; esac)" \
		"$kind $label: last line is CRITICAL and names the file"
	assert_match "$re" "$last" "$kind $label: message says what is wrong (/$re/)"
	! grep -qiE 'connect|server' "$WORK/err"
	assert_status $? "$kind $label: fails before any connection"
	cat "$WORK/out" "$WORK/err" > "$WORK/all"
	assert_not_contains "$WORK/all" "$SECRET" \
		"$kind $label: the password appears nowhere"
	if [ "$(assert_failures)" -gt "$before" ]; then
		head -c 2000 "$WORK/err" | sed 's/^/#   stderr: /'
	fi
}

# expect_connect LABEL ARGS...: the files were fine; the run got as far
# as the (refused) connection
expect_connect() {
	local label=$1 before
	before=$(assert_failures)
	shift
	run_tap "$@"
	assert_exit 3 "$rc" "$label: accepted, then exit 3 at the connection"
	tail -n 1 "$WORK/err" | grep -qiE 'connect'
	assert_status $? "$label: the last line is about the connection"
	if [ "$(assert_failures)" -gt "$before" ]; then
		head -c 2000 "$WORK/err" | sed 's/^/#   stderr: /'
	fi
}

# A selected stream, so a good catalog goes on to the connection.
cat > "$WORK/good.catalog.json" <<'JSON'
{"streams": [{"tap_stream_id": "tapdb-public-t", "table_name": "t",
  "stream": "t",
  "schema": {"type": "object", "properties": {"id": {"type": ["integer"]}}},
  "metadata": [
    {"breadcrumb": [], "metadata": {"selected": true, "schema-name": "public",
      "database-name": "tapdb", "table-key-properties": ["id"]}},
    {"breadcrumb": ["properties", "id"],
     "metadata": {"inclusion": "automatic", "sql-datatype": "integer"}}]}]}
JSON

# ---- content shared by both kinds -------------------------------------
mk() { printf "$2" > "$WORK/$1"; }    # mk NAME PRINTF-FORMAT
python3 - "$WORK" <<'PY'
import sys, os
w = sys.argv[1]
def put(name, data):
    with open(os.path.join(w, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
n = 100000
put("deep.json", "{\"streams\": " + "[" * n + "]" * n + "}")
put("deep_flow.yaml", "streams: " + "[" * n + "]" * n + "\n")
put("deep_obj.json", "{\"bookmarks\": " + "{\"a\": " * n + "1" + "}" * n + "}")
laughs = ["lol: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
for i, name in enumerate("bcdefghij"):
    prev = "abcdefghij"[i]
    laughs.append(f"l{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
put("laughs.yaml", "\n".join(laughs) + "\nstreams: *j\nbookmarks: *j\n")
put("bad_utf8.json", b'{"streams": [], "x": "caf\xe9"}')
put("nul.json", b'{"streams": []}\x00{"streams": 5}')
put("utf16.json", "\ufeff{\"streams\": []}".encode("utf-16-le"))
put("binary.bin", bytes(range(1, 32)) * 4)
PY
mk empty.json ''
mk blank.json '  \n\t\n'
mk trunc.json '{"streams": [{"tap_stream_id": "a", "metadata": ['
mk not_json.txt 'this is neither JSON nor: YAML: at all: ['
mk top_array.json '[{"streams": []}]'
mk scalar.yaml 'just a string\n'
truncate -s 100M "$WORK/huge.json"
mkdir "$WORK/dir.json"

for kind in catalog state; do
	expect_file_error "truncated JSON" "$kind" "$WORK/trunc.json" 'could not parse|line [0-9]+'
	expect_file_error "neither JSON nor YAML" "$kind" "$WORK/not_json.txt" 'could not parse'
	expect_file_error "binary" "$kind" "$WORK/binary.bin" 'could not parse|not a text file|control'
	expect_file_error "top-level array" "$kind" "$WORK/top_array.json" 'must contain'
	expect_file_error "top-level scalar (YAML)" "$kind" "$WORK/scalar.yaml" 'must contain'
	expect_file_error "100 MB (sparse)" "$kind" "$WORK/huge.json" 'too large'
	expect_file_error "endless (/dev/zero)" "$kind" /dev/zero 'too large|NUL'
	expect_file_error "a directory" "$kind" "$WORK/dir.json" 'directory'
	expect_file_error "100,000 levels of JSON arrays" "$kind" "$WORK/deep.json" 'nesting is too deep'
	expect_file_error "100,000 levels of JSON objects" "$kind" "$WORK/deep_obj.json" 'nesting is too deep'
	expect_file_error "100,000 levels of YAML flow" "$kind" "$WORK/deep_flow.yaml" 'nesting is too deep|could not parse'
	expect_file_error "YAML billion laughs" "$kind" "$WORK/laughs.yaml" 'too many nodes'
	expect_file_error "invalid UTF-8" "$kind" "$WORK/bad_utf8.json" 'not valid UTF-8'
	expect_file_error "NUL byte" "$kind" "$WORK/nul.json" 'NUL'
	expect_file_error "UTF-16" "$kind" "$WORK/utf16.json" 'UTF-16'
done

# ---- catalog only ------------------------------------------------------
expect_file_error "empty" catalog "$WORK/empty.json" 'empty'
expect_file_error "blank" catalog "$WORK/blank.json" 'empty'
expect_file_error "missing" catalog "$WORK/absent.json" 'could not open'
mk c_streams_obj.json '{"streams": {"tapdb-public-t": {}}}'
expect_file_error "streams not a list" catalog "$WORK/c_streams_obj.json" '"streams"'
mk c_no_streams.json '{"stream": []}'
expect_file_error "no streams key" catalog "$WORK/c_no_streams.json" '"streams"'
mk c_entry_str.json '{"streams": ["tapdb-public-t"]}'
expect_file_error "stream not an object" catalog "$WORK/c_entry_str.json" 'tap_stream_id'
mk c_no_md.json '{"streams": [{"tap_stream_id": "tapdb-public-t", "schema": {"properties": {}}}]}'
expect_file_error "metadata missing" catalog "$WORK/c_no_md.json" '"metadata"'
mk c_md_obj.json '{"streams": [{"tap_stream_id": "tapdb-public-t", "metadata": {"selected": true}}]}'
expect_file_error "metadata not a list" catalog "$WORK/c_md_obj.json" '"metadata"'
mk c_no_schema.json '{"streams": [{"tap_stream_id": "x", "metadata": [{"breadcrumb": [], "metadata": {"selected": true, "schema-name": "public"}}]}]}'
expect_file_error "selected stream without schema" catalog "$WORK/c_no_schema.json" '"schema"'
mk c_no_schema_name.json '{"streams": [{"tap_stream_id": "x", "table_name": "t", "schema": {"properties": {"id": {}}}, "metadata": [{"breadcrumb": [], "metadata": {"selected": true}}]}]}'
expect_file_error "no schema-name" catalog "$WORK/c_no_schema_name.json" 'schema-name'
mk c_rkey_num.json '{"streams": [{"tap_stream_id": "x", "table_name": "t", "schema": {"properties": {"id": {"type": "integer"}}}, "metadata": [{"breadcrumb": [], "metadata": {"selected": true, "schema-name": "public", "replication-method": "INCREMENTAL", "replication-key": 5}}]}]}'
expect_file_error "replication-key a number" catalog "$WORK/c_rkey_num.json" 'replication-key'
mk c_keys_str.json '{"streams": [{"tap_stream_id": "x", "table_name": "t", "schema": {"properties": {"id": {"type": "integer"}}}, "metadata": [{"breadcrumb": [], "metadata": {"selected": true, "schema-name": "public", "table-key-properties": "id"}}]}]}'
expect_file_error "table-key-properties a string" catalog "$WORK/c_keys_str.json" 'table-key-properties'
mk c_method.json '{"streams": [{"tap_stream_id": "x", "table_name": "t", "schema": {"properties": {"id": {"type": "integer"}}}, "metadata": [{"breadcrumb": [], "metadata": {"selected": true, "schema-name": "public", "replication-method": "SOMETIMES"}}]}]}'
expect_file_error "unknown replication method" catalog "$WORK/c_method.json" 'SOMETIMES'

# ---- state only --------------------------------------------------------
mk s_bm_list.json '{"bookmarks": [{"tapdb-public-t": {}}]}'
expect_file_error "bookmarks not an object" state "$WORK/s_bm_list.json" '"bookmarks"'
mk s_bm_str.yaml 'bookmarks: tapdb-public-t\n'
expect_file_error "bookmarks a string (YAML)" state "$WORK/s_bm_str.yaml" '"bookmarks"'
mk s_one_bm.json '{"bookmarks": {"tapdb-public-t": [1, 2]}}'
expect_file_error "a bookmark not an object" state "$WORK/s_one_bm.json" 'tapdb-public-t'
mk s_cs.json '{"bookmarks": {}, "currently_syncing": 17}'
expect_file_error "currently_syncing a number" state "$WORK/s_cs.json" 'currently_syncing'
mk s_msg.json '{"type": "STATE", "value": {"bookmarks": 5}}'
expect_file_error "STATE message with bad bookmarks" state "$WORK/s_msg.json" '"bookmarks"'

# ---- files that are fine: the run reaches the connection ---------------
expect_connect "state empty" --catalog "$WORK/good.catalog.json" --state "$WORK/empty.json"
expect_connect "state missing" --catalog "$WORK/good.catalog.json" --state "$WORK/absent.json"
mk s_null.json '{"bookmarks": null, "currently_syncing": null, "extra": {"kept": true}}'
expect_connect "state with null bookmarks" --catalog "$WORK/good.catalog.json" --state "$WORK/s_null.json"

assert_done
