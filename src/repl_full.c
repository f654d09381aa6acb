/*
 * repl_full.c: FULL_TABLE replication.
 *
 * The whole table, in physical order and without a sort (scan.h), in one
 * snapshot. Bookmark while a sync is under way: ctid_block (where to go on)
 * and snapshot_xmin (the interrupted snapshot's xmin). A resumed run first
 * re-reads, in the blocks already passed, the rows written since that
 * snapshot (age(xmin) <= age(snapshot_xmin)), so rows inserted or updated
 * between the runs are not lost; then it goes on from ctid_block under
 * the same version. ACTIVATE_VERSION before the first run's records and
 * at the end of every completed run (SIO's rule).
 */
#include <inttypes.h>
#include <string.h>

#include "tap/bookmark.h"
#include "tap/conn.h"
#include "tap/log.h"
#include "tap/query.h"
#include "tap/repl.h"
#include "tap/repl_full.h"
#include "tap/rowloop.h"
#include "tap/scan.h"
#include "tap/state.h"

/* choose_scan: one connection: the facts sync gathered at planning */
static ScanChoice
choose_scan(const StreamPlan *p)
{
	return scan_choose_stream(p, false);
}

/* resumable: the bookmark holds a position a physical read goes on from,
 * and no singer-io xmin bookmark (which repl_full_prepare drops) */
static bool
resumable(const json_t *bm, bool physical)
{
	const json_t *jxmin = json_object_get(bm, "xmin");

	return physical && json_is_integer(json_object_get(bm, "ctid_block")) &&
		   json_is_integer(json_object_get(bm, "snapshot_xmin")) &&
		   json_is_integer(json_object_get(bm, "version")) &&
		   (jxmin == NULL || json_is_null(jxmin));
}

/* A singer-io xmin bookmark cannot be resumed here; a table read whole
 * drops position keys. */
void
repl_full_prepare(const StreamPlan *p, json_t *bm, FullStart *fs)
{
	const StreamSpec *spec = p->spec;
	const json_t *jversion = json_object_get(bm, "version");
	const json_t *jblock = json_object_get(bm, "ctid_block");
	const json_t *jhorizon = json_object_get(bm, "snapshot_xmin");
	bool physical = fs->scan.kind != SCAN_WHOLE;
	bool had_block = json_is_integer(jblock);

	fs->first_run = jversion == NULL;
	fs->block = 0;
	fs->resuming = resumable(bm, physical);
	if (fs->resuming)
	{
		fs->block = json_integer_value(jblock);
		fs->horizon = json_integer_value(jhorizon);
	}
	if (json_object_get(bm, "xmin") != NULL &&
		!json_is_null(json_object_get(bm, "xmin")))
	{
		log_warning("stream \"%s\": the state holds an \"xmin\" bookmark from "
					"singer-io/tap-postgres; this tap resumes by physical "
					"position instead, so the stream starts over",
					spec->tap_stream_id);
		json_object_del(bm, "xmin");
	}
	if (fs->resuming)
	{
		fs->version = json_integer_value(jversion);
		log_info("stream \"%s\": resuming full table sync of version %" PRId64
				 " at block %" PRId64,
				 spec->tap_stream_id, fs->version, fs->block);
		return;
	}
	fs->version = repl_new_version();
	json_object_set_new(bm, "version", json_integer(fs->version));
	json_object_del(bm, "ctid_block");
	json_object_del(bm, "snapshot_xmin");
	if (!physical && had_block)
		log_info("stream \"%s\" is %s: it starts over instead of resuming",
				 spec->tap_stream_id, fs->scan.why);
	else if (!physical && (p->relkind == 'r' || p->relkind == 'f'))
		log_info("stream \"%s\" is %s: it is read in one statement, and an "
				 "interrupted sync starts over",
				 spec->tap_stream_id, fs->scan.why);
}

/* save: the first block not yet wholly written */
static void
save(RowLoop *L)
{
	if (L->last_block >= 0)
		json_object_set_new(L->bookmark, "ctid_block",
							json_integer(L->last_block));
}

TapStatus
repl_full_schema(const StreamPlan *p, Writer *w)
{
	json_t *no_bookmark_props = json_array();
	TapStatus st = writer_schema(w, p->spec->stream, p->schema,
								 p->spec->key_properties, no_bookmark_props);

	json_decref(no_bookmark_props);
	return st;
}

void
repl_full_reread_filter(Buf *out, const FullStart *fs)
{
	scan_put_before(out, fs->scan.kind, fs->block);
	buf_printf(out, " AND age(xmin) <= age('%" PRId64 "'::xid)", fs->horizon);
}

void
repl_full_position(json_t *bm, int64_t block, int64_t horizon)
{
	json_object_set_new(bm, "ctid_block", json_integer(block));
	json_object_set_new(bm, "snapshot_xmin", json_integer(horizon));
}

void
repl_full_complete(json_t *bm, const FullStart *fs)
{
	if (fs->scan.kind == SCAN_WHOLE)
		return;
	json_object_set_new(bm, "ctid_block", json_null());
	json_object_set_new(bm, "snapshot_xmin", json_null());
}

/* read_physical: the rows changed since an interrupted snapshot in the
 * blocks it had passed, then the table from the resume point on */
static TapStatus
read_physical(RowLoop *L, const FullStart *fs)
{
	const StreamSpec *spec = L->plan->spec;
	int64_t horizon, nblocks;
	bool found;
	TapStatus st =
		query_snapshot_extent(L->plan->sess, spec->schema_name,
							  spec->table_name, &horizon, &nblocks, &found);

	if (st != TAP_OK)
		return st;
	if (!found)
	{
		log_critical("reading stream \"%s\" failed: table \"%s\".\"%s\" is "
					 "gone",
					 spec->tap_stream_id, spec->schema_name, spec->table_name);
		return TAP_ERR_QUERY;
	}
	if (fs->resuming)
	{
		Buf filter;

		/* every row this snapshot sees lies in the blocks that exist now
		 * (the table cannot be truncated under our lock) */
		buf_init(&filter, 128);
		repl_full_reread_filter(&filter, fs);
		st = scan_table(L, SCAN_WHOLE, 0, 0, buf_cstr(&filter));
		buf_fini(&filter);
		if (st != TAP_OK)
			return st;
	}
	repl_full_position(L->bookmark, fs->block, horizon);
	return scan_table(L, fs->scan.kind, fs->block, nblocks, NULL);
}

/*
 * one_statement: a relation with no physical order, or a table within one
 * block range at planning read afresh, is one COPY, whose own snapshot is
 * the stream's: no transaction, no extent query around it, and its COPY
 * can be sent ahead with its neighbours' (repl_full_one_copy). Such a
 * table that grew meanwhile is still read whole, by a plain sequential
 * scan.
 */
static bool
one_statement(const StreamPlan *p, const FullStart *fs)
{
	if (fs->scan.kind == SCAN_WHOLE)
		return true;
	return !fs->resuming && p->facts.nblocks < SCAN_CHUNK_BLOCKS;
}

bool
repl_full_one_copy(const StreamPlan *p, const json_t *state, Buf *sql)
{
	const json_t *bm = json_object_get(json_object_get(state, "bookmarks"),
									   p->spec->tap_stream_id);
	FullStart fs = {0};

	if (p->spec->method != REPL_FULL_TABLE)
		return false;
	/* as choose_scan and repl_full_prepare will decide, without their
	 * log lines */
	fs.scan =
		scan_choose(p->sess->server_version, p->relkind,
					p->relkind == 'r' ? &p->facts : NULL, false, scan_forced());
	fs.resuming = resumable(bm, fs.scan.kind != SCAN_WHOLE);
	if (!one_statement(p, &fs))
		return false;
	query_copy_head(sql, p, false);
	query_copy_tail(sql);
	return true;
}

static TapStatus
full_sync(StreamPlan *p, json_t *state, Writer *w)
{
	const StreamSpec *spec = p->spec;
	json_t *bm = state_bookmark(state, spec->tap_stream_id);
	FullStart fs = {0};
	RowLoop L;
	bool single;
	TapStatus st;

	fs.scan = choose_scan(p);
	st = repl_full_schema(p, w);
	if (st != TAP_OK)
		return st;
	repl_full_prepare(p, bm, &fs);
	single = one_statement(p, &fs);
	st = rowloop_begin(p, state, w, fs.version, fs.first_run, !single);
	if (st != TAP_OK)
		return st;

	rowloop_init(&L, p, w, state, bm, fs.version, save);
	if (single)
		st = scan_table(&L, SCAN_WHOLE, 0, 0, NULL);
	else
		st = read_physical(&L, &fs);
	if (st == TAP_OK)
	{
		conn_end(p->sess);
		L.last_block = -1;
		repl_full_complete(bm, &fs);
		st = writer_activate_version(w, spec->stream, fs.version);
	}
	st = rowloop_finish(&L, st);
	rowloop_fini(&L);
	return st;
}

const ReplOps repl_full_table = {
	.method = REPL_FULL_TABLE,
	.check = NULL,
	.sync = full_sync,
};
