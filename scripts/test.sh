#!/usr/bin/env bash
# The test command (CI runs it through .ci/run): install dependencies, build
# with -Werror under ASan+UBSan, run every suite, and end with one line
# "N passed, N failed[, N skipped]".  Exit status non-zero when the build or
# any test failed.
set -euo pipefail
cd "$(dirname "$0")/.."

builddir=${TAP_TEST_BUILDDIR:-build-ci}
# shellcheck disable=SC2054 # the comma belongs to the option
setup_args=(-Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
            --buildtype=debug)

summary_and_exit() {   # $1: extra note for the last line, $2: exit status
    echo "0 passed, 0 failed$1"
    exit "$2"
}

bash scripts/install-deps.sh </dev/null

# Reuse the build directory when meson can reconfigure it, else start over.
configured=0
if [[ -f $builddir/meson-private/coredata.dat ]]; then
    meson setup --reconfigure "$builddir" "${setup_args[@]}" </dev/null && configured=1
fi
if (( ! configured )); then
    rm -rf "$builddir"
    meson setup "$builddir" "${setup_args[@]}" </dev/null ||
        summary_and_exit " (meson setup failed)" 1
fi

ninja -C "$builddir" </dev/null || summary_and_exit " (build failed)" 1

# meson names the log after the setup: testlog-sanitize.json.
logdir=$builddir/meson-logs
rm -f "$logdir"/testlog*.json
rc=0
meson test -C "$builddir" --setup=sanitize --print-errorlogs --num-processes 2 </dev/null || rc=$?

log=$logdir/testlog-sanitize.json
[[ -f $log ]] || log=$logdir/testlog.json
if [[ ! -f $log ]]; then
    summary_and_exit " (meson test wrote no log, status $rc)" "$(( rc ? rc : 1 ))"
fi

# testlog.json holds one JSON object per test.
summary=$(python3 - "$log" <<'PY'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        result = json.loads(line).get("result", "")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:   # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, anything unknown
            failed += 1
s = f"{passed} passed, {failed} failed"
if skipped:
    s += f", {skipped} skipped"
print(s)
sys.exit(1 if failed else 0)
PY
) || rc=1
[[ -n $summary ]] || summary_and_exit " (could not read $log)" 1
echo "$summary"
exit $(( rc ? 1 : 0 ))
