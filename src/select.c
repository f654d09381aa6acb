/*
 * select.c: Meltano-style select and metadata rules over a catalog.
 *
 * The rules become one flat list of (stream glob, breadcrumb glob, key,
 * value) in the order they apply; for each metadata entry of each stream,
 * the last matching rule sets each key. That is how Meltano does it, so a
 * config written for a Meltano project selects the same here.
 */
#include "tap/select.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/buf.h"
#include "tap/log.h"
#include "tap/mem.h"

/* first_dot: the first '.' of s not escaped by a backslash, or NULL */
static const char *
first_dot(const char *s)
{
	for (const char *p = s; *p; p++)
	{
		if (*p == '\\' && p[1] == '.')
			p++;
		else if (*p == '.')
			return p;
	}
	return NULL;
}

/* unescape: s[0..n) with every "\." turned into "." (owned) */
static char *
unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++)
	{
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == '.')
			i++;
		out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

/*
 * prop_path: the breadcrumb glob of a column pattern: "a" ->
 * "properties.a", "a.b" -> "properties.a.properties.b" (owned).
 */
static char *
prop_path(const char *pattern)
{
	Buf b;
	char *out;

	buf_init(&b, 64);
	buf_append_str(&b, "properties.");
	for (const char *p = pattern; *p; p++)
	{
		if (*p == '.')
			buf_append_str(&b, ".properties.");
		else
			buf_putc(&b, *p);
	}
	out = xstrndup(b.data, b.len);
	buf_fini(&b);
	return out;
}

static void
add_rule(SelectRules *r, char *stream, char *path, const char *key,
		 json_t *value)
{
	SelectRule *rule;

	r->rules = xrealloc(r->rules, (r->n + 1) * sizeof *r->rules);
	rule = &r->rules[r->n++];
	rule->stream = stream;
	rule->path = path;
	rule->key = xstrdup(key);
	rule->value = value;
}

/*
 * add_select: the rules of one select pattern (without its "!"): the
 * stream's root "selected" unless it excludes single columns, and the
 * columns' "selected".
 */
static void
add_select(SelectRules *r, const char *pattern, bool include)
{
	const char *dot = first_dot(pattern);
	size_t slen = dot ? (size_t) (dot - pattern) : strlen(pattern);
	const char *cols = dot ? dot + 1 : "*";

	if (include || strcmp(cols, "*") == 0)
		add_rule(r, unescape(pattern, slen), xstrdup(""), "selected",
				 json_boolean(include));
	add_rule(r, unescape(pattern, slen), prop_path(cols), "selected",
			 json_boolean(include));
}

/*
 * pattern_problem: why select pattern p cannot be used, or NULL.
 */
static const char *
pattern_problem(const char *p)
{
	const char *dot;

	if (p[0] == '!')
		p++;
	if (p[0] == '\0')
		return "is empty";
	dot = first_dot(p);
	if (dot == p)
		return "has an empty stream pattern before the dot";
	if (dot != NULL && dot[1] == '\0')
		return "has an empty column pattern after the dot";
	return NULL;
}

/*
 * Metadata rules are walked as Meltano flattens them: nested objects join
 * their keys with dots, so {"s": {"c": {"k": 1}}} is the rule "s.c.k".
 * The first segment is the stream glob, the last the metadata key, the
 * ones between the column path.
 */
typedef struct MdWalk
{
	SelectRules *out; /* NULL when only checking */
	const char *file;
	const char *top; /* the top-level rule key, for messages */
} MdWalk;

static TapStatus
md_leaf(MdWalk *w, const char *flat, const json_t *value)
{
	const char *dot = first_dot(flat);
	const char *last = NULL;
	Buf path;

	for (const char *p = dot; p != NULL; p = first_dot(p + 1))
		last = p;
	if (dot == NULL || dot == flat || last[1] == '\0')
	{
		if (w->out == NULL)
			log_critical("config file \"%s\": key \"metadata\": rule \"%s\" "
						 "must map a stream pattern to an object of metadata "
						 "keys, e.g. {\"*-public-orders\": "
						 "{\"replication-method\": \"INCREMENTAL\"}}",
						 w->file, w->top);
		return TAP_ERR_INPUT;
	}
	if (w->out == NULL)
		return TAP_OK;
	buf_init(&path, 64);
	if (last != dot)
	{
		/* the column segments between the stream and the key */
		char *cols = xstrndup(dot + 1, (size_t) (last - dot - 1));
		char *pp = prop_path(cols);

		buf_append_str(&path, pp);
		free(pp);
		free(cols);
	}
	{
		char *key = unescape(last + 1, strlen(last + 1));

		add_rule(w->out, unescape(flat, (size_t) (dot - flat)),
				 xstrdup(buf_cstr(&path)), key, json_deep_copy(value));
		free(key);
	}
	buf_fini(&path);
	return TAP_OK;
}

static TapStatus
md_walk(MdWalk *w, const char *prefix, const json_t *obj)
{
	const char *k;
	const json_t *v;

	json_object_foreach((json_t *) obj, k, v)
	{
		size_t n = strlen(prefix) + strlen(k) + 2;
		char *flat = xmalloc(n);
		TapStatus st;

		if (k[0] == '\0')
		{
			if (w->out == NULL)
				log_critical("config file \"%s\": key \"metadata\": rule "
							 "\"%s\" has an empty key",
							 w->file, w->top);
			free(flat);
			return TAP_ERR_INPUT;
		}
		snprintf(flat, n, "%s%s%s", prefix, prefix[0] ? "." : "", k);
		if (prefix[0] == '\0')
			w->top = k;
		if (json_is_object(v) && (prefix[0] == '\0' || json_object_size(v)))
			st = md_walk(w, flat, v);
		else
			st = md_leaf(w, flat, v);
		free(flat);
		if (st != TAP_OK)
			return st;
	}
	return TAP_OK;
}

TapStatus
select_check(const char *file, const char *key, const json_t *v)
{
	if (strcmp(key, "metadata") == 0)
	{
		MdWalk w = {NULL, file, ""};
		const char *k;
		const json_t *rule;

		if (!json_is_object(v))
		{
			log_critical("config file \"%s\": key \"metadata\" must be an "
						 "object mapping stream patterns to metadata, e.g. "
						 "{\"*-public-orders\": {\"replication-method\": "
						 "\"INCREMENTAL\"}}",
						 file);
			return TAP_ERR_INPUT;
		}
		json_object_foreach((json_t *) v, k, rule)
		{
			if (!json_is_object(rule))
			{
				log_critical("config file \"%s\": key \"metadata\": rule "
							 "\"%s\" must map to an object of metadata keys",
							 file, k);
				return TAP_ERR_INPUT;
			}
		}
		return md_walk(&w, "", v);
	}
	if (!json_is_array(v))
	{
		log_critical("config file \"%s\": key \"%s\" must be a list of "
					 "patterns such as \"*-public-orders.*\" or "
					 "\"!*.password\"",
					 file, key);
		return TAP_ERR_INPUT;
	}
	for (size_t i = 0; i < json_array_size(v); i++)
	{
		const json_t *item = json_array_get(v, i);
		const char *why;

		if (!json_is_string(item))
		{
			log_critical("config file \"%s\": key \"%s\": item %zu must be a "
						 "pattern string",
						 file, key, i + 1);
			return TAP_ERR_INPUT;
		}
		why = pattern_problem(json_string_value(item));
		if (why != NULL)
		{
			log_critical(
				"config file \"%s\": key \"%s\": item %zu (\"%.200s\") "
				"%s",
				file, key, i + 1, json_string_value(item), why);
			return TAP_ERR_INPUT;
		}
	}
	return TAP_OK;
}

void
select_rules_build(const json_t *select, const json_t *metadata,
				   SelectRules *out)
{
	memset(out, 0, sizeof *out);
	if (json_is_array(select))
	{
		out->has_select = true;
		add_select(out, "*.*", false);
		for (int pass = 0; pass < 2; pass++) /* includes, then excludes */
			for (size_t i = 0; i < json_array_size(select); i++)
			{
				const char *p = json_string_value(json_array_get(select, i));
				bool include = p[0] != '!';

				if (include == (pass == 0))
					add_select(out, include ? p : p + 1, include);
			}
	}
	if (json_is_object(metadata))
	{
		MdWalk w = {out, "", ""};

		(void) md_walk(&w, "", metadata);
	}
}

void
select_rules_fini(SelectRules *r)
{
	for (size_t i = 0; i < r->n; i++)
	{
		free(r->rules[i].stream);
		free(r->rules[i].path);
		free(r->rules[i].key);
		json_decref(r->rules[i].value);
	}
	free(r->rules);
	memset(r, 0, sizeof *r);
}

/* breadcrumb_path: the breadcrumb's strings joined with '.', into b */
static bool
breadcrumb_path(const json_t *bc, Buf *b)
{
	size_t i;
	const json_t *part;

	b->len = 0;
	if (!json_is_array(bc))
		return false;
	json_array_foreach(bc, i, part)
	{
		if (!json_is_string(part))
			return false;
		if (i > 0)
			buf_putc(b, '.');
		buf_append_str(b, json_string_value(part));
	}
	buf_cstr(b);
	return true;
}

/* find_entry: the metadata object of breadcrumb [] (col NULL) or
 * ["properties", col] */
static json_t *
find_entry(const json_t *mdlist, const char *col)
{
	size_t i;
	const json_t *item;

	json_array_foreach(mdlist, i, item)
	{
		const json_t *bc = json_object_get(item, "breadcrumb");
		json_t *md = json_object_get(item, "metadata");

		if (!json_is_array(bc) || !json_is_object(md))
			continue;
		if (col == NULL ? json_array_size(bc) == 0
						: json_array_size(bc) == 2 &&
							  json_is_string(json_array_get(bc, 0)) &&
							  json_is_string(json_array_get(bc, 1)) &&
							  strcmp(json_string_value(json_array_get(bc, 0)),
									 "properties") == 0 &&
							  strcmp(json_string_value(json_array_get(bc, 1)),
									 col) == 0)
			return md;
	}
	return NULL;
}

/* add_entry: appends an empty metadata entry for breadcrumb [] or
 * ["properties", col] and returns its metadata object */
static json_t *
add_entry(json_t *mdlist, const char *col)
{
	json_t *md = json_object();
	json_t *bc = col ? json_pack("[ss]", "properties", col) : json_array();

	json_array_append_new(mdlist, json_pack("{s:o,s:o}", "breadcrumb", bc,
											"metadata", json_incref(md)));
	json_decref(md);
	return md;
}

/* has_spelling: whether obj sets key, or key with '-' and '_' swapped */
static bool
has_spelling(const json_t *obj, const char *key)
{
	char alt[256];
	size_t n = strlen(key);

	if (json_object_get(obj, key) != NULL)
		return true;
	if (n >= sizeof alt)
		return false;
	for (size_t i = 0; i <= n; i++)
		alt[i] = key[i] == '-' ? '_' : key[i] == '_' ? '-' : key[i];
	return json_object_get(obj, alt) != NULL;
}

bool
select_stream_selected(const json_t *entry)
{
	const json_t *root = find_entry(json_object_get(entry, "metadata"), NULL);

	return json_is_true(json_object_get(root, "selected"));
}

/*
 * apply_entry: the rules that match (id, path) set their keys in md,
 * the last one winning.
 */
static void
apply_entry(const SelectRules *r, const char *id, const char *path, json_t *md,
			const json_t *entry, bool keep_explicit, bool stream_explicit)
{
	json_t *set = json_object();
	const char *key;
	json_t *value;
	bool is_root = path[0] == '\0';

	for (size_t i = 0; i < r->n; i++)
	{
		const SelectRule *rule = &r->rules[i];

		if (fnmatch(rule->stream, id, FNM_NOESCAPE) == 0 &&
			fnmatch(rule->path, path, FNM_NOESCAPE) == 0)
			json_object_set(set, rule->key, rule->value);
	}
	json_object_foreach(set, key, value)
	{
		if (strcmp(key, "selected") == 0)
		{
			const char *inc =
				json_string_value(json_object_get(md, "inclusion"));

			if (keep_explicit &&
				(stream_explicit || json_object_get(md, "selected") != NULL))
				continue;
			if (inc && strcmp(inc, "unsupported") == 0)
			{
				/* never selected, whatever a rule says */
				json_object_set_new(md, key, json_false());
				continue;
			}
		}
		else if (keep_explicit && (has_spelling(md, key) ||
								   (is_root && has_spelling(entry, key))))
			continue;
		json_object_set(md, key, value);
	}
	json_decref(set);
}

void
select_apply(const SelectRules *r, json_t *catalog, bool keep_explicit)
{
	json_t *streams = json_object_get(catalog, "streams");
	size_t i;
	json_t *entry;
	Buf path;

	if (r->n == 0 || !json_is_array(streams))
		return;
	buf_init(&path, 128);
	json_array_foreach(streams, i, entry)
	{
		const char *id =
			json_string_value(json_object_get(entry, "tap_stream_id"));
		json_t *mdlist = json_object_get(entry, "metadata");
		const json_t *props =
			json_object_get(json_object_get(entry, "schema"), "properties");
		const char *col;
		const json_t *colschema;
		json_t *root;
		bool stream_explicit;
		size_t j;
		json_t *item;

		if (id == NULL || !json_is_array(mdlist))
			continue; /* catalog_from_json reports it */
		root = find_entry(mdlist, NULL);
		if (root == NULL)
			root = add_entry(mdlist, NULL);
		/* a column without an entry could not be deselected otherwise */
		json_object_foreach((json_t *) props, col, colschema)
		{
			if (find_entry(mdlist, col) == NULL)
				(void) add_entry(mdlist, col);
		}
		stream_explicit =
			keep_explicit && (json_object_get(root, "selected") != NULL ||
							  json_object_get(entry, "selected") != NULL);
		json_array_foreach(mdlist, j, item)
		{
			json_t *md = json_object_get(item, "metadata");

			if (!json_is_object(md) ||
				!breadcrumb_path(json_object_get(item, "breadcrumb"), &path))
				continue;
			apply_entry(r, id, buf_cstr(&path), md, entry, keep_explicit,
						stream_explicit);
		}
	}
	buf_fini(&path);
}
