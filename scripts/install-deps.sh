#!/usr/bin/env bash
# Installs what building and testing tap-postgres needs on Debian 12 (or a
# close relative).  Idempotent: when everything is there, apt is not run.
set -euo pipefail

packages=(
    # build
    meson ninja-build pkg-config gcc libc6-dev
    libpq-dev libjansson-dev libyaml-dev
    # tests and demo: a server to start, certificates, JSON checks, and
    # setpriv to run the server as an unprivileged user under root
    postgresql postgresql-contrib postgresql-client openssl python3
    util-linux procps
    # PostGIS for the extension-type tests; JSON Schema validators (draft 4
    # and draft 7) for the schema tests
    postgresql-15-postgis-3 python3-jsonschema
    # scripts/test.sh's static analysis and valgrind runs
    cppcheck valgrind clang-format
)

missing=()
for p in "${packages[@]}"; do
    # `dpkg -s` succeeds for removed-but-not-purged packages; the status
    # string does not.
    if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
        missing+=("$p")
    fi
done

if (( ${#missing[@]} == 0 )); then
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

# The server binaries live outside PATH on Debian; the harness finds them
# there.  Say so now rather than fail later.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && ! command -v initdb >/dev/null; then
    echo "install-deps: warning: no PostgreSQL server binaries (initdb) found" >&2
fi
