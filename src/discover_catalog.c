/*
 * discover_catalog.c: --discover's catalog. build_entry turns one table
 * of discover_tables' result into an entry of SIO's shape
 * (singer-io/tap-postgres's); discover_catalog does that for the
 * configured database, or for each database of filter_dbs.
 */
#include "tap/discover_catalog.h"

#include <stdlib.h>
#include <string.h>

#include "tap/buf.h"
#include "tap/discover.h"
#include "tap/log.h"
#include "tap/mem.h"
#include "tap/typemap.h"

/*
 * utf8_len: the length of the valid UTF-8 sequence at p, or 0 when the
 * bytes there are not one (overlong forms and surrogates included).
 */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

/* utf8_valid: true when all of s is valid UTF-8 */
static bool
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t n;

	while (*p && (n = utf8_len(p)) != 0)
		p += n;
	return *p == '\0';
}

/*
 * utf8_text: s as valid UTF-8, every invalid byte replaced by U+FFFD (a
 * SQL_ASCII database can hold such names). Returns s itself when it is
 * valid, else the fixed copy in tmp (valid until tmp changes).
 */
static const char *
utf8_text(const char *s, Buf *tmp)
{
	size_t n;

	if (utf8_valid(s))
		return s;
	buf_reset(tmp);
	for (const unsigned char *p = (const unsigned char *) s; *p; p += n ? n : 1)
	{
		n = utf8_len(p);
		if (n)
			buf_append(tmp, p, n);
		else
			buf_append(tmp, "\xEF\xBF\xBD", 3);
	}
	return buf_cstr(tmp);
}

/* text: a JSON string of s, made valid UTF-8 (owned) */
static json_t *
text(const char *s)
{
	Buf tmp;
	json_t *v;

	if (utf8_valid(s))
		return json_string(s);
	buf_init(&tmp, 64);
	v = json_string(utf8_text(s, &tmp));
	buf_fini(&tmp);
	return v;
}

/* breadcrumb_column: ["properties", name] (owned) */
static json_t *
breadcrumb_column(const char *name)
{
	json_t *b = json_array();

	json_array_append_new(b, json_string("properties"));
	json_array_append_new(b, text(name));
	return b;
}

/* metadata_entry: {"breadcrumb": b, "metadata": md}, taking both (owned) */
static json_t *
metadata_entry(json_t *breadcrumb, json_t *md)
{
	json_t *e = json_object();

	json_object_set_new(e, "breadcrumb", breadcrumb);
	json_object_set_new(e, "metadata", md);
	return e;
}

/* build_entry: the catalog entry of t in database dbname (owned) */
static json_t *
build_entry(const DiscTable *t, const char *dbname, const TapConfig *cfg)
{
	json_t *entry = json_object();
	json_t *md_list = json_array();
	json_t *col_mds = json_array();
	json_t *root = json_object();
	json_t *keys = json_array();
	json_t *rkeys = json_array();
	json_t *props = json_object();
	json_t *defs = typemap_base_definitions();
	json_t *schema = json_object();
	bool is_view = t->relkind == 'v' || t->relkind == 'm';
	Buf b, key;

	buf_init(&key, 0);
	for (size_t i = 0; i < t->ncols; i++)
	{
		const DiscColumn *c = &t->cols[i];
		TypeMapping m;
		json_t *md = json_object();
		const char *inclusion;

		typemap_map(&c->type, !(c->is_pk || c->not_null), cfg->json_as_object,
					&m);
		json_object_set(props, utf8_text(c->name, &key), m.schema);
		if (m.def_name != NULL && json_object_get(defs, m.def_name) == NULL)
			json_object_set(defs, m.def_name, m.def);
		if (c->is_pk)
			json_array_append_new(keys, text(c->name));
		if (m.valid_replication_key)
			json_array_append_new(rkeys, text(c->name));
		/* every type has a rendering: no column is "unsupported" */
		inclusion = c->is_pk ? "automatic" : "available";
		json_object_set_new(md, "sql-datatype", text(c->sql_datatype));
		json_object_set_new(md, "inclusion", json_string(inclusion));
		json_object_set_new(md, "selected-by-default", json_true());
		json_array_append_new(col_mds,
							  metadata_entry(breadcrumb_column(c->name), md));
		typemap_fini(&m);
	}
	buf_fini(&key);

	json_object_set_new(root, "table-key-properties", keys);
	json_object_set_new(root, "schema-name", text(t->schema));
	json_object_set_new(root, "database-name", text(dbname));
	json_object_set_new(root, "row-count", json_integer(t->row_count));
	json_object_set_new(root, "is-view", json_boolean(is_view));
	json_object_set_new(root, "valid-replication-keys", rkeys);
	/* XMIN reads the xmin of rows stored here: tables and partitioned
	 * tables, not views or foreign tables */
	json_object_set_new(
		root, "valid-replication-methods",
		t->relkind == 'r' || t->relkind == 'p'
			? json_pack("[sss]", "FULL_TABLE", "INCREMENTAL", "XMIN")
			: json_pack("[ss]", "FULL_TABLE", "INCREMENTAL"));
	json_array_append_new(md_list, metadata_entry(json_array(), root));
	json_array_extend(md_list, col_mds);
	json_decref(col_mds);

	json_object_set_new(schema, "type", json_string("object"));
	json_object_set_new(schema, "properties", props);
	json_object_set_new(schema, "definitions", defs);

	buf_init(&b, 128);
	json_object_set_new(entry, "table_name", text(t->name));
	if (cfg->include_schemas_in_destination_stream_name)
	{
		buf_printf(&b, "%s__%s", t->schema, t->name);
		json_object_set_new(entry, "stream", text(buf_cstr(&b)));
	}
	else
		json_object_set_new(entry, "stream", text(t->name));
	json_object_set_new(entry, "metadata", md_list);
	buf_reset(&b);
	buf_printf(&b, "%s-%s-%s", dbname, t->schema, t->name);
	json_object_set_new(entry, "tap_stream_id", text(buf_cstr(&b)));
	json_object_set_new(entry, "schema", schema);
	buf_fini(&b);
	return entry;
}

/*
 * discover_database: appends the entries of the database s is connected
 * to to streams.
 */
static TapStatus
discover_database(PgSession *s, const TapConfig *cfg, json_t *streams)
{
	DiscResult res;
	TapStatus st;

	log_info("discovering database \"%s\"", s->dbname);
	st = discover_tables(s, cfg, NULL, 0, &res);
	if (st != TAP_OK)
		return st;
	for (size_t i = 0; i < res.ntables; i++)
		json_array_append_new(streams,
							  build_entry(&res.tables[i], s->dbname, cfg));
	log_info("database \"%s\": %zu streams", s->dbname, res.ntables);
	discover_result_fini(&res);
	return TAP_OK;
}

/* compare_strings: qsort order of C strings, bytewise */
static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 * discover_catalog: connects to the configured database and discovers it,
 * or, with filter_dbs, each listed database in name order (one that
 * cannot be opened is skipped with a WARNING, as SIO does). *out is
 * {"streams": [...]} (owned), possibly with no stream at all.
 */
TapStatus
discover_catalog(const TapConfig *cfg, json_t **out)
{
	PgSession s;
	json_t *streams;
	TapStatus st;

	*out = NULL;
	st = conn_open(cfg, NULL, &s);
	if (st != TAP_OK)
		return st;
	streams = json_array();

	if (cfg->n_filter_dbs == 0)
		st = discover_database(&s, cfg, streams);
	else
	{
		const char **names = xmalloc_array(cfg->n_filter_dbs, sizeof *names);

		memcpy(names, cfg->filter_dbs, cfg->n_filter_dbs * sizeof *names);
		qsort(names, cfg->n_filter_dbs, sizeof *names, compare_strings);
		for (size_t i = 0; i < cfg->n_filter_dbs && st == TAP_OK; i++)
		{
			PgSession other;

			if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
				continue;
			if (strcmp(names[i], s.dbname) == 0)
			{
				st = discover_database(&s, cfg, streams);
				continue;
			}
			if (conn_try_open(cfg, names[i], &other) != TAP_OK)
			{
				log_warning("database \"%s\" of \"filter_dbs\" is left out of "
							"the catalog",
							names[i]);
				continue;
			}
			st = discover_database(&other, cfg, streams);
			conn_close(&other);
		}
		free(names);
	}
	conn_close(&s);

	if (st != TAP_OK)
	{
		json_decref(streams);
		return st;
	}
	if (json_array_size(streams) == 0)
		log_warning("no table, view or materialized view that the user may "
					"read was found; the catalog is empty");
	*out = json_object();
	json_object_set_new(*out, "streams", streams);
	return TAP_OK;
}
