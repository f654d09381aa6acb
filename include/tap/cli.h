/*
 * cli.h: the command line (README, "Usage").
 */
#ifndef TAP_CLI_H
#define TAP_CLI_H

#include <stdbool.h>

#include "tap/buf.h"
#include "tap/status.h"

typedef enum TapMode
{
	TAP_MODE_SYNC = 0,
	TAP_MODE_DISCOVER,
	TAP_MODE_ABOUT,
	TAP_MODE_TEST,
	TAP_MODE_VERSION,
	TAP_MODE_HELP,
} TapMode;

typedef struct TapOptions
{
	TapMode mode;
	const char *config_path;  /* borrowed from argv */
	const char *catalog_path; /* --catalog or --properties */
	const char *state_path;
	const char *about_format; /* NULL, "json", "markdown" or "man" */
	bool verbose;             /* -v: DEBUG lines (statements, timings) */
	int progress; /* --progress 1, --no-progress 0, else -1 (a terminal?) */
} TapOptions;

/*
 * cli_parse: argv -> *out. Usage errors are logged (CRITICAL, with a
 * pointer to --help) and return TAP_ERR_INPUT.
 */
TapStatus cli_parse(int argc, char **argv, TapOptions *out);

/* cli_usage: the --help text */
void cli_usage(Buf *out);

#endif
