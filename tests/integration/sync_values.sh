#!/usr/bin/env bash
# Value fidelity: the RECORDs of every fixture table that exercises a
# rendering rule, compared line by line with tests/expected/*.jsonl.
# This test only compares; scripts/update-golden.sh [BUILDDIR] regenerates
# the expected files (review the diff before committing it).
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
source "$SRCDIR/tests/harness/golden.sh"
golden_fixture

for table in "${GOLDEN_VALUE_TABLES[@]}"; do
    name=$(golden_value_name "$table")
    golden_values "$table" "$T"
    want=$SRCDIR/tests/expected/$name.jsonl
    if ! diff -u "$want" "$T/$name.jsonl" >"$T/diff"; then
        head -n 60 "$T/diff" >&2
        fail "$name: records differ from tests/expected/$name.jsonl"
    fi
    pass "$name: $(wc -l <"$T/$name.jsonl") records equal tests/expected/$name.jsonl"
done

# Clamped dates warn once per column, naming it.
grep -c 'column "c_date" has a date before year 1 or after year 9999' "$T/special_values.err" >"$T/n"
assert_eq 1 "$(cat "$T/n")" "one clamp WARNING for c_date"
assert_done
