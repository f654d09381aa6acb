/*
 * scan.h: reading a table in physical order, without a sort, so that a
 * FULL_TABLE (or XMIN) read can resume where it stopped.
 *
 * How a table is read depends on what the server and the table offer:
 *  - TID ranges: consecutive block ranges of SCAN_CHUNK_BLOCKS, one COPY
 *    each, answered by a TID range scan (PostgreSQL 14 and later); the
 *    bookmark is the start of the range being read.
 *  - one pass: one COPY over one sequential scan (synchronized scans off,
 *    so it starts at block 0) that also returns each row's ctid; the
 *    bookmark is the block of the last row written. For servers before 14
 *    (where a ctid range is a filter over a full sequential scan anyway),
 *    and for a table larger than a quarter of shared_buffers: the server
 *    reads such a table's sequential scan through a small ring of buffers,
 *    while a TID range scan always goes through its shared cache and would
 *    evict the working set of the user's own queries. Its ctid conditions
 *    are function calls (tidge, tidlt), which the planner never turns into
 *    a TID range scan.
 *  - whole: no physical row order to resume from (views, materialized
 *    views, partitioned parents, foreign tables, another table access
 *    method, a user who may not read ctid): one COPY, restarted from the
 *    beginning after an interruption.
 */
#ifndef TAP_SCAN_H
#define TAP_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "tap/buf.h"
#include "tap/rowloop.h"
#include "tap/status.h"

/* Blocks per range (8 MiB of 8 KiB pages): the resume granularity. */
#define SCAN_CHUNK_BLOCKS 1024
/* The first server version with TID range scans. */
#define SCAN_TID_RANGE_VERSION 140000

typedef enum ScanKind
{
	SCAN_TID_RANGES,
	SCAN_ONE_PASS,
	SCAN_WHOLE,
} ScanKind;

typedef struct ScanChoice
{
	ScanKind kind;
	const char *why; /* SCAN_WHOLE: why the table cannot resume ("a view",
						...); a physical kind chosen for the table's size:
						why, for an INFO line; else NULL */
} ScanChoice;

/*
 * scan_choose: the way to read a relation of relkind (f: the table's
 * facts, NULL for anything but an ordinary table) on a server of
 * server_version. split_large: a table larger than a quarter of
 * shared_buffers is read in ranges all the same (several connections
 * share them). forced ("tid-ranges", "one-pass", "whole", or NULL)
 * overrides a physical choice; it never makes a view physical.
 */
ScanChoice scan_choose(int server_version, char relkind, const ScanFacts *f,
					   bool split_large, const char *forced);

/*
 * scan_choose_stream: scan_choose for a planned stream (its facts from
 * planning), with a WARNING when a column grant leaves ctid out and an
 * INFO line when the choice was made for the table's size
 */
ScanChoice scan_choose_stream(const StreamPlan *p, bool split_large);

/*
 * scan_put_before: appends the condition "ctid before block b" in the
 * form kind reads it: a function call for a one-pass scan (never a TID
 * range scan), the operator otherwise
 */
void scan_put_before(Buf *sql, ScanKind kind, int64_t b);

/* scan_forced: the TAP_SCAN_STRATEGY environment variable, or NULL */
const char *scan_forced(void);

/*
 * scan_table: reads the table into L, from block start (physical kinds)
 * up to nblocks (TID ranges), with filter ANDed to each statement's WHERE
 * clause when not NULL. L->last_block follows the progress.
 */
TapStatus scan_table(RowLoop *L, ScanKind kind, int64_t start, int64_t nblocks,
					 const char *filter);

/*
 * scan_range: one block range [b, b + SCAN_CHUNK_BLOCKS), or [b, end) when
 * last, as one COPY; sql is the caller's work buffer. For readers that
 * take ranges one at a time (parallel.h).
 */
TapStatus scan_range(RowLoop *L, int64_t b, bool last, const char *filter,
					 Buf *sql);

/* scan_range_sql: the statement scan_range sends for p's range, into sql
 * (for sending several at once: conn_copy_queue) */
void scan_range_sql(Buf *sql, const StreamPlan *p, int64_t b, bool last,
					const char *filter);

#endif
