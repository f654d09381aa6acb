/*
 * test_docload.c: JSON and YAML documents, and hostile ones: empty, not
 * text, not UTF-8, too deep, too big, alias bombs, duplicate keys.
 *
 * Every failure must be TAP_ERR_INPUT with exactly one "CRITICAL" line on
 * stderr that names the file; hostile input must fail fast.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "tap.h"
#include "tap/docload.h"
#include "tap/log.h"
#include "tap/mem.h"

/*
 * load: writes the bytes to tmpdir/name and loads them as a "state"
 * document, capturing stderr.
 */
static TapStatus
load(const char *name, const char *data, size_t len, bool allow_empty,
	 json_t **out)
{
	const char *path = write_bytes(name, data, len);
	TapStatus st;

	capture_begin();
	st = docload_file(path, "state", allow_empty, false, out);
	capture_end();
	return st;
}

/*
 * load_str: load() of a NUL-terminated text.
 */
static TapStatus
load_str(const char *name, const char *text, json_t **out)
{
	return load(name, text, strlen(text), false, out);
}

/*
 * expect_error: loads text as tmpdir/name and checks for TAP_ERR_INPUT
 * and one CRITICAL line that names the file and contains want.
 */
static void
expect_error(const char *label, const char *name, const char *data, size_t len,
			 const char *want)
{
	json_t *doc = NULL;
	TapStatus st = load(name, data, len, false, &doc);
	char t[256];
	char quoted[300];
	const char *nl = strchr(captured, '\n');

	snprintf(t, sizeof t, "%s: TAP_ERR_INPUT", label);
	is_int(st, TAP_ERR_INPUT, t);
	snprintf(t, sizeof t, "%s: no document", label);
	ok(doc == NULL, t);
	snprintf(t, sizeof t, "%s: one CRITICAL line", label);
	ok(strncmp(captured, "CRITICAL ", 9) == 0 && nl != NULL && nl[1] == '\0',
	   t);
	snprintf(quoted, sizeof quoted, "state file \"%s/%s\"", tmpdir, name);
	snprintf(t, sizeof t, "%s: names the file", label);
	ok(strstr(captured, quoted) != NULL, t);
	snprintf(t, sizeof t, "%s: message", label);
	if (!ok(want == NULL || strstr(captured, want) != NULL, t))
		printf("#   message: %s#   wanted:  %s\n", captured, want);
	json_decref(doc);
}

/*
 * expect_error_str: expect_error() of a NUL-terminated text.
 */
static void
expect_error_str(const char *label, const char *name, const char *text,
				 const char *want)
{
	expect_error(label, name, text, strlen(text), want);
}

/*
 * now_seconds: a monotonic clock, for the "fails fast" checks.
 */
static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/*
 * test_empty: empty and blank files, missing files, directories.
 */
static void
test_empty(void)
{
	json_t *doc = (json_t *) 1;
	TapStatus st;
	char path[512];

	st = load("empty.json", "", 0, true, &doc);
	ok(st == TAP_OK && doc == NULL, "empty file, allow_empty: NULL, ok");
	st = load("blank.json", " \n\t\r\n  ", 7, true, &doc);
	ok(st == TAP_OK && doc == NULL, "blank file, allow_empty: NULL, ok");
	st = load("comments.yaml", "# nothing here\n# at all\n", 24, true, &doc);
	ok(st == TAP_OK && doc == NULL, "comments only, allow_empty: NULL, ok");
	st = load("emptydoc.yaml", "---\n", 4, true, &doc);
	ok(st == TAP_OK && doc == NULL, "empty YAML document: NULL, ok");
	expect_error("empty file", "empty.json", "", 0, "is empty");
	expect_error_str("blank file", "blank.json", "  \n\n", "is empty");

	snprintf(path, sizeof path, "%s/absent.json", tmpdir);
	capture_begin();
	st = docload_file(path, "state", true, true, &doc);
	capture_end();
	ok(st == TAP_OK && doc == NULL && captured[0] == '\0',
	   "missing file, missing_ok: NULL, ok, silent");
	capture_begin();
	st = docload_file(path, "state", true, false, &doc);
	capture_end();
	ok(st == TAP_ERR_INPUT && strstr(captured, "could not open state file") &&
		   strstr(captured, "No such file or directory"),
	   "missing file: error naming it");
	capture_begin();
	st = docload_file(tmpdir, "state", true, true, &doc);
	capture_end();
	ok(st == TAP_ERR_INPUT && strstr(captured, "is a directory"),
	   "a directory: error");
}

/*
 * test_bad_text: NUL bytes, invalid UTF-8, UTF-16.
 */
static void
test_bad_text(void)
{
	json_t *doc;

	expect_error("NUL byte", "nul.json", "{\"a\":\0 1}", 9,
				 "contains a NUL byte at byte offset 5");
	expect_error("invalid UTF-8", "latin1.yaml", "a: 1\nb: caf\xe9\n", 13,
				 "is not valid UTF-8: invalid byte 0xE9 at byte offset 11 "
				 "(line 2)");
	expect_error_str("overlong UTF-8", "overlong.json", "{\"a\": \"\xc0\xaf\"}",
					 "byte offset 7");
	expect_error_str("UTF-8 surrogate", "surrogate.json",
					 "{\"a\": \"\xed\xa0\x80\"}", "byte offset 7");
	expect_error("UTF-16", "utf16.json", "\xff\xfe{\0}\0", 6,
				 "is encoded in UTF-16");
	is_int(load("bom.json", "\xef\xbb\xbf{\"a\": 1}", 11, false, &doc), TAP_OK,
		   "a UTF-8 byte order mark is skipped");
	json_decref(doc);
}

/*
 * test_syntax: truncated JSON, text that is neither, and where the
 * messages point.
 */
static void
test_syntax(void)
{
	json_t *doc;

	expect_error_str("truncated JSON", "trunc.json",
					 "{\"bookmarks\": {\"a\": [1, 2",
					 "could not parse state file");
	expect_error_str("truncated JSON position", "trunc.json",
					 "{\"bookmarks\": {\"a\": [1, 2", "line 1, column");
	expect_error_str("JSON garbage after", "garbage.json", "{\"a\": 1} x",
					 "end of file expected");
	expect_error_str("neither JSON nor YAML", "neither.yaml", "a: b: c\n",
					 "line 1, column 5: mapping values are not allowed in "
					 "this context");
	expect_error_str("YAML bad indentation", "indent.yaml",
					 "a:\n  b: 1\n c: 2\n", "line 3, column 2");
	expect_error_str("top-level array", "array.json", "[1, 2]",
					 "must contain a JSON object, not an array");
	expect_error_str("top-level string", "string.json", "\"x\"",
					 "must contain");
	expect_error_str("top-level null", "null.json", "null",
					 "must contain a mapping (an object), not null");
	expect_error_str("comments only", "comments.yaml", "# nothing\n",
					 "is empty (it holds only comments)");
	expect_error_str("top-level YAML list", "list.yaml", "- a\n- b\n",
					 "must contain a mapping (an object), not a sequence");
	expect_error_str("top-level YAML scalar", "scalar.yaml", "just some text\n",
					 "not a single value");
	expect_error_str("multiple YAML documents", "multi.yaml",
					 "a: 1\n---\nb: 2\n", "more than one YAML document");
	expect_error_str("JSON duplicate key", "dup.json",
					 "{\"a\": 1, \"b\": 2, \"a\": 3}", "duplicate");
	expect_error_str("YAML duplicate key", "dup.yaml", "a: 1\nb: 2\na: 3\n",
					 "line 3, column 1: duplicate key "
					 "\"a\"");
	expect_error_str("YAML undefined alias", "alias.yaml", "a: *nope\n",
					 "alias \"*nope\" refers to no anchor");
	expect_error_str("YAML complex key", "ckey.yaml", "? [a, b]\n: 1\n",
					 "a mapping key must be a scalar");
	expect_error_str("YAML unknown tag", "tag.yaml", "a: !vault x\n",
					 "unsupported YAML tag \"!vault\"");
	expect_error_str("YAML NUL escape", "nulesc.yaml", "a: \"x\\0y\"\n",
					 "NUL character");
	expect_error_str("YAML bad !!int", "badint.yaml", "a: !!int abc\n",
					 "tagged !!int");

	/* JSON that jansson rejects but YAML flow style accepts */
	is_int(load_str("flow.json", "{a: 1, b: [x, y],}", &doc), TAP_OK,
		   "YAML flow mapping starting with '{' loads");
	ok(json_integer_value(json_object_get(doc, "a")) == 1 &&
		   json_array_size(json_object_get(doc, "b")) == 2,
	   "YAML flow mapping: values");
	json_decref(doc);
}

/*
 * test_scalars: the YAML 1.2 core schema for plain scalars, and tags.
 */
static void
test_scalars(void)
{
	json_t *doc = NULL;
	TapStatus st;

	st = load_str("scalars.yaml",
				  "n1: null\nn2: ~\nn3:\nn4: NULL\n"
				  "b1: true\nb2: False\nb3: yes\n"
				  "i1: -42\ni2: 0x1F\ni3: 0o17\ni4: 007\n"
				  "big: 99999999999999999999\n"
				  "f1: 1.5\nf2: 1e3\nf3: -.5\ninf: .inf\n"
				  "s1: \"123\"\ns2: '~'\ns3: !!str 42\ns4: ! true\n"
				  "s5: |\n  line\n"
				  "t1: !!int \"17\"\nt2: !!float 2\n"
				  "date: 2024-01-02\n"
				  "host: db.example.com\n",
				  &doc);
	is_int(st, TAP_OK, "scalars document loads");
	if (doc == NULL)
		return;
#define GET(k) json_object_get(doc, k)
	ok(json_is_null(GET("n1")) && json_is_null(GET("n2")) &&
		   json_is_null(GET("n3")) && json_is_null(GET("n4")),
	   "null, ~, empty, NULL are null");
	ok(json_is_true(GET("b1")) && json_is_false(GET("b2")),
	   "true and False are booleans");
	is_str(json_string_value(GET("b3")), "yes", "yes is a string (1.2)");
	is_int(json_integer_value(GET("i1")), -42, "-42 is an integer");
	is_int(json_integer_value(GET("i2")), 31, "0x1F is 31");
	is_int(json_integer_value(GET("i3")), 15, "0o17 is 15");
	is_int(json_integer_value(GET("i4")), 7, "007 is 7 (1.2, not octal)");
	is_str(json_string_value(GET("big")), "99999999999999999999",
		   "an integer past int64 stays a string");
	ok(json_is_real(GET("f1")) && json_real_value(GET("f1")) == 1.5,
	   "1.5 is a real");
	ok(json_is_real(GET("f2")) && json_real_value(GET("f2")) == 1000.0,
	   "1e3 is a real");
	ok(json_is_real(GET("f3")) && json_real_value(GET("f3")) == -0.5,
	   "-.5 is a real");
	is_str(json_string_value(GET("inf")), ".inf", ".inf stays a string");
	is_str(json_string_value(GET("s1")), "123", "quoted digits: string");
	is_str(json_string_value(GET("s2")), "~", "quoted ~: string");
	is_str(json_string_value(GET("s3")), "42", "!!str 42: string");
	is_str(json_string_value(GET("s4")), "true", "! true: string");
	is_str(json_string_value(GET("s5")), "line\n", "literal block: string");
	is_int(json_integer_value(GET("t1")), 17, "!!int \"17\": integer");
	ok(json_is_real(GET("t2")), "!!float 2: real");
	is_str(json_string_value(GET("date")), "2024-01-02", "a date: string");
	is_str(json_string_value(GET("host")), "db.example.com",
		   "plain text: string");
#undef GET
	json_decref(doc);
}

/*
 * test_aliases: anchors, aliases and merge keys that expand reasonably
 * work; the "billion laughs" fails fast.
 */
static void
test_aliases(void)
{
	json_t *doc = NULL;
	json_t *prod;
	json_t *copy;
	TapStatus st;
	double t0;
	char *bomb;
	size_t n = 0;

	st = load_str("anchors.yaml",
				  "defaults: &d\n"
				  "  host: h\n"
				  "  port: 5432\n"
				  "extra: &e {sslmode: require}\n"
				  "prod:\n"
				  "  <<: *d\n"
				  "  port: 6543\n"
				  "both:\n"
				  "  <<: [*e, *d]\n"
				  "copy: *d\n"
				  "list: [&x 1, *x, *x]\n",
				  &doc);
	is_int(st, TAP_OK, "anchors, aliases, merge keys load");
	if (doc != NULL)
	{
		prod = json_object_get(doc, "prod");
		copy = json_object_get(doc, "copy");
		is_str(json_string_value(json_object_get(prod, "host")), "h",
			   "merge key brings host");
		is_int(json_integer_value(json_object_get(prod, "port")), 6543,
			   "an explicit key wins over a merged one");
		is_str(json_string_value(
				   json_object_get(json_object_get(doc, "both"), "sslmode")),
			   "require", "merge of a list of mappings");
		is_int(json_integer_value(json_object_get(copy, "port")), 5432,
			   "alias of a mapping");
		is_int((long long) json_array_size(json_object_get(doc, "list")), 3,
			   "alias of a scalar");
		json_object_set_new(copy, "port", json_integer(1));
		is_int(json_integer_value(
				   json_object_get(json_object_get(doc, "defaults"), "port")),
			   5432, "aliased nodes are copies, not shared");
		json_decref(doc);
	}

	/* the billion laughs: 9 levels of 9 aliases each */
	bomb = xmalloc(4096);
	n += (size_t) snprintf(bomb + n, 4096 - n,
						   "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
						   "\"lol\",\"lol\",\"lol\",\"lol\"]\n");
	for (char c = 'b'; c <= 'j'; c++)
		n += (size_t) snprintf(bomb + n, 4096 - n,
							   "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,"
							   "*%c]\n",
							   c, c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1,
							   c - 1, c - 1, c - 1);
	t0 = now_seconds();
	expect_error("billion laughs", "lol.yaml", bomb, n,
				 "expands to too many nodes (YAML aliases");
	ok(now_seconds() - t0 < 2.0, "billion laughs fails fast");

	/* the same in flow style, which is tried as JSON first */
	n = 0;
	n += (size_t) snprintf(bomb + n, 4096 - n, "{a: &a [x,x,x,x,x,x,x,x,x,x]");
	for (char c = 'b'; c <= 'j'; c++)
		n += (size_t) snprintf(bomb + n, 4096 - n,
							   ", %c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,"
							   "*%c]",
							   c, c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1,
							   c - 1, c - 1, c - 1, c - 1);
	n += (size_t) snprintf(bomb + n, 4096 - n, "}");
	t0 = now_seconds();
	expect_error("billion laughs, flow style", "lol.json", bomb, n,
				 "expands to too many nodes (YAML aliases");
	ok(now_seconds() - t0 < 2.0, "flow-style billion laughs fails fast");
	free(bomb);
}

/*
 * nested: "[[[...1...]]]" (JSON) with depth levels; returns owned.
 */
static char *
nested_json(size_t depth, size_t *len)
{
	char *s = xmalloc(2 * depth + 2);
	size_t n = 0;

	for (size_t i = 0; i < depth; i++)
		s[n++] = '[';
	s[n++] = '1';
	for (size_t i = 0; i < depth; i++)
		s[n++] = ']';
	s[n] = '\0';
	*len = n;
	return s;
}

/*
 * nested_yaml: "k:" followed by depth levels of "- " block sequences, the
 * whole under one mapping key; returns owned.
 */
static char *
nested_yaml(size_t depth, size_t *len)
{
	char *s = xmalloc(2 * depth + 16);
	size_t n = 0;

	memcpy(s, "k:\n ", 4);
	n = 4;
	for (size_t i = 0; i < depth; i++)
	{
		s[n++] = '-';
		s[n++] = ' ';
	}
	s[n++] = 'x';
	s[n++] = '\n';
	s[n] = '\0';
	*len = n;
	return s;
}

/*
 * test_depth: nesting past DOCLOAD_MAX_DEPTH fails cleanly, in JSON and
 * YAML, however deep; DOCLOAD_MAX_DEPTH itself is fine.
 */
static void
test_depth(void)
{
	json_t *doc;
	char *s;
	char *obj;
	size_t len;
	double t0;

	/* 511 arrays inside the top-level object: 512 levels in all */
	s = nested_json(DOCLOAD_MAX_DEPTH - 1, &len);
	obj = xmalloc(len + 16);
	snprintf(obj, len + 16, "{\"k\": %s}", s);
	is_int(load_str("deep512.json", obj, &doc), TAP_OK,
		   "JSON nested 512 levels loads");
	json_decref(doc);
	free(s);
	free(obj);

	s = nested_json(DOCLOAD_MAX_DEPTH, &len);
	obj = xmalloc(len + 16);
	snprintf(obj, len + 16, "{\"k\": %s}", s);
	expect_error_str("JSON nested 513 levels", "deep513.json", obj,
					 "nesting is too deep (the limit is 512 levels)");
	free(s);
	free(obj);

	s = nested_json(100000, &len);
	t0 = now_seconds();
	expect_error("JSON nested 100000 levels", "deep.json", s, len,
				 "nesting is too deep");
	ok(now_seconds() - t0 < 2.0, "JSON nested 100000 levels: fast");
	free(s);

	s = nested_yaml(DOCLOAD_MAX_DEPTH - 1, &len);
	is_int(load("deep512.yaml", s, len, false, &doc), TAP_OK,
		   "YAML nested 512 levels loads");
	json_decref(doc);
	free(s);

	s = nested_yaml(DOCLOAD_MAX_DEPTH, &len);
	expect_error("YAML nested 513 levels", "deep513.yaml", s, len,
				 "nesting is too deep (the limit is 512 levels)");
	free(s);

	s = nested_yaml(100000, &len);
	t0 = now_seconds();
	expect_error("YAML nested 100000 levels", "deep.yaml", s, len,
				 "nesting is too deep");
	ok(now_seconds() - t0 < 2.0, "YAML nested 100000 levels: fast");
	free(s);

	/* flow style in a YAML file: the same limit */
	s = nested_json(100000, &len);
	{
		char *y = xmalloc(len + 8);

		memcpy(y, "k: ", 3);
		memcpy(y + 3, s, len);
		y[len + 3] = '\n';
		expect_error("YAML flow nested 100000 levels", "deepflow.yaml", y,
					 len + 4, "nesting is too deep");
		free(y);
	}
	free(s);

	/* an alias that would carry a deep node deeper still */
	{
		char *y = xmalloc(4 * DOCLOAD_MAX_DEPTH + 64);
		size_t n = 0;

		n += (size_t) snprintf(y + n, 64, "a: &a ");
		for (int i = 0; i < DOCLOAD_MAX_DEPTH - 2; i++)
			y[n++] = '[';
		for (int i = 0; i < DOCLOAD_MAX_DEPTH - 2; i++)
			y[n++] = ']';
		n += (size_t) snprintf(y + n, 64, "\nb: [[*a]]\n");
		expect_error("alias expanding past the depth limit", "deepalias.yaml",
					 y, n, "nesting is too deep after alias expansion");
		free(y);
	}
}

/*
 * test_size: a file past DOCLOAD_MAX_BYTES is refused by its size, before
 * it is read (the sparse file would take a while to read).
 */
static void
test_size(void)
{
	char path[512];
	int fd;
	json_t *doc = NULL;
	TapStatus st;
	double t0;

	snprintf(path, sizeof path, "%s/huge.json", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 100 * 1024 * 1024) != 0)
	{
		ok(false, "cannot create a sparse file");
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	t0 = now_seconds();
	capture_begin();
	st = docload_file(path, "config", false, false, &doc);
	capture_end();
	is_int(st, TAP_ERR_INPUT, "100 MB file: TAP_ERR_INPUT");
	ok(strstr(captured, "config file \"") != NULL &&
		   strstr(captured, "huge.json\" is too large (104857600 bytes; the "
							"limit is 64 MiB)") != NULL,
	   "100 MB file: message");
	ok(now_seconds() - t0 < 0.5, "100 MB file: refused without reading");
	unlink(path);
}

/*
 * test_buffer: docload_buffer names the document as told.
 */
static void
test_buffer(void)
{
	json_t *doc = NULL;
	TapStatus st;

	capture_begin();
	st = docload_buffer("[]", 2, "<stdin>", "catalog", false, &doc);
	capture_end();
	ok(st == TAP_ERR_INPUT &&
		   strstr(captured, "catalog file \"<stdin>\" "
							"must contain a JSON object") != NULL,
	   "docload_buffer: message uses name and what");
	st = docload_buffer("{\"streams\": []}", 15, "c", "catalog", false, &doc);
	ok(st == TAP_OK && json_is_array(json_object_get(doc, "streams")),
	   "docload_buffer: JSON object");
	json_decref(doc);
}

/*
 * main: runs every group in a private temporary directory, removed at
 * the end.
 */
/*
 * test_bool: docload_bool, the one rule for booleans written as strings.
 */
static void
test_bool(void)
{
	static const struct
	{
		const char *json;
		int want; /* -1: not a boolean */
	} cases[] = {
		{"true", 1},     {"false", 0},    {"\"true\"", 1}, {"\"FALSE\"", 0},
		{"\"True\"", 1}, {"\"yes\"", -1}, {"1", -1},       {"0", -1},
		{"null", -1},    {"\"\"", -1},    {"[]", -1},      {"\" true\"", -1},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
	{
		json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		bool b = false;
		bool got = docload_bool(v, &b);
		char name[128];

		snprintf(name, sizeof name, "docload_bool(%s)", cases[i].json);
		if (cases[i].want < 0)
			ok(!got, name);
		else
			ok(got && b == (cases[i].want == 1), name);
		json_decref(v);
	}
}

/*
 * test_int_and_text: docload_int's accepted forms and range, and how
 * docload_value_text describes values (secrets by kind only).
 */
static void
test_int_and_text(void)
{
	static const struct
	{
		const char *json;
		long want; /* -1: rejected */
	} ints[] = {
		{"5432", 5432},  {"\"5432\"", 5432}, {"\"05433\"", 5433},
		{"0", -1},       {"65536", -1},      {"\"-1\"", -1},
		{"\"1e3\"", -1}, {"2.5", -1},        {"\" 7\"", -1},
		{"\"\"", -1},    {"true", -1},       {"\"99999999999999999999\"", -1},
	};
	static const struct
	{
		const char *json;
		bool secret;
		const char *want;
	} texts[] = {
		{"\"abc\"", false, "\"abc\""},
		{"\"abc\"", true, "a string"},
		{"\"a\\u0001b\"", false, "\"a?b\""},
		{"5432.0", false, "5432.0"},
		{"7", true, "a number"},
		{"[1]", false, "a list"},
		{"{}", false, "an object"},
		{"null", false, "null"},
		{"\"0123456789012345678901234567890123456789012345678901234567890123"
		 "\"",
		 false,
		 "\"012345678901234567890123456789012345678901234567890123456789"
		 "...\""},
	};
	char name[160];
	char buf[128];

	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
	{
		json_t *v = json_loads(ints[i].json, JSON_DECODE_ANY, NULL);
		long n = -1;
		bool got = docload_int(v, 1, 65535, &n);

		snprintf(name, sizeof name, "docload_int(%s) in 1..65535",
				 ints[i].json);
		if (ints[i].want < 0)
			ok(!got, name);
		else
			ok(got && n == ints[i].want, name);
		json_decref(v);
	}
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
	{
		json_t *v = json_loads(texts[i].json, JSON_DECODE_ANY, NULL);

		snprintf(name, sizeof name, "docload_value_text(%.40s%s)",
				 texts[i].json, texts[i].secret ? ", secret" : "");
		is_str(docload_value_text(v, texts[i].secret, buf, sizeof buf),
			   texts[i].want, name);
		json_decref(v);
	}
}

int
main(void)
{
	if (!tmpdir_make("test_docload"))
		return 1;

	test_empty();
	test_bad_text();
	test_syntax();
	test_scalars();
	test_aliases();
	test_depth();
	test_size();
	test_buffer();
	test_bool();
	test_int_and_text();

	log_fini();
	tmpdir_remove();
	return done_testing();
}
