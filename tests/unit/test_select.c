/*
 * test_select.c: select and metadata rules (select.h) against the
 * examples of Meltano's documentation: whole streams, single columns,
 * stream and column globs, exclusions (which win wherever they are in
 * the list), metadata rules (the later one wins), unsupported columns,
 * escaped dots, a catalog's explicit choices, and bad rules.
 *
 * Each case applies rules to the same small catalog and compares a
 * one-line summary of every stream: "id:S|-" (selected or not), then each
 * column as name=1 (selected), name=0 (deselected) or name=? (not set).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "tap.h"
#include "tap/buf.h"
#include "tap/log.h"
#include "tap/select.h"

/* users: id automatic, email, password; orders: id automatic, total,
 * updated_at, geom unsupported; order_items without column metadata;
 * a stream whose id has a dot */
static const char catalog_text[] =
	"{\"streams\": ["
	"{\"tap_stream_id\": \"public-users\", \"schema\": {\"properties\": "
	"{\"id\": {}, \"email\": {}, \"password\": {}}},"
	" \"metadata\": ["
	"{\"breadcrumb\": [], \"metadata\": {\"schema-name\": \"public\"}},"
	"{\"breadcrumb\": [\"properties\", \"id\"], \"metadata\": "
	"{\"inclusion\": \"automatic\"}},"
	"{\"breadcrumb\": [\"properties\", \"email\"], \"metadata\": "
	"{\"inclusion\": \"available\"}},"
	"{\"breadcrumb\": [\"properties\", \"password\"], \"metadata\": "
	"{\"inclusion\": \"available\"}}]},"
	"{\"tap_stream_id\": \"public-orders\", \"schema\": {\"properties\": "
	"{\"id\": {}, \"total\": {}, \"updated_at\": {}, \"geom\": {}}},"
	" \"metadata\": ["
	"{\"breadcrumb\": [], \"metadata\": {}},"
	"{\"breadcrumb\": [\"properties\", \"id\"], \"metadata\": "
	"{\"inclusion\": \"automatic\"}},"
	"{\"breadcrumb\": [\"properties\", \"total\"], \"metadata\": "
	"{\"inclusion\": \"available\"}},"
	"{\"breadcrumb\": [\"properties\", \"updated_at\"], \"metadata\": "
	"{\"inclusion\": \"available\"}},"
	"{\"breadcrumb\": [\"properties\", \"geom\"], \"metadata\": "
	"{\"inclusion\": \"unsupported\"}}]},"
	"{\"tap_stream_id\": \"public-order_items\", \"schema\": "
	"{\"properties\": {\"id\": {}, \"qty\": {}}},"
	" \"metadata\": [{\"breadcrumb\": [], \"metadata\": {}}]},"
	"{\"tap_stream_id\": \"app.v1-public-t\", \"schema\": {\"properties\": "
	"{\"id\": {}}}, \"metadata\": []}"
	"]}";

static json_t *
load_catalog(void)
{
	json_error_t err;
	json_t *c = json_loads(catalog_text, 0, &err);

	if (c == NULL)
	{
		printf("Bail out! test catalog: %s\n", err.text);
		exit(1);
	}
	return c;
}

/* md_of: the metadata object of breadcrumb [] (col NULL) or the column */
static json_t *
md_of(json_t *entry, const char *col)
{
	size_t i;
	json_t *item;

	json_array_foreach(json_object_get(entry, "metadata"), i, item)
	{
		json_t *bc = json_object_get(item, "breadcrumb");

		if (col == NULL && json_array_size(bc) == 0)
			return json_object_get(item, "metadata");
		if (col != NULL && json_array_size(bc) == 2 &&
			strcmp(json_string_value(json_array_get(bc, 1)), col) == 0)
			return json_object_get(item, "metadata");
	}
	return NULL;
}

static json_t *
stream_of(json_t *cat, const char *id)
{
	size_t i;
	json_t *entry;

	json_array_foreach(json_object_get(cat, "streams"), i, entry)
	{
		if (strcmp(json_string_value(json_object_get(entry, "tap_stream_id")),
				   id) == 0)
			return entry;
	}
	return NULL;
}

static char summary_text[2048];

/* summary: every stream and column's "selected", in one line */
static const char *
summary(json_t *cat)
{
	Buf b;
	size_t i;
	json_t *entry;

	buf_init(&b, 256);
	json_array_foreach(json_object_get(cat, "streams"), i, entry)
	{
		const char *col;
		json_t *schema;

		buf_printf(&b, "%s%s:%s", i ? " " : "",
				   json_string_value(json_object_get(entry, "tap_stream_id")),
				   select_stream_selected(entry) ? "S" : "-");
		json_object_foreach(
			json_object_get(json_object_get(entry, "schema"), "properties"),
			col, schema)
		{
			json_t *sel = json_object_get(md_of(entry, col), "selected");

			buf_printf(&b, " %s=%s", col,
					   sel == NULL         ? "?"
					   : json_is_true(sel) ? "1"
										   : "0");
		}
	}
	snprintf(summary_text, sizeof summary_text, "%s", buf_cstr(&b));
	buf_fini(&b);
	return summary_text;
}

/* run: rules (JSON texts, NULL for absent) applied to a fresh catalog */
static json_t *
run(const char *select_json, const char *metadata_json, json_t *cat,
	bool keep_explicit)
{
	json_t *sel = select_json ? json_loads(select_json, 0, NULL) : NULL;
	json_t *md = metadata_json ? json_loads(metadata_json, 0, NULL) : NULL;
	SelectRules r;

	if (cat == NULL)
		cat = load_catalog();
	if ((sel && select_check("c.json", "select", sel) != TAP_OK) ||
		(md && select_check("c.json", "metadata", md) != TAP_OK))
		printf("# rules rejected: %s %s\n", select_json, metadata_json);
	select_rules_build(sel, md, &r);
	select_apply(&r, cat, keep_explicit);
	select_rules_fini(&r);
	json_decref(sel);
	json_decref(md);
	return cat;
}

static void
sel_case(const char *select_json, const char *want, const char *name)
{
	json_t *cat = run(select_json, NULL, NULL, false);

	is_str(summary(cat), want, name);
	json_decref(cat);
}

static void
test_select(void)
{
	sel_case("[\"*.*\"]",
			 "public-users:S id=1 email=1 password=1 "
			 "public-orders:S id=1 total=1 updated_at=1 geom=0 "
			 "public-order_items:S id=1 qty=1 app.v1-public-t:S id=1",
			 "*.* selects every stream and column, never an unsupported one");
	sel_case("[\"public-users\"]",
			 "public-users:S id=1 email=1 password=1 "
			 "public-orders:- id=0 total=0 updated_at=0 geom=0 "
			 "public-order_items:- id=0 qty=0 app.v1-public-t:- id=0",
			 "a bare stream pattern selects the stream and all its columns; "
			 "the rest is deselected");
	sel_case("[\"public-users.*\"]",
			 "public-users:S id=1 email=1 password=1 "
			 "public-orders:- id=0 total=0 updated_at=0 geom=0 "
			 "public-order_items:- id=0 qty=0 app.v1-public-t:- id=0",
			 "stream.* is the same as the bare stream");
	sel_case("[\"public-users.*\", \"!public-users.password\"]",
			 "public-users:S id=1 email=1 password=0 "
			 "public-orders:- id=0 total=0 updated_at=0 geom=0 "
			 "public-order_items:- id=0 qty=0 app.v1-public-t:- id=0",
			 "!stream.column deselects one column, the stream stays");
	sel_case("[\"!public-users.password\", \"public-users.*\"]",
			 "public-users:S id=1 email=1 password=0 "
			 "public-orders:- id=0 total=0 updated_at=0 geom=0 "
			 "public-order_items:- id=0 qty=0 app.v1-public-t:- id=0",
			 "an exclude listed first still wins over a later include");
	sel_case("[\"public-orders.id\", \"public-orders.updated_at\"]",
			 "public-users:- id=0 email=0 password=0 "
			 "public-orders:S id=1 total=0 updated_at=1 geom=0 "
			 "public-order_items:- id=0 qty=0 app.v1-public-t:- id=0",
			 "column patterns alone select their stream and only those "
			 "columns");
	sel_case("[\"*.*\", \"!public-orders\"]",
			 "public-users:S id=1 email=1 password=1 "
			 "public-orders:- id=0 total=0 updated_at=0 geom=0 "
			 "public-order_items:S id=1 qty=1 app.v1-public-t:S id=1",
			 "!stream deselects the stream and its columns");
	sel_case("[\"*.*\", \"!public-orders.*\"]",
			 "public-users:S id=1 email=1 password=1 "
			 "public-orders:- id=0 total=0 updated_at=0 geom=0 "
			 "public-order_items:S id=1 qty=1 app.v1-public-t:S id=1",
			 "!stream.* is the same as !stream");
	sel_case("[\"public-*.id\"]",
			 "public-users:S id=1 email=0 password=0 "
			 "public-orders:S id=1 total=0 updated_at=0 geom=0 "
			 "public-order_items:S id=1 qty=0 app.v1-public-t:- id=0",
			 "a stream glob with a column name");
	sel_case("[\"public-order?\", \"*.*_at\"]",
			 "public-users:S id=0 email=0 password=0 "
			 "public-orders:S id=1 total=1 updated_at=1 geom=0 "
			 "public-order_items:S id=0 qty=0 app.v1-public-t:S id=0",
			 "? matches one character; a column glob over every stream "
			 "selects each stream");
	sel_case("[\"public-[ou]*.[ei]*\", \"!*.email\"]",
			 "public-users:S id=1 email=0 password=0 "
			 "public-orders:S id=1 total=0 updated_at=0 geom=0 "
			 "public-order_items:S id=1 qty=0 app.v1-public-t:- id=0",
			 "[...] classes, and a glob exclude over every stream");
	sel_case("[\"public-orders.geom\"]",
			 "public-users:- id=0 email=0 password=0 "
			 "public-orders:S id=0 total=0 updated_at=0 geom=0 "
			 "public-order_items:- id=0 qty=0 app.v1-public-t:- id=0",
			 "an unsupported column is never selected");
	sel_case("[\"app\\\\.v1-public-t\"]",
			 "public-users:- id=0 email=0 password=0 "
			 "public-orders:- id=0 total=0 updated_at=0 geom=0 "
			 "public-order_items:- id=0 qty=0 app.v1-public-t:S id=1",
			 "\\. is a literal dot in the stream pattern");
	sel_case("[\"PUBLIC-USERS\"]",
			 "public-users:- id=0 email=0 password=0 "
			 "public-orders:- id=0 total=0 updated_at=0 geom=0 "
			 "public-order_items:- id=0 qty=0 app.v1-public-t:- id=0",
			 "patterns are case-sensitive");
	sel_case("[]",
			 "public-users:- id=0 email=0 password=0 "
			 "public-orders:- id=0 total=0 updated_at=0 geom=0 "
			 "public-order_items:- id=0 qty=0 app.v1-public-t:- id=0",
			 "an empty select list selects nothing");
}

static void
test_metadata(void)
{
	json_t *cat;
	json_t *users, *orders;

	cat = run("[\"*.*\"]",
			  "{\"public-*\": {\"replication-method\": \"FULL_TABLE\"},"
			  " \"public-orders\": {\"replication-method\": \"INCREMENTAL\","
			  " \"replication-key\": \"updated_at\"},"
			  " \"public-users.email\": {\"custom\": 1},"
			  " \"public-users\": {\"password\": {\"selected\": false}},"
			  " \"*-order_items.qty\": {\"sql-datatype\": \"int\"}}",
			  NULL, false);
	users = stream_of(cat, "public-users");
	orders = stream_of(cat, "public-orders");
	is_str(json_string_value(
			   json_object_get(md_of(orders, NULL), "replication-method")),
		   "INCREMENTAL", "the later metadata rule wins for its stream");
	is_str(json_string_value(
			   json_object_get(md_of(orders, NULL), "replication-key")),
		   "updated_at", "replication-key set at the stream");
	is_str(json_string_value(
			   json_object_get(md_of(users, NULL), "replication-method")),
		   "FULL_TABLE", "the glob rule applies where no later rule does");
	is_int(json_integer_value(json_object_get(md_of(users, "email"), "custom")),
		   1, "stream.column rule sets a column key");
	ok(json_object_get(md_of(users, NULL), "custom") == NULL,
	   "... and not the stream's");
	is_str(json_string_value(json_object_get(
			   md_of(stream_of(cat, "public-order_items"), "qty"),
			   "sql-datatype")),
		   "int", "a missing column entry is created, then set");
	is_str(summary(cat),
		   "public-users:S id=1 email=1 password=0 "
		   "public-orders:S id=1 total=1 updated_at=1 geom=0 "
		   "public-order_items:S id=1 qty=1 app.v1-public-t:S id=1",
		   "nested {stream: {column: {selected: false}}} is a column rule "
		   "after the select rules");
	is_str(json_string_value(json_object_get(md_of(users, "id"), "inclusion")),
		   "automatic", "other keys are left alone");
	json_decref(cat);

	cat = run(NULL, "{\"public-orders\": {\"replication-method\": \"X\"}}",
			  NULL, false);
	is_str(summary(cat),
		   "public-users:- id=? email=? password=? "
		   "public-orders:- id=? total=? updated_at=? geom=? "
		   "public-order_items:- id=? qty=? app.v1-public-t:- id=?",
		   "metadata rules alone select nothing and deselect nothing");
	json_decref(cat);
}

static void
test_explicit(void)
{
	json_t *cat = load_catalog();
	json_t *users = stream_of(cat, "public-users");
	json_t *orders = stream_of(cat, "public-orders");

	/* the user's catalog: users explicitly off, orders' method and one
	 * column explicitly set, the legacy underscore spelling on items */
	json_object_set_new(md_of(users, NULL), "selected", json_false());
	json_object_set_new(md_of(orders, NULL), "replication-method",
						json_string("FULL_TABLE"));
	json_object_set_new(md_of(orders, "total"), "selected", json_false());
	json_object_set_new(md_of(stream_of(cat, "public-order_items"), NULL),
						"replication_key", json_string("id"));
	run("[\"*.*\"]",
		"{\"*\": {\"replication-method\": \"INCREMENTAL\","
		" \"replication-key\": \"updated_at\"}}",
		cat, true);
	is_str(summary(cat),
		   "public-users:- id=? email=? password=? "
		   "public-orders:S id=1 total=0 updated_at=1 geom=0 "
		   "public-order_items:S id=1 qty=1 app.v1-public-t:S id=1",
		   "with a catalog, its explicit stream and column choices win");
	is_str(json_string_value(
			   json_object_get(md_of(orders, NULL), "replication-method")),
		   "FULL_TABLE", "the catalog's replication-method wins");
	is_str(json_string_value(
			   json_object_get(md_of(orders, NULL), "replication-key")),
		   "updated_at", "a key the catalog does not set comes from the rules");
	ok(json_object_get(md_of(stream_of(cat, "public-order_items"), NULL),
					   "replication-key") == NULL,
	   "the underscore spelling counts as set");
	json_decref(cat);
}

static void
bad(const char *key, const char *json, const char *want, const char *name)
{
	json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
	TapStatus st;
	const char *err;

	capture_begin();
	st = select_check("c.yml", key, v);
	err = capture_end();
	is_int(st, TAP_ERR_INPUT, name);
	if (!ok(strstr(err, want) != NULL, "... message"))
		printf("# want: %s\n# got: %s", want, err);
	json_decref(v);
}

static void
test_bad(void)
{
	bad("select", "\"*.*\"",
		"CRITICAL config file \"c.yml\": key \"select\" must be a list of "
		"patterns",
		"select as a string");
	bad("select", "[\"*.*\", 5]",
		"key \"select\": item 2 must be a pattern string", "a number item");
	bad("select", "[\"\"]", "key \"select\": item 1 (\"\") is empty",
		"an empty pattern");
	bad("select", "[\"a\", \"!\"]", "key \"select\": item 2 (\"!\") is empty",
		"a lone !");
	bad("select", "[\".id\"]",
		"item 1 (\".id\") has an empty stream pattern before the dot",
		"no stream pattern");
	bad("select", "[\"users.\"]",
		"item 1 (\"users.\") has an empty column pattern after the dot",
		"no column pattern");
	bad("metadata", "[\"a\"]",
		"CRITICAL config file \"c.yml\": key \"metadata\" must be an object",
		"metadata as a list");
	bad("metadata", "{\"public-orders\": \"INCREMENTAL\"}",
		"key \"metadata\": rule \"public-orders\" must map to an object of "
		"metadata keys",
		"a rule that is not an object");
	bad("metadata", "{\"\": {\"a\": 1}}", "rule \"\" has an empty key",
		"an empty stream pattern");
	bad("metadata", "{\"x\": {\"\": 1}}", "rule \"x\" has an empty key",
		"an empty metadata key");
	{
		json_t *v = json_loads("[\"*.*\", \"!a.b\"]", 0, NULL);

		capture_begin();
		is_int(select_check("c.yml", "select", v), TAP_OK, "good rules pass");
		is_str(capture_end(), "", "... silently");
		json_decref(v);
	}
}

int
main(void)
{
	tmpdir_make("test_select");
	test_select();
	test_metadata();
	test_explicit();
	test_bad();
	tmpdir_remove();
	log_fini();
	return done_testing();
}
