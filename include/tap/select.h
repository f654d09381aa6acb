/*
 * select.h: the config's "select" and "metadata" rules, with Meltano's
 * semantics, applied to a catalog document.
 *
 * A select pattern is "<stream glob>" or "<stream glob>.<column glob>",
 * with an optional leading "!" to exclude. The stream glob is matched
 * against tap_stream_id ("\." stands for a literal dot in it); the column
 * glob against the breadcrumb path "properties.<column>", so "*" covers
 * every column. Globs are fnmatch(3) patterns: *, ?, [...], case-sensitive.
 *
 * The rules are applied in this order, the last rule that matches a
 * metadata entry setting its key:
 *   1. everything deselected (as if "!*.*" came first), when "select" is
 *      given;
 *   2. every include pattern: "S" and "S.*" select stream S and all its
 *      columns, "S.c" selects the stream and column c;
 *   3. every exclude pattern (so an exclude wins over any include,
 *      wherever it is in the list): "!S" and "!S.*" deselect the stream and
 *      its columns, "!S.c" deselects column c only;
 *   4. the "metadata" rules, in file order: {"<stream glob>": {"key":
 *      value}} sets keys in the stream's root metadata,
 *      {"<stream glob>.<column glob>": {...}} (or the same nested one level
 *      deeper) in a column's metadata.
 * An "unsupported" column is never selected.
 */
#ifndef TAP_SELECT_H
#define TAP_SELECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tap/status.h"

typedef struct SelectRule
{
	char *stream;  /* owned: glob over tap_stream_id, "\." unescaped */
	char *path;    /* owned: glob over the breadcrumb joined with '.';
					  "" for the stream's root metadata */
	char *key;     /* owned: the metadata key set */
	json_t *value; /* owned */
} SelectRule;

typedef struct SelectRules
{
	SelectRule *rules; /* owned, in the order they apply */
	size_t n;
	bool has_select; /* "select" was given: selection is the rules' */
} SelectRules;

/*
 * select_check: validates the value of config key "select" (a list of
 * non-empty pattern strings) or "metadata" (an object of objects, with
 * non-empty patterns and keys). Logs one CRITICAL naming file, key and
 * item, and returns TAP_ERR_INPUT, when it is not.
 */
TapStatus select_check(const char *file, const char *key, const json_t *v);

/*
 * select_rules_build: the rules of select and metadata (borrowed, either
 * may be NULL; both already passed select_check) into *out, which
 * select_rules_fini frees.
 */
void select_rules_build(const json_t *select, const json_t *metadata,
						SelectRules *out);
void select_rules_fini(SelectRules *r);

/*
 * select_apply: applies the rules to catalog ({"streams": [...]}, edited
 * in place). Missing column metadata entries are created. With
 * keep_explicit (a catalog the user gave), the catalog's own choices win:
 * a stream whose root metadata sets "selected" keeps its selection and
 * that of its columns, and no key the catalog already sets (under its
 * hyphenated or underscore spelling) is changed.
 */
void select_apply(const SelectRules *r, json_t *catalog, bool keep_explicit);

/* select_stream_selected: whether entry's root metadata says selected */
bool select_stream_selected(const json_t *entry);

#endif
