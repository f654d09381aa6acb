/*
 * repl.c: the table of replication methods.
 */
#include "tap/repl.h"

#include <time.h>

static const ReplOps *const methods[REPL_NMETHODS] = {
	[REPL_FULL_TABLE] = &repl_full_table,
	[REPL_INCREMENTAL] = &repl_incremental,
	[REPL_XMIN] = &repl_xmin,
};

const ReplOps *
repl_ops(ReplMethod m)
{
	return methods[m];
}

int64_t
repl_new_version(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
