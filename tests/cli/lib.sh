# shellcheck shell=bash
# tests/cli/lib.sh: a TAP producer for the cli test scripts.
#
#   ok STATUS DESCRIPTION   "ok N - ..." when STATUS is 0, else "not ok N - ..."
#   done_testing            prints the plan; returns non-zero if any failed

n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

done_testing() {
	echo "1..$n"
	[ "$failed" = 0 ]
}
