/*
 * repl.c: the table of replication methods.
 */
#include "tap/repl.h"

#include <time.h>

#include "tap/log.h"
#include "tap/metrics.h"
#include "tap/state.h"

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

TapStatus
repl_sync_stream(StreamPlan *p, json_t *state, Writer *w)
{
	struct timespec t0;
	TapStatus st;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_info("beginning sync of stream \"%s\" with method %s",
			 p->spec->tap_stream_id, method_name(p->spec->method));
	state_set_currently_syncing(state, p->spec->tap_stream_id);
	st = repl_ops(p->spec->method)->sync(p, state, w);
	/* after a failure the CRITICAL line stays the last one */
	if (st == TAP_OK || st == TAP_ERR_INTERRUPTED)
		metrics_timer(p->spec, metrics_elapsed_s(&t0), st == TAP_OK);
	return st;
}
