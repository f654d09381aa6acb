/*
 * config.c: the config file (README, "Configuration") -> TapConfig.
 *
 * One list, CONFIG_KEYS in config_keys.c, names every key with its JSON
 * type, default, description and how it is read. It expands into the
 * public config_keys[] table (used by --about) and into the private table
 * that drives validation here, so the two cannot drift apart.
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
#include "tap/config_keys.h"
#include "tap/docload.h"
#include "tap/log.h"
#include "tap/mem.h"
#include "tap/pgurl.h"
#include "tap/select.h"

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
 * warn_unknown: one WARNING for a key this tap does not know.
 */
static void
warn_unknown(const Loader *ld, const char *key)
{
	const char *hint = config_key_hint(key);

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
		const KeySpec *spec = &config_key_specs[i];

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
		const char *c = find_choice(config_sslmode_choices, mode);
		char buf[128];

		if (c == NULL)
		{
			log_critical("config file \"%s\": the sslmode parameter of "
						 "\"database_url\" must be one of %s",
						 ld->name,
						 choices_text(config_sslmode_choices, buf, sizeof buf));
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
		int i = config_find_key(key);

		if (i < 0)
		{
			warn_unknown(&ld, key);
			continue;
		}
		status = apply_key(&ld, &config_keys[i], &config_key_specs[i], v);
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
		const KeySpec *spec = &config_key_specs[i];

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
