/*
 * test_writer.c: the Singer message stream (stdout's only writer).
 *
 * The writer is pointed at pipes and regular files in a private temporary
 * directory. Each case compares the bytes that arrived, whole, with what
 * was sent: lines in order, flushed in large blocks, a STATE flushing what
 * precedes it, the first write error remembered (one CRITICAL line), and,
 * when a regular file stops growing mid-line, no partial line left in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "tap.h"
#include "tap/log.h"
#include "tap/writer.h"

/* slurp: the whole file at path into a malloc'd buffer (*n bytes) */
static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long size;

	*n = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	data = malloc((size_t) size + 1);
	*n = fread(data, 1, (size_t) size, f);
	data[*n] = '\0';
	fclose(f);
	return data;
}

/* open_out: a fresh regular file tmpdir/name for writing */
static int
open_out(const char *name, char *path, size_t pathlen)
{
	snprintf(path, pathlen, "%s/%s", tmpdir, name);
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
}

/* file_size: the size of the file behind fd */
static long long
file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (long long) st.st_size : -1;
}

/* append_record: a fixed-width RECORD line for row i (RECORD_LEN bytes) */
#define RECORD_LEN 57
static void
append_record(Buf *b, int i)
{
	buf_printf(
		b,
		"{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"id\":\"%07d\"}}"
		"\n",
		i);
}

static void
test_messages(void)
{
	const char *want =
		"{\"type\":\"SCHEMA\",\"stream\":\"caf\xc3\xa9 \\\"q\\\"\",\"schema\":"
		"{\"type\":\"object\",\"properties\":{\"id\":{\"type\":[\"integer\"]}}},"
		"\"key_properties\":[\"id\"],\"bookmark_properties\":[]}\n"
		"{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"t\",\"version\":"
		"1700000000123}\n"
		"{\"type\":\"STATE\",\"value\":{\"bookmarks\":{\"db-public-t\":"
		"{\"version\":1}},\"currently_syncing\":null}}\n"
		"[\"document\"]\n";
	char path[512];
	int fd = open_out("messages.out", path, sizeof path);
	Writer w;
	json_t *schema = json_pack("{s:s, s:{s:{s:[s]}}}", "type", "object",
							   "properties", "id", "type", "integer");
	json_t *keys = json_pack("[s]", "id");
	json_t *bmp = json_array();
	json_t *state = json_pack("{s:{s:{s:i}}, s:n}", "bookmarks", "db-public-t",
							  "version", 1, "currently_syncing");
	TapStatus st[4];
	char *got;
	size_t n;

	writer_init(&w, fd);
	st[0] = writer_schema(&w, "caf\xc3\xa9 \"q\"", schema, keys, bmp);
	st[1] = writer_activate_version(&w, "t", 1700000000123LL);
	is_int(file_size(fd), 0, "SCHEMA and ACTIVATE_VERSION wait in the buffer");
	st[2] = writer_state(&w, state);
	st[3] = writer_document(&w, "[\"document\"]\n", 13);
	ok(st[0] == TAP_OK && st[1] == TAP_OK && st[2] == TAP_OK && st[3] == TAP_OK,
	   "every call returns TAP_OK");
	got = slurp(path, &n);
	is_mem(got, n, want, strlen(want),
		   "SCHEMA, ACTIVATE_VERSION, STATE and a document, byte for byte");
	is_int(w.written, (long long) strlen(want), "written counts every byte");
	is_int((long long) w.buf.len, 0, "the buffer is empty after a flush");
	free(got);
	writer_fini(&w);
	close(fd);
	json_decref(schema);
	json_decref(keys);
	json_decref(bmp);
	json_decref(state);
}

static void
test_state_flushes_records(void)
{
	char path[512];
	int fd = open_out("state.out", path, sizeof path);
	Writer w;
	Buf want;
	json_t *state = json_pack("{s:{}}", "bookmarks");
	char *got;
	size_t n;

	buf_init(&want, 0);
	writer_init(&w, fd);
	for (int i = 0; i < 100; i++)
	{
		append_record(&w.buf, i);
		append_record(&want, i);
		writer_line_done(&w);
	}
	is_int(file_size(fd), 0, "100 records stay in the buffer");
	writer_state(&w, state);
	buf_append_str(&want,
				   "{\"type\":\"STATE\",\"value\":{\"bookmarks\":{}}}\n");
	got = slurp(path, &n);
	is_mem(got, n, want.data, want.len,
		   "the STATE follows every record before it, all on the file");
	free(got);
	buf_fini(&want);
	writer_fini(&w);
	close(fd);
	json_decref(state);
}

static void
test_large_blocks(void)
{
	char path[512];
	int fd = open_out("blocks.out", path, sizeof path);
	Writer w;
	int rows = (int) (3 * WRITER_FLUSH_BYTES / RECORD_LEN) + 7;
	int flushes = 0;
	long long last = 0;
	bool whole = true;
	bool large = true;
	Buf want;
	char *got;
	size_t n;

	buf_init(&want, 0);
	writer_init(&w, fd);
	for (int i = 0; i < rows; i++)
	{
		long long size;

		append_record(&w.buf, i);
		append_record(&want, i);
		if (writer_line_done(&w) != TAP_OK)
			break;
		size = file_size(fd);
		if (size != last)
		{
			flushes++;
			whole = whole && size % RECORD_LEN == 0;
			large = large && size - last >= (long long) WRITER_FLUSH_BYTES;
			last = size;
		}
	}
	is_int(flushes, 3, "3 flushes for 3 x WRITER_FLUSH_BYTES of records");
	ok(large, "each flush writes at least WRITER_FLUSH_BYTES");
	ok(whole, "the file always ends at a line boundary between flushes");
	writer_flush(&w);
	got = slurp(path, &n);
	is_mem(got, n, want.data, want.len, "every record, in order, once");
	free(got);
	buf_fini(&want);
	writer_fini(&w);
	close(fd);
}

static void
test_closed_pipe(void)
{
	int p[2];
	Writer w;
	json_t *state = json_object();
	TapStatus st, st2, st3;
	const char *msg;
	long long written;

	if (pipe(p) != 0)
	{
		ok(false, "pipe");
		return;
	}
	close(p[0]); /* the target exited */
	writer_init(&w, p[1]);
	append_record(&w.buf, 1);
	writer_line_done(&w);
	capture_begin();
	st = writer_state(&w, state);
	written = w.written;
	st2 = writer_activate_version(&w, "t", 1);
	st3 = writer_flush(&w);
	msg = capture_end();
	is_int(st, TAP_ERR_OUTPUT, "EPIPE gives TAP_ERR_OUTPUT");
	is_str(msg,
		   "CRITICAL could not write to standard output: the reading end of "
		   "the pipe was closed (did the target exit?)\n",
		   "one CRITICAL line says the pipe was closed");
	ok(st2 == TAP_ERR_OUTPUT && st3 == TAP_ERR_OUTPUT,
	   "the error is sticky: later calls report it without logging again");
	is_int(written, 0, "nothing counted as written");
	writer_fini(&w);
	close(p[1]);
	json_decref(state);
}

/*
 * test_regular_file_limit: a regular file that stops growing mid-line
 * (RLIMIT_FSIZE here; a full disk in tests/integration/disk_full.sh) keeps only
 * whole lines.
 */
static void
test_regular_file_limit(void)
{
	char path[512];
	int fd = open_out("limit.out", path, sizeof path);
	Writer w;
	struct rlimit old, lim;
	const rlim_t limit = 10 * 1000 + 17; /* not a line boundary */
	TapStatus st;
	const char *msg;
	char *got;
	size_t n;
	bool lines_ok;
	Buf want;

	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = limit;
	writer_init(&w, fd);
	buf_init(&want, 0);
	for (int i = 0; i < 1000; i++)
	{
		append_record(&w.buf, i);
		append_record(&want, i);
	}
	capture_begin();
	setrlimit(RLIMIT_FSIZE, &lim);
	st = writer_flush(&w);
	setrlimit(RLIMIT_FSIZE, &old);
	msg = capture_end();
	is_int(st, TAP_ERR_OUTPUT, "a write past the file size limit fails");
	is_str(msg, "CRITICAL could not write to standard output: File too large\n",
		   "one CRITICAL line with the system's reason");
	got = slurp(path, &n);
	is_int((long long) n, (long long) (limit / RECORD_LEN * RECORD_LEN),
		   "the file keeps the whole lines that fit, and not a byte more");
	lines_ok = n <= want.len && memcmp(got, want.data, n) == 0;
	ok(lines_ok && n > 0 && got[n - 1] == '\n',
	   "every line left is a whole record, in order");
	is_int((long long) lseek(fd, 0, SEEK_CUR), (long long) n,
		   "the file offset is at the cut, not past it");
	free(got);
	buf_fini(&want);
	writer_fini(&w);
	close(fd);
}

int
main(void)
{
	if (!tmpdir_make("test_writer"))
		return 1;
	/* as in main: a closed pipe is an error to report, not a signal */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);

	test_messages();
	test_state_flushes_records();
	test_large_blocks();
	test_closed_pipe();
	test_regular_file_limit();

	log_fini();
	tmpdir_remove();
	return done_testing();
}
