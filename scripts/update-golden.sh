#!/usr/bin/env bash
# scripts/update-golden.sh [BUILDDIR]: regenerates catalogs/fixture.catalog.json
# from a fresh fixture cluster, with the tap built in BUILDDIR (default
# build). Review the diff by eye against reference/anchors.md sections 3.6
# and 4 before committing: the golden file is the discovery contract.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
BUILDDIR=${1:-$SRCDIR/build}
TAP_BIN=$(cd "$BUILDDIR" && pwd)/tap-postgres
[[ -x $TAP_BIN ]] || { echo "update-golden: no tap-postgres in $BUILDDIR (build it first)" >&2; exit 2; }

UPDATE_GOLDEN=1 TAP_BIN=$TAP_BIN SRCDIR=$SRCDIR \
    bash "$SRCDIR/tests/integration/discover_golden.sh"
git -C "$SRCDIR" diff --stat -- catalogs/fixture.catalog.json || true
