/*
 * repl.h: the interface every replication method implements.
 *
 * sync.c plans the streams, then hands each one to its method's sync.
 * A method module (repl_full.c, repl_incremental.c, ...) owns the
 * method's bookmark keys, its SQL shape and its ACTIVATE_VERSION rule; it
 * writes the stream's SCHEMA, records and STATEs through the row loop
 * (rowloop.h), reading tables through scan.h where it reads them in
 * physical order. To add a method: a name in method.c, a module that
 * defines a ReplOps, and its entry in repl.c's table (docs/ARCHITECTURE.md).
 */
#ifndef TAP_REPL_H
#define TAP_REPL_H

#include <jansson.h>

#include "tap/method.h"
#include "tap/plan.h"
#include "tap/status.h"
#include "tap/writer.h"

typedef struct ReplOps
{
	ReplMethod method;
	/*
	 * check: whether the planned stream can use the method, before any
	 * message is written (e.g. a view cannot be read by xmin); errors name
	 * catalog_path and the stream. NULL: every stream can.
	 */
	TapStatus (*check)(const StreamPlan *p, const char *catalog_path);
	/*
	 * sync: the stream's SCHEMA, records, STATEs and ACTIVATE_VERSION.
	 * state's currently_syncing already names the stream; the method
	 * clears it when the stream completes (rowloop_finish).
	 */
	TapStatus (*sync)(StreamPlan *p, json_t *state, Writer *w);
} ReplOps;

extern const ReplOps repl_full_table;
extern const ReplOps repl_incremental;
extern const ReplOps repl_xmin;

/* repl_ops: the method's operations */
const ReplOps *repl_ops(ReplMethod m);

/* repl_sync_stream: one stream by its method, in its turn: logged, named
 * in currently_syncing, timed (singer-python's job_duration) */
TapStatus repl_sync_stream(StreamPlan *p, json_t *state, Writer *w);

/* repl_new_version: a new table version: milliseconds since the epoch, as
 * SIO makes it */
int64_t repl_new_version(void);

#endif
