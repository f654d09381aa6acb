/*
 * encode_internal.h: what the encode_* files share, and nothing else
 * includes: the scalar renderings that arrays and composites reuse for
 * their elements and fields, the date/time renderings, and the small
 * parsing helpers. The API for the rest of the tap is encode.h.
 */
#ifndef TAP_ENCODE_INTERNAL_H
#define TAP_ENCODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tap/buf.h"
#include "tap/encode.h"
#include "tap/jsonw.h"

#define APPEND_LIT(b, lit) buf_append((b), (lit), sizeof(lit) - 1)

/*
 * is_digit: c is an ASCII decimal digit
 */
static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * is_space: c is white space as PostgreSQL's array and hstore parsers
 * see it
 */
static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
		   c == '\f';
}

/*
 * lit_eq: s[0..n) equals the NUL-terminated lit
 */
static inline bool
lit_eq(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/*
 * fallback: rolls out back to start and writes s[0..n) as a JSON string
 */
static inline int
fallback(Buf *out, size_t start, const char *s, size_t n)
{
	out->len = start;
	jsonw_string(out, s, n);
	return 0;
}

/*
 * skip_space: the first position at or after p that is not white space
 */
static inline const char *
skip_space(const char *p, const char *end)
{
	while (p < end && is_space(*p))
		p++;
	return p;
}

/*
 * scratch_usable: scratch may be overwritten while s[0..n) is read
 */
static inline bool
scratch_usable(const Buf *scratch, const Buf *out, const char *s, size_t n)
{
	if (scratch == NULL || scratch == out)
		return false;
	if (scratch->data != NULL && n > 0)
	{
		uintptr_t lo = (uintptr_t) scratch->data;
		uintptr_t hi = lo + scratch->cap;
		uintptr_t sp = (uintptr_t) s;

		if (sp < hi && sp + n > lo)
			return false;
	}
	return true;
}

/*
 * encode_scalar: one value of a kind other than ENC_ARRAY and
 * ENC_COMPOSITE (encode.c); the element and field encoder of the others
 */
int encode_scalar(Buf *out, EncKind kind, const char *s, size_t n);

/*
 * encode_date_time: ENC_DATE, ENC_TIMESTAMP and ENC_TIMESTAMPTZ
 * (encode_datetime.c)
 */
int encode_date_time(Buf *out, EncKind kind, const char *s, size_t n);

/* encode_time: ENC_TIME and ENC_TIMETZ (encode_datetime.c) */
int encode_time(Buf *out, EncKind kind, const char *s, size_t n);

/*
 * encode_array: a PostgreSQL array literal as nested JSON arrays, the
 * elements by enc->elem (encode_array.c)
 */
int encode_array(Buf *out, Buf *scratch, const Encoder *enc, const char *s,
				 size_t n);

/*
 * encode_composite: a composite's text as a JSON object of c's fields
 * (encode_composite.c)
 */
int encode_composite(Buf *out, Buf *scratch, const EncComposite *c,
					 const char *s, size_t n);

#endif
