/*
 * jsonw.h: JSON encoding into a Buf; pure, no I/O.
 *
 * Output is compact and UTF-8: only '"', '\\' and control characters are
 * escaped (\b \f \n \r \t, else \u00XX). Bytes that are not valid UTF-8
 * become U+FFFD, so the output is always valid JSON whatever the input.
 */
#ifndef TAP_JSONW_H
#define TAP_JSONW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tap/buf.h"

/*
 * SWAR: eight bytes tested at once in a uint64_t. With x read from the
 * text, (x - JSONW_ONES * c) & JSONW_HIGHS is non-zero when some byte is
 * below c or has its high bit set (or x & JSONW_HIGHS alone: a byte from
 * 0x80 up); x ^ (JSONW_ONES * c) makes the bytes equal to c zero.
 */
#define JSONW_ONES  UINT64_C(0x0101010101010101)
#define JSONW_HIGHS UINT64_C(0x8080808080808080)

/* jsonw_string: s[0..n) as a quoted JSON string */
void jsonw_string(Buf *b, const char *s, size_t n);

/* jsonw_string_body: the same without the surrounding quotes */
void jsonw_string_body(Buf *b, const char *s, size_t n);

/*
 * jsonw_value: v as compact JSON (separators "," and ":"), keys in the
 * object's order, reals in their shortest form that reads back exactly.
 */
void jsonw_value(Buf *b, const json_t *v);

/* jsonw_real: a double in its shortest round-trip form; NaN/Inf as null */
void jsonw_real(Buf *b, double d);

/* jsonw_is_number: true if s[0..n) is a valid JSON number literal */
bool jsonw_is_number(const char *s, size_t n);

/*
 * jsonw_utf8_seq: looks at the sequence starting with the byte p[0] >= 0x80.
 * Returns its length if it is a well-formed UTF-8 sequence (Unicode table
 * 3-7: no overlongs, no surrogates, nothing above U+10FFFF); otherwise
 * returns 0 and sets *bad to the length of its maximal subpart (>= 1).
 */
static inline size_t
jsonw_utf8_seq(const unsigned char *p, const unsigned char *end, size_t *bad)
{
	unsigned c = p[0];
	size_t avail = (size_t) (end - p);
	size_t need;
	size_t i;
	unsigned lo = 0x80;
	unsigned hi = 0xBF;

	if (c < 0xC2)
	{
		*bad = 1; /* continuation byte, or C0/C1 overlong lead */
		return 0;
	}
	if (c < 0xE0)
		need = 2;
	else if (c < 0xF0)
	{
		need = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	}
	else if (c < 0xF5)
	{
		need = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	}
	else
	{
		*bad = 1;
		return 0;
	}
	if (avail < 2 || p[1] < lo || p[1] > hi)
	{
		*bad = 1;
		return 0;
	}
	for (i = 2; i < need; i++)
	{
		if (avail <= i || (p[i] & 0xC0) != 0x80)
		{
			*bad = i;
			return 0;
		}
	}
	return need;
}

/*
 * jsonw_utf8_invalid_at: the offset of the first byte of s[0..len) that
 * does not start a well-formed UTF-8 sequence (by jsonw_utf8_seq), or len
 * when the whole text is valid.
 */
static inline size_t
jsonw_utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len)
	{
		size_t bad;
		size_t n = s[i] < 0x80 ? 1 : jsonw_utf8_seq(s + i, s + len, &bad);

		if (n == 0)
			return i;
		i += n;
	}
	return len;
}

#endif
