/*
 * plan.h: a selected stream checked against the live database, and
 * everything about it that does not change per row.
 *
 * Planning runs for every selected stream before the first message, so a
 * stale or wrong catalog fails with nothing written. Three failures are
 * told apart: the table does not exist (input error: run --discover
 * again), it is not a table or view (input error), the user may not read
 * it or one of its columns (permission error, exit 4).
 */
#ifndef TAP_PLAN_H
#define TAP_PLAN_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tap/buf.h"
#include "tap/catalog.h"
#include "tap/config.h"
#include "tap/conn.h"
#include "tap/discover.h"
#include "tap/encode.h"
#include "tap/status.h"

/* One emitted column of a stream. */
typedef struct ColPlan
{
	const char *name;      /* borrowed from the StreamSpec */
	const DiscColumn *col; /* borrowed from the discovery result: the live
							  column and its type */
	Encoder enc;
	atomic_bool warned_clamp; /* one WARNING per column per run, whichever
								 reader sees the value first */
} ColPlan;

/* What the server says about a table, for choosing how to read it. */
typedef struct ScanFacts
{
	bool ctid_readable;     /* the user may read ctid and xmin */
	char amname[64];        /* the table access method ("heap"), or "" */
	int64_t nblocks;        /* the table's size in blocks */
	int64_t ring_blocks;    /* a quarter of shared_buffers, in blocks (0:
							   unknown): the server reads a larger table's
							   sequential scan through a small ring */
	bool statement_timeout; /* the session has a statement_timeout */
} ScanFacts;

/* plan_facts_default: a table gone meanwhile: readable heap, 0 blocks */
void plan_facts_default(ScanFacts *f);

typedef struct StreamPlan
{
	const StreamSpec *spec; /* borrowed */
	PgSession *sess;        /* borrowed */
	char relkind;           /* pg_class.relkind: r p v m f */
	ColPlan *cols;          /* owned, sorted by name (SIO's key order) */
	size_t ncols;
	int rkey;               /* index in cols of the replication key, or -1 */
	char *rkey_type;        /* owned: the key's SQL type, for the cast */
	bool rkey_has_infinity; /* its type has infinity (and NaN) values */
	json_t *schema;         /* owned: the SCHEMA message's schema */
	Buf keys;               /* owned: ,"name": for each column, packed */
	size_t *key_off;        /* owned: offsets into keys (ncols + 1) */
	ScanFacts facts;        /* an ordinary table's, when planned (sync
							   asks for all of a database's at once) */
} StreamPlan;

/*
 * plan_stream: checks spec against tables (the discovery result for its
 * database, borrowed for the plan's lifetime) and fills *out. Errors name
 * catalog_path, the stream and the column. *out needs plan_fini either way.
 */
TapStatus plan_stream(const StreamSpec *spec, PgSession *sess,
					  const DiscResult *tables, const TapConfig *cfg,
					  const char *catalog_path, StreamPlan *out);

void plan_fini(StreamPlan *p);

#endif
