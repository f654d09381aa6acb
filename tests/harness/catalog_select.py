#!/usr/bin/env python3
"""Tests only: mark streams selected in a tap-postgres catalog (the output of
--discover), with a spec per stream. Users select with the config's "select"
and "metadata" rules instead (README, "Selecting streams").

Usage:
  catalog_select.py CATALOG_IN CATALOG_OUT SPEC [SPEC ...]

Each SPEC selects one stream and may set how it is replicated:
  TABLE                      FULL_TABLE (or the config's default)
  TABLE:FULL_TABLE
  TABLE:INCREMENTAL:COLUMN   key-based incremental on COLUMN
TABLE is a table name, schema.table, or a tap_stream_id.
Options (anywhere among the SPECs):
  --deselect TABLE.COLUMN    leave a column out ("selected": false)
  --view-keys TABLE=c1,c2    key properties of a view
Writes CATALOG_OUT (use - for stdout). Exits 2 naming a SPEC that matches
no stream.
"""
import json
import sys


def matches(entry, name):
    root = next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
    return name in (entry["tap_stream_id"], entry["table_name"],
                    "%s.%s" % (root.get("schema-name"), entry["table_name"]))


def find(catalog, name):
    found = [e for e in catalog["streams"] if matches(e, name)]
    if len(found) != 1:
        sys.exit("catalog_select: %r matches %d streams" % (name, len(found)))
    return found[0]


def root_md(entry):
    return next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    with open(argv[0]) as f:
        catalog = json.load(f)
    args = argv[2:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--deselect":
            table, col = args[i + 1].rsplit(".", 1)
            entry = find(catalog, table)
            for m in entry["metadata"]:
                if m["breadcrumb"] == ["properties", col]:
                    m["metadata"]["selected"] = False
                    break
            else:
                sys.exit("catalog_select: no column %r in %r" % (col, table))
            i += 2
            continue
        if a == "--view-keys":
            table, cols = args[i + 1].split("=", 1)
            root_md(find(catalog, table))["view-key-properties"] = cols.split(",")
            i += 2
            continue
        parts = a.split(":")
        md = root_md(find(catalog, parts[0]))
        md["selected"] = True
        if len(parts) > 1:
            md["replication-method"] = parts[1]
        if len(parts) > 2:
            md["replication-key"] = parts[2]
        i += 1
    out = sys.stdout if argv[1] == "-" else open(argv[1], "w")
    json.dump(catalog, out, indent=2)
    out.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
