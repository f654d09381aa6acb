/*
 * plan.c: a selected stream against the live table -> its StreamPlan.
 */
#include "tap/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/jsonw.h"
#include "tap/log.h"
#include "tap/mem.h"
#include "tap/query.h"
#include "tap/typemap.h"

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

void
plan_facts_default(ScanFacts *f)
{
	memset(f, 0, sizeof *f);
	f->ctid_readable = true;
	snprintf(f->amname, sizeof f->amname, "heap");
}

void
plan_fini(StreamPlan *p)
{
	free(p->cols);
	free(p->rkey_type);
	json_decref(p->schema);
	buf_fini(&p->keys);
	free(p->key_off);
	memset(p, 0, sizeof *p);
}

/* relkind_noun: what a relation that sync cannot read is, for messages */
static const char *
relkind_noun(char relkind)
{
	switch (relkind)
	{
		case 'i':
		case 'I':
			return "an index";
		case 'S':
			return "a sequence";
		case 'c':
			return "a composite type";
		case 't':
			return "a TOAST table";
		default:
			return "not a table or view";
	}
}

/*
 * explain_missing_table: the table is not among those the user may read;
 * say truthfully why: it does not exist, it is not a table or view, or
 * the user may not read it.
 */
static TapStatus
explain_missing_table(const StreamSpec *spec, PgSession *sess, const char *path)
{
	RelProbe probe;
	TapStatus st =
		query_probe(sess, spec->schema_name, spec->table_name, NULL, &probe);

	if (st != TAP_OK)
		return st;
	if (!probe.exists)
	{
		log_critical("catalog file \"%s\": stream \"%s\": table \"%s\".\"%s\" "
					 "does not exist in database \"%s\"; run --discover again",
					 path, spec->tap_stream_id, spec->schema_name,
					 spec->table_name, sess->dbname);
		return TAP_ERR_INPUT;
	}
	if (strchr("rpvmf", probe.relkind) == NULL)
	{
		log_critical("catalog file \"%s\": stream \"%s\": \"%s\".\"%s\" is "
					 "%s, which cannot be synced; deselect the stream",
					 path, spec->tap_stream_id, spec->schema_name,
					 spec->table_name, relkind_noun(probe.relkind));
		return TAP_ERR_INPUT;
	}
	log_critical("stream \"%s\": permission denied: user \"%s\" may not read "
				 "table \"%s\".\"%s\" (or the USAGE of its schema); grant it "
				 "SELECT, or deselect the stream",
				 spec->tap_stream_id, PQuser(sess->conn), spec->schema_name,
				 spec->table_name);
	return TAP_ERR_QUERY;
}

/* explain_missing_column: likewise for a column the user cannot read */
static TapStatus
explain_missing_column(const StreamSpec *spec, PgSession *sess,
					   const char *column, const char *path)
{
	RelProbe probe;
	TapStatus st =
		query_probe(sess, spec->schema_name, spec->table_name, column, &probe);

	if (st != TAP_OK)
		return st;
	if (probe.column_exists)
	{
		log_critical("stream \"%s\": permission denied: user \"%s\" may not "
					 "read column \"%s\" of table \"%s\".\"%s\"; grant it "
					 "SELECT, or deselect the column",
					 spec->tap_stream_id, PQuser(sess->conn), column,
					 spec->schema_name, spec->table_name);
		return TAP_ERR_QUERY;
	}
	log_critical("catalog file \"%s\": stream \"%s\": column \"%s\" does not "
				 "exist in table \"%s\".\"%s\"; run --discover again",
				 path, spec->tap_stream_id, column, spec->schema_name,
				 spec->table_name);
	return TAP_ERR_INPUT;
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

/* set_definition: the SCHEMA's definitions gain m's definition */
static void
set_definition(json_t *schema, const TypeMapping *m)
{
	json_t *defs = json_object_get(schema, "definitions");

	if (m->def_name == NULL)
		return;
	/* the schema is a shallow copy of the catalog's: its definitions are
	 * the catalog's until copied here */
	defs = json_is_object(defs) ? json_copy(defs) : json_object();
	json_object_set(defs, m->def_name, m->def);
	json_object_set_new(schema, "definitions", defs);
}

/*
 * plan_column: one selected column against its live type: its encoder
 * into cp and its schema into props
 */
static void
plan_column(StreamPlan *p, const StreamColumn *sc, const DiscColumn *dc,
			const TapConfig *cfg, json_t *props, ColPlan *cp)
{
	const StreamSpec *spec = p->spec;
	const json_t *catprops = json_object_get(spec->schema, "properties");
	const json_t *colschema = json_object_get(catprops, sc->name);
	TypeMapping m;

	typemap_map(&dc->type, !(dc->not_null || dc->is_pk), cfg->json_as_object,
				&m);
	if (sc->sql_datatype != NULL &&
		strcmp(sc->sql_datatype, dc->sql_datatype) != 0)
	{
		/* the live type decides how values look; say so in SCHEMA too */
		log_warning("stream \"%s\": column \"%s\" was \"%s\" at discovery and "
					"is \"%s\" now; its values and its SCHEMA follow the new "
					"type",
					spec->tap_stream_id, sc->name, sc->sql_datatype,
					dc->sql_datatype);
		json_object_set(props, sc->name, m.schema);
		set_definition(p->schema, &m);
	}
	else
		json_object_set(props, sc->name,
						colschema ? (json_t *) colschema : m.schema);
	cp->name = sc->name;
	cp->col = dc;
	cp->enc = m.enc;
	if (spec->replication_key && strcmp(spec->replication_key, sc->name) == 0)
	{
		if (!m.valid_replication_key)
			log_warning("stream \"%s\": replication key \"%s\" has type "
						"\"%s\", which may not order rows the way you expect",
						spec->tap_stream_id, sc->name, dc->sql_datatype);
		p->rkey_type = xstrdup(dc->sql_datatype);
		p->rkey_has_infinity = type_has_infinity(&dc->type);
	}
	typemap_fini(&m);
}

/* pack_keys: ,"name": for every column, packed, so a row is memcpy + values */
static void
pack_keys(StreamPlan *p)
{
	buf_init(&p->keys, 64 * p->ncols);
	p->key_off = xmalloc_array(p->ncols + 1, sizeof *p->key_off);
	for (size_t i = 0; i < p->ncols; i++)
	{
		p->key_off[i] = p->keys.len;
		if (i > 0)
			buf_putc(&p->keys, ',');
		jsonw_string(&p->keys, p->cols[i].name, strlen(p->cols[i].name));
		buf_putc(&p->keys, ':');
	}
	p->key_off[p->ncols] = p->keys.len;
}

TapStatus
plan_stream(const StreamSpec *spec, PgSession *sess, const DiscResult *tables,
			const TapConfig *cfg, const char *path, StreamPlan *p)
{
	const DiscTable *t = find_table(tables, spec);
	size_t n = 0;

	memset(p, 0, sizeof *p);
	p->spec = spec;
	p->sess = sess;
	p->rkey = -1;
	plan_facts_default(&p->facts);
	if (t == NULL)
		return explain_missing_table(spec, sess, path);
	p->relkind = t->relkind;

	/* shallow: only "properties" (and "definitions", set_definition) are
	 * changed, and those are replaced, never changed in place */
	p->schema = json_copy(spec->schema);
	json_object_set_new(p->schema, "properties", json_object());
	p->cols = xcalloc(spec->ncols + 1, sizeof *p->cols);
	for (size_t i = 0; i < spec->ncols; i++)
	{
		const StreamColumn *sc = &spec->cols[i];
		const DiscColumn *dc;

		if (!sc->emit)
			continue;
		dc = find_column(t, sc->name);
		if (dc == NULL)
			return explain_missing_column(spec, sess, sc->name, path);
		plan_column(p, sc, dc, cfg, json_object_get(p->schema, "properties"),
					&p->cols[n++]);
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
	pack_keys(p);
	return TAP_OK;
}
