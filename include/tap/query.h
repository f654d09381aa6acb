/*
 * query.h: the SQL that sync sends, in one place.
 *
 * Typed verbs over conn: no PGresult leaves this module. Names of
 * schemas, tables and columns go as parameters where the statement allows
 * it, and are quoted identifiers where it does not (COPY takes no
 * parameters).
 */
#ifndef TAP_QUERY_H
#define TAP_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "tap/buf.h"
#include "tap/conn.h"
#include "tap/plan.h"
#include "tap/scan.h"
#include "tap/status.h"

/* What pg_class says about a name, whatever the user may read. */
typedef struct RelProbe
{
	bool exists;        /* a relation of that name is in that schema */
	char relkind;       /* its pg_class.relkind */
	bool column_exists; /* when a column was asked for */
} RelProbe;

/* query_probe: looks schema.table (and column, or NULL) up in pg_class and
 * pg_attribute, which every user may read */
TapStatus query_probe(PgSession *s, const char *schema, const char *table,
					  const char *column, RelProbe *out);

/*
 * query_snapshot_extent: inside the stream's snapshot, its xmin (the
 * oldest transaction it may not see, as a 32-bit xid) and the number of
 * blocks of the table. *found is false when the table is gone.
 */
TapStatus query_snapshot_extent(PgSession *s, const char *schema,
								const char *table, int64_t *xmin,
								int64_t *nblocks, bool *found);

/*
 * query_copy_head: sql becomes "COPY (SELECT <columns> FROM <table>", the
 * columns in record order, then ctid when with_ctid (a one-pass scan
 * tracks its position by it); the caller adds the rest
 */
void query_copy_head(Buf *sql, const StreamPlan *p, bool with_ctid);

/* query_copy_tail: ") TO STDOUT" */
void query_copy_tail(Buf *sql);

/*
 * query_text_array: appends the text[] literal {"a","b"} of n strings,
 * items read through get(items, i), quoted so that any character is safe
 */
void query_text_array(Buf *out, const void *items, size_t n,
					  const char *(*get)(const void *items, size_t i));

/*
 * query_export_snapshot: in a transaction just begun (conn_begin_snapshot),
 * exports its snapshot for other sessions: *id (owned) and the snapshot's
 * xmin as a 32-bit xid.
 */
TapStatus query_export_snapshot(PgSession *s, char **id, int64_t *xmin);

/* query_import_snapshot: begins a REPEATABLE READ, READ ONLY transaction
 * in the snapshot another session exported */
TapStatus query_import_snapshot(PgSession *s, const char *id);

/*
 * query_extents: for each of the n plans (all on s's database), the facts
 * a scan needs (with the table's blocks), as of now; one statement for all
 * (sync asks at planning). A table gone meanwhile gets plan_facts_default.
 */
TapStatus query_extents(PgSession *s, StreamPlan *const *plans, size_t n,
						ScanFacts *facts);

/* A snapshot's transaction horizon, epoch-aware (64-bit, never wraps). */
typedef struct XidExtent
{
	int64_t xmin;    /* the oldest transaction still running, or xmax */
	int64_t xmax;    /* the next transaction ID to be assigned */
	int64_t nblocks; /* the table's size in blocks */
} XidExtent;

/*
 * query_xid_extent: the 64-bit xmin and xmax of the current snapshot and
 * the table's size. As the first statement of a REPEATABLE READ
 * transaction it takes the snapshot; outside one it reads the server's
 * counter now. *found is false when the table is gone.
 */
TapStatus query_xid_extent(PgSession *s, const char *schema, const char *table,
						   XidExtent *out, bool *found);

/* query_column_readable: whether the user may read the column (a system
 * column such as xmin too); a table gone meanwhile counts as readable */
TapStatus query_column_readable(PgSession *s, const char *schema,
								const char *table, const char *column,
								bool *out);

/* query_rows_read: rows the current transaction has read from the table
 * and its partitions (the server's own statistics counter) */
TapStatus query_rows_read(PgSession *s, const char *schema, const char *table,
						  int64_t *out);

#endif
