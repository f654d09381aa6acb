/*
 * main.c: wiring, cleanup and the exit status. The only place that exits.
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap/about.h"
#include "tap/catalog.h"
#include "tap/cli.h"
#include "tap/config.h"
#include "tap/conn.h"
#include "tap/discover_catalog.h"
#include "tap/docload.h"
#include "tap/log.h"
#include "tap/progress.h"
#include "tap/select.h"
#include "tap/state.h"
#include "tap/status.h"
#include "tap/stop.h"
#include "tap/sync.h"
#include "tap/writer.h"
#include "tap_config.h"

/* run_test: --test: connect, one trivial query, a report on stderr */
static TapStatus
run_test(const TapConfig *cfg)
{
	PgSession s;
	PGresult *res;
	TapStatus st = conn_open(cfg, NULL, &s);

	if (st != TAP_OK)
		return st;
	st = conn_query(&s, "the connection test query", "SELECT 1", 0, NULL, &res);
	if (st == TAP_OK)
	{
		PQclear(res);
		log_info("connection test passed: database \"%s\" is reachable%s",
				 s.dbname, PQsslInUse(s.conn) ? " over SSL" : " (without SSL)");
	}
	conn_close(&s);
	return st;
}

/*
 * apply_rules: the config's select and metadata rules applied to catalog;
 * keep_explicit when the catalog is the user's own (its choices win).
 */
static void
apply_rules(const TapConfig *cfg, json_t *catalog, bool keep_explicit)
{
	SelectRules rules;

	select_rules_build(cfg->select, cfg->metadata, &rules);
	select_apply(&rules, catalog, keep_explicit);
	select_rules_fini(&rules);
}

/*
 * rules_catalog: for a run with select rules and no --catalog: discovery,
 * then the rules, into *out (owned). No stream selected is an input error.
 */
static TapStatus
rules_catalog(const TapConfig *cfg, const char *config_path, json_t **out)
{
	TapStatus st;
	size_t i, n = 0;
	const json_t *entry;

	log_info("no --catalog: discovering, then syncing what the \"select\" "
			 "rules of config file \"%s\" choose",
			 config_path);
	st = discover_catalog(cfg, out);
	if (st != TAP_OK)
		return st;
	apply_rules(cfg, *out, false);
	json_array_foreach(json_object_get(*out, "streams"), i, entry)
	{
		n += select_stream_selected(entry);
	}
	if (n == 0)
	{
		log_critical("config file \"%s\": the \"select\" rules choose no "
					 "stream of the %zu discovered (patterns match "
					 "tap_stream_id, e.g. \"*-public-orders\" or \"*.*\")",
					 config_path,
					 json_array_size(json_object_get(*out, "streams")));
		json_decref(*out);
		*out = NULL;
		return TAP_ERR_INPUT;
	}
	return TAP_OK;
}

static TapStatus
run_discover(const TapConfig *cfg, Writer *w)
{
	json_t *catalog = NULL;
	TapStatus st = discover_catalog(cfg, &catalog);
	char *text;

	if (st != TAP_OK)
		return st;
	apply_rules(cfg, catalog, false);
	/* SIO prints json.dump(indent=2); reals like 0.01 stay short */
	text = json_dumps(catalog, JSON_INDENT(2) | JSON_REAL_PRECISION(15) |
								   JSON_PRESERVE_ORDER);
	json_decref(catalog);
	if (text == NULL)
	{
		log_critical("could not serialise the catalog");
		return TAP_ERR_INTERNAL;
	}
	st = writer_document(w, text, strlen(text));
	if (st == TAP_OK)
		st = writer_document(w, "\n", 1);
	free(text);
	return st;
}

static TapStatus
run_sync(const TapConfig *cfg, const TapOptions *opts, Writer *w)
{
	Catalog cat;
	json_t *doc = NULL;
	json_t *state = NULL;
	const char *catalog_name = opts->catalog_path;
	TapStatus st;

	if (opts->catalog_path != NULL)
	{
		st = docload_file(opts->catalog_path, "catalog", false, false, &doc);
		if (st == TAP_OK)
			apply_rules(cfg, doc, true);
	}
	else if (cfg->select != NULL)
	{
		catalog_name = "discovered with the select rules";
		st = rules_catalog(cfg, opts->config_path, &doc);
	}
	else
	{
		log_critical("nothing to do: give --discover to print a catalog, "
					 "--catalog FILE to sync, or \"select\" rules in config "
					 "file \"%s\"; see --help",
					 opts->config_path);
		return TAP_ERR_INPUT;
	}
	if (st != TAP_OK)
		return st;
	st = catalog_from_json(doc, catalog_name, cfg, &cat);
	json_decref(doc);
	if (st != TAP_OK)
		return st;
	st = state_load(opts->state_path, &state);
	if (st == TAP_OK)
		st = sync_run(cfg, &cat, catalog_name, opts->state_path, state, w);
	json_decref(state);
	catalog_fini(&cat);
	return st;
}

int
main(int argc, char **argv)
{
	TapOptions opts;
	TapConfig cfg;
	Writer w;
	Buf text;
	TapStatus st;
	int code;

	memset(&cfg, 0, sizeof cfg);
	/* libpq's messages in the user's language; only LC_MESSAGES, so that
	 * number formatting and character classes stay those of C. The tap's
	 * own advice is English and chosen from codes, whatever the language */
	setlocale(LC_MESSAGES, "");
	stop_install();
	writer_init(&w, STDOUT_FILENO);
	w.stop = &stop_flag;
	buf_init(&text, 4096);

	st = cli_parse(argc, argv, &opts);
	if (st != TAP_OK)
		goto done;
	if (opts.verbose)
		log_set_level(LOG_DEBUG);
	progress_setup(opts.progress);
	switch (opts.mode)
	{
		case TAP_MODE_HELP:
			cli_usage(&text);
			st = writer_document(&w, text.data, text.len);
			goto done;
		case TAP_MODE_VERSION:
			buf_append_str(&text, "tap-postgres " TAP_VERSION "\n");
			st = writer_document(&w, text.data, text.len);
			goto done;
		case TAP_MODE_ABOUT:
			st = about_render(&text, opts.about_format);
			if (st == TAP_OK)
				st = writer_document(&w, text.data, text.len);
			goto done;
		case TAP_MODE_TEST:
		case TAP_MODE_DISCOVER:
		case TAP_MODE_SYNC:
			break;
	}

	st = config_load(opts.config_path, &cfg);
	if (st != TAP_OK)
		goto done;
	if (opts.mode == TAP_MODE_TEST)
		st = run_test(&cfg);
	else if (opts.mode == TAP_MODE_DISCOVER)
		st = run_discover(&cfg, &w);
	else
		st = run_sync(&cfg, &opts, &w);

done:
	if (writer_flush(&w) != TAP_OK && st == TAP_OK)
		st = TAP_ERR_OUTPUT;
	code = status_exit_code(st);
	if (st == TAP_ERR_INTERRUPTED)
	{
		int sig = stop_signal() ? stop_signal() : SIGTERM;

		log_critical("stopped by %s; the last STATE written is where the "
					 "next run resumes",
					 sig == SIGINT ? "SIGINT" : "SIGTERM");
		code = 128 + sig;
	}
	writer_fini(&w);
	buf_fini(&text);
	config_fini(&cfg);
	log_fini();
	return code;
}
