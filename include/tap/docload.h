/*
 * docload.h: reading a config, catalog or state document.
 *
 * A document is JSON or YAML, told apart by content, not by file name.
 * YAML is converted to the same json_t a JSON file would give (YAML 1.2
 * core schema for plain scalars: null/~, true/false, integers, floats;
 * quoted scalars are strings). Limits keep hostile input bounded: the
 * file size, the nesting depth and the number of nodes an alias
 * expansion may produce ("billion laughs"). Every error names the file.
 */
#ifndef TAP_DOCLOAD_H
#define TAP_DOCLOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tap/status.h"

#define DOCLOAD_MAX_BYTES (64u * 1024u * 1024u)
#define DOCLOAD_MAX_DEPTH 512
#define DOCLOAD_MAX_NODES 2000000

/*
 * docload_file: parses the file at path. what names the document in
 * messages ("config", "catalog", "state"). An empty (or all-blank) file
 * gives *out = NULL and TAP_OK when allow_empty, else an error. A missing
 * file is an error, unless allow_empty is set and missing_ok is true.
 * The top level must be an object (all three documents are); anything
 * else is an error naming the file.
 * Returns owned *out (json_decref), or TAP_ERR_INPUT after logging.
 */
TapStatus docload_file(const char *path, const char *what, bool allow_empty,
					   bool missing_ok, json_t **out);

/* docload_buffer: the same on data[0..len); name is used in messages */
TapStatus docload_buffer(const char *data, size_t len, const char *name,
						 const char *what, bool allow_empty, json_t **out);

/*
 * docload_bool: v as a boolean, the one rule for config, catalog and
 * state: JSON true/false, or the strings "true"/"false" in any case
 * (what some UIs and YAML quoting write). False, *out untouched, when v
 * is anything else (null, a number, another string).
 */
bool docload_bool(const json_t *v, bool *out);

/*
 * docload_int: *out = v as an integer in [lo, hi]: a JSON integer, or a
 * string of ASCII digits (as some UIs write numbers). False, *out
 * untouched, when v is anything else or out of range.
 */
bool docload_int(const json_t *v, long lo, long hi, long *out);

/*
 * docload_value_text: describes v for a message, in buf: a string in
 * quotes (cut to 60 bytes, control characters replaced), a number,
 * "a list", ...; with secret, only the kind of value ("a string").
 * Returns buf or a constant.
 */
const char *docload_value_text(const json_t *v, bool secret, char *buf,
							   size_t size);

/* docload_position: the 1-based line and column of byte offset off in
 * data, for messages */
void docload_position(const char *data, size_t off, size_t *line, size_t *col);

#endif
