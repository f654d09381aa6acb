#!/usr/bin/env bash
# parallel_connections: the same records (as a multiset) and the same final
# bookmarks with 1, 2 and 4 connections, for the every-type fixture and a
# database of many streams; one snapshot shared by every connection (a row
# inserted into a table after the run began is absent even though that
# table is read later); SIGTERM and SIGKILL with 2 connections, resumed
# with 1 and with 2, lose nothing.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_load_fixture alltypes
pg_sql >/dev/null <<'SQL'
CREATE TABLE a_big (id integer PRIMARY KEY, v integer NOT NULL, t text NOT NULL);
INSERT INTO a_big SELECT g, g, repeat(md5(g::text), 3) FROM generate_series(1, 200000) g;
DELETE FROM a_big WHERE id <= 3000;
VACUUM ANALYZE a_big;
CREATE TABLE b_small (id integer PRIMARY KEY, v text);
INSERT INTO b_small SELECT g, 'b' || g FROM generate_series(1, 100) g;
DO $$ BEGIN
  FOR i IN 1..30 LOOP
    EXECUTE format('CREATE TABLE c_many_%s AS SELECT g AS id, %s AS k FROM generate_series(1, 50 * %s) g', i, i, i);
  END LOOP;
END $$;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO tap;
SQL
for n in 1 2 4; do pg_config_json "$T/config$n.json" "parallel_connections=$n"; done

run_tap "$T/all.json" "$T/d.err" --config "$T/config1.json" --discover
assert_ok "$T/d.err" "discovery"
# every stream FULL_TABLE, but events INCREMENTAL (its ordered query stays
# on one connection); views need keys
python3 - "$T/all.json" "$T/cat.json" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1]))
# the fixture's foreign table has no user mapping for the tap's user
cat["streams"] = [s for s in cat["streams"] if s["table_name"] != "remote_things"]
for s in cat["streams"]:
    root = next(m["metadata"] for m in s["metadata"] if m["breadcrumb"] == [])
    root["selected"] = True
    if s["tap_stream_id"] == "tapdb-public-events":
        root["replication-method"] = "INCREMENTAL"
        root["replication-key"] = "updated_at"
    else:
        root["replication-method"] = "FULL_TABLE"
json.dump(cat, open(sys.argv[2], "w"))
PY

# canon OUT: per stream, sorted records; and the final bookmarks without
# versions (which are times)
canon() {
    python3 - "$1" <<'PY'
import json, sys
recs, state = {}, None
for line in open(sys.argv[1], encoding="utf-8"):
    m = json.loads(line)
    if m["type"] == "RECORD":
        recs.setdefault(m["stream"], []).append(json.dumps(m["record"], sort_keys=True))
    elif m["type"] == "STATE":
        state = m["value"]
for s in sorted(recs):
    print(s, len(recs[s]))
    for r in sorted(recs[s]):
        print(" ", r)
for k, b in sorted(state["bookmarks"].items()):
    b = dict(b); b.pop("version", None)
    print("bookmark", k, json.dumps(b, sort_keys=True))
print("currently_syncing", state.get("currently_syncing"))
PY
}

for n in 1 2 4; do
    run_tap "$T/p$n.out" "$T/p$n.err" --config "$T/config$n.json" --catalog "$T/cat.json"
    assert_ok "$T/p$n.err" "$n connection(s): the sync completes"
    python3 "$MSGS" check "$T/p$n.out" || fail "$n connection(s): message order (SCHEMA before records)"
    canon "$T/p$n.out" >"$T/p$n.canon"
done
[[ $(grep -c '^bookmark' "$T/p1.canon") -ge 40 ]] || fail "too few streams synced"
cmp -s "$T/p1.canon" "$T/p2.canon" || { diff "$T/p1.canon" "$T/p2.canon" | head >&2; fail "2 connections: records or bookmarks differ"; }
pass "2 connections: the same records and final bookmarks as 1"
cmp -s "$T/p1.canon" "$T/p4.canon" || { diff "$T/p1.canon" "$T/p4.canon" | head >&2; fail "4 connections: records or bookmarks differ"; }
pass "4 connections: the same records and final bookmarks as 1"
assert_contains "$T/p2.err" 'reading database "tapdb" with 2 connection(s) in one snapshot' "2 connections are used"
assert_contains "$T/p4.err" 'reading database "tapdb" with 4 connection(s) in one snapshot' "4 connections are used"
# each stream's ACTIVATE_VERSION comes after all of its records
python3 - "$T/p4.out" <<'PY' || fail "4 connections: a record after its stream's last ACTIVATE_VERSION"
import json, sys
last_record, last_activate = {}, {}
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    m = json.loads(line)
    if m["type"] == "RECORD":
        last_record[m["stream"]] = i
    elif m["type"] == "ACTIVATE_VERSION":
        last_activate[m["stream"]] = i
for s, i in last_record.items():
    if s != "events":  # INCREMENTAL activates before its records only
        assert i < last_activate[s], s
PY
pass "4 connections: every stream's records come before its final ACTIVATE_VERSION"

# one snapshot for the whole run: a row that reaches b_small while a_big is
# being read is not sent, although b_small is read after a_big. With one
# connection each stream has its own snapshot and the row is sent: the
# check can fail.
python3 - "$T/all.json" "$T/ab.json" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1]))
cat["streams"] = [s for s in cat["streams"] if s["table_name"] in ("a_big", "b_small")]
for s in cat["streams"]:
    next(m["metadata"] for m in s["metadata"] if m["breadcrumb"] == [])["selected"] = True
json.dump(cat, open(sys.argv[2], "w"))
PY
mkfifo "$T/fifo"
for n in 2 1; do
    pg_sql <<<"DELETE FROM b_small WHERE id = 100001" >/dev/null
    rm -f "$T/s.raw"
    "$TAP_BIN" --config "$T/config$n.json" --catalog "$T/ab.json" >"$T/fifo" 2>"$T/s.err" &
    tap_pid=$!
    python3 "$SRCDIR/tests/harness/slow_reader.py" "$T/s.raw" <"$T/fifo" &
    reader_pid=$!
    for _ in $(seq 1 600); do
        grep -q '"RECORD","stream":"a_big"' "$T/s.raw" 2>/dev/null && break
        sleep 0.1
    done
    pg_sql <<<"INSERT INTO b_small VALUES (100001, 'late')" >/dev/null
    wait "$tap_pid" || fail "$n connection(s): the snapshot run failed"
    wait "$reader_pid"
    grep -q 'beginning sync of stream "tapdb-public-b_small"' "$T/s.err" || fail "b_small was not read"
    python3 "$MSGS" count "$T/s.raw" b_small >"$T/count"
    if [[ $n == 2 ]]; then
        assert_eq 100 "$(cat "$T/count")" "2 connections: the row inserted after the run began is absent (one snapshot)"
    else
        assert_eq 101 "$(cat "$T/count")" "1 connection: each stream has its own snapshot, so the row is there"
    fi
done

# SIGTERM and SIGKILL with 2 connections, resumed with 1 and with 2
for sig in TERM KILL; do
    for resume in 1 2; do
        pg_sql >/dev/null <<'SQL'
DELETE FROM a_big WHERE id > 200000 OR id <= 3000;
UPDATE a_big SET v = id, t = repeat(md5(id::text), 3) WHERE v <> id OR t = 'updated';
SQL
        run_interrupted "$sig" 60000 "$T/r1.raw" "$T/r1.err" --config "$T/config2.json" --catalog "$T/ab.json"
        rc=$RC
        if [[ $sig == TERM ]]; then
            assert_eq 143 "$rc" "SIGTERM with 2 connections: exit 143"
            assert_eq STATE "$(tail -n1 "$T/r1.raw" | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])')" \
                "SIGTERM: the last message is a STATE"
        else
            assert_eq 137 "$rc" "SIGKILL: killed"
        fi
        complete_lines "$T/r1.raw" "$T/r1.out"
        n1=$(python3 "$MSGS" count "$T/r1.out" a_big)
        [[ $n1 -lt 190000 ]] || fail "SIG$sig came too late to test anything ($n1 records)"
        python3 "$MSGS" last-state "$T/r1.out" >"$T/state.json"
        pg_sql >/dev/null <<'SQL'
INSERT INTO a_big SELECT g, -g, 'new ' || g FROM generate_series(1, 1500) g;
INSERT INTO a_big SELECT g, -g, 'new ' || g FROM generate_series(300001, 301000) g;
UPDATE a_big SET v = v + 1000000, t = 'updated' WHERE id % 997 = 0;
SQL
        run_tap "$T/r2.out" "$T/r2.err" --config "$T/config$resume.json" --catalog "$T/ab.json" --state "$T/state.json"
        assert_ok "$T/r2.err" "SIG$sig with 2, resumed with $resume: completes"
        pg_sql -c "SELECT row_to_json(x) FROM (SELECT id, v, t FROM a_big) x" >"$T/final.jsonl"
        python3 "$SRCDIR/tests/harness/resume_check.py" union --stream a_big --key id \
            --final "$T/final.jsonl" "$T/r1.out" "$T/r2.out" || fail "SIG$sig with 2, resumed with $resume: rows lost or stale"
        pass "SIG$sig with 2 connections after $n1 records, resumed with $resume: every row with its final values"
    done
done
echo "all passed"
