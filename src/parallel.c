/*
 * parallel.c: readers on several connections in one snapshot, one writer.
 *
 * Threads: the caller's (the coordinator: it alone touches the state
 * document and the Writer of stdout) and one reader per session. They
 * share Par under one mutex: the unit queue, the chunks ready to be
 * written, each reader's free chunks, and the abort flag. A reader never
 * waits on the coordinator except for a free chunk, and the coordinator
 * waits for chunks in slices of 200 ms so that a stop request is seen.
 * This file is the coordinator; the readers are in parallel_reader.c.
 */
#include "tap/parallel.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap/buf.h"
#include "tap/log.h"
#include "tap/mem.h"
#include "tap/method.h"
#include "tap/metrics.h"
#include "tap/parallel_internal.h"
#include "tap/query.h"
#include "tap/repl.h"
#include "tap/repl_full.h"
#include "tap/rowloop.h"
#include "tap/scan.h"
#include "tap/state.h"
#include "tap/stop.h"

/* How long the coordinator waits for a chunk before it looks at the stop
 * flag again. */
#define WAIT_SLICE_MS 200

/* ---- the coordinator ------------------------------------------------------ */

static void
queue_unit(Par *par, size_t stream, UnitKind kind, int64_t block, bool last)
{
	if (par->nunits == par->cap)
	{
		par->cap = par->cap ? 2 * par->cap : 64;
		par->units = xrealloc(par->units, par->cap * sizeof *par->units);
	}
	par->units[par->nunits++] = (Unit){stream, kind, block, last, false};
}

/* position: where a stream's read stands, into its bookmark */
static void
position(Par *par, PStream *ps)
{
	json_t *bm = state_bookmark(par->state, ps->plan->spec->tap_stream_id);
	const Unit *u = &par->units[ps->first_unit];
	size_t k = 0;

	if (ps->fs.scan.kind == SCAN_WHOLE || ps->nunits == 0)
		return; /* nothing read yet: the position set at its start holds */
	if (u[0].kind == UNIT_REREAD)
	{
		if (!u[0].done)
			return; /* the interrupted run's position still holds */
		k = 1;
	}
	if (ps->fs.scan.kind == SCAN_ONE_PASS)
	{
		if (ps->onepass_block >= 0)
			repl_full_position(bm, ps->onepass_block, par->horizon);
		return;
	}
	while (k < ps->nunits && u[k].done)
		k++;
	if (k < ps->nunits)
		repl_full_position(bm, u[k].block, par->horizon);
}

/* write_state: every stream's position, the first unfinished one as
 * currently_syncing, then a STATE */
static TapStatus
write_state(Par *par)
{
	const char *current = NULL;

	for (size_t i = 0; i < par->nstreams; i++)
	{
		PStream *ps = &par->streams[i];

		if (!ps->started || ps->finished)
			continue;
		if (current == NULL)
			current = ps->plan->spec->tap_stream_id;
		if (ps->by_units)
			position(par, ps);
	}
	state_set_currently_syncing(par->state, current);
	par->rows_at_state = par->rows;
	clock_gettime(CLOCK_MONOTONIC, &par->last_state);
	return writer_state(par->w, par->state);
}

/* start_stream: SCHEMA, STATE, ACTIVATE_VERSION (first run), its units */
static TapStatus
start_stream(Par *par, size_t i)
{
	PStream *ps = &par->streams[i];
	StreamPlan *p = ps->plan;
	json_t *bm = state_bookmark(par->state, p->spec->tap_stream_id);
	TapStatus st;

	clock_gettime(CLOCK_MONOTONIC, &ps->t0);
	ps->last_metric = ps->t0;
	log_info("beginning sync of stream \"%s\" with method %s",
			 p->spec->tap_stream_id, method_name(p->spec->method));
	ps->fs.scan = scan_choose_stream(p, par->split_large);
	st = repl_full_schema(p, par->w);
	if (st != TAP_OK)
		return st;
	repl_full_prepare(p, bm, &ps->fs);
	if (ps->fs.scan.kind != SCAN_WHOLE && !ps->fs.resuming)
		repl_full_position(bm, 0, par->horizon);
	ps->started = true;
	ps->onepass_block = -1;
	st = write_state(par);
	if (st == TAP_OK && ps->fs.first_run)
		st = writer_activate_version(par->w, p->spec->stream, ps->fs.version);
	if (st != TAP_OK)
		return st;

	pthread_mutex_lock(&par->mu);
	ps->first_unit = par->nunits;
	if (ps->fs.resuming)
		queue_unit(par, i, UNIT_REREAD, 0, false);
	if (ps->fs.scan.kind == SCAN_TID_RANGES)
		for (int64_t b = ps->fs.block;; b += SCAN_CHUNK_BLOCKS)
		{
			/* the size at planning: a table grown since still ends in
			 * an open-ended last range */
			bool last = b + SCAN_CHUNK_BLOCKS >= p->facts.nblocks;

			queue_unit(par, i, UNIT_RANGE, b, last);
			if (last)
				break;
		}
	else
		queue_unit(par, i, UNIT_SCAN, ps->fs.block, true);
	ps->nunits = par->nunits - ps->first_unit;
	pthread_cond_broadcast(&par->to_readers);
	pthread_mutex_unlock(&par->mu);
	return TAP_OK;
}

/* finish_stream: the table is complete */
static TapStatus
finish_stream(Par *par, PStream *ps)
{
	const StreamSpec *spec = ps->plan->spec;
	json_t *bm = state_bookmark(par->state, spec->tap_stream_id);
	TapStatus st;

	ps->finished = true;
	repl_full_complete(bm, &ps->fs);
	st = writer_activate_version(par->w, spec->stream, ps->fs.version);
	if (st == TAP_OK)
		st = write_state(par);
	if (st != TAP_OK)
		return st;
	metrics_counter(spec, "record_count", ps->rows - ps->rows_at_metric);
	metrics_timer(spec, metrics_elapsed_s(&ps->t0), true);
	return TAP_OK;
}

/* put_lines: a chunk's lines on stdout, without copying them */
static TapStatus
put_lines(Par *par, Chunk *c)
{
	Writer *w = par->w;
	TapStatus st = writer_flush(w);
	Buf tmp;

	if (st != TAP_OK || c->buf.len == 0)
		return st;
	tmp = w->buf;
	w->buf = c->buf;
	st = writer_flush(w);
	c->buf = w->buf;
	w->buf = tmp;
	buf_reset(&c->buf);
	return st;
}

/* take_chunk: one chunk from a reader onto stdout, and its bookkeeping */
static TapStatus
take_chunk(Par *par, Chunk *c)
{
	Unit *u = &par->units[c->unit];
	PStream *ps = &par->streams[u->stream];
	TapStatus st = c->st;

	if (st != TAP_OK && st != TAP_ERR_INTERRUPTED && !par->abort)
		log_critical("%s", c->owner->sess->last_error);
	if (st == TAP_OK)
		st = put_lines(par, c);
	if (st == TAP_OK)
	{
		ps->rows += c->rows;
		par->rows += c->rows;
		if (c->last_block >= 0)
			ps->onepass_block = c->last_block;
		if (c->unit_done)
		{
			u->done = true;
			if (++ps->units_done == ps->nunits)
				st = finish_stream(par, ps);
		}
	}
	buf_reset(&c->buf);
	pthread_mutex_lock(&par->mu);
	c->next = c->owner->free;
	c->owner->free = c;
	pthread_cond_broadcast(&par->to_readers);
	pthread_mutex_unlock(&par->mu);
	if (st != TAP_OK)
		return st;
	if (!ps->finished &&
		metrics_elapsed_s(&ps->last_metric) >= METRICS_EVERY_SECONDS)
	{
		metrics_counter(ps->plan->spec, "record_count",
						ps->rows - ps->rows_at_metric);
		ps->rows_at_metric = ps->rows;
		clock_gettime(CLOCK_MONOTONIC, &ps->last_metric);
	}
	if (par->rows - par->rows_at_state >= ROWLOOP_STATE_EVERY_ROWS ||
		metrics_elapsed_s(&par->last_state) >= ROWLOOP_STATE_EVERY_SECONDS)
		st = write_state(par);
	return st;
}

/* next_chunk: a ready chunk, waiting at most WAIT_SLICE_MS; NULL if none */
static Chunk *
next_chunk(Par *par)
{
	Chunk *c;

	pthread_mutex_lock(&par->mu);
	if (par->ready == NULL)
	{
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += WAIT_SLICE_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L)
		{
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&par->to_coord, &par->mu, &until);
	}
	c = par->ready;
	if (c)
	{
		par->ready = c->next;
		if (par->ready == NULL)
			par->ready_tail = NULL;
	}
	pthread_mutex_unlock(&par->mu);
	return c;
}

/* idle: no unit waiting or in progress, no chunk waiting */
static bool
idle(Par *par)
{
	bool yes;

	pthread_mutex_lock(&par->mu);
	yes = par->next_unit == par->nunits && par->busy == 0 && par->ready == NULL;
	pthread_mutex_unlock(&par->mu);
	return yes;
}

/* waiting_units: units queued that no reader has taken yet */
static size_t
waiting_units(Par *par)
{
	size_t n;

	pthread_mutex_lock(&par->mu);
	n = par->nunits - par->next_unit;
	pthread_mutex_unlock(&par->mu);
	return n;
}

static bool
all_finished(const Par *par)
{
	for (size_t i = 0; i < par->nstreams; i++)
		if (!par->streams[i].finished)
			return false;
	return true;
}

/*
 * feed: starts the next streams while the readers would otherwise run
 * dry (a few units ahead, so small tables go side by side); a stream that
 * needs one connection runs on the leader once the readers are idle.
 */
static TapStatus
feed(Par *par, size_t *next)
{
	TapStatus st = TAP_OK;

	while (st == TAP_OK && *next < par->nstreams && !stop_requested())
	{
		PStream *ps = &par->streams[*next];

		if (!ps->by_units)
		{
			if (!idle(par))
				break;
			/* the plan's session is the leader; it wrote its own last STATE
			 * if it failed */
			ps->started = true;
			st = repl_sync_stream(ps->plan, par->state, par->w);
			ps->finished = st == TAP_OK;
			par->wrote_last_state = st != TAP_OK;
			par->rows_at_state = par->rows;
		}
		else
		{
			if (waiting_units(par) >= par->nreaders * PARALLEL_UNITS_AHEAD)
				break;
			st = start_stream(par, *next);
		}
		(*next)++;
	}
	return st;
}

/* coordinate: the run's main loop, until every stream is finished or the
 * run fails or is stopped */
static TapStatus
coordinate(Par *par)
{
	size_t next = 0;
	TapStatus st = TAP_OK;

	while (st == TAP_OK)
	{
		Chunk *c;

		st = feed(par, &next);
		if (st != TAP_OK || (next == par->nstreams && all_finished(par)))
			break;
		if (stop_requested())
		{
			st = TAP_ERR_INTERRUPTED;
			break;
		}
		c = next_chunk(par);
		if (c)
			st = take_chunk(par, c);
	}
	return st;
}

/* stop_readers: no more units; after a failure, readers give up theirs */
static void
stop_readers(Par *par, bool abort)
{
	pthread_mutex_lock(&par->mu);
	par->closed = true;
	if (abort)
		par->abort = 1;
	pthread_cond_broadcast(&par->to_readers);
	pthread_mutex_unlock(&par->mu);
	for (size_t i = 0; i < par->nreaders; i++)
		if (par->readers[i].started)
			pthread_join(par->readers[i].thread, NULL);
}

/* finish_early: after a stop or a failure, a last true STATE (not after
 * an output failure: nothing more can be written) */
static TapStatus
finish_early(Par *par, TapStatus st)
{
	if (st == TAP_ERR_OUTPUT || par->wrote_last_state)
		return st;
	if (write_state(par) == TAP_OK && st == TAP_ERR_INTERRUPTED)
		log_warning("stopped by a signal after %" PRId64 " records; the last "
					"STATE resumes from here",
					par->rows);
	return st;
}

static void
par_init(Par *par, StreamPlan *const *plans, size_t n, json_t *state, Writer *w,
		 size_t max_readers)
{
	memset(par, 0, sizeof *par);
	pthread_mutex_init(&par->mu, NULL);
	pthread_cond_init(&par->to_readers, NULL);
	pthread_cond_init(&par->to_coord, NULL);
	par->state = state;
	par->w = w;
	par->nstreams = n;
	par->streams = xcalloc(n + 1, sizeof *par->streams);
	for (size_t i = 0; i < n; i++)
	{
		par->streams[i].plan = plans[i];
		par->streams[i].by_units = plans[i]->spec->method == REPL_FULL_TABLE;
	}
	par->readers = xcalloc(max_readers, sizeof *par->readers);
	for (size_t i = 0; i < max_readers; i++)
	{
		Reader *r = &par->readers[i];

		r->par = par;
		writer_init(&r->w, -1);
		r->w.relay = parallel_relay;
		r->w.relay_arg = r;
		for (size_t k = 0; k < PARALLEL_READER_CHUNKS; k++)
		{
			buf_init(&r->chunks[k].buf, WRITER_FLUSH_BYTES + 64 * 1024);
			r->chunks[k].owner = r;
			r->chunks[k].next = r->free;
			r->free = &r->chunks[k];
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &par->last_state);
}

static void
par_fini(Par *par, size_t max_readers)
{
	for (size_t i = 0; i < max_readers; i++)
	{
		Reader *r = &par->readers[i];

		writer_fini(&r->w);
		for (size_t k = 0; k < PARALLEL_READER_CHUNKS; k++)
			buf_fini(&r->chunks[k].buf);
		if (r->sess == &r->own)
		{
			r->own.run_snapshot = false;
			conn_end(&r->own);
			conn_close(&r->own);
		}
	}
	free(par->readers);
	free(par->streams);
	free(par->units);
	pthread_cond_destroy(&par->to_coord);
	pthread_cond_destroy(&par->to_readers);
	pthread_mutex_destroy(&par->mu);
}

/* start_readers: one thread per session; none is a failure */
static TapStatus
start_readers(Par *par)
{
	for (size_t i = 0; i < par->nreaders; i++)
	{
		Reader *r = &par->readers[i];

		if (pthread_create(&r->thread, NULL, parallel_reader_main, r) != 0)
		{
			log_critical("could not start a reader thread");
			return TAP_ERR_INTERNAL;
		}
		r->started = true;
	}
	return TAP_OK;
}

/* share_snapshot: the leader's transaction and its exported snapshot */
static TapStatus
share_snapshot(PgSession *leader, char **id, int64_t *horizon, bool *ok)
{
	TapStatus st = conn_begin_snapshot(leader);

	*ok = false;
	if (st != TAP_OK)
		return st;
	leader->optional = true;
	st = query_export_snapshot(leader, id, horizon);
	leader->optional = false;
	if (st == TAP_OK)
	{
		*ok = true;
		leader->run_snapshot = true;
		return TAP_OK;
	}
	if (st == TAP_ERR_QUERY)
	{
		log_warning("the server cannot export a snapshot (see above); "
					"reading with one connection, one snapshot per stream");
		conn_end(leader);
		return TAP_OK;
	}
	return st;
}

TapStatus
parallel_sync(const TapConfig *cfg, PgSession *leader, StreamPlan *const *plans,
			  size_t n, json_t *state, Writer *w, bool *fell_back)
{
	size_t want = (size_t) cfg->parallel_connections;
	char *snapshot = NULL;
	int64_t horizon = 0;
	bool shared;
	Par par;
	TapStatus st;

	*fell_back = false;
	if (want > PARALLEL_MAX_CONNECTIONS)
	{
		log_warning("parallel_connections is %zu; using %d", want,
					PARALLEL_MAX_CONNECTIONS);
		want = PARALLEL_MAX_CONNECTIONS;
	}
	st = share_snapshot(leader, &snapshot, &horizon, &shared);
	if (st != TAP_OK || !shared)
	{
		*fell_back = st == TAP_OK;
		return st;
	}
	par_init(&par, plans, n, state, w, want);
	par.horizon = horizon;
	par.split_large = cfg->parallel_large_tables;
	par.readers[0].sess = leader;
	par.nreaders = 1;
	parallel_open_helpers(&par, cfg, leader, snapshot, want - 1);
	log_info("reading database \"%s\" with %zu connection(s) in one snapshot",
			 leader->dbname, par.nreaders);
	st = start_readers(&par);
	if (st == TAP_OK)
		st = coordinate(&par);
	stop_readers(&par, st != TAP_OK);
	if (st != TAP_OK)
		st = finish_early(&par, st);
	leader->run_snapshot = false;
	conn_end(leader);
	par_fini(&par, want);
	free(snapshot);
	return st;
}
