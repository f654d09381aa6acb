/*
 * scan.h: reading a table in physical order, without a sort, so that a
 * FULL_TABLE (or XMIN) read can resume where it stopped.
 *
 * How a table is read depends on what the server and the table offer:
 *  - TID ranges: consecutive block ranges of SCAN_CHUNK_BLOCKS, one COPY
 *    each, answered by a TID range scan (PostgreSQL 14 and later); the
 *    bookmark is the start of the range being read.
 *  - one pass: on older servers a ctid range is a filter over a full
 *    sequential scan, so the table is read in one COPY (synchronized scans
 *    off, so it starts at block 0) that also returns each row's ctid; the
 *    bookmark is the block of the last row written.
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
	const char *why; /* SCAN_WHOLE: why the table cannot resume, for an INFO
						line ("a view", ...); else NULL */
} ScanChoice;

/*
 * scan_choose: the way to read a relation of relkind with table access
 * method amname ("" for none) on a server of server_version, given
 * whether the user may read ctid. forced ("tid-ranges", "one-pass",
 * "whole", or NULL) overrides a physical choice, for testing the older
 * servers' path on a new one; it never makes a view physical.
 */
ScanChoice scan_choose(int server_version, char relkind, const char *amname,
					   bool ctid_readable, const char *forced);

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

#endif
