/*
 * repl_incremental.c: key-based INCREMENTAL replication.
 *
 * COPY (SELECT ... WHERE key >= bookmark ORDER BY key): at least once, as
 * SIO does; the row equal to the bookmark is sent again. The bookmark,
 * replication_key_value, is the last row's key in the same rendering as
 * the record value. Rows whose key is NULL, infinity or NaN go out on the
 * first run and never become the bookmark. ACTIVATE_VERSION on every run
 * (SIO's rule for this method).
 */
#include "tap/bookmark.h"
#include "tap/conn.h"
#include "tap/log.h"
#include "tap/query.h"
#include "tap/repl.h"
#include "tap/rowloop.h"
#include "tap/state.h"

/* save: the last row's key */
static void
save(RowLoop *L)
{
	if (L->have_key)
		json_object_set_new(L->bookmark, "replication_key_value",
							bookmark_value(L->last_key.data, L->last_key.len));
}

/* where_from: " WHERE key >= 'bookmark'::type" (and below infinity) */
static void
where_from(Buf *sql, const StreamPlan *p, const char *literal)
{
	const char *key = p->spec->replication_key;

	buf_append_str(sql, " WHERE ");
	conn_quote_ident(sql, key);
	buf_append_str(sql, " >= ");
	conn_quote_literal(sql, literal);
	buf_append_str(sql, "::");
	buf_append_str(sql, p->rkey_type);
	if (p->rkey_has_infinity)
	{
		/* infinity and NaN went out on the first run; they must not come
		 * back on every later one */
		buf_append_str(sql, " AND ");
		conn_quote_ident(sql, key);
		buf_append_str(sql, " < 'infinity'::");
		buf_append_str(sql, p->rkey_type);
	}
}

/* incremental_sql: the whole COPY statement for the stored bookmark */
static void
incremental_sql(Buf *sql, const StreamPlan *p, const json_t *bm)
{
	const StreamSpec *spec = p->spec;
	const json_t *jvalue = json_object_get(bm, "replication_key_value");
	Buf lit;

	buf_init(&lit, 64);
	query_copy_head(sql, p, false);
	if (jvalue != NULL && bookmark_literal(jvalue, &lit))
	{
		where_from(sql, p, buf_cstr(&lit));
		log_info("stream \"%s\": incremental sync from %s = %s",
				 spec->tap_stream_id, spec->replication_key, buf_cstr(&lit));
	}
	else
		log_info("stream \"%s\": incremental sync from the beginning",
				 spec->tap_stream_id);
	buf_append_str(sql, " ORDER BY ");
	conn_quote_ident(sql, spec->replication_key);
	buf_append_str(sql, " ASC");
	query_copy_tail(sql);
	buf_fini(&lit);
}

static TapStatus
incremental_sync(StreamPlan *p, json_t *state, Writer *w)
{
	const StreamSpec *spec = p->spec;
	json_t *bm = state_bookmark(state, spec->tap_stream_id);
	json_t *jversion = json_object_get(bm, "version");
	json_t *bprops = json_pack("[s]", spec->replication_key);
	int64_t version;
	RowLoop L;
	TapStatus st;
	Buf sql;

	json_object_set_new(bm, "replication_key",
						json_string(spec->replication_key));
	st =
		writer_schema(w, spec->stream, p->schema, spec->key_properties, bprops);
	json_decref(bprops);
	if (st != TAP_OK)
		return st;
	if (json_is_integer(jversion))
		version = json_integer_value(jversion);
	else
	{
		version = repl_new_version();
		json_object_set_new(bm, "version", json_integer(version));
	}
	st = rowloop_begin(p, state, w, version, true, true);
	if (st != TAP_OK)
		return st;

	rowloop_init(&L, p, w, state, bm, version, save);
	buf_init(&sql, 1024);
	incremental_sql(&sql, p, bm);
	st = rowloop_copy(&L, buf_cstr(&sql));
	buf_fini(&sql);
	if (st == TAP_OK)
	{
		conn_end(p->sess);
		save(&L);
	}
	st = rowloop_finish(&L, st);
	rowloop_fini(&L);
	return st;
}

const ReplOps repl_incremental = {
	.method = REPL_INCREMENTAL,
	.check = NULL,
	.sync = incremental_sync,
};
