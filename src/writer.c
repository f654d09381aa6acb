/*
 * writer.c: the Singer message stream on stdout.
 */
#include "tap/writer.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap/jsonw.h"
#include "tap/log.h"

void
writer_init(Writer *w, int fd)
{
	w->fd = fd;
	buf_init(&w->buf, WRITER_FLUSH_BYTES + 64 * 1024);
	w->error = TAP_OK;
	w->written = 0;
	w->stop = NULL;
	w->relay = NULL;
	w->relay_arg = NULL;
}

void
writer_fini(Writer *w)
{
	buf_fini(&w->buf);
}

/*
 * cut_partial_line: after a failed write to a regular file (disk full),
 * take back the part of the last line that did get written, so the file
 * ends at a line boundary and no reader mistakes half a message for one.
 */
static void
cut_partial_line(Writer *w, size_t done_in_chunk)
{
	struct stat st;
	size_t keep = 0;

	if (done_in_chunk == 0 || fstat(w->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	for (size_t i = done_in_chunk; i > 0; i--)
		if (w->buf.data[i - 1] == '\n')
		{
			keep = i;
			break;
		}
	if (keep < done_in_chunk)
	{
		off_t end = lseek(w->fd, 0, SEEK_CUR);

		if (end >= 0 &&
			ftruncate(w->fd, end - (off_t) (done_in_chunk - keep)) == 0)
			(void) lseek(w->fd, end - (off_t) (done_in_chunk - keep), SEEK_SET);
	}
}

/*
 * give_up_blocked: a stop was requested while a write waited on a target
 * that does not read. Waiting on would make SIGTERM useless, and nothing
 * more (not even a last STATE) can reach a reader that does not read.
 */
static TapStatus
give_up_blocked(Writer *w)
{
	log_warning("stopped while the target was not reading standard output "
				"(for %d s); the last STATE it received is where the next "
				"run resumes",
				WRITER_STOP_GRACE_MS / 1000);
	w->error = TAP_ERR_INTERRUPTED;
	return w->error;
}

/* stop_deadline_left: ms left of the grace period that began at *deadline */
static int
stop_deadline_left(int64_t *deadline)
{
	struct timespec ts;
	int64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (*deadline < 0)
		*deadline = now + WRITER_STOP_GRACE_MS;
	return *deadline > now ? (int) (*deadline - now) : 0;
}

TapStatus
writer_flush(Writer *w)
{
	size_t off = 0;
	int64_t deadline = -1;

	if (w->error != TAP_OK)
		return w->error;
	if (w->relay != NULL)
		return w->relay(w);
	while (off < w->buf.len)
	{
		size_t chunk = w->buf.len - off;
		ssize_t n;

		if (w->stop != NULL && *w->stop)
		{
			/* stopping: a slow target still gets whole lines and the last
			 * STATE, but one that does not read for WRITER_STOP_GRACE_MS
			 * cannot hold the tap: wait for room, then write no more than
			 * a pipe takes without blocking */
			struct pollfd pfd = {w->fd, POLLOUT, 0};
			int left = stop_deadline_left(&deadline);
			int pr = left > 0 ? poll(&pfd, 1, left) : 0;

			if (pr == 0)
				return give_up_blocked(w);
			if (pr < 0 && errno == EINTR)
				continue;
			if (chunk > PIPE_BUF)
				chunk = PIPE_BUF;
		}
		n = write(w->fd, w->buf.data + off, chunk);
		if (n < 0)
		{
			int err = errno;

			if (err == EINTR)
				continue;
			cut_partial_line(w, off);
			if (err == EPIPE)
				log_critical("could not write to standard output: the "
							 "reading end of the pipe was closed (did the "
							 "target exit?)");
			else if (err == ENOSPC)
				log_critical("could not write to standard output: no space "
							 "left on device");
			else
				log_critical("could not write to standard output: %s",
							 strerror(err));
			w->error = TAP_ERR_OUTPUT;
			return w->error;
		}
		off += (size_t) n;
		w->written += n;
	}
	buf_reset(&w->buf);
	return TAP_OK;
}

TapStatus
writer_schema(Writer *w, const char *stream, const json_t *schema,
			  const json_t *key_properties, const json_t *bookmark_properties)
{
	if (w->error != TAP_OK)
		return w->error;
	buf_append_str(&w->buf, "{\"type\":\"SCHEMA\",\"stream\":");
	jsonw_string(&w->buf, stream, strlen(stream));
	buf_append_str(&w->buf, ",\"schema\":");
	jsonw_value(&w->buf, schema);
	buf_append_str(&w->buf, ",\"key_properties\":");
	jsonw_value(&w->buf, key_properties);
	buf_append_str(&w->buf, ",\"bookmark_properties\":");
	jsonw_value(&w->buf, bookmark_properties);
	buf_append_str(&w->buf, "}\n");
	return writer_line_done(w);
}

TapStatus
writer_state(Writer *w, const json_t *state)
{
	if (w->error != TAP_OK)
		return w->error;
	buf_append_str(&w->buf, "{\"type\":\"STATE\",\"value\":");
	jsonw_value(&w->buf, state);
	buf_append_str(&w->buf, "}\n");
	return writer_flush(w);
}

TapStatus
writer_activate_version(Writer *w, const char *stream, int64_t version)
{
	if (w->error != TAP_OK)
		return w->error;
	buf_append_str(&w->buf, "{\"type\":\"ACTIVATE_VERSION\",\"stream\":");
	jsonw_string(&w->buf, stream, strlen(stream));
	buf_printf(&w->buf, ",\"version\":%lld}\n", (long long) version);
	return writer_line_done(w);
}

TapStatus
writer_document(Writer *w, const char *text, size_t len)
{
	if (w->error != TAP_OK)
		return w->error;
	buf_append(&w->buf, text, len);
	return writer_flush(w);
}
