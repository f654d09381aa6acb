/*
 * jsonw.c: JSON encoding into a Buf.
 *
 * Strings are escaped in one pass that writes straight into space
 * reserved in the Buf: runs of bytes that need nothing are found eight at
 * a time and copied with memcpy; only '"', '\\' and bytes below 0x20 are
 * escaped; bytes from 0x80 up are checked as UTF-8 and copied when the
 * sequence is well formed.
 *
 * Invalid UTF-8 policy: each maximal subpart of an ill-formed sequence
 * becomes one U+FFFD (Unicode 15, section 3.9, "U+FFFD Substitution of
 * Maximal Subparts", as Python's and WHATWG's decoders do). A maximal
 * subpart is the longest prefix of a well-formed sequence, or a single
 * byte when that byte cannot start one. So "\xE2\x82" (truncated euro
 * sign) is one U+FFFD, "\xC0\xAF" (overlong) is two, "\xED\xA0\x80"
 * (surrogate) is three, "\xF4\x90\x80\x80" (> U+10FFFF) is four.
 */
#include "tap/jsonw.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Input bytes escaped per reservation; bounds the 6x worst case */
#define CHUNK ((size_t) 64 * 1024)

/* Nesting guard for jsonw_value (docload stops documents at 512) */
#define MAX_DEPTH 1024

/*
 * What a byte needs: 0 nothing; 1 a byte >= 0x80 (UTF-8 check); else the
 * letter of its escape ('u' for \u00XX).
 */
static const unsigned char esc_class[256] = {
	'u', 'u', 'u',  'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u',
	'u', 'u', 'u',  'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	'u', 'u', 0,    0,   '"', 0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	0,   0,   0,    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	0,   0,   0,    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	0,   0,   0,    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	0,   0,   '\\', 0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	0,   0,   0,    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	0,   0,   0,    0,   0,   0,   0,   0,   1,   1,   1,   1,   1,   1,   1,
	1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
	1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
	1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
	1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
	1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
	1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
	1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
	1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
	1,
};

static const char hex_digits[] = "0123456789abcdef";

/*
 * special8: a mask with the high bit set in each of the 8 bytes at p that
 * is below 0x20, '"', '\\' or 0x80 and up. A subtraction borrows only
 * out of a byte that is itself flagged and only into the bytes above it,
 * so the lowest flagged byte is always a true one; bytes above it may be
 * false alarms. Zero means all 8 bytes are plain.
 */
static inline uint64_t
special8(const unsigned char *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return ((x - JSONW_ONES * 0x20) | ((x ^ (JSONW_ONES * '"')) - JSONW_ONES) |
			((x ^ (JSONW_ONES * '\\')) - JSONW_ONES) | x) &
		   JSONW_HIGHS;
}

/*
 * first_special: p advanced to the first byte that is not plain, or to end
 */
static inline const unsigned char *
first_special(const unsigned char *p, const unsigned char *end)
{
	while (end - p >= 8)
	{
		uint64_t m = special8(p);

		if (m != 0)
		{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return p + (__builtin_ctzll(m) >> 3);
#else
			break;
#endif
		}
		p += 8;
	}
	while (p < end && esc_class[*p] == 0)
		p++;
	return p;
}

/*
 * copy_run: copies run[0..r) to d and returns d + r. Short runs are
 * copied as a fixed 16 bytes when both the input and the reserved output
 * have room for it (the bytes past r are overwritten later or never
 * committed), which avoids a library call per escape.
 */
static inline char *
copy_run(char *d, const char *dend, const unsigned char *run, size_t r,
		 const unsigned char *end)
{
	if (r <= 16 && end - run >= 16 && dend - d >= 16)
		memcpy(d, run, 16);
	else
		memcpy(d, run, r);
	return d + r;
}

/*
 * escape_into: writes the JSON string body of s[0..n) to dst, which has
 * room for 6 * n bytes, and returns the number of bytes written.
 */
static size_t
escape_into(char *dst, const unsigned char *s, size_t n)
{
	const unsigned char *p = s;
	const unsigned char *end = s + n;
	const unsigned char *run = s; /* start of the bytes not yet copied */
	char *d = dst;
	const char *dend = dst + 6 * n;

	for (;;)
	{
		unsigned char cls;

		p = first_special(p, end);
		if (p == end)
			break;
		cls = esc_class[*p];
		if (cls == 1)
		{
			/* a run of non-ASCII characters, checked back to back */
			do
			{
				unsigned c = p[0];
				size_t bad = 0;
				size_t k;

				if (c >= 0xC2 && c <= 0xDF && end - p >= 2 &&
					(p[1] & 0xC0) == 0x80)
				{
					p += 2;
					continue;
				}
				if (c >= 0xE1 && c <= 0xEF && c != 0xED && end - p >= 3 &&
					(p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
				{
					p += 3;
					continue;
				}
				k = jsonw_utf8_seq(p, end, &bad);
				if (k)
				{
					p += k;
					continue;
				}
				d = copy_run(d, dend, run, (size_t) (p - run), end);
				*d++ = (char) 0xEF;
				*d++ = (char) 0xBF;
				*d++ = (char) 0xBD;
				p += bad;
				run = p;
			} while (p < end && *p >= 0x80);
			continue;
		}
		d = copy_run(d, dend, run, (size_t) (p - run), end);
		*d++ = '\\';
		if (cls == 'u')
		{
			*d++ = 'u';
			*d++ = '0';
			*d++ = '0';
			*d++ = hex_digits[*p >> 4];
			*d++ = hex_digits[*p & 0xF];
		}
		else
			*d++ = (char) cls;
		p++;
		run = p;
	}
	memcpy(d, run, (size_t) (p - run));
	d += p - run;
	return (size_t) (d - dst);
}

/*
 * chunk_end: where to cut s[0..n) after about CHUNK bytes without
 * splitting a UTF-8 sequence: just before the lead byte of a sequence
 * the cut would split. A lead byte always starts a new maximal subpart,
 * so escaping the pieces gives the same bytes as escaping the whole.
 */
static size_t
chunk_end(const unsigned char *s, size_t n)
{
	size_t cut = CHUNK;
	size_t i = cut;
	int k;

	if (n <= cut)
		return n;
	for (k = 0; k < 3 && (s[i] & 0xC0) == 0x80; k++)
		i--;
	if ((s[i] & 0xC0) == 0xC0)
		return i; /* a lead byte: cut before it */
	return cut;   /* ASCII or stray continuation bytes */
}

/*
 * jsonw_string_body: appends the escaped body of s[0..n), borrowing s.
 * Reserves the worst case (6 bytes per input byte) once per 64 KiB piece.
 */
void
jsonw_string_body(Buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *) s;

	while (n > 0)
	{
		size_t m = chunk_end(p, n);
		char *d = buf_reserve(b, 6 * m);

		buf_commit(b, escape_into(d, p, m));
		p += m;
		n -= m;
	}
}

/*
 * jsonw_string: appends s[0..n) as a quoted JSON string, borrowing s.
 */
void
jsonw_string(Buf *b, const char *s, size_t n)
{
	char *d;
	size_t k;

	if (n > CHUNK)
	{
		buf_putc(b, '"');
		jsonw_string_body(b, s, n);
		buf_putc(b, '"');
		return;
	}
	d = buf_reserve(b, 6 * n + 2);
	d[0] = '"';
	k = n ? escape_into(d + 1, (const unsigned char *) s, n) : 0;
	d[k + 1] = '"';
	buf_commit(b, k + 2);
}

/*
 * jsonw_real: appends d in the shortest of %.15g, %.16g and %.17g that
 * strtod reads back to d (subnormals: the shortest precision from 1 up),
 * with ".0" added when the result would otherwise read as an integer, as
 * Python's repr and jansson do. NaN and infinities are null. Assumes the
 * C locale for LC_NUMERIC (the tap never changes it).
 */
void
jsonw_real(Buf *b, double d)
{
	char tmp[40];
	int len = 0;
	int prec = 15;

	if (!isfinite(d))
	{
		buf_append(b, "null", 4);
		return;
	}
	if (d != 0 && fabs(d) < DBL_MIN)
		prec = 1;
	for (; prec <= 17; prec++)
	{
		len = snprintf(tmp, sizeof(tmp) - 2, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (len < 0 || (size_t) len >= sizeof(tmp) - 2)
	{
		buf_append(b, "null", 4); /* cannot happen */
		return;
	}
	if (strpbrk(tmp, ".e") == NULL)
	{
		tmp[len++] = '.';
		tmp[len++] = '0';
	}
	buf_append(b, tmp, (size_t) len);
}

/*
 * jsonw_is_number: true if s[0..n) matches RFC 8259's number grammar:
 * -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
 */
bool
jsonw_is_number(const char *s, size_t n)
{
	size_t i = 0;

	if (s == NULL)
		return false;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return false;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
	{
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	else
		return false;
	if (i < n && s[i] == '.')
	{
		size_t start = ++i;

		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E'))
	{
		size_t start;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		start = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	return i == n;
}

/*
 * value_write: appends v (borrowed) at nesting depth depth. Deeper than
 * MAX_DEPTH, a value is written as null so that the output stays JSON.
 */
static void
value_write(Buf *b, const json_t *v, int depth)
{
	char tmp[32];
	int len;

	if (v == NULL || depth > MAX_DEPTH)
	{
		buf_append(b, "null", 4);
		return;
	}
	switch (json_typeof(v))
	{
		case JSON_OBJECT:
		{
			json_t *obj = (json_t *) v;
			void *it;
			bool first = true;

			buf_putc(b, '{');
			for (it = json_object_iter(obj); it != NULL;
				 it = json_object_iter_next(obj, it))
			{
				const char *key = json_object_iter_key(it);
#if JANSSON_VERSION_HEX >= 0x020e00
				size_t klen = json_object_iter_key_len(it);
#else
				size_t klen = strlen(key);
#endif

				if (!first)
					buf_putc(b, ',');
				first = false;
				jsonw_string(b, key, klen);
				buf_putc(b, ':');
				value_write(b, json_object_iter_value(it), depth + 1);
			}
			buf_putc(b, '}');
			break;
		}
		case JSON_ARRAY:
		{
			size_t i;
			size_t n = json_array_size(v);

			buf_putc(b, '[');
			for (i = 0; i < n; i++)
			{
				if (i > 0)
					buf_putc(b, ',');
				value_write(b, json_array_get(v, i), depth + 1);
			}
			buf_putc(b, ']');
			break;
		}
		case JSON_STRING:
			jsonw_string(b, json_string_value(v), json_string_length(v));
			break;
		case JSON_INTEGER:
			len = snprintf(tmp, sizeof(tmp), "%lld",
						   (long long) json_integer_value(v));
			if (len > 0 && (size_t) len < sizeof(tmp))
				buf_append(b, tmp, (size_t) len);
			break;
		case JSON_REAL:
			jsonw_real(b, json_real_value(v));
			break;
		case JSON_TRUE:
			buf_append(b, "true", 4);
			break;
		case JSON_FALSE:
			buf_append(b, "false", 5);
			break;
		case JSON_NULL:
		default:
			buf_append(b, "null", 4);
			break;
	}
}

/*
 * jsonw_value: appends v (borrowed) as compact JSON, object keys in the
 * object's own (insertion) order.
 */
void
jsonw_value(Buf *b, const json_t *v)
{
	value_write(b, v, 0);
}
