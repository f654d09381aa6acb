# shellcheck shell=bash
# tests/integration/lib.sh: helpers shared by the integration tests. Source
# after tests/harness/pg.sh. The assertions are tests/harness/assert.sh's
# (assert_eq, assert_contains, assert_exit, fail, ...); here the first
# failed assertion ends the test (ASSERT_STOP=1), since each step builds on
# the previous ones.
#
#   run_tap OUT ERR [args...]   runs $TAP_BIN, stdout to OUT, stderr to ERR,
#                               sets RC (never fails by itself)
#   assert_ok ERR WHAT          RC is 0 (else ERR's last lines are shown)
#   discover_select CATALOG SPEC...  --discover into CATALOG.all, then
#                               scripts/catalog-select.py into CATALOG
#   pass WHAT                   the older name of assert_pass

set -euo pipefail

ASSERT_STOP=1
# shellcheck source=tests/harness/assert.sh
source "$SRCDIR/tests/harness/assert.sh"

T=$(mktemp -d)
pg_on_exit "rm -rf '$T'"
MSGS="$SRCDIR/tests/harness/msgs.py"
SELECT="$SRCDIR/scripts/catalog-select.py"
# Under the sanitize setup, some tests want the plain binary's speed.
: "${TAP_BIN:?TAP_BIN must point at the tap-postgres binary}"

pass() { assert_pass "$*"; }

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

assert_ok() {
    assert_exit 0 "$RC" "$2" "$1"
}

discover_select() {
    local cat=$1
    shift
    run_tap "$cat.all" "$T/discover.err" --config "$T/config.json" --discover
    assert_ok "$T/discover.err" "discovery for $(basename "$cat")" >/dev/null
    python3 "$SELECT" "$cat.all" "$cat" "$@"
}
