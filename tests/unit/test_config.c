/*
 * test_config.c: config files -> TapConfig, and every way they can be
 * wrong (README, "Configuration").
 *
 * Each case writes a file into a private temporary directory, loads it
 * with stderr captured, and checks the status, the fields, and the text
 * of the one CRITICAL line: that it names the file and the key, and
 * never shows the secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "tap.h"
#include "tap/config.h"
#include "tap/log.h"

#define SECRET "s3cr3t-Pw"

/*
 * write_file: writes text to tmpdir/name; returns the path (static).
 */
static const char *
write_file(const char *name, const char *text)
{
	return write_bytes(name, text, strlen(text));
}

/*
 * load_text: writes text to tmpdir/name and loads it with stderr captured.
 */
static TapStatus
load_text(const char *name, const char *text, TapConfig *cfg)
{
	const char *path = write_file(name, text);
	TapStatus st;

	capture_begin();
	st = config_load(path, cfg);
	capture_end();
	return st;
}

/*
 * str_eq: whether two nullable strings are equal.
 */
static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * list_eq: whether two string lists are equal.
 */
static bool
list_eq(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

/*
 * cfg_same: compares every field of two configs, one test per field.
 */
static void
cfg_same(const TapConfig *a, const TapConfig *b, const char *what)
{
	char name[256];

#define SAME_STR(f)                                                            \
	snprintf(name, sizeof name, "%s: " #f, what);                              \
	is_str(a->f, b->f, name);
#define SAME_VAL(f)                                                            \
	snprintf(name, sizeof name, "%s: " #f, what);                              \
	is_int((long long) a->f, (long long) b->f, name);

	SAME_STR(host);
	SAME_STR(port);
	SAME_STR(user);
	SAME_STR(password);
	SAME_STR(dbname);
	SAME_STR(database_url);
	SAME_STR(sslmode);
	SAME_STR(sslrootcert);
	SAME_STR(sslcert);
	SAME_STR(sslkey);
	snprintf(name, sizeof name, "%s: filter_dbs", what);
	ok(list_eq(a->filter_dbs, a->n_filter_dbs, b->filter_dbs, b->n_filter_dbs),
	   name);
	snprintf(name, sizeof name, "%s: filter_schemas", what);
	ok(list_eq(a->filter_schemas, a->n_filter_schemas, b->filter_schemas,
			   b->n_filter_schemas),
	   name);
	SAME_VAL(include_schemas_in_destination_stream_name);
	SAME_STR(default_replication_method);
	SAME_VAL(itersize);
	SAME_STR(application_name);
	SAME_VAL(connect_timeout);
	SAME_VAL(json_as_object);
	SAME_STR(tap_id);
	SAME_VAL(parallel_connections);
	SAME_VAL(parallel_large_tables);
#undef SAME_STR
#undef SAME_VAL
}

/*
 * test_samples: samples/config.json and samples/config.yaml give the same
 * config. They name certificate files relative to the working directory,
 * so the test runs in tmpdir with such files in place.
 */
static void
test_samples(void)
{
	const char *src = getenv("SRCDIR");
	char jpath[1024];
	char ypath[1024];
	char cwd[1024];
	TapConfig j;
	TapConfig y;
	TapStatus sj;
	TapStatus sy;

	if (src == NULL)
		src = ".";
	/* the test changes directory: make the paths absolute first */
	if (realpath(src, cwd) == NULL)
	{
		ok(false, "SRCDIR exists");
		return;
	}
	snprintf(jpath, sizeof jpath, "%.900s/samples/config.json", cwd);
	snprintf(ypath, sizeof ypath, "%.900s/samples/config.yaml", cwd);
	if (getcwd(cwd, sizeof cwd) == NULL || chdir(tmpdir) != 0)
	{
		ok(false, "cannot change into the temporary directory");
		return;
	}
	mkdir("certs", 0700);
	write_file("certs/root.crt", "ca\n");
	write_file("certs/client.crt", "cert\n");
	write_file("certs/client.key", "key\n");

	capture_begin();
	sj = config_load(jpath, &j);
	sy = config_load(ypath, &y);
	capture_end();
	if (chdir(cwd) != 0)
		ok(false, "cannot change back");
	is_int(sj, TAP_OK, "samples/config.json loads");
	is_int(sy, TAP_OK, "samples/config.yaml loads");
	is_str(captured, "", "samples load without any log line");
	cfg_same(&j, &y, "samples json vs yaml");
	ok(j.select && json_equal(j.select, y.select), "samples: same select");
	ok(j.metadata && json_equal(j.metadata, y.metadata),
	   "samples: same metadata");
	is_str(j.port, "5432", "sample port");
	is_str(j.password, "change-me", "sample password");
	is_str(j.sslmode, "require", "sample sslmode");
	is_int((long long) j.n_filter_schemas, 2, "sample filter_schemas count");
	ok(j.include_schemas_in_destination_stream_name,
	   "sample include_schemas_in_destination_stream_name");
	config_fini(&j);
	config_fini(&y);
}

/*
 * test_json_yaml_same: one config written both ways, with the string
 * forms SIO configs use, loads to identical configs.
 */
static void
test_json_yaml_same(void)
{
	TapConfig j;
	TapConfig y;
	TapStatus st;

	st = load_text("same.json",
				   "{\"host\": \"db.example.com\", \"port\": \"6432\", "
				   "\"user\": \"etl\", \"password\": \"" SECRET "\", "
				   "\"dbname\": \"shop\", \"ssl\": \"true\", "
				   "\"filter_dbs\": \"shop, shop_archive,\", "
				   "\"filter_schemas\": \"public,sales\", "
				   "\"include_schemas_in_destination_stream_name\": \"true\", "
				   "\"default_replication_method\": \"INCREMENTAL\", "
				   "\"itersize\": \"5000\", \"connect_timeout\": 10, "
				   "\"json_as_object\": true, \"tap_id\": \"t1\", "
				   "\"application_name\": \"etl-nightly\"}\n",
				   &j);
	is_int(st, TAP_OK, "inline JSON config loads");
	st = load_text("same.yaml",
				   "host: db.example.com\n"
				   "port: '6432'\n"
				   "user: etl\n"
				   "password: " SECRET "\n"
				   "dbname: shop\n"
				   "ssl: 'true'\n"
				   "filter_dbs: [shop, shop_archive]\n"
				   "filter_schemas:\n  - public\n  - ' sales '\n"
				   "include_schemas_in_destination_stream_name: true\n"
				   "default_replication_method: incremental\n"
				   "itersize: 5000\n"
				   "connect_timeout: '10'\n"
				   "json_as_object: TRUE\n"
				   "tap_id: t1\n"
				   "application_name: etl-nightly\n",
				   &y);
	is_int(st, TAP_OK, "inline YAML config loads");
	cfg_same(&j, &y, "inline json vs yaml");
	is_str(j.sslmode, "require", "ssl \"true\" means sslmode require");
	is_int((long long) j.n_filter_dbs, 2, "filter_dbs from a string: 2");
	if (j.n_filter_dbs == 2)
	{
		is_str(j.filter_dbs[0], "shop", "filter_dbs[0] trimmed");
		is_str(j.filter_dbs[1], "shop_archive", "filter_dbs[1] trimmed");
	}
	is_str(y.default_replication_method, "INCREMENTAL",
		   "replication method spelled canonically");
	is_int(j.itersize, 5000, "itersize from a digit string");
	config_fini(&j);
	config_fini(&y);
}

/* One bad config, the key its message must name, and text it must hold. */
typedef struct BadCase
{
	const char *label;
	const char *json;
	const char *key;    /* must appear as "key" in the message */
	const char *expect; /* must also appear, or NULL */
	const char *hidden; /* must not appear, or NULL */
} BadCase;

#define CONN "\"host\": \"h\", \"password\": \"" SECRET "\", "

static const BadCase bad_cases[] = {
	{"dbname a number", "{" CONN "\"user\": \"u\", \"dbname\": 7}", "dbname",
	 "must be a string, not 7", NULL},
	{"host a list", "{\"host\": [\"a\"]}", "host", "must be a string", NULL},
	{"user an object", "{" CONN "\"user\": {}}", "user", "not an object", NULL},
	{"password a number", "{\"host\": \"h\", \"password\": 9876543}",
	 "password", "must be a string, not a number", "9876543"},
	{"password a boolean", "{\"host\": \"h\", \"password\": true}", "password",
	 "must be a string", NULL},
	{"port abc", "{" CONN "\"port\": \"abc\"}", "port",
	 "must be an integer from 1 to 65535, not \"abc\"", NULL},
	{"port 0", "{" CONN "\"port\": 0}", "port", "not 0", NULL},
	{"port 70000", "{" CONN "\"port\": 70000}", "port", "not 70000", NULL},
	{"port \"70000\"", "{" CONN "\"port\": \"70000\"}", "port", "not \"70000\"",
	 NULL},
	{"port negative string", "{" CONN "\"port\": \"-1\"}", "port", NULL, NULL},
	{"port real", "{" CONN "\"port\": 5432.5}", "port", "not 5432.5", NULL},
	{"port whole real", "{" CONN "\"port\": 5432.0}", "port", "not 5432.0",
	 NULL},
	{"port boolean", "{" CONN "\"port\": true}", "port", "not true", NULL},
	{"port with a space", "{" CONN "\"port\": \"54 32\"}", "port", NULL, NULL},
	{"database_url mysql", "{\"database_url\": \"mysql://u:" SECRET "@h/db\"}",
	 "database_url",
	 "must be a postgres:// or postgresql:// URI (it starts with "
	 "\"mysql://\")",
	 SECRET},
	{"database_url no scheme", "{\"database_url\": \"u:" SECRET "@h/db\"}",
	 "database_url", "postgres://", SECRET},
	{"database_url a number", "{\"database_url\": 5}", "database_url",
	 "must be a string", NULL},
	{"database_url libpq cannot read",
	 "{\"database_url\": \"postgres://u:" SECRET "@[::1/db\"}", "database_url",
	 "is not a valid postgres:// URL: ", SECRET},
	{"database_url unknown parameter",
	 "{\"database_url\": \"postgres://u:" SECRET "@h/db?colour=red\"}",
	 "database_url", "invalid URI query parameter: \"colour\"", SECRET},
	{"sslmode unknown", "{" CONN "\"sslmode\": \"sometimes\"}", "sslmode",
	 "must be one of disable, allow, prefer, require, verify-ca or "
	 "verify-full, not \"sometimes\"",
	 NULL},
	{"sslmode a boolean", "{" CONN "\"sslmode\": true}", "sslmode", NULL, NULL},
	{"ssl yes", "{" CONN "\"ssl\": \"yes\"}", "ssl",
	 "must be true or false, not \"yes\"", NULL},
	{"ssl 1", "{" CONN "\"ssl\": 1}", "ssl", "must be true or false", NULL},
	{"sslrootcert missing",
	 "{" CONN "\"sslrootcert\": \"/nonexistent/ca.crt\"}", "sslrootcert",
	 "\"/nonexistent/ca.crt\", which cannot be read: No such file", NULL},
	{"sslcert a directory", "{" CONN "\"sslcert\": \"/\"}", "sslcert",
	 "it is a directory", NULL},
	{"sslkey a number", "{" CONN "\"sslkey\": 7}", "sslkey", "must be a string",
	 NULL},
	{"sslkey under ~", "{" CONN "\"sslkey\": \"~/no/such.key\"}", "sslkey",
	 "a leading ~ is not expanded", NULL},
	{"filter_dbs a number", "{" CONN "\"filter_dbs\": 5}", "filter_dbs",
	 "must be a list of strings or a comma-separated string, not 5", NULL},
	{"filter_schemas with a number", "{" CONN "\"filter_schemas\": [\"a\", 1]}",
	 "filter_schemas", "item 2 of the list is 1", NULL},
	{"filter_schemas an object", "{" CONN "\"filter_schemas\": {}}",
	 "filter_schemas", "not an object", NULL},
	{"include_schemas maybe",
	 "{" CONN "\"include_schemas_in_destination_stream_name\": \"maybe\"}",
	 "include_schemas_in_destination_stream_name", "true or false", NULL},
	{"replication method unknown",
	 "{" CONN "\"default_replication_method\": \"SOMETIMES\"}",
	 "default_replication_method",
	 "must be one of FULL_TABLE, INCREMENTAL, XMIN or LOG_BASED", NULL},
	{"itersize 0", "{" CONN "\"itersize\": 0}", "itersize",
	 "must be an integer from 1 to", NULL},
	{"itersize negative", "{" CONN "\"itersize\": -5}", "itersize", NULL, NULL},
	{"itersize 1e3", "{" CONN "\"itersize\": \"1e3\"}", "itersize", NULL, NULL},
	{"itersize real", "{" CONN "\"itersize\": 2.5}", "itersize", NULL, NULL},
	{"itersize huge", "{" CONN "\"itersize\": 99999999999}", "itersize", NULL,
	 NULL},
	{"application_name false", "{" CONN "\"application_name\": false}",
	 "application_name", "(put the value in quotes)", NULL},
	{"connect_timeout abc", "{" CONN "\"connect_timeout\": \"abc\"}",
	 "connect_timeout", NULL, NULL},
	{"connect_timeout 0", "{" CONN "\"connect_timeout\": 0}", "connect_timeout",
	 NULL, NULL},
	{"json_as_object 1", "{" CONN "\"json_as_object\": \"1\"}",
	 "json_as_object", NULL, NULL},
	{"tap_id a number", "{" CONN "\"tap_id\": 3}", "tap_id", NULL, NULL},
	{"database_url sslmode parameter",
	 "{\"database_url\": \"postgres://u:" SECRET "@h/db?sslmode=bogus\"}",
	 "database_url", "sslmode parameter", SECRET},
};

/*
 * test_bad_cases: each bad config fails with TAP_ERR_INPUT and one
 * CRITICAL line naming the file and the key, without the secret.
 */
static void
test_bad_cases(void)
{
	unsetenv("DATABASE_URL");
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
	{
		const BadCase *c = &bad_cases[i];
		TapConfig cfg;
		TapStatus st;
		char name[256];
		char keyq[128];
		const char *nl;

		st = load_text("bad.json", c->json, &cfg);
		snprintf(name, sizeof name, "%s: TAP_ERR_INPUT", c->label);
		is_int(st, TAP_ERR_INPUT, name);
		snprintf(name, sizeof name, "%s: one CRITICAL line", c->label);
		nl = strchr(captured, '\n');
		ok(strncmp(captured, "CRITICAL ", 9) == 0 && nl != NULL &&
			   nl[1] == '\0',
		   name);
		snprintf(name, sizeof name, "%s: names the file", c->label);
		ok(strstr(captured, "config file \"") != NULL &&
			   strstr(captured, "/bad.json\"") != NULL,
		   name);
		snprintf(keyq, sizeof keyq, "\"%s\"", c->key);
		snprintf(name, sizeof name, "%s: names the key", c->label);
		ok(strstr(captured, keyq) != NULL, name);
		if (c->expect != NULL)
		{
			snprintf(name, sizeof name, "%s: says what is expected", c->label);
			if (!ok(strstr(captured, c->expect) != NULL, name))
				printf("#   message: %s#   wanted: %s\n", captured, c->expect);
		}
		snprintf(name, sizeof name, "%s: no secret in the message", c->label);
		ok(strstr(captured, SECRET) == NULL &&
			   (c->hidden == NULL || strstr(captured, c->hidden) == NULL),
		   name);
		snprintf(name, sizeof name, "%s: config left zeroed", c->label);
		ok(cfg.host == NULL && cfg.sslmode == NULL && cfg.itersize == 0, name);
	}
}

/*
 * test_connection_info: DATABASE_URL fallback, and the error when there
 * is no connection information at all.
 */
static void
test_connection_info(void)
{
	TapConfig cfg;
	TapStatus st;
	char line[256];

	unsetenv("DATABASE_URL");
	st = load_text("noconn.json", "{\"user\": \"u\", \"dbname\": \"d\"}", &cfg);
	is_int(st, TAP_ERR_INPUT, "no host, no database_url: error");
	ok(strstr(captured, "no connection information") != NULL &&
		   strstr(captured, "DATABASE_URL") != NULL &&
		   strstr(captured, "noconn.json") != NULL,
	   "no connection information: message");

	setenv("DATABASE_URL",
		   "postgres://envuser:env%40Secret-77@env.example.com:5433/envdb", 1);
	st = load_text("envconn.json", "{\"dbname\": \"other\"}", &cfg);
	is_int(st, TAP_OK, "DATABASE_URL fallback: loads");
	is_str(cfg.database_url,
		   "postgres://envuser:env%40Secret-77@env.example.com:5433/envdb",
		   "DATABASE_URL fallback: stored in database_url");
	snprintf(line, sizeof line, "pw env@Secret-77 and env%%40Secret-77");
	log_scrub(line);
	ok(strstr(line, "Secret-77") == NULL,
	   "DATABASE_URL fallback: password registered, raw and decoded");
	config_fini(&cfg);

	st = load_text("hostwins.json", "{\"host\": \"h\"}", &cfg);
	is_int(st, TAP_OK, "host set: loads");
	is_str(cfg.database_url, NULL, "host set: DATABASE_URL not used");
	config_fini(&cfg);

	setenv("DATABASE_URL", "mysql://u:" SECRET "@h/db", 1);
	st = load_text("envbad.json", "{\"user\": \"u\"}", &cfg);
	is_int(st, TAP_ERR_INPUT, "bad DATABASE_URL: error");
	ok(strstr(captured, "environment variable DATABASE_URL") != NULL &&
		   strstr(captured, SECRET) == NULL,
	   "bad DATABASE_URL: names the variable, not the secret");
	setenv("DATABASE_URL", "postgres://u:" SECRET "@[::1/db", 1);
	st = load_text("envbad2.json", "{\"user\": \"u\"}", &cfg);
	is_int(st, TAP_ERR_INPUT, "DATABASE_URL libpq cannot read: error");
	ok(strstr(captured, "CRITICAL environment variable DATABASE_URL is not "
						"a valid postgres:// URL: ") != NULL &&
		   strstr(captured, SECRET) == NULL,
	   "DATABASE_URL libpq cannot read: names the variable, not the secret");
	unsetenv("DATABASE_URL");
}

/*
 * test_values: defaults, ssl and sslmode, ports, lists, nulls, unknown
 * keys, and the secrets inside database_url.
 */
static void
test_values(void)
{
	TapConfig cfg;
	TapStatus st;
	char line[256];

	unsetenv("DATABASE_URL");
	st = load_text("defaults.json", "{\"host\": \"h\"}", &cfg);
	is_int(st, TAP_OK, "minimal config loads");
	is_str(cfg.port, NULL, "port defaults to NULL (libpq's 5432)");
	is_str(cfg.sslmode, "require", "sslmode defaults to require");
	is_str(cfg.default_replication_method, "FULL_TABLE",
		   "default_replication_method defaults to FULL_TABLE");
	is_int(cfg.itersize, 20000, "itersize defaults to 20000");
	is_int(cfg.connect_timeout, 30, "connect_timeout defaults to 30");
	is_str(cfg.application_name, "tap-postgres",
		   "application_name defaults to tap-postgres");
	is_int(cfg.parallel_connections, 1, "parallel_connections defaults to 1");
	ok(!cfg.json_as_object && !cfg.include_schemas_in_destination_stream_name,
	   "booleans default to false");
	ok(cfg.filter_dbs == NULL && cfg.n_filter_dbs == 0,
	   "filter_dbs defaults to none");
	config_fini(&cfg);
	config_fini(&cfg);
	ok(cfg.host == NULL && cfg.sslmode == NULL,
	   "config_fini twice is safe and zeroes");

	st = load_text("ssl.json", "{\"host\": \"h\", \"ssl\": false}", &cfg);
	is_str(cfg.sslmode, "prefer", "ssl false means prefer");
	config_fini(&cfg);
	st = load_text("ssl2.json", "{\"host\": \"h\", \"ssl\": \"FALSE\"}", &cfg);
	is_str(cfg.sslmode, "prefer", "ssl \"FALSE\" means prefer");
	config_fini(&cfg);
	st = load_text("sslwins.json",
				   "{\"host\": \"h\", \"ssl\": false, "
				   "\"sslmode\": \"verify-full\"}",
				   &cfg);
	is_str(cfg.sslmode, "verify-full", "sslmode wins over ssl false");
	config_fini(&cfg);
	st = load_text("sslwins2.json",
				   "{\"host\": \"h\", "
				   "\"sslmode\": \"Disable\", \"ssl\": true}",
				   &cfg);
	is_str(cfg.sslmode, "disable", "sslmode wins over ssl true (any order)");
	config_fini(&cfg);

	st = load_text("port.json", "{\"host\": \"h\", \"port\": \"5432\"}", &cfg);
	is_int(st, TAP_OK, "port \"5432\" loads");
	is_str(cfg.port, "5432", "port \"5432\" stored");
	config_fini(&cfg);
	st =
		load_text("port2.json", "{\"host\": \"h\", \"port\": \"05433\"}", &cfg);
	is_str(cfg.port, "5433", "port \"05433\" normalised");
	config_fini(&cfg);
	st = load_text("port3.json", "{\"host\": \"h\", \"port\": 65535}", &cfg);
	is_str(cfg.port, "65535", "port 65535 ok");
	config_fini(&cfg);

	st = load_text("lists.json",
				   "{\"host\": \"h\", "
				   "\"filter_schemas\": \" a , b,,c , \", "
				   "\"filter_dbs\": [\"x\", \" y \", \"\"]}",
				   &cfg);
	is_int(st, TAP_OK, "lists load");
	is_int((long long) cfg.n_filter_schemas, 3,
		   "filter_schemas from a string: empty items dropped");
	if (cfg.n_filter_schemas == 3)
	{
		is_str(cfg.filter_schemas[0], "a", "filter_schemas[0]");
		is_str(cfg.filter_schemas[1], "b", "filter_schemas[1]");
		is_str(cfg.filter_schemas[2], "c", "filter_schemas[2]");
	}
	is_int((long long) cfg.n_filter_dbs, 2, "filter_dbs from a list");
	if (cfg.n_filter_dbs == 2)
		is_str(cfg.filter_dbs[1], "y", "filter_dbs items trimmed");
	config_fini(&cfg);

	st = load_text("nulls.yaml",
				   "host: h\nport: ~\nuser:\nsslmode: ''\n"
				   "itersize: null\n",
				   &cfg);
	is_int(st, TAP_OK, "null and empty values load");
	ok(cfg.port == NULL && cfg.user == NULL, "null means absent");
	is_str(cfg.sslmode, "require", "empty sslmode means the default");
	is_int(cfg.itersize, 20000, "null itersize means the default");
	config_fini(&cfg);

	st = load_text("unknown.json",
				   "{\"host\": \"h\", \"foo\": 1, "
				   "\"database\": \"d\"}",
				   &cfg);
	is_int(st, TAP_OK, "unknown keys are not an error");
	ok(strstr(captured, "WARNING config file \"") != NULL &&
		   strstr(captured,
				  "unknown.json\": unknown key \"foo\" is ignored\n") != NULL,
	   "unknown key: one WARNING naming it");
	ok(strstr(captured, "unknown key \"database\" is ignored (did you mean "
						"\"dbname\"?)") != NULL,
	   "unknown key: hint for ML's name");
	config_fini(&cfg);
	st = load_text("typo.yaml", "host: h\nsslmod: disable\n", &cfg);
	ok(st == TAP_OK && strstr(captured, "unknown key \"sslmod\" is ignored "
										"(did you mean \"sslmode\"?)") != NULL,
	   "unknown key: hint for a misspelling");
	config_fini(&cfg);

	st = load_text("url.json",
				   "{\"database_url\": "
				   "\"postgresql://me:p%40ss-W0rd@db.example.com/x"
				   "?sslmode=verify-full&password=qp-Secret9\"}",
				   &cfg);
	is_int(st, TAP_OK, "postgresql:// URL loads");
	is_str(cfg.sslmode, "verify-full",
		   "the URL's sslmode is kept when the config sets none");
	snprintf(line, sizeof line, "a p@ss-W0rd b p%%40ss-W0rd c qp-Secret9");
	log_scrub(line);
	ok(strstr(line, "W0rd") == NULL && strstr(line, "qp-Secret9") == NULL,
	   "URL passwords registered: raw, decoded, query parameter");
	config_fini(&cfg);

	st = load_text("pw.yaml", "host: h\npassword: " SECRET "\n", &cfg);
	snprintf(line, sizeof line, "x " SECRET " y");
	log_scrub(line);
	ok(strstr(line, SECRET) == NULL, "password registered as a secret");
	config_fini(&cfg);

	st = load_text("rootsys.json",
				   "{\"host\": \"h\", "
				   "\"sslrootcert\": \"system\"}",
				   &cfg);
	is_int(st, TAP_OK, "sslrootcert \"system\" needs no file");
	config_fini(&cfg);
}

/*
 * test_keys_table: the key table that --about prints.
 */
static void
test_keys_table(void)
{
	bool unique = true;
	bool described = true;
	int secrets = 0;

	for (size_t i = 0; i < config_nkeys; i++)
	{
		for (size_t j = i + 1; j < config_nkeys; j++)
			if (strcmp(config_keys[i].name, config_keys[j].name) == 0)
				unique = false;
		if (config_keys[i].description == NULL || config_keys[i].type == NULL)
			described = false;
		if (config_keys[i].secret)
			secrets++;
	}
	is_int((long long) config_nkeys, 25, "25 config keys");
	ok(unique, "key names are unique");
	ok(described, "every key has a type and a description");
	is_int(secrets, 2, "two secret keys (password, database_url)");
}

/*
 * test_rules_keys: "select" and "metadata" are kept as JSON; a bad rule
 * is an error naming the file and the key (the rules themselves are
 * tested in test_select.c).
 */
static void
test_rules_keys(void)
{
	TapConfig cfg;
	TapStatus st;
	char *text;

	st = load_text("rules.yml",
				   "host: h\nselect: ['*.*', '!*-public-users.password']\n"
				   "metadata:\n  '*-public-orders':\n"
				   "    replication-method: INCREMENTAL\n",
				   &cfg);
	is_int(st, TAP_OK, "select and metadata rules: accepted");
	text = json_dumps(cfg.select, JSON_COMPACT);
	is_str(text, "[\"*.*\",\"!*-public-users.password\"]",
		   "select kept as a list");
	free(text);
	text = json_dumps(cfg.metadata, JSON_COMPACT);
	is_str(text,
		   "{\"*-public-orders\":{\"replication-method\":\"INCREMENTAL\"}}",
		   "metadata kept as an object");
	free(text);
	config_fini(&cfg);

	st = load_text("badsel.yml", "host: h\nselect: ['*.*', '']\n", &cfg);
	is_int(st, TAP_ERR_INPUT, "an empty select pattern: input error");
	ok(strstr(captured, "badsel.yml") != NULL &&
		   strstr(captured, "key \"select\": item 2") != NULL,
	   "... naming the file, the key and the item");
	st = load_text("badmd.json", "{\"host\": \"h\", \"metadata\": 5}", &cfg);
	is_int(st, TAP_ERR_INPUT, "metadata not an object: input error");
	ok(strstr(captured, "badmd.json") != NULL &&
		   strstr(captured, "key \"metadata\" must be an object") != NULL,
	   "... naming the file and the key");
}

/*
 * test_missing_file: a missing config file is an error naming it.
 */
static void
test_missing_file(void)
{
	TapConfig cfg;
	TapStatus st;
	char path[512];

	snprintf(path, sizeof path, "%s/absent.json", tmpdir);
	capture_begin();
	st = config_load(path, &cfg);
	capture_end();
	is_int(st, TAP_ERR_INPUT, "missing config file: error");
	ok(strstr(captured, "absent.json") != NULL &&
		   strstr(captured, "No such file") != NULL,
	   "missing config file: message names it");
}

/*
 * main: runs every group in a private temporary directory, removed at
 * the end.
 */
int
main(void)
{
	if (!tmpdir_make("test_config"))
		return 1;

	test_samples();
	test_json_yaml_same();
	test_bad_cases();
	test_connection_info();
	test_values();
	test_keys_table();
	test_rules_keys();
	test_missing_file();

	log_fini();
	tmpdir_remove();
	return done_testing();
}
