/*
 * log.c: "LEVEL message" lines on stderr, with secrets scrubbed.
 */
#include "tap/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap/mem.h"

/* The longest line written; longer messages are cut */
#define LINE_MAX_BYTES 8192
/* What replaces a secret (at most as long as the secret itself) */
static const char mask[] = "********";

static LogLevel min_level = LOG_INFO;
/* Every registered secret, owned; grown as needed, never evicted: a
 * password that stopped being scrubbed would be printed */
static char **secrets;
static size_t nsecrets;
static size_t secrets_cap;

static const char *const level_names[] = {
	[LOG_DEBUG] = "DEBUG",       [LOG_INFO] = "INFO",
	[LOG_WARNING] = "WARNING",   [LOG_ERROR] = "ERROR",
	[LOG_CRITICAL] = "CRITICAL",
};

void
log_set_level(LogLevel level)
{
	min_level = level;
}

bool
log_enabled(LogLevel level)
{
	return level >= min_level;
}

void
log_add_secret(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return;
	for (size_t i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], s) == 0)
			return;
	if (nsecrets == secrets_cap)
	{
		secrets_cap = secrets_cap ? secrets_cap * 2 : 8;
		secrets = xrealloc(secrets, secrets_cap * sizeof *secrets);
	}
	secrets[nsecrets++] = xstrdup(s);
}

void
log_fini(void)
{
	for (size_t i = 0; i < nsecrets; i++)
		free(secrets[i]);
	free(secrets);
	secrets = NULL;
	nsecrets = 0;
	secrets_cap = 0;
}

void
log_scrub(char *text)
{
	for (size_t i = 0; i < nsecrets; i++)
	{
		size_t slen = strlen(secrets[i]);
		char *p = text;

		while ((p = strstr(p, secrets[i])) != NULL)
		{
			/* the mask is cut to the secret's length, so the text never
			 * grows; a longer secret leaves a shorter tail to shift */
			size_t mlen = slen < sizeof mask - 1 ? slen : sizeof mask - 1;

			memcpy(p, mask, mlen);
			memmove(p + mlen, p + slen, strlen(p + slen) + 1);
			p += mlen;
		}
	}
}

static void (*before_line)(void);

void
log_set_before_line(void (*fn)(void))
{
	before_line = fn;
}

static void
write_all(const char *p, size_t n)
{
	while (n > 0)
	{
		ssize_t w = write(2, p, n);

		if (w < 0)
		{
			if (errno == EINTR)
				continue;
			return; /* nowhere left to report it */
		}
		p += w;
		n -= (size_t) w;
	}
}

void
log_msg(LogLevel level, const char *fmt, ...)
{
	char line[LINE_MAX_BYTES];
	int off;
	int n;
	va_list ap;

	if (level < min_level)
		return;
	off = snprintf(line, sizeof line, "%s ", level_names[level]);
	va_start(ap, fmt);
	n = vsnprintf(line + off, sizeof line - (size_t) off - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	n += off;
	if ((size_t) n > sizeof line - 2)
		n = (int) sizeof line - 2;
	line[n] = '\0';
	/* one line per message: fold libpq's embedded newlines */
	while (n > off && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	log_scrub(line);
	n = (int) strlen(line);
	line[n++] = '\n';
	if (before_line != NULL)
		before_line();
	write_all(line, (size_t) n);
}
