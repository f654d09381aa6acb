/*
 * config_keys.c: the table of config keys. CONFIG_KEYS names every key
 * with its JSON type, default, description and how it is read; it
 * expands into the public config_keys[] (--about, the man page) and the
 * private config_key_specs[] that drives validation in config.c. Also
 * the lookups by name: a key's index, and the hint for an unknown key.
 */
#include "tap/config_keys.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tap/config.h"

const char *const config_sslmode_choices[] = {
	"disable", "allow", "prefer", "require", "verify-ca", "verify-full", NULL,
};

static const char *const method_choices[] = {
	"FULL_TABLE", "INCREMENTAL", "XMIN", "LOG_BASED", NULL,
};

#define FIELD(f) offsetof(TapConfig, f)

/* Unknown keys: names compared for a "did you mean" hint are at most
 * this long, and a hint is at most this many edits away */
#define HINT_NAME_MAX     63
#define HINT_MAX_DISTANCE 2

/*
 * X(name, type, default, kind, field offset, count offset, choices,
 *   description)
 */
#define CONFIG_KEYS(X)                                                         \
	X("host", "string", NULL, KIND_STRING, FIELD(host), 0, NULL,               \
	  "Server host name or IP address, or a Unix-domain socket directory")     \
	X("port", "integer", "5432", KIND_PORT, FIELD(port), 0, NULL,              \
	  "Server port (an integer, or a string of digits)")                       \
	X("user", "string", NULL, KIND_STRING, FIELD(user), 0, NULL,               \
	  "User name to connect as")                                               \
	X("password", "string", NULL, KIND_SECRET, FIELD(password), 0, NULL,       \
	  "Password (never logged)")                                               \
	X("dbname", "string", NULL, KIND_STRING, FIELD(dbname), 0, NULL,           \
	  "Database to connect to; discovery covers only this database "           \
	  "unless filter_dbs is set")                                              \
	X("database_url", "string", NULL, KIND_URL, FIELD(database_url), 0, NULL,  \
	  "A postgres:// or postgresql:// URI, as Heroku's DATABASE_URL; "         \
	  "host, port, user, password and dbname override its parts. Without "     \
	  "host and database_url, the DATABASE_URL environment variable is "       \
	  "used")                                                                  \
	X("sslmode", "string", "require", KIND_ENUM, FIELD(sslmode), 0,            \
	  config_sslmode_choices,                                                  \
	  "libpq SSL mode: disable, allow, prefer, require, verify-ca or "         \
	  "verify-full")                                                           \
	X("ssl", "boolean", NULL, KIND_SSL, 0, 0, NULL,                            \
	  "singer-io/tap-postgres switch: true (or \"true\") means sslmode "       \
	  "require, false means prefer; sslmode wins when both are set")           \
	X("sslrootcert", "string", NULL, KIND_PATH, FIELD(sslrootcert), 0, NULL,   \
	  "File of trusted CA certificates, for verify-ca and verify-full "        \
	  "(or \"system\", libpq 16 and later)")                                   \
	X("sslcert", "string", NULL, KIND_PATH, FIELD(sslcert), 0, NULL,           \
	  "Client certificate file")                                               \
	X("sslkey", "string", NULL, KIND_PATH, FIELD(sslkey), 0, NULL,             \
	  "Client private key file")                                               \
	X("filter_dbs", "array", NULL, KIND_LIST, FIELD(filter_dbs),               \
	  FIELD(n_filter_dbs), NULL,                                               \
	  "Databases to discover, as a list or a comma-separated string "          \
	  "(default: dbname only)")                                                \
	X("filter_schemas", "array", NULL, KIND_LIST, FIELD(filter_schemas),       \
	  FIELD(n_filter_schemas), NULL,                                           \
	  "Schemas to discover, as a list or a comma-separated string "            \
	  "(default: all but the system schemas)")                                 \
	X("include_schemas_in_destination_stream_name", "boolean", "false",        \
	  KIND_BOOL, FIELD(include_schemas_in_destination_stream_name), 0, NULL,   \
	  "Name each stream <schema>__<table>, so equal table names in two "       \
	  "schemas do not collide (true or \"true\")")                             \
	X("default_replication_method", "string", "FULL_TABLE", KIND_ENUM,         \
	  FIELD(default_replication_method), 0, method_choices,                    \
	  "Replication method of a selected stream whose metadata names none "     \
	  "(LOG_BASED is accepted here but not supported by sync)")                \
	X("itersize", "integer", "20000", KIND_POSINT, FIELD(itersize), 0, NULL,   \
	  "Accepted for singer-io/tap-postgres configs; rows stream "              \
	  "through COPY, so there is no fetch size to set")                        \
	X("application_name", "string", "tap-postgres", KIND_STRING,               \
	  FIELD(application_name), 0, NULL, "Name shown in pg_stat_activity")      \
	X("connect_timeout", "integer", "30", KIND_POSINT, FIELD(connect_timeout), \
	  0, NULL, "Seconds to wait for the connection to be established")         \
	X("json_as_object", "boolean", "false", KIND_BOOL, FIELD(json_as_object),  \
	  0, NULL,                                                                 \
	  "Emit json and jsonb columns as JSON values instead of strings")         \
	X("include_extension_tables", "boolean", "false", KIND_BOOL,               \
	  FIELD(include_extension_tables), 0, NULL,                                \
	  "Discover the tables and views that belong to an extension "             \
	  "(PostGIS's spatial_ref_sys, ...), which are left out by default")       \
	X("tap_id", "string", NULL, KIND_STRING, FIELD(tap_id), 0, NULL,           \
	  "Accepted for orchestrators that pass it; not used")                     \
	X("select", "array", NULL, KIND_RULES, FIELD(select), 0, NULL,             \
	  "Meltano's select rules: <tap_stream_id glob>.<column glob> patterns, "  \
	  "! in front to exclude; [\"*.*\"] selects everything. --discover "       \
	  "marks what they select; without --catalog a run discovers and syncs "   \
	  "it; with --catalog the catalog's own choices win")                      \
	X("metadata", "object", NULL, KIND_RULES, FIELD(metadata), 0, NULL,        \
	  "Meltano's metadata rules: a map from a stream glob (or "                \
	  "<stream glob>.<column glob>) to metadata keys to set, e.g. "            \
	  "{\"*-public-orders\": {\"replication-method\": \"INCREMENTAL\", "       \
	  "\"replication-key\": \"updated_at\"}}")                                 \
	X("parallel_connections", "integer", "1", KIND_POSINT,                     \
	  FIELD(parallel_connections), 0, NULL,                                    \
	  "Connections a run may open to one database. Above 1, every stream "     \
	  "is read in one shared snapshot, a table's block ranges over "           \
	  "several connections at once (up to a quarter of shared_buffers; a "     \
	  "larger table is one pass on one connection) and small tables side by "  \
	  "side")                                                                  \
	X("parallel_large_tables", "boolean", "false", KIND_BOOL,                  \
	  FIELD(parallel_large_tables), 0, NULL,                                   \
	  "With parallel_connections above 1, also read a table larger than a "    \
	  "quarter of shared_buffers in block ranges over several connections: "   \
	  "faster where the server has cores to spare, but every block read "      \
	  "then goes through the server's shared cache and evicts what the "       \
	  "application's queries had there")

#define KEY_INFO(name, type, def, kind, off, coff, choices, desc)              \
	{name,   type, def, desc, (kind) == KIND_SECRET || (kind) == KIND_URL,     \
	 choices},
#define KEY_SPEC(name, type, def, kind, off, coff, choices, desc)              \
	{kind, off, coff},

const ConfigKeyInfo config_keys[] = {CONFIG_KEYS(KEY_INFO)};
const size_t config_nkeys = sizeof config_keys / sizeof config_keys[0];

const KeySpec config_key_specs[] = {CONFIG_KEYS(KEY_SPEC)};

_Static_assert(sizeof config_key_specs / sizeof config_key_specs[0] ==
				   sizeof config_keys / sizeof config_keys[0],
			   "one KeySpec per ConfigKeyInfo");

/* Keys of other taps, and the key of this tap that a user likely meant. */
static const struct
{
	const char *other;
	const char *ours;
} key_hints[] = {
	{"database", "dbname"},
	{"db", "dbname"},
	{"username", "user"},
	{"sqlalchemy_url", "database_url"},
	{"ssl_mode", "sslmode"},
	{"ssl_enable", "sslmode"},
	{"ssl_certificate_authority", "sslrootcert"},
	{"ssl_client_certificate", "sslcert"},
	{"ssl_client_private_key", "sslkey"},
};

/*
 * edit_distance: the Levenshtein distance between a and b, or a large
 * number when either is longer than HINT_NAME_MAX bytes.
 */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a);
	size_t lb = strlen(b);
	size_t row[HINT_NAME_MAX + 1];

	if (la > HINT_NAME_MAX || lb > HINT_NAME_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++)
	{
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++)
		{
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/*
 * config_key_hint: the key of this tap that the unknown key most likely meant:
 * the name another tap uses for it, or a near misspelling. NULL if none.
 */
const char *
config_key_hint(const char *key)
{
	for (size_t i = 0; i < sizeof key_hints / sizeof key_hints[0]; i++)
		if (strcmp(key, key_hints[i].other) == 0)
			return key_hints[i].ours;
	for (size_t i = 0; i < config_nkeys; i++)
		if (edit_distance(key, config_keys[i].name) <= HINT_MAX_DISTANCE)
			return config_keys[i].name;
	return NULL;
}

/*
 * config_find_key: the index of name in config_keys, or -1.
 */
int
config_find_key(const char *name)
{
	for (size_t i = 0; i < config_nkeys; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return (int) i;
	return -1;
}
