/*
 * bookmark.h: a stream's keys in the state document (README, "State").
 *
 * {"bookmarks": {<tap_stream_id>: {"version": V,
 *   "last_replication_method": M, <the method's own keys>}}}
 * FULL_TABLE adds ctid_block and snapshot_xmin while a sync is under way;
 * INCREMENTAL adds replication_key and replication_key_value.
 */
#ifndef TAP_BOOKMARK_H
#define TAP_BOOKMARK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tap/buf.h"
#include "tap/catalog.h"
#include "tap/status.h"

/* bookmark_reset_on_method_change: a changed method or replication key
 * starts the stream over (SIO's rule); records the method */
void bookmark_reset_on_method_change(json_t *state, const StreamSpec *spec);

/*
 * bookmark_check: the keys this tap reads have the shapes it writes; a
 * hand-edited state fails here, before any message, naming state_path,
 * the stream and the key (TAP_ERR_INPUT).
 */
TapStatus bookmark_check(json_t *state, const StreamSpec *spec,
						 const char *state_path);

/* bookmark_value: a rendered RECORD value (JSON text) -> the value SIO
 * would store: a number when a double holds it exactly, else a string */
json_t *bookmark_value(const char *rendered, size_t len);

/* bookmark_literal: a stored bookmark value as text for an SQL literal;
 * false when it is neither a string nor a number */
bool bookmark_literal(const json_t *v, Buf *out);

#endif
