#!/usr/bin/env bash
# samples/meltano.yml is a valid Meltano project file: it validates against
# Meltano's schema of meltano.yml (tests/fixtures/meltano.schema.json, JSON
# Schema draft 2020-12), and its tap-postgres extractor declares every
# setting --about lists (but select and metadata, which are Meltano's own
# extras), each with a kind that matches the setting's type, plus pip_url,
# executable, the capabilities, select and metadata rules, and a loader.
set -euo pipefail
: "${SRCDIR:?}" "${TAP_BIN:?}"

PY=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import yaml, jsonschema; jsonschema.Draft202012Validator' 2>/dev/null; then PY=$p; break; fi
done
[[ -n $PY ]] || { echo "FAIL: no python3 with yaml and jsonschema >= 4 (Debian: python3-yaml, python3-jsonschema)"; exit 1; }

"$TAP_BIN" --about --format json >"${TMPDIR:-/tmp}/meltano_yml_about.$$"
trap 'rm -f "${TMPDIR:-/tmp}/meltano_yml_about.$$"' EXIT
"$PY" - "$SRCDIR/samples/meltano.yml" "$SRCDIR/tests/fixtures/meltano.schema.json" \
    "${TMPDIR:-/tmp}/meltano_yml_about.$$" <<'PY'
import json, sys
import jsonschema, yaml

project = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
schema = json.load(open(sys.argv[2], encoding="utf-8"))
about = json.load(open(sys.argv[3], encoding="utf-8"))
failed = False

def check(cond, what):
    global failed
    print(("ok - " if cond else "not ok - ") + what)
    failed |= not cond

validator = jsonschema.Draft202012Validator(schema)
errors = sorted(validator.iter_errors(project), key=lambda e: list(e.path))
for e in errors:
    print(f"# {'/'.join(map(str, e.path))}: {e.message}")
check(not errors, "samples/meltano.yml validates against Meltano's schema (draft 2020-12)")

# the validator is not vacuous: a wrong kind and an unknown key fail
bad = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
bad["plugins"]["extractors"][0]["settings"][0]["kind"] = "int"
check(not validator.is_valid(bad), "... and a setting of kind 'int' would not")
bad = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
bad["plugins"]["extractors"][0]["selects"] = []
check(not validator.is_valid(bad), "... nor an unknown extractor key")

ext = [p for p in project["plugins"]["extractors"] if p["name"] == "tap-postgres"]
check(len(ext) == 1, "one tap-postgres extractor")
ext = ext[0]
check(ext.get("executable") == "tap-postgres" and bool(ext.get("pip_url")),
      "pip_url and executable: tap-postgres")
caps = set(ext.get("capabilities", []))
check({"catalog", "discover", "state"} <= caps and "properties" not in caps,
      "capabilities catalog, discover, state (and not properties too)")
check(caps <= set(about["capabilities"]), "no capability the tap does not have")

declared = {s["name"]: s for s in ext.get("settings", [])}
props = about["settings"]["properties"]
want = [k for k in props if k not in ("select", "metadata")]
check(sorted(declared) == sorted(want),
      f"every setting of --about is declared (missing {sorted(set(want) - set(declared))}, "
      f"extra {sorted(set(declared) - set(want))})")
kind_of = {"integer": "integer", "boolean": "boolean", "array": "array", "object": "object",
           "string": "string"}
for name, p in props.items():
    if name not in declared:
        continue
    s = declared[name]
    if p.get("writeOnly"):
        want_kind = "password"
    elif "enum" in p:
        want_kind = "options"
    else:
        want_kind = kind_of[p["type"]]
    ok = s.get("kind") == want_kind
    if want_kind == "options":
        ok &= sorted(o["value"] for o in s.get("options", [])) == sorted(p["enum"])
    if "default" in p:
        ok &= s.get("value") == p["default"]
    check(ok, f"setting {name}: kind {want_kind}" + (f", value {p['default']!r}" if "default" in p else ""))

check(any(not r.startswith("!") for r in ext.get("select", [])) and
      any(r.startswith("!") for r in ext.get("select", [])),
      "select rules, with an include and an exclude")
check(isinstance(ext.get("metadata"), dict) and ext["metadata"], "metadata rules")
check(bool(project["plugins"].get("loaders")), "a loader")
sys.exit(1 if failed else 0)
PY
