/*
 * test_cli.c: argv -> TapOptions, and every usage error: status
 * TAP_ERR_INPUT with one CRITICAL line that says what is wrong and points
 * to --help.
 */
#include <stdio.h>
#include <string.h>

#include "files.h"
#include "tap.h"
#include "tap/cli.h"
#include "tap/log.h"

#define MAX_ARGS 16

/* parse: runs cli_parse on the NULL-terminated words, stderr captured */
static TapStatus
parse(TapOptions *o, const char *const *words)
{
	static char store[MAX_ARGS][128];
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	TapStatus st;

	argv[argc++] = strcpy(store[0], "tap-postgres");
	for (; *words != NULL && argc < MAX_ARGS; words++, argc++)
		argv[argc] = strcpy(store[argc], *words);
	argv[argc] = NULL;
	capture_begin();
	st = cli_parse(argc, argv, o);
	capture_end();
	return st;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void
test_modes(void)
{
	TapOptions o;

	is_int(parse(&o, ARGS("--config", "c.json", "--discover")), TAP_OK,
		   "--discover parses");
	ok(o.mode == TAP_MODE_DISCOVER && strcmp(o.config_path, "c.json") == 0 &&
		   !o.verbose,
	   "--discover: mode, config, not verbose");

	is_int(parse(&o, ARGS("-c", "c.json", "-p", "cat.json", "-s", "s.json")),
		   TAP_OK, "short options parse");
	ok(o.mode == TAP_MODE_SYNC && strcmp(o.catalog_path, "cat.json") == 0 &&
		   strcmp(o.state_path, "s.json") == 0,
	   "sync: catalog and state");

	is_int(parse(&o, ARGS("--config", "c.json", "--catalog", "a.json",
						  "--properties", "a.json")),
		   TAP_OK, "--catalog and --properties naming the same file");

	is_int(parse(&o, ARGS("-v", "--config", "c.json", "--test")), TAP_OK,
		   "-v parses");
	ok(o.mode == TAP_MODE_TEST && o.verbose, "-v sets verbose");
	is_int(parse(&o, ARGS("--config", "c.json", "--discover", "--verbose")),
		   TAP_OK, "--verbose parses");
	ok(o.verbose, "--verbose sets verbose");
	is_int(parse(&o, ARGS("-vd", "-c", "c.json")), TAP_OK,
		   "-v grouped with -d");
	ok(o.verbose && o.mode == TAP_MODE_DISCOVER, "-vd: verbose discover");

	is_int(parse(&o, ARGS("--about", "--format", "json")), TAP_OK,
		   "--about needs no config");
	ok(o.mode == TAP_MODE_ABOUT && strcmp(o.about_format, "json") == 0,
	   "--about --format json");
	/* whether a config alone has something to do (select rules) is only
	 * known once it is read: main decides */
	is_int(parse(&o, ARGS("--config", "c.json")), TAP_OK, "--config alone");
	ok(o.mode == TAP_MODE_SYNC && o.catalog_path == NULL,
	   "--config alone: a sync without a catalog");
	is_int(parse(&o, ARGS("--version")), TAP_OK, "--version");
	is_int(o.mode, TAP_MODE_VERSION, "--version: mode");
	is_int(parse(&o, ARGS("-h", "--discover")), TAP_OK, "-h wins");
	is_int(o.mode, TAP_MODE_HELP, "-h: mode");
	is_str(captured, "", "valid command lines log nothing");
}

/* One bad command line and the text its CRITICAL line must hold. */
typedef struct BadArgs
{
	const char *label;
	const char *const *argv;
	const char *expect;
} BadArgs;

static void
test_errors(void)
{
	const BadArgs cases[] = {
		{"no config", ARGS("--discover"), "--config FILE is required"},
		{"unknown option", ARGS("--config", "c.json", "--colour"),
		 "unknown option \"--colour\""},
		{"missing value", ARGS("--discover", "--config"),
		 "option \"--config\" needs a value"},
		{"stray argument", ARGS("--config", "c.json", "--discover", "extra"),
		 "unexpected argument \"extra\""},
		{"two catalogs",
		 ARGS("--config", "c.json", "--catalog", "a.json", "--properties",
			  "b.json"),
		 "name different files (\"a.json\" and \"b.json\")"},
		{"--format without --about",
		 ARGS("--config", "c.json", "--discover", "--format", "json"),
		 "--format goes with --about"},
		{"-v with a value", ARGS("--verbose=2", "--config", "c.json"),
		 "unknown option \"--verbose=2\""},
	};
	char name[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
	{
		TapOptions o;
		const char *nl;

		snprintf(name, sizeof name, "%s: TAP_ERR_INPUT", cases[i].label);
		is_int(parse(&o, cases[i].argv), TAP_ERR_INPUT, name);
		nl = strchr(captured, '\n');
		snprintf(name, sizeof name, "%s: one CRITICAL line", cases[i].label);
		ok(strncmp(captured, "CRITICAL ", 9) == 0 && nl != NULL &&
			   nl[1] == '\0',
		   name);
		snprintf(name, sizeof name, "%s: says what is wrong", cases[i].label);
		if (!ok(strstr(captured, cases[i].expect) != NULL, name))
			printf("#   got: %s", captured);
		snprintf(name, sizeof name, "%s: points to --help", cases[i].label);
		ok(strstr(captured, "--help") != NULL ||
			   strstr(captured, "give one") != NULL,
		   name);
	}
}

static void
test_usage(void)
{
	Buf b;

	buf_init(&b, 256);
	cli_usage(&b);
	ok(strstr(buf_cstr(&b), "  -v, --verbose ") != NULL,
	   "--help lists -v, --verbose");
	ok(strstr(buf_cstr(&b), "Exit status: 0 success") != NULL,
	   "--help lists the exit status");
	buf_fini(&b);
}

int
main(void)
{
	test_modes();
	test_errors();
	test_usage();
	log_fini();
	return done_testing();
}
