#!/usr/bin/env bash
# Every script README tells the reader to run as a command (a code line
# starting with scripts/NAME) is committed executable (mode 100755) and
# starts with a #! line, so that a fresh clone runs it as written. Skipped
# outside a git checkout.
set -euo pipefail
: "${SRCDIR:?}"
cd "$SRCDIR"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || {
    echo "not a git checkout"
    exit 77
}

mapfile -t scripts < <(grep -oE '^(\$ )?scripts/[A-Za-z0-9_.-]+' README.md |
    sed 's/^\$ //' | sort -u)
for want in scripts/demo.sh scripts/test.sh; do
    [[ " ${scripts[*]} " == *" $want "* ]] || {
        echo "FAIL: README does not show $want as a command (found: ${scripts[*]})"
        exit 1
    }
done
bad=0
for s in "${scripts[@]}"; do
    mode=$(git ls-files -s -- "$s" | cut -d' ' -f1)
    if [[ $mode != 100755 ]]; then
        echo "FAIL: $s is committed with mode ${mode:-<not committed>}, not 100755"
        bad=1
    elif [[ $(head -c 2 "$s") != '#!' ]]; then
        echo "FAIL: $s does not start with #!"
        bad=1
    else
        echo "ok - $s is committed executable"
    fi
done
exit $bad
