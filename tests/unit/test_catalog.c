/*
 * test_catalog.c: an input catalog -> the streams to sync.
 *
 * Each case writes a catalog into a private temporary directory and loads
 * it with stderr captured. Accepted catalogs are compared field by field
 * (every stream, every column's flags); rejected ones by status and the
 * whole CRITICAL line, which names the file, the stream and the key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "tap.h"
#include "tap/catalog.h"
#include "tap/log.h"
#include "tap/method.h"

/* a column schema for each of the four columns the streams below use */
#define PROPS                                                                  \
	"\"properties\":{\"id\":{\"type\":[\"integer\"]},"                         \
	"\"a\":{\"type\":[\"null\",\"string\"]},"                                  \
	"\"b\":{\"type\":[\"null\",\"string\"],\"format\":\"date-time\"},"         \
	"\"c\":{}}"

/*
 * stream: one catalog entry with id, root metadata {selected: true,
 * schema-name: public, database-name: db} plus root_extra, column
 * metadata col_md (each ",{...}"), and top-level top_extra (",...").
 * Returns a static buffer; copy before the next call.
 */
static const char *
stream(const char *id, const char *table, const char *root_extra,
	   const char *col_md, const char *top_extra)
{
	static char text[4096];

	snprintf(text, sizeof text,
			 "{\"tap_stream_id\":\"%s\",\"table_name\":\"%s\","
			 "\"stream\":\"%s\",\"schema\":{\"type\":\"object\"," PROPS "},"
			 "\"metadata\":[{\"breadcrumb\":[],\"metadata\":{"
			 "\"schema-name\":\"public\",\"database-name\":\"db\"%s}}%s]%s}",
			 id, table, table, root_extra, col_md, top_extra);
	return text;
}

/* load: catalog {"streams":[streams]} from tmpdir/name, stderr captured */
static TapStatus
load(const char *name, const char *streams, const TapConfig *cfg, Catalog *out)
{
	char text[16384];
	const char *path;
	TapStatus st;

	snprintf(text, sizeof text, "{\"streams\":[%s]}", streams);
	path = write_bytes(name, text, strlen(text));
	capture_begin();
	st = catalog_load(path, cfg, out);
	capture_end();
	return st;
}

/* cols_text: "name:flags" for each column; flags e(mit) a(utomatic)
 * u(nsupported), or - for none; then the key properties */
static const char *
cols_text(const StreamSpec *s)
{
	static char text[1024];
	size_t off = 0;
	char *keys;

	for (size_t i = 0; i < s->ncols; i++)
	{
		const StreamColumn *c = &s->cols[i];

		off += (size_t) snprintf(
			text + off, sizeof text - off, "%s%s:%s%s%s%s", i ? " " : "",
			c->name, c->emit ? "e" : "", c->automatic ? "a" : "",
			c->unsupported ? "u" : "",
			c->emit || c->automatic || c->unsupported ? "" : "-");
	}
	keys = json_dumps(s->key_properties, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(text + off, sizeof text - off, " keys=%s", keys ? keys : "NULL");
	free(keys);
	return text;
}

/* spec_text: the stream's names and replication settings in one line */
static const char *
spec_text(const StreamSpec *s)
{
	static char text[1024];

	snprintf(text, sizeof text, "%s stream=%s table=%s schema=%s db=%s%s %s %s",
			 s->tap_stream_id, s->stream, s->table_name, s->schema_name,
			 s->database_name ? s->database_name : "NULL",
			 s->is_view ? " view" : "", method_name(s->method),
			 s->replication_key ? s->replication_key : "-");
	return text;
}

static void
test_selection(void)
{
	TapConfig cfg = {0};
	Catalog c;
	char streams[16384];
	TapStatus st;

	snprintf(streams, sizeof streams, "%s,",
			 stream("db-public-z", "z", "", "", ""));
	strcat(streams,
		   stream("db-public-off", "off", ",\"selected\":false", "", ""));
	strcat(streams, ",");
	strcat(streams, stream("db-public-none", "none", "", "", ""));
	strcat(streams, ",");
	strcat(streams,
		   stream("db-public-str", "str", ",\"selected\":\"True\"", "", ""));
	strcat(streams, ",");
	strcat(streams, stream("db-public-a", "a", ",\"selected\":true",
						   ",{\"breadcrumb\":[\"properties\",\"id\"],"
						   "\"metadata\":{\"inclusion\":\"automatic\","
						   "\"selected\":false}}"
						   ",{\"breadcrumb\":[\"properties\",\"a\"],"
						   "\"metadata\":{\"selected\":\"false\","
						   "\"sql-datatype\":\"text\"}}"
						   ",{\"breadcrumb\":[\"properties\",\"b\"],"
						   "\"metadata\":{\"inclusion\":\"unsupported\","
						   "\"selected\":true}}",
						   ""));
	/* "z" is not selected: its root metadata has no "selected" */
	st = load("select.json", streams, &cfg, &c);
	is_int(st, TAP_OK, "selection: loads");
	is_int((long long) c.n, 2, "selection: two streams selected");
	if (c.n == 2)
	{
		is_str(c.streams[0].tap_stream_id, "db-public-a",
			   "selected true; streams sorted by id");
		is_str(c.streams[1].tap_stream_id, "db-public-str",
			   "selected \"True\" (a string) counts as true");
		is_str(cols_text(&c.streams[0]), "id:ea a:- b:u c:u keys=[]",
			   "columns: automatic always, \"false\" not, unsupported and "
			   "empty schema never");
		is_str(c.streams[0].cols[1].sql_datatype, "text",
			   "a column's sql-datatype is kept");
		ok(c.streams[0].cols[0].sql_datatype == NULL, "no sql-datatype: NULL");
		is_str(cols_text(&c.streams[1]), "id:e a:e b:e c:u keys=[]",
			   "columns without metadata are emitted unless unsupported");
	}
	catalog_fini(&c);
	ok(c.streams == NULL && c.n == 0, "catalog_fini empties the catalog");
}

/* one_stream: loads a catalog of one stream and returns its spec line */
static const char *
one_stream(const char *name, const char *entry, const TapConfig *cfg,
		   char *cols, size_t cols_len)
{
	static char text[1024];
	Catalog c;
	TapStatus st = load(name, entry, cfg, &c);

	if (st != TAP_OK || c.n != 1)
		snprintf(text, sizeof text, "status %d, %zu streams: %.900s", (int) st,
				 c.n, captured);
	else
	{
		snprintf(text, sizeof text, "%s", spec_text(&c.streams[0]));
		if (cols != NULL)
			snprintf(cols, cols_len, "%s", cols_text(&c.streams[0]));
	}
	catalog_fini(&c);
	return text;
}

static void
test_replication_settings(void)
{
	TapConfig cfg = {0};
	TapConfig incr = {0};
	TapConfig named = {0};
	char cols[1024];
	const char *sel = ",\"selected\":true";
	char root[512];

	is_str(one_stream("m0.json", stream("db-public-t", "t", sel, "", ""), &cfg,
					  NULL, 0),
		   "db-public-t stream=t table=t schema=public db=db FULL_TABLE -",
		   "no method anywhere: FULL_TABLE");

	snprintf(root, sizeof root,
			 "%s,\"replication-method\":\"INCREMENTAL\","
			 "\"replication-key\":\"b\"",
			 sel);
	is_str(one_stream("m1.json",
					  stream("db-public-t", "t", root,
							 ",{\"breadcrumb\":[\"properties\",\"b\"],"
							 "\"metadata\":{\"selected\":false}}",
							 ""),
					  &cfg, cols, sizeof cols),
		   "db-public-t stream=t table=t schema=public db=db INCREMENTAL b",
		   "root metadata replication-method and replication-key");
	is_str(cols, "id:e a:e b:e c:u keys=[]",
		   "the replication key is emitted even when deselected");

	snprintf(root, sizeof root,
			 "%s,\"replication_method\":\"INCREMENTAL\","
			 "\"replication_key\":\"a\"",
			 sel);
	is_str(one_stream("m2.json", stream("db-public-t", "t", root, "", ""), &cfg,
					  NULL, 0),
		   "db-public-t stream=t table=t schema=public db=db INCREMENTAL a",
		   "underscore spellings in root metadata");

	is_str(one_stream("m3.json",
					  stream("db-public-t", "t", sel, "",
							 ",\"replication_method\":\"INCREMENTAL\","
							 "\"replication_key\":\"id\""),
					  &cfg, NULL, 0),
		   "db-public-t stream=t table=t schema=public db=db INCREMENTAL id",
		   "legacy top-level replication_method and replication_key");

	snprintf(root, sizeof root,
			 "%s,\"replication-method\":\"FULL_TABLE\","
			 "\"replication_method\":\"INCREMENTAL\"",
			 sel);
	is_str(one_stream("m4.json",
					  stream("db-public-t", "t", root, "",
							 ",\"replication_method\":\"INCREMENTAL\""),
					  &cfg, NULL, 0),
		   "db-public-t stream=t table=t schema=public db=db FULL_TABLE -",
		   "the hyphen spelling wins over the others");

	snprintf(root, sizeof root, "%s,\"replication-method\":null", sel);
	is_str(one_stream("m5.json",
					  stream("db-public-t", "t", root, "",
							 ",\"replication_method\":\"INCREMENTAL\","
							 "\"replication_key\":\"a\""),
					  &cfg, NULL, 0),
		   "db-public-t stream=t table=t schema=public db=db INCREMENTAL a",
		   "a null setting falls through to the next spelling");

	incr.default_replication_method = (char *) "INCREMENTAL";
	snprintf(root, sizeof root, "%s,\"replication-key\":\"a\"", sel);
	is_str(one_stream("m6.json", stream("db-public-t", "t", root, "", ""),
					  &incr, NULL, 0),
		   "db-public-t stream=t table=t schema=public db=db INCREMENTAL a",
		   "the config's default_replication_method when none is set");

	snprintf(root, sizeof root,
			 "%s,\"replication-method\":\"FULL_TABLE\","
			 "\"replication-key\":\"a\"",
			 sel);
	is_str(one_stream("m7.json", stream("db-public-t", "t", root, "", ""),
					  &incr, NULL, 0),
		   "db-public-t stream=t table=t schema=public db=db FULL_TABLE -",
		   "the catalog's method wins over the config default; a FULL_TABLE "
		   "stream keeps no replication key");

	named.include_schemas_in_destination_stream_name = true;
	is_str(one_stream("m8.json", stream("db-public-t", "t", sel, "", ""),
					  &named, NULL, 0),
		   "db-public-t stream=public__t table=t schema=public db=db "
		   "FULL_TABLE -",
		   "include_schemas_in_destination_stream_name: <schema>__<table>");
}

static void
test_key_properties(void)
{
	TapConfig cfg = {0};
	char cols[1024];

	is_str(one_stream("k1.json",
					  stream("db-public-v", "v",
							 ",\"selected\":true,\"is-view\":true,"
							 "\"view-key-properties\":[\"a\"],"
							 "\"table-key-properties\":[\"id\"]",
							 ",{\"breadcrumb\":[\"properties\",\"a\"],"
							 "\"metadata\":{\"selected\":false}}",
							 ""),
					  &cfg, cols, sizeof cols),
		   "db-public-v stream=v table=v schema=public db=db view FULL_TABLE -",
		   "a view");
	is_str(cols, "id:e a:e b:e c:u keys=[\"a\"]",
		   "a view's keys are its view-key-properties, emitted even when "
		   "deselected");

	is_str(one_stream("k2.json",
					  stream("db-public-t", "t",
							 ",\"selected\":true,"
							 "\"view-key-properties\":[\"a\"],"
							 "\"table-key-properties\":[\"id\",\"b\"]",
							 "", ""),
					  &cfg, cols, sizeof cols),
		   "db-public-t stream=t table=t schema=public db=db FULL_TABLE -",
		   "a table");
	is_str(cols, "id:e a:e b:e c:u keys=[\"id\",\"b\"]",
		   "a table's keys are its table-key-properties");

	one_stream("k3.json",
			   stream("db-public-v", "v", ",\"selected\":true,\"is-view\":true",
					  "", ",\"key_properties\":[\"b\"]"),
			   &cfg, cols, sizeof cols);
	is_str(cols, "id:e a:e b:e c:u keys=[\"b\"]",
		   "no key metadata: the legacy top-level key_properties");

	one_stream("k4.json",
			   stream("db-public-v", "v",
					  ",\"selected\":\"true\",\"is-view\":\"true\","
					  "\"table-key-properties\":[\"id\"]",
					  "", ""),
			   &cfg, cols, sizeof cols);
	is_str(cols, "id:e a:e b:e c:u keys=[]",
		   "a view ignores table-key-properties (is-view \"true\" as a "
		   "string)");
}

/* bad: a rejected catalog: TAP_ERR_INPUT, nothing kept, the whole line */
static void
bad(const char *name, const char *streams, const char *detail)
{
	TapConfig cfg = {0};
	Catalog c = {(StreamSpec *) 1, 99};
	char want[1024];
	char t[300];
	TapStatus st = load(name, streams, &cfg, &c);

	snprintf(want, sizeof want, "CRITICAL catalog file \"%s/%s\"%s\n", tmpdir,
			 name, detail);
	snprintf(t, sizeof t, "%s: TAP_ERR_INPUT, an empty catalog", name);
	ok(st == TAP_ERR_INPUT && c.streams == NULL && c.n == 0, t);
	snprintf(t, sizeof t, "%s: one CRITICAL line naming file, stream, key",
			 name);
	is_str(captured, want, t);
}

static void
test_errors(void)
{
	const char *sel = ",\"selected\":true";
	char root[512];
	char two[8192];
	TapConfig cfg = {0};
	Catalog c;
	TapStatus st;
	char want[600];
	char detail[600];

	/* the document itself */
	write_bytes("nostreams.json", "{\"stream\":[]}", 13);
	snprintf(want, sizeof want,
			 "CRITICAL catalog file \"%s/nostreams.json\" has no \"streams\" "
			 "list; is it the output of --discover?\n",
			 tmpdir);
	{
		char path[512];

		snprintf(path, sizeof path, "%s/nostreams.json", tmpdir);
		capture_begin();
		st = catalog_load(path, &cfg, &c);
		capture_end();
	}
	ok(st == TAP_ERR_INPUT && c.n == 0, "no \"streams\": TAP_ERR_INPUT");
	is_str(captured, want, "no \"streams\": the message");

	bad("noid.json", "{\"metadata\":[]}",
		": stream #1 has no \"tap_stream_id\"");
	bad("notobj.json", "[]", ": stream #1 has no \"tap_stream_id\"");
	bad("nomd.json", "{\"tap_stream_id\":\"db-public-t\"}",
		": stream \"db-public-t\" has no \"metadata\" list");
	bad("noprops.json",
		"{\"tap_stream_id\":\"db-public-t\",\"metadata\":[{\"breadcrumb\":[],"
		"\"metadata\":{\"selected\":true}}],\"schema\":{}}",
		": stream \"db-public-t\" has no \"schema\" with \"properties\"");
	bad("noschemaname.json",
		"{\"tap_stream_id\":\"db-public-t\",\"table_name\":\"t\","
		"\"metadata\":[{\"breadcrumb\":[],\"metadata\":{\"selected\":true}}],"
		"\"schema\":{" PROPS "}}",
		": stream \"db-public-t\" lacks the root metadata \"schema-name\"; "
		"run --discover again and select from its output");
	bad("notable.json",
		"{\"tap_stream_id\":\"db-public-t\",\"metadata\":[{\"breadcrumb\":[],"
		"\"metadata\":{\"selected\":true,\"schema-name\":\"public\"}}],"
		"\"schema\":{" PROPS "}}",
		": stream \"db-public-t\" lacks \"table_name\"; run --discover again "
		"and select from its output");

	snprintf(root, sizeof root, "%s,\"replication-method\":\"LOG_BASED\"", sel);
	/* the methods this tap has are listed by method_list() */
	snprintf(detail, sizeof detail,
			 ": stream \"db-public-t\" asks for LOG_BASED replication, which "
			 "this tap does not support (Heroku Postgres does not offer "
			 "logical replication to its users); use %s",
			 method_list());
	bad("logbased.json", stream("db-public-t", "t", root, "", ""), detail);
	snprintf(root, sizeof root, "%s,\"replication-method\":\"full_table\"",
			 sel);
	snprintf(detail, sizeof detail,
			 ": stream \"db-public-t\" has replication method "
			 "\"full_table\"; expected %s",
			 method_list());
	bad("method.json", stream("db-public-t", "t", root, "", ""), detail);
	snprintf(root, sizeof root, "%s,\"replication-key\":[\"a\"]", sel);
	bad("rkeytype.json", stream("db-public-t", "t", root, "", ""),
		": stream \"db-public-t\": \"replication-key\" must be a column name");
	snprintf(root, sizeof root, "%s,\"replication-method\":\"INCREMENTAL\"",
			 sel);
	bad("norkey.json", stream("db-public-t", "t", root, "", ""),
		": stream \"db-public-t\" is INCREMENTAL but names no "
		"\"replication-key\"");
	snprintf(root, sizeof root,
			 "%s,\"replication-method\":\"INCREMENTAL\","
			 "\"replication-key\":\"\"",
			 sel);
	bad("emptyrkey.json", stream("db-public-t", "t", root, "", ""),
		": stream \"db-public-t\" is INCREMENTAL but names no "
		"\"replication-key\"");
	snprintf(root, sizeof root,
			 "%s,\"replication-method\":\"INCREMENTAL\","
			 "\"replication-key\":\"nope\"",
			 sel);
	bad("rkeycol.json", stream("db-public-t", "t", root, "", ""),
		": stream \"db-public-t\": replication key \"nope\" is not a column "
		"of the stream");
	snprintf(root, sizeof root,
			 "%s,\"replication-method\":\"INCREMENTAL\","
			 "\"replication-key\":\"c\"",
			 sel);
	bad("rkeyunsup.json", stream("db-public-t", "t", root, "", ""),
		": stream \"db-public-t\": replication key \"c\" has an unsupported "
		"type");
	snprintf(root, sizeof root, "%s,\"table-key-properties\":\"id\"", sel);
	bad("keysstr.json", stream("db-public-t", "t", root, "", ""),
		": stream \"db-public-t\": \"table-key-properties\" must be a list of "
		"column names");
	snprintf(root, sizeof root,
			 "%s,\"is-view\":true,\"view-key-properties\":[1]", sel);
	bad("viewkeys.json", stream("db-public-v", "v", root, "", ""),
		": stream \"db-public-v\": \"view-key-properties\" must be a list of "
		"column names");
	snprintf(root, sizeof root, "%s,\"table-key-properties\":[\"id\",\"x\"]",
			 sel);
	bad("keycol.json", stream("db-public-t", "t", root, "", ""),
		": stream \"db-public-t\": key property \"x\" is not a column of the "
		"stream");

	snprintf(two, sizeof two, "%s,", stream("db-public-t", "t", sel, "", ""));
	strcat(two, stream("db-public-t", "t2", sel, "", ""));
	bad("twice.json", two, ": stream \"db-public-t\" appears twice");

	/* a bad stream after a good one: the good one is freed too (ASan) */
	snprintf(two, sizeof two, "%s,", stream("db-public-a", "a", sel, "", ""));
	snprintf(root, sizeof root, "%s,\"replication-method\":\"SOMETIMES\"", sel);
	strcat(two, stream("db-public-b", "b", root, "", ""));
	snprintf(detail, sizeof detail,
			 ": stream \"db-public-b\" has replication method \"SOMETIMES\"; "
			 "expected %s",
			 method_list());
	bad("second.json", two, detail);

	/* an unselected stream is not checked */
	snprintf(root, sizeof root, ",\"replication-method\":\"SOMETIMES\"");
	st = load("unselected.json", stream("db-public-t", "t", root, "", ""), &cfg,
			  &c);
	ok(st == TAP_OK && c.n == 0 && captured[0] == '\0',
	   "an unselected stream with a bad method is ignored");
	catalog_fini(&c);
}

static void
test_from_json(void)
{
	TapConfig cfg = {0};
	Catalog c;
	json_t *doc = json_loads(
		"{\"streams\":[{\"tap_stream_id\":\"x-public-s\",\"stream\":\"s\","
		"\"schema\":{\"properties\":{\"id\":{\"type\":[\"integer\"]}}},"
		"\"metadata\":[{\"breadcrumb\":[],\"metadata\":{\"selected\":true,"
		"\"schema-name\":\"public\"}}]}]}",
		0, NULL);
	TapStatus st;

	capture_begin();
	st = catalog_from_json(doc, "mem.json", &cfg, &c);
	capture_end();
	is_int(st, TAP_OK, "catalog_from_json on a parsed document");
	if (c.n == 1)
	{
		is_str(spec_text(&c.streams[0]),
			   "x-public-s stream=s table=s schema=public db=NULL FULL_TABLE -",
			   "table_name falls back to \"stream\"; no database-name: NULL");
		ok(c.streams[0].schema ==
			   json_object_get(
				   json_array_get(json_object_get(doc, "streams"), 0),
				   "schema"),
		   "the stream's schema is the catalog's own (a reference)");
	}
	else
		ok(false, "one stream");
	catalog_fini(&c);
	json_decref(doc);
}

int
main(void)
{
	if (!tmpdir_make("test_catalog"))
		return 1;

	test_selection();
	test_replication_settings();
	test_key_properties();
	test_errors();
	test_from_json();

	log_fini();
	tmpdir_remove();
	return done_testing();
}
