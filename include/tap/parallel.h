/*
 * parallel.h: one database's streams over several connections sharing one
 * exported snapshot (config parallel_connections above 1).
 *
 * The session that planned the streams (the leader) begins a REPEATABLE
 * READ, READ ONLY transaction and exports its snapshot; up to
 * parallel_connections - 1 more sessions import it, so every stream of
 * the run sees the database at one instant. Each session has a reader
 * thread. FULL_TABLE streams are cut into units (one block range each, or
 * the whole relation when it has no physical order) that the readers take
 * in order: a large table's ranges are read by several connections at
 * once, small tables side by side. A reader encodes its rows into its own
 * buffers (a few of WRITER_FLUSH_BYTES each: memory stays bounded) and
 * hands whole lines to the calling thread, the only writer of stdout,
 * which writes every message, STATE included. A stream's bookmark only
 * covers units whose lines are all on stdout: ranges finished out of order
 * are read again after an interruption, never lost.
 *
 * INCREMENTAL and other methods whose statement must stay on one
 * connection run on the leader, in the same snapshot, when no reader is
 * busy.
 */
#ifndef TAP_PARALLEL_H
#define TAP_PARALLEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tap/config.h"
#include "tap/conn.h"
#include "tap/plan.h"
#include "tap/status.h"
#include "tap/writer.h"

/* At most this many connections to one database, whatever the config. */
#define PARALLEL_MAX_CONNECTIONS 64
/* Buffers each reader may fill ahead of the writer. */
#define PARALLEL_READER_CHUNKS 4
/* Units kept queued per reader, and how many one-range tables a reader
 * takes at once, their COPYs sent together (conn_copy_queue). */
#define PARALLEL_UNITS_AHEAD 16

/*
 * parallel_sync: syncs plans[0..n) (in that order; all of the database of
 * leader, their session) in one shared snapshot. When the snapshot cannot
 * be exported, nothing is written, *fell_back is set and TAP_OK returned:
 * the caller then syncs them one snapshot per stream (a WARNING says why).
 */
TapStatus parallel_sync(const TapConfig *cfg, PgSession *leader,
						StreamPlan *const *plans, size_t n, json_t *state,
						Writer *w, bool *fell_back);

#endif
