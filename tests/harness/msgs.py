#!/usr/bin/env python3
"""Inspect a Singer message stream (a file of JSON lines) in tests.

  msgs.py check FILE            every line is one JSON object with a known type,
                                SCHEMA comes before a stream's RECORDs
  msgs.py seq FILE              message types in order, runs of RECORD folded:
                                SCHEMA STATE ACTIVATE_VERSION RECORD*3 ...
  msgs.py records FILE STREAM   the records of STREAM, one compact JSON per line
  msgs.py last-state FILE       the value of the last STATE (JSON)
  msgs.py count FILE STREAM     number of RECORDs of STREAM
"""
import json
import sys

TYPES = {"SCHEMA", "RECORD", "STATE", "ACTIVATE_VERSION"}


def load(path):
    out = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.endswith(b"\n"):
                sys.exit("%s:%d: line without a newline (partial message)" % (path, n))
            try:
                msg = json.loads(raw.decode("utf-8"))
            except Exception as e:  # noqa: BLE001
                sys.exit("%s:%d: not JSON: %s" % (path, n, e))
            if not isinstance(msg, dict) or msg.get("type") not in TYPES:
                sys.exit("%s:%d: not a Singer message" % (path, n))
            out.append(msg)
    return out


def main(argv):
    cmd, path = argv[0], argv[1]
    msgs = load(path)
    if cmd == "check":
        seen = set()
        for m in msgs:
            if m["type"] == "SCHEMA":
                seen.add(m["stream"])
            elif m["type"] == "RECORD" and m["stream"] not in seen:
                sys.exit("RECORD for %s before its SCHEMA" % m["stream"])
        print("ok %d messages" % len(msgs))
    elif cmd == "seq":
        out = []
        for m in msgs:
            t = m["type"]
            if t == "RECORD" and out and out[-1][0] == "RECORD":
                out[-1][1] += 1
            else:
                out.append([t, 1])
        print(" ".join(t if n == 1 else "%s*%d" % (t, n) for t, n in out))
    elif cmd == "records":
        for m in msgs:
            if m["type"] == "RECORD" and m["stream"] == argv[2]:
                print(json.dumps(m["record"], separators=(",", ":"), ensure_ascii=False))
    elif cmd == "last-state":
        states = [m["value"] for m in msgs if m["type"] == "STATE"]
        if not states:
            sys.exit("no STATE")
        print(json.dumps(states[-1], separators=(",", ":")))
    elif cmd == "count":
        print(sum(1 for m in msgs if m["type"] == "RECORD" and m["stream"] == argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
