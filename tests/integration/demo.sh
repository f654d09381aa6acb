#!/usr/bin/env bash
# README's first command, as README writes it: scripts/demo.sh, run from the
# source tree (so its executable bit matters). Its output must show the
# discovery, both syncs with the expected message counts, and the closing
# line. The demo reuses this build (TAP_DEMO_BUILDDIR) rather than building
# a second one.
set -euo pipefail
: "${SRCDIR:?}" "${BUILDDIR:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cd "$SRCDIR"
set +e
TAP_DEMO_BUILDDIR=$BUILDDIR scripts/demo.sh >"$T/out" 2>&1 </dev/null
rc=$?
set -e
fail() {
    printf 'FAIL: %s\n--- demo output (last 40 lines):\n' "$*" >&2
    tail -n 40 "$T/out" >&2
    exit 1
}
((rc == 0)) || fail "scripts/demo.sh exited with status $rc"
echo "ok - scripts/demo.sh exits 0"

# The sections the demo prints ("== title") and the message counts in them
# ("  N TYPE stream").
python3 - "$T/out" <<'PY' || fail "the demo's output is not what README promises"
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
sections, name = {}, None
for line in text.splitlines():
    m = re.match(r"== (.*)", line)
    if m:
        name = m.group(1)
        sections[name] = []
    elif name:
        sections[name].append(line)

def counts(title):
    return [l.strip() for l in sections.get(title, [])
            if re.match(r"\s+\d+ [A-Z_]+ \S", l)]

errors = []
def check(what, want, got):
    if want != got:
        errors.append(f"{what}:\n  want {want!r}\n  got  {got!r}")

SECOND = "second sync, from the last STATE"
disc = "\n".join(sections.get("discovery", []))
check("discovery exit status", True, "-- exit status 0" in disc)
check("discovery lists the four tables", [True] * 4,
      [f'"tap_stream_id": "tapdb-public-{t}"' in disc
       for t in ("customers", "products", "orders", "order_items")])
# a first FULL_TABLE sync activates its version before and after the rows
check("first sync counts",
      ["2 ACTIVATE_VERSION customers", "1 ACTIVATE_VERSION orders",
       "50 RECORD customers", "300 RECORD orders",
       "1 SCHEMA customers", "1 SCHEMA orders"],
      counts("first sync"))
check("second sync counts",
      ["1 ACTIVATE_VERSION customers", "1 ACTIVATE_VERSION orders",
       "50 RECORD customers", "4 RECORD orders",
       "1 SCHEMA customers", "1 SCHEMA orders"],
      counts(SECOND))
sec2 = "\n".join(sections.get(SECOND, []))
check("second sync orders", True,
      "-- orders in the second sync: 4 rows, ids 299, 5, 6, 301 "
      "(the first one holds the bookmark)" in sec2)
check("the bookmark row and FULL_TABLE are explained", True,
      ">= the bookmark" in sec2 and "customers is FULL_TABLE" in sec2)
lines = [l for l in text.splitlines() if l.strip()]
check("closing lines",
      ["demo: done. Discovery, a first sync and an incremental second sync ran",
       "against a throwaway PostgreSQL, which is now stopped and removed."],
      lines[-2:])
check("no test-only package installed", None,
      re.search(r"install-deps: installing .*\b(valgrind|cppcheck|clang-format)\b", text))
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
PY
echo "ok - discovery, both syncs and the closing line are as README says"
