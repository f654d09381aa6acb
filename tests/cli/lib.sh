# shellcheck shell=bash
# tests/cli/lib.sh: the cli tests use the assertions of
# tests/harness/assert.sh: every assertion runs, and assert_done (at the
# end of each test) prints the plan and gives the verdict.
#
# The older names stay, as thin aliases:
#   ok STATUS DESCRIPTION   assert_status
#   done_testing            assert_done

# shellcheck source=tests/harness/assert.sh
. "$SRCDIR/tests/harness/assert.sh"

ok() { assert_status "$1" "$2"; }
done_testing() { assert_done; }
