/*
 * mem.h: allocation with one OOM policy.
 *
 * Out of memory is not recoverable for a tap: every x* function prints
 * "CRITICAL out of memory" and aborts, so callers never check for NULL.
 */
#ifndef TAP_MEM_H
#define TAP_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* xmalloc_array: count * size bytes, with an overflow check */
void *xmalloc_array(size_t count, size_t size);

#endif
