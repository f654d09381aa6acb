/*
 * json_check.h: a strict RFC 8259 validator for the fuzz targets.
 *
 * jansson cannot be the judge of "valid JSON" for the encoder's output: it
 * refuses numbers that overflow int64 or a double (PostgreSQL's numeric
 * prints up to 131072 digits, copied as they are: README, "Types"), and
 * NUL in object keys. This checks the grammar only: one value with
 * optional white space around it, strings of well-formed UTF-8 without raw
 * control characters, escapes as the RFC lists them (\u surrogates in
 * pairs), numbers -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
 */
#ifndef TESTS_FUZZ_JSON_CHECK_H
#define TESTS_FUZZ_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct JsonCheck
{
	const unsigned char *p;
	const unsigned char *end;
	int depth;
} JsonCheck;

static bool jc_value(JsonCheck *c);

static void
jc_ws(JsonCheck *c)
{
	while (c->p < c->end &&
		   (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool
jc_lit(JsonCheck *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t) (c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return false;
	c->p += n;
	return true;
}

static bool
jc_digits(JsonCheck *c)
{
	const unsigned char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start;
}

static bool
jc_number(JsonCheck *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (c->p >= c->end || *c->p < '1' || *c->p > '9' || !jc_digits(c))
		return false;
	if (c->p < c->end && *c->p == '.')
	{
		c->p++;
		if (!jc_digits(c))
			return false;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E'))
	{
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!jc_digits(c))
			return false;
	}
	return true;
}

/* jc_hex4: four hex digits at p, as a value, or -1 */
static long
jc_hex4(JsonCheck *c)
{
	long v = 0;

	if (c->end - c->p < 4)
		return -1;
	for (int i = 0; i < 4; i++)
	{
		unsigned char h = c->p[i];

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= h - '0';
		else if (h >= 'a' && h <= 'f')
			v |= h - 'a' + 10;
		else if (h >= 'A' && h <= 'F')
			v |= h - 'A' + 10;
		else
			return -1;
	}
	c->p += 4;
	return v;
}

/* jc_utf8: one well-formed UTF-8 sequence (lead byte >= 0x80) */
static bool
jc_utf8(JsonCheck *c)
{
	const unsigned char *p = c->p;
	size_t avail = (size_t) (c->end - p);
	unsigned lo = 0x80;
	unsigned hi = 0xBF;
	size_t need;

	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		need = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
	{
		need = 3;
		lo = p[0] == 0xE0 ? 0xA0 : 0x80;
		hi = p[0] == 0xED ? 0x9F : 0xBF;
	}
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
	{
		need = 4;
		lo = p[0] == 0xF0 ? 0x90 : 0x80;
		hi = p[0] == 0xF4 ? 0x8F : 0xBF;
	}
	else
		return false;
	if (avail < need || p[1] < lo || p[1] > hi)
		return false;
	for (size_t i = 2; i < need; i++)
		if ((p[i] & 0xC0) != 0x80)
			return false;
	c->p += need;
	return true;
}

static bool
jc_string(JsonCheck *c)
{
	if (c->p >= c->end || *c->p != '"')
		return false;
	c->p++;
	for (;;)
	{
		unsigned char b;

		if (c->p >= c->end)
			return false;
		b = *c->p;
		if (b == '"')
		{
			c->p++;
			return true;
		}
		if (b < 0x20)
			return false;
		if (b >= 0x80)
		{
			if (!jc_utf8(c))
				return false;
			continue;
		}
		c->p++;
		if (b != '\\')
			continue;
		if (c->p >= c->end)
			return false;
		b = *c->p++;
		if (b == 'u')
		{
			long u = jc_hex4(c);

			if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF))
				return false;
			if (u >= 0xD800 && u <= 0xDBFF)
			{
				long low;

				if (!jc_lit(c, "\\u") || (low = jc_hex4(c)) < 0xDC00 ||
					low > 0xDFFF)
					return false;
			}
		}
		else if (strchr("\"\\/bfnrt", b) == NULL || b == '\0')
			return false;
	}
}

static bool
jc_value(JsonCheck *c)
{
	bool ok;

	jc_ws(c);
	if (c->p >= c->end)
		return false;
	switch (*c->p)
	{
		case '{':
		case '[':
		{
			unsigned char close = *c->p == '{' ? '}' : ']';
			bool obj = close == '}';

			if (++c->depth > 10000)
				return false;
			c->p++;
			jc_ws(c);
			if (c->p < c->end && *c->p == close)
			{
				c->p++;
				c->depth--;
				return true;
			}
			for (;;)
			{
				if (obj)
				{
					jc_ws(c);
					if (!jc_string(c))
						return false;
					jc_ws(c);
					if (c->p >= c->end || *c->p++ != ':')
						return false;
				}
				if (!jc_value(c))
					return false;
				jc_ws(c);
				if (c->p >= c->end)
					return false;
				if (*c->p == close)
					break;
				if (*c->p++ != ',')
					return false;
			}
			c->p++;
			c->depth--;
			ok = true;
			break;
		}
		case '"':
			ok = jc_string(c);
			break;
		case 't':
			ok = jc_lit(c, "true");
			break;
		case 'f':
			ok = jc_lit(c, "false");
			break;
		case 'n':
			ok = jc_lit(c, "null");
			break;
		default:
			ok = jc_number(c);
			break;
	}
	return ok;
}

/* json_check: whether s[0..n) is exactly one JSON value (RFC 8259) */
static inline bool
json_check(const char *s, size_t n)
{
	JsonCheck c = {(const unsigned char *) s, (const unsigned char *) s + n, 0};

	if (!jc_value(&c))
		return false;
	jc_ws(&c);
	return c.p == c.end;
}

#endif
