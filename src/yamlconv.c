/*
 * yamlconv.c: YAML text to json_t, for docload.
 *
 * libyaml's event API drives an iterative loop with an explicit stack, so
 * neither deep nesting nor alias expansion can exhaust the C stack or the
 * heap: both are counted and bounded (DOCLOAD_MAX_DEPTH,
 * DOCLOAD_MAX_NODES) while the events arrive. Plain untagged scalars
 * follow the YAML 1.2 core schema; quoted ones are strings.
 */
#include "tap/yamlconv.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "tap/docload.h"
#include "tap/jsonw.h"
#include "tap/mem.h"
#include "tap/yamlscalar.h"

#define YAML_TAG_PREFIX "tag:yaml.org,2002:"

/* One open collection while converting YAML events. */
typedef struct Frame
{
	json_t *node; /* owned: the array or object being filled */
	bool is_map;
	char *key;        /* owned: pending key of a mapping, or NULL */
	bool merge_next;  /* the pending key is the merge key "<<" */
	bool merge_seen;  /* this mapping already had a "<<" key */
	json_t *merged;   /* owned: keys from "<<" values, or NULL */
	char *anchor;     /* owned: the anchor naming this node, or NULL */
	size_t weight;    /* nodes in this subtree, aliases expanded */
	int child_height; /* largest height among the children */
} Frame;

/* The state of one YAML conversion. */
typedef struct YamlCtx
{
	Frame *stack; /* owned: DOCLOAD_MAX_DEPTH frames */
	int depth;    /* open collections */
	json_t *root; /* owned: the finished top-level node, or NULL */
	bool have_root;
	int ndocs;
	json_t *anchors;    /* owned: name -> [value, weight, height] */
	size_t alias_nodes; /* nodes produced by alias expansion so far */
	bool used_alias;
	YamlFailure failure;
	char errmsg[YAMLCONV_ERRMSG_SIZE];
} YamlCtx;

/*
 * yaml_fail: records the first failure of a conversion, with the position
 * of mark (NULL for none), in ctx->errmsg.
 */
static void yaml_fail(YamlCtx *ctx, YamlFailure kind, const yaml_mark_t *mark,
					  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
yaml_fail(YamlCtx *ctx, YamlFailure kind, const yaml_mark_t *mark,
		  const char *fmt, ...)
{
	va_list ap;
	int off = 0;

	if (ctx->failure != YAML_FAIL_NONE)
		return;
	ctx->failure = kind;
	if (mark != NULL)
		off = snprintf(ctx->errmsg, sizeof ctx->errmsg,
					   "line %zu, column %zu: ", mark->line + 1,
					   mark->column + 1);
	va_start(ap, fmt);
	vsnprintf(ctx->errmsg + off, sizeof ctx->errmsg - (size_t) off, fmt, ap);
	va_end(ap);
}

/*
 * scalar_value: the json_t for a YAML scalar event (returns owned, or NULL
 * after yaml_fail). Plain untagged scalars follow the YAML 1.2 core
 * schema; quoted ones are strings; the standard tags !!str, !!null,
 * !!bool, !!int, !!float (and !!binary, !!timestamp as text) are honoured.
 */
static json_t *
scalar_value(YamlCtx *ctx, const yaml_event_t *ev)
{
	const char *s = (const char *) ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *) ev->data.scalar.tag;
	const char *want = NULL; /* the tag's short name, or NULL: resolve */
	json_t *v = NULL;
	int64_t iv;
	double dv;

	if (memchr(s, '\0', n) != NULL)
	{
		yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
				  "a string contains a NUL character (\\0)");
		return NULL;
	}
	if (tag != NULL && strcmp(tag, "!") != 0)
	{
		if (strncmp(tag, YAML_TAG_PREFIX, strlen(YAML_TAG_PREFIX)) != 0)
		{
			yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
					  "unsupported YAML tag \"%s\"", tag);
			return NULL;
		}
		want = tag + strlen(YAML_TAG_PREFIX);
		if (strcmp(want, "binary") == 0 || strcmp(want, "timestamp") == 0)
			want = "str";
	}
	else if (tag != NULL || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		want = "str";

	if (want != NULL && strcmp(want, "str") == 0)
		v = json_stringn(s, n);
	else if ((want == NULL || strcmp(want, "null") == 0) &&
			 (n == 0 || yamlscalar_is_word(s, n, yamlscalar_null_words)))
		v = json_null();
	else if ((want == NULL || strcmp(want, "bool") == 0) &&
			 yamlscalar_is_word(s, n, yamlscalar_true_words))
		v = json_true();
	else if ((want == NULL || strcmp(want, "bool") == 0) &&
			 yamlscalar_is_word(s, n, yamlscalar_false_words))
		v = json_false();
	else if ((want == NULL || strcmp(want, "int") == 0) &&
			 yamlscalar_resolve_int(s, n, &iv))
		v = json_integer(iv);
	else if ((want == NULL || strcmp(want, "float") == 0) &&
			 yamlscalar_resolve_float(s, n, want != NULL, &dv))
		v = json_real(dv);
	else if (want == NULL)
		v = json_stringn(s, n);
	else
	{
		yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
				  "a value tagged !!%s cannot be read as one", want);
		return NULL;
	}
	if (v == NULL)
		yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
				  "a string is not valid UTF-8");
	return v;
}

/*
 * collection_tag_ok: whether a sequence or mapping may carry tag.
 */
static bool
collection_tag_ok(YamlCtx *ctx, const yaml_event_t *ev, const char *tag,
				  bool is_map)
{
	const char *want = is_map ? YAML_TAG_PREFIX "map" : YAML_TAG_PREFIX "seq";

	if (tag == NULL || strcmp(tag, "!") == 0 || strcmp(tag, want) == 0)
		return true;
	yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
			  "unsupported YAML tag \"%s\"", tag);
	return false;
}

/*
 * merge_one: adds the keys of the mapping src (borrowed) that are not yet
 * in merged; values are shared.
 */
static void
merge_one(json_t *merged, json_t *src)
{
	const char *k;
	json_t *v;

	json_object_foreach(src, k, v)
		if (json_object_get(merged, k) == NULL)
			json_object_set(merged, k, v);
}

/*
 * merge_into: adds the value of a merge key "<<" (a mapping, or a
 * sequence of mappings, earlier ones winning) to f->merged. src is
 * borrowed. Keys written in the mapping itself win over merged ones.
 */
static bool
merge_into(YamlCtx *ctx, Frame *f, json_t *src, const yaml_mark_t *mark)
{
	bool ok = json_is_object(src);

	if (json_is_array(src))
	{
		ok = json_array_size(src) > 0;
		for (size_t i = 0; i < json_array_size(src); i++)
			if (!json_is_object(json_array_get(src, i)))
				ok = false;
	}
	if (!ok)
	{
		yaml_fail(ctx, YAML_FAIL_CONTENT, mark,
				  "the value of a merge key (<<) must be a mapping or a list "
				  "of mappings");
		return false;
	}
	if (f->merged == NULL)
		f->merged = json_object();
	if (json_is_object(src))
		merge_one(f->merged, src);
	else
		for (size_t i = 0; i < json_array_size(src); i++)
			merge_one(f->merged, json_array_get(src, i));
	return true;
}

/*
 * attach: puts a finished node v (stolen) into the open collection, or
 * makes it the document root. weight and height describe v's subtree.
 */
static bool
attach(YamlCtx *ctx, json_t *v, size_t weight, int height,
	   const yaml_mark_t *mark)
{
	Frame *f;

	if (ctx->depth == 0)
	{
		ctx->root = v;
		ctx->have_root = true;
		return true;
	}
	f = &ctx->stack[ctx->depth - 1];
	f->weight += weight;
	if (height > f->child_height)
		f->child_height = height;
	if (!f->is_map)
	{
		json_array_append_new(f->node, v);
		return true;
	}
	if (f->merge_next)
	{
		bool ok = merge_into(ctx, f, v, mark);

		json_decref(v);
		f->merge_next = false;
		return ok;
	}
	json_object_set_new(f->node, f->key, v);
	free(f->key);
	f->key = NULL;
	return true;
}

/*
 * anchor_define: remembers node v (borrowed) under the anchor name, with
 * its expanded weight and height, for later aliases.
 */
static void
anchor_define(YamlCtx *ctx, const char *name, json_t *v, size_t weight,
			  int height)
{
	json_object_set_new(ctx->anchors, name,
						json_pack("[O,I,i]", v, (json_int_t) weight, height));
}

/*
 * take_key: handles a scalar event in key position of mapping f.
 */
static bool
take_key(YamlCtx *ctx, Frame *f, const yaml_event_t *ev)
{
	const char *s = (const char *) ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		ev->data.scalar.tag == NULL && n == 2 && memcmp(s, "<<", 2) == 0)
	{
		if (f->merge_seen)
		{
			yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
					  "duplicate merge key (<<)");
			return false;
		}
		f->merge_seen = true;
		f->merge_next = true;
		return true;
	}
	if (memchr(s, '\0', n) != NULL ||
		jsonw_utf8_invalid_at((const unsigned char *) s, n) != n)
	{
		yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
				  "a key contains a NUL character or invalid UTF-8");
		return false;
	}
	if (json_object_get(f->node, s) != NULL)
	{
		yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
				  "duplicate key \"%.*s\"", n > 200 ? 200 : (int) n, s);
		return false;
	}
	f->key = xstrndup(s, n);
	if (ev->data.scalar.anchor != NULL)
	{
		json_t *kv = json_stringn(s, n);

		anchor_define(ctx, (const char *) ev->data.scalar.anchor, kv, 1, 0);
		json_decref(kv);
	}
	return true;
}

/*
 * in_key_position: whether the next node would be a key of the innermost
 * mapping.
 */
static bool
in_key_position(const YamlCtx *ctx)
{
	const Frame *f;

	if (ctx->depth == 0)
		return false;
	f = &ctx->stack[ctx->depth - 1];
	return f->is_map && f->key == NULL && !f->merge_next;
}

/*
 * open_collection: pushes a frame for a SEQUENCE_START or MAPPING_START.
 */
static bool
open_collection(YamlCtx *ctx, const yaml_event_t *ev, bool is_map)
{
	const char *tag;
	const yaml_char_t *anchor;
	Frame *f;

	if (is_map)
	{
		tag = (const char *) ev->data.mapping_start.tag;
		anchor = ev->data.mapping_start.anchor;
	}
	else
	{
		tag = (const char *) ev->data.sequence_start.tag;
		anchor = ev->data.sequence_start.anchor;
	}
	if (in_key_position(ctx))
	{
		yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
				  "a mapping key must be a scalar, not a %s",
				  is_map ? "mapping" : "sequence");
		return false;
	}
	if (!collection_tag_ok(ctx, ev, tag, is_map))
		return false;
	if (ctx->depth >= DOCLOAD_MAX_DEPTH)
	{
		yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
				  "nesting is too deep (the limit is %d levels)",
				  DOCLOAD_MAX_DEPTH);
		return false;
	}
	f = &ctx->stack[ctx->depth++];
	memset(f, 0, sizeof *f);
	f->is_map = is_map;
	f->node = is_map ? json_object() : json_array();
	f->anchor = anchor != NULL ? xstrdup((const char *) anchor) : NULL;
	f->weight = 1;
	return true;
}

/*
 * close_collection: pops the innermost frame at SEQUENCE_END or
 * MAPPING_END, applies merge keys, and attaches the node to its parent.
 */
static bool
close_collection(YamlCtx *ctx, const yaml_event_t *ev)
{
	Frame *f = &ctx->stack[ctx->depth - 1];
	json_t *node = f->node;
	size_t weight = f->weight;
	int height = f->child_height + 1;

	if (f->merged != NULL)
	{
		const char *k;
		json_t *v;

		json_object_foreach(f->merged, k, v)
			if (json_object_get(node, k) == NULL)
				json_object_set(node, k, v);
		json_decref(f->merged);
	}
	if (f->anchor != NULL)
	{
		anchor_define(ctx, f->anchor, node, weight, height);
		free(f->anchor);
	}
	free(f->key);
	ctx->depth--;
	return attach(ctx, node, weight, height, &ev->start_mark);
}

/*
 * take_alias: attaches the node an alias refers to, after checking that
 * the expansion stays within DOCLOAD_MAX_NODES and DOCLOAD_MAX_DEPTH. The
 * node is shared (reference counted) until the final copy.
 */
static bool
take_alias(YamlCtx *ctx, const yaml_event_t *ev)
{
	const char *name = (const char *) ev->data.alias.anchor;
	json_t *entry = json_object_get(ctx->anchors, name);
	json_t *v;
	size_t weight;
	int height;

	if (entry == NULL)
	{
		yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
				  "alias \"*%s\" refers to no anchor defined before it", name);
		return false;
	}
	if (in_key_position(ctx))
	{
		yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
				  "an alias cannot be a mapping key");
		return false;
	}
	v = json_array_get(entry, 0);
	weight = (size_t) json_integer_value(json_array_get(entry, 1));
	height = (int) json_integer_value(json_array_get(entry, 2));
	if (weight > DOCLOAD_MAX_NODES - ctx->alias_nodes)
	{
		yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
				  "the document expands to too many nodes (YAML aliases; "
				  "the limit is %d)",
				  DOCLOAD_MAX_NODES);
		return false;
	}
	if (ctx->depth + height > DOCLOAD_MAX_DEPTH)
	{
		yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
				  "nesting is too deep after alias expansion (the limit is "
				  "%d levels)",
				  DOCLOAD_MAX_DEPTH);
		return false;
	}
	ctx->alias_nodes += weight;
	ctx->used_alias = true;
	return attach(ctx, json_incref(v), weight, height, &ev->start_mark);
}

/*
 * take_event: applies one parser event to the conversion. False after
 * yaml_fail; *done is set at the end of the stream.
 */
static bool
take_event(YamlCtx *ctx, const yaml_event_t *ev, bool *done)
{
	switch (ev->type)
	{
		case YAML_NO_EVENT:
		case YAML_STREAM_START_EVENT:
			return true;
		case YAML_STREAM_END_EVENT:
			*done = true;
			return true;
		case YAML_DOCUMENT_START_EVENT:
			if (ctx->ndocs > 0)
			{
				yaml_fail(ctx, YAML_FAIL_CONTENT, &ev->start_mark,
						  "the file contains more than one YAML document");
				return false;
			}
			return true;
		case YAML_DOCUMENT_END_EVENT:
			ctx->ndocs++;
			return true;
		case YAML_ALIAS_EVENT:
			return take_alias(ctx, ev);
		case YAML_SCALAR_EVENT:
		{
			json_t *v;

			if (in_key_position(ctx))
				return take_key(ctx, &ctx->stack[ctx->depth - 1], ev);
			if ((v = scalar_value(ctx, ev)) == NULL)
				return false;
			if (ev->data.scalar.anchor != NULL)
				anchor_define(ctx, (const char *) ev->data.scalar.anchor, v, 1,
							  0);
			return attach(ctx, v, 1, 0, &ev->start_mark);
		}
		case YAML_SEQUENCE_START_EVENT:
			return open_collection(ctx, ev, false);
		case YAML_MAPPING_START_EVENT:
			return open_collection(ctx, ev, true);
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			return close_collection(ctx, ev);
	}
	return true;
}

/*
 * syntax_failure: records libyaml's error from parser as a syntax failure.
 */
static void
syntax_failure(YamlCtx *ctx, const yaml_parser_t *parser, const char *data)
{
	const char *problem = parser->problem ? parser->problem : "invalid YAML";

	if (parser->error == YAML_MEMORY_ERROR)
	{
		yaml_fail(ctx, YAML_FAIL_SYNTAX, NULL, "out of memory");
		return;
	}
	if (parser->error == YAML_READER_ERROR)
	{
		size_t line;
		size_t col;

		docload_position(data, parser->problem_offset, &line, &col);
		yaml_fail(ctx, YAML_FAIL_SYNTAX, NULL, "line %zu, column %zu: %s", line,
				  col, problem);
		return;
	}
	if (parser->context != NULL)
		yaml_fail(ctx, YAML_FAIL_SYNTAX, &parser->problem_mark,
				  "%s (%s that starts at line %zu, column %zu)", problem,
				  parser->context, parser->context_mark.line + 1,
				  parser->context_mark.column + 1);
	else
		yaml_fail(ctx, YAML_FAIL_SYNTAX, &parser->problem_mark, "%s", problem);
}

/*
 * yaml_ctx_fini: frees whatever a failed or finished conversion holds.
 */
static void
yaml_ctx_fini(YamlCtx *ctx)
{
	for (int i = 0; i < ctx->depth; i++)
	{
		Frame *f = &ctx->stack[i];

		json_decref(f->node);
		json_decref(f->merged);
		free(f->key);
		free(f->anchor);
	}
	free(ctx->stack);
	json_decref(ctx->root);
	json_decref(ctx->anchors);
	ctx->stack = NULL;
	ctx->root = NULL;
	ctx->anchors = NULL;
	ctx->depth = 0;
}

/*
 * yaml_to_json: converts the YAML text data[0..len) into *out (owned; NULL
 * for a stream without a document or with an empty one). On failure
 * returns the kind and leaves the message in ctx->errmsg.
 */
static YamlFailure
yaml_to_json(const char *data, size_t len, YamlCtx *ctx, json_t **out)
{
	yaml_parser_t parser;
	bool done = false;

	*out = NULL;
	memset(ctx, 0, sizeof *ctx);
	if (!yaml_parser_initialize(&parser))
	{
		yaml_fail(ctx, YAML_FAIL_SYNTAX, NULL, "out of memory");
		return ctx->failure;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *) data, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	ctx->stack = xcalloc(DOCLOAD_MAX_DEPTH, sizeof ctx->stack[0]);
	ctx->anchors = json_object();

	while (!done)
	{
		yaml_event_t ev;
		bool ok;

		if (!yaml_parser_parse(&parser, &ev))
		{
			syntax_failure(ctx, &parser, data);
			break;
		}
		ok = take_event(ctx, &ev, &done);
		yaml_event_delete(&ev);
		if (!ok)
			break;
	}
	yaml_parser_delete(&parser);

	if (ctx->failure == YAML_FAIL_NONE && ctx->have_root)
	{
		/* aliases share nodes; give the caller a tree it may modify */
		if (ctx->used_alias)
			*out = json_deep_copy(ctx->root);
		else
			*out = json_incref(ctx->root);
	}
	yaml_ctx_fini(ctx);
	return ctx->failure;
}

YamlFailure
yamlconv_to_json(const char *data, size_t len, json_t **out, char *errmsg,
				 size_t errsize)
{
	/* the context holds a message buffer: on the heap, not the stack */
	YamlCtx *ctx = xmalloc(sizeof *ctx);
	YamlFailure yf = yaml_to_json(data, len, ctx, out);

	if (errsize > 0)
		snprintf(errmsg, errsize, "%s",
				 yf != YAML_FAIL_NONE ? ctx->errmsg : "");
	free(ctx);
	return yf;
}
