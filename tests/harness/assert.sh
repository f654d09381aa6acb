# shellcheck shell=bash
# tests/harness/assert.sh: the assertions of every shell test.
#
# Each assertion prints one TAP line on stdout, "ok N - WHAT" or
# "not ok N - WHAT"; a failure's evidence follows as "#" lines on stderr.
# assert_done prints the plan ("1..N") and a summary and returns non-zero
# if any assertion failed.
#
#   assert_status STATUS WHAT        STATUS (of a command) is 0
#   assert_eq WANT GOT WHAT          the two strings are equal
#   assert_match REGEX TEXT WHAT     TEXT matches the extended REGEX
#   assert_substr TEXT PART WHAT     TEXT holds PART (a fixed string)
#   assert_contains FILE TEXT WHAT   FILE holds TEXT (a fixed string)
#   assert_not_contains FILE TEXT WHAT
#   assert_exit WANT GOT WHAT [LOG]  exit status GOT is WANT (LOG's tail is
#                                    shown when it is not)
#   assert_cmd WHAT CMD [ARGS...]    CMD succeeds (its output is shown only
#                                    if it fails)
#   assert_pass WHAT                 records a check made by other means
#   assert_fail WHAT [DETAIL...]     records a failed check
#   fail DETAIL...                   a failed check that ends the test now
#   assert_failures                  prints how many assertions failed so far
#   assert_done                      plan, summary, status
#
# ASSERT_STOP=1 makes the first failure end the test (exit 1): for tests
# whose later steps build on the earlier ones (the integration tests).
# Otherwise every assertion runs and assert_done gives the verdict; a
# test that exits without calling it still fails if an assertion failed
# (when the test has no EXIT trap of its own; tests/harness/pg.sh's
# tests run with ASSERT_STOP=1).

[[ -n ${_ASSERT_LOADED:-} ]] && return 0
_ASSERT_LOADED=1
_assert_n=0
_assert_failed=0
: "${ASSERT_STOP:=0}"

# _assert_record OK WHAT [DETAIL...]: the one place a result is counted
_assert_record() {
    local pass=$1 what=$2
    shift 2
    _assert_n=$((_assert_n + 1))
    if [[ $pass == 1 ]]; then
        printf 'ok %d - %s\n' "$_assert_n" "$what"
        return 0
    fi
    _assert_failed=$((_assert_failed + 1))
    printf 'not ok %d - %s\n' "$_assert_n" "$what"
    local line
    for line in "$@"; do
        printf '#   %s\n' "$line" >&2
    done
    if [[ $ASSERT_STOP == 1 ]]; then
        # stderr too: the caller may have sent stdout away
        printf '# not ok %d - %s\n' "$_assert_n" "$what" >&2
        _ASSERT_DONE=1
        _assert_summary
        exit 1
    fi
    return 1
}

_assert_summary() {
    printf '1..%d\n' "$_assert_n"
    if [[ $_assert_failed -gt 0 ]]; then
        printf '# FAILED %d of %d\n' "$_assert_failed" "$_assert_n"
    else
        printf '# passed all %d\n' "$_assert_n"
    fi
}

assert_pass() {
    _assert_record 1 "$1"
}

assert_fail() {
    _assert_record 0 "$@"
}

fail() {
    ASSERT_STOP=1 _assert_record 0 "$*"
}

assert_status() {
    if [[ $1 == 0 ]]; then
        _assert_record 1 "$2"
    else
        _assert_record 0 "$2" "status $1, want 0"
    fi
}

assert_eq() {
    if [[ "$1" == "$2" ]]; then
        _assert_record 1 "$3"
    else
        _assert_record 0 "$3" "want: $1" "got:  $2"
    fi
}

assert_match() {
    if grep -qE -- "$1" <<<"$2"; then
        _assert_record 1 "$3"
    else
        _assert_record 0 "$3" "does not match /$1/: $2"
    fi
}

assert_substr() {
    if [[ "$1" == *"$2"* ]]; then
        _assert_record 1 "$3"
    else
        _assert_record 0 "$3" "does not hold: $2" "text: $1"
    fi
}

assert_failures() {
    printf '%d\n' "$_assert_failed"
}

# _assert_tail FILE: the last lines of FILE, as detail arguments
_assert_tail() {
    local -a lines=()
    [[ -f $1 ]] && mapfile -t lines < <(tail -n 20 "$1")
    printf '%s\n' "--- $1 (last lines):" "${lines[@]}"
}

assert_contains() {
    if grep -qF -- "$2" "$1" 2>/dev/null; then
        _assert_record 1 "$3"
    else
        local -a d
        mapfile -t d < <(_assert_tail "$1")
        _assert_record 0 "$3" "$1 does not contain: $2" "${d[@]}"
    fi
}

assert_not_contains() {
    if ! grep -qF -- "$2" "$1" 2>/dev/null; then
        _assert_record 1 "$3"
    else
        _assert_record 0 "$3" "$1 contains: $2" "$(grep -m3 -F -- "$2" "$1")"
    fi
}

assert_exit() {
    if [[ "$2" == "$1" ]]; then
        _assert_record 1 "$3"
    else
        local -a d=()
        [[ -n ${4:-} ]] && mapfile -t d < <(_assert_tail "$4")
        _assert_record 0 "$3" "exit status $2, want $1" "${d[@]}"
    fi
}

assert_cmd() {
    local what=$1 out rc
    shift
    out=$("$@" 2>&1) && rc=0 || rc=$?
    if [[ $rc == 0 ]]; then
        _assert_record 1 "$what"
    else
        local -a d
        mapfile -t d <<<"$out"
        # only the command's name: its arguments may hold a secret
        _assert_record 0 "$what" "$1 failed (status $rc)" "${d[@]}"
    fi
}

assert_done() {
    _ASSERT_DONE=1
    _assert_summary
    [[ $_assert_failed == 0 ]]
}

# A test that forgets assert_done must not pass with failures in it.
_assert_at_exit() {
    if [[ -z ${_ASSERT_DONE:-} && $_assert_failed -gt 0 ]]; then
        _assert_summary
        exit 1
    fi
}
if [[ -z $(trap -p EXIT) ]]; then
    trap _assert_at_exit EXIT
fi
