#!/usr/bin/env bash
# A catalog written the way singer-io/tap-postgres writes it lists a
# partitioned table and each of its partitions as streams of their own.
# Sync reads every selected one as the table it is: the parent with all
# rows, each partition with its own, under singer-io's stream names and
# state keys. Relations that cannot be synced get a message that says what
# is true: missing, not a table or view, or not permitted.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"

pg_sql >/dev/null <<'SQL'
CREATE TABLE payment (id integer NOT NULL, paid date NOT NULL, amount numeric(8,2),
                      PRIMARY KEY (id, paid)) PARTITION BY RANGE (paid);
CREATE TABLE payment_p2022_01 PARTITION OF payment FOR VALUES FROM ('2022-01-01') TO ('2022-02-01');
CREATE TABLE payment_p2022_02 PARTITION OF payment FOR VALUES FROM ('2022-02-01') TO ('2022-03-01');
CREATE TABLE payment_p2022_03 PARTITION OF payment FOR VALUES FROM ('2022-03-01') TO ('2022-04-01');
INSERT INTO payment SELECT g, date '2022-01-01' + (g % 90), g / 100.0 FROM generate_series(1, 9000) g;
GRANT SELECT ON payment, payment_p2022_01, payment_p2022_02, payment_p2022_03 TO tap;
CREATE SEQUENCE payment_seq;
GRANT SELECT ON payment_seq TO tap;
CREATE TABLE secret (id integer PRIMARY KEY);
SQL

run_tap "$T/all.json" "$T/d.err" --config "$T/config.json" --discover
assert_ok "$T/d.err" "discovery"
# singer-io's shape: the parent's entry, and one per partition with the
# partition's names (same columns and metadata otherwise); all selected
python3 - "$T/all.json" "$T/sio.json" <<'PY'
import copy, json, sys
cat = json.load(open(sys.argv[1]))
parent = next(s for s in cat["streams"] if s["table_name"] == "payment")
assert not any(s["table_name"].startswith("payment_p") for s in cat["streams"]), \
    "discovery lists partitions"
streams = [parent]
for p in ("payment_p2022_01", "payment_p2022_02", "payment_p2022_03"):
    s = copy.deepcopy(parent)
    s["tap_stream_id"] = "tapdb-public-" + p
    s["table_name"] = s["stream"] = p
    streams.append(s)
for s in streams:
    for m in s["metadata"]:
        if m["breadcrumb"] == []:
            m["metadata"]["selected"] = True
            m["metadata"]["replication-method"] = "FULL_TABLE"
json.dump({"streams": streams}, open(sys.argv[2], "w"))
PY
pass "discovery lists the parent only; the singer-io catalog adds the partitions"

run_tap "$T/s.out" "$T/s.err" --config "$T/config.json" --catalog "$T/sio.json"
assert_ok "$T/s.err" "a singer-io catalog with partitions syncs"
for t in payment payment_p2022_01 payment_p2022_02 payment_p2022_03; do
    want=$(pg_sql_value "SELECT count(*) FROM $t")
    assert_eq "$want" "$(python3 "$MSGS" count "$T/s.out" "$t")" "$t: as many records as rows ($want)"
done
python3 "$MSGS" records "$T/s.out" payment_p2022_02 | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert all(r["paid"].startswith("2022-02-") for r in rows), "a row of another partition"
assert rows[0].keys() == {"id", "paid", "amount"}, rows[0]' || fail "payment_p2022_02's records"
pass "a partition's records are its own rows"
python3 "$MSGS" last-state "$T/s.out" | python3 -c '
import json, sys
b = json.load(sys.stdin)["bookmarks"]
want = {"tapdb-public-payment", "tapdb-public-payment_p2022_01",
        "tapdb-public-payment_p2022_02", "tapdb-public-payment_p2022_03"}
assert set(b) == want, sorted(b)
for k in want:
    assert b[k]["last_replication_method"] == "FULL_TABLE" and b[k]["version"] > 0, b[k]' ||
    fail "state keys"
pass "state keeps one bookmark per stream, under singer-io's keys"

# three different failures, three different messages
one_stream() { # TABLE: the payment entry renamed to TABLE, in $T/one.json
    python3 - "$T/sio.json" "$T/one.json" "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["streams"][0]
s["tap_stream_id"] = "tapdb-public-" + sys.argv[3]
s["table_name"] = s["stream"] = sys.argv[3]
json.dump({"streams": [s]}, open(sys.argv[2], "w"))
PY
}
expect_fail() { # CODE TEXT DESCRIPTION
    assert_exit "$1" "$RC" "$3: exit $1" "$T/e.err"
    assert_eq 0 "$(stat -c %s "$T/e.out")" "$3: nothing on stdout"
    assert_match '^CRITICAL ' "$(tail -n1 "$T/e.err")" "$3: the last stderr line is CRITICAL"
    assert_contains "$T/e.err" "$2" "$3"
}
one_stream no_such_table
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/one.json"
expect_fail 2 'table "public"."no_such_table" does not exist in database "tapdb"' "missing: does not exist"
one_stream payment_seq
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/one.json"
expect_fail 2 '"public"."payment_seq" is a sequence, which cannot be synced' "a sequence: not a table"
one_stream payment_pkey
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/one.json"
expect_fail 2 '"public"."payment_pkey" is an index, which cannot be synced' "an index: not a table"
one_stream secret
run_tap "$T/e.out" "$T/e.err" --config "$T/config.json" --catalog "$T/one.json"
expect_fail 4 'permission denied: user "tap" may not read table "public"."secret"' "not granted: permission denied"
assert_done
