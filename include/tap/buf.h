/*
 * buf.h: a growable byte buffer.
 *
 * The Buf owns data; buf_fini frees it. Growth doubles the capacity, so
 * appending is amortised O(1) and a buffer reused across rows stops
 * allocating once it has seen the largest row. The contents are not
 * NUL-terminated unless buf_cstr is called.
 */
#ifndef TAP_BUF_H
#define TAP_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct Buf
{
	char *data; /* owned */
	size_t len;
	size_t cap;
} Buf;

void buf_init(Buf *b, size_t cap);
void buf_fini(Buf *b);
void buf_grow(Buf *b, size_t need);
void buf_printf(Buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* buf_cstr: NUL-terminates the contents (not counted in len) */
const char *buf_cstr(Buf *b);

/* buf_reserve: room for n more bytes; returns the tail to write into */
static inline char *
buf_reserve(Buf *b, size_t n)
{
	if (b->cap - b->len < n)
		buf_grow(b, n);
	return b->data + b->len;
}

static inline void
buf_commit(Buf *b, size_t n)
{
	b->len += n;
}

static inline void
buf_append(Buf *b, const void *p, size_t n)
{
	if (b->cap - b->len < n)
		buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static inline void
buf_append_str(Buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

static inline void
buf_putc(Buf *b, char c)
{
	if (b->cap == b->len)
		buf_grow(b, 1);
	b->data[b->len++] = c;
}

static inline void
buf_reset(Buf *b)
{
	b->len = 0;
}

#endif
