/*
 * sync.c: FULL_TABLE and INCREMENTAL replication of the selected streams.
 *
 * A row flows: COPY (SELECT ...) TO STDOUT text row from libpq
 * (conn_copy_next) -> fields (copytext_split) -> each field rendered by
 * its column's Encoder straight into the writer's buffer, between a
 * precomputed record prefix, precomputed quoted keys and a precomputed
 * suffix -> written with write(2) in large blocks at line boundaries.
 * Nothing is allocated per row by this module.
 *
 * FULL_TABLE on an ordinary table reads in physical order: TID range
 * scans over consecutive block ranges, no sort. The bookmark is the start
 * of the range being read plus the xmin horizon of the snapshot; a resumed
 * run first re-reads, in the blocks already passed, the rows written since
 * that snapshot (age(xmin) <= age(horizon)), so rows inserted or updated
 * between the runs are not lost.
 */
#include "tap/sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap/buf.h"
#include "tap/conn.h"
#include "tap/copytext.h"
#include "tap/discover.h"
#include "tap/encode.h"
#include "tap/jsonw.h"
#include "tap/log.h"
#include "tap/mem.h"
#include "tap/state.h"
#include "tap/typemap.h"

/* One emitted column of a stream. */
typedef struct ColPlan
{
	const char *name; /* borrowed from the StreamSpec */
	Encoder enc;
	bool warned_clamp; /* one WARNING per column per run */
} ColPlan;

/* Everything about one stream that does not change per row. */
typedef struct StreamPlan
{
	const StreamSpec *spec; /* borrowed */
	PgSession *sess;        /* borrowed */
	char relkind;
	ColPlan *cols; /* owned, sorted by name (SIO's key order) */
	size_t ncols;
	int rkey;               /* index in cols of the replication key, or -1 */
	char *rkey_type;        /* owned: the key's SQL type, for the cast */
	bool rkey_has_infinity; /* its type has infinity (and NaN) values */
	json_t *schema;         /* owned: the SCHEMA message's schema */
	Buf keys;               /* owned: ,"name": for each column, packed */
	size_t *key_off;        /* owned: offsets into keys (ncols + 1) */
} StreamPlan;

/* One database's session and what it told us about the tables. */
typedef struct DbSession
{
	const char *dbname; /* borrowed: the streams' database-name, or NULL */
	PgSession sess;
	DiscResult tables;
	bool open;
} DbSession;

/* Per-stream run state, shared by the row loop and STATE emission. */
typedef struct RowLoop
{
	StreamPlan *plan;
	Writer *w;
	json_t *state;
	json_t *bookmark; /* borrowed from state */
	Buf prefix;       /* {"type":"RECORD","stream":"..","record":{ */
	Buf suffix;       /* },"version":V,"time_extracted":".."}\n */
	Buf scratch;      /* copytext's work space: fields point into it */
	Buf encscratch;   /* encode_value's work space (arrays) */
	Buf last_key;     /* rendered replication key of the last row */
	bool have_key;
	CopyField *fields; /* owned: ncols + 1 */
	int64_t rows;      /* rows written this run */
	int64_t rows_at_state;
	int64_t rows_at_metric;
	int64_t last_block; /* FULL_TABLE: start of the block range being
								read (all before it is written), or -1 */
	struct timespec last_state;
	struct timespec last_metric;
} RowLoop;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double
elapsed_s(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double) (now.tv_sec - since->tv_sec) +
		   (double) (now.tv_nsec - since->tv_nsec) / 1e9;
}

/* quote_relation: "schema"."table" */
static void
quote_relation(Buf *b, const StreamSpec *spec)
{
	conn_quote_ident(b, spec->schema_name);
	buf_putc(b, '.');
	conn_quote_ident(b, spec->table_name);
}

/*
 * query_bool: a one-boolean query on the stream's table: $1 its schema, $2
 * its name and, when nparams is 3, $3 column. Names go as parameters,
 * never in the text.
 */
static TapStatus
query_bool(PgSession *sess, const StreamSpec *spec, const char *column,
		   int nparams, const char *what, const char *sql, bool *out)
{
	const char *params[3] = {spec->schema_name, spec->table_name, column};
	PGresult *res;
	TapStatus st = conn_query(sess, what, sql, nparams, params, &res);

	*out = false;
	if (st != TAP_OK)
		return st;
	*out = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return TAP_OK;
}

/*
 * ctid_readable: whether the user may read the table's ctid and xmin,
 * which a FULL_TABLE sync reads to resume by physical position. A user
 * granted SELECT on some columns only (GRANT SELECT (a, b) ON t) may not,
 * unless also granted SELECT (ctid, xmin). Names go as parameters, never
 * in the text.
 */
static TapStatus
ctid_readable(PgSession *sess, const StreamSpec *spec, bool *out)
{
	/* a table gone meanwhile counts as readable: the COPY then reports
	 * the real error rather than a misleading ctid warning */
	return query_bool(
		sess, spec, NULL, 2, "checking the SELECT privilege on ctid",
		"SELECT COALESCE((SELECT "
		"pg_catalog.has_column_privilege(c.oid, 'ctid', 'SELECT') "
		"AND pg_catalog.has_column_privilege(c.oid, 'xmin', "
		"'SELECT') FROM pg_catalog.pg_class c "
		"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"WHERE n.nspname = $1 AND c.relname = $2), true)",
		out);
}

/* log_metric_counter: singer-python's record_count line */
static void
log_metric_counter(const StreamSpec *spec, int64_t value)
{
	Buf b;

	buf_init(&b, 256);
	buf_append_str(&b, "{\"type\": \"counter\", \"metric\": \"record_count\", "
					   "\"value\": ");
	buf_printf(&b, "%" PRId64, value);
	buf_append_str(&b, ", \"tags\": {\"schema\": ");
	jsonw_string(&b, spec->schema_name, strlen(spec->schema_name));
	buf_append_str(&b, ", \"table\": ");
	jsonw_string(&b, spec->table_name, strlen(spec->table_name));
	buf_append_str(&b, "}}");
	log_info("METRIC: %s", buf_cstr(&b));
	buf_fini(&b);
}

static void
log_metric_timer(const StreamSpec *spec, double seconds, bool ok)
{
	Buf b;

	buf_init(&b, 256);
	buf_printf(&b,
			   "{\"type\": \"timer\", \"metric\": \"job_duration\", "
			   "\"value\": %.6f, \"tags\": {\"job_type\": \"sync_stream\", "
			   "\"schema\": ",
			   seconds);
	jsonw_string(&b, spec->schema_name, strlen(spec->schema_name));
	buf_append_str(&b, ", \"table\": ");
	jsonw_string(&b, spec->table_name, strlen(spec->table_name));
	buf_printf(&b, ", \"status\": \"%s\"}}", ok ? "succeeded" : "failed");
	log_info("METRIC: %s", buf_cstr(&b));
	buf_fini(&b);
}

/* ---- planning: catalog x live database ------------------------------ */

static int
compare_cols(const void *a, const void *b)
{
	return strcmp(((const ColPlan *) a)->name, ((const ColPlan *) b)->name);
}

static const DiscTable *
find_table(const DiscResult *r, const StreamSpec *spec)
{
	for (size_t i = 0; i < r->ntables; i++)
		if (strcmp(r->tables[i].schema, spec->schema_name) == 0 &&
			strcmp(r->tables[i].name, spec->table_name) == 0)
			return &r->tables[i];
	return NULL;
}

static const DiscColumn *
find_column(const DiscTable *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

static void
plan_fini(StreamPlan *p)
{
	free(p->cols);
	free(p->rkey_type);
	json_decref(p->schema);
	buf_fini(&p->keys);
	free(p->key_off);
	memset(p, 0, sizeof *p);
}

/*
 * probe_exists: whether the table (or its column) exists at all, whatever
 * the user may read: pg_class and pg_attribute are readable by everyone.
 * It tells "dropped" (a stale catalog) from "not granted" (a permission).
 */
static TapStatus
probe_exists(PgSession *sess, const StreamSpec *spec, const char *column,
			 bool *out)
{
	return query_bool(
		sess, spec, column, 3, "checking whether a table exists",
		"SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c "
		"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"WHERE n.nspname = $1 AND c.relname = $2 AND ($3::text IS "
		"NULL OR EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a "
		"WHERE a.attrelid = c.oid AND a.attname = $3 "
		"AND a.attnum > 0 AND NOT a.attisdropped)))",
		out);
}

/* type_has_infinity: key types whose ordering has infinity (or NaN) on top */
static bool
type_has_infinity(const PgType *t)
{
	static const char *const names[] = {
		"numeric", "float4", "float8", "date", "timestamp", "timestamptz",
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(t->typname, names[i]) == 0)
			return true;
	return false;
}

/*
 * plan_stream: checks the stream against the live table and precomputes
 * its columns, encoders, keys and SCHEMA. Errors name the catalog file,
 * the stream and the column, and return TAP_ERR_INPUT.
 */
static TapStatus
plan_stream(const StreamSpec *spec, DbSession *db, const TapConfig *cfg,
			const char *path, StreamPlan *p)
{
	const DiscTable *t = find_table(&db->tables, spec);
	const json_t *catprops = json_object_get(spec->schema, "properties");
	json_t *props;
	size_t n = 0;

	memset(p, 0, sizeof *p);
	p->spec = spec;
	p->sess = &db->sess;
	p->rkey = -1;
	if (t == NULL)
	{
		bool exists;
		TapStatus st = probe_exists(&db->sess, spec, NULL, &exists);

		if (st != TAP_OK)
			return st;
		if (exists)
		{
			log_critical("stream \"%s\": permission denied: user \"%s\" may "
						 "not read table \"%s\".\"%s\" (or the USAGE of its "
						 "schema); grant it SELECT, or deselect the stream",
						 spec->tap_stream_id, PQuser(db->sess.conn),
						 spec->schema_name, spec->table_name);
			return TAP_ERR_QUERY;
		}
		log_critical("catalog file \"%s\": stream \"%s\": table \"%s\".\"%s\" "
					 "does not exist in database \"%s\"; run --discover again",
					 path, spec->tap_stream_id, spec->schema_name,
					 spec->table_name, db->sess.dbname);
		return TAP_ERR_INPUT;
	}
	p->relkind = t->relkind;

	p->schema = json_deep_copy(spec->schema);
	props = json_object();
	json_object_set_new(p->schema, "properties", props);
	p->cols = xcalloc(spec->ncols + 1, sizeof *p->cols);
	for (size_t i = 0; i < spec->ncols; i++)
	{
		const StreamColumn *sc = &spec->cols[i];
		const DiscColumn *dc;
		TypeMapping m;
		json_t *colschema;

		if (!sc->emit)
			continue;
		dc = find_column(t, sc->name);
		if (dc == NULL)
		{
			bool exists;
			TapStatus st = probe_exists(&db->sess, spec, sc->name, &exists);

			if (st != TAP_OK)
				return st;
			if (exists)
			{
				log_critical("stream \"%s\": permission denied: user \"%s\" "
							 "may not read column \"%s\" of table "
							 "\"%s\".\"%s\"; grant it SELECT, or deselect "
							 "the column",
							 spec->tap_stream_id, PQuser(db->sess.conn),
							 sc->name, spec->schema_name, spec->table_name);
				return TAP_ERR_QUERY;
			}
			log_critical("catalog file \"%s\": stream \"%s\": column \"%s\" "
						 "does not exist in table \"%s\".\"%s\"; run "
						 "--discover again",
						 path, spec->tap_stream_id, sc->name, spec->schema_name,
						 spec->table_name);
			return TAP_ERR_INPUT;
		}
		typemap_map(&dc->type, !(dc->not_null || dc->is_pk),
					cfg->json_as_object, &m);
		if (!m.supported)
		{
			log_warning("stream \"%s\": column \"%s\" has type \"%s\", which "
						"is not supported; it is left out",
						spec->tap_stream_id, sc->name, dc->sql_datatype);
			typemap_fini(&m);
			continue;
		}
		colschema = json_object_get(catprops, sc->name);
		if (sc->sql_datatype != NULL &&
			strcmp(sc->sql_datatype, dc->sql_datatype) != 0)
		{
			/* the live type decides how values look; say so in SCHEMA too */
			log_warning("stream \"%s\": column \"%s\" was \"%s\" at discovery "
						"and is \"%s\" now; its values and its SCHEMA follow "
						"the new type",
						spec->tap_stream_id, sc->name, sc->sql_datatype,
						dc->sql_datatype);
			json_object_set(props, sc->name, m.schema);
			if (m.def_name)
			{
				json_t *defs = json_object_get(p->schema, "definitions");

				if (!json_is_object(defs))
				{
					defs = json_object();
					json_object_set_new(p->schema, "definitions", defs);
				}
				json_object_set(defs, m.def_name, m.def);
			}
		}
		else
			json_object_set(props, sc->name, colschema ? colschema : m.schema);
		p->cols[n].name = sc->name;
		p->cols[n].enc = m.enc;
		n++;
		if (spec->replication_key &&
			strcmp(spec->replication_key, sc->name) == 0)
		{
			if (!m.valid_replication_key)
				log_warning("stream \"%s\": replication key \"%s\" has type "
							"\"%s\", which may not order rows the way you "
							"expect",
							spec->tap_stream_id, sc->name, dc->sql_datatype);
			p->rkey_type = xstrdup(dc->sql_datatype);
			p->rkey_has_infinity = type_has_infinity(&dc->type);
		}
		typemap_fini(&m);
	}
	p->ncols = n;
	if (n == 0)
	{
		log_critical("catalog file \"%s\": stream \"%s\" has no column "
					 "selected",
					 path, spec->tap_stream_id);
		return TAP_ERR_INPUT;
	}
	qsort(p->cols, n, sizeof *p->cols, compare_cols);
	if (spec->replication_key)
	{
		for (size_t i = 0; i < n; i++)
			if (strcmp(p->cols[i].name, spec->replication_key) == 0)
				p->rkey = (int) i;
		if (p->rkey < 0)
		{
			log_critical("catalog file \"%s\": stream \"%s\": replication key "
						 "\"%s\" is not a readable column of \"%s\".\"%s\"",
						 path, spec->tap_stream_id, spec->replication_key,
						 spec->schema_name, spec->table_name);
			return TAP_ERR_INPUT;
		}
	}

	/* ,"name": for every column, packed, so a row is memcpy + values */
	buf_init(&p->keys, 64 * n);
	p->key_off = xmalloc_array(n + 1, sizeof *p->key_off);
	for (size_t i = 0; i < n; i++)
	{
		p->key_off[i] = p->keys.len;
		if (i > 0)
			buf_putc(&p->keys, ',');
		jsonw_string(&p->keys, p->cols[i].name, strlen(p->cols[i].name));
		buf_putc(&p->keys, ':');
	}
	p->key_off[n] = p->keys.len;
	return TAP_OK;
}

/* ---- state bookkeeping ---------------------------------------------- */

/*
 * reset_on_method_change: SIO's rule, for every selected stream before
 * any sync: a changed method or replication key starts the stream over.
 */
static void
reset_on_method_change(json_t *state, const StreamSpec *spec)
{
	json_t *bm = state_bookmark(state, spec->tap_stream_id);
	const char *method =
		spec->method == REPL_INCREMENTAL ? "INCREMENTAL" : "FULL_TABLE";
	const char *last =
		json_string_value(json_object_get(bm, "last_replication_method"));
	const char *key = json_string_value(json_object_get(bm, "replication_key"));
	bool reset = false;

	if (last != NULL && strcmp(last, method) != 0)
	{
		log_info("stream \"%s\": replication method changed from %s to %s; "
				 "starting it over",
				 spec->tap_stream_id, last, method);
		reset = true;
	}
	else if (spec->method == REPL_INCREMENTAL &&
			 (key == NULL || strcmp(key, spec->replication_key) != 0))
	{
		if (key != NULL)
			log_info("stream \"%s\": replication key changed from \"%s\" to "
					 "\"%s\"; starting it over",
					 spec->tap_stream_id, key, spec->replication_key);
		reset = true;
	}
	if (reset)
		json_object_clear(bm);
	json_object_set_new(bm, "last_replication_method", json_string(method));
}

/* in_xid_range: an integer from 0 to 2^32 - 1, the range of block numbers
 * and of 32-bit transaction ids */
static bool
in_xid_range(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0 &&
		   json_integer_value(v) <= 4294967295LL;
}

/*
 * check_bookmark: the keys this tap reads from a stream's bookmark must
 * have the shapes it writes; a hand-edited state fails here, before any
 * message, naming the file, the stream and the key.
 */
static TapStatus
check_bookmark(json_t *state, const StreamSpec *spec, const char *path)
{
	json_t *bm = state_bookmark(state, spec->tap_stream_id);
	const json_t *v;
	const char *bad = NULL;
	const char *want = NULL;

	v = json_object_get(bm, "version");
	if (v != NULL && !json_is_null(v) &&
		!(json_is_integer(v) && json_integer_value(v) >= 0))
		bad = "version", want = "a positive integer";
	v = json_object_get(bm, "ctid_block");
	if (bad == NULL && v != NULL && !json_is_null(v) && !in_xid_range(v))
		bad = "ctid_block",
		want = "a block number from 0 to 4294967295, or null";
	v = json_object_get(bm, "snapshot_xmin");
	if (bad == NULL && v != NULL && !json_is_null(v) && !in_xid_range(v))
		bad = "snapshot_xmin",
		want = "a transaction id from 0 to 4294967295, or null";
	v = json_object_get(bm, "replication_key_value");
	if (bad == NULL && v != NULL &&
		!(json_is_null(v) || json_is_string(v) || json_is_number(v)))
		bad = "replication_key_value", want = "a string or a number";
	if (bad == NULL)
		return TAP_OK;
	log_critical("state file \"%s\": stream \"%s\": \"%s\" must be %s",
				 path ? path : "(none)", spec->tap_stream_id, bad, want);
	return TAP_ERR_INPUT;
}

/* bookmark_value: the rendered key bytes -> the JSON value SIO would store */
static json_t *
bookmark_value(const Buf *rendered)
{
	json_error_t err;
	json_t *v =
		json_loadb(rendered->data, rendered->len, JSON_DECODE_ANY, &err);

	if (v == NULL)
		return json_stringn(rendered->data, rendered->len);
	if (json_is_real(v))
	{
		/* keep a number only if a double holds it exactly enough to read
		 * back; a long numeric stays exact as a string */
		size_t digits = 0;

		for (size_t i = 0; i < rendered->len; i++)
		{
			char c = rendered->data[i];

			if (c == 'e' || c == 'E')
				break;
			if (c >= '0' && c <= '9' && (digits > 0 || c != '0'))
				digits++;
		}
		if (digits > 15)
		{
			json_decref(v);
			return json_stringn(rendered->data, rendered->len);
		}
	}
	return v;
}

/* bookmark_literal: a stored bookmark value as text for the SQL literal */
static bool
bookmark_literal(const json_t *v, Buf *out)
{
	buf_reset(out);
	if (json_is_string(v))
		buf_append(out, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		jsonw_real(out, json_real_value(v));
	else
		return false;
	return true;
}

/* ---- the row loop --------------------------------------------------- */

static void
loop_init(RowLoop *L, StreamPlan *p, Writer *w, json_t *state, json_t *bookmark,
		  int64_t version)
{
	char te[64];
	struct timespec ts;
	struct tm tm;

	memset(L, 0, sizeof *L);
	L->plan = p;
	L->w = w;
	L->state = state;
	L->bookmark = bookmark;
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
}

static void
loop_fini(RowLoop *L)
{
	buf_fini(&L->prefix);
	buf_fini(&L->suffix);
	buf_fini(&L->scratch);
	buf_fini(&L->encscratch);
	buf_fini(&L->last_key);
	free(L->fields);
}

/* loop_update_bookmark: the progress so far, into the state document */
static void
loop_update_bookmark(RowLoop *L)
{
	if (L->plan->spec->method == REPL_INCREMENTAL)
	{
		if (L->have_key)
			json_object_set_new(L->bookmark, "replication_key_value",
								bookmark_value(&L->last_key));
	}
	else if (L->last_block >= 0)
		json_object_set_new(L->bookmark, "ctid_block",
							json_integer(L->last_block));
}

static TapStatus
loop_emit_state(RowLoop *L)
{
	loop_update_bookmark(L);
	L->rows_at_state = L->rows;
	clock_gettime(CLOCK_MONOTONIC, &L->last_state);
	return writer_state(L->w, L->state);
}

/*
 * loop_row: one COPY row -> one RECORD line.
 */
static TapStatus
loop_row(RowLoop *L, const char *row, size_t len)
{
	StreamPlan *p = L->plan;
	Buf *out = &L->w->buf;
	int want = (int) p->ncols;
	int got = copytext_split(row, len, L->fields, want, &L->scratch);
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

		buf_append(out, p->keys.data + p->key_off[i],
				   p->key_off[i + 1] - p->key_off[i]);
		if (f->isnull)
		{
			buf_append(out, "null", 4);
			continue;
		}
		{
			size_t start = out->len;
			int flags =
				encode_value(out, &L->encscratch, &p->cols[i].enc, f->s, f->n);

			if ((flags & ENC_F_CLAMPED) && !p->cols[i].warned_clamp)
			{
				p->cols[i].warned_clamp = true;
				log_warning("stream \"%s\": column \"%s\" has a date before "
							"year 1 or after year 9999; such values are "
							"written as 0001-01-01 or 9999-12-31",
							p->spec->tap_stream_id, p->cols[i].name);
			}
			if ((int) i == p->rkey && flags == 0)
			{
				key_ok = true;
				key_start = start;
				key_end = out->len;
			}
		}
	}
	buf_append(out, L->suffix.data, L->suffix.len);
	if (key_ok)
	{
		buf_reset(&L->last_key);
		buf_append(&L->last_key, out->data + key_start, key_end - key_start);
		L->have_key = true;
	}
	L->rows++;
	return writer_line_done(L->w);
}

/* loop_tick: periodic STATE and metrics between rows */
static TapStatus
loop_tick(RowLoop *L)
{
	if (L->rows - L->rows_at_state >= SYNC_STATE_EVERY_ROWS ||
		((L->rows & 255) == 0 &&
		 elapsed_s(&L->last_state) >= SYNC_STATE_EVERY_SECONDS))
	{
		TapStatus st = loop_emit_state(L);

		if (st != TAP_OK)
			return st;
	}
	if ((L->rows & 1023) == 0 &&
		elapsed_s(&L->last_metric) >= SYNC_METRIC_EVERY_SECONDS)
	{
		log_metric_counter(L->plan->spec, L->rows - L->rows_at_metric);
		L->rows_at_metric = L->rows;
		clock_gettime(CLOCK_MONOTONIC, &L->last_metric);
	}
	return TAP_OK;
}

/*
 * loop_copy: runs one COPY and writes its rows. On a stop request the
 * COPY is cancelled and TAP_ERR_INTERRUPTED returned; the caller writes
 * the final STATE.
 */
static TapStatus
loop_copy(RowLoop *L, const char *sql)
{
	PgSession *s = L->plan->sess;
	char what[512];
	TapStatus st;

	snprintf(what, sizeof what, "reading stream \"%s\"",
			 L->plan->spec->tap_stream_id);
	log_debug("%s: %s", what, sql);
	st = conn_copy_begin(s, what, sql);
	while (st == TAP_OK)
	{
		const char *row;
		size_t len;
		bool done;

		if (conn_stop_requested)
		{
			st = TAP_ERR_INTERRUPTED;
			break;
		}
		st = conn_copy_next(s, what, &row, &len, &done);
		if (st != TAP_OK || done)
			break;
		st = loop_row(L, row, len);
		if (st == TAP_OK)
			st = loop_tick(L);
	}
	if (st != TAP_OK)
		conn_copy_cancel(s);
	return st;
}

/* copy_select: sql becomes "COPY (SELECT <columns> FROM <table>", the
 * columns quoted and in record order; the caller adds the rest */
static void
copy_select(Buf *sql, const StreamPlan *p)
{
	buf_reset(sql);
	buf_append_str(sql, "COPY (SELECT ");
	for (size_t i = 0; i < p->ncols; i++)
	{
		if (i > 0)
			buf_putc(sql, ',');
		typemap_select_expr(sql, &p->cols[i].enc, p->cols[i].name);
	}
	buf_append_str(sql, " FROM ");
	quote_relation(sql, p->spec);
}

/*
 * finish_early: after a stop request or a failure, the records already read
 * and a last STATE, which is true (the bookmark only ever covers what was
 * written), so the next run loses nothing. Not after an output failure:
 * nothing more can be written.
 */
static TapStatus
finish_early(RowLoop *L, TapStatus st)
{
	if (st == TAP_ERR_OUTPUT)
		return st;
	/* records before it are in the buffer; the STATE flushes both */
	if (loop_emit_state(L) == TAP_OK && st == TAP_ERR_INTERRUPTED)
		log_warning("stream \"%s\": stopped by a signal after %" PRId64
					" records; the last STATE resumes from here",
					L->plan->spec->tap_stream_id, L->rows);
	return st;
}

/*
 * stream_start: what every stream does between its SCHEMA and its first
 * record: the STATE that carries its version, ACTIVATE_VERSION when asked,
 * and the start of its snapshot.
 */
static TapStatus
stream_start(StreamPlan *p, json_t *state, Writer *w, int64_t version,
			 bool activate)
{
	TapStatus st = writer_state(w, state);

	if (st == TAP_OK && activate)
		st = writer_activate_version(w, p->spec->stream, version);
	if (st == TAP_OK)
		st = conn_begin_snapshot(p->sess);
	return st;
}

/*
 * stream_finish: the end of a stream: done, currently_syncing is cleared
 * in its final STATE; stopped or failed, finish_early. Then the stream's
 * record count (not after a failure: the CRITICAL line stays the last).
 */
static TapStatus
stream_finish(RowLoop *L, TapStatus st)
{
	if (st == TAP_OK)
	{
		state_set_currently_syncing(L->state, NULL);
		st = writer_state(L->w, L->state);
	}
	else
		st = finish_early(L, st);
	if (st == TAP_OK || st == TAP_ERR_INTERRUPTED)
		log_metric_counter(L->plan->spec, L->rows - L->rows_at_metric);
	return st;
}

/* ---- FULL_TABLE ----------------------------------------------------- */

static TapStatus
sync_full_table(StreamPlan *p, json_t *state, Writer *w)
{
	const StreamSpec *spec = p->spec;
	json_t *bm = state_bookmark(state, spec->tap_stream_id);
	bool physical = p->relkind == 'r';
	json_t *jblock = json_object_get(bm, "ctid_block");
	json_t *jhorizon = json_object_get(bm, "snapshot_xmin");
	bool had_block = json_is_integer(jblock); /* jblock may be freed below */
	bool resuming = physical && json_is_integer(jblock) &&
					json_is_integer(jhorizon) &&
					json_is_integer(json_object_get(bm, "version"));
	bool first_run = json_object_get(bm, "version") == NULL;
	int64_t version;
	int64_t start_block = 0;
	RowLoop L;
	TapStatus st;
	Buf sql;
	json_t *empty = json_array();

	if (physical)
	{
		bool readable;

		st = ctid_readable(p->sess, spec, &readable);
		if (st != TAP_OK)
		{
			json_decref(empty);
			return st;
		}
		if (!readable)
		{
			log_warning("stream \"%s\": user \"%s\" may read only some "
						"columns of the table, not its ctid and xmin, so an "
						"interrupted sync starts over instead of resuming "
						"(GRANT SELECT (ctid, xmin) ON the table to make it "
						"resumable)",
						spec->tap_stream_id, PQuser(p->sess->conn));
			physical = false;
			resuming = false;
		}
	}
	st = writer_schema(w, spec->stream, p->schema, spec->key_properties, empty);
	json_decref(empty);
	if (st != TAP_OK)
		return st;

	if (json_object_get(bm, "xmin") != NULL &&
		!json_is_null(json_object_get(bm, "xmin")))
	{
		log_warning("stream \"%s\": the state holds an \"xmin\" bookmark from "
					"singer-io/tap-postgres; this tap resumes by physical "
					"position instead, so the stream starts over",
					spec->tap_stream_id);
		json_object_del(bm, "xmin");
		resuming = false;
	}
	if (!physical && (json_object_get(bm, "ctid_block") != NULL))
	{
		json_object_del(bm, "ctid_block");
		json_object_del(bm, "snapshot_xmin");
	}
	if (resuming)
	{
		version = json_integer_value(json_object_get(bm, "version"));
		start_block = json_integer_value(jblock);
		log_info("stream \"%s\": resuming full table sync of version %" PRId64
				 " at block %" PRId64,
				 spec->tap_stream_id, version, start_block);
	}
	else
	{
		version = now_ms();
		json_object_set_new(bm, "version", json_integer(version));
		if (physical)
		{
			json_object_del(bm, "ctid_block");
			json_object_del(bm, "snapshot_xmin");
		}
		if (!physical && had_block)
			log_info("stream \"%s\" is a %s: it starts over instead of "
					 "resuming",
					 spec->tap_stream_id,
					 p->relkind == 'p' ? "partitioned table"
					 : p->relkind == 'r'
						 ? "table whose ctid the user may not read"
						 : "view");
	}
	st = stream_start(p, state, w, version, first_run);
	if (st != TAP_OK)
		return st;

	loop_init(&L, p, w, state, bm, version);
	buf_init(&sql, 1024);
	if (physical)
	{
		const char *params[2] = {spec->schema_name, spec->table_name};
		PGresult *res;
		int64_t horizon, nblocks;

		/* the snapshot is taken here; its xmin bounds what it can miss, and
		 * every row it sees lies in the blocks that exist now (the table
		 * cannot be truncated under our lock) */
		st = conn_query(
			p->sess, "reading the snapshot horizon",
			"SELECT txid_snapshot_xmin(txid_current_snapshot()) "
			"% 4294967296, pg_catalog.pg_relation_size(c.oid) / "
			"pg_catalog.current_setting('block_size')::int8 "
			"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
			"ON n.oid = c.relnamespace "
			"WHERE n.nspname = $1 AND c.relname = $2",
			2, params, &res);
		if (st != TAP_OK)
			goto done;
		if (PQntuples(res) != 1)
		{
			PQclear(res);
			log_critical("reading stream \"%s\" failed: table \"%s\".\"%s\" "
						 "is gone",
						 spec->tap_stream_id, spec->schema_name,
						 spec->table_name);
			st = TAP_ERR_QUERY;
			goto done;
		}
		horizon = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		nblocks = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		PQclear(res);

		if (resuming)
		{
			/* rows written since the interrupted snapshot, in the blocks
			 * that run had already passed */
			copy_select(&sql, p);
			buf_printf(&sql,
					   " WHERE ctid < '(%" PRId64 ",0)'::tid AND "
					   "age(xmin) <= age('%" JSON_INTEGER_FORMAT
					   "'::xid)) TO STDOUT",
					   start_block, json_integer_value(jhorizon));
			st = loop_copy(&L, buf_cstr(&sql));
			if (st != TAP_OK)
				goto done;
		}
		json_object_set_new(bm, "ctid_block", json_integer(start_block));
		json_object_set_new(bm, "snapshot_xmin", json_integer(horizon));

		/* block ranges in physical order: a TID range scan each, no sort,
		 * and the bookmark is the start of the range being read */
		for (int64_t b = start_block;; b += SYNC_CHUNK_BLOCKS)
		{
			bool last = b + SYNC_CHUNK_BLOCKS >= nblocks;

			L.last_block = b;
			json_object_set_new(bm, "ctid_block", json_integer(b));
			copy_select(&sql, p);
			buf_printf(&sql, " WHERE ctid >= '(%" PRId64 ",0)'::tid", b);
			if (!last)
				buf_printf(&sql, " AND ctid < '(%" PRId64 ",0)'::tid",
						   b + SYNC_CHUNK_BLOCKS);
			buf_append_str(&sql, ") TO STDOUT");
			st = loop_copy(&L, buf_cstr(&sql));
			if (st != TAP_OK || last)
				break;
		}
	}
	else
	{
		copy_select(&sql, p);
		buf_append_str(&sql, ") TO STDOUT");
		st = loop_copy(&L, buf_cstr(&sql));
	}

done:
	if (st == TAP_OK)
	{
		conn_end(p->sess);
		if (physical)
		{
			json_object_set_new(bm, "ctid_block", json_null());
			json_object_set_new(bm, "snapshot_xmin", json_null());
		}
		st = writer_activate_version(w, spec->stream, version);
	}
	st = stream_finish(&L, st);
	buf_fini(&sql);
	loop_fini(&L);
	return st;
}

/* ---- INCREMENTAL ---------------------------------------------------- */

static TapStatus
sync_incremental(StreamPlan *p, json_t *state, Writer *w)
{
	const StreamSpec *spec = p->spec;
	json_t *bm = state_bookmark(state, spec->tap_stream_id);
	json_t *jversion, *jvalue, *bprops;
	int64_t version;
	RowLoop L;
	TapStatus st;
	Buf sql, lit;

	json_object_set_new(bm, "replication_key",
						json_string(spec->replication_key));
	bprops = json_pack("[s]", spec->replication_key);
	st =
		writer_schema(w, spec->stream, p->schema, spec->key_properties, bprops);
	json_decref(bprops);
	if (st != TAP_OK)
		return st;

	jversion = json_object_get(bm, "version");
	if (json_is_integer(jversion))
		version = json_integer_value(jversion);
	else
	{
		version = now_ms();
		json_object_set_new(bm, "version", json_integer(version));
	}
	/* SIO activates an incremental stream's version on every run */
	st = stream_start(p, state, w, version, true);
	if (st != TAP_OK)
		return st;

	loop_init(&L, p, w, state, bm, version);
	buf_init(&sql, 1024);
	buf_init(&lit, 64);
	copy_select(&sql, p);
	jvalue = json_object_get(bm, "replication_key_value");
	if (jvalue != NULL && bookmark_literal(jvalue, &lit))
	{
		buf_append_str(&sql, " WHERE ");
		conn_quote_ident(&sql, spec->replication_key);
		buf_append_str(&sql, " >= ");
		conn_quote_literal(&sql, buf_cstr(&lit));
		buf_append_str(&sql, "::");
		buf_append_str(&sql, p->rkey_type);
		if (p->rkey_has_infinity)
		{
			/* infinity and NaN went out on the first run; they must not
			 * come back on every later one */
			buf_append_str(&sql, " AND ");
			conn_quote_ident(&sql, spec->replication_key);
			buf_append_str(&sql, " < 'infinity'::");
			buf_append_str(&sql, p->rkey_type);
		}
		log_info("stream \"%s\": incremental sync from %s = %s",
				 spec->tap_stream_id, spec->replication_key, buf_cstr(&lit));
	}
	else
		log_info("stream \"%s\": incremental sync from the beginning",
				 spec->tap_stream_id);
	buf_append_str(&sql, " ORDER BY ");
	conn_quote_ident(&sql, spec->replication_key);
	buf_append_str(&sql, " ASC) TO STDOUT");
	st = loop_copy(&L, buf_cstr(&sql));

	if (st == TAP_OK)
	{
		conn_end(p->sess);
		loop_update_bookmark(&L);
	}
	st = stream_finish(&L, st);
	buf_fini(&sql);
	buf_fini(&lit);
	loop_fini(&L);
	return st;
}

/* ---- the run -------------------------------------------------------- */

static bool
same_db(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

TapStatus
sync_run(const TapConfig *cfg, const Catalog *cat, const char *catalog_path,
		 const char *state_path, json_t *state, Writer *w)
{
	DbSession *dbs = xcalloc(cat->n + 1, sizeof *dbs);
	size_t ndbs = 0;
	StreamPlan *plans = xcalloc(cat->n + 1, sizeof *plans);
	size_t *order = xcalloc(cat->n + 1, sizeof *order);
	size_t norder = 0;
	TapStatus st = TAP_OK;
	const char *resume_id = state_currently_syncing(state);

	if (cat->n == 0)
	{
		log_warning("catalog file \"%s\" selects no stream (set "
					"\"selected\": true in a stream's root metadata)",
					catalog_path);
		goto out;
	}
	{
		char names[4096];
		size_t off = 0;

		names[0] = '\0';
		for (size_t i = 0; i < cat->n && off < sizeof names - 1; i++)
			off +=
				(size_t) snprintf(names + off, sizeof names - off, "%s%s",
								  i ? ", " : "", cat->streams[i].tap_stream_id);
		log_info("selected streams: %s", names);
	}

	/* one session per database, and one catalog query each */
	for (size_t i = 0; i < cat->n; i++)
	{
		const char *db = cat->streams[i].database_name;
		size_t d;

		for (d = 0; d < ndbs; d++)
			if (same_db(dbs[d].dbname, db))
				break;
		if (d == ndbs)
			dbs[ndbs++].dbname = db;
	}
	for (size_t d = 0; d < ndbs && st == TAP_OK; d++)
	{
		TableRef *refs = xcalloc(cat->n, sizeof *refs);
		size_t nrefs = 0;

		st = conn_open(cfg, dbs[d].dbname, &dbs[d].sess);
		if (st != TAP_OK)
		{
			free(refs);
			break;
		}
		dbs[d].open = true;
		for (size_t i = 0; i < cat->n; i++)
			if (same_db(dbs[d].dbname, cat->streams[i].database_name))
			{
				refs[nrefs].schema = cat->streams[i].schema_name;
				refs[nrefs].table = cat->streams[i].table_name;
				nrefs++;
			}
		st = discover_tables(&dbs[d].sess, cfg, refs, nrefs, &dbs[d].tables);
		free(refs);
	}
	for (size_t i = 0; i < cat->n && st == TAP_OK; i++)
	{
		size_t d;

		for (d = 0; d < ndbs; d++)
			if (same_db(dbs[d].dbname, cat->streams[i].database_name))
				break;
		st = plan_stream(&cat->streams[i], &dbs[d], cfg, catalog_path,
						 &plans[i]);
	}
	if (st != TAP_OK)
		goto out;

	for (size_t i = 0; i < cat->n && st == TAP_OK; i++)
	{
		reset_on_method_change(state, &cat->streams[i]);
		st = check_bookmark(state, &cat->streams[i], state_path);
	}
	if (st != TAP_OK)
		goto out;

	/* currently_syncing first, then by tap_stream_id (already sorted) */
	for (size_t i = 0; i < cat->n; i++)
		if (resume_id && strcmp(cat->streams[i].tap_stream_id, resume_id) == 0)
			order[norder++] = i;
	for (size_t i = 0; i < cat->n; i++)
		if (!(resume_id &&
			  strcmp(cat->streams[i].tap_stream_id, resume_id) == 0))
			order[norder++] = i;

	for (size_t k = 0; k < norder && st == TAP_OK; k++)
	{
		StreamPlan *p = &plans[order[k]];
		struct timespec t0;

		if (conn_stop_requested)
		{
			/* between streams the last STATE is already true */
			st = TAP_ERR_INTERRUPTED;
			break;
		}

		clock_gettime(CLOCK_MONOTONIC, &t0);
		log_info("beginning sync of stream \"%s\" with method %s",
				 p->spec->tap_stream_id,
				 p->spec->method == REPL_INCREMENTAL ? "INCREMENTAL"
													 : "FULL_TABLE");
		state_set_currently_syncing(state, p->spec->tap_stream_id);
		if (p->spec->method == REPL_INCREMENTAL)
			st = sync_incremental(p, state, w);
		else
			st = sync_full_table(p, state, w);
		/* after a failure the CRITICAL line stays the last one */
		if (st == TAP_OK || st == TAP_ERR_INTERRUPTED)
			log_metric_timer(p->spec, elapsed_s(&t0), st == TAP_OK);
	}

out:
	for (size_t i = 0; i < cat->n; i++)
		plan_fini(&plans[i]);
	for (size_t d = 0; d < ndbs; d++)
	{
		discover_result_fini(&dbs[d].tables);
		if (dbs[d].open)
			conn_close(&dbs[d].sess);
	}
	free(plans);
	free(order);
	free(dbs);
	return st;
}
