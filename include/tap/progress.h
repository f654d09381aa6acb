/*
 * progress.h: a live progress line per stream on a terminal.
 *
 * When stderr is a terminal (or --progress forces it), each stream gets
 * one line on stderr, redrawn in place with '\r' at most PROGRESS_HZ times
 * a second: rows so far, rows per second and, for FULL_TABLE, the percent
 * of the planner's estimate (pg_class.reltuples) and the time left. At the
 * end of the stream the line becomes a summary and a newline ends it. A
 * log line first erases the live line (the next redraw brings it back), so
 * the two never mix. When stderr is not a terminal nothing of this is
 * written and no estimate is queried: orchestrators read stderr line by
 * line.
 */
#ifndef TAP_PROGRESS_H
#define TAP_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tap/catalog.h"
#include "tap/conn.h"

#define PROGRESS_HZ 4
/* rows between two looks at the clock (a power of two, minus one) */
#define PROGRESS_ROW_MASK 255

typedef struct Progress
{
	bool on;            /* this stream shows a line */
	char name[48];      /* the stream's tap_stream_id, cut to fit */
	int64_t estimate;   /* rows expected, or -1 when unknown */
	struct timespec t0; /* the stream's start */
	struct timespec last_draw;
} Progress;

/*
 * progress_setup: mode 1 forces the line on, 0 off, -1 decides by
 * isatty(2). Call once, before any stream.
 */
void progress_setup(int mode);
bool progress_enabled(void);

/*
 * progress_begin: the line of stream spec, read over s. For FULL_TABLE
 * the estimate comes from pg_class.reltuples (one query; a failure only
 * leaves the estimate out).
 */
void progress_begin(Progress *pg, PgSession *s, const StreamSpec *spec);

/* progress_tick: rows written so far; redraws when due */
void progress_tick(Progress *pg, int64_t rows);

/* progress_end: the summary line (ok: the stream finished) */
void progress_end(Progress *pg, int64_t rows, bool ok);

#endif
