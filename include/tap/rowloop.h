/*
 * rowloop.h: the hot path. One COPY text row from libpq -> one RECORD
 * line in the writer's buffer, and the STATE and metric cadence between
 * rows.
 *
 * A row is split into fields (copytext), each field is rendered by its
 * column's Encoder straight into the writer's buffer, between the
 * precomputed record prefix, the packed quoted keys of the plan and the
 * precomputed suffix. Nothing is allocated per row here.
 *
 * The loop knows no replication method: a method says how its progress
 * goes into the bookmark through the save callback, which runs before
 * every STATE (so a STATE only ever covers rows already in the buffer,
 * and the STATE flushes them first).
 */
#ifndef TAP_ROWLOOP_H
#define TAP_ROWLOOP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tap/buf.h"
#include "tap/copytext.h"
#include "tap/plan.h"
#include "tap/progress.h"
#include "tap/status.h"
#include "tap/writer.h"

/* How often a STATE goes out while a stream is syncing. */
#define ROWLOOP_STATE_EVERY_ROWS    10000
#define ROWLOOP_STATE_EVERY_SECONDS 5

typedef struct RowLoop RowLoop;
/* RowSave: the method's progress so far into L->bookmark */
typedef void (*RowSave)(RowLoop *L);

struct RowLoop
{
	StreamPlan *plan; /* borrowed */
	PgSession *sess;  /* borrowed: the plan's, or a parallel reader's */
	Writer *w;        /* borrowed */
	const volatile int *abort; /* borrowed, or NULL: set when a parallel
								  run gives up; ends the COPY like a stop */
	bool relayed;              /* a parallel reader's loop: no STATE of its own;
						  its writer hands whole lines to the run instead */
	json_t *state;             /* borrowed */
	json_t *bookmark;          /* borrowed from state */
	RowSave save;              /* the method's, or NULL */
	bool track_ctid;   /* rows end with a ctid field: last_block follows it */
	Buf prefix;        /* {"type":"RECORD","stream":"..","record":{ */
	Buf suffix;        /* },"version":V,"time_extracted":".."}\n */
	Buf scratch;       /* copytext's work space: fields point into it */
	Buf encscratch;    /* encode_value's work space (arrays) */
	Buf last_key;      /* rendered replication key of the last row */
	bool have_key;     /* last_key holds a key (not NULL or infinity) */
	CopyField *fields; /* owned: ncols + 2 */
	int64_t rows;      /* rows written this run */
	int64_t rows_at_state;
	int64_t rows_at_metric;
	int64_t last_block; /* physical reads: the first block not yet wholly
						   written (all rows before it are), or -1 */
	struct timespec last_state;
	struct timespec last_metric;
	Progress progress; /* the terminal's progress line, when on */
};

/*
 * rowloop_begin: what every stream does between its SCHEMA and its first
 * record: the STATE that carries its version, ACTIVATE_VERSION when
 * activate, and, when snapshot, the start of its snapshot (REPEATABLE
 * READ, READ ONLY) for a read of several statements; a read of one
 * statement has that statement's own snapshot.
 */
TapStatus rowloop_begin(StreamPlan *p, json_t *state, Writer *w,
						int64_t version, bool activate, bool snapshot);

/* rowloop_init: a loop for plan p writing records of version */
void rowloop_init(RowLoop *L, StreamPlan *p, Writer *w, json_t *state,
				  json_t *bookmark, int64_t version, RowSave save);
void rowloop_fini(RowLoop *L);

/*
 * rowloop_copy: runs one COPY ... TO STDOUT and writes its rows. On a stop
 * request the COPY is cancelled and TAP_ERR_INTERRUPTED returned; the
 * caller then ends the stream with rowloop_finish.
 */
TapStatus rowloop_copy(RowLoop *L, const char *sql);

/* rowloop_state: the progress into the bookmark, then a STATE (a relayed
 * loop only hands its lines on, with its progress) */
TapStatus rowloop_state(RowLoop *L);

/*
 * rowloop_finish: the end of a stream. st TAP_OK: currently_syncing is
 * cleared in its final STATE. Stopped or failed: a last STATE, which is
 * true (the bookmark only covers what was written), so the next run loses
 * nothing; none after an output failure. Then the stream's record count
 * (not after a failure: the CRITICAL line stays the last). Returns st, or
 * the first new failure.
 */
TapStatus rowloop_finish(RowLoop *L, TapStatus st);

#endif
