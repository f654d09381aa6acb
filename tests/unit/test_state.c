/*
 * test_state.c: loading the state document and the calls sync makes on it.
 *
 * Each case writes a file into a private temporary directory, loads it
 * with stderr captured, and compares the whole resulting document (as
 * compact JSON, keys in order) and the whole log line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "tap.h"
#include "tap/log.h"
#include "tap/state.h"

/* dump: compact JSON of v, keys in their order (static, for is_str) */
static const char *
dump(const json_t *v)
{
	static char text[4096];
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	snprintf(text, sizeof text, "%s", s ? s : "(null)");
	free(s);
	return text;
}

/*
 * load: writes text (NULL: no file) to tmpdir/name and loads it; the
 * document as compact JSON goes to *doc_text, the log to the caller via
 * captured[].
 */
static TapStatus
load(const char *name, const char *text, char *doc_text, size_t doc_len)
{
	char path[512];
	json_t *state = NULL;
	TapStatus st;

	if (text != NULL)
		snprintf(path, sizeof path, "%s",
				 write_bytes(name, text, strlen(text)));
	else
		snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	capture_begin();
	st = state_load(path, &state);
	capture_end();
	snprintf(doc_text, doc_len, "%s", state ? dump(state) : "(null)");
	json_decref(state);
	return st;
}

static void
test_empty(void)
{
	char doc[4096];
	json_t *state = NULL;
	TapStatus st;

	capture_begin();
	st = state_load(NULL, &state);
	capture_end();
	ok(st == TAP_OK && captured[0] == '\0', "no --state: TAP_OK, no log");
	is_str(dump(state), "{}", "no --state gives {}");
	json_decref(state);

	st = load("missing.json", NULL, doc, sizeof doc);
	ok(st == TAP_OK && captured[0] == '\0', "a missing file: TAP_OK, no log");
	is_str(doc, "{}", "a missing file gives {}");

	st = load("empty.json", "", doc, sizeof doc);
	ok(st == TAP_OK && captured[0] == '\0', "an empty file: TAP_OK, no log");
	is_str(doc, "{}", "an empty file gives {}");

	st = load("blank.json", " \n\t\n", doc, sizeof doc);
	is_str(doc, "{}", "an all-blank file gives {}");
}

static void
test_whole_state(void)
{
	char doc[4096];
	char want_log[600];
	TapStatus st;

	st = load("msg.json",
			  "{\"type\":\"STATE\",\"value\":{\"bookmarks\":{\"db-public-t\":"
			  "{\"version\":7,\"replication_key_value\":\"2020-01-01\"}},"
			  "\"currently_syncing\":\"db-public-t\"}}",
			  doc, sizeof doc);
	is_int(st, TAP_OK, "a whole STATE message is accepted");
	is_str(doc,
		   "{\"bookmarks\":{\"db-public-t\":{\"version\":7,"
		   "\"replication_key_value\":\"2020-01-01\"}},"
		   "\"currently_syncing\":\"db-public-t\"}",
		   "a whole STATE message gives its value");
	snprintf(want_log, sizeof want_log,
			 "INFO state file \"%s/msg.json\" holds a STATE message; using "
			 "its value\n",
			 tmpdir);
	is_str(captured, want_log, "and says so once, naming the file");

	st = load("notmsg.json", "{\"type\":\"STATE\",\"value\":3}", doc,
			  sizeof doc);
	is_int(st, TAP_OK, "type STATE with a non-object value is a plain state");
	is_str(doc, "{\"type\":\"STATE\",\"value\":3}",
		   "and is kept as written (unknown keys)");
}

static void
test_carried_through(void)
{
	char doc[4096];
	TapStatus st;
	const char *text =
		"{\"bookmarks\":{\"db-public-a\":{\"version\":1,\"xmin\":\"9\"},"
		"\"other-public-b\":{\"lsn\":123,\"custom\":[1,{\"x\":null}]}},"
		"\"currently_syncing\":null,\"extra\":{\"k\":[true,1.5]},"
		"\"z\":\"last\"}";

	st = load("full.json", text, doc, sizeof doc);
	is_int(st, TAP_OK, "a state with unknown keys loads");
	is_str(doc, text,
		   "unknown keys and other streams' bookmarks are carried through "
		   "in order");
	is_str(captured, "", "without a log line");

	st = load("nullbm.json", "{\"bookmarks\":null,\"a\":1}", doc, sizeof doc);
	is_int(st, TAP_OK, "\"bookmarks\": null loads");
	is_str(doc, "{\"a\":1}", "\"bookmarks\": null is dropped");

	st = load("yaml.yml", "bookmarks:\n  db-public-t:\n    version: 3\n", doc,
			  sizeof doc);
	is_int(st, TAP_OK, "a YAML state loads");
	is_str(doc, "{\"bookmarks\":{\"db-public-t\":{\"version\":3}}}",
		   "a YAML state gives the same document as JSON");
}

/* bad: a shape error: TAP_ERR_INPUT and exactly the one CRITICAL line */
static void
bad(const char *name, const char *text, const char *detail)
{
	char doc[4096];
	char want[800];
	char t[300];
	TapStatus st = load(name, text, doc, sizeof doc);

	snprintf(want, sizeof want, "CRITICAL state file \"%s/%s\"%s\n", tmpdir,
			 name, detail);
	snprintf(t, sizeof t, "%s: TAP_ERR_INPUT and no document", name);
	ok(st == TAP_ERR_INPUT && strcmp(doc, "(null)") == 0, t);
	snprintf(t, sizeof t, "%s: one CRITICAL line naming the file and key",
			 name);
	is_str(captured, want, t);
}

static void
test_shape_errors(void)
{
	json_t *state = (json_t *) 1;
	TapStatus st;

	bad("bm_list.json", "{\"bookmarks\":[]}",
		": \"bookmarks\" must be an object");
	bad("bm_string.json", "{\"bookmarks\":\"x\"}",
		": \"bookmarks\" must be an object");
	bad("bm_stream.json",
		"{\"bookmarks\":{\"db-public-a\":{},\"db-public-b\":[1]}}",
		": the bookmark of stream \"db-public-b\" must be an object");
	bad("cs_number.json", "{\"currently_syncing\":5}",
		": \"currently_syncing\" must be a stream id or null");
	bad("cs_object.json", "{\"bookmarks\":{},\"currently_syncing\":{}}",
		": \"currently_syncing\" must be a stream id or null");

	capture_begin();
	st = state_from_json(json_pack("[i]", 1), "doc.json", &state);
	capture_end();
	ok(st == TAP_ERR_INPUT && state == NULL,
	   "state_from_json: a list is TAP_ERR_INPUT, *out NULL");
	is_str(captured,
		   "CRITICAL state file \"doc.json\" must contain an object\n",
		   "state_from_json: the message names the document");
}

static void
test_bookmarks(void)
{
	json_t *state = json_object();
	json_t *bm, *again;

	bm = state_bookmark(state, "db-public-t");
	ok(json_is_object(bm) && json_object_size(bm) == 0,
	   "state_bookmark creates an empty bookmark");
	is_str(dump(state), "{\"bookmarks\":{\"db-public-t\":{}}}",
		   "inside a new \"bookmarks\"");
	json_object_set_new(bm, "version", json_integer(5));
	again = state_bookmark(state, "db-public-t");
	ok(again == bm, "state_bookmark returns the same bookmark the second time");
	state_bookmark(state, "db-public-u");
	is_str(dump(state),
		   "{\"bookmarks\":{\"db-public-t\":{\"version\":5},"
		   "\"db-public-u\":{}}}",
		   "a second stream's bookmark is added beside the first");
	json_decref(state);
}

static void
test_currently_syncing(void)
{
	json_t *state = json_object();

	ok(state_currently_syncing(state) == NULL,
	   "absent currently_syncing: NULL");
	state_set_currently_syncing(state, "db-public-t");
	is_str(state_currently_syncing(state), "db-public-t",
		   "state_set_currently_syncing then read back");
	is_str(dump(state),
		   "{\"bookmarks\":{},\"currently_syncing\":\"db-public-t\"}",
		   "setting it adds an empty \"bookmarks\" first");
	state_set_currently_syncing(state, NULL);
	ok(state_currently_syncing(state) == NULL, "cleared: NULL");
	is_str(dump(state), "{\"bookmarks\":{},\"currently_syncing\":null}",
		   "cleared is written as null");
	json_decref(state);

	state = json_pack("{s:s}", "currently_syncing", "x");
	is_str(state_currently_syncing(state), "x", "read from a loaded state");
	json_decref(state);
}

int
main(void)
{
	if (!tmpdir_make("test_state"))
		return 1;

	test_empty();
	test_whole_state();
	test_carried_through();
	test_shape_errors();
	test_bookmarks();
	test_currently_syncing();

	log_fini();
	tmpdir_remove();
	return done_testing();
}
