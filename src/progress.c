/*
 * progress.c: the live progress line (progress.h).
 */
#include "tap/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap/log.h"

static bool enabled;
static bool line_drawn; /* a live line without its newline is on stderr */

static void
write_err(const char *p, size_t n)
{
	while (n > 0)
	{
		ssize_t w = write(2, p, n);

		if (w <= 0)
			return; /* a progress line is not worth a failure */
		p += w;
		n -= (size_t) w;
	}
}

/* erase_line: before a log line, the live line goes (log.c calls it) */
static void
erase_line(void)
{
	if (line_drawn)
	{
		write_err("\r\033[K", 4);
		line_drawn = false;
	}
}

void
progress_setup(int mode)
{
	enabled = mode > 0 || (mode < 0 && isatty(2));
	log_set_before_line(enabled ? erase_line : NULL);
}

bool
progress_enabled(void)
{
	return enabled;
}

static double
seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double) (now.tv_sec - t->tv_sec) +
		   (double) (now.tv_nsec - t->tv_nsec) / 1e9;
}

/* count_text: n with thousands separators, in buf */
static const char *
count_text(int64_t n, char *buf, size_t size)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%lld", (long long) n);
	size_t o = 0;

	for (int i = 0; i < len && o + 2 < size; i++)
	{
		if (i > 0 && digits[i - 1] != '-' && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* duration_text: seconds as "4.2 s", "m:ss" or "h:mm:ss", in buf */
static const char *
duration_text(double s, char *buf, size_t size)
{
	long t = (long) (s + 0.5);

	if (s < 59.95)
		snprintf(buf, size, "%.1f s", s);
	else if (t >= 3600)
		snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
	return buf;
}

void
progress_begin(Progress *pg, PgSession *s, const StreamSpec *spec)
{
	memset(pg, 0, sizeof *pg);
	pg->estimate = -1;
	if (!enabled)
		return;
	pg->on = true;
	snprintf(pg->name, sizeof pg->name, "%s", spec->tap_stream_id);
	clock_gettime(CLOCK_MONOTONIC, &pg->t0);
	if (spec->method == REPL_FULL_TABLE && !spec->is_view)
	{
		/* the planner's row count; -1 (never analyzed) or 0: unknown */
		static const char sql[] =
			"SELECT c.reltuples::int8 FROM pg_catalog.pg_class c "
			"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
			"WHERE n.nspname = $1 AND c.relname = $2";
		const char *params[2] = {spec->schema_name, spec->table_name};
		PGresult *res = NULL;

		if (conn_query(s, "the row estimate for the progress line", sql, 2,
					   params, &res) == TAP_OK)
		{
			if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
				pg->estimate = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
			PQclear(res);
		}
		if (pg->estimate <= 0)
			pg->estimate = -1;
	}
	progress_tick(pg, 0);
}

/* draw: the live line, or the summary when final */
static void
draw(Progress *pg, int64_t rows, bool final, bool ok)
{
	char line[256], n[32], r[32], e[32], d[32];
	double secs = seconds_since(&pg->t0);
	double rate = secs > 0.001 ? (double) rows / secs : 0.0;
	int len;

	count_text(rows, n, sizeof n);
	count_text((int64_t) (rate + 0.5), r, sizeof r);
	if (final)
		len = snprintf(line, sizeof line,
					   "\r\033[K%s: %s rows in %s (%s rows/s)%s\n", pg->name, n,
					   duration_text(secs, d, sizeof d), r,
					   ok ? "" : ", stopped");
	else if (pg->estimate > 0 && rows < pg->estimate)
	{
		double left = rate > 0 ? (double) (pg->estimate - rows) / rate : 0;

		len = snprintf(line, sizeof line,
					   "\r\033[K%s: %s rows, %s rows/s, %d%% of ~%s, %s left",
					   pg->name, n, r, (int) (100 * rows / pg->estimate),
					   count_text(pg->estimate, e, sizeof e),
					   rate > 0 ? duration_text(left, d, sizeof d) : "?:??");
	}
	else
		len = snprintf(line, sizeof line, "\r\033[K%s: %s rows, %s rows/s",
					   pg->name, n, r);
	if (len < 0)
		return;
	if ((size_t) len >= sizeof line)
		len = (int) sizeof line - 1;
	write_err(line, (size_t) len);
	line_drawn = !final;
	clock_gettime(CLOCK_MONOTONIC, &pg->last_draw);
}

void
progress_tick(Progress *pg, int64_t rows)
{
	if (!pg->on)
		return;
	if (rows > 0 && seconds_since(&pg->last_draw) < 1.0 / PROGRESS_HZ)
		return;
	draw(pg, rows, false, true);
}

void
progress_end(Progress *pg, int64_t rows, bool ok)
{
	if (!pg->on)
		return;
	draw(pg, rows, true, ok);
	pg->on = false;
}
