/*
 * fuzz_state.c: a state document through docload and state_from_json,
 * then the calls sync makes on it. Invariants: no crash, no leak, and an
 * accepted state is an object whose bookmarks can be read and written.
 */
#include <string.h>

#include "fuzz.h"
#include "tap/docload.h"
#include "tap/log.h"
#include "tap/state.h"

FUZZ_QUIET_LOGS

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = NULL;
	json_t *state = NULL;
	json_t *bm;
	const char *cs;

	if (docload_buffer((const char *) data, size, "fuzz.json", "state", true,
					   &doc) != TAP_OK)
		return 0;
	if (state_from_json(doc, "fuzz.json", &state) != TAP_OK)
	{
		FUZZ_CHECK(state == NULL, "failed state_from_json gave a state", NULL,
				   0);
		return 0;
	}
	FUZZ_CHECK(json_is_object(state), "state is not an object", NULL, 0);
	cs = state_currently_syncing(state);
	bm = state_bookmark(state, cs != NULL ? cs : "db-public-t");
	FUZZ_CHECK(json_is_object(bm), "bookmark is not an object", NULL, 0);
	json_object_set_new(bm, "replication_key_value", json_string("x"));
	state_set_currently_syncing(state, NULL);
	FUZZ_CHECK(state_currently_syncing(state) == NULL,
			   "currently_syncing not cleared", NULL, 0);
	state_set_currently_syncing(state, "db-public-t");
	{
		char *text = json_dumps(state, JSON_COMPACT);

		FUZZ_CHECK(text != NULL, "state cannot be serialised", NULL, 0);
		free(text);
	}
	json_decref(state);
	log_fini();
	return 0;
}
