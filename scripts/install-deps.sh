#!/usr/bin/env bash
# Installs what tap-postgres needs on Debian 12 (or a close relative).
#
#   install-deps.sh [build|test]
#
# "build": what building it and running scripts/demo.sh need (compiler,
# meson, the -dev packages, a PostgreSQL server to start).  "test" (the
# default, scripts/test.sh and CI): that plus what only the test suite
# uses (static analysis, valgrind and the debug symbols it pulls in, the
# pip install check).  Idempotent: when everything is there, apt is not run.
set -euo pipefail

set_name=${1:-test}
case $set_name in
    build|test) ;;
    *) echo "install-deps: unknown set \"$set_name\" (use build or test)" >&2; exit 2 ;;
esac

build_packages=(
    # build
    meson ninja-build pkg-config gcc libc6-dev
    libpq-dev libjansson-dev libyaml-dev
    # demo and tests: a server to start, certificates, JSON checks, and
    # setpriv to run the server as an unprivileged user under root
    postgresql postgresql-contrib postgresql-client openssl python3
    util-linux procps
)

test_packages=(
    # PostGIS for the extension-type tests; JSON Schema validators (draft 4
    # and draft 7) for the schema tests
    postgresql-15-postgis-3 python3-jsonschema
    # tests/integration/connect_translated.sh: German libpq and server
    # messages (the catalogs ship with libpq5 and postgresql; the locale
    # is generated below)
    locales
    # scripts/test.sh's static analysis and valgrind runs
    cppcheck valgrind clang-format
    # the pip install test (pyproject.toml, meson-python, a venv) and the
    # check of samples/meltano.yml against Meltano's schema
    python3-mesonpy python3-venv python3-yaml
)

packages=("${build_packages[@]}")
if [[ $set_name == test ]]; then
    packages+=("${test_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
    # `dpkg -s` succeeds for removed-but-not-purged packages; the status
    # string does not.
    if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
        missing+=("$p")
    fi
done

# gen_locale: de_DE.UTF-8 for the translated-messages test; a no-op when
# it exists already.
gen_locale() {
    locale -a 2>/dev/null | grep -qix 'de_DE.utf8' && return 0
    command -v locale-gen >/dev/null || return 0
    local s=()
    (( EUID == 0 )) || s=(sudo)
    "${s[@]}" sed -i 's/^# *\(de_DE.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    "${s[@]}" locale-gen >/dev/null
}

if (( ${#missing[@]} == 0 )); then
    gen_locale
    exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if (( EUID != 0 )); then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}" </dev/null
gen_locale

# The server binaries live outside PATH on Debian; the harness finds them
# there.  Say so now rather than fail later.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && ! command -v initdb >/dev/null; then
    echo "install-deps: warning: no PostgreSQL server binaries (initdb) found" >&2
fi
