/*
 * buf.c: growable byte buffer.
 */
#include "tap/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tap/mem.h"

void
buf_init(Buf *b, size_t cap)
{
	b->cap = cap ? cap : 64;
	b->data = xmalloc(b->cap);
	b->len = 0;
}

void
buf_fini(Buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_grow(Buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 64;

	if (need > SIZE_MAX - b->len)
		abort(); /* cannot happen short of a 2^64-byte row */
	while (cap - b->len < need)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_printf(Buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->data ? b->data + b->len : NULL,
				  b->data ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t) n + 1 > b->cap - b->len)
	{
		buf_grow(b, (size_t) n + 1);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t) n;
}

const char *
buf_cstr(Buf *b)
{
	buf_reserve(b, 1);
	b->data[b->len] = '\0';
	return b->data;
}
