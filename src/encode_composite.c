/*
 * encode_composite.c: a composite type's text, (f1,"f 2",) -> a JSON
 * object of its fields, each by its own encoder.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "tap/encode_internal.h"

/*
 * composite_field: the field of a composite's text that starts at p (after
 * '(' or ','): record_out quotes a field with "..." (inner quotes and
 * backslashes doubled) when it needs it; record_in also takes backslash
 * escapes and quoted parts anywhere. Sets *v, *vn to the field's text (a
 * slice of the input when nothing needed undoing, else in un), *null when
 * the field is empty and unquoted (NULL). Returns the position of the ','
 * or ')' after the field, or NULL when the text is malformed.
 */
static const char *
composite_field(const char *p, const char *end, Buf *un, const char **v,
				size_t *vn, bool *null)
{
	const char *q = p;
	bool simple = true;

	*null = false;
	if (q < end && *q == '"')
	{
		/* the common case: one quoted run without escapes */
		const char *close = memchr(q + 1, '"', (size_t) (end - q - 1));

		if (close == NULL)
			return NULL;
		if (memchr(q + 1, '\\', (size_t) (close - q - 1)) == NULL &&
			close + 1 < end && (close[1] == ',' || close[1] == ')'))
		{
			*v = q + 1;
			*vn = (size_t) (close - q - 1);
			return close + 1;
		}
		/* else the slow path below */
	}
	else
	{
		while (q < end && *q != ',' && *q != ')')
		{
			if (*q == '"' || *q == '\\')
				simple = false;
			q++;
		}
		if (simple)
		{
			if (q == end)
				return NULL;
			*v = p;
			*vn = (size_t) (q - p);
			*null = q == p;
			return q;
		}
	}
	/* slow path: undo quoting and escapes into un */
	buf_reset(un);
	for (q = p; q < end && *q != ',' && *q != ')';)
	{
		if (*q == '\\')
		{
			if (q + 1 >= end)
				return NULL;
			buf_putc(un, q[1]);
			q += 2;
		}
		else if (*q == '"')
		{
			for (q++;; q++)
			{
				if (q >= end)
					return NULL;
				if (*q == '"' && q + 1 < end && q[1] == '"')
				{
					buf_putc(un, '"');
					q++;
				}
				else if (*q == '"')
					break;
				else if (*q == '\\')
				{
					if (q + 1 >= end)
						return NULL;
					buf_putc(un, *++q);
				}
				else
					buf_putc(un, *q);
			}
			q++;
		}
		else
			buf_putc(un, *q++);
	}
	if (q == end)
		return NULL;
	*v = un->data ? un->data : "";
	*vn = un->len;
	return q;
}

/*
 * encode_composite: (f1,"f 2",) -> {"a":f1,"b":"f 2","c":null}, each
 * field by its own encoder. Falls back to a JSON string of the whole text
 * when it is not a record of c's fields. A field that needs un-escaping
 * goes through scratch when it does not hold s, else a buffer of its own;
 * the field's encoder then gets none (its text may live in that buffer).
 */
int
encode_composite(Buf *out, Buf *scratch, const EncComposite *c, const char *s,
				 size_t n)
{
	size_t start = out->len;
	const char *end = s + n;
	const char *p = s;
	Buf own = {0};
	Buf *un = scratch_usable(scratch, out, s, n) ? scratch : &own;
	int flags = 0;

	if (n < 2 || s[0] != '(' || s[n - 1] != ')')
		return fallback(out, start, s, n);
	buf_putc(out, '{');
	for (size_t i = 0; i < c->nfields; i++)
	{
		const char *v;
		size_t vn;
		bool null;

		p = composite_field(p + 1, end, un, &v, &vn, &null);
		if (p == NULL || (*p == ')') != (i + 1 == c->nfields))
		{
			buf_fini(&own);
			return fallback(out, start, s, n);
		}
		if (i > 0)
			buf_putc(out, ',');
		buf_append(out, c->fields[i].key, c->fields[i].keylen);
		if (null)
			APPEND_LIT(out, "null");
		else
			flags |= encode_value(out, v == un->data ? NULL : un,
								  &c->fields[i].enc, v, vn);
	}
	buf_fini(&own);
	if (c->nfields == 0 ? n != 2 : p + 1 != end)
		return fallback(out, start, s, n);
	buf_putc(out, '}');
	return flags;
}
