/*
 * writer.h: stdout, the Singer protocol stream. The only writer of fd 1.
 *
 * Messages are appended to one buffer and written with write(2) in large
 * blocks, always at line boundaries: a reader never sees half a message
 * from us. A STATE is followed by a flush, so every record it covers is
 * on stdout before (or with) it and the STATE is never held back. The
 * first write error is logged once (CRITICAL), remembered, and every
 * later call is a no-op that reports it.
 */
#ifndef TAP_WRITER_H
#define TAP_WRITER_H

#include <jansson.h>
#include <signal.h>
#include <stdint.h>

#include "tap/buf.h"
#include "tap/status.h"

#define WRITER_FLUSH_BYTES (256u * 1024u)
/* after a stop request, how long a target that does not read may hold us */
#define WRITER_STOP_GRACE_MS 5000

typedef struct Writer Writer;
/* WriterRelay: takes the whole lines in w->buf (leaving it empty) instead
 * of writing them to fd; a parallel reader's way to the one writer */
typedef TapStatus (*WriterRelay)(Writer *w);

struct Writer
{
	int fd;
	Buf buf;                     /* owned: whole lines only, between calls */
	TapStatus error;             /* sticky: the first write failure */
	int64_t written;             /* bytes written so far */
	volatile sig_atomic_t *stop; /* borrowed, or NULL: a stop request ends
									a write blocked on a reader that does
									not read (TAP_ERR_INTERRUPTED) */
	WriterRelay relay;           /* or NULL: write to fd */
	void *relay_arg;             /* the relay's */
};

void writer_init(Writer *w, int fd);
void writer_fini(Writer *w);

/* writer_flush: writes out the buffer */
TapStatus writer_flush(Writer *w);

/*
 * writer_line_done: called after a complete line was appended to w->buf
 * (records are built in place by sync); flushes past WRITER_FLUSH_BYTES.
 */
static inline TapStatus
writer_line_done(Writer *w)
{
	if (w->buf.len >= WRITER_FLUSH_BYTES)
		return writer_flush(w);
	return w->error;
}

/* writer_schema: {"type":"SCHEMA","stream":..,"schema":..,"key_properties":..,"bookmark_properties":..} */
TapStatus writer_schema(Writer *w, const char *stream, const json_t *schema,
						const json_t *key_properties,
						const json_t *bookmark_properties);

/* writer_state: {"type":"STATE","value":state}, then a flush */
TapStatus writer_state(Writer *w, const json_t *state);

/* writer_activate_version: {"type":"ACTIVATE_VERSION","stream":..,"version":..} */
TapStatus writer_activate_version(Writer *w, const char *stream,
								  int64_t version);

/* writer_document: a whole document (catalog, --about) and a flush */
TapStatus writer_document(Writer *w, const char *text, size_t len);

#endif
