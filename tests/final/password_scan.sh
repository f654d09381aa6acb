#!/usr/bin/env bash
# password_scan.sh: no password the tests used appears in anything the test
# runs wrote: the meson logs (every test's output, the valgrind reports) of
# this build and of the builds named in $TAP_SCAN_DIRS, and the *.log files
# of harness directories kept with TAP_TEST_KEEP. Each integration test's
# password is "tap-Pw-" and 24 random hex digits (tests/harness/pg.sh); the
# cli tests use fixed ones.
#
# scripts/test.sh runs this suite ("final") after all the others, so the
# logs are complete; `meson test` alone runs it last too (priority), but
# then it sees the logs of the previous run. Exit 0 = pass, 1 = fail.
set -u
: "${BUILDDIR:?BUILDDIR is not set}"

pattern='tap-Pw-[0-9a-f]{24}|Tst-pw-7hq2Zx|bf-Pw-3c9d1e|SECRETpw|SECRET%70w'
dirs=("$BUILDDIR/meson-logs")
# shellcheck disable=SC2206 # a space-separated list of directories
dirs+=(${TAP_SCAN_DIRS:-})
for d in /tmp/pgh.*/; do
	[ -e "$d/.keep" ] && dirs+=("$d")
done

files=()
for d in "${dirs[@]}"; do
	[ -d "$d" ] || continue
	while IFS= read -r -d '' f; do
		files+=("$f")
	done < <(find "$d" -type f \( -name '*.log' -o -name '*.txt' -o -name '*.json' \) \
		! -path '*/data/*' -print0)
done
if [ "${#files[@]}" = 0 ]; then
	echo "1..0 # SKIP no test logs to scan yet"
	exit 77
fi
bytes=$(cat "${files[@]}" | wc -c)

hits=$(grep -lE -- "$pattern" "${files[@]}" 2>/dev/null)
if [ -n "$hits" ]; then
	echo "not ok 1 - a password appears in what the tests wrote:"
	for f in $hits; do
		echo "#   $f:"
		# where, with the password itself masked
		grep -nEo -- ".{0,60}($pattern).{0,20}" "$f" | head -n 3 |
			sed -E "s/$pattern/<password>/g; s/^/#     /"
	done
	echo "1..1"
	exit 1
fi
echo "ok 1 - no password in ${#files[@]} files ($bytes bytes) under ${dirs[*]}"
echo "1..1"
