/*
 * state.c: loading and updating the Singer state document.
 */
#include "tap/state.h"

#include <string.h>

#include "tap/docload.h"
#include "tap/log.h"

/* check_shape: the parts of the layout this tap reads must be sane */
static TapStatus
check_shape(const json_t *st, const char *path)
{
	const json_t *bm = json_object_get(st, "bookmarks");
	const json_t *cs = json_object_get(st, "currently_syncing");
	const char *id;
	const json_t *v;

	if (bm != NULL && !json_is_object(bm) && !json_is_null(bm))
	{
		log_critical("state file \"%s\": \"bookmarks\" must be an object",
					 path);
		return TAP_ERR_INPUT;
	}
	if (json_is_object(bm))
		json_object_foreach((json_t *) bm, id, v)
		{
			if (!json_is_object(v))
			{
				log_critical("state file \"%s\": the bookmark of stream "
							 "\"%s\" must be an object",
							 path, id);
				return TAP_ERR_INPUT;
			}
		}
	if (cs != NULL && !json_is_string(cs) && !json_is_null(cs))
	{
		log_critical("state file \"%s\": \"currently_syncing\" must be a "
					 "stream id or null",
					 path);
		return TAP_ERR_INPUT;
	}
	return TAP_OK;
}

TapStatus
state_load(const char *path, json_t **out)
{
	json_t *doc = NULL;
	TapStatus st;

	*out = NULL;
	if (path != NULL)
	{
		st = docload_file(path, "state", true, true, &doc);
		if (st != TAP_OK)
			return st;
	}
	return state_from_json(doc, path, out);
}

TapStatus
state_from_json(json_t *doc, const char *path, json_t **out)
{
	TapStatus st;

	*out = NULL;
	if (doc == NULL)
	{
		*out = json_object();
		return TAP_OK;
	}
	if (!json_is_object(doc))
	{
		log_critical("state file \"%s\" must contain an object", path);
		json_decref(doc);
		return TAP_ERR_INPUT;
	}
	/* a STATE message pasted whole: take its value */
	{
		const json_t *type = json_object_get(doc, "type");
		json_t *value = json_object_get(doc, "value");

		if (json_is_string(type) &&
			strcmp(json_string_value(type), "STATE") == 0 &&
			json_is_object(value))
		{
			json_incref(value);
			json_decref(doc);
			doc = value;
			log_info("state file \"%s\" holds a STATE message; using its value",
					 path);
		}
	}
	if (json_is_null(json_object_get(doc, "bookmarks")))
		json_object_del(doc, "bookmarks");
	st = check_shape(doc, path);
	if (st != TAP_OK)
	{
		json_decref(doc);
		return st;
	}
	*out = doc;
	return TAP_OK;
}

json_t *
state_bookmark(json_t *state, const char *tap_stream_id)
{
	json_t *bm = json_object_get(state, "bookmarks");
	json_t *one;

	if (!json_is_object(bm))
	{
		bm = json_object();
		json_object_set_new(state, "bookmarks", bm);
	}
	one = json_object_get(bm, tap_stream_id);
	if (!json_is_object(one))
	{
		one = json_object();
		json_object_set_new(bm, tap_stream_id, one);
	}
	return one;
}

const char *
state_currently_syncing(const json_t *state)
{
	return json_string_value(json_object_get(state, "currently_syncing"));
}

void
state_set_currently_syncing(json_t *state, const char *id)
{
	if (json_object_get(state, "bookmarks") == NULL)
		json_object_set_new(state, "bookmarks", json_object());
	json_object_set_new(state, "currently_syncing",
						id ? json_string(id) : json_null());
}
