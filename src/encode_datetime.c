/*
 * encode_datetime.c: dates, times and timestamps as PostgreSQL prints
 * them in ISO style -> their renderings ("...T...+00:00"), BC dates and
 * years past 9999 clamped, infinities clamped and flagged.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "tap/encode_internal.h"

/* Longest rendered date/time: "YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM:SS" */
#define DT_MAX 40

static const char ts_min[] = "\"0001-01-01T00:00:00+00:00\"";
static const char ts_max[] = "\"9999-12-31T23:59:59.999999+00:00\"";
static const char date_max[] = "\"9999-12-31T00:00:00+00:00\"";

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
int
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
int
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
