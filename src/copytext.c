/*
 * copytext.c: splitting one row of COPY ... TO STDOUT text format.
 *
 * Fields are found with memchr: one search per field for '\t', and one
 * per row (plus one after each field that has escapes) for '\\'. A
 * field without a backslash is returned in place; the others are decoded
 * into the scratch buffer, which is sized for the whole row before the
 * first field so it never moves while the row is split.
 *
 * Decoding follows PostgreSQL's COPY FROM reader: \b \f \n \r \t \v,
 * \ooo (1 to 3 octal digits, value modulo 256), \xh or \xhh, and any
 * other character after a backslash stands for itself (so "\<tab>" is a
 * tab inside the field, not a delimiter, and "\x" with no hex digit is
 * "x"). A field that is exactly "\N" is NULL. The row is malformed when
 * a raw newline appears before its end or it ends in a lone backslash.
 */
#include "tap/copytext.h"

#include <string.h>

/*
 * hex_value: the value of hex digit c, or -1
 */
static inline int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * decode_field: decodes the field that starts at p and whose first
 * backslash is bs, into dst. tab is the first '\t' at or after p (or
 * NULL). Returns the end of the field (its delimiter tab, or end) and
 * sets *out_n, or returns NULL when the row ends in a lone backslash.
 */
static const char *
decode_field(const char *p, const char *bs, const char *tab, const char *end,
			 char *dst, size_t *out_n)
{
	char *d = dst;

	for (;;)
	{
		const char *fend = tab ? tab : end;
		unsigned char c;

		if (bs == NULL)
		{
			memcpy(d, p, (size_t) (fend - p));
			d += fend - p;
			*out_n = (size_t) (d - dst);
			return fend;
		}
		memcpy(d, p, (size_t) (bs - p));
		d += bs - p;
		p = bs + 1;
		if (p == end)
			return NULL;
		c = (unsigned char) *p++;
		switch (c)
		{
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'v':
				c = '\v';
				break;
			case '0':
			case '1':
			case '2':
			case '3':
			case '4':
			case '5':
			case '6':
			case '7':
			{
				unsigned v = c - '0';

				if (p < end && *p >= '0' && *p <= '7')
				{
					v = v * 8 + (unsigned) (*p++ - '0');
					if (p < end && *p >= '0' && *p <= '7')
						v = v * 8 + (unsigned) (*p++ - '0');
				}
				c = (unsigned char) (v & 0xFF);
				break;
			}
			case 'x':
				if (p < end && hex_value((unsigned char) *p) >= 0)
				{
					unsigned v = (unsigned) hex_value((unsigned char) *p++);

					if (p < end && hex_value((unsigned char) *p) >= 0)
						v = v * 16 + (unsigned) hex_value((unsigned char) *p++);
					c = (unsigned char) v;
				}
				break;
			default:
				break; /* the character itself, '\t' included */
		}
		*d++ = (char) c;
		if (tab != NULL && p > tab)
			tab = memchr(p, '\t', (size_t) (end - p)); /* it was escaped */
		fend = tab ? tab : end;
		bs = memchr(p, '\\', (size_t) (fend - p));
	}
}

/*
 * copytext_split: splits row[0..len) (borrowed) into fields; see
 * copytext.h. Decoded fields live in scratch, which is reset first.
 */
int
copytext_split(const char *row, size_t len, CopyField *fields, int max,
			   Buf *scratch)
{
	const char *p = row;
	const char *end;
	char *dst;
	char *d;
	const char *next_bs; /* the first backslash at or after p */
	int nf = 0;

	if (row == NULL || len == 0)
	{
		if (max > 0)
		{
			fields[0].s = "";
			fields[0].n = 0;
			fields[0].isnull = false;
		}
		return 1;
	}
	end = row + len;
	if (end[-1] == '\n')
		end--;
	if (memchr(row, '\n', (size_t) (end - row)) != NULL)
		return -1;
	buf_reset(scratch);
	dst = buf_reserve(scratch, len);
	d = dst;
	next_bs = memchr(row, '\\', (size_t) (end - row));
	for (;;)
	{
		const char *tab = memchr(p, '\t', (size_t) (end - p));
		const char *fend = tab ? tab : end;
		const char *bs = next_bs != NULL && next_bs < fend ? next_bs : NULL;
		CopyField f;

		f.isnull = false;
		if (bs == NULL)
		{
			f.s = p;
			f.n = (size_t) (fend - p);
		}
		else if (bs == p && fend - p == 2 && p[1] == 'N')
		{
			f.s = p;
			f.n = 0;
			f.isnull = true;
		}
		else
		{
			fend = decode_field(p, bs, tab, end, d, &f.n);
			if (fend == NULL)
				return -1;
			f.s = d;
			d += f.n;
		}
		if (bs != NULL)
			next_bs = memchr(fend, '\\', (size_t) (end - fend));
		if (nf < max)
			fields[nf] = f;
		nf++;
		if (fend == end)
			break;
		p = fend + 1;
	}
	buf_commit(scratch, (size_t) (d - dst));
	return nf;
}
