/*
 * config.c: the config file (README, "Configuration") -> TapConfig.
 *
 * One list, CONFIG_KEYS below, names every key with its JSON type,
 * default, description and how it is read. It expands into the public
 * config_keys[] table (used by --about) and into the private table that
 * drives validation, so the two cannot drift apart.
 *
 * A null value, or an empty string, means the key is absent. A value of
 * the wrong type is an error naming the key and what was expected; the
 * value itself is quoted only for keys that are not secret.
 */
#include "tap/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap/buf.h"
#include "tap/docload.h"
#include "tap/log.h"
#include "tap/mem.h"
#include "tap/pgurl.h"
#include "tap/select.h"

/* How a key's value is read and where it goes. */
typedef enum KeyKind
{
	KIND_STRING, /* a string */
	KIND_SECRET, /* a string never printed, registered with the log */
	KIND_URL,    /* a postgres:// URI, secret */
	KIND_PATH,   /* a string naming a readable file */
	KIND_PORT,   /* 1..65535, integer or digits, stored as a string */
	KIND_POSINT, /* 1..INT_MAX, integer or digits */
	KIND_BOOL,   /* true/false or "true"/"false" */
	KIND_SSL,    /* like KIND_BOOL, but sets sslmode */
	KIND_ENUM,   /* one of choices, case-insensitive, stored canonical */
	KIND_LIST,   /* a list of strings or a comma-separated string */
	KIND_RULES,  /* select or metadata rules (select.h), kept as JSON */
} KeyKind;

/* The private half of a key's entry. */
typedef struct KeySpec
{
	KeyKind kind;
	size_t offset;       /* of the field in TapConfig */
	size_t count_offset; /* KIND_LIST: of the item count */
} KeySpec;

static const char *const sslmode_choices[] = {
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
	  sslmode_choices,                                                         \
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
	  "is read in one shared snapshot, a large table's block ranges over "     \
	  "several connections at once and small tables side by side")

#define KEY_INFO(name, type, def, kind, off, coff, choices, desc)              \
	{name,   type, def, desc, (kind) == KIND_SECRET || (kind) == KIND_URL,     \
	 choices},
#define KEY_SPEC(name, type, def, kind, off, coff, choices, desc)              \
	{kind, off, coff},

const ConfigKeyInfo config_keys[] = {CONFIG_KEYS(KEY_INFO)};
const size_t config_nkeys = sizeof config_keys / sizeof config_keys[0];

static const KeySpec key_specs[] = {CONFIG_KEYS(KEY_SPEC)};

_Static_assert(sizeof key_specs / sizeof key_specs[0] ==
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

/* What config_from_json works on. */
typedef struct Loader
{
	const char *name; /* the file name, for messages */
	TapConfig *cfg;
	int ssl; /* -1 unset, else 0 or 1 */
	bool sslmode_set;
} Loader;

/*
 * field_ptr: the address of the field at offset in cfg.
 */
static void *
field_ptr(TapConfig *cfg, size_t offset)
{
	return (char *) cfg + offset;
}

/*
 * type_error: logs that key k must be what (a phrase), not the value v.
 */
static TapStatus
type_error(const Loader *ld, const ConfigKeyInfo *k, const json_t *v,
		   const char *what)
{
	char buf[128];
	const char *hint = "";

	if ((json_is_number(v) || json_is_boolean(v)) &&
		strcmp(what, "a string") == 0)
		hint = " (put the value in quotes)";
	log_critical("config file \"%s\": key \"%s\" must be %s, not %s%s",
				 ld->name, k->name, what,
				 docload_value_text(v, k->secret, buf, sizeof buf), hint);
	return TAP_ERR_INPUT;
}

/*
 * is_blank: whether v means "absent": null or an empty string.
 */
static bool
is_blank(const json_t *v)
{
	return json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0);
}

/*
 * choices_text: "a, b or c" for a message, in buf.
 */
static const char *
choices_text(const char *const *choices, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; choices[i] != NULL && o < size; i++)
	{
		const char *sep = i == 0 ? "" : choices[i + 1] == NULL ? " or " : ", ";
		int n = snprintf(buf + o, size - o, "%s%s", sep, choices[i]);

		if (n < 0)
			break;
		o += (size_t) n;
	}
	return buf;
}

/*
 * find_choice: the canonical spelling of s among choices (compared
 * without regard to case), or NULL.
 */
static const char *
find_choice(const char *const *choices, const char *s)
{
	for (; *choices != NULL; choices++)
		if (strcasecmp(*choices, s) == 0)
			return *choices;
	return NULL;
}

/*
 * list_add: appends the trimmed s[0..n) to the list unless it is empty.
 */
static void
list_add(char ***items, size_t *count, const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char) s[0]))
	{
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char) s[n - 1]))
		n--;
	if (n == 0)
		return;
	*items = xrealloc(*items, (*count + 1) * sizeof **items);
	(*items)[(*count)++] = xstrndup(s, n);
}

/*
 * list_split: appends each comma-separated item of s to the list.
 */
static void
list_split(char ***items, size_t *count, const char *s)
{
	for (;;)
	{
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t) (comma - s) : strlen(s);

		list_add(items, count, s, n);
		if (comma == NULL)
			break;
		s = comma + 1;
	}
}

/*
 * list_free: frees a list of owned strings.
 */
static void
list_free(char **items, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(items[i]);
	free(items);
}

/*
 * check_readable: whether the file named by key k can be opened for
 * reading; logs and fails if not.
 */
static TapStatus
check_readable(const Loader *ld, const ConfigKeyInfo *k, const char *path)
{
	int fd;
	struct stat st;
	const char *why = NULL;
	int err = 0;

	if (strcmp(k->name, "sslrootcert") == 0 && strcmp(path, "system") == 0)
		return TAP_OK; /* libpq's "use the system's CA store" */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err = errno;
	else
	{
		if (fstat(fd, &st) != 0)
			err = errno;
		else if (S_ISDIR(st.st_mode))
			why = "it is a directory";
		close(fd);
	}
	if (err == 0 && why == NULL)
		return TAP_OK;
	log_critical("config file \"%s\": key \"%s\" names the file \"%s\", "
				 "which cannot be read: %s%s",
				 ld->name, k->name, path, why ? why : strerror(err),
				 err == ENOENT && path[0] == '~'
					 ? " (a leading ~ is not expanded)"
					 : "");
	return TAP_ERR_INPUT;
}

/*
 * apply_key: validates the value v of key k and stores it in the config.
 */
static TapStatus
apply_key(Loader *ld, const ConfigKeyInfo *k, const KeySpec *spec,
		  const json_t *v)
{
	TapConfig *cfg = ld->cfg;
	char buf[256];
	long n;
	bool b;

	if (is_blank(v))
		return TAP_OK;
	switch (spec->kind)
	{
		case KIND_STRING:
		case KIND_SECRET:
		case KIND_URL:
		case KIND_PATH:
		{
			char **field = field_ptr(cfg, spec->offset);
			const char *s;

			if (!json_is_string(v))
				return type_error(ld, k, v, "a string");
			s = json_string_value(v);
			if (spec->kind == KIND_URL && !pgurl_scheme_ok(s))
			{
				log_critical("config file \"%s\": key \"%s\" must be a "
							 "postgres:// or postgresql:// URI%s",
							 ld->name, k->name,
							 pgurl_scheme_hint(s, buf, sizeof buf));
				return TAP_ERR_INPUT;
			}
			if (spec->kind == KIND_PATH && check_readable(ld, k, s) != TAP_OK)
				return TAP_ERR_INPUT;
			free(*field);
			*field = xstrdup(s);
			return TAP_OK;
		}
		case KIND_PORT:
		{
			char **field = field_ptr(cfg, spec->offset);

			if (!docload_int(v, 1, 65535, &n))
				return type_error(ld, k, v, "an integer from 1 to 65535");
			snprintf(buf, sizeof buf, "%ld", n);
			free(*field);
			*field = xstrdup(buf);
			return TAP_OK;
		}
		case KIND_POSINT:
			if (!docload_int(v, 1, INT_MAX, &n))
			{
				snprintf(buf, sizeof buf, "an integer from 1 to %d", INT_MAX);
				return type_error(ld, k, v, buf);
			}
			*(int *) field_ptr(cfg, spec->offset) = (int) n;
			return TAP_OK;
		case KIND_BOOL:
		case KIND_SSL:
			if (!docload_bool(v, &b))
				return type_error(ld, k, v, "true or false");
			if (spec->kind == KIND_SSL)
				ld->ssl = b;
			else
				*(bool *) field_ptr(cfg, spec->offset) = b;
			return TAP_OK;
		case KIND_ENUM:
		{
			char **field = field_ptr(cfg, spec->offset);
			const char *c = json_is_string(v)
								? find_choice(k->choices, json_string_value(v))
								: NULL;
			char what[200];

			if (c == NULL)
			{
				snprintf(what, sizeof what, "one of %s",
						 choices_text(k->choices, buf, sizeof buf));
				return type_error(ld, k, v, what);
			}
			free(*field);
			*field = xstrdup(c);
			if (strcmp(k->name, "sslmode") == 0)
				ld->sslmode_set = true;
			return TAP_OK;
		}
		case KIND_LIST:
		{
			char ***items = field_ptr(cfg, spec->offset);
			size_t *count = field_ptr(cfg, spec->count_offset);
			static const char what[] =
				"a list of strings or a comma-separated string";

			list_free(*items, *count);
			*items = NULL;
			*count = 0;
			if (json_is_string(v))
			{
				list_split(items, count, json_string_value(v));
				return TAP_OK;
			}
			if (!json_is_array(v))
				return type_error(ld, k, v, what);
			for (size_t i = 0; i < json_array_size(v); i++)
			{
				const json_t *item = json_array_get(v, i);

				if (!json_is_string(item))
				{
					log_critical(
						"config file \"%s\": key \"%s\" must be %s, "
						"but item %zu of the list is %s",
						ld->name, k->name, what, i + 1,
						docload_value_text(item, false, buf, sizeof buf));
					return TAP_ERR_INPUT;
				}
				list_add(items, count, json_string_value(item),
						 json_string_length(item));
			}
			return TAP_OK;
		}
		case KIND_RULES:
		{
			json_t **field = field_ptr(cfg, spec->offset);

			if (select_check(ld->name, k->name, v) != TAP_OK)
				return TAP_ERR_INPUT;
			json_decref(*field);
			*field = json_deep_copy(v);
			return TAP_OK;
		}
	}
	return TAP_OK;
}

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
 * key_hint: the key of this tap that the unknown key most likely meant:
 * the name another tap uses for it, or a near misspelling. NULL if none.
 */
static const char *
key_hint(const char *key)
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
 * warn_unknown: one WARNING for a key this tap does not know.
 */
static void
warn_unknown(const Loader *ld, const char *key)
{
	const char *hint = key_hint(key);

	if (hint != NULL)
	{
		log_warning("config file \"%s\": unknown key \"%.200s\" is ignored "
					"(did you mean \"%s\"?)",
					ld->name, key, hint);
		return;
	}
	log_warning("config file \"%s\": unknown key \"%.200s\" is ignored",
				ld->name, key);
}

/*
 * find_key: the index of name in config_keys, or -1.
 */
static int
find_key(const char *name)
{
	for (size_t i = 0; i < config_nkeys; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return (int) i;
	return -1;
}

/*
 * apply_defaults: fills every key that has a default and was not set,
 * from the same table --about prints. The port is left NULL (libpq's
 * default), so that a port inside database_url is not overridden.
 */
static void
apply_defaults(TapConfig *cfg)
{
	for (size_t i = 0; i < config_nkeys; i++)
	{
		const ConfigKeyInfo *k = &config_keys[i];
		const KeySpec *spec = &key_specs[i];

		if (k->default_text == NULL)
			continue;
		switch (spec->kind)
		{
			case KIND_STRING:
			case KIND_ENUM:
			{
				char **field = field_ptr(cfg, spec->offset);

				if (*field == NULL)
					*field = xstrdup(k->default_text);
				break;
			}
			case KIND_POSINT:
			{
				int *field = field_ptr(cfg, spec->offset);

				if (*field == 0)
					*field = (int) strtol(k->default_text, NULL, 10);
				break;
			}
			case KIND_SECRET:
			case KIND_URL:
			case KIND_PATH:
			case KIND_PORT:
			case KIND_BOOL:
			case KIND_SSL:
			case KIND_LIST:
			case KIND_RULES:
				break;
		}
	}
}

/*
 * settle_connection: the DATABASE_URL fallback, the check that some
 * connection information exists, the URL read by libpq, and sslmode from
 * ssl or the URL.
 */
static TapStatus
settle_connection(Loader *ld)
{
	TapConfig *cfg = ld->cfg;
	char where[300];
	char *mode = NULL;

	snprintf(where, sizeof where,
			 "config file \"%.200s\": key \"database_url\"", ld->name);
	if (cfg->host == NULL && cfg->database_url == NULL)
	{
		const char *env = getenv("DATABASE_URL");

		if (env != NULL && env[0] != '\0')
		{
			pgurl_add_secrets(env);
			if (!pgurl_scheme_ok(env))
			{
				char buf[64];

				log_critical("environment variable DATABASE_URL must be a "
							 "postgres:// or postgresql:// URI%s (it is used "
							 "because config file \"%s\" sets neither "
							 "\"host\" nor \"database_url\")",
							 pgurl_scheme_hint(env, buf, sizeof buf), ld->name);
				return TAP_ERR_INPUT;
			}
			cfg->database_url = xstrdup(env);
			snprintf(where, sizeof where, "environment variable DATABASE_URL");
		}
	}
	if (cfg->host == NULL && cfg->database_url == NULL)
	{
		log_critical("config file \"%s\": no connection information: set "
					 "\"host\" (with \"user\", \"dbname\", ...) or "
					 "\"database_url\", or the DATABASE_URL environment "
					 "variable",
					 ld->name);
		return TAP_ERR_INPUT;
	}
	if (cfg->database_url != NULL &&
		pgurl_check(cfg->database_url, where, &mode) != TAP_OK)
		return TAP_ERR_INPUT;
	if (!ld->sslmode_set && ld->ssl >= 0)
		cfg->sslmode = xstrdup(ld->ssl ? "require" : "prefer");
	else if (!ld->sslmode_set && mode != NULL)
	{
		/* the URL's own sslmode, rather than a default overriding it */
		const char *c = find_choice(sslmode_choices, mode);
		char buf[128];

		if (c == NULL)
		{
			log_critical("config file \"%s\": the sslmode parameter of "
						 "\"database_url\" must be one of %s",
						 ld->name,
						 choices_text(sslmode_choices, buf, sizeof buf));
			free(mode);
			return TAP_ERR_INPUT;
		}
		cfg->sslmode = xstrdup(c);
	}
	free(mode);
	return TAP_OK;
}

/*
 * config_from_json: validates doc (borrowed) into *out. See config.h.
 */
TapStatus
config_from_json(const json_t *doc, const char *name, TapConfig *out)
{
	Loader ld = {name, out, -1, false};
	const char *key;
	json_t *v;
	TapStatus status = TAP_OK;

	memset(out, 0, sizeof *out);
	if (!json_is_object(doc))
	{
		log_critical("config file \"%s\" must contain a JSON object", name);
		return TAP_ERR_INPUT;
	}

	/* secrets first, so that no later message can show them */
	v = json_object_get(doc, "database_url");
	if (json_is_string(v))
		pgurl_add_secrets(json_string_value(v));
	v = json_object_get(doc, "password");
	if (json_is_string(v))
		log_add_secret(json_string_value(v));

	json_object_foreach((json_t *) doc, key, v)
	{
		int i = find_key(key);

		if (i < 0)
		{
			warn_unknown(&ld, key);
			continue;
		}
		status = apply_key(&ld, &config_keys[i], &key_specs[i], v);
		if (status != TAP_OK)
			break;
	}
	if (status == TAP_OK)
		status = settle_connection(&ld);
	if (status != TAP_OK)
	{
		config_fini(out);
		return status;
	}
	apply_defaults(out);
	return TAP_OK;
}

/*
 * config_load: reads the config file at path into *out. See config.h.
 */
TapStatus
config_load(const char *path, TapConfig *out)
{
	json_t *doc = NULL;
	TapStatus status;

	memset(out, 0, sizeof *out);
	status = docload_file(path, "config", false, false, &doc);
	if (status != TAP_OK)
		return status;
	status = config_from_json(doc, path, out);
	json_decref(doc);
	return status;
}

/*
 * config_fini: frees every string the config owns and zeroes it; safe on
 * a zeroed config and when called twice.
 */
void
config_fini(TapConfig *cfg)
{
	for (size_t i = 0; i < config_nkeys; i++)
	{
		const KeySpec *spec = &key_specs[i];

		switch (spec->kind)
		{
			case KIND_STRING:
			case KIND_SECRET:
			case KIND_URL:
			case KIND_PATH:
			case KIND_PORT:
			case KIND_ENUM:
				free(*(char **) field_ptr(cfg, spec->offset));
				break;
			case KIND_LIST:
				list_free(*(char ***) field_ptr(cfg, spec->offset),
						  *(size_t *) field_ptr(cfg, spec->count_offset));
				break;
			case KIND_RULES:
				json_decref(*(json_t **) field_ptr(cfg, spec->offset));
				break;
			case KIND_POSINT:
			case KIND_BOOL:
			case KIND_SSL:
				break;
		}
	}
	memset(cfg, 0, sizeof *cfg);
}
