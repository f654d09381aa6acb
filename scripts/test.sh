#!/usr/bin/env bash
# The test command (CI runs it through .ci/run): install dependencies, build
# with -Werror under ASan+UBSan and run every suite; run cppcheck on src/;
# build without sanitizers and run every suite again under valgrind; then
# scan what the runs wrote for passwords (suite "final"). Ends with one line
# "N passed, N failed[, N skipped]" counting the tests of every run (and
# cppcheck as one).  Exit status non-zero when a build, a step or any test
# failed.
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
meson test -C "$builddir" --setup=sanitize --no-suite final --print-errorlogs --num-processes 2 </dev/null || rc=$?

log=$logdir/testlog-sanitize.json
[[ -f $log ]] || log=$logdir/testlog.json
if [[ ! -f $log ]]; then
    summary_and_exit " (meson test wrote no log, status $rc)" "$(( rc ? rc : 1 ))"
fi
logs=("$log")
steps=()   # name:OK|FAIL of the steps that are not meson tests

# Static analysis of src/ (a few seconds).
t0=$SECONDS
if bash scripts/cppcheck.sh "$builddir" </dev/null; then
    steps+=(cppcheck:OK)
else
    steps+=(cppcheck:FAIL); rc=1
fi
echo "cppcheck: $(( SECONDS - t0 ))s"

# Every suite again under valgrind, in a build without sanitizers (they
# cannot be combined): C tests run under memcheck, script tests run each
# tap-postgres under it (tests/harness/valgrind.sh). A memory error or a
# definite/indirect leak fails the test.
t0=$SECONDS
vgdir=${TAP_TEST_VG_BUILDDIR:-$builddir-valgrind}
vg_args=(-Dwerror=true --buildtype=debugoptimized)
if [[ -f $vgdir/meson-private/coredata.dat ]] &&
   meson setup --reconfigure "$vgdir" "${vg_args[@]}" </dev/null; then :
else
    rm -rf "$vgdir"
    meson setup "$vgdir" "${vg_args[@]}" </dev/null || steps+=(valgrind-setup:FAIL)
fi
# Every test runs under memcheck too (each tap-postgres run costs seconds
# there, OpenSSL and libpq being instrumented too), but for those that
# would only repeat what the first pass checked: the fault tests' second
# run with two connections (sync_parallel runs the parallel code under
# memcheck), and the tests of the build, install and packaging (they run a
# tap-postgres of their own build, not this one). TAP_TEST_VG_SKIP="name
# ..." leaves more out for a quicker local run.
vg_skip_always=(fault_server_stop_p2 fault_backend_kill_p2
                fault_statement_timeout_p2 fault_tcp_cut_p2
                fault_permission_p2 fault_type_change_p2 sync_errors_p2
                pip_install demo install meltano_yml format)
read -r -a vg_skip <<<"${TAP_TEST_VG_SKIP:-}"
vg_skip+=("${vg_skip_always[@]}")
if [[ -f $vgdir/build.ninja ]] && ninja -C "$vgdir" </dev/null; then
    rm -f "$vgdir"/meson-logs/testlog*.json
    rm -rf "$vgdir/meson-logs/valgrind"
    vg_tests=()
    while IFS= read -r t; do
        [[ " ${vg_skip[*]} " == *" ${t##* / } "* ]] || vg_tests+=("${t##* / }")
    done < <(meson test -C "$vgdir" --list --no-suite final </dev/null 2>/dev/null | grep ' / ')
    if (( ${#vg_tests[@]} )); then
        meson test -C "$vgdir" --setup=valgrind --print-errorlogs \
            --num-processes 2 "${vg_tests[@]}" </dev/null || rc=1
    else
        steps+=(valgrind-list:FAIL); rc=1
    fi
    if [[ -f $vgdir/meson-logs/testlog-valgrind.json ]]; then
        logs+=("$vgdir/meson-logs/testlog-valgrind.json")
    else
        steps+=(valgrind-run:FAIL); rc=1
    fi
    while IFS= read -r -d '' f; do
        echo "--- valgrind report $f:"; head -n 60 "$f"
    done < <(find "$vgdir/meson-logs/valgrind" -type f -size +0 -print0 2>/dev/null)
else
    steps+=(valgrind-build:FAIL); rc=1
fi
echo "valgrind: $(( SECONDS - t0 ))s"

# Last: no password in anything the runs above wrote.
TAP_SCAN_DIRS="$vgdir/meson-logs" meson test -C "$builddir" --suite final \
    --logbase testlog-final --print-errorlogs </dev/null || rc=1
if [[ -f $logdir/testlog-final.json ]]; then
    logs+=("$logdir/testlog-final.json")
else
    steps+=(password-scan:FAIL); rc=1
fi

# testlog.json holds one JSON object per test; a step is NAME:OK|FAIL.
summary=$(python3 - "${logs[@]}" "${steps[@]}" <<'PY'
import json, sys
passed = failed = skipped = 0
results = []
for arg in sys.argv[1:]:
    if arg.endswith((":OK", ":FAIL")):
        results.append(arg.rsplit(":", 1)[1])
        continue
    with open(arg, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                results.append(json.loads(line).get("result", ""))
for result in results:
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
[[ -n $summary ]] || summary_and_exit " (could not read ${logs[*]})" 1
echo "$summary"
exit $(( rc ? 1 : 0 ))
