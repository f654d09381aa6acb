/*
 * catalog.h: an input catalog (--catalog / --properties) -> the streams to
 * sync, with their columns and replication settings (README, "Sync").
 *
 * Selection follows SIO: a stream is synced when its root metadata has
 * "selected": true; a column is emitted when it is "automatic", or when
 * it is not "unsupported" and its "selected" is not false. Replication
 * settings are read from root metadata (replication-method,
 * replication-key, view-key-properties), then from the underscore
 * spellings and the legacy top-level keys, then from the config's
 * default_replication_method.
 */
#ifndef TAP_CATALOG_H
#define TAP_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tap/config.h"
#include "tap/method.h"
#include "tap/status.h"

typedef struct StreamColumn
{
	char *name; /* owned */
	bool emit;  /* selected (or automatic) and supported */
	bool automatic;
	bool unsupported;
	char *sql_datatype; /* owned, or NULL: the catalog's sql-datatype */
} StreamColumn;

typedef struct StreamSpec
{
	char *tap_stream_id; /* owned */
	char *stream;        /* owned: the name in messages */
	char *table_name;    /* owned */
	char *schema_name;   /* owned */
	char *database_name; /* owned, or NULL: the configured database */
	bool is_view;
	ReplMethod method;
	char *replication_key;  /* owned, or NULL */
	json_t *key_properties; /* owned: array of column names */
	json_t *schema;         /* owned reference: the catalog's schema */
	StreamColumn *cols;     /* owned: in the schema's property order */
	size_t ncols;
} StreamSpec;

typedef struct Catalog
{
	StreamSpec *streams; /* owned: the selected streams only */
	size_t n;
} Catalog;

/*
 * catalog_load: reads and validates the catalog at path. Errors name the
 * file and the stream (and key or column) and return TAP_ERR_INPUT.
 */
TapStatus catalog_load(const char *path, const TapConfig *cfg, Catalog *out);

/* catalog_from_json: the same on a parsed document (borrowed) */
TapStatus catalog_from_json(const json_t *doc, const char *path,
							const TapConfig *cfg, Catalog *out);

void catalog_fini(Catalog *c);

#endif
