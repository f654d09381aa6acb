/*
 * config.h: the tap's configuration (README, "Configuration").
 *
 * config_load reads a JSON or YAML file and validates every key. All
 * strings in TapConfig are owned by it and freed by config_fini. The
 * password (and the password inside database_url) is registered with
 * log_add_secret as soon as it is read. database_url (or $DATABASE_URL)
 * is read with libpq's PQconninfoParse here, once: a URL libpq cannot
 * read is bad input (TAP_ERR_INPUT) naming the key or the variable.
 */
#ifndef TAP_CONFIG_H
#define TAP_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tap/status.h"

typedef struct TapConfig
{
	char *host;         /* owned, or NULL */
	char *port;         /* owned, or NULL (libpq's default 5432) */
	char *user;         /* owned, or NULL */
	char *password;     /* owned, or NULL */
	char *dbname;       /* owned, or NULL */
	char *database_url; /* owned: the database_url key, else $DATABASE_URL
						   when neither host nor database_url is set */
	char *sslmode;      /* owned: never NULL after config_load: the key,
						   else from "ssl", else database_url's sslmode
						   parameter, else "require" */
	char *sslrootcert;  /* owned, or NULL */
	char *sslcert;      /* owned, or NULL */
	char *sslkey;       /* owned, or NULL */
	char **filter_dbs;  /* owned array of owned strings */
	size_t n_filter_dbs;
	char **filter_schemas; /* owned array of owned strings */
	size_t n_filter_schemas;
	bool include_schemas_in_destination_stream_name;
	char *default_replication_method; /* owned: "FULL_TABLE" by default */
	int itersize;                     /* rows per round trip hint */
	char *application_name;           /* owned: "tap-postgres" by default */
	int connect_timeout;              /* seconds, 30 by default */
	bool json_as_object;
	bool include_extension_tables; /* discover extensions' tables */
	char *tap_id;                  /* owned, or NULL */
	json_t *select;   /* owned: the "select" rules (select.h), or NULL */
	json_t *metadata; /* owned: the "metadata" rules, or NULL */
	int parallel_connections;   /* 1 by default: one connection per database */
	bool parallel_large_tables; /* split tables beyond a quarter of
								   shared_buffers over connections too */
} TapConfig;

/* One documented key, for validation and for --about. */
typedef struct ConfigKeyInfo
{
	const char *name;
	const char *type;         /* JSON Schema type, e.g. "string", "integer" */
	const char *default_text; /* NULL when there is no default */
	const char *description;
	bool secret;                /* never printed */
	const char *const *choices; /* NULL-terminated allowed values, or NULL */
} ConfigKeyInfo;

extern const ConfigKeyInfo config_keys[];
extern const size_t config_nkeys;

/* config_load: path -> *out. On error logs once, names the key, returns
 * TAP_ERR_INPUT; *out is then zeroed and needs no config_fini. */
TapStatus config_load(const char *path, TapConfig *out);

/* config_from_json: the same from an already parsed document; name is the
 * file name used in messages. doc is borrowed. */
TapStatus config_from_json(const json_t *doc, const char *name, TapConfig *out);

void config_fini(TapConfig *cfg);

#endif
