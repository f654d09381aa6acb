/*
 * parallel_reader.c: the reader side of a parallel run: the helper
 * sessions that import the leader's snapshot, and the reader threads that
 * take units from Par's queue, read them with a relayed RowLoop and hand
 * their whole lines to the coordinator (parallel.c) in chunks from their
 * own fixed pool.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "tap/buf.h"
#include "tap/log.h"
#include "tap/parallel_internal.h"
#include "tap/query.h"
#include "tap/repl_full.h"
#include "tap/rowloop.h"
#include "tap/scan.h"

/* ---- readers ---------------------------------------------------------- */

/* hand: the lines in r->w.buf to the coordinator; TAP_ERR_INTERRUPTED
 * once the run gives up (the lines are then dropped) */
static TapStatus
hand(Reader *r, bool unit_done, TapStatus st)
{
	Par *par = r->par;
	Chunk *c;
	Buf tmp;

	pthread_mutex_lock(&par->mu);
	while (r->free == NULL && !par->abort)
		pthread_cond_wait(&par->to_readers, &par->mu);
	c = r->free;
	if (c == NULL)
	{
		if (unit_done)
		{
			par->busy--;
			pthread_cond_signal(&par->to_coord);
		}
		pthread_mutex_unlock(&par->mu);
		buf_reset(&r->w.buf);
		return TAP_ERR_INTERRUPTED;
	}
	r->free = c->next;
	pthread_mutex_unlock(&par->mu);

	tmp = c->buf;
	c->buf = r->w.buf;
	r->w.buf = tmp;
	buf_reset(&r->w.buf);
	c->unit = r->unit;
	c->rows = r->L->rows - r->rows_relayed;
	r->rows_relayed = r->L->rows;
	c->last_block = r->L->track_ctid ? r->L->last_block : -1;
	c->unit_done = unit_done;
	c->st = st;
	c->next = NULL;

	pthread_mutex_lock(&par->mu);
	if (par->ready_tail)
		par->ready_tail->next = c;
	else
		par->ready = c;
	par->ready_tail = c;
	if (unit_done)
		par->busy--;
	pthread_cond_signal(&par->to_coord);
	pthread_mutex_unlock(&par->mu);
	return par->abort ? TAP_ERR_INTERRUPTED : TAP_OK;
}

/* parallel_relay: the reader's Writer flushes to the coordinator */
TapStatus
parallel_relay(Writer *w)
{
	return hand(w->relay_arg, false, TAP_OK);
}

/* run_unit: unit u's rows into chunks; the last chunk says how it ended */
static TapStatus
run_unit(Reader *r, size_t u, Unit unit)
{
	Par *par = r->par;
	PStream *ps = &par->streams[unit.stream];
	RowLoop L;
	Buf sql;
	TapStatus st;

	rowloop_init(&L, ps->plan, &r->w, NULL, NULL, ps->fs.version, NULL);
	L.sess = r->sess;
	L.relayed = true;
	r->sess->reader = true;
	L.abort = &par->abort;
	r->L = &L;
	r->unit = u;
	r->rows_relayed = 0;
	buf_init(&sql, 1024);
	if (unit.kind == UNIT_RANGE)
		st = scan_range(&L, unit.block, unit.last, NULL, &sql);
	else if (unit.kind == UNIT_REREAD)
	{
		repl_full_reread_filter(&sql, &ps->fs);
		st = scan_table(&L, SCAN_WHOLE, 0, 0, buf_cstr(&sql));
	}
	else
		st = scan_table(&L, ps->fs.scan.kind, ps->fs.block,
						ps->plan->facts.nblocks, NULL);
	buf_fini(&sql);
	r->sess->reader = false;
	(void) hand(r, true, st);
	r->L = NULL;
	rowloop_fini(&L);
	return st;
}

/* whole_table: a unit that is a whole table in one range */
static bool
whole_table(const Unit *u)
{
	return u->kind == UNIT_RANGE && u->block == 0 && u->last;
}

/*
 * take_units: the next unit, or (under par->mu) a run of up to
 * PARALLEL_UNITS_AHEAD units that are each a whole small table, into
 * taken[]; copies: the coordinator may grow the array meanwhile
 */
static size_t
take_units(Par *par, size_t *first, Unit *taken)
{
	size_t n = 0;

	*first = par->next_unit;
	do
		taken[n++] = par->units[par->next_unit++];
	while (n < PARALLEL_UNITS_AHEAD && par->next_unit < par->nunits &&
		   whole_table(&taken[0]) && whole_table(&par->units[par->next_unit]));
	par->busy += n;
	return n;
}

/* queue_units: several whole small tables: their COPYs sent at once */
static TapStatus
queue_units(Reader *r, const Unit *taken, size_t n)
{
	Buf sqls[PARALLEL_UNITS_AHEAD];
	const char *ptrs[PARALLEL_UNITS_AHEAD];
	TapStatus st;

	for (size_t i = 0; i < n; i++)
	{
		buf_init(&sqls[i], 512);
		scan_range_sql(&sqls[i], r->par->streams[taken[i].stream].plan, 0, true,
					   NULL);
		ptrs[i] = buf_cstr(&sqls[i]);
	}
	r->sess->reader = true;
	st = conn_copy_queue(r->sess, ptrs, n);
	r->sess->reader = false;
	for (size_t i = 0; i < n; i++)
		buf_fini(&sqls[i]);
	return st;
}

void *
parallel_reader_main(void *arg)
{
	Reader *r = arg;
	Par *par = r->par;

	for (;;)
	{
		size_t first, n;
		Unit taken[PARALLEL_UNITS_AHEAD];

		pthread_mutex_lock(&par->mu);
		while (par->next_unit == par->nunits && !par->closed && !par->abort)
			pthread_cond_wait(&par->to_readers, &par->mu);
		if (par->abort || par->next_unit == par->nunits)
		{
			pthread_mutex_unlock(&par->mu);
			return NULL;
		}
		n = take_units(par, &first, taken);
		pthread_mutex_unlock(&par->mu);
		/* a failure to send them ahead shows again, and is reported, when
		 * the first unit sends its own; after a failure the session's
		 * last_error must stay as the coordinator will read it */
		if (n > 1)
			(void) queue_units(r, taken, n);
		for (size_t i = 0; i < n; i++)
			if (run_unit(r, first + i, taken[i]) != TAP_OK)
				return NULL;
	}
}

/* ---- connections -------------------------------------------------------- */

/*
 * parallel_open_helpers: up to want more sessions in the leader's snapshot. A
 * session that cannot be had (connection limit, a server that will not
 * import snapshots) is a WARNING: the run goes on with those it has.
 */
void
parallel_open_helpers(Par *par, const TapConfig *cfg, PgSession *leader,
					  const char *snapshot, size_t want)
{
	for (size_t i = 0; i < want; i++)
	{
		Reader *r = &par->readers[par->nreaders];

		if (conn_try_open(cfg, leader->dbname, &r->own) != TAP_OK)
		{
			log_warning("reading with %zu connection(s) instead of %zu: "
						"could not open another connection to database "
						"\"%s\" (see above)",
						par->nreaders, want + 1, leader->dbname);
			return;
		}
		r->own.optional = true;
		if (query_import_snapshot(&r->own, snapshot) != TAP_OK)
		{
			log_warning("reading with %zu connection(s) instead of %zu: "
						"another connection could not share the snapshot "
						"(see above)",
						par->nreaders, want + 1);
			conn_close(&r->own);
			return;
		}
		r->own.optional = false;
		r->own.run_snapshot = true;
		r->sess = &r->own;
		par->nreaders++;
	}
}
