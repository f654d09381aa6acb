#!/usr/bin/env bash
# The tap only reads. A role with nothing but USAGE on one schema and
# SELECT on some of its tables (and some columns of another) discovers
# exactly what it may read and syncs it. In the server log, every session
# of the tap makes its transactions read-only and every BEGIN says READ
# ONLY, and no statement of the tap writes; a view whose SELECT would
# write (through a SECURITY DEFINER function) fails instead of writing.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"

# The password must not reach the server log (log_statement=all).
PGOPTIONS="-c log_statement=none" pg_sql >/dev/null <<SQL
CREATE ROLE ro LOGIN PASSWORD '$PGH_PASSWORD';
SQL
pg_sql >/dev/null <<'SQL'
-- PUBLIC's defaults: CONNECT and TEMP on the database, USAGE on public.
REVOKE ALL ON DATABASE tapdb FROM PUBLIC;
GRANT CONNECT ON DATABASE tapdb TO ro, tap;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA app;
CREATE TABLE app.orders (id int PRIMARY KEY, updated_at timestamptz NOT NULL, note text);
INSERT INTO app.orders SELECT g, '2024-01-01'::timestamptz + g * interval '1 hour', 'n' || g
  FROM generate_series(1, 50) g;
CREATE TABLE app.partial (id int PRIMARY KEY, visible text, hidden text);
INSERT INTO app.partial VALUES (1, 'shown', 'not for ro');
CREATE TABLE app.secret (id int, pw text);
INSERT INTO app.secret VALUES (1, 'nope');
CREATE VIEW app.orders_v AS SELECT id, note FROM app.orders;
CREATE TABLE app.audit (n int);
CREATE FUNCTION app.touch() RETURNS int LANGUAGE sql SECURITY DEFINER
  AS 'INSERT INTO app.audit VALUES (1) RETURNING n';
CREATE VIEW app.sneaky AS SELECT 1 AS id, app.touch() AS n;
CREATE TABLE public.pub (id int);
GRANT USAGE ON SCHEMA app TO ro;
GRANT SELECT ON app.orders, app.orders_v, app.sneaky TO ro;
GRANT SELECT (id, visible) ON app.partial TO ro;
GRANT SELECT ON public.pub TO ro;     -- but no USAGE on schema public
SQL
assert_eq "f|f|f|f" "$(pg_sql_value "SELECT has_database_privilege('ro', 'tapdb', 'CREATE'), has_database_privilege('ro', 'tapdb', 'TEMP'), has_schema_privilege('ro', 'public', 'USAGE'), has_table_privilege('ro', 'app.orders', 'INSERT')")" \
    "role ro has no privilege beyond USAGE on app and SELECT"

pg_config_json "$T/config.json" user='"ro"'
run_tap "$T/cat.all" "$T/disc.err" --config "$T/config.json" --discover
assert_ok "$T/disc.err" "discovery as ro"
assert_eq "tapdb-app-orders:id,note,updated_at tapdb-app-orders_v:id,note tapdb-app-partial:id,visible tapdb-app-sneaky:id,n" \
    "$(python3 -c '
import json, sys
cat = json.load(open(sys.argv[1]))
print(" ".join(sorted("%s:%s" % (s["tap_stream_id"], ",".join(sorted(s["schema"]["properties"])))
                      for s in cat["streams"])))' "$T/cat.all")" \
    "discovery: exactly the readable tables and columns (no app.secret, no public.pub, no partial.hidden)"

python3 "$SELECT" "$T/cat.all" "$T/sel.json" app.orders:INCREMENTAL:updated_at app.partial \
    app.orders_v --view-keys app.orders_v=id
run_tap "$T/sync.out" "$T/sync.err" --config "$T/config.json" --catalog "$T/sel.json"
assert_ok "$T/sync.err" "sync as ro"
assert_eq "50 1 50" "$(for s in orders partial orders_v; do python3 "$MSGS" count "$T/sync.out" "$s"; done | xargs)" \
    "sync: every row of the three streams"
grep -q '"hidden"' "$T/sync.out" && fail "a column ro may not read was emitted"
pass "sync: no unreadable column"
assert_contains "$T/sync.err" "may read only some columns of the table, not its ctid" \
    "partial: column privileges only, so the sync cannot resume by ctid (and says so)"
# A state as an interrupted run would leave it: partial (no ctid) and the
# view cannot resume by block; both start over (regression: this once read
# a freed bookmark value).
python3 "$MSGS" last-state "$T/sync.out" | python3 -c '
import json, sys
st = json.load(sys.stdin)
for s in ("tapdb-app-partial", "tapdb-app-orders_v"):
    st["bookmarks"][s].update({"ctid_block": 3, "snapshot_xmin": 5})
json.dump(st, sys.stdout)' >"$T/state.json"
run_tap "$T/sync2.out" "$T/sync2.err" --config "$T/config.json" --catalog "$T/sel.json" --state "$T/state.json"
assert_ok "$T/sync2.err" "second sync as ro, from an interrupted-looking state"
assert_eq "1 1 50" "$(for s in orders partial orders_v; do python3 "$MSGS" count "$T/sync2.out" "$s"; done | xargs)" \
    "second sync: orders from its bookmark; partial and the view start over"
assert_contains "$T/sync2.err" "is a view: it starts over" "second sync: the view starts over"

# A view that writes when read: the read-only transaction stops it.
python3 "$SELECT" "$T/cat.all" "$T/sneaky.json" app.sneaky --view-keys app.sneaky=id
run_tap "$T/sneaky.out" "$T/sneaky.err" --config "$T/config.json" --catalog "$T/sneaky.json"
assert_eq 4 "$RC" "a view that would write: the sync fails (exit 4)"
assert_contains "$T/sneaky.err" "read-only transaction" "a view that would write: the server refused the write"
assert_eq 0 "$(pg_sql_value "SELECT count(*) FROM app.audit")" "a view that would write: nothing was written"

# The server log: every statement the tap's sessions sent.
python3 - "$PGH_LOG" <<'PY' || fail "server log: the tap's sessions are read-only"
import re, sys
line_re = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] \[app=(.*?) db=(.*?) user=(.*?)\] (\w+):  (.*)$")
stmts = []          # (pid, text)
cur = None
for raw in open(sys.argv[1], encoding="utf-8", errors="replace"):
    raw = raw.rstrip("\n")
    m = line_re.match(raw)
    if not m:
        if cur is not None and raw.startswith("\t"):
            cur[1].append(raw.strip())
        continue
    cur = None
    pid, app, db, user, level, msg = m.groups()
    if app != "tap-postgres" or level != "LOG":
        continue
    s = re.match(r"(?:statement|execute [^:]*): (.*)$", msg)
    if s:
        cur = (pid, [s.group(1)])
        stmts.append(cur)
pids = {}
for pid, parts in stmts:
    pids.setdefault(pid, []).append(" ".join(parts))
assert pids, "no statement of the tap in the log"
allowed = re.compile(r"^(SET |SELECT |WITH |COPY \(SELECT |BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY$|COMMIT$|ROLLBACK$|END$|SHOW )", re.S)
bad = []
for pid, texts in pids.items():
    if not any("default_transaction_read_only = on" in t for t in texts[:1]):
        bad.append("session %s does not start read-only: %r" % (pid, texts[0][:120]))
    for t in texts:
        if not allowed.match(t):
            bad.append("session %s sent: %r" % (pid, t[:200]))
        if t.startswith("BEGIN") and "READ ONLY" not in t:
            bad.append("session %s: BEGIN without READ ONLY" % pid)
if bad:
    sys.exit("\n".join(bad))
print("ok - server log: %d sessions, %d statements, all read-only" % (len(pids), sum(map(len, pids.values()))))
PY
assert_done
