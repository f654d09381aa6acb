/*
 * repl_xmin.c: XMIN replication (README, "XMIN replication").
 *
 * The first run reads the whole table like FULL_TABLE (scan.h) and stores
 * the 64-bit transaction horizon of its snapshot: the snapshot's xmin, the
 * oldest transaction still in progress. Later runs scan the table once
 * more, and the server returns only the rows whose xmin is at or past that
 * horizon: age(xmin) BETWEEN 0 AND age(horizon), both ages counted from
 * the same present, which is exact while the horizon is less than 2^31
 * transactions old. A negative age is a row frozen long ago whose raw
 * xmin now looks like the future: not a change.
 *
 * Bookmark: version, xmin_horizon (the last completed run's horizon;
 * absent until the first run completes), and while a run is under way
 * ctid_block (where to go on) and xmin_snapshot (that run's horizon). A
 * resumed run first re-reads, in the blocks already passed, the rows
 * written since the interrupted snapshot, then goes on from ctid_block.
 */
#include <inttypes.h>
#include <string.h>

#include "tap/bookmark.h"
#include "tap/conn.h"
#include "tap/log.h"
#include "tap/metrics.h"
#include "tap/query.h"
#include "tap/repl.h"
#include "tap/rowloop.h"
#include "tap/scan.h"
#include "tap/state.h"

/* 2^32: transaction IDs on disk are the 64-bit ones modulo this */
#define XID_EPOCH_SPAN 4294967296LL
/* The oldest horizon a 32-bit age() comparison is trusted with: below
 * 2^31, with room for the transactions that start during a run. */
#define XMIN_SAFE_AGE 2000000000LL
/* IDs 0, 1 and 2 are special; the counter skips them when it wraps */
#define FIRST_NORMAL_XID 3
/* The first server that keeps xmin when it freezes a row. */
#define XMIN_FREEZE_KEEPS_VERSION 90400

/* What a run does, decided from the bookmark before its first message. */
typedef struct XminRun
{
	ScanChoice scan;
	bool first_run;   /* the stream has no version yet */
	bool full;        /* the whole table: no horizon yet, or starting over */
	int64_t version;  /* the records' version */
	int64_t horizon;  /* !full: send rows at or past it (64-bit) */
	bool resuming;    /* go on from block, under the stored version */
	int64_t block;    /* resuming: the first block not yet read */
	int64_t snapshot; /* resuming: the interrupted run's horizon */
} XminRun;

/* table_gone: the table was dropped after planning */
static TapStatus
table_gone(const StreamSpec *spec)
{
	log_critical("reading stream \"%s\" failed: table \"%s\".\"%s\" is gone",
				 spec->tap_stream_id, spec->schema_name, spec->table_name);
	return TAP_ERR_QUERY;
}

/* xid32: a 64-bit horizon as the 32-bit xid to compare xmin with */
static int64_t
xid32(int64_t xid)
{
	int64_t x = xid % XID_EPOCH_SPAN;

	/* no row has an ID below 3 in an epoch: the next normal one is
	 * equivalent, and age() of a special ID would be "infinitely old" */
	return x < FIRST_NORMAL_XID ? FIRST_NORMAL_XID : x;
}

static TapStatus
xmin_check(const StreamPlan *p, const char *catalog_path)
{
	const StreamSpec *spec = p->spec;
	const char *why = NULL;
	bool readable;
	TapStatus st;

	switch (p->relkind)
	{
		case 'r':
		case 'p':
			break;
		case 'm':
			why = "is a materialized view: every refresh gives each row a "
				  "new xmin, so each run would send it whole";
			break;
		case 'f':
			why = "is a foreign table: its rows live on another server and "
				  "have no xmin here";
			break;
		default:
			why = "is a view: it has no xmin of its own";
			break;
	}
	if (why != NULL)
	{
		log_critical("catalog file \"%s\": stream \"%s\" asks for XMIN "
					 "replication, but \"%s\".\"%s\" %s; use FULL_TABLE or "
					 "INCREMENTAL",
					 catalog_path, spec->tap_stream_id, spec->schema_name,
					 spec->table_name, why);
		return TAP_ERR_INPUT;
	}
	if (p->sess->server_version < XMIN_FREEZE_KEEPS_VERSION)
	{
		log_critical("stream \"%s\": XMIN replication needs PostgreSQL 9.4 "
					 "or later: earlier servers overwrite a row's xmin when "
					 "they freeze it, which would hide changes",
					 spec->tap_stream_id);
		return TAP_ERR_INPUT;
	}
	if (p->relkind == 'r')
	{
		const ScanFacts *facts = &p->facts;

		if (facts->amname[0] != '\0' && strcmp(facts->amname, "heap") != 0)
		{
			log_critical("catalog file \"%s\": stream \"%s\" asks for XMIN "
						 "replication, but \"%s\".\"%s\" uses the table "
						 "access method \"%s\", whose rows need not carry "
						 "an xmin; use FULL_TABLE or INCREMENTAL",
						 catalog_path, spec->tap_stream_id, spec->schema_name,
						 spec->table_name, facts->amname);
			return TAP_ERR_INPUT;
		}
	}
	st = query_column_readable(p->sess, spec->schema_name, spec->table_name,
							   "xmin", &readable);
	if (st != TAP_OK)
		return st;
	if (!readable)
	{
		log_critical("stream \"%s\": XMIN replication reads the system "
					 "column xmin of \"%s\".\"%s\", which user \"%s\" may "
					 "not read; GRANT SELECT (xmin, ctid) ON the table to "
					 "it, or use another method",
					 spec->tap_stream_id, spec->schema_name, spec->table_name,
					 PQuser(p->sess->conn));
		return TAP_ERR_QUERY;
	}
	return TAP_OK;
}

/* choose_scan: how the table can be read (the facts sync gathered at
 * planning) */
static ScanChoice
choose_scan(const StreamPlan *p)
{
	return scan_choose_stream(p, false);
}

/*
 * trusted: whether a stored horizon can still be compared with 32-bit
 * xmins, given the server's counter now (next: the next transaction ID);
 * if not, a WARNING says why.
 */
static bool
trusted(const StreamSpec *spec, const char *what, int64_t horizon, int64_t next)
{
	if (horizon > next)
	{
		log_warning("stream \"%s\": the %s in the state (transaction %" PRId64
					") is ahead of the server's transaction counter (%" PRId64
					"): the state belongs to another server, or the server "
					"was restored from a backup; the stream starts over with "
					"the whole table",
					spec->tap_stream_id, what, horizon, next);
		return false;
	}
	if (next - horizon > XMIN_SAFE_AGE)
	{
		log_warning("stream \"%s\": the %s in the state (transaction %" PRId64
					") is %" PRId64 " transactions old, more than the %lld "
					"within which a row's 32-bit xmin can be compared with it "
					"(transaction IDs wrap around); the stream starts over "
					"with the whole table",
					spec->tap_stream_id, what, horizon, next - horizon,
					XMIN_SAFE_AGE);
		return false;
	}
	return true;
}

/*
 * plan_run: the run's kind from the bookmark and the server's counter now
 * (read outside the stream's transaction, before any of its messages:
 * the version and ACTIVATE_VERSION depend on it).
 */
static TapStatus
plan_run(const StreamPlan *p, json_t *bm, XminRun *r)
{
	const StreamSpec *spec = p->spec;
	const json_t *jversion = json_object_get(bm, "version");
	const json_t *jhorizon = json_object_get(bm, "xmin_horizon");
	const json_t *jblock = json_object_get(bm, "ctid_block");
	const json_t *jsnap = json_object_get(bm, "xmin_snapshot");
	const json_t *sio = json_object_get(bm, "xmin");
	bool physical = r->scan.kind != SCAN_WHOLE;
	bool start_over = false;
	XidExtent now;
	bool found;
	TapStatus st = query_xid_extent(p->sess, spec->schema_name,
									spec->table_name, &now, &found);

	if (st != TAP_OK)
		return st;
	if (!found)
		return table_gone(spec);
	r->first_run = jversion == NULL;
	r->full = !json_is_integer(jhorizon) || !json_is_integer(jversion);
	r->horizon = json_integer_value(jhorizon);
	r->resuming = physical && json_is_integer(jversion) &&
				  json_is_integer(jblock) && json_is_integer(jsnap);
	r->block = json_integer_value(jblock);
	r->snapshot = json_integer_value(jsnap);
	if (sio != NULL && !json_is_null(sio))
	{
		log_warning("stream \"%s\": the state holds an \"xmin\" bookmark from "
					"singer-io/tap-postgres (a 32-bit ID without its epoch, "
					"which cannot be trusted across wraparound); the stream "
					"starts over with the whole table",
					spec->tap_stream_id);
		start_over = true;
	}
	else if (!r->full &&
			 !trusted(spec, "transaction horizon", r->horizon, now.xmax))
		start_over = true;
	else if (r->resuming &&
			 !trusted(spec, "interrupted run's horizon", r->snapshot, now.xmax))
		start_over = true;
	json_object_del(bm, "xmin");
	if (start_over)
	{
		r->full = true;
		r->resuming = false;
		json_object_del(bm, "xmin_horizon");
	}

	if (r->resuming)
	{
		r->version = json_integer_value(jversion);
		log_info("stream \"%s\": resuming the XMIN %s of version %" PRId64
				 " at block %" PRId64,
				 spec->tap_stream_id, r->full ? "first run" : "later run",
				 r->version, r->block);
		return TAP_OK;
	}
	json_object_del(bm, "ctid_block");
	json_object_del(bm, "xmin_snapshot");
	if (r->full)
	{
		r->version = repl_new_version();
		json_object_set_new(bm, "version", json_integer(r->version));
		log_info("stream \"%s\": XMIN first run: the whole table, version "
				 "%" PRId64,
				 spec->tap_stream_id, r->version);
	}
	else
	{
		r->version = json_integer_value(jversion);
		log_info("stream \"%s\": XMIN sync of the rows written since "
				 "transaction %" PRId64,
				 spec->tap_stream_id, r->horizon);
	}
	if (!physical && r->scan.why != NULL)
		log_info("stream \"%s\" is %s: it is read in one statement, and an "
				 "interrupted run starts over",
				 spec->tap_stream_id, r->scan.why);
	return TAP_OK;
}

/* changed_since: the server-side filter for rows at or past horizon */
static void
changed_since(Buf *b, int64_t horizon)
{
	buf_printf(b,
			   "pg_catalog.age(xmin) BETWEEN 0 AND "
			   "pg_catalog.age('%" PRId64 "'::xid)",
			   xid32(horizon));
}

/* save: the first block not yet wholly read */
static void
save(RowLoop *L)
{
	if (L->last_block >= 0)
		json_object_set_new(L->bookmark, "ctid_block",
							json_integer(L->last_block));
}

/* read_table: in the stream's snapshot, what the run must send; *snap
 * becomes the snapshot's horizon */
static TapStatus
read_table(RowLoop *L, const XminRun *r, int64_t *snap)
{
	const StreamSpec *spec = L->plan->spec;
	bool physical = r->scan.kind != SCAN_WHOLE;
	XidExtent ext;
	bool found;
	Buf filter;
	TapStatus st = query_xid_extent(L->plan->sess, spec->schema_name,
									spec->table_name, &ext, &found);

	if (st != TAP_OK)
		return st;
	if (!found)
		return table_gone(spec);
	*snap = ext.xmin;
	buf_init(&filter, 128);
	if (r->resuming)
	{
		/* the rows written since the interrupted snapshot, in the blocks
		 * it had passed */
		scan_put_before(&filter, r->scan.kind, r->block);
		buf_append_str(&filter, " AND ");
		changed_since(&filter, r->snapshot);
		st = scan_table(L, SCAN_WHOLE, 0, 0, buf_cstr(&filter));
		buf_reset(&filter);
	}
	if (st == TAP_OK && physical)
	{
		json_object_set_new(L->bookmark, "ctid_block",
							json_integer(r->resuming ? r->block : 0));
		json_object_set_new(L->bookmark, "xmin_snapshot",
							json_integer(ext.xmin));
	}
	if (st == TAP_OK)
	{
		if (!r->full)
			changed_since(&filter, r->horizon);
		st = scan_table(L, r->scan.kind, r->resuming ? r->block : 0,
						ext.nblocks, r->full ? NULL : buf_cstr(&filter));
	}
	buf_fini(&filter);
	return st;
}

static TapStatus
xmin_sync(StreamPlan *p, json_t *state, Writer *w)
{
	const StreamSpec *spec = p->spec;
	json_t *bm = state_bookmark(state, spec->tap_stream_id);
	json_t *no_bookmark_props = json_array();
	XminRun r = {0};
	RowLoop L;
	int64_t snap = 0, scanned = 0;
	TapStatus st;

	r.scan = choose_scan(p);
	st = plan_run(p, bm, &r);
	if (st == TAP_OK)
		st = writer_schema(w, spec->stream, p->schema, spec->key_properties,
						   no_bookmark_props);
	json_decref(no_bookmark_props);
	if (st != TAP_OK)
		return st;
	/* ACTIVATE_VERSION first only on the stream's very first run */
	st = rowloop_begin(p, state, w, r.version, r.first_run, true);
	if (st != TAP_OK)
		return st;

	rowloop_init(&L, p, w, state, bm, r.version, save);
	st = read_table(&L, &r, &snap);
	if (st == TAP_OK)
		st = query_rows_read(p->sess, spec->schema_name, spec->table_name,
							 &scanned);
	if (st == TAP_OK)
	{
		conn_end(p->sess);
		L.last_block = -1;
		json_object_set_new(bm, "xmin_horizon", json_integer(snap));
		if (r.scan.kind != SCAN_WHOLE)
		{
			json_object_set_new(bm, "ctid_block", json_null());
			json_object_set_new(bm, "xmin_snapshot", json_null());
		}
		metrics_counter(spec, "rows_scanned", scanned);
		/* only a run that carried the whole table may say so */
		if (r.full)
			st = writer_activate_version(w, spec->stream, r.version);
	}
	st = rowloop_finish(&L, st);
	rowloop_fini(&L);
	return st;
}

const ReplOps repl_xmin = {
	.method = REPL_XMIN,
	.check = xmin_check,
	.sync = xmin_sync,
};
