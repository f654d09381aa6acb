# shellcheck shell=bash
# tests/integration/lib.sh: assertions and helpers shared by the
# integration tests. Source after tests/harness/pg.sh.
#
#   run_tap OUT ERR [args...]   runs $TAP_BIN, stdout to OUT, stderr to ERR,
#                               sets RC (never fails by itself)
#   discover_select CATALOG SPEC...  --discover into CATALOG.all, then
#                               tests/harness/catalog_select.py into CATALOG
#   fail MSG / assert_eq WANT GOT MSG / assert_contains FILE TEXT MSG

set -euo pipefail

T=$(mktemp -d)
pg_on_exit "rm -rf '$T'"
MSGS="$SRCDIR/tests/harness/msgs.py"
SELECT="$SRCDIR/tests/harness/catalog_select.py"
# Under the sanitize setup, some tests want the plain binary's speed.
: "${TAP_BIN:?TAP_BIN must point at the tap-postgres binary}"

fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

pass() {
    printf 'ok - %s\n' "$*"
}

assert_eq() {
    if [[ "$1" != "$2" ]]; then
        printf 'FAIL: %s\n  want: %s\n  got:  %s\n' "$3" "$1" "$2" >&2
        exit 1
    fi
    pass "$3"
}

assert_contains() {
    grep -qF -- "$2" "$1" || {
        printf 'FAIL: %s\n  %s does not contain: %s\n--- %s:\n' "$3" "$1" "$2" "$1" >&2
        tail -n 20 "$1" >&2
        exit 1
    }
    pass "$3"
}

run_tap() {
    local out=$1 err=$2
    shift 2
    set +e
    "$TAP_BIN" "$@" >"$out" 2>"$err"
    RC=$?
    set -e
    # The password must never be printed, whatever happened.
    if grep -qF -- "$PGH_PASSWORD" "$out" "$err"; then
        fail "the password appears in the output of: tap-postgres $*"
    fi
}

# assert_ok: RC is 0, else show stderr
assert_ok() {
    if [[ $RC -ne 0 ]]; then
        printf 'FAIL: %s (exit %s)\n' "$2" "$RC" >&2
        tail -n 20 "$1" >&2
        exit 1
    fi
    pass "$2"
}

discover_select() {
    local cat=$1
    shift
    run_tap "$cat.all" "$T/discover.err" --config "$T/config.json" --discover
    assert_ok "$T/discover.err" "discovery for $(basename "$cat")" >/dev/null
    python3 "$SELECT" "$cat.all" "$cat" "$@"
}
