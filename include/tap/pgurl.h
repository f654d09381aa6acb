/*
 * pgurl.h: postgres:// URLs, read by libpq (PQconninfoParse) and nothing
 * else; config uses it for database_url and $DATABASE_URL, and conn hands
 * the same string to libpq.
 */
#ifndef TAP_PGURL_H
#define TAP_PGURL_H

#include <stdbool.h>
#include <stddef.h>

#include "tap/status.h"

/* pgurl_scheme_ok: whether s starts with postgres:// or postgresql:// */
bool pgurl_scheme_ok(const char *s);

/* pgurl_scheme_hint: " (it starts with "mysql://")" in buf when s starts
 * with another URI scheme (safe to show: it holds no secret), else "" */
const char *pgurl_scheme_hint(const char *s, char *buf, size_t size);

/*
 * pgurl_add_secrets: registers with the log the URL and every password it
 * may carry (libpq's reading, and the userinfo's password as written).
 * Call before anything can print the URL.
 */
void pgurl_add_secrets(const char *url);

/*
 * pgurl_check: whether libpq can read url; if not, logs one CRITICAL line
 * "WHERE is not a valid postgres:// URL: libpq's reason" and returns
 * TAP_ERR_INPUT. On success *sslmode is the URL's sslmode parameter
 * (owned), or NULL.
 */
TapStatus pgurl_check(const char *url, const char *where, char **sslmode);

#endif
