/*
 * discover.c: the server's catalog -> the Singer catalog (README's
 * "Discovery").
 *
 * One query per database reads every readable column of every table,
 * view, materialized view, partitioned parent and foreign table, with its
 * type already resolved through domains, ordered by schema, table and
 * column position, into a DiscResult (a second query reads the fields of
 * the composite types the columns use). discover_catalog.c turns the
 * result into catalog entries.
 */
#include "tap/discover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/buf.h"
#include "tap/log.h"
#include "tap/mem.h"
#include "tap/query.h"

/* Resolves every domain to its final base type (dom, dombase). */
#define DOMAIN_CTES                                                            \
	"WITH RECURSIVE dom (oid, base, typmod) AS (\n"                            \
	"	SELECT t.oid, t.typbasetype, t.typtypmod\n"                              \
	"	  FROM pg_catalog.pg_type t\n"                                           \
	"	 WHERE t.typtype = 'd'\n"                                                \
	"	UNION ALL\n"                                                             \
	"	SELECT d.oid, b.typbasetype,\n"                                          \
	"		   CASE WHEN d.typmod <> -1 THEN d.typmod ELSE b.typtypmod END\n"       \
	"	  FROM dom d\n"                                                          \
	"	  JOIN pg_catalog.pg_type b ON b.oid = d.base\n"                         \
	"	 WHERE b.typtype = 'd'\n"                                                \
	"),\n"                                                                     \
	"dombase AS (\n"                                                           \
	"	SELECT d.oid, d.base, d.typmod\n"                                        \
	"	  FROM dom d\n"                                                          \
	"	  JOIN pg_catalog.pg_type b ON b.oid = d.base\n"                         \
	"	 WHERE b.typtype <> 'd'\n"                                               \
	")"

/*
 * The joins that describe the type of attribute a: bt its base type, et
 * and ebt the element type and its base for an array, tt the type that
 * says what a value is (the element's for an array).
 */
#define TYPE_JOINS                                                                \
	"  LEFT JOIN dombase cd ON cd.oid = a.atttypid\n"                             \
	"  JOIN pg_catalog.pg_type bt ON bt.oid = COALESCE(cd.base, a.atttypid)\n"    \
	"  LEFT JOIN pg_catalog.pg_type et\n"                                         \
	"		 ON bt.typelem <> 0 AND bt.typlen = -1\n"                                  \
	"			AND bt.typinput = 'pg_catalog.array_in'::pg_catalog.regproc\n"            \
	"			AND et.oid = bt.typelem\n"                                                \
	"  LEFT JOIN dombase ed ON ed.oid = et.oid\n"                                 \
	"  LEFT JOIN pg_catalog.pg_type ebt ON ebt.oid = COALESCE(ed.base, et.oid)\n" \
	"  JOIN pg_catalog.pg_type tt ON tt.oid = COALESCE(ebt.oid, bt.oid)\n"

/*
 * The type's columns of a row, after the attribute's (COL_TYPNAME on, in
 * the enum below). typinput is the input function's name (what the type is,
 * whatever its schema); ext_schema the schema of the extension the type
 * belongs to, where that extension's functions are; comp_oid the
 * composite type whose fields the composite query reads.
 */
#define TYPE_SELECT                                                            \
	"	   bt.typname, bt.typtype, bt.typcategory,\n"                            \
	"	   COALESCE(NULLIF(a.atttypmod, -1), NULLIF(cd.typmod, -1),\n"           \
	"				NULLIF(ed.typmod, -1), -1) AS typmod,\n"                              \
	"	   et.oid IS NOT NULL AS is_array,\n"                                    \
	"	   ebt.typname AS elem_typname, ebt.typtype AS elem_typtype,\n"          \
	"	   ebt.typcategory AS elem_typcategory, ebt.typdelim AS elem_delim,\n"   \
	"	   (SELECT p.proname FROM pg_catalog.pg_proc p\n"                        \
	"		 WHERE p.oid = tt.typinput::pg_catalog.oid) AS typinput,\n"             \
	"	   (SELECT xn.nspname FROM pg_catalog.pg_depend dep\n"                   \
	"		  JOIN pg_catalog.pg_extension x ON x.oid = dep.refobjid\n"             \
	"		  JOIN pg_catalog.pg_namespace xn ON xn.oid = x.extnamespace\n"         \
	"		 WHERE dep.classid = 'pg_catalog.pg_type'::pg_catalog.regclass\n"       \
	"		   AND dep.objid = tt.oid AND dep.deptype = 'e'\n"                      \
	"		   AND dep.refclassid =\n"                                              \
	"			   'pg_catalog.pg_extension'::pg_catalog.regclass\n"                   \
	"		 LIMIT 1) AS ext_schema,\n"                                             \
	"	   CASE WHEN tt.typtype = 'c' THEN tt.oid END AS comp_oid\n"

/*
 * The catalog query. $1: the schemas to read (text[]; NULL: all but the
 * system schemas). $2, $3: parallel text[] of schema and table names to
 * restrict the result to (NULL: no restriction; the schema filter then
 * does not apply, the pairs are explicit). $4: whether the tables and
 * views that belong to an extension are read too (they always are when
 * named in $2, $3).
 *
 * dom resolves every domain to its final base type, domain over domain
 * included, keeping the innermost typmod that was set. A column's
 * effective typmod is its own, else its domain's, else (for an array of
 * a domain) the element domain's. An array is a type read by array_in,
 * which excludes int2vector and oidvector (space-separated, not arrays in
 * the text format). sql_datatype is SIO's: format_type without typmod,
 * except bit(n) for a bit column with n > 1.
 */
static const char discover_sql[] = DOMAIN_CTES
	"\n"
	"SELECT n.nspname, c.relname, c.relkind, c.reltuples::pg_catalog.int8,\n"
	"	   a.attname, a.attnum, a.attnotnull,\n"
	"	   EXISTS (SELECT 1 FROM pg_catalog.pg_index i\n"
	"				WHERE i.indrelid = c.oid AND i.indisprimary\n"
	"				  AND a.attnum = ANY (i.indkey)) AS is_pk,\n"
	"	   CASE WHEN a.atttypid = 'pg_catalog.bit'::pg_catalog.regtype\n"
	"				 AND a.atttypmod > 1\n"
	"			THEN 'bit(' || a.atttypmod || ')'\n"
	"			ELSE pg_catalog.format_type(a.atttypid, NULL)\n"
	"	   END AS sql_datatype,\n" TYPE_SELECT
	"  FROM pg_catalog.pg_attribute a\n"
	"  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid\n"
	"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n" TYPE_JOINS
	" WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')\n"
	"   AND (NOT c.relispartition OR $2::pg_catalog.text[] IS NOT NULL)\n"
	"   AND a.attnum > 0\n"
	"   AND NOT a.attisdropped\n"
	"   AND CASE WHEN $2::pg_catalog.text[] IS NOT NULL THEN true\n"
	"			WHEN $1::pg_catalog.text[] IS NULL\n"
	"			THEN n.nspname NOT IN ('pg_catalog', 'information_schema',\n"
	"								   'pg_toast')\n"
	"				 AND n.nspname NOT LIKE 'pg\\_temp\\_%'\n"
	"				 AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'\n"
	"			ELSE n.nspname = ANY ($1::pg_catalog.text[])\n"
	"	   END\n"
	"   AND ($2::pg_catalog.text[] IS NULL\n"
	"		OR (n.nspname::pg_catalog.text, c.relname::pg_catalog.text) IN\n"
	"		   (SELECT * FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.text[]),\n"
	"									 pg_catalog.unnest($3::pg_catalog.text[]))))\n"
	"   AND ($2::pg_catalog.text[] IS NOT NULL OR $4::pg_catalog.bool\n"
	"		OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep\n"
	"			WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass\n"
	"			  AND dep.objid = c.oid AND dep.deptype = 'e'\n"
	"			  AND dep.refclassid =\n"
	"				  'pg_catalog.pg_extension'::pg_catalog.regclass))\n"
	"   AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')\n"
	"   AND pg_catalog.has_column_privilege(c.oid, a.attnum, 'SELECT')\n"
	" ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\", a.attnum";

/*
 * The fields of every composite type that some column or field reads
 * (directly, through a domain, or as an array's element): the attributes
 * of composite types (relkind 'c') are columns too, so nested composites
 * are found without recursion. Run once per database, and only when
 * some column read is a composite.
 */
static const char composite_sql[] = DOMAIN_CTES
	",\n"
	"used AS (\n"
	"	SELECT DISTINCT tt.oid\n"
	"	  FROM pg_catalog.pg_attribute a\n"
	"	  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid\n" TYPE_JOINS
	"	 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')\n"
	"	   AND a.attnum > 0 AND NOT a.attisdropped AND tt.typtype = 'c'\n"
	")\n"
	"SELECT u.oid, a.attname,\n" TYPE_SELECT "  FROM used u\n"
	"  JOIN pg_catalog.pg_type ct ON ct.oid = u.oid\n"
	"  JOIN pg_catalog.pg_attribute a ON a.attrelid = ct.typrelid\n" TYPE_JOINS
	" WHERE a.attnum > 0 AND NOT a.attisdropped\n"
	" ORDER BY u.oid, a.attnum";

/* The result columns of discover_sql, in order. */
enum
{
	COL_NSPNAME,
	COL_RELNAME,
	COL_RELKIND,
	COL_RELTUPLES,
	COL_ATTNAME,
	COL_ATTNUM,
	COL_ATTNOTNULL,
	COL_IS_PK,
	COL_SQL_DATATYPE,
	COL_TYPNAME,
	COL_TYPTYPE,
	COL_TYPCATEGORY,
	COL_TYPMOD,
	COL_IS_ARRAY,
	COL_ELEM_TYPNAME,
	COL_ELEM_TYPTYPE,
	COL_ELEM_TYPCATEGORY,
	COL_ELEM_DELIM,
	COL_TYPINPUT,
	COL_EXT_SCHEMA,
	COL_COMP_OID,
	NCOLS
};

/* The columns of composite_sql: oid, name, then the type's as above. */
enum
{
	CCOL_OID,
	CCOL_ATTNAME,
	CCOL_TYPE, /* the first of the type's columns */
	NCCOLS = CCOL_TYPE + (NCOLS - COL_TYPNAME)
};

/* get_string: items[i] of an array of C strings */
static const char *
get_string(const void *items, size_t i)
{
	return ((const char *const *) items)[i];
}

/* get_ref_schema: the schema of TableRef items[i] */
static const char *
get_ref_schema(const void *items, size_t i)
{
	return ((const TableRef *) items)[i].schema;
}

/* get_ref_table: the table of TableRef items[i] */
static const char *
get_ref_table(const void *items, size_t i)
{
	return ((const TableRef *) items)[i].table;
}

/* value: a column of row r, or NULL when it is SQL NULL (borrowed) */
static const char *
value(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

/* first_char: the value of a "char" column, or '\0' when NULL or empty */
static char
first_char(const PGresult *res, int r, int c)
{
	const char *v = value(res, r, c);

	return v ? v[0] : '\0';
}

/* is_true: a boolean column of row r (false when NULL) */
static bool
is_true(const PGresult *res, int r, int c)
{
	const char *v = value(res, r, c);

	return v != NULL && v[0] == 't';
}

/* int_value: an integer column of row r (0 when NULL) */
static int
int_value(const PGresult *res, int r, int c)
{
	const char *v = value(res, r, c);

	return v ? (int) strtol(v, NULL, 10) : 0;
}

/* dup_or_null: an owned copy of the value, or NULL */
static char *
dup_or_null(const PGresult *res, int r, int c)
{
	const char *v = value(res, r, c);

	return v ? xstrdup(v) : NULL;
}

/*
 * read_type: copies the type's columns of row r, starting at column c0
 * (COL_TYPNAME's place), into t (strings owned by the caller of fini).
 */
static void
read_type(const PGresult *res, int r, int c0, PgType *t)
{
	const char *oid = value(res, r, c0 + (COL_COMP_OID - COL_TYPNAME));

	t->typname = dup_or_null(res, r, c0); /* COL_TYPNAME's place */
	t->typtype = first_char(res, r, c0 + (COL_TYPTYPE - COL_TYPNAME));
	t->typcategory = first_char(res, r, c0 + (COL_TYPCATEGORY - COL_TYPNAME));
	t->typmod = int_value(res, r, c0 + (COL_TYPMOD - COL_TYPNAME));
	t->is_array = is_true(res, r, c0 + (COL_IS_ARRAY - COL_TYPNAME));
	t->elem_typname =
		dup_or_null(res, r, c0 + (COL_ELEM_TYPNAME - COL_TYPNAME));
	t->elem_typtype = first_char(res, r, c0 + (COL_ELEM_TYPTYPE - COL_TYPNAME));
	t->elem_typcategory =
		first_char(res, r, c0 + (COL_ELEM_TYPCATEGORY - COL_TYPNAME));
	t->elem_delim = first_char(res, r, c0 + (COL_ELEM_DELIM - COL_TYPNAME));
	t->typinput = dup_or_null(res, r, c0 + (COL_TYPINPUT - COL_TYPNAME));
	t->ext_schema = dup_or_null(res, r, c0 + (COL_EXT_SCHEMA - COL_TYPNAME));
	t->comp_oid = oid ? (unsigned int) strtoul(oid, NULL, 10) : 0;
}

/* type_fini: frees the strings read_type copied */
static void
type_fini(PgType *t)
{
	free((char *) t->typname);
	free((char *) t->elem_typname);
	free((char *) t->typinput);
	free((char *) t->ext_schema);
}

/*
 * read_column: copies row r of res into col (all strings owned by col).
 */
static void
read_column(const PGresult *res, int r, DiscColumn *col)
{
	col->name = xstrdup(PQgetvalue(res, r, COL_ATTNAME));
	col->attnum = int_value(res, r, COL_ATTNUM);
	col->not_null = is_true(res, r, COL_ATTNOTNULL);
	col->is_pk = is_true(res, r, COL_IS_PK);
	col->sql_datatype = xstrdup(PQgetvalue(res, r, COL_SQL_DATATYPE));
	read_type(res, r, COL_TYPNAME, &col->type);
}

/*
 * read_composites: the rows of composite_sql (ordered by oid, attnum)
 * into out->comps, in oid order. Everything is copied.
 */
static void
read_composites(const PGresult *res, DiscResult *out)
{
	int nrows = PQntuples(res);
	PgComposite *c = NULL;

	/* one allocation: the columns keep pointers into it */
	out->comps = xcalloc(nrows ? (size_t) nrows : 1, sizeof *out->comps);
	for (int r = 0; r < nrows; r++)
	{
		unsigned int oid =
			(unsigned int) strtoul(PQgetvalue(res, r, CCOL_OID), NULL, 10);
		PgField *f;

		if (c == NULL || c->oid != oid)
		{
			int n = r;

			c = &out->comps[out->ncomps++];
			c->oid = oid;
			while (n < nrows &&
				   strtoul(PQgetvalue(res, n, CCOL_OID), NULL, 10) == oid)
				n++;
			c->fields = xcalloc((size_t) (n - r), sizeof *c->fields);
		}
		f = &c->fields[c->nfields++];
		f->name = xstrdup(PQgetvalue(res, r, CCOL_ATTNAME));
		read_type(res, r, CCOL_TYPE, &f->type);
	}
}

/* find_composite: the composite of r with that oid, or NULL */
static const PgComposite *
find_composite(const DiscResult *r, unsigned int oid)
{
	size_t lo = 0, hi = r->ncomps;

	while (oid != 0 && lo < hi)
	{
		size_t mid = lo + (hi - lo) / 2;

		if (r->comps[mid].oid == oid)
			return &r->comps[mid];
		if (r->comps[mid].oid < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * link_composites: points every column's and field's type at its
 * composite, then prepares the composites' field encoders.
 */
static void
link_composites(DiscResult *r, bool json_as_object)
{
	for (size_t i = 0; i < r->ntables; i++)
		for (size_t j = 0; j < r->tables[i].ncols; j++)
		{
			PgType *t = &r->tables[i].cols[j].type;

			t->comp = find_composite(r, t->comp_oid);
		}
	for (size_t i = 0; i < r->ncomps; i++)
		for (size_t j = 0; j < r->comps[i].nfields; j++)
		{
			PgType *t = &r->comps[i].fields[j].type;

			t->comp = find_composite(r, t->comp_oid);
		}
	for (size_t i = 0; i < r->ncomps; i++)
		typemap_composite_prepare(&r->comps[i], json_as_object);
}

/* reads_composite: some column of r is (or is an array of) a composite */
static bool
reads_composite(const DiscResult *r)
{
	for (size_t i = 0; i < r->ntables; i++)
		for (size_t j = 0; j < r->tables[i].ncols; j++)
			if (r->tables[i].cols[j].type.comp_oid != 0)
				return true;
	return false;
}

/*
 * discover_composites: when a column of out reads a composite type, runs
 * composite_sql and links the columns to the fields it gives.
 */
static TapStatus
discover_composites(PgSession *s, const TapConfig *cfg, const char *what,
					DiscResult *out)
{
	PGresult *res = NULL;
	TapStatus st;

	if (!reads_composite(out))
		return TAP_OK;
	st = conn_query(s, what, composite_sql, 0, NULL, &res);
	if (st != TAP_OK)
		return st;
	if (PQnfields(res) != NCCOLS)
	{
		log_critical("%s: the composite query returned %d columns, expected %d",
					 what, PQnfields(res), NCCOLS);
		PQclear(res);
		return TAP_ERR_INTERNAL;
	}
	read_composites(res, out);
	PQclear(res);
	link_composites(out, cfg->json_as_object);
	return TAP_OK;
}

/*
 * read_result: turns the rows of res (ordered by schema, table, attnum)
 * into out's tables. Everything is copied: res can be cleared afterwards.
 */
static void
read_result(const PGresult *res, DiscResult *out)
{
	int nrows = PQntuples(res);
	size_t cap = 0;
	size_t colcap = 0;
	DiscTable *t = NULL;

	for (int r = 0; r < nrows; r++)
	{
		const char *schema = PQgetvalue(res, r, COL_NSPNAME);
		const char *name = PQgetvalue(res, r, COL_RELNAME);

		if (t == NULL || strcmp(t->schema, schema) != 0 ||
			strcmp(t->name, name) != 0)
		{
			if (out->ntables == cap)
			{
				cap = cap ? cap * 2 : 64;
				out->tables = xrealloc(out->tables, cap * sizeof *out->tables);
			}
			t = &out->tables[out->ntables++];
			memset(t, 0, sizeof *t);
			t->schema = xstrdup(schema);
			t->name = xstrdup(name);
			t->relkind = first_char(res, r, COL_RELKIND);
			t->row_count = strtoll(PQgetvalue(res, r, COL_RELTUPLES), NULL, 10);
			colcap = 0;
		}
		if (t->ncols == colcap)
		{
			colcap = colcap ? colcap * 2 : 16;
			t->cols = xrealloc(t->cols, colcap * sizeof *t->cols);
		}
		memset(&t->cols[t->ncols], 0, sizeof t->cols[0]);
		read_column(res, r, &t->cols[t->ncols]);
		t->ncols++;
	}
}

/*
 * discover_tables: runs the catalog query once on s and fills *out
 * (owned; discover_result_fini). On failure the query's error has been
 * logged and *out is empty.
 */
TapStatus
discover_tables(PgSession *s, const TapConfig *cfg, const TableRef *only,
				size_t nonly, DiscResult *out)
{
	Buf schemas, ref_schemas, ref_tables;
	const char *params[4] = {NULL, NULL, NULL, NULL};
	char what[512];
	PGresult *res = NULL;
	TapStatus st;

	memset(out, 0, sizeof *out);
	if (only != NULL && nonly == 0)
		return TAP_OK;

	buf_init(&schemas, 64);
	buf_init(&ref_schemas, 64);
	buf_init(&ref_tables, 64);
	if (only != NULL)
	{
		query_text_array(&ref_schemas, only, nonly, get_ref_schema);
		query_text_array(&ref_tables, only, nonly, get_ref_table);
		params[1] = buf_cstr(&ref_schemas);
		params[2] = buf_cstr(&ref_tables);
	}
	else if (cfg->n_filter_schemas > 0)
	{
		query_text_array(&schemas, cfg->filter_schemas, cfg->n_filter_schemas,
						 get_string);
		params[0] = buf_cstr(&schemas);
	}

	params[3] = cfg->include_extension_tables ? "true" : "false";

	snprintf(what, sizeof what, "reading the catalog of database \"%s\"",
			 s->dbname ? s->dbname : "?");
	st = conn_query(s, what, discover_sql, 4, params, &res);
	if (st == TAP_OK)
	{
		if (PQnfields(res) != NCOLS)
		{
			log_critical("%s: the query returned %d columns, expected %d", what,
						 PQnfields(res), NCOLS);
			st = TAP_ERR_INTERNAL;
		}
		else
			read_result(res, out);
		PQclear(res);
	}
	if (st == TAP_OK)
		st = discover_composites(s, cfg, what, out);
	if (st != TAP_OK)
		discover_result_fini(out);
	buf_fini(&schemas);
	buf_fini(&ref_schemas);
	buf_fini(&ref_tables);
	return st;
}

/*
 * discover_result_fini: frees everything r owns; r may be zeroed.
 */
void
discover_result_fini(DiscResult *r)
{
	for (size_t i = 0; i < r->ntables; i++)
	{
		DiscTable *t = &r->tables[i];

		for (size_t j = 0; j < t->ncols; j++)
		{
			DiscColumn *c = &t->cols[j];

			free(c->name);
			free(c->sql_datatype);
			type_fini(&c->type);
		}
		free(t->cols);
		free(t->schema);
		free(t->name);
	}
	free(r->tables);
	for (size_t i = 0; i < r->ncomps; i++)
	{
		PgComposite *c = &r->comps[i];

		for (size_t j = 0; j < c->nfields; j++)
		{
			free((char *) c->fields[j].name);
			type_fini(&c->fields[j].type);
		}
		free(c->fields);
		typemap_composite_fini(c);
	}
	free(r->comps);
	memset(r, 0, sizeof *r);
}
