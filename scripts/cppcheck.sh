#!/usr/bin/env bash
# scripts/cppcheck.sh [BUILDDIR]: static analysis of src/ with cppcheck
# (warning, style, performance and portability checks). Exits 1 on any
# finding, so scripts/test.sh fails the run.
#
# A false positive is suppressed where it happens, with the reason:
#     /* cppcheck-suppress <id> ; why it is wrong */
# Suppressed everywhere: variableScope (the house style declares at the top
# of a block, as PostgreSQL does) and the missing system headers (not
# parsed: slow and noisy; tests/supp/cppcheck.cfg spells out the jansson
# macros the code relies on). In src/conn.c, literalWithCharPtrCompare: the
# ADD(key, value) macro that builds libpq's parameter arrays skips NULL
# values, and cppcheck flags that test whenever the value is a literal.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cppcheck >/dev/null || { echo "cppcheck: not installed (apt-get install cppcheck)" >&2; exit 1; }

inc=(-I include)
[[ -n ${1:-} && -f $1/tap_config.h ]] && inc+=(-I "$1")
cache=${1:-/tmp}/cppcheck-cache
mkdir -p "$cache"

cppcheck --std=c11 --enable=warning,style,performance,portability \
    --inline-suppr --error-exitcode=1 --quiet -j 2 \
    --library=tests/supp/cppcheck.cfg --cppcheck-build-dir="$cache" \
    --suppress=missingIncludeSystem --suppress=missingInclude \
    --suppress=variableScope --suppress=unmatchedSuppression \
    --suppress=literalWithCharPtrCompare:src/conn.c \
    -D_GNU_SOURCE "${inc[@]}" src/
echo "cppcheck: src/ is clean"
