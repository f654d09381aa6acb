/*
 * parallel_internal.h: what parallel.c (the coordinator) and
 * parallel_reader.c (the reader threads) share, and nothing else
 * includes: the unit queue, the chunks, the readers and the run's shared
 * state Par, under Par.mu. The API for the rest of the tap is parallel.h.
 */
#ifndef TAP_PARALLEL_INTERNAL_H
#define TAP_PARALLEL_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tap/buf.h"
#include "tap/config.h"
#include "tap/conn.h"
#include "tap/parallel.h"
#include "tap/plan.h"
#include "tap/repl_full.h"
#include "tap/rowloop.h"
#include "tap/scan.h"
#include "tap/status.h"
#include "tap/writer.h"

typedef enum UnitKind
{
	UNIT_RANGE,  /* one block range */
	UNIT_REREAD, /* resuming: rows changed since the interrupted snapshot */
	UNIT_SCAN,   /* the stream's scan_table: one pass, or whole */
} UnitKind;

typedef struct Unit
{
	size_t stream; /* index in Par.streams */
	UnitKind kind;
	int64_t block; /* UNIT_RANGE: its first block */
	bool last;     /* UNIT_RANGE: open-ended, up to the table's end */
	bool done;     /* coordinator: all its lines are on stdout */
} Unit;

typedef struct Reader Reader;

/* Whole lines of one unit, on their way from a reader to stdout. */
typedef struct Chunk
{
	Buf buf;
	Reader *owner;
	size_t unit;
	int64_t rows;       /* records in buf */
	int64_t last_block; /* a one-pass scan's position, or -1 */
	bool unit_done;     /* the unit's last chunk */
	TapStatus st;       /* with unit_done: how the unit ended */
	struct Chunk *next;
} Chunk;

typedef struct Par Par;

struct Reader
{
	Par *par;
	PgSession own; /* a helper's session (the leader's is borrowed) */
	PgSession *sess;
	pthread_t thread;
	bool started;
	Chunk chunks[PARALLEL_READER_CHUNKS];
	Chunk *free; /* under par->mu */
	Writer w;    /* relays to the coordinator */
	RowLoop *L;  /* the unit in progress */
	size_t unit;
	int64_t rows_relayed;
};

/* The coordinator's view of one stream. */
typedef struct PStream
{
	StreamPlan *plan;
	bool by_units; /* FULL_TABLE: read by the readers */
	FullStart fs;
	size_t first_unit, nunits, units_done;
	int64_t onepass_block; /* a one-pass scan's last written block, or -1 */
	bool started, finished;
	int64_t rows, rows_at_metric;
	struct timespec t0, last_metric;
} PStream;

struct Par
{
	pthread_mutex_t mu;
	pthread_cond_t to_readers; /* a unit, a free chunk, or the end */
	pthread_cond_t to_coord;   /* a chunk */
	Unit *units;               /* every unit queued so far */
	size_t nunits, cap, next_unit;
	size_t busy;        /* readers in a unit */
	bool closed;        /* no unit will come any more */
	volatile int abort; /* readers give up their unit */
	Chunk *ready, *ready_tail;
	Reader *readers;
	size_t nreaders;
	PStream *streams;
	size_t nstreams;
	json_t *state;    /* coordinator only */
	Writer *w;        /* coordinator only */
	int64_t horizon;  /* the shared snapshot's xmin */
	bool split_large; /* parallel_large_tables */
	int64_t rows, rows_at_state;
	struct timespec last_state;
	bool wrote_last_state; /* a one-connection stream ended the run */
};

/*
 * parallel_relay: a reader's Writer flushes to the coordinator
 * (Writer.relay; relay_arg is the Reader)
 */
TapStatus parallel_relay(Writer *w);

/*
 * parallel_reader_main: a reader thread (arg: its Reader): takes units
 * until the queue is closed and empty, the run aborts or a unit fails
 */
void *parallel_reader_main(void *arg);

/*
 * parallel_open_helpers: up to want more sessions in the leader's
 * snapshot, as readers of par; one that cannot be had is a WARNING
 */
void parallel_open_helpers(Par *par, const TapConfig *cfg, PgSession *leader,
						   const char *snapshot, size_t want);

#endif
