#!/usr/bin/env bash
# The C sources are formatted with clang-format (.clang-format, the house
# style): a file that drifts fails here, naming it. Skips (77) without
# clang-format; Debian 12's is version 14, the one the tree is formatted with.
set -uo pipefail
cd "$SRCDIR"
command -v clang-format >/dev/null || { echo "1..0 # SKIP no clang-format"; exit 77; }
# shellcheck source=tests/harness/assert.sh
source "$SRCDIR/tests/harness/assert.sh"
bad=()
for f in src/*.c include/tap/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tests/fuzz/*.h; do
    if ! clang-format --dry-run --Werror "$f" 2>/dev/null; then
        echo "# not formatted: $f (run: clang-format -i $f)"
        bad+=("$f")
    fi
done
assert_eq "" "${bad[*]}" "every C file is formatted"
assert_done
