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
#                               tests/harness/catalog_select.py into CATALOG
#   run_interrupted SIG N RAW ERR [args...]  runs $TAP_BIN into a slow
#                               reader (stdout to RAW), sends SIG once N
#                               records are out, waits; sets RC
#   complete_lines RAW OUT      RAW's whole lines only (SIGKILL may cut one)
#   pass WHAT                   the older name of assert_pass

set -euo pipefail

ASSERT_STOP=1
# shellcheck source=tests/harness/assert.sh
source "$SRCDIR/tests/harness/assert.sh"

T=$(mktemp -d)
pg_on_exit "rm -rf '$T'"
MSGS="$SRCDIR/tests/harness/msgs.py"
SELECT="$SRCDIR/tests/harness/catalog_select.py"
# Under the sanitize setup, some tests want the plain binary's speed.
: "${TAP_BIN:?TAP_BIN must point at the tap-postgres binary}"

pass() { assert_pass "$*"; }

run_interrupted() {
    local sig=$1 want=$2 raw=$3 err=$4 tap_pid reader_pid got=0
    shift 4
    rm -f "$raw" "$T/interrupt.fifo"
    mkfifo "$T/interrupt.fifo"
    "$TAP_BIN" "$@" >"$T/interrupt.fifo" 2>"$err" &
    tap_pid=$!
    python3 "$SRCDIR/tests/harness/slow_reader.py" "$raw" <"$T/interrupt.fifo" &
    reader_pid=$!
    for _ in $(seq 1 600); do
        got=$(grep -c '"RECORD"' "$raw" 2>/dev/null || true)
        [[ ${got:-0} -ge $want ]] && break
        sleep 0.1
    done
    if [[ ${got:-0} -lt $want ]]; then
        kill -KILL "$tap_pid" 2>/dev/null || true
        fail "the run did not get going ($got records)"
    fi
    kill -"$sig" "$tap_pid"
    set +e
    wait "$tap_pid"
    RC=$?
    set -e
    wait "$reader_pid"
}

complete_lines() {
    python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(data[: data.rfind(b"\n") + 1])
PY
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
