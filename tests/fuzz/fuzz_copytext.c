/*
 * fuzz_copytext.c: copytext_split on any row, checked against a plain
 * byte-by-byte reference decoder of the COPY text format (copytext.h).
 * The first byte picks how many fields the caller has room for (0..15);
 * the rest is the row. Invariants: no read outside the row, the same
 * fields as the reference, field pointers into the row or the scratch
 * buffer.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "tap/buf.h"
#include "tap/copytext.h"

#define MAXF 16

typedef struct RefField
{
	size_t start; /* offset in the reference's output */
	size_t n;
	bool isnull;
} RefField;

static int
ref_hex(unsigned char c)
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
 * ref_split: the reference. Decodes row[0..len) into dec (room for len
 * bytes) and up to MAXF fields; returns the number of fields or -1.
 */
static int
ref_split(const unsigned char *row, size_t len, unsigned char *dec, RefField *f)
{
	size_t end = len;
	size_t i = 0;
	size_t d = 0;
	size_t fstart_raw = 0;
	int nf = 0;

	if (len == 0)
	{
		f[0].start = 0;
		f[0].n = 0;
		f[0].isnull = false;
		return 1;
	}
	if (row[end - 1] == '\n')
		end--;
	for (size_t k = 0; k < end; k++)
		if (row[k] == '\n')
			return -1;
	f[0].start = 0;
	for (;;)
	{
		if (i == end || row[i] == '\t')
		{
			if (nf < MAXF)
			{
				f[nf].n = d - f[nf].start;
				f[nf].isnull = i - fstart_raw == 2 && row[fstart_raw] == '\\' &&
							   row[fstart_raw + 1] == 'N';
				if (f[nf].isnull)
					f[nf].n = 0;
			}
			nf++;
			if (i == end)
				return nf;
			i++;
			fstart_raw = i;
			if (nf < MAXF)
				f[nf].start = d;
			continue;
		}
		if (row[i] != '\\')
		{
			dec[d++] = row[i++];
			continue;
		}
		if (++i == end)
			return -1;
		{
			unsigned char c = row[i++];

			if (c == 'b')
				c = '\b';
			else if (c == 'f')
				c = '\f';
			else if (c == 'n')
				c = '\n';
			else if (c == 'r')
				c = '\r';
			else if (c == 't')
				c = '\t';
			else if (c == 'v')
				c = '\v';
			else if (c >= '0' && c <= '7')
			{
				unsigned v = c - '0';

				for (int k = 0;
					 k < 2 && i < end && row[i] >= '0' && row[i] <= '7'; k++)
					v = v * 8 + (row[i++] - '0');
				c = (unsigned char) v;
			}
			else if (c == 'x' && i < end && ref_hex(row[i]) >= 0)
			{
				unsigned v = (unsigned) ref_hex(row[i++]);

				if (i < end && ref_hex(row[i]) >= 0)
					v = v * 16 + (unsigned) ref_hex(row[i++]);
				c = (unsigned char) v;
			}
			dec[d++] = c;
		}
	}
}

/* inside: whether p[0..n) lies within base[0..len) */
static bool
inside(const char *p, size_t n, const char *base, size_t len)
{
	return base != NULL && p >= base && n <= len &&
		   (size_t) (p - base) <= len - n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CopyField fields[MAXF];
	RefField ref[MAXF];
	unsigned char *dec;
	const char *row;
	size_t len;
	int max;
	int got;
	int want;
	Buf scratch;

	if (size < 1)
		return 0;
	max = data[0] % MAXF;
	row = (const char *) data + 1;
	len = size - 1;
	dec = malloc(len + 1);
	if (dec == NULL)
		return 0;
	buf_init(&scratch, 8);
	memset(fields, 0, sizeof fields);
	got = copytext_split(row, len, fields, max, &scratch);
	want = ref_split((const unsigned char *) row, len, dec, ref);
	if (got != want)
	{
		fprintf(stderr, "copytext_split: %d fields, reference: %d\n", got,
				want);
		fuzz_fail("field count differs from the reference", row, len);
	}
	for (int i = 0; i < got && i < max; i++)
	{
		const CopyField *f = &fields[i];

		FUZZ_CHECK(f->isnull == ref[i].isnull, "NULL differs from reference",
				   row, len);
		if (f->isnull)
			continue;
		FUZZ_CHECK(f->n == 0 || inside(f->s, f->n, row, len) ||
					   inside(f->s, f->n, scratch.data, scratch.len),
				   "field points outside the row and the scratch buffer", row,
				   len);
		if (f->n != ref[i].n ||
			(f->n && memcmp(f->s, dec + ref[i].start, f->n) != 0))
		{
			fprintf(stderr, "field %d: got %zu bytes, reference %zu\n", i, f->n,
					ref[i].n);
			fuzz_fail("field differs from the reference", row, len);
		}
	}
	buf_fini(&scratch);
	free(dec);
	return 0;
}
