/*
 * encode_array.c: a PostgreSQL array literal -> nested JSON arrays, each
 * element by the scalar (or composite) encoder of the element type.
 * Elements with backslashes are un-escaped into the scratch buffer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "tap/encode_internal.h"

/* Array nesting guard; PostgreSQL allows 6 dimensions */
#define ARRAY_MAX_DEPTH 64

/* State of one array being parsed */
typedef struct ArrayParse
{
	Buf *out;
	Buf *scratch;
	EncKind elem;
	const EncComposite *comp; /* elements' fields, for ENC_COMPOSITE */
	char delim;
	const char *end;
	int flags;
} ArrayParse;

/*
 * encode_elem: one array element. A composite element gets no scratch:
 * its text may live in ap->scratch.
 */
static int
encode_elem(ArrayParse *ap, const char *s, size_t n)
{
	if (ap->elem == ENC_COMPOSITE)
		return encode_composite(ap->out, NULL, ap->comp, s, n);
	return encode_scalar(ap->out, ap->elem, s, n);
}

/*
 * array_quoted: p points at the opening '"' of an element. Encodes the
 * element (its backslash escapes undone in scratch when it has any) and
 * returns the position after the closing quote, or NULL.
 */
static const char *
array_quoted(ArrayParse *ap, const char *p)
{
	const char *end = ap->end;
	const char *q = p + 1;
	const char *quote = memchr(q, '"', (size_t) (end - q));
	const char *bs;
	char *d;
	char *d0;

	if (quote == NULL)
		return NULL;
	bs = memchr(q, '\\', (size_t) (quote - q));
	if (bs == NULL)
	{
		ap->flags |= encode_elem(ap, q, (size_t) (quote - q));
		return quote + 1;
	}
	buf_reset(ap->scratch);
	d0 = d = buf_reserve(ap->scratch, (size_t) (end - q));
	for (;;)
	{
		memcpy(d, q, (size_t) (bs - q));
		d += bs - q;
		if (bs + 1 >= end)
			return NULL;
		*d++ = bs[1];
		q = bs + 2;
		quote = memchr(q, '"', (size_t) (end - q));
		if (quote == NULL)
			return NULL;
		bs = memchr(q, '\\', (size_t) (quote - q));
		if (bs == NULL)
			break;
	}
	memcpy(d, q, (size_t) (quote - q));
	d += quote - q;
	ap->flags |= encode_elem(ap, d0, (size_t) (d - d0));
	return quote + 1;
}

/*
 * array_unquoted: p points at the first byte of an unquoted element,
 * which runs to the next delimiter or '}', less trailing white space.
 * Backslashes escape the next byte. An unescaped NULL (any case) is null.
 * Returns the position after the element, or NULL.
 */
static const char *
array_unquoted(ArrayParse *ap, const char *p)
{
	const char *end = ap->end;
	const char *q = p;
	const char *last; /* end of the element, spaces trimmed */
	char *d;
	char *d0;
	size_t keep;

	while (q < end && *q != ap->delim && *q != '}' && *q != '\\' && *q != '"' &&
		   *q != '{')
		q++;
	if (q < end && (*q == '"' || *q == '{'))
		return NULL;
	if (q == end || *q != '\\')
	{
		last = q;
		while (last > p && is_space(last[-1]))
			last--;
		if (last == p)
			return NULL; /* an empty unquoted element */
		if (last - p == 4 && (p[0] | 0x20) == 'n' && (p[1] | 0x20) == 'u' &&
			(p[2] | 0x20) == 'l' && (p[3] | 0x20) == 'l')
			APPEND_LIT(ap->out, "null");
		else
			ap->flags |= encode_elem(ap, p, (size_t) (last - p));
		return q;
	}
	/* slow path: backslash escapes */
	buf_reset(ap->scratch);
	d0 = d = buf_reserve(ap->scratch, (size_t) (end - p));
	keep = 0;
	q = p;
	while (q < end && *q != ap->delim && *q != '}')
	{
		if (*q == '"' || *q == '{')
			return NULL;
		if (*q == '\\')
		{
			if (q + 1 >= end)
				return NULL;
			*d++ = q[1];
			keep = (size_t) (d - d0); /* escaped bytes are never trimmed */
			q += 2;
			continue;
		}
		*d++ = *q;
		if (!is_space(*q))
			keep = (size_t) (d - d0);
		q++;
	}
	if (keep == 0)
		return NULL;
	ap->flags |= encode_elem(ap, d0, keep);
	return q;
}

/*
 * array_level: p points at '{'. Writes the JSON array for this level and
 * the ones it contains; returns the position after the matching '}', or
 * NULL if the text is malformed.
 */
static const char *
array_level(ArrayParse *ap, const char *p, int depth)
{
	const char *end = ap->end;

	buf_putc(ap->out, '[');
	p = skip_space(p + 1, end);
	if (p < end && *p == '}')
	{
		buf_putc(ap->out, ']');
		return p + 1;
	}
	for (;;)
	{
		p = skip_space(p, end);
		if (p == end)
			return NULL;
		if (*p == '{')
		{
			if (depth >= ARRAY_MAX_DEPTH)
				return NULL;
			p = array_level(ap, p, depth + 1);
		}
		else if (*p == '"')
			p = array_quoted(ap, p);
		else
			p = array_unquoted(ap, p);
		if (p == NULL)
			return NULL;
		p = skip_space(p, end);
		if (p == end)
			return NULL;
		if (*p == '}')
		{
			buf_putc(ap->out, ']');
			return p + 1;
		}
		if (*p != ap->delim)
			return NULL;
		buf_putc(ap->out, ',');
		p++;
	}
}

/*
 * array_parse: a PostgreSQL array literal, with an optional dimension
 * prefix ("[0:1]={...}"), as nested JSON arrays into ap->out, falling
 * back to a JSON string of the whole text
 */
static int
array_parse(ArrayParse *ap, const char *s, size_t n)
{
	Buf *out = ap->out;
	const char *p = s;
	const char *end = s + n;
	size_t start = out->len;

	p = skip_space(p, end);
	if (p < end && *p == '[')
	{
		while (p < end && *p == '[')
		{
			p++;
			while (p < end &&
				   (is_digit(*p) || *p == '-' || *p == ':' || *p == '+'))
				p++;
			if (p == end || *p != ']')
				return fallback(out, start, s, n);
			p++;
		}
		if (p == end || *p != '=')
			return fallback(out, start, s, n);
		p = skip_space(p + 1, end);
	}
	if (p == end || *p != '{')
		return fallback(out, start, s, n);
	p = array_level(ap, p, 1);
	if (p == NULL || skip_space(p, end) != end)
		return fallback(out, start, s, n);
	return ap->flags;
}

/*
 * encode_array: sets up the parse. Elements are un-escaped into scratch,
 * or into a buffer of its own when the input itself lives in scratch
 * (or there is no scratch), so the input is never overwritten.
 */
int
encode_array(Buf *out, Buf *scratch, const Encoder *enc, const char *s,
			 size_t n)
{
	ArrayParse ap;
	Buf own = {0};
	int flags;

	ap.out = out;
	ap.scratch = scratch;
	ap.elem = enc->elem == ENC_ARRAY ? ENC_STRING : enc->elem;
	ap.comp = enc->comp;
	if (ap.elem == ENC_COMPOSITE && ap.comp == NULL)
		ap.elem = ENC_STRING;
	ap.delim = enc->delim ? enc->delim : ',';
	ap.end = s + n;
	ap.flags = 0;
	if (!scratch_usable(scratch, out, s, n))
		ap.scratch = &own;
	flags = array_parse(&ap, s, n);
	buf_fini(&own);
	return flags;
}
