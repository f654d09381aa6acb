#!/usr/bin/env bash
# scripts/update-golden.sh [BUILDDIR]: regenerates the golden files from a
# fresh fixture cluster, with the tap built in BUILDDIR (default build):
#
#   catalogs/fixture.catalog.json   --discover on the fixture database
#   tests/expected/<name>.jsonl     the records of each value table
#
# The tests (tests/integration/discover_golden.sh, sync_values.sh) only
# compare with these files; they are produced here and nowhere else, by
# the same steps (tests/harness/golden.sh). Review the diff by eye before
# committing: the golden files are the contract of discovery and of value
# rendering (README, docs/).
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
BUILDDIR=${1:-$SRCDIR/build}
[[ -d $BUILDDIR ]] || { echo "update-golden: no build directory $BUILDDIR" >&2; exit 2; }
TAP_BIN=$(cd "$BUILDDIR" && pwd)/tap-postgres
[[ -x $TAP_BIN ]] || { echo "update-golden: no tap-postgres in $BUILDDIR (build it first)" >&2; exit 2; }
export SRCDIR TAP_BIN BUILDDIR
export LC_ALL=C.UTF-8   # as under meson test (tests/meson.build)

# shellcheck source=tests/harness/pg.sh
source "$SRCDIR/tests/harness/pg.sh"
pg_start
# shellcheck source=tests/integration/lib.sh
source "$SRCDIR/tests/integration/lib.sh"
# shellcheck source=tests/harness/golden.sh
source "$SRCDIR/tests/harness/golden.sh"

golden_fixture

golden_catalog "$T/catalog.json" "$T/discover.err"
cp "$T/catalog.json" "$SRCDIR/$GOLDEN_CATALOG"
echo "# wrote $GOLDEN_CATALOG"

for table in "${GOLDEN_VALUE_TABLES[@]}"; do
    name=$(golden_value_name "$table")
    golden_values "$table" "$T"
    cp "$T/$name.jsonl" "$SRCDIR/tests/expected/$name.jsonl"
    echo "# wrote tests/expected/$name.jsonl"
done

git -C "$SRCDIR" diff --stat -- catalogs/ tests/expected/ || true
