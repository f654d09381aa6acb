#!/usr/bin/env bash
# A full disk under a regular file: stdout redirected to a file on a small
# tmpfs that fills up mid-sync. The run exits 5 with one CRITICAL line,
# and the file keeps whole messages only: the part of the last line that
# did get written is cut off (a character device such as /dev/full never
# gets that far, see sync_errors.sh). Needs root, to mount the tmpfs.
set -euo pipefail
if [[ $(id -u) != 0 ]]; then
    echo "SKIP: mounting a tmpfs needs root (CI runs as root)"
    exit 77
fi
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"

FULL=$(mktemp -d /tmp/tap-disk-full.XXXXXX)
if ! mount -t tmpfs -o size=1m,mode=0700 tap-disk-full "$FULL" 2>"$T/mount.err"; then
    rmdir "$FULL"
    echo "SKIP: cannot mount a tmpfs here: $(cat "$T/mount.err")"
    exit 77
fi
# unmounted whatever happens next (pg_on_exit hooks run on every exit)
pg_on_exit "umount '$FULL' && rmdir '$FULL'"

pg_config_json "$T/config.json"
# rows of varying length, so that the disk fills up in the middle of a line
pg_sql >/dev/null <<'SQL'
CREATE TABLE public.wide AS
    SELECT g AS id, repeat(chr(97 + g % 26), 50 + (g * 7919) % 211) AS t
    FROM generate_series(1, 20000) g;
ALTER TABLE public.wide ADD PRIMARY KEY (id);
GRANT SELECT ON public.wide TO tap;
SQL
discover_select "$T/wide.json" public.wide:FULL_TABLE

set +e
"$TAP_BIN" --config "$T/config.json" --catalog "$T/wide.json" >"$FULL/out.jsonl" 2>"$T/full.err"
rc=$?
set -e
assert_exit 5 "$rc" "a full disk: exit 5" "$T/full.err"
assert_eq "CRITICAL could not write to standard output: no space left on device" \
    "$(tail -n 1 "$T/full.err")" "a full disk: the last stderr line says so"
assert_eq 1 "$(grep -c '^CRITICAL ' "$T/full.err")" "a full disk: one CRITICAL line"
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/full.err"; then
    fail "a full disk: sanitizer report"
fi

size=$(stat -c %s "$FULL/out.jsonl")
free=$(df --output=avail -B1 "$FULL" | tail -n 1 | tr -d ' ')
printf '# file: %s bytes, %s bytes left on the tmpfs\n' "$size" "$free"
assert_eq 1 "$([[ $size -gt 500000 ]] && echo 1 || echo 0)" \
    "a full disk: the file filled most of the 1 MiB tmpfs ($size bytes)"
assert_eq '\n' "$(tail -c 1 "$FULL/out.jsonl" | od -An -c | tr -d ' ')" \
    "a full disk: the file ends with a newline"
python3 "$MSGS" check "$FULL/out.jsonl" >"$T/check.out" 2>&1 || {
    cat "$T/check.out" >&2
    fail "a full disk: the file is not whole Singer messages"
}
pass "a full disk: every line is a whole Singer message"
# the records that made it are the first rows, each complete, in order
n=$(python3 "$MSGS" count "$FULL/out.jsonl" wide)
python3 "$MSGS" records "$FULL/out.jsonl" wide >"$T/got.jsonl"
pg_sql -c "SELECT row_to_json(x) FROM (SELECT id, t FROM public.wide ORDER BY id LIMIT $n) x" |
    python3 -c 'import json,sys
for l in sys.stdin:
    print(json.dumps(json.loads(l), separators=(",", ":"), sort_keys=True))' >"$T/want.jsonl"
python3 -c 'import json,sys
for l in open(sys.argv[1]):
    print(json.dumps(json.loads(l), separators=(",", ":"), sort_keys=True))' "$T/got.jsonl" |
    sort -t: -k2 -n >"$T/got.sorted"
sort -t: -k2 -n "$T/want.jsonl" >"$T/want.sorted"
if ! cmp -s "$T/want.sorted" "$T/got.sorted"; then
    diff "$T/want.sorted" "$T/got.sorted" | head -n 5 >&2
    fail "a full disk: the $n records written are not the table's first $n rows"
fi
pass "a full disk: the $n records written are whole rows with their values"
assert_done
