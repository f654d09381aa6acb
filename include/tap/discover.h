/*
 * discover.h: reading the server's catalog (README's "Discovery"); the
 * Singer catalog built from it is discover_catalog.h's.
 *
 * discover_tables runs one catalog query per database, whatever the
 * number of tables, ordered by schema, table, column position. It is used
 * by --discover and, restricted to the selected tables, by sync (to check
 * the input catalog against the live database and learn column types).
 */
#ifndef TAP_DISCOVER_H
#define TAP_DISCOVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tap/config.h"
#include "tap/conn.h"
#include "tap/status.h"
#include "tap/typemap.h"

typedef struct DiscColumn
{
	char *name; /* owned */
	int attnum;
	bool not_null;
	bool is_pk;
	char *sql_datatype; /* owned: SIO's sql-datatype text */
	PgType type;        /* strings owned by this column */
} DiscColumn;

typedef struct DiscTable
{
	char *schema;      /* owned */
	char *name;        /* owned */
	char relkind;      /* r p v m f */
	int64_t row_count; /* reltuples, -1 when unknown */
	DiscColumn *cols;  /* owned, ordered by attnum; readable columns only */
	size_t ncols;
} DiscTable;

typedef struct DiscResult
{
	DiscTable *tables; /* owned, ordered by schema, table */
	size_t ntables;
	/* owned: the composite types the columns read, by oid; the columns'
	   PgType.comp and their encoders point here */
	PgComposite *comps;
	size_t ncomps;
} DiscResult;

/* A (schema, table) pair to restrict discover_tables to. */
typedef struct TableRef
{
	const char *schema;
	const char *table;
} TableRef;

/*
 * discover_tables: the tables, views, materialized views, partitioned
 * parents and foreign tables of the connected database that the user may
 * read. When only is non-NULL, just those tables, partitions included (a
 * catalog may name one); a missing one is simply absent from the result.
 * Schemas come from cfg->filter_schemas, or all but the system schemas.
 */
TapStatus discover_tables(PgSession *s, const TapConfig *cfg,
						  const TableRef *only, size_t nonly, DiscResult *out);
void discover_result_fini(DiscResult *r);

#endif
