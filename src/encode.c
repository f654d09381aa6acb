/*
 * encode.c: one PostgreSQL text value -> its JSON rendering.
 *
 * Every encoder writes straight into the output Buf and, when the text is
 * not in the shape PostgreSQL prints for its type, rolls the Buf back to
 * where it started and writes the whole text as a JSON string instead.
 * Only arrays use the scratch buffer (for elements with backslashes);
 * element encoders are the scalar ones, which never touch it, so an
 * element's text may live in scratch while it is encoded.
 */
#include "tap/encode.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tap/encode_internal.h"
#include "tap/jsonw.h"

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * encode_integer: an integer literal (-?(0|[1-9][0-9]*)) is copied
 */
static int
encode_integer(Buf *out, const char *s, size_t n)
{
	size_t i = 0;

	if (n > 0 && s[0] == '-')
		i++;
	if (i < n && (s[i] != '0' || i + 1 == n))
	{
		for (; i < n; i++)
		{
			if (!is_digit(s[i]))
				break;
		}
		if (i == n)
		{
			buf_append(out, s, n);
			return 0;
		}
	}
	jsonw_string(out, s, n);
	return 0;
}

/*
 * encode_number: NaN and infinities are null; a JSON number is copied
 * as it is (trailing zeros kept); anything else is a string.
 */
static int
encode_number(Buf *out, const char *s, size_t n)
{
	if (lit_eq(s, n, "NaN") || lit_eq(s, n, "Infinity") ||
		lit_eq(s, n, "-Infinity"))
	{
		APPEND_LIT(out, "null");
		return ENC_F_NONFINITE;
	}
	if (jsonw_is_number(s, n))
		buf_append(out, s, n);
	else
		jsonw_string(out, s, n);
	return 0;
}

/*
 * encode_two: true/false for the two spellings t and f, else a string
 */
static int
encode_two(Buf *out, const char *s, size_t n, char t, char f)
{
	if (n == 1 && s[0] == t)
		APPEND_LIT(out, "true");
	else if (n == 1 && s[0] == f)
		APPEND_LIT(out, "false");
	else
		jsonw_string(out, s, n);
	return 0;
}

/*
 * encode_json_raw: JSON text from the server, copied. Its line breaks
 * (insignificant white space: JSON strings cannot hold raw ones) become
 * spaces so that a message stays on one line. Text with invalid UTF-8,
 * other control bytes, or nothing but white space is written as a JSON
 * string instead.
 */
static int
encode_json_raw(Buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + n;
	const unsigned char *run;
	size_t start = out->len;
	char *d;
	char *d0;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p == end)
		return fallback(out, start, s, n); /* empty or blank: not JSON */
	p = (const unsigned char *) s;
	d0 = d = buf_reserve(out, n);
	run = p;
	for (;;)
	{
		while (end - p >= 8)
		{
			uint64_t x;

			memcpy(&x, p, 8);
			if (((x - ONES * 0x20) | x) & HIGHS)
				break;
			p += 8;
		}
		while (p < end && *p >= 0x20 && *p < 0x80)
			p++;
		if (p == end)
			break;
		if (*p >= 0x80)
		{
			size_t bad;
			size_t k = jsonw_utf8_seq(p, end, &bad);

			if (k == 0)
				return fallback(out, start, s, n);
			p += k;
			continue;
		}
		if (*p == '\n' || *p == '\r')
		{
			memcpy(d, run, (size_t) (p - run));
			d += p - run;
			*d++ = ' ';
			run = ++p;
			continue;
		}
		if (*p != '\t')
			return fallback(out, start, s, n);
		p++;
	}
	memcpy(d, run, (size_t) (p - run));
	d += p - run;
	buf_commit(out, (size_t) (d - d0));
	return 0;
}

/*
 * hstore_string: p points at the opening '"' of an hstore key or value.
 * Writes it as a JSON string (the backslash escapes undone) and returns
 * the position after its closing quote, or NULL if it has none.
 */
static const char *
hstore_string(Buf *out, const char *p, const char *end)
{
	const char *seg = p + 1;  /* start of text not yet written */
	const char *scan = p + 1; /* where to look for '"' and '\\' */

	buf_putc(out, '"');
	for (;;)
	{
		const char *quote = memchr(scan, '"', (size_t) (end - scan));
		const char *bs;

		if (quote == NULL)
			return NULL;
		bs = memchr(scan, '\\', (size_t) (quote - scan));
		if (bs == NULL)
		{
			jsonw_string_body(out, seg, (size_t) (quote - seg));
			buf_putc(out, '"');
			return quote + 1;
		}
		jsonw_string_body(out, seg, (size_t) (bs - seg));
		if (bs + 1 >= end)
			return NULL;
		seg = bs + 1; /* the escaped byte starts the next piece */
		scan = bs + 2;
	}
}

/*
 * encode_hstore: "k"=>"v", "k2"=>NULL -> {"k":"v","k2":null}
 */
static int
encode_hstore(Buf *out, const char *s, size_t n)
{
	const char *p = s;
	const char *end = s + n;
	size_t start = out->len;

	p = skip_space(p, end);
	buf_putc(out, '{');
	if (p == end)
	{
		buf_putc(out, '}');
		return 0;
	}
	for (;;)
	{
		if (*p != '"' || (p = hstore_string(out, p, end)) == NULL)
			return fallback(out, start, s, n);
		p = skip_space(p, end);
		if (end - p < 2 || p[0] != '=' || p[1] != '>')
			return fallback(out, start, s, n);
		buf_putc(out, ':');
		p = skip_space(p + 2, end);
		if (p < end && *p == '"')
		{
			if ((p = hstore_string(out, p, end)) == NULL)
				return fallback(out, start, s, n);
		}
		/* cppcheck-suppress knownConditionTrueFalse ; false: p < end here when *p is not '"' */
		else if (end - p >= 4 && (p[0] | 0x20) == 'n' && (p[1] | 0x20) == 'u' &&
				 (p[2] | 0x20) == 'l' && (p[3] | 0x20) == 'l')
		{
			APPEND_LIT(out, "null");
			p += 4;
		}
		else
			return fallback(out, start, s, n);
		p = skip_space(p, end);
		if (p == end)
			break;
		if (*p != ',')
			return fallback(out, start, s, n);
		buf_putc(out, ',');
		p = skip_space(p + 1, end);
		if (p == end)
			return fallback(out, start, s, n);
	}
	buf_putc(out, '}');
	return 0;
}

/*
 * Lower-case hex digit for each byte, or 0 if the byte is not one
 */
static const char hex_lower[256] = {
	['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
	['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
	['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
	['f'] = 'f', ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd',
	['E'] = 'e', ['F'] = 'f',
};

/*
 * encode_bytea: "\x0102ab" -> "0102ab"; any other form is a string
 */
static int
encode_bytea(Buf *out, const char *s, size_t n)
{
	size_t i;
	char *d;

	if (n < 2 || s[0] != '\\' || s[1] != 'x' || (n & 1) != 0)
	{
		jsonw_string(out, s, n);
		return 0;
	}
	d = buf_reserve(out, n);
	d[0] = '"';
	for (i = 2; i < n; i++)
	{
		char c = hex_lower[(unsigned char) s[i]];

		if (c == 0)
		{
			jsonw_string(out, s, n);
			return 0;
		}
		d[i - 1] = c;
	}
	d[n - 1] = '"';
	buf_commit(out, n);
	return 0;
}

/*
 * encode_numbers: pgvector's text, [n,n,...], is already a JSON array of
 * numbers; it is copied when every element is a JSON number, else the
 * whole text is a string.
 */
static int
encode_numbers(Buf *out, const char *s, size_t n)
{
	size_t i = 1, start;

	if (n < 2 || s[0] != '[' || s[n - 1] != ']')
		return fallback(out, out->len, s, n);
	if (n > 2)
	{
		for (;;)
		{
			start = i;
			while (i < n - 1 && s[i] != ',')
				i++;
			if (!jsonw_is_number(s + start, i - start))
				return fallback(out, out->len, s, n);
			if (i == n - 1)
				break;
			i++;
		}
	}
	buf_append(out, s, n);
	return 0;
}

/*
 * encode_scalar: one value of a kind other than ENC_ARRAY
 */
int
encode_scalar(Buf *out, EncKind kind, const char *s, size_t n)
{
	switch (kind)
	{
		case ENC_INTEGER:
			return encode_integer(out, s, n);
		case ENC_NUMBER:
			return encode_number(out, s, n);
		case ENC_BOOL:
			return encode_two(out, s, n, 't', 'f');
		case ENC_BIT1:
			return encode_two(out, s, n, '1', '0');
		case ENC_JSON_RAW:
			return encode_json_raw(out, s, n);
		case ENC_HSTORE:
			return encode_hstore(out, s, n);
		case ENC_DATE:
		case ENC_TIMESTAMP:
		case ENC_TIMESTAMPTZ:
			return encode_date_time(out, kind, s, n);
		case ENC_TIME:
		case ENC_TIMETZ:
			return encode_time(out, kind, s, n);
		case ENC_BYTEA:
			return encode_bytea(out, s, n);
		case ENC_NUMBERS:
			return encode_numbers(out, s, n);
		case ENC_STRING:
		case ENC_ARRAY:
		case ENC_COMPOSITE:
		default:
			jsonw_string(out, s, n);
			return 0;
	}
}

/*
 * encode_value: appends the JSON rendering of s[0..n) (borrowed) to out;
 * see encode.h.
 */
int
encode_value(Buf *out, Buf *scratch, const Encoder *enc, const char *s,
			 size_t n)
{
	if (s == NULL)
		s = "";
	if (enc->kind == ENC_STRING)
	{
		jsonw_string(out, s, n);
		return 0;
	}
	if (enc->kind == ENC_ARRAY)
		return encode_array(out, scratch, enc, s, n);
	if (enc->kind == ENC_COMPOSITE)
		return enc->comp ? encode_composite(out, scratch, enc->comp, s, n)
						 : fallback(out, out->len, s, n);
	return encode_scalar(out, enc->kind, s, n);
}
