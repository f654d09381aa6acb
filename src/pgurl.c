/*
 * pgurl.c: postgres:// URLs (database_url, $DATABASE_URL), read by
 * libpq's PQconninfoParse only: the scheme check, the secrets a URL
 * carries, and whether libpq can read it.
 */
#include "tap/pgurl.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/buf.h"
#include "tap/log.h"
#include "tap/mem.h"

/* The longest URI scheme named in a hint ("mysql://") */
#define SCHEME_HINT_MAX 20

/*
 * pgurl_scheme_ok: whether s starts with postgres:// or postgresql://.
 */
bool
pgurl_scheme_ok(const char *s)
{
	return strncmp(s, "postgres://", 11) == 0 ||
		   strncmp(s, "postgresql://", 13) == 0;
}

/*
 * pgurl_scheme_hint: in buf, " (it starts with "mysql://")" when s starts
 * with something that looks like a URI scheme (safe to show: it holds no
 * secret), else "".
 */
const char *
pgurl_scheme_hint(const char *s, char *buf, size_t size)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
						 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

	if (n == 0 || n > SCHEME_HINT_MAX || strncmp(s + n, "://", 3) != 0)
		return "";
	snprintf(buf, size, " (it starts with \"%.*s://\")", (int) n, s);
	return buf;
}

/*
 * url_parse: libpq's reading of a postgres:// URL (PQconninfoFree), or
 * NULL with libpq's reason in *err (PQfreemem). The only parser of URLs
 * in the tap: conn.c hands the same string to libpq.
 */
static PQconninfoOption *
url_parse(const char *url, char **err)
{
	*err = NULL;
	return PQconninfoParse(url, err);
}

/* url_option: the value of keyword in parsed options, or NULL */
static const char *
url_option(const PQconninfoOption *opts, const char *keyword)
{
	for (; opts != NULL && opts->keyword != NULL; opts++)
		if (strcmp(opts->keyword, keyword) == 0)
			return opts->val;
	return NULL;
}

/* add_url_password: registers the password libpq reads from url */
static void
add_url_password(const char *url)
{
	char *err;
	PQconninfoOption *opts = url_parse(url, &err);

	log_add_secret(url_option(opts, "password"));
	PQconninfoFree(opts);
	PQfreemem(err);
}

/*
 * add_userinfo_secret: registers the userinfo password s[0..n) as it is
 * written (percent-encoded), and as libpq decodes it when it stands alone
 * (a "password=" parameter of the same URL would hide it in url's own
 * parse).
 */
static void
add_userinfo_secret(const char *s, size_t n)
{
	Buf one;

	if (n == 0)
		return;
	buf_init(&one, n + 32);
	buf_append(&one, s, n);
	log_add_secret(buf_cstr(&one));
	buf_reset(&one);
	buf_append_str(&one, "postgresql://u:");
	buf_append(&one, s, n);
	buf_append_str(&one, "@");
	add_url_password(buf_cstr(&one));
	buf_fini(&one);
}

/*
 * pgurl_add_secrets: registers the URL itself and every password it may
 * carry: libpq's reading of it (the userinfo, or a "password=" query
 * parameter), and the userinfo's password as written, up to the first
 * '@' (where libpq ends it) and up to the last '@' before the path, in
 * case the password holds an unescaped '@'. Done before any validation,
 * so that no message can show them.
 */
void
pgurl_add_secrets(const char *url)
{
	const char *p = strstr(url, "://");
	const char *end;
	const char *first_at;
	const char *last_at = NULL;
	const char *colon;

	log_add_secret(url);
	add_url_password(url);
	if (p == NULL)
		return;
	p += 3;
	end = p + strcspn(p, "/?");
	first_at = memchr(p, '@', (size_t) (end - p));
	for (const char *q = p; q < end; q++)
		if (*q == '@')
			last_at = q;
	if (first_at == NULL)
		return;
	colon = memchr(p, ':', (size_t) (last_at - p));
	if (colon == NULL)
		return;
	add_userinfo_secret(colon + 1, (size_t) (last_at - colon - 1));
	if (colon < first_at)
		add_userinfo_secret(colon + 1, (size_t) (first_at - colon - 1));
}

/*
 * pgurl_check: whether libpq can read url; logs which key (or variable)
 * holds it and libpq's reason if not. On success *sslmode is the URL's
 * sslmode parameter (owned), or NULL.
 */
TapStatus
pgurl_check(const char *url, const char *where, char **sslmode)
{
	char *err;
	PQconninfoOption *opts = url_parse(url, &err);
	const char *mode;

	*sslmode = NULL;
	if (opts == NULL)
	{
		/* libpq's reason quotes the URL, which the log scrubs */
		log_critical("%s is not a valid postgres:// URL: %s", where,
					 err ? err : "out of memory");
		PQfreemem(err);
		return TAP_ERR_INPUT;
	}
	mode = url_option(opts, "sslmode");
	if (mode != NULL && mode[0] != '\0')
		*sslmode = xstrdup(mode);
	PQconninfoFree(opts);
	return TAP_OK;
}
