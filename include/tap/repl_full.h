/*
 * repl_full.h: the steps of a FULL_TABLE stream, for the drivers that run
 * it: repl_full_table.sync (one connection) and parallel.c (block ranges
 * over several connections). The method's rules are in repl_full.c.
 */
#ifndef TAP_REPL_FULL_H
#define TAP_REPL_FULL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "tap/buf.h"
#include "tap/plan.h"
#include "tap/query.h"
#include "tap/scan.h"
#include "tap/status.h"
#include "tap/writer.h"

/* Where a FULL_TABLE run starts. */
typedef struct FullStart
{
	ScanChoice scan;
	bool resuming;   /* go on under the stored version */
	bool first_run;  /* the stream had no version: ACTIVATE_VERSION first */
	int64_t version; /* the records' version */
	int64_t block;   /* the first block not yet read (0 unless resuming) */
	int64_t horizon; /* resuming: the interrupted snapshot's xmin */
} FullStart;

/*
 * repl_full_prepare: the resume decision from the stream's bookmark bm,
 * for fs->scan (set by the caller); a new version is stored in bm. Logs
 * what it decided.
 */
void repl_full_prepare(const StreamPlan *p, json_t *bm, FullStart *fs);

/* repl_full_schema: the stream's SCHEMA message */
TapStatus repl_full_schema(const StreamPlan *p, Writer *w);

/* repl_full_reread_filter: resuming, the rows written since the
 * interrupted snapshot in the blocks it had passed */
void repl_full_reread_filter(Buf *out, const FullStart *fs);

/* repl_full_position: the bookmark says where the read stands */
void repl_full_position(json_t *bm, int64_t block, int64_t horizon);

/*
 * repl_full_one_copy: whether the stream, with the bookmarks in state, will
 * be read in one COPY of its own (a table within one block range, read
 * afresh, or a relation read whole); if so, sql becomes that statement,
 * so that the COPYs of consecutive such streams can be sent at once
 * (conn_copy_queue)
 */
bool repl_full_one_copy(const StreamPlan *p, const json_t *state, Buf *sql);

/* repl_full_complete: the table is complete: no position any more */
void repl_full_complete(json_t *bm, const FullStart *fs);

#endif
