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

#include "tap/jsonw.h"

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Array nesting guard; PostgreSQL allows 6 dimensions */
#define ARRAY_MAX_DEPTH 64

/* Longest rendered date/time: "YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM:SS" */
#define DT_MAX 40

static const char ts_min[] = "\"0001-01-01T00:00:00+00:00\"";
static const char ts_max[] = "\"9999-12-31T23:59:59.999999+00:00\"";
static const char date_max[] = "\"9999-12-31T00:00:00+00:00\"";

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
static int
fallback(Buf *out, size_t start, const char *s, size_t n)
{
	out->len = start;
	jsonw_string(out, s, n);
	return 0;
}

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
 * DateTime: the pieces of a date, time, timestamp or time with zone as
 * PostgreSQL prints them in ISO style. Pointers borrow the input.
 */
typedef struct DateTime
{
	long year;
	const char *md;   /* "MM-DD" */
	const char *hms;  /* "HH:MM:SS", or NULL */
	const char *frac; /* fraction digits after '.', or NULL */
	size_t frac_n;    /* 1..6 */
	const char *tz;   /* sign of the offset, or NULL */
	size_t tz_n;      /* 3 (+HH), 6 (+HH:MM) or 9 (+HH:MM:SS) */
	bool bc;
} DateTime;

/*
 * parse_date: "Y+-MM-DD" (4 to 9 year digits) at p; returns the position
 * after it or NULL
 */
static const char *
parse_date(const char *p, const char *end, DateTime *dt)
{
	long y = 0;
	int nd = 0;

	while (p < end && is_digit(*p) && nd < 10)
	{
		y = y * 10 + (*p - '0');
		p++;
		nd++;
	}
	if (nd < 4 || nd > 9 || end - p < 6 || p[0] != '-' || !is_digit(p[1]) ||
		!is_digit(p[2]) || p[3] != '-' || !is_digit(p[4]) || !is_digit(p[5]))
		return NULL;
	dt->year = y;
	dt->md = p + 1;
	return p + 6;
}

/*
 * parse_clock: "HH:MM:SS[.f{1,6}]" at p; returns the position after it
 * or NULL
 */
static const char *
parse_clock(const char *p, const char *end, DateTime *dt)
{
	if (end - p < 8 || !is_digit(p[0]) || !is_digit(p[1]) || p[2] != ':' ||
		!is_digit(p[3]) || !is_digit(p[4]) || p[5] != ':' || !is_digit(p[6]) ||
		!is_digit(p[7]))
		return NULL;
	dt->hms = p;
	p += 8;
	dt->frac = NULL;
	dt->frac_n = 0;
	if (p < end && *p == '.')
	{
		const char *f = ++p;
		bool zero = true;

		while (p < end && is_digit(*p))
		{
			if (*p != '0')
				zero = false;
			p++;
		}
		if (p == f || p - f > 6)
			return NULL;
		if (!zero) /* a zero fraction is omitted, as SIO does */
		{
			dt->frac = f;
			dt->frac_n = (size_t) (p - f);
		}
	}
	return p;
}

/*
 * parse_offset: "+HH[:MM[:SS]]" or "-..." at p; returns the position
 * after it or NULL
 */
static const char *
parse_offset(const char *p, const char *end, DateTime *dt)
{
	const char *q = p;

	if (end - q < 3 || (q[0] != '+' && q[0] != '-') || !is_digit(q[1]) ||
		!is_digit(q[2]))
		return NULL;
	q += 3;
	if (end - q >= 3 && q[0] == ':' && is_digit(q[1]) && is_digit(q[2]))
	{
		q += 3;
		if (end - q >= 3 && q[0] == ':' && is_digit(q[1]) && is_digit(q[2]))
			q += 3;
	}
	dt->tz = p;
	dt->tz_n = (size_t) (q - p);
	return q;
}

/*
 * put_clock: writes "HH:MM:SS[.ffffff]" (fraction padded to 6 digits)
 */
static inline char *
put_clock(char *d, const DateTime *dt)
{
	memcpy(d, dt->hms, 8);
	d += 8;
	if (dt->frac != NULL)
	{
		*d++ = '.';
		memcpy(d, dt->frac, dt->frac_n);
		memset(d + dt->frac_n, '0', 6 - dt->frac_n);
		d += 6;
	}
	return d;
}

/*
 * put_offset: writes the offset as "+HH:MM" or "+HH:MM:SS"; "+00:00"
 * when there is none
 */
static inline char *
put_offset(char *d, const DateTime *dt)
{
	if (dt->tz == NULL)
	{
		memcpy(d, "+00:00", 6);
		return d + 6;
	}
	memcpy(d, dt->tz, dt->tz_n);
	if (dt->tz_n == 3)
	{
		memcpy(d + 3, ":00", 3);
		return d + 6;
	}
	return d + dt->tz_n;
}

/*
 * put_date: writes "YYYY-MM-DD" (year 1..9999)
 */
static inline char *
put_date(char *d, const DateTime *dt)
{
	long y = dt->year;

	d[3] = (char) ('0' + y % 10);
	y /= 10;
	d[2] = (char) ('0' + y % 10);
	y /= 10;
	d[1] = (char) ('0' + y % 10);
	y /= 10;
	d[0] = (char) ('0' + y % 10);
	d[4] = '-';
	memcpy(d + 5, dt->md, 5);
	return d + 10;
}

/*
 * parse_bc: an optional " BC" at p; returns the position after it
 */
static inline const char *
parse_bc(const char *p, const char *end, DateTime *dt)
{
	dt->bc = false;
	if (end - p == 3 && p[0] == ' ' && p[1] == 'B' && p[2] == 'C')
	{
		dt->bc = true;
		return end;
	}
	return p;
}

/*
 * encode_date_time: date, timestamp and timestamptz. Infinities and
 * years outside 1..9999 are clamped to SIO's rendering of -infinity and
 * infinity for the type.
 */
static int
encode_date_time(Buf *out, EncKind kind, const char *s, size_t n)
{
	const char *end = s + n;
	const char *p;
	DateTime dt = {0};
	bool is_date = kind == ENC_DATE;
	char *d;
	char *d0;

	if (lit_eq(s, n, "infinity"))
	{
		if (is_date)
			APPEND_LIT(out, date_max);
		else
			APPEND_LIT(out, ts_max);
		return ENC_F_NONFINITE;
	}
	if (lit_eq(s, n, "-infinity"))
	{
		APPEND_LIT(out, ts_min);
		return ENC_F_NONFINITE;
	}
	p = parse_date(s, end, &dt);
	if (p != NULL && !is_date)
	{
		if (p < end && *p == ' ')
			p = parse_clock(p + 1, end, &dt);
		else
			p = NULL;
		if (p != NULL && kind == ENC_TIMESTAMPTZ)
			p = parse_offset(p, end, &dt);
	}
	if (p != NULL)
		p = parse_bc(p, end, &dt);
	if (p != end)
	{
		jsonw_string(out, s, n);
		return 0;
	}
	if (dt.bc || dt.year < 1)
	{
		APPEND_LIT(out, ts_min);
		return ENC_F_CLAMPED;
	}
	if (dt.year > 9999)
	{
		if (is_date)
			APPEND_LIT(out, date_max);
		else
			APPEND_LIT(out, ts_max);
		return ENC_F_CLAMPED;
	}
	d0 = d = buf_reserve(out, DT_MAX + 2);
	*d++ = '"';
	d = put_date(d, &dt);
	*d++ = 'T';
	if (is_date)
	{
		memcpy(d, "00:00:00", 8);
		d += 8;
	}
	else
		d = put_clock(d, &dt);
	d = put_offset(d, &dt);
	*d++ = '"';
	buf_commit(out, (size_t) (d - d0));
	return 0;
}

/*
 * encode_time: time and timetz, "HH:MM:SS[.ffffff][+HH:MM[:SS]]"
 */
static int
encode_time(Buf *out, EncKind kind, const char *s, size_t n)
{
	const char *end = s + n;
	const char *p;
	DateTime dt = {0};
	char *d;
	char *d0;

	p = parse_clock(s, end, &dt);
	if (p != NULL && kind == ENC_TIMETZ)
		p = parse_offset(p, end, &dt);
	if (p != end)
	{
		jsonw_string(out, s, n);
		return 0;
	}
	d0 = d = buf_reserve(out, DT_MAX + 2);
	*d++ = '"';
	d = put_clock(d, &dt);
	if (kind == ENC_TIMETZ)
		d = put_offset(d, &dt);
	*d++ = '"';
	buf_commit(out, (size_t) (d - d0));
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

static int encode_composite(Buf *out, Buf *scratch, const EncComposite *c,
							const char *s, size_t n);

/*
 * encode_scalar: one value of a kind other than ENC_ARRAY
 */
static int
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
 * scratch_usable: scratch may be overwritten while s[0..n) is read
 */
static bool
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
 * encode_array: sets up the parse. Elements are un-escaped into scratch,
 * or into a buffer of its own when the input itself lives in scratch
 * (or there is no scratch), so the input is never overwritten.
 */
static int
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
		simple = false;
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
static int
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
