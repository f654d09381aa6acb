#!/usr/bin/env bash
# The conn API against a live server, through tests/harness/conn_probe.c:
# conn_end ROLLBACKs a transaction whose statement failed (and COMMITs a
# good one), with its DEBUG timing line; the libpq quoting variants quote
# as libpq does and reject text that is not valid UTF-8.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
pg_config_json "$T/config.json"
PROBE=$BUILDDIR/tests/conn_probe
[[ -x $PROBE ]] || fail "no $PROBE"

set +e
"$PROBE" "$T/config.json" >"$T/p.out" 2>"$T/p.err"
rc=$?
set -e
[[ $rc -eq 0 ]] || { cat "$T/p.err" >&2; fail "conn_probe exit $rc"; }
grep -qF -- "$PGH_PASSWORD" "$T/p.out" "$T/p.err" && fail "the password was printed"
want=$(cat <<'OUT'
failing statement: 1
before end: failed transaction
end after failure: 0
after end: idle
usable: ok
in a good transaction: in transaction
end after success: 0
after end: idle
end outside a transaction: 0
escape ident: 0 "Mixed ""Case"""
escape literal: 0  E'it''s a \\ test'
escape invalid UTF-8: 1
OUT
)
assert_eq "$want" "$(cat "$T/p.out")" "conn_end and the libpq quoting variants"
grep -qE '^DEBUG statement took [0-9.]+ ms: ROLLBACK$' "$T/p.err" || { cat "$T/p.err" >&2; fail "no ROLLBACK"; }
pass "the failed transaction was rolled back (DEBUG line)"
grep -qE '^DEBUG statement took [0-9.]+ ms: COMMIT$' "$T/p.err" || fail "no COMMIT"
pass "the good transaction was committed (DEBUG line)"
grep -q '^CRITICAL SELECT 1/0 failed: division by zero (SQLSTATE 22012)$' "$T/p.err" ||
    fail "the failing statement's CRITICAL line"
pass "the failing statement is logged once"
echo "all passed"
