/*
 * fuzz_config.c: a config document, JSON or YAML, through docload and
 * config_from_json. Invariants: no crash, no leak, and an accepted
 * config has what config.h promises (sslmode and the defaults set).
 */
#include <string.h>

#include "fuzz.h"
#include "tap/config.h"
#include "tap/docload.h"
#include "tap/log.h"

FUZZ_QUIET_LOGS

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = NULL;
	TapConfig cfg;

	if (docload_buffer((const char *) data, size, "fuzz.yaml", "config", false,
					   &doc) != TAP_OK)
	{
		FUZZ_CHECK(doc == NULL, "docload failed but returned a document", NULL,
				   0);
		return 0;
	}
	FUZZ_CHECK(json_is_object(doc), "docload accepted a non-object", NULL, 0);
	memset(&cfg, 0xA5, sizeof cfg);
	if (config_from_json(doc, "fuzz.yaml", &cfg) == TAP_OK)
	{
		FUZZ_CHECK(cfg.sslmode != NULL, "accepted config without sslmode", NULL,
				   0);
		FUZZ_CHECK(cfg.default_replication_method != NULL &&
					   cfg.application_name != NULL,
				   "accepted config without its defaults", NULL, 0);
		FUZZ_CHECK(cfg.host != NULL || cfg.database_url != NULL,
				   "accepted config without host or database_url", NULL, 0);
		config_fini(&cfg);
	}
	else
	{
		/* config.h: on error *out is zeroed and needs no config_fini */
		static const TapConfig zero;

		FUZZ_CHECK(memcmp(&cfg, &zero, sizeof cfg) == 0,
				   "failed config_from_json left the config non-zero", NULL, 0);
	}
	json_decref(doc);
	log_fini();
	return 0;
}
