/*
 * catalog.c: reading the input catalog.
 */
#include "tap/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "tap/docload.h"
#include "tap/log.h"
#include "tap/mem.h"

/* find_metadata: the metadata object at breadcrumb [] or ["properties", col] */
static const json_t *
find_metadata(const json_t *mdlist, const char *col)
{
	size_t i;
	const json_t *item;

	json_array_foreach(mdlist, i, item)
	{
		const json_t *bc = json_object_get(item, "breadcrumb");
		const json_t *md = json_object_get(item, "metadata");

		if (!json_is_array(bc) || !json_is_object(md))
			continue;
		if (col == NULL && json_array_size(bc) == 0)
			return md;
		if (col != NULL && json_array_size(bc) == 2 &&
			json_is_string(json_array_get(bc, 0)) &&
			strcmp(json_string_value(json_array_get(bc, 0)), "properties") ==
				0 &&
			json_is_string(json_array_get(bc, 1)) &&
			strcmp(json_string_value(json_array_get(bc, 1)), col) == 0)
			return md;
	}
	return NULL;
}

/* truthy, falsy: a boolean by docload's one rule (true, or "true" as
 * some UIs write it) */
static bool
truthy(const json_t *v)
{
	bool b;

	return docload_bool(v, &b) && b;
}

static bool
falsy(const json_t *v)
{
	bool b;

	return docload_bool(v, &b) && !b;
}

/* first_string: the first of several spellings of a setting that is set */
static const json_t *
first_set(const json_t *a, const json_t *b, const json_t *c)
{
	if (a != NULL && !json_is_null(a))
		return a;
	if (b != NULL && !json_is_null(b))
		return b;
	if (c != NULL && !json_is_null(c))
		return c;
	return NULL;
}

static char *
dup_or_null(const json_t *v)
{
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static void
stream_fini(StreamSpec *s)
{
	free(s->tap_stream_id);
	free(s->stream);
	free(s->table_name);
	free(s->schema_name);
	free(s->database_name);
	free(s->replication_key);
	json_decref(s->key_properties);
	json_decref(s->schema);
	for (size_t i = 0; i < s->ncols; i++)
	{
		free(s->cols[i].name);
		free(s->cols[i].sql_datatype);
	}
	free(s->cols);
	memset(s, 0, sizeof *s);
}

/* string_list: a JSON array of strings, or NULL if v is not one */
static json_t *
string_list(const json_t *v)
{
	size_t i;
	const json_t *item;

	if (!json_is_array(v))
		return NULL;
	json_array_foreach(v, i, item)
		if (!json_is_string(item))
			return NULL;
	return json_deep_copy(v);
}

/*
 * parse_stream: one selected entry -> *s. Returns TAP_ERR_INPUT (logged)
 * when the entry cannot be synced as written.
 */
static TapStatus
parse_stream(const json_t *entry, const char *path, const TapConfig *cfg,
			 StreamSpec *s)
{
	const json_t *mdlist = json_object_get(entry, "metadata");
	const json_t *root = find_metadata(mdlist, NULL);
	const json_t *id = json_object_get(entry, "tap_stream_id");
	const json_t *schema = json_object_get(entry, "schema");
	const json_t *props = json_object_get(schema, "properties");
	const json_t *method, *rkey, *keys;
	const char *name = json_string_value(id);
	const char *col;
	const json_t *colschema;

	memset(s, 0, sizeof *s);
	s->tap_stream_id = xstrdup(name);
	if (!json_is_object(props))
	{
		log_critical("catalog file \"%s\": stream \"%s\" has no "
					 "\"schema\" with \"properties\"",
					 path, name);
		return TAP_ERR_INPUT;
	}
	s->schema = json_incref((json_t *) schema);

	s->schema_name = dup_or_null(json_object_get(root, "schema-name"));
	s->database_name = dup_or_null(json_object_get(root, "database-name"));
	s->table_name = dup_or_null(json_object_get(entry, "table_name"));
	if (s->table_name == NULL)
		s->table_name = dup_or_null(json_object_get(entry, "stream"));
	if (s->schema_name == NULL || s->table_name == NULL)
	{
		log_critical("catalog file \"%s\": stream \"%s\" lacks %s; run "
					 "--discover again and select from its output",
					 path, name,
					 s->schema_name == NULL
						 ? "the root metadata \"schema-name\""
						 : "\"table_name\"");
		return TAP_ERR_INPUT;
	}
	s->is_view = truthy(json_object_get(root, "is-view"));

	if (cfg->include_schemas_in_destination_stream_name)
	{
		size_t n = strlen(s->schema_name) + strlen(s->table_name) + 3;

		s->stream = xmalloc(n);
		snprintf(s->stream, n, "%s__%s", s->schema_name, s->table_name);
	}
	else
		s->stream = xstrdup(s->table_name);

	method = first_set(json_object_get(root, "replication-method"),
					   json_object_get(root, "replication_method"),
					   json_object_get(entry, "replication_method"));
	{
		const char *m = method ? json_string_value(method)
							   : cfg->default_replication_method;

		if (m == NULL || m[0] == '\0')
			m = "FULL_TABLE";
		if (strcmp(m, "LOG_BASED") == 0)
		{
			log_critical("catalog file \"%s\": stream \"%s\" asks for "
						 "LOG_BASED replication, which this tap does not "
						 "support (Heroku Postgres does not offer logical "
						 "replication to its users); use %s",
						 path, name, method_list());
			return TAP_ERR_INPUT;
		}
		if (!method_parse(m, &s->method))
		{
			log_critical("catalog file \"%s\": stream \"%s\" has replication "
						 "method \"%s\"; expected %s",
						 path, name, m, method_list());
			return TAP_ERR_INPUT;
		}
	}

	rkey = first_set(json_object_get(root, "replication-key"),
					 json_object_get(root, "replication_key"),
					 json_object_get(entry, "replication_key"));
	if (rkey != NULL && !json_is_string(rkey))
	{
		log_critical("catalog file \"%s\": stream \"%s\": \"replication-key\" "
					 "must be a column name",
					 path, name);
		return TAP_ERR_INPUT;
	}
	if (s->method == REPL_INCREMENTAL)
	{
		if (rkey == NULL || json_string_length(rkey) == 0)
		{
			log_critical("catalog file \"%s\": stream \"%s\" is INCREMENTAL "
						 "but names no \"replication-key\"",
						 path, name);
			return TAP_ERR_INPUT;
		}
		if (json_object_get(props, json_string_value(rkey)) == NULL)
		{
			log_critical("catalog file \"%s\": stream \"%s\": replication key "
						 "\"%s\" is not a column of the stream",
						 path, name, json_string_value(rkey));
			return TAP_ERR_INPUT;
		}
		s->replication_key = xstrdup(json_string_value(rkey));
	}

	keys = s->is_view ? json_object_get(root, "view-key-properties")
					  : json_object_get(root, "table-key-properties");
	if (keys == NULL || json_is_null(keys))
		keys = json_object_get(entry, "key_properties");
	if (keys != NULL && !json_is_null(keys))
	{
		s->key_properties = string_list(keys);
		if (s->key_properties == NULL)
		{
			log_critical("catalog file \"%s\": stream \"%s\": %s must be a "
						 "list of column names",
						 path, name,
						 s->is_view ? "\"view-key-properties\""
									: "\"table-key-properties\"");
			return TAP_ERR_INPUT;
		}
	}
	else
		s->key_properties = json_array();

	s->ncols = json_object_size(props);
	s->cols = xcalloc(s->ncols ? s->ncols : 1, sizeof *s->cols);
	{
		size_t i = 0;

		json_object_foreach((json_t *) props, col, colschema)
		{
			const json_t *md = find_metadata(mdlist, col);
			const json_t *incl = json_object_get(md, "inclusion");
			const char *inc = json_string_value(incl);
			StreamColumn *c = &s->cols[i++];

			c->name = xstrdup(col);
			c->sql_datatype = dup_or_null(json_object_get(md, "sql-datatype"));
			c->automatic = inc && strcmp(inc, "automatic") == 0;
			c->unsupported =
				(inc && strcmp(inc, "unsupported") == 0) ||
				(json_is_object(colschema) && json_object_size(colschema) == 0);
			c->emit = c->automatic || (!c->unsupported &&
									   !falsy(json_object_get(md, "selected")));
		}
	}
	/* keys and the replication key always go out (SIO crashes instead) */
	for (size_t i = 0; i < s->ncols; i++)
	{
		StreamColumn *c = &s->cols[i];
		size_t k;
		const json_t *kv;

		json_array_foreach(s->key_properties, k, kv)
			if (strcmp(json_string_value(kv), c->name) == 0)
				c->emit = true;
		if (s->replication_key && strcmp(s->replication_key, c->name) == 0)
		{
			if (c->unsupported)
			{
				log_critical("catalog file \"%s\": stream \"%s\": replication "
							 "key \"%s\" has an unsupported type",
							 path, name, c->name);
				return TAP_ERR_INPUT;
			}
			c->emit = true;
		}
	}
	{
		size_t k;
		const json_t *kv;

		json_array_foreach(s->key_properties, k, kv)
			if (json_object_get(props, json_string_value(kv)) == NULL)
			{
				log_critical("catalog file \"%s\": stream \"%s\": key "
							 "property \"%s\" is not a column of the stream",
							 path, name, json_string_value(kv));
				return TAP_ERR_INPUT;
			}
	}
	return TAP_OK;
}

static int
compare_streams(const void *a, const void *b)
{
	return strcmp(((const StreamSpec *) a)->tap_stream_id,
				  ((const StreamSpec *) b)->tap_stream_id);
}

TapStatus
catalog_from_json(const json_t *doc, const char *path, const TapConfig *cfg,
				  Catalog *out)
{
	const json_t *streams = json_object_get(doc, "streams");
	size_t i;
	const json_t *entry;

	memset(out, 0, sizeof *out);
	if (!json_is_array(streams))
	{
		log_critical("catalog file \"%s\" has no \"streams\" list; is it the "
					 "output of --discover?",
					 path);
		return TAP_ERR_INPUT;
	}
	out->streams = xcalloc(json_array_size(streams) + 1, sizeof *out->streams);
	json_array_foreach(streams, i, entry)
	{
		const json_t *id = json_object_get(entry, "tap_stream_id");
		const json_t *root;

		if (!json_is_object(entry) || !json_is_string(id))
		{
			log_critical("catalog file \"%s\": stream #%zu has no "
						 "\"tap_stream_id\"",
						 path, i + 1);
			catalog_fini(out);
			return TAP_ERR_INPUT;
		}
		if (!json_is_array(json_object_get(entry, "metadata")))
		{
			log_critical("catalog file \"%s\": stream \"%s\" has no "
						 "\"metadata\" list",
						 path, json_string_value(id));
			catalog_fini(out);
			return TAP_ERR_INPUT;
		}
		root = find_metadata(json_object_get(entry, "metadata"), NULL);
		if (!truthy(json_object_get(root, "selected")))
			continue;
		for (size_t j = 0; j < out->n; j++)
			if (strcmp(out->streams[j].tap_stream_id, json_string_value(id)) ==
				0)
			{
				log_critical("catalog file \"%s\": stream \"%s\" appears twice",
							 path, json_string_value(id));
				catalog_fini(out);
				return TAP_ERR_INPUT;
			}
		if (parse_stream(entry, path, cfg, &out->streams[out->n]) != TAP_OK)
		{
			out->n++; /* so that catalog_fini frees the partial stream */
			catalog_fini(out);
			return TAP_ERR_INPUT;
		}
		out->n++;
	}
	qsort(out->streams, out->n, sizeof *out->streams, compare_streams);
	return TAP_OK;
}

TapStatus
catalog_load(const char *path, const TapConfig *cfg, Catalog *out)
{
	json_t *doc = NULL;
	TapStatus st;

	memset(out, 0, sizeof *out);
	st = docload_file(path, "catalog", false, false, &doc);
	if (st != TAP_OK)
		return st;
	st = catalog_from_json(doc, path, cfg, out);
	json_decref(doc);
	return st;
}

void
catalog_fini(Catalog *c)
{
	for (size_t i = 0; i < c->n; i++)
		stream_fini(&c->streams[i]);
	free(c->streams);
	memset(c, 0, sizeof *c);
}
