#!/usr/bin/env bash
# tests/fuzz/replay_selftest.sh FUZZ_SELFTEST: the fuzz replay fails on a
# finding in every build. tests/fuzz/fuzz_selftest.c breaks its invariant
# on inputs starting with "BAD" and crashes on "CRASH"; the replay must
# say "not ok" for exactly those inputs, go on with the next ones after a
# broken invariant, and exit non-zero.
set -uo pipefail
: "${SRCDIR:?}"
# shellcheck source=tests/harness/assert.sh
source "$SRCDIR/tests/harness/assert.sh"

BIN=${1:?usage: replay_selftest.sh FUZZ_SELFTEST}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir "$W/good" "$W/bad" "$W/crash"
printf 'fine' >"$W/good/a"
printf '' >"$W/good/b"
printf 'BA' >"$W/good/c"
printf 'fine' >"$W/bad/a"
printf 'BAD input' >"$W/bad/b"
printf 'also fine' >"$W/bad/c"
printf 'CRASH' >"$W/crash/a"

"$BIN" "$W/good" >"$W/good.out" 2>"$W/good.err"
rc=$?
assert_exit 0 "$rc" "a corpus without findings: exit 0" "$W/good.err"
assert_eq "ok 1 - $W/good/a
ok 2 - $W/good/b
ok 3 - $W/good/c
1..3" "$(cat "$W/good.out")" "a corpus without findings: every input ok"

"$BIN" "$W/bad" >"$W/bad.out" 2>"$W/bad.err"
rc=$?
assert_exit 1 "$rc" "a broken invariant: exit 1" "$W/bad.err"
assert_eq "ok 1 - $W/bad/a
not ok 2 - $W/bad/b: the input starts with BAD
ok 3 - $W/bad/c
1..3" "$(cat "$W/bad.out")" \
    "a broken invariant: that input is not ok, the others still run"
assert_contains "$W/bad.err" "fuzz invariant broken: the input starts with BAD" \
    "a broken invariant: the reason is on stderr"
assert_contains "$W/bad.err" "output (9 bytes): BAD input" \
    "a broken invariant: with what the target produced"
assert_contains "$W/bad.err" "1 of 3 inputs failed" \
    "a broken invariant: the count of failed inputs"

# a crash: a sanitizer reports it and ends the process; without one the
# replay's own handler prints the "not ok" line, then dies of the signal
"$BIN" "$W/crash" >"$W/crash.out" 2>"$W/crash.err"
rc=$?
assert_status "$([[ $rc -ne 0 ]]; echo $?)" "a crash: non-zero exit (got $rc)"
if grep -qE 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error' "$W/crash.err"; then
    assert_pass "a crash: the sanitizer reports it"
else
    assert_eq "not ok 1 - $W/crash/a: crashed (signal SIGSEGV)" \
        "$(cat "$W/crash.out")" "a crash: the input is not ok, naming the signal"
fi
! grep -q "^ok" "$W/crash.out"
assert_status $? "a crash: no ok line"

assert_done
