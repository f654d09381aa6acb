/*
 * sync.c: the run: streams grouped by database, planned, ordered, and
 * handed one by one to their replication method (repl.h).
 */
#include "tap/sync.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap/bookmark.h"
#include "tap/buf.h"
#include "tap/conn.h"
#include "tap/discover.h"
#include "tap/log.h"
#include "tap/mem.h"
#include "tap/parallel.h"
#include "tap/plan.h"
#include "tap/query.h"
#include "tap/repl.h"
#include "tap/repl_full.h"
#include "tap/state.h"
#include "tap/stop.h"

/* One database's session and what it told us about the selected tables. */
typedef struct DbSession
{
	const char *dbname; /* borrowed: the streams' database-name, or NULL */
	PgSession sess;
	DiscResult tables;
	bool open;
} DbSession;

/* Everything a run holds; freed by run_fini. */
typedef struct Run
{
	const Catalog *cat;
	DbSession *dbs; /* owned: one per distinct database-name */
	size_t ndbs;
	StreamPlan *plans; /* owned: one per stream, as in cat */
	size_t *order;     /* owned: the order to sync plans in */
	size_t *db_of;     /* owned: each stream's index in dbs */
} Run;

static bool
same_db(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
run_init(Run *r, const Catalog *cat)
{
	memset(r, 0, sizeof *r);
	r->cat = cat;
	r->dbs = xcalloc(cat->n + 1, sizeof *r->dbs);
	r->plans = xcalloc(cat->n + 1, sizeof *r->plans);
	r->order = xcalloc(cat->n + 1, sizeof *r->order);
	r->db_of = xcalloc(cat->n + 1, sizeof *r->db_of);
}

static void
run_fini(Run *r)
{
	for (size_t i = 0; i < r->cat->n; i++)
		plan_fini(&r->plans[i]);
	for (size_t d = 0; d < r->ndbs; d++)
	{
		discover_result_fini(&r->dbs[d].tables);
		if (r->dbs[d].open)
			conn_close(&r->dbs[d].sess);
	}
	free(r->plans);
	free(r->order);
	free(r->db_of);
	free(r->dbs);
}

static void
log_selected(const Catalog *cat)
{
	Buf names;

	buf_init(&names, 256);
	for (size_t i = 0; i < cat->n; i++)
	{
		if (i > 0)
			buf_append_str(&names, ", ");
		buf_append_str(&names, cat->streams[i].tap_stream_id);
	}
	log_info("selected streams: %s", buf_cstr(&names));
	buf_fini(&names);
}

/* group_databases: one DbSession per distinct database-name */
static void
group_databases(Run *r)
{
	for (size_t i = 0; i < r->cat->n; i++)
	{
		const char *db = r->cat->streams[i].database_name;
		size_t d;

		for (d = 0; d < r->ndbs; d++)
			if (same_db(r->dbs[d].dbname, db))
				break;
		if (d == r->ndbs)
			r->dbs[r->ndbs++].dbname = db;
		r->db_of[i] = d;
	}
}

/* open_database: its session, and one catalog query for its streams */
static TapStatus
open_database(Run *r, size_t d, const TapConfig *cfg)
{
	DbSession *db = &r->dbs[d];
	TableRef *refs;
	size_t nrefs = 0;
	TapStatus st = conn_open(cfg, db->dbname, &db->sess);

	if (st != TAP_OK)
		return st;
	db->open = true;
	refs = xcalloc(r->cat->n, sizeof *refs);
	for (size_t i = 0; i < r->cat->n; i++)
		if (r->db_of[i] == d)
		{
			refs[nrefs].schema = r->cat->streams[i].schema_name;
			refs[nrefs].table = r->cat->streams[i].table_name;
			nrefs++;
		}
	st = discover_tables(&db->sess, cfg, refs, nrefs, &db->tables);
	free(refs);
	return st;
}

/* plan_facts: how each ordinary table can be read, one statement for all
 * of database d's */
static TapStatus
plan_facts(Run *r, size_t d)
{
	StreamPlan **plans = xcalloc(r->cat->n + 1, sizeof *plans);
	ScanFacts *facts = xcalloc(r->cat->n + 1, sizeof *facts);
	size_t *which = xcalloc(r->cat->n + 1, sizeof *which);
	size_t n = 0;
	TapStatus st = TAP_OK;

	for (size_t i = 0; i < r->cat->n; i++)
		if (r->db_of[i] == d && r->plans[i].relkind == 'r')
		{
			which[n] = i;
			plans[n++] = &r->plans[i];
		}
	if (n > 0)
		st = query_extents(&r->dbs[d].sess, plans, n, facts);
	for (size_t k = 0; k < n && st == TAP_OK; k++)
		r->plans[which[k]].facts = facts[k];
	free(plans);
	free(facts);
	free(which);
	return st;
}

/*
 * plan_all: every stream against its live table, its method's own check,
 * and its bookmark, before any message: a bad catalog or state fails with
 * nothing written.
 */
static TapStatus
plan_all(Run *r, const TapConfig *cfg, const char *catalog_path,
		 const char *state_path, json_t *state)
{
	TapStatus st = TAP_OK;

	for (size_t d = 0; d < r->ndbs && st == TAP_OK; d++)
		st = open_database(r, d, cfg);
	for (size_t i = 0; i < r->cat->n && st == TAP_OK; i++)
		st = plan_stream(&r->cat->streams[i], &r->dbs[r->db_of[i]].sess,
						 &r->dbs[r->db_of[i]].tables, cfg, catalog_path,
						 &r->plans[i]);
	for (size_t d = 0; d < r->ndbs && st == TAP_OK; d++)
		st = plan_facts(r, d);
	for (size_t i = 0; i < r->cat->n && st == TAP_OK; i++)
	{
		const ReplOps *ops = repl_ops(r->cat->streams[i].method);

		if (ops->check)
			st = ops->check(&r->plans[i], catalog_path);
	}
	for (size_t i = 0; i < r->cat->n && st == TAP_OK; i++)
	{
		bookmark_reset_on_method_change(state, &r->cat->streams[i]);
		st = bookmark_check(state, &r->cat->streams[i], state_path);
	}
	return st;
}

/* order_streams: currently_syncing first, then by tap_stream_id (the
 * catalog's order) */
static void
order_streams(Run *r, const json_t *state)
{
	const char *resume_id = state_currently_syncing(state);
	size_t n = 0;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->cat->n; i++)
		{
			bool is_resumed =
				resume_id != NULL &&
				strcmp(r->cat->streams[i].tap_stream_id, resume_id) == 0;

			if (is_resumed == (pass == 0))
				r->order[n++] = i;
		}
}

/* At most this many COPYs are sent at once; each is a few hundred bytes. */
#define SYNC_QUEUE_MAX 64

/*
 * queue_copies: when the stream at order position k and those right after
 * it on the same session are each one COPY (repl_full_one_copy), sends
 * those COPYs at once, so that the server reads each small table while the
 * tap writes the one before
 */
static TapStatus
queue_copies(Run *r, size_t k, size_t d, const json_t *state)
{
	PgSession *sess = r->plans[r->order[k]].sess;
	Buf sqls[SYNC_QUEUE_MAX];
	const char *ptrs[SYNC_QUEUE_MAX];
	size_t n = 0;
	TapStatus st = TAP_OK;

	if (conn_copy_queued(sess) > 0)
		return TAP_OK;
	for (size_t j = k; j < r->cat->n && n < SYNC_QUEUE_MAX; j++)
	{
		const StreamPlan *p = &r->plans[r->order[j]];

		if (d != SIZE_MAX && r->db_of[r->order[j]] != d)
			continue;
		if (p->sess != sess)
			break;
		buf_init(&sqls[n], 512);
		if (!repl_full_one_copy(p, state, &sqls[n]))
		{
			buf_fini(&sqls[n]);
			break;
		}
		ptrs[n] = buf_cstr(&sqls[n]);
		n++;
	}
	if (n > 1)
		st = conn_copy_queue(sess, ptrs, n);
	for (size_t i = 0; i < n; i++)
		buf_fini(&sqls[i]);
	return st;
}

/* sync_one_by_one: the streams of database d (every database when d is
 * SIZE_MAX) in their order, one snapshot per stream */
static TapStatus
sync_one_by_one(Run *r, size_t d, json_t *state, Writer *w)
{
	TapStatus st = TAP_OK;

	for (size_t k = 0; k < r->cat->n && st == TAP_OK; k++)
	{
		size_t i = r->order[k];

		if (d != SIZE_MAX && r->db_of[i] != d)
			continue;
		/* between streams the last STATE is already true */
		if (stop_requested())
			st = TAP_ERR_INTERRUPTED;
		else
			st = queue_copies(r, k, d, state);
		if (st == TAP_OK)
			st = repl_sync_stream(&r->plans[i], state, w);
	}
	return st;
}

/*
 * sync_parallel: each database's streams, in the order of its first one,
 * over several connections in one snapshot (parallel.h); one by one
 * where the snapshot cannot be shared
 */
static TapStatus
sync_parallel(Run *r, const TapConfig *cfg, json_t *state, Writer *w)
{
	StreamPlan **plans = xcalloc(r->cat->n + 1, sizeof *plans);
	bool *done = xcalloc(r->ndbs + 1, sizeof *done);
	TapStatus st = TAP_OK;

	for (size_t k = 0; k < r->cat->n && st == TAP_OK; k++)
	{
		size_t d = r->db_of[r->order[k]];
		size_t n = 0;
		bool fell_back;

		if (done[d])
			continue;
		done[d] = true;
		for (size_t j = k; j < r->cat->n; j++)
			if (r->db_of[r->order[j]] == d)
				plans[n++] = &r->plans[r->order[j]];
		st =
			parallel_sync(cfg, &r->dbs[d].sess, plans, n, state, w, &fell_back);
		if (st == TAP_OK && fell_back)
			st = sync_one_by_one(r, d, state, w);
	}
	free(plans);
	free(done);
	return st;
}

TapStatus
sync_run(const TapConfig *cfg, const Catalog *cat, const char *catalog_path,
		 const char *state_path, json_t *state, Writer *w)
{
	Run r;
	TapStatus st;

	if (cat->n == 0)
	{
		log_warning("catalog file \"%s\" selects no stream (set "
					"\"selected\": true in a stream's root metadata)",
					catalog_path);
		return TAP_OK;
	}
	log_selected(cat);
	run_init(&r, cat);
	group_databases(&r);
	st = plan_all(&r, cfg, catalog_path, state_path, state);
	if (st == TAP_OK)
	{
		order_streams(&r, state);
		if (cfg->parallel_connections > 1)
			st = sync_parallel(&r, cfg, state, w);
		else
			st = sync_one_by_one(&r, SIZE_MAX, state, w);
	}
	run_fini(&r);
	return st;
}
