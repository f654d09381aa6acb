#!/usr/bin/env bash
# meson install into a temporary DESTDIR: the executable in bin/ and the
# manual page in share/man/man1/, the page listing every config key that
# --about lists, and the installed binary runs.
set -euo pipefail
: "${BUILDDIR:?}" "${TAP_BIN:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

meson install -C "$BUILDDIR" --no-rebuild --destdir "$T/root" >"$T/log" 2>&1 || {
    echo "FAIL: meson install --destdir failed:"; tail -n 20 "$T/log"; exit 1
}
prefix=$(meson introspect "$BUILDDIR" --buildoptions |
    python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])')
mandir=$(meson introspect "$BUILDDIR" --buildoptions |
    python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["mandir"])')
bin=$T/root$prefix/bin/tap-postgres
man=$T/root$prefix/$mandir/man1/tap-postgres.1
[[ -x $bin ]] || { echo "FAIL: no executable $bin"; find "$T/root" -type f; exit 1; }
echo "ok - bin/tap-postgres installed"
[[ -s $man ]] || { echo "FAIL: no manual page $man"; find "$T/root" -type f; exit 1; }
echo "ok - $mandir/man1/tap-postgres.1 installed"
[[ $mandir == share/man ]] || { echo "FAIL: mandir is $mandir, not share/man"; exit 1; }

v=$("$bin" --version) && [[ $v =~ ^tap-postgres\ [0-9.]+$ ]] || { echo "FAIL: the installed binary does not run"; exit 1; }
echo "ok - the installed binary runs"

# every key of --about --format json has its own entry (.TP / .B key)
missing=()
while IFS= read -r key; do
    grep -qx "\.B $key" "$man" || missing+=("$key")
done < <("$TAP_BIN" --about --format json |
    python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["settings"]["properties"]))')
n=$(grep -c '^\.TP$' "$man")
want=$("$TAP_BIN" --about --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["settings"]["properties"]))')
if (( ${#missing[@]} )) || [[ $n != "$want" ]]; then
    echo "FAIL: the manual page lacks keys: ${missing[*]:-none} ($n entries, --about has $want)"
    exit 1
fi
echo "ok - the manual page lists all $want config keys"
# and it is what --about --format man prints
"$TAP_BIN" --about --format man | cmp -s - "$man" || { echo "FAIL: installed page differs from --about --format man"; exit 1; }
echo "ok - the installed page is --about --format man"
