#!/usr/bin/env bash
# tests/harness/valgrind-tap.sh ARGS...: runs $REAL_TAP_BIN ARGS under
# valgrind's memcheck (set up by tests/harness/valgrind.sh). exec, so that
# signals sent to this pid (SIGTERM tests) reach the program. To see where
# an uninitialised value comes from, add --track-origins=yes (slower).
: "${REAL_TAP_BIN:?REAL_TAP_BIN is not set}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
logdir=${TAP_VALGRIND_LOGDIR:-/tmp}
exec valgrind --quiet --error-exitcode=99 --exit-on-first-error=no \
    --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect \
    --num-callers=30 --suppressions="$here/../supp/valgrind.supp" \
    --log-file="$logdir/${REAL_TAP_BIN##*/}.%p.log" \
    "$REAL_TAP_BIN" "$@"
