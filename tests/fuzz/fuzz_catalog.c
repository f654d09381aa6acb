/*
 * fuzz_catalog.c: a catalog document through docload and
 * catalog_from_json, with a default config (FULL_TABLE); for every other
 * input, first through select and metadata rules (select_apply, keeping
 * the catalog's explicit choices or not). Invariants: no crash, no leak,
 * and every selected stream has what catalog.h promises.
 */
#include <string.h>

#include "fuzz.h"
#include "tap/catalog.h"
#include "tap/docload.h"
#include "tap/log.h"
#include "tap/select.h"

FUZZ_QUIET_LOGS

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = NULL;
	TapConfig cfg;
	Catalog cat;
	char method[] = "FULL_TABLE";

	if (docload_buffer((const char *) data, size, "fuzz.json", "catalog", false,
					   &doc) != TAP_OK)
		return 0;
	memset(&cfg, 0, sizeof cfg);
	cfg.default_replication_method = method;
	/* both stream naming rules, chosen by the input */
	cfg.include_schemas_in_destination_stream_name = size % 2 == 1;
	if (size % 3 != 0)
	{
		json_t *sel = json_pack("[sss]", "*.*", "!*-*-b*", "!*.c*");
		json_t *md = json_pack("{s:{s:s},s:{s:{s:b}}}", "*", "replication-key",
							   "id", "*-x", "c", "selected", 1);
		SelectRules rules;

		select_rules_build(sel, md, &rules);
		select_apply(&rules, doc, size % 3 == 1);
		select_rules_fini(&rules);
		json_decref(sel);
		json_decref(md);
	}
	if (catalog_from_json(doc, "fuzz.json", &cfg, &cat) == TAP_OK)
	{
		for (size_t i = 0; i < cat.n; i++)
		{
			const StreamSpec *s = &cat.streams[i];

			FUZZ_CHECK(s->tap_stream_id && s->stream && s->table_name &&
						   s->schema_name,
					   "a stream lacks a name", NULL, 0);
			FUZZ_CHECK(json_is_array(s->key_properties),
					   "key_properties is not an array", NULL, 0);
			FUZZ_CHECK(json_is_object(json_object_get(s->schema, "properties")),
					   "schema without properties", NULL, 0);
			FUZZ_CHECK(s->method != REPL_INCREMENTAL ||
						   s->replication_key != NULL,
					   "INCREMENTAL without a replication key", NULL, 0);
			if (i > 0)
				FUZZ_CHECK(strcmp(cat.streams[i - 1].tap_stream_id,
								  s->tap_stream_id) < 0,
						   "streams not sorted or duplicated", NULL, 0);
		}
		catalog_fini(&cat);
	}
	else
		FUZZ_CHECK(cat.n == 0 && cat.streams == NULL,
				   "failed catalog_from_json left streams behind", NULL, 0);
	json_decref(doc);
	log_fini();
	return 0;
}
