/*
 * test_copytext.c: unit tests for splitting COPY text-format rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/buf.h"
#include "tap/copytext.h"
#include "tap.h"

#define MAXF 8

/* One expected field: NULL text means SQL NULL */
typedef struct Want
{
	const char *s;
	size_t n; /* 0: strlen(s) */
} Want;

typedef struct RowCase
{
	const char *row;
	size_t len; /* 0: strlen(row) */
	int nf;     /* expected return value */
	Want f[MAXF];
} RowCase;

static const RowCase cases[] = {
	{"a\tb\tc\n", 0, 3, {{"a", 0}, {"b", 0}, {"c", 0}}},
	{"a\tb\tc", 0, 3, {{"a", 0}, {"b", 0}, {"c", 0}}},
	{"one\n", 0, 1, {{"one", 0}}},
	{"\n", 0, 1, {{"", 0}}},
	{"\t\n", 0, 2, {{"", 0}, {"", 0}}},
	{"\t\t\n", 0, 3, {{"", 0}, {"", 0}, {"", 0}}},
	{"\\N\n", 0, 1, {{NULL, 0}}},
	{"\\N\tx\t\\N\n", 0, 3, {{NULL, 0}, {"x", 0}, {NULL, 0}}},
	{"\\Nx\tx\\N\t\\\\N\n", 0, 3, {{"Nx", 0}, {"xN", 0}, {"\\N", 0}}},
	{"\\n\n", 0, 1, {{"\n", 0}}},
	{"a\\tb\\nc\\\\d\\re\\bf\\fg\\vh\n", 0, 1, {{"a\tb\nc\\d\re\bf\fg\vh", 0}}},
	{"\\101\\60\\7\\1012\n",
	 0,
	 1,
	 {{"A0\a"
	   "A2",
	   0}}},
	{"\\0\tx\n", 0, 2, {{"\0", 1}, {"x", 0}}},
	{"\\400\\777\\08\n",
	 0,
	 1,
	 {{"\0\xFF\0"
	   "8",
	   4}}},
	{"\\x41\\x4\\x4a4\\xFf\n", 0, 1, {{"A\x04J4\xFF", 0}}},
	{"\\xg\\x\n", 0, 1, {{"xgx", 0}}},
	{"\\q\\\"\\'\\N\\.\n", 0, 1, {{"q\"'N.", 0}}},
	{"a\\\tb\tc\n", 0, 2, {{"a\tb", 0}, {"c", 0}}},
	{"\\\t\t\\\t\n", 0, 2, {{"\t", 0}, {"\t", 0}}},
	{"h\xC3\xA9llo\t\xF0\x9F\x98\x80\n",
	 0,
	 2,
	 {{"h\xC3\xA9llo", 0}, {"\xF0\x9F\x98\x80", 0}}},
	{"a\r\n", 0, 1, {{"a\r", 0}}},
	{"x\\\\\n", 0, 1, {{"x\\", 0}}},
	{"", 0, 1, {{"", 0}}},
	{"1\t2\t3\t4\t5\t6\t7\t8\n",
	 0,
	 8,
	 {{"1", 0},
	  {"2", 0},
	  {"3", 0},
	  {"4", 0},
	  {"5", 0},
	  {"6", 0},
	  {"7", 0},
	  {"8", 0}}},
	/* malformed */
	{"a\nb\n", 0, -1, {{NULL, 0}}},
	{"abc\\", 0, -1, {{NULL, 0}}},
	{"abc\\\n", 0, -1, {{NULL, 0}}},
	{"a\tb\\", 0, -1, {{NULL, 0}}},
};

/*
 * field_is: compares one field with what is wanted
 */
static bool
field_is(const CopyField *f, const Want *w)
{
	size_t n;

	if (w->s == NULL)
		return f->isnull;
	n = w->n ? w->n : strlen(w->s);
	return !f->isnull && f->n == n && memcmp(f->s, w->s, n) == 0;
}

/*
 * test_cases: the table, each row copied to its exact size on the heap
 * so that a read past its end is caught by ASan
 */
static void
test_cases(void)
{
	Buf scratch = {0};
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		const RowCase *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->row);
		char *row = malloc(len ? len : 1);
		CopyField f[MAXF];
		int nf;
		int k;
		bool same = true;

		memcpy(row, c->row, len);
		nf = copytext_split(len ? row : NULL, len, f, MAXF, &scratch);
		snprintf(name, sizeof(name), "row %zu: field count", i);
		is_int(nf, c->nf, name);
		for (k = 0; k < nf && k < MAXF; k++)
		{
			if (!field_is(&f[k], &c->f[k]))
			{
				printf("# field %d differs\n", k);
				same = false;
			}
		}
		snprintf(name, sizeof(name), "row %zu: fields", i);
		ok(same, name);
		free(row);
	}
	buf_fini(&scratch);
}

/*
 * test_pointers: fields without escapes point into the row; decoded ones
 * into scratch, and they all stay valid together even though scratch
 * started tiny (it is sized once per row, never moved mid-row)
 */
static void
test_pointers(void)
{
	const char *src = "plain\t\\tesc1\\t\tplain2\tesc2\\\\esc2\t\\N\t"
					  "\\x41\\x42\\x43\\x44\\x45\\x46\\x47\\x48\\x49\n";
	size_t len = strlen(src);
	char *row = malloc(len);
	Buf scratch;
	CopyField f[MAXF];
	int nf;

	memcpy(row, src, len);
	buf_init(&scratch, 1);
	nf = copytext_split(row, len, f, MAXF, &scratch);
	is_int(nf, 6, "pointer row: 6 fields");
	ok(f[0].s == row && f[0].n == 5, "plain field points into the row");
	ok(f[2].s == row + 15 && f[2].n == 6, "second plain field into the row");
	ok(f[1].s >= scratch.data && f[1].s < scratch.data + scratch.cap,
	   "escaped field points into scratch");
	is_mem(f[1].s, f[1].n, "\tesc1\t", 6, "first decoded field intact");
	is_mem(f[3].s, f[3].n, "esc2\\esc2", 9, "second decoded field intact");
	ok(f[4].isnull, "NULL field");
	is_mem(f[5].s, f[5].n, "ABCDEFGHI", 9, "third decoded field intact");
	ok(scratch.len <= len, "scratch holds no more than the row");

	/* the next call resets scratch */
	nf = copytext_split("\\x5a\n", 5, f, MAXF, &scratch);
	ok(nf == 1 && scratch.len == 1 && f[0].n == 1 && f[0].s[0] == 'Z',
	   "scratch is reset by each call");
	free(row);
	buf_fini(&scratch);
}

/*
 * test_max: more fields than max are counted but only max are set
 */
static void
test_max(void)
{
	Buf scratch = {0};
	CopyField f[4];
	int nf;

	memset(f, 0, sizeof(f));
	f[2].n = 12345;
	nf = copytext_split("1\t2\t3\t4\n", 8, f, 2, &scratch);
	is_int(nf, 4, "more fields than max: all are counted");
	ok(f[0].n == 1 && f[0].s[0] == '1' && f[1].n == 1 && f[1].s[0] == '2',
	   "the first max fields are set");
	is_int((long long) f[2].n, 12345, "fields beyond max are not written");

	nf = copytext_split("a\tb\\\tc\t\\x41\td\n", 14, f, 1, &scratch);
	is_int(nf, 4, "escaped tab beyond max is not a delimiter");
	nf = copytext_split("a\tb\n", 4, NULL, 0, &scratch);
	is_int(nf, 2, "max 0: count only");
	nf = copytext_split("a\tb\\", 4, f, 1, &scratch);
	is_int(nf, -1, "malformed beyond max is still reported");
	buf_fini(&scratch);
}

/*
 * test_random: random rows of tabs, backslashes and escape letters never
 * crash or read past the row, and decoded fields never exceed the row
 */
static void
test_random(void)
{
	static const char alphabet[] = "\t\\Nnx0179aF\"\xC3";
	Buf scratch = {0};
	CopyField f[MAXF];
	unsigned seed = 12345;
	int iter;
	int bad = 0;

	for (iter = 0; iter < 20000; iter++)
	{
		size_t len;
		size_t i;
		char *row;
		int nf;
		int k;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % 24;
		row = malloc(len ? len : 1);
		for (i = 0; i < len; i++)
		{
			seed = seed * 1103515245u + 12345u;
			row[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		if (len > 0 && (seed & 0x100))
			row[len - 1] = '\n';
		nf = copytext_split(row, len, f, MAXF, &scratch);
		for (k = 0; k < nf && k < MAXF; k++)
		{
			if (!f[k].isnull && f[k].n > len)
				bad++;
		}
		if (nf == 0 || nf < -1)
			bad++;
		free(row);
	}
	is_int(bad, 0, "20000 random rows split without harm");
	buf_fini(&scratch);
}

int
main(void)
{
	test_cases();
	test_pointers();
	test_max();
	test_random();
	return done_testing();
}
