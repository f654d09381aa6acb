/*
 * state.h: the Singer state document (SIO's layout; README, "Sync").
 *
 * {"bookmarks": {<tap_stream_id>: {...}}, "currently_syncing": id|null}
 * plus whatever else the input held: keys this tap does not know, and the
 * bookmarks of streams not synced now, are carried through untouched.
 */
#ifndef TAP_STATE_H
#define TAP_STATE_H

#include <jansson.h>

#include "tap/status.h"

/*
 * state_load: path NULL, a missing file or an empty file give {}. A file
 * holding a whole STATE message ({"type":"STATE","value":{...}}) is
 * accepted as its value. Shape errors name the file and key. *out owned.
 */
TapStatus state_load(const char *path, json_t **out);

/*
 * state_from_json: the same on a parsed document, for callers (and the
 * fuzz target) that hold one. doc is stolen: it becomes *out, or is freed
 * on error. NULL gives {}. path names the document in messages.
 */
TapStatus state_from_json(json_t *doc, const char *path, json_t **out);

/* state_bookmark: the stream's bookmark object, created if absent
 * (borrowed from state) */
json_t *state_bookmark(json_t *state, const char *tap_stream_id);

/* state_currently_syncing: borrowed, or NULL */
const char *state_currently_syncing(const json_t *state);

/* state_set_currently_syncing: id NULL writes null */
void state_set_currently_syncing(json_t *state, const char *id);

#endif
