/*
 * rowloop.c: COPY rows -> RECORD lines; STATE and metric cadence.
 */
#include "tap/rowloop.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/conn.h"
#include "tap/encode.h"
#include "tap/jsonw.h"
#include "tap/log.h"
#include "tap/mem.h"
#include "tap/metrics.h"
#include "tap/state.h"
#include "tap/stop.h"

/* Clocks are read only every so many rows: a power of two minus one. */
#define TICK_STATE_MASK  255
#define TICK_METRIC_MASK 1023

TapStatus
rowloop_begin(StreamPlan *p, json_t *state, Writer *w, int64_t version,
			  bool activate, bool snapshot)
{
	TapStatus st = writer_state(w, state);

	if (st == TAP_OK && activate)
		st = writer_activate_version(w, p->spec->stream, version);
	if (st == TAP_OK && snapshot)
		st = conn_begin_snapshot(p->sess);
	return st;
}

void
rowloop_init(RowLoop *L, StreamPlan *p, Writer *w, json_t *state,
			 json_t *bookmark, int64_t version, RowSave save)
{
	char te[64];
	struct timespec ts;
	struct tm tm;

	memset(L, 0, sizeof *L);
	L->plan = p;
	L->sess = p->sess;
	L->w = w;
	L->state = state;
	L->bookmark = bookmark;
	L->save = save;
	L->last_block = -1;
	buf_init(&L->prefix, 128);
	buf_init(&L->suffix, 128);
	buf_init(&L->scratch, 4096);
	buf_init(&L->encscratch, 1024);
	buf_init(&L->last_key, 64);
	L->fields = xcalloc(p->ncols + 2, sizeof *L->fields);

	buf_append_str(&L->prefix, "{\"type\":\"RECORD\",\"stream\":");
	jsonw_string(&L->prefix, p->spec->stream, strlen(p->spec->stream));
	buf_append_str(&L->prefix, ",\"record\":{");

	/* SIO takes time_extracted once per stream */
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(te, sizeof te, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(&L->suffix,
			   "},\"version\":%" PRId64 ",\"time_extracted\":\"%s.%06ldZ\"}\n",
			   version, te, ts.tv_nsec / 1000);

	clock_gettime(CLOCK_MONOTONIC, &L->last_state);
	L->last_metric = L->last_state;
	/* a parallel reader's loop (no state of its own) shows no line: it
	 * runs in its own thread, and p->sess is the coordinator's */
	if (state != NULL)
		progress_begin(&L->progress, p->sess, p->spec);
}

void
rowloop_fini(RowLoop *L)
{
	buf_fini(&L->prefix);
	buf_fini(&L->suffix);
	buf_fini(&L->scratch);
	buf_fini(&L->encscratch);
	buf_fini(&L->last_key);
	free(L->fields);
}

TapStatus
rowloop_state(RowLoop *L)
{
	L->rows_at_state = L->rows;
	clock_gettime(CLOCK_MONOTONIC, &L->last_state);
	if (L->relayed)
		return writer_flush(L->w);
	if (L->save)
		L->save(L);
	return writer_state(L->w, L->state);
}

/* ctid_block: the block number of a ctid's text "(block,offset)" */
static int64_t
ctid_block(const CopyField *f)
{
	int64_t b = 0;

	for (size_t i = 1; i < f->n && f->s[i] >= '0' && f->s[i] <= '9'; i++)
		b = b * 10 + (f->s[i] - '0');
	return b;
}

/* warn_clamped: once per column per run */
static void
warn_clamped(RowLoop *L, ColPlan *c)
{
	if (atomic_exchange_explicit(&c->warned_clamp, true, memory_order_relaxed))
		return;
	log_warning("stream \"%s\": column \"%s\" has a date before year 1 or "
				"after year 9999; such values are written as 0001-01-01 or "
				"9999-12-31",
				L->plan->spec->tap_stream_id, c->name);
}

/* row: one COPY row -> one RECORD line */
static TapStatus
row(RowLoop *L, const char *text, size_t len)
{
	StreamPlan *p = L->plan;
	Buf *out = &L->w->buf;
	int want = (int) p->ncols + (L->track_ctid ? 1 : 0);
	int got = copytext_split(text, len, L->fields, want, &L->scratch);
	size_t key_start = 0, key_end = 0;
	bool key_ok = false;

	if (got != want)
	{
		log_critical("stream \"%s\": unexpected row from the server (%d "
					 "fields, expected %d)",
					 p->spec->tap_stream_id, got, want);
		return TAP_ERR_INTERNAL;
	}
	buf_append(out, L->prefix.data, L->prefix.len);
	for (size_t i = 0; i < p->ncols; i++)
	{
		const CopyField *f = &L->fields[i];
		size_t start;
		int flags;

		buf_append(out, p->keys.data + p->key_off[i],
				   p->key_off[i + 1] - p->key_off[i]);
		if (f->isnull)
		{
			buf_append(out, "null", 4);
			continue;
		}
		start = out->len;
		flags = encode_value(out, &L->encscratch, &p->cols[i].enc, f->s, f->n);
		if (flags & ENC_F_CLAMPED)
			warn_clamped(L, &p->cols[i]);
		if ((int) i == p->rkey && flags == 0)
		{
			key_ok = true;
			key_start = start;
			key_end = out->len;
		}
	}
	buf_append(out, L->suffix.data, L->suffix.len);
	if (key_ok)
	{
		buf_reset(&L->last_key);
		buf_append(&L->last_key, out->data + key_start, key_end - key_start);
		L->have_key = true;
	}
	if (L->track_ctid)
		L->last_block = ctid_block(&L->fields[p->ncols]);
	L->rows++;
	return writer_line_done(L->w);
}

/* tick: periodic STATE and metrics between rows */
static TapStatus
tick(RowLoop *L)
{
	if (L->rows - L->rows_at_state >= ROWLOOP_STATE_EVERY_ROWS ||
		((L->rows & TICK_STATE_MASK) == 0 &&
		 metrics_elapsed_s(&L->last_state) >= ROWLOOP_STATE_EVERY_SECONDS))
	{
		TapStatus st = rowloop_state(L);

		if (st != TAP_OK)
			return st;
	}
	if (!L->relayed && (L->rows & TICK_METRIC_MASK) == 0 &&
		metrics_elapsed_s(&L->last_metric) >= METRICS_EVERY_SECONDS)
	{
		metrics_counter(L->plan->spec, "record_count",
						L->rows - L->rows_at_metric);
		L->rows_at_metric = L->rows;
		clock_gettime(CLOCK_MONOTONIC, &L->last_metric);
	}
	if ((L->rows & PROGRESS_ROW_MASK) == 0)
		progress_tick(&L->progress, L->rows);
	return TAP_OK;
}

TapStatus
rowloop_copy(RowLoop *L, const char *sql)
{
	PgSession *s = L->sess;
	char what[512];
	TapStatus st;

	snprintf(what, sizeof what, "reading stream \"%s\"",
			 L->plan->spec->tap_stream_id);
	log_debug("%s: %s", what, sql);
	st = conn_copy_begin(s, what, sql);
	while (st == TAP_OK)
	{
		const char *text;
		size_t len;
		bool done;

		if (stop_requested() || (L->abort && *L->abort))
		{
			st = TAP_ERR_INTERRUPTED;
			break;
		}
		st = conn_copy_next(s, what, &text, &len, &done);
		if (st != TAP_OK || done)
			break;
		st = row(L, text, len);
		if (st == TAP_OK)
			st = tick(L);
	}
	if (st != TAP_OK)
		conn_copy_cancel(s);
	return st;
}

/* finish_early: after a stop request or a failure, a last true STATE */
static TapStatus
finish_early(RowLoop *L, TapStatus st)
{
	if (st == TAP_ERR_OUTPUT)
		return st; /* nothing more can be written */
	/* records before it are in the buffer; the STATE flushes both */
	if (rowloop_state(L) == TAP_OK && st == TAP_ERR_INTERRUPTED)
		log_warning("stream \"%s\": stopped by a signal after %" PRId64
					" records; the last STATE resumes from here",
					L->plan->spec->tap_stream_id, L->rows);
	return st;
}

TapStatus
rowloop_finish(RowLoop *L, TapStatus st)
{
	progress_end(&L->progress, L->rows, st == TAP_OK);
	if (st == TAP_OK)
	{
		state_set_currently_syncing(L->state, NULL);
		st = writer_state(L->w, L->state);
	}
	else
		st = finish_early(L, st);
	if (st == TAP_OK || st == TAP_ERR_INTERRUPTED)
		metrics_counter(L->plan->spec, "record_count",
						L->rows - L->rows_at_metric);
	return st;
}
