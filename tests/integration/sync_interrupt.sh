#!/usr/bin/env bash
# Interruption: a FULL_TABLE sync of 200,000 rows is stopped mid-stream by
# SIGTERM and, separately, by SIGINT and SIGKILL; rows are then updated and inserted
# (some into free space in blocks the first run had already passed); a run
# resumed from the last STATE must complete, and the union of both runs
# must hold every row of the final table with its final values.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"


for sig in TERM INT KILL; do
    pg_sql >/dev/null <<'SQL'
DROP TABLE IF EXISTS big;
CREATE TABLE big (id integer PRIMARY KEY, v integer NOT NULL, t text NOT NULL);
INSERT INTO big SELECT g, g, repeat(md5(g::text), 3) FROM generate_series(1, 200000) g;
-- free space in the first blocks, for rows that arrive between the runs
DELETE FROM big WHERE id <= 3000;
VACUUM big;
GRANT SELECT ON big TO tap;
SQL
    discover_select "$T/big.json" public.big:FULL_TABLE

    run_interrupted "$sig" 40000 "$T/r1.raw" "$T/r1.err" --config "$T/config.json" --catalog "$T/big.json"
    rc=$RC
    if [[ $sig != KILL ]]; then
        want=143; [[ $sig == INT ]] && want=130
        assert_eq "$want" "$rc" "SIG$sig: exit $want"
        assert_eq STATE "$(tail -n1 "$T/r1.raw" | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])')" \
            "SIG$sig: the last message is a STATE"
        tail -n1 "$T/r1.err" | grep -q "^CRITICAL stopped by SIG$sig" || fail "SIG$sig: last log line"
    else
        assert_eq 137 "$rc" "SIGKILL: killed"
    fi
    # only complete lines count (SIGKILL may cut one)
    complete_lines "$T/r1.raw" "$T/r1.out"
    n1=$(python3 "$MSGS" count "$T/r1.out" big)
    [[ $n1 -lt 197000 ]] || fail "$sig came too late to test anything ($n1 records)"
    python3 "$MSGS" last-state "$T/r1.out" >"$T/state.json"
    grep -q '"ctid_block":[0-9]' "$T/state.json" || fail "the last STATE has no block bookmark: $(cat "$T/state.json")"
    pass "$sig after $n1 records; state $(cat "$T/state.json")"

    # changes between the runs: new rows (into the freed first blocks and at
    # the end), updates everywhere, including rows already sent
    pg_sql >/dev/null <<'SQL'
INSERT INTO big SELECT g, -g, 'new ' || g FROM generate_series(1, 1500) g;
INSERT INTO big SELECT g, -g, 'new ' || g FROM generate_series(300001, 301000) g;
UPDATE big SET v = v + 1000000, t = 'updated' WHERE id % 997 = 0;
SQL

    run_tap "$T/r2.out" "$T/r2.err" --config "$T/config.json" --catalog "$T/big.json" --state "$T/state.json"
    assert_ok "$T/r2.err" "$sig: the resumed run completes"
    assert_contains "$T/r2.err" "resuming full table sync of version" "$sig: the run resumed"
    v1=$(grep -m1 '"ACTIVATE_VERSION"' "$T/r1.out" | sed -E 's/.*"version":([0-9]+).*/\1/')
    assert_eq "{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"big\",\"version\":$v1}" \
        "$(grep '"ACTIVATE_VERSION"' "$T/r2.out")" "$sig: the resumed run activates the first run's version"

    pg_sql -c "SELECT row_to_json(x) FROM (SELECT id, v, t FROM big) x" >"$T/final.jsonl"
    python3 "$SRCDIR/tests/harness/resume_check.py" union --stream big --key id \
        --final "$T/final.jsonl" "$T/r1.out" "$T/r2.out" || fail "$sig: rows lost or stale"
    pass "$sig: every row of the final table was sent with its final values"
done
assert_done
