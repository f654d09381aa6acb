/*
 * cli.c: argv -> TapOptions.
 */
#include "tap/cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "tap/log.h"

void
cli_usage(Buf *out)
{
	buf_append_str(
		out,
		"Usage: tap-postgres --config FILE --discover\n"
		"       tap-postgres --config FILE --catalog FILE [--state FILE]\n"
		"       tap-postgres --config FILE [--state FILE]   (config has \"select\")\n"
		"       tap-postgres --config FILE --test\n"
		"       tap-postgres --about [--format json|markdown|man]\n"
		"\n"
		"A Singer tap for PostgreSQL: discovery prints a catalog; a sync\n"
		"prints SCHEMA, RECORD, STATE and ACTIVATE_VERSION messages on\n"
		"stdout. Logs go to stderr.\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE      connection and behaviour settings (JSON or YAML)\n"
		"  -d, --discover         print the catalog of every readable table and view\n"
		"      --catalog FILE     sync the streams this catalog selects (without\n"
		"                         it, the config's \"select\" rules choose)\n"
		"  -p, --properties FILE  the same as --catalog\n"
		"  -s, --state FILE       resume from this state (the last STATE's value)\n"
		"      --about            describe the tap and every config key\n"
		"      --format FORMAT    with --about: json, markdown or man\n"
		"      --test             connect, run a trivial query, report on stderr\n"
		"  -v, --verbose          also log DEBUG lines: every statement sent to\n"
		"                         the server with its time, and failing statements\n"
		"      --progress         a live progress line per stream on stderr (the\n"
		"                         default when stderr is a terminal)\n"
		"      --no-progress      no progress line, even on a terminal\n"
		"      --version          print the version\n"
		"  -h, --help             print this help\n"
		"\n"
		"Exit status: 0 success, 1 internal error, 2 invalid input (arguments,\n"
		"config, catalog, state), 3 connection/authentication/SSL failure,\n"
		"4 query or permission failure, 5 stdout could not be written,\n"
		"130/143 stopped by SIGINT/SIGTERM after a final STATE.\n");
}

TapStatus
cli_parse(int argc, char **argv, TapOptions *out)
{
	enum
	{
		OPT_CATALOG = 256,
		OPT_ABOUT,
		OPT_FORMAT,
		OPT_TEST,
		OPT_VERSION,
		OPT_PROGRESS,
		OPT_NO_PROGRESS,
	};
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"discover", no_argument, NULL, 'd'},
		{"catalog", required_argument, NULL, OPT_CATALOG},
		{"properties", required_argument, NULL, 'p'},
		{"state", required_argument, NULL, 's'},
		{"about", no_argument, NULL, OPT_ABOUT},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"test", no_argument, NULL, OPT_TEST},
		{"version", no_argument, NULL, OPT_VERSION},
		{"help", no_argument, NULL, 'h'},
		{"verbose", no_argument, NULL, 'v'},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
		{NULL, 0, NULL, 0},
	};
	bool discover = false, about = false, test = false, version = false,
		 help = false;
	int c;

	memset(out, 0, sizeof *out);
	out->progress = -1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:dp:s:hv", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'c':
				out->config_path = optarg;
				break;
			case 'd':
				discover = true;
				break;
			case OPT_CATALOG:
			case 'p':
				if (out->catalog_path && strcmp(out->catalog_path, optarg) != 0)
				{
					log_critical("--catalog and --properties name different "
								 "files (\"%s\" and \"%s\"); give one",
								 out->catalog_path, optarg);
					return TAP_ERR_INPUT;
				}
				out->catalog_path = optarg;
				break;
			case 's':
				out->state_path = optarg;
				break;
			case OPT_ABOUT:
				about = true;
				break;
			case OPT_FORMAT:
				out->about_format = optarg;
				break;
			case OPT_TEST:
				test = true;
				break;
			case OPT_VERSION:
				version = true;
				break;
			case 'h':
				help = true;
				break;
			case 'v':
				out->verbose = true;
				break;
			case OPT_PROGRESS:
			case OPT_NO_PROGRESS:
				out->progress = c == OPT_PROGRESS;
				break;
			case ':':
				log_critical("option \"%s\" needs a value; see --help",
							 argv[optind - 1]);
				return TAP_ERR_INPUT;
			default:
				log_critical("unknown option \"%s\"; see --help",
							 argv[optind - 1]);
				return TAP_ERR_INPUT;
		}
	}
	if (optind < argc)
	{
		log_critical("unexpected argument \"%s\"; see --help", argv[optind]);
		return TAP_ERR_INPUT;
	}

	if (help)
		out->mode = TAP_MODE_HELP;
	else if (version)
		out->mode = TAP_MODE_VERSION;
	else if (about)
		out->mode = TAP_MODE_ABOUT;
	else
	{
		if (out->about_format)
		{
			log_critical("--format goes with --about; see --help");
			return TAP_ERR_INPUT;
		}
		if (out->config_path == NULL)
		{
			log_critical("--config FILE is required; see --help");
			return TAP_ERR_INPUT;
		}
		if (test)
			out->mode = TAP_MODE_TEST;
		else if (discover)
			out->mode = TAP_MODE_DISCOVER;
		else
			out->mode = TAP_MODE_SYNC; /* without --catalog: the config's
										  select rules, checked in main */
	}
	return TAP_OK;
}
