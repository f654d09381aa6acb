#!/usr/bin/env python3
"""Check that an interrupted sync and its resumption lost nothing.

  resume_check.py union --stream S --key K --final FINAL RUN [RUN ...]
      FINAL: the final table, one JSON object per line (psql -At of
      `SELECT row_to_json(x) FROM (SELECT ...) x`). RUNs: the tap's stdout
      of each run, in order. Each run counts only up to its last STATE: a
      record after it is not covered by any STATE, so a resumption must not
      rely on it. Every row of FINAL must have been sent (key K) with its
      final values (the last record of that key wins, as in a target).
  resume_check.py states --stream S --stream-id ID --key K
                        --positions POS [--bookmark ctid_block] RUN
      POS: "key<TAB>position" per row, taken before RUN (the table did not
      change during RUN). Every STATE of RUN whose bookmark for ID holds an
      integer position B must come after a RECORD for every key whose
      position is below B: a resumption from that STATE skips those rows.

Options: --allow-cut ignores a last line without a newline (a run ended by
SIGKILL); otherwise such a line is an error. Exit 0 when the check holds,
1 (with a summary on stderr) when not.
"""
import argparse
import json
import sys


def messages(path, allow_cut):
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    tail = lines.pop()  # after the last newline: b"" unless cut
    if tail and not allow_cut:
        sys.exit("%s: the last line has no newline (a partial message)" % path)
    for n, raw in enumerate(lines, 1):
        try:
            yield json.loads(raw.decode("utf-8"))
        except ValueError as e:
            sys.exit("%s:%d: not JSON: %s" % (path, n, e))


def covered_records(path, stream, allow_cut):
    """The records of stream that the run's last STATE covers."""
    pending, covered = [], []
    for m in messages(path, allow_cut):
        if m.get("type") == "RECORD" and m.get("stream") == stream:
            pending.append(m["record"])
        elif m.get("type") == "STATE":
            covered.extend(pending)
            pending = []
    return covered, len(pending)


def cmd_union(a):
    seen = {}
    for path in a.runs:
        recs, uncovered = covered_records(path, a.stream, a.allow_cut)
        print("%s: %d records covered by its last STATE, %d after it"
              % (path, len(recs), uncovered))
        for r in recs:
            seen[r[a.key]] = r
    rows = missing = stale = 0
    examples = []
    with open(a.final, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            rows += 1
            got = seen.get(row[a.key])
            if got is None:
                missing += 1
                if len(examples) < 5:
                    examples.append("missing %s=%r" % (a.key, row[a.key]))
                continue
            diff = [c for c in row if got.get(c) != row[c]]
            if diff:
                stale += 1
                if len(examples) < 5:
                    examples.append("stale %s=%r: %s" % (
                        a.key, row[a.key],
                        ", ".join("%s sent %r, final %r" % (c, got.get(c), row[c])
                                  for c in diff)))
    print("final table rows %d, distinct keys sent %d, missing %d, stale %d"
          % (rows, len(seen), missing, stale))
    for e in examples:
        print("  " + e, file=sys.stderr)
    if rows == 0:
        print("the final table is empty: nothing was checked", file=sys.stderr)
        return 1
    return 1 if missing or stale else 0


def cmd_states(a):
    pos = {}
    with open(a.positions, encoding="utf-8") as f:
        for line in f:
            k, p = line.rstrip("\n").split("\t")
            pos[k] = int(p)
    by_pos = sorted((p, k) for k, p in pos.items())
    sent = set()
    checked = bad = 0
    for m in messages(a.runs[0], a.allow_cut):
        t = m.get("type")
        if t == "RECORD" and m.get("stream") == a.stream:
            sent.add(str(m["record"][a.key]))
        elif t == "STATE":
            bm = m["value"].get("bookmarks", {}).get(a.stream_id, {})
            b = bm.get(a.bookmark)
            if not isinstance(b, int) or isinstance(b, bool):
                continue
            checked += 1
            for p, k in by_pos:
                if p >= b:
                    break
                if k not in sent:
                    bad += 1
                    print("STATE with %s %d, but the row %s=%s at position %d "
                          "was not sent before it" % (a.bookmark, b, a.key, k, p),
                          file=sys.stderr)
                    break
    print("%d STATEs with a %s checked, %d claim rows not yet sent"
          % (checked, a.bookmark, bad))
    if checked == 0:
        print("no STATE with a %s: nothing was checked" % a.bookmark, file=sys.stderr)
        return 1
    return 1 if bad else 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["union", "states"])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--stream", required=True)
    ap.add_argument("--stream-id")
    ap.add_argument("--key", required=True)
    ap.add_argument("--final")
    ap.add_argument("--positions")
    ap.add_argument("--bookmark", default="ctid_block")
    ap.add_argument("--allow-cut", action="store_true")
    a = ap.parse_args(argv)
    if a.cmd == "union":
        if not a.final:
            ap.error("union needs --final")
        return cmd_union(a)
    if not (a.positions and a.stream_id) or len(a.runs) != 1:
        ap.error("states needs --positions, --stream-id and one RUN")
    return cmd_states(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
