/*
 * query.c: the statements sync sends, and the reading of their results.
 */
#include "tap/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/mem.h"

/*
 * query_row: runs sql with the given text parameters and hands its single
 * row to the caller through *res (NULL when there is no row); the caller
 * clears it. Returns the query's status.
 */
static TapStatus
query_row(PgSession *s, const char *what, const char *sql, int nparams,
		  const char *const *params, PGresult **res)
{
	TapStatus st = conn_query(s, what, sql, nparams, params, res);

	if (st == TAP_OK && PQntuples(*res) != 1)
	{
		PQclear(*res);
		*res = NULL;
	}
	return st;
}

static bool
is_true(const PGresult *res, int row, int col)
{
	return strcmp(PQgetvalue(res, row, col), "t") == 0;
}

TapStatus
query_probe(PgSession *s, const char *schema, const char *table,
			const char *column, RelProbe *out)
{
	const char *params[3] = {schema, table, column};
	PGresult *res;
	TapStatus st =
		query_row(s, "checking whether a table exists",
				  "SELECT c.relkind, $3::text IS NOT NULL AND EXISTS (SELECT 1 "
				  "FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid "
				  "AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped) "
				  "FROM pg_catalog.pg_class c "
				  "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
				  "WHERE n.nspname = $1 AND c.relname = $2",
				  3, params, &res);

	memset(out, 0, sizeof *out);
	if (st != TAP_OK || res == NULL)
		return st;
	out->exists = true;
	out->relkind = PQgetvalue(res, 0, 0)[0];
	out->column_exists = is_true(res, 0, 1);
	PQclear(res);
	return TAP_OK;
}

/* The scan facts after ctid_readable, and how a row of them is read
 * (read_facts): the access method, the table's
 * blocks, a quarter of shared_buffers (pg_settings counts it in blocks;
 * the server's own threshold for a ring, NBuffers / 4) and whether a
 * statement_timeout is set. */
#define FACTS_COLUMNS                                                          \
	"COALESCE(am.amname, ''), pg_catalog.pg_relation_size(c.oid) / "           \
	"pg_catalog.current_setting('block_size')::int8, "                         \
	"(SELECT setting::int8 FROM pg_catalog.pg_settings "                       \
	"WHERE name = 'shared_buffers') / 4, "                                     \
	"pg_catalog.current_setting('statement_timeout') <> '0' "

static void
read_facts(PGresult *res, int row, int col, ScanFacts *f)
{
	f->ctid_readable = is_true(res, row, col);
	snprintf(f->amname, sizeof f->amname, "%s", PQgetvalue(res, row, col + 1));
	f->nblocks = strtoll(PQgetvalue(res, row, col + 2), NULL, 10);
	f->ring_blocks = strtoll(PQgetvalue(res, row, col + 3), NULL, 10);
	f->statement_timeout = is_true(res, row, col + 4);
}

TapStatus
query_snapshot_extent(PgSession *s, const char *schema, const char *table,
					  int64_t *xmin, int64_t *nblocks, bool *found)
{
	const char *params[2] = {schema, table};
	PGresult *res;
	/* the first statement of the transaction: the snapshot is taken here */
	TapStatus st = query_row(
		s, "reading the snapshot horizon",
		"SELECT txid_snapshot_xmin(txid_current_snapshot()) % 4294967296, "
		"pg_catalog.pg_relation_size(c.oid) / "
		"pg_catalog.current_setting('block_size')::int8 "
		"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
		"ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
		2, params, &res);

	*found = false;
	if (st != TAP_OK || res == NULL)
		return st;
	*found = true;
	*xmin = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*nblocks = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return TAP_OK;
}

void
query_copy_head(Buf *sql, const StreamPlan *p, bool with_ctid)
{
	buf_reset(sql);
	buf_append_str(sql, "COPY (SELECT ");
	for (size_t i = 0; i < p->ncols; i++)
	{
		if (i > 0)
			buf_putc(sql, ',');
		typemap_select_expr(sql, &p->cols[i].enc, p->cols[i].name);
	}
	if (with_ctid)
		buf_append_str(sql, ",ctid");
	buf_append_str(sql, " FROM ");
	conn_quote_ident(sql, p->spec->schema_name);
	buf_putc(sql, '.');
	conn_quote_ident(sql, p->spec->table_name);
}

void
query_copy_tail(Buf *sql)
{
	buf_append_str(sql, ") TO STDOUT");
}

void
query_text_array(Buf *out, const void *items, size_t n,
				 const char *(*get)(const void *items, size_t i))
{
	buf_putc(out, '{');
	for (size_t i = 0; i < n; i++)
	{
		if (i > 0)
			buf_putc(out, ',');
		buf_putc(out, '"');
		for (const char *p = get(items, i); *p; p++)
		{
			if (*p == '"' || *p == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *p);
		}
		buf_putc(out, '"');
	}
	buf_putc(out, '}');
}

TapStatus
query_export_snapshot(PgSession *s, char **id, int64_t *xmin)
{
	PGresult *res;
	TapStatus st =
		query_row(s, "exporting the snapshot",
				  "SELECT pg_catalog.pg_export_snapshot(), "
				  "txid_snapshot_xmin(txid_current_snapshot()) % 4294967296",
				  0, NULL, &res);

	*id = NULL;
	if (st != TAP_OK)
		return st;
	if (res == NULL)
		return TAP_ERR_QUERY;
	*id = xstrdup(PQgetvalue(res, 0, 0));
	*xmin = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return TAP_OK;
}

TapStatus
query_import_snapshot(PgSession *s, const char *id)
{
	Buf sql;
	TapStatus st = conn_begin_snapshot(s);

	if (st != TAP_OK)
		return st;
	/* SET takes no parameters: the id is a quoted literal */
	buf_init(&sql, 64);
	buf_append_str(&sql, "SET TRANSACTION SNAPSHOT ");
	conn_quote_literal(&sql, id);
	st = conn_exec(s, buf_cstr(&sql));
	buf_fini(&sql);
	return st;
}

static const char *
plan_schema(const void *items, size_t i)
{
	return ((StreamPlan *const *) items)[i]->spec->schema_name;
}

static const char *
plan_table(const void *items, size_t i)
{
	return ((StreamPlan *const *) items)[i]->spec->table_name;
}

TapStatus
query_extents(PgSession *s, StreamPlan *const *plans, size_t n,
			  ScanFacts *facts)
{
	Buf schemas, tables;
	const char *params[2];
	PGresult *res;
	TapStatus st;

	for (size_t i = 0; i < n; i++)
		plan_facts_default(&facts[i]);
	buf_init(&schemas, 256);
	buf_init(&tables, 256);
	query_text_array(&schemas, plans, n, plan_schema);
	query_text_array(&tables, plans, n, plan_table);
	params[0] = buf_cstr(&schemas);
	params[1] = buf_cstr(&tables);
	st = conn_query(
		s, "reading the tables' sizes",
		"SELECT r.i - 1, c.relkind <> 'r' OR "
		"(pg_catalog.has_column_privilege(c.oid, 'ctid', 'SELECT') "
		"AND pg_catalog.has_column_privilege(c.oid, 'xmin', 'SELECT')), " FACTS_COLUMNS
		"FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
		"pg_catalog.unnest($2::pg_catalog.text[])) WITH ORDINALITY "
		"AS r(s, t, i) "
		"JOIN pg_catalog.pg_namespace n ON n.nspname = r.s "
		"JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid "
		"AND c.relname = r.t "
		"LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam",
		2, params, &res);
	buf_fini(&schemas);
	buf_fini(&tables);
	if (st != TAP_OK)
		return st;
	for (int r = 0; r < PQntuples(res); r++)
	{
		size_t i = (size_t) strtoull(PQgetvalue(res, r, 0), NULL, 10);

		if (i < n)
			read_facts(res, r, 1, &facts[i]);
	}
	PQclear(res);
	return TAP_OK;
}

TapStatus
query_xid_extent(PgSession *s, const char *schema, const char *table,
				 XidExtent *out, bool *found)
{
	const char *params[2] = {schema, table};
	PGresult *res;
	/* pg_current_snapshot() since PostgreSQL 13; txid_current_snapshot()
	 * before (the same 64-bit values) */
	const char *sql =
		s->server_version >= 130000
			? "SELECT pg_catalog.pg_snapshot_xmin(x)::text::int8, "
			  "pg_catalog.pg_snapshot_xmax(x)::text::int8, "
			  "pg_catalog.pg_relation_size(c.oid) / "
			  "pg_catalog.current_setting('block_size')::int8 "
			  "FROM pg_catalog.pg_current_snapshot() x, pg_catalog.pg_class c "
			  "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
			  "WHERE n.nspname = $1 AND c.relname = $2"
			: "SELECT pg_catalog.txid_snapshot_xmin(x), "
			  "pg_catalog.txid_snapshot_xmax(x), "
			  "pg_catalog.pg_relation_size(c.oid) / "
			  "pg_catalog.current_setting('block_size')::int8 "
			  "FROM pg_catalog.txid_current_snapshot() x, pg_catalog.pg_class c "
			  "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
			  "WHERE n.nspname = $1 AND c.relname = $2";
	TapStatus st =
		query_row(s, "reading the transaction horizon", sql, 2, params, &res);

	*found = false;
	if (st != TAP_OK || res == NULL)
		return st;
	*found = true;
	out->xmin = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	out->xmax = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	out->nblocks = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	PQclear(res);
	return TAP_OK;
}

TapStatus
query_column_readable(PgSession *s, const char *schema, const char *table,
					  const char *column, bool *out)
{
	const char *params[3] = {schema, table, column};
	PGresult *res;
	TapStatus st =
		query_row(s, "checking the SELECT privilege on a column",
				  "SELECT pg_catalog.has_column_privilege(c.oid, $3, 'SELECT') "
				  "FROM pg_catalog.pg_class c "
				  "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
				  "WHERE n.nspname = $1 AND c.relname = $2",
				  3, params, &res);

	*out = true;
	if (st != TAP_OK || res == NULL)
		return st;
	*out = is_true(res, 0, 0);
	PQclear(res);
	return TAP_OK;
}

TapStatus
query_rows_read(PgSession *s, const char *schema, const char *table,
				int64_t *out)
{
	const char *params[2] = {schema, table};
	PGresult *res;
	/* a partitioned table's rows are counted in its partitions
	 * (pg_partition_tree since PostgreSQL 12) */
	const char *sql =
		s->server_version >= 120000
			? "SELECT COALESCE(sum(pg_catalog.pg_stat_get_xact_tuples_"
			  "returned(x.oid)), 0)::int8 FROM pg_catalog.pg_class c "
			  "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
			  "CROSS JOIN LATERAL (SELECT c.oid UNION SELECT relid "
			  "FROM pg_catalog.pg_partition_tree(c.oid)) x(oid) "
			  "WHERE n.nspname = $1 AND c.relname = $2"
			: "SELECT pg_catalog.pg_stat_get_xact_tuples_returned(c.oid) "
			  "FROM pg_catalog.pg_class c "
			  "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
			  "WHERE n.nspname = $1 AND c.relname = $2";
	TapStatus st =
		query_row(s, "reading the rows scanned", sql, 2, params, &res);

	*out = 0;
	if (st != TAP_OK || res == NULL)
		return st;
	*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return TAP_OK;
}
