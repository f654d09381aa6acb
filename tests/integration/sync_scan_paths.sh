#!/usr/bin/env bash
# FULL_TABLE's ways to read a table (README, "Sync"): block ranges by
# TID range scans (PostgreSQL 14+), one pass for older servers (forced
# here with TAP_SCAN_STRATEGY=one-pass), and whole.
# Each sends the same records; the one-pass read is one sequential scan and
# resumes after SIGTERM without losing a row changed meanwhile.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"

pg_sql >/dev/null <<'SQL'
CREATE TABLE big (id integer PRIMARY KEY, v integer NOT NULL, t text NOT NULL);
INSERT INTO big SELECT g, g, repeat(md5(g::text), 3) FROM generate_series(1, 150000) g;
DELETE FROM big WHERE id <= 3000;
VACUUM ANALYZE big;
GRANT SELECT ON big TO tap;
SQL
nblocks=$(pg_sql_value "SELECT pg_relation_size('big') / 8192")
[[ $nblocks -gt 1024 ]] || fail "the table must span more than one block range ($nblocks blocks)"
discover_select "$T/big.json" public.big:FULL_TABLE

# seq_scans: sequential scans of big so far (the stats of ended sessions)
seq_scans() {
    sleep 0.6
    pg_sql_value "SELECT pg_stat_force_next_flush(); SELECT seq_scan || ' ' || seq_tup_read FROM pg_stat_user_tables WHERE relname = 'big'" | tail -n1
}

# records: the stream's records, sorted, without version and time
records() {
    python3 "$MSGS" records "$1" big | python3 -c '
import json, sys
rows = sorted(json.dumps(json.loads(l), sort_keys=True) for l in sys.stdin)
print("\n".join(rows))'
}

pg_sql -c "SELECT row_to_json(x) FROM (SELECT id, t, v FROM big) x" | python3 -c '
import json, sys
print("\n".join(sorted(json.dumps(json.loads(l), sort_keys=True) for l in sys.stdin if l.strip())))' >"$T/want.txt"

for strategy in tid-ranges one-pass whole; do
    before=$(seq_scans)
    TAP_SCAN_STRATEGY=$strategy run_tap "$T/$strategy.out" "$T/$strategy.err" \
        --config "$T/config.json" --catalog "$T/big.json"
    assert_ok "$T/$strategy.err" "$strategy: the sync completes"
    after=$(seq_scans)
    records "$T/$strategy.out" >"$T/$strategy.txt"
    cmp -s "$T/want.txt" "$T/$strategy.txt" || fail "$strategy: records differ from the table"
    pass "$strategy: every row, exactly once, with its values ($(wc -l <"$T/$strategy.txt") rows)"
    scans=$(( ${after% *} - ${before% *} ))
    read_rows=$(( ${after#* } - ${before#* } ))
    case $strategy in
    tid-ranges) assert_eq 0 "$scans" "tid-ranges: no sequential scan" ;;
    *)          assert_eq 1 "$scans" "$strategy: one sequential scan"
                assert_eq 147000 "$read_rows" "$strategy: the scan read each row once" ;;
    esac
done

# the one-pass read resumes after SIGTERM
export TAP_SCAN_STRATEGY=one-pass
run_interrupted TERM 40000 "$T/r1.raw" "$T/r1.err" --config "$T/config.json" --catalog "$T/big.json"
unset TAP_SCAN_STRATEGY
rc=$RC
assert_eq 143 "$rc" "SIGTERM: exit 143"
cp "$T/r1.raw" "$T/r1.out"
n1=$(python3 "$MSGS" count "$T/r1.out" big)
[[ $n1 -lt 145000 ]] || fail "SIGTERM came too late to test anything ($n1 records)"
python3 "$MSGS" last-state "$T/r1.out" >"$T/state.json"
block=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bookmarks"]["tapdb-public-big"]["ctid_block"])' "$T/state.json")
[[ $block -gt 0 ]] || fail "the last STATE has no block past the start: $(cat "$T/state.json")"
pass "SIGTERM after $n1 records; resume at block $block"

pg_sql >/dev/null <<'SQL'
INSERT INTO big SELECT g, -g, 'new ' || g FROM generate_series(1, 1500) g;
INSERT INTO big SELECT g, -g, 'new ' || g FROM generate_series(300001, 301000) g;
UPDATE big SET v = v + 1000000, t = 'updated' WHERE id % 997 = 0;
SQL
TAP_SCAN_STRATEGY=one-pass run_tap "$T/r2.out" "$T/r2.err" --config "$T/config.json" \
    --catalog "$T/big.json" --state "$T/state.json"
assert_ok "$T/r2.err" "the resumed one-pass run completes"
assert_contains "$T/r2.err" "at block $block" "the run resumed at the bookmarked block"
pg_sql -c "SELECT row_to_json(x) FROM (SELECT id, v, t FROM big) x" >"$T/final.jsonl"
python3 "$SRCDIR/tests/harness/resume_check.py" union --stream big --key id \
    --final "$T/final.jsonl" "$T/r1.out" "$T/r2.out" || fail "rows lost or stale after the one-pass resume"
pass "one-pass resume: every row of the final table was sent with its final values"
assert_done
