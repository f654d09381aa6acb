/*
 * scan.c: physical-order reads of a table: TID ranges, one pass, whole.
 */
#include "tap/scan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/buf.h"
#include "tap/conn.h"
#include "tap/log.h"
#include "tap/query.h"

/* what a physical read of a large table costs the server, for the INFO */
static const char *const WHY_RING =
	"larger than a quarter of the server's shared_buffers: it is read in "
	"one sequential pass, which the server makes through a small ring of "
	"buffers instead of its shared cache";
static const char *const WHY_TIMEOUT =
	"larger than a quarter of the server's shared_buffers, but a "
	"statement_timeout is set: it is read in short 8 MiB range statements, "
	"which pass through the server's shared cache (without a "
	"statement_timeout for the tap's role it would be read in one pass "
	"through a small ring of buffers)";

static const char *const WHY_SPLIT =
	"larger than a quarter of the server's shared_buffers, and "
	"parallel_large_tables is set: it is read in 8 MiB ranges over several "
	"connections, which pass through the server's shared cache";

ScanChoice
scan_choose(int server_version, char relkind, const ScanFacts *f,
			bool split_large, const char *forced)
{
	ScanChoice c = {SCAN_WHOLE, NULL};
	bool large;

	switch (relkind)
	{
		case 'r':
			break;
		case 'p':
			c.why = "a partitioned table (its rows live in its partitions)";
			return c;
		case 'f':
			c.why = "a foreign table (its rows have no position here)";
			return c;
		case 'm':
			c.why = "a materialized view";
			return c;
		default:
			c.why = "a view";
			return c;
	}
	if (f != NULL && f->amname[0] != '\0' && strcmp(f->amname, "heap") != 0)
	{
		c.why = "a table whose access method has no physical row order";
		return c;
	}
	if (f == NULL || !f->ctid_readable)
	{
		c.why = "a table whose ctid the user may not read";
		return c;
	}
	if (forced != NULL && strcmp(forced, "whole") == 0)
	{
		c.why = "read whole as TAP_SCAN_STRATEGY asks";
		return c;
	}
	if (forced != NULL && strcmp(forced, "tid-ranges") == 0)
	{
		c.kind = SCAN_TID_RANGES;
		return c;
	}
	if ((forced != NULL && strcmp(forced, "one-pass") == 0) ||
		server_version < SCAN_TID_RANGE_VERSION)
	{
		c.kind = SCAN_ONE_PASS;
		return c;
	}
	/* a TID range scan never takes the server's ring of buffers for bulk
	 * reads: on a large table it would evict the user's working set */
	large = f->ring_blocks > 0 && f->nblocks > f->ring_blocks;
	c.kind = SCAN_TID_RANGES;
	if (large && split_large)
		c.why = WHY_SPLIT;
	else if (large && !f->statement_timeout)
	{
		c.kind = SCAN_ONE_PASS;
		c.why = WHY_RING;
	}
	else if (large)
		c.why = WHY_TIMEOUT;
	return c;
}

ScanChoice
scan_choose_stream(const StreamPlan *p, bool split_large)
{
	const ScanFacts *f = p->relkind == 'r' ? &p->facts : NULL;
	ScanChoice c;

	if (f != NULL && !f->ctid_readable)
		log_warning("stream \"%s\": user \"%s\" may read only some columns "
					"of the table, not its ctid (or xmin), so an interrupted "
					"sync starts over instead of resuming (GRANT SELECT "
					"(ctid, xmin) ON the table to make it resumable)",
					p->spec->tap_stream_id, PQuser(p->sess->conn));
	c = scan_choose(p->sess->server_version, p->relkind, f, split_large,
					scan_forced());
	if (c.kind != SCAN_WHOLE && c.why != NULL && f != NULL)
		log_info("stream \"%s\": the table (%" PRId64 " MiB) is %s",
				 p->spec->tap_stream_id, f->nblocks / 128, c.why);
	return c;
}

void
scan_put_before(Buf *sql, ScanKind kind, int64_t b)
{
	if (kind == SCAN_ONE_PASS)
		buf_printf(sql, "pg_catalog.tidlt(ctid, '(%" PRId64 ",0)'::tid)", b);
	else
		buf_printf(sql, "ctid < '(%" PRId64 ",0)'::tid", b);
}

const char *
scan_forced(void)
{
	return getenv("TAP_SCAN_STRATEGY");
}

/* where: " WHERE a" or " AND a", whichever comes next */
static void
put_cond(Buf *sql, bool *first)
{
	buf_append_str(sql, *first ? " WHERE " : " AND ");
	*first = false;
}

void
scan_range_sql(Buf *sql, const StreamPlan *p, int64_t b, bool last,
			   const char *filter)
{
	bool first = true;

	query_copy_head(sql, p, false);
	put_cond(sql, &first);
	buf_printf(sql, "ctid >= '(%" PRId64 ",0)'::tid", b);
	if (!last)
		buf_printf(sql, " AND ctid < '(%" PRId64 ",0)'::tid",
				   b + SCAN_CHUNK_BLOCKS);
	if (filter)
	{
		put_cond(sql, &first);
		buf_append_str(sql, filter);
	}
	query_copy_tail(sql);
}

TapStatus
scan_range(RowLoop *L, int64_t b, bool last, const char *filter, Buf *sql)
{
	L->last_block = b;
	scan_range_sql(sql, L->plan, b, last, filter);
	return rowloop_copy(L, buf_cstr(sql));
}

static TapStatus
scan_ranges(RowLoop *L, int64_t start, int64_t nblocks, const char *filter,
			Buf *sql)
{
	TapStatus st = TAP_OK;

	/* a TID range scan each, no sort; the bookmark is the range's start */
	for (int64_t b = start;; b += SCAN_CHUNK_BLOCKS)
	{
		bool last = b + SCAN_CHUNK_BLOCKS >= nblocks;

		st = scan_range(L, b, last, filter, sql);
		if (st != TAP_OK || last)
			break;
	}
	return st;
}

static TapStatus
scan_one_pass(RowLoop *L, int64_t start, const char *filter, Buf *sql)
{
	bool first = true;
	/* a synchronized scan would start mid-table, and a parallel one would
	 * interleave blocks: both break "all before the last row's block is
	 * written" */
	TapStatus st =
		conn_exec(L->plan->sess, "SET LOCAL synchronize_seqscans = off");

	if (st == TAP_OK)
		st = conn_exec(L->plan->sess,
					   "SET LOCAL max_parallel_workers_per_gather = 0");
	if (st != TAP_OK)
		return st;
	L->last_block = start;
	L->track_ctid = true;
	query_copy_head(sql, L->plan, true);
	if (start > 0)
	{
		/* a function call: the planner makes no TID range scan of it */
		put_cond(sql, &first);
		buf_printf(sql, "pg_catalog.tidge(ctid, '(%" PRId64 ",0)'::tid)",
				   start);
	}
	if (filter)
	{
		put_cond(sql, &first);
		buf_append_str(sql, filter);
	}
	query_copy_tail(sql);
	st = rowloop_copy(L, buf_cstr(sql));
	L->track_ctid = false;
	return st;
}

TapStatus
scan_table(RowLoop *L, ScanKind kind, int64_t start, int64_t nblocks,
		   const char *filter)
{
	Buf sql;
	TapStatus st;

	buf_init(&sql, 1024);
	if (kind == SCAN_TID_RANGES)
		st = scan_ranges(L, start, nblocks, filter, &sql);
	else if (kind == SCAN_ONE_PASS)
		st = scan_one_pass(L, start, filter, &sql);
	else
	{
		query_copy_head(&sql, L->plan, false);
		if (filter)
		{
			buf_append_str(&sql, " WHERE ");
			buf_append_str(&sql, filter);
		}
		query_copy_tail(&sql);
		st = rowloop_copy(L, buf_cstr(&sql));
	}
	buf_fini(&sql);
	return st;
}
