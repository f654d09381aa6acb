/*
 * conn.h: the PostgreSQL session (libpq).
 *
 * One PgSession per database for the whole run. conn_open connects with
 * SSL as configured, sets the session up so that every value's text is
 * independent of the server's settings (UTC, ISO dates, iso_8601
 * intervals, extra_float_digits=3, UTF8, hex bytea) and logs one INFO line
 * with the server version and the SSL protocol and cipher.
 *
 * A PGresult returned by conn_query is owned by the caller, who clears it
 * in the same function. COPY rows returned by conn_copy_next are borrowed
 * and valid until the next call.
 */
#ifndef TAP_CONN_H
#define TAP_CONN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "tap/config.h"
#include "tap/status.h"

typedef struct PgSession
{
	PGconn *conn;       /* owned */
	int server_version; /* e.g. 150018 */
	char *dbname;       /* owned: the database actually connected to */
	char *copy_row;     /* libpq buffer of the last COPY row (PQfreemem) */
	bool in_copy;
	bool run_snapshot;     /* in one transaction for the whole run (a shared
						  snapshot): a stream's own BEGIN and COMMIT
						  (conn_begin_snapshot, conn_end) do nothing */
	bool optional;         /* statement failures are WARNINGs: the caller has a
						  way around them (a parallel run's extra
						  connections) */
	bool reader;           /* a parallel reader's: failures are ERRORs, and the
						  run repeats the first as its CRITICAL line */
	char sqlstate[6];      /* of the last server error, or "" */
	char last_error[1024]; /* the last failure's message, as logged */
} PgSession;

/*
 * conn_open: connects to dbname (NULL: the configured one). Retries a
 * few times with backoff while the server is starting up. Errors are
 * logged as CRITICAL-worthy messages (SSL refused, authentication, host
 * unreachable) and return TAP_ERR_CONNECT.
 */
TapStatus conn_open(const TapConfig *cfg, const char *dbname, PgSession *s);
/* conn_try_open: the same, but a failure is only a WARNING (for optional
 * databases); the status is still returned */
TapStatus conn_try_open(const TapConfig *cfg, const char *dbname, PgSession *s);
void conn_close(PgSession *s);

/* conn_exec: runs a command that returns no rows. */
TapStatus conn_exec(PgSession *s, const char *sql);

/*
 * conn_query: runs sql with text parameters; *out is the PGRES_TUPLES_OK
 * result, owned by the caller (PQclear). what names the query in errors.
 */
TapStatus conn_query(PgSession *s, const char *what, const char *sql,
					 int nparams, const char *const *params, PGresult **out);

/* conn_begin_snapshot: BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY */
TapStatus conn_begin_snapshot(PgSession *s);
/* conn_end: COMMIT (or ROLLBACK after an error); quiet */
TapStatus conn_end(PgSession *s);

/* conn_copy_begin: starts COPY (...) TO STDOUT; what names it in errors */
TapStatus conn_copy_begin(PgSession *s, const char *what, const char *sql);

/*
 * conn_copy_next: the next row of the COPY. Waits in slices of at most
 * 200 ms so that a stop request (stop.h) is seen promptly. *done is set at the
 * end of the data (the COPY's final status has then been checked).
 * Returns TAP_ERR_INTERRUPTED when a stop was requested (the COPY is
 * cancelled), TAP_ERR_QUERY / TAP_ERR_CONNECT on failure.
 */
TapStatus conn_copy_next(PgSession *s, const char *what, const char **row,
						 size_t *len, bool *done);

/* conn_copy_cancel: abandons a COPY in progress (after an error or stop) */
void conn_copy_cancel(PgSession *s);

/* conn_quote_ident: "ident" with quotes doubled, appended to out */
struct Buf;
void conn_quote_ident(struct Buf *out, const char *ident);
/* conn_quote_literal: 'text' with quotes (and backslashes) escaped */
void conn_quote_literal(struct Buf *out, const char *text);

#endif
