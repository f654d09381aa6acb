#!/usr/bin/env bash
# pip install of the source tree, the way Meltano installs an extractor
# from its pip_url, offline: a virtual environment that sees the system's
# meson-python (python3 -m venv --system-site-packages), then
# pip install --no-build-isolation --no-index. The executable must land in
# the environment's bin/ and work: --version, --about, and a discovery.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"

# Debian's python3 has meson-python (python3-mesonpy); another python3
# earlier in PATH may not.
PY=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import mesonpy, venv' 2>/dev/null; then PY=$p; break; fi
done
[[ -n $PY ]] || fail "no python3 with meson-python (Debian: python3-mesonpy; scripts/install-deps.sh installs it)"

# The tracked files of the checkout (what a git URL gives), so that the
# build writes nothing into the source tree.
mkdir "$T/src"
if git -C "$SRCDIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$SRCDIR" && git ls-files -z --cached --others --exclude-standard |
        xargs -0 tar -cf - --ignore-failed-read 2>/dev/null) | tar -xf - -C "$T/src"
else
    (cd "$SRCDIR" && tar -cf - --exclude='./build*' .) | tar -xf - -C "$T/src"
fi
[[ -f $T/src/pyproject.toml ]] || fail "pyproject.toml is missing from the source tree"

"$PY" -m venv --system-site-packages "$T/venv"
# no network, no cache, no build isolation: only what Debian installed
if ! env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null "$T/venv/bin/pip" install --no-build-isolation \
        --no-index --no-cache-dir --disable-pip-version-check "$T/src" >"$T/pip.log" 2>&1; then
    tail -n 30 "$T/pip.log" >&2
    fail "pip install of the source tree failed"
fi
pass "pip install --no-build-isolation --no-index <source tree>"

BIN=$T/venv/bin/tap-postgres
[[ -x $BIN ]] || fail "pip installed no $BIN"
pass "the executable is in the environment's bin/"

want_version=$(meson introspect "$SRCDIR/meson.build" --projectinfo 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
assert_eq "tap-postgres $want_version" "$("$BIN" --version)" "installed --version is the meson project's"
assert_eq "$want_version" "$(python3 -c 'import sys,tomllib; print(tomllib.load(open(sys.argv[1],"rb"))["project"]["version"])' "$SRCDIR/pyproject.toml" 2>/dev/null ||
    sed -n 's/^version = "\(.*\)"/\1/p' "$SRCDIR/pyproject.toml")" "pyproject.toml has the same version"

"$BIN" --about --format json >"$T/about.json"
assert_eq "$("$TAP_BIN" --about --format json)" "$(cat "$T/about.json")" "installed --about --format json is the build's"

pg_config_json "$T/config.json"
pg_sql >/dev/null <<'SQL'
CREATE TABLE pip_t (id integer PRIMARY KEY, v text);
GRANT SELECT ON pip_t TO tap;
SQL
run_tap "$T/d.out" "$T/d.err" --config "$T/config.json" --discover
assert_ok "$T/d.err" "discovery with the build's binary"
set +e
"$BIN" --config "$T/config.json" --discover >"$T/pd.out" 2>"$T/pd.err"
rc=$?
set -e
assert_eq 0 "$rc" "discovery with the pip-installed binary: exit 0"
cmp -s "$T/d.out" "$T/pd.out" || fail "the pip-installed binary discovers a different catalog"
pass "the pip-installed binary discovers the same catalog"
