#!/usr/bin/env bash
# tests/harness/valgrind.sh: the exe_wrapper of `meson test --setup=valgrind`
# (tests/meson.build), which wraps every test command with it.
#
# - A C test program (unit, fuzz replay) runs under valgrind itself.
# - A script test (cli, integration: the command is bash) runs as it is,
#   with TAP_BIN pointing at valgrind-tap.sh, so that every tap-postgres the
#   script starts runs under valgrind; python3, psql and the server do not.
#
# A valgrind error (invalid access, uninitialised value, definite or
# indirect leak) makes the program exit 99, which fails the test. Reports
# go to $TAP_VALGRIND_LOGDIR/<pid>.log (scripts/test.sh prints the
# non-empty ones), so that stderr, which tests check, stays the program's.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export TAP_VALGRIND=1
export TAP_VALGRIND_LOGDIR=${TAP_VALGRIND_LOGDIR:-${BUILDDIR:-/tmp}/meson-logs/valgrind}
mkdir -p "$TAP_VALGRIND_LOGDIR"

case ${1##*/} in
    bash|sh)
        export REAL_TAP_BIN=$TAP_BIN
        export TAP_BIN=$here/valgrind-tap.sh
        exec "$@"
        ;;
    *)
        export REAL_TAP_BIN=$1
        shift
        exec "$here/valgrind-tap.sh" "$@"
        ;;
esac
