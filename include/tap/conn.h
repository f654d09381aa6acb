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
	PGconn *conn; /* owned */
	/* PQserverVersion: major * 10000 + minor for 10 and later (15.18 is
	 * 150018); for planning, which picks a FULL_TABLE strategy by it */
	int server_version;
	char *dbname;           /* owned: the database actually connected to */
	char *copy_row;         /* libpq buffer of the last COPY row (PQfreemem) */
	char *copy_sql;         /* owned: the COPY in progress, for DEBUG lines */
	double copy_started_ms; /* when that COPY was sent (DEBUG timing) */
	bool in_copy;
	char **queued;         /* owned: COPYs sent ahead (conn_copy_queue) */
	size_t nqueued, qnext; /* how many, and the next one to begin */
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
 * few times with backoff while no server accepts the connection, the
 * server is starting up or has too many clients. A failure is logged as
 * one CRITICAL line with English advice (SSL refused, authentication,
 * unreachable, no such database) chosen from codes (libpq's connection
 * state, SSL state, SQLSTATE), never from the translated message text,
 * which follows for the details; it returns TAP_ERR_CONNECT
 * (TAP_ERR_INTERRUPTED when a stop was requested while connecting).
 */
TapStatus conn_open(const TapConfig *cfg, const char *dbname, PgSession *s);
/* conn_try_open: the same, but a failure is only a WARNING (for optional
 * databases); the status is still returned */
TapStatus conn_try_open(const TapConfig *cfg, const char *dbname, PgSession *s);
void conn_close(PgSession *s);

/*
 * Statements: with the log at DEBUG (-v), every statement is logged when
 * it completes, with its time ("statement took 1.234 ms: SQL"; for a
 * COPY, when its data ends). A failure is one CRITICAL line (a WARNING
 * on an optional session) with the server's message, SQLSTATE, DETAIL and
 * HINT, preceded at DEBUG by the failing statement.
 */

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
/*
 * conn_end: ends the transaction: COMMIT, or ROLLBACK when one of its
 * statements failed. Does nothing without a live session or transaction
 * (or while a COPY is unread: conn_copy_cancel handles that). A failure
 * is only a WARNING, since the rows are out already; its status is
 * returned for callers that care.
 */
TapStatus conn_end(PgSession *s);

/*
 * conn_copy_begin: starts COPY (...) TO STDOUT; what names it in errors.
 * With COPYs queued, it takes the next one, which must be sql.
 */
TapStatus conn_copy_begin(PgSession *s, const char *what, const char *sql);

/*
 * conn_copy_queue: sends the n COPY statements sqls[] at once, in one
 * simple query, for the next n conn_copy_begin calls: the server starts
 * each as soon as the one before it has been read, instead of waiting a
 * round trip and the tap's turn between them. Each statement still has a
 * snapshot of its own. A failed one ends the rest (the server skips them).
 */
TapStatus conn_copy_queue(PgSession *s, const char *const *sqls, size_t n);

/* conn_copy_queued: COPYs sent ahead that no conn_copy_begin has taken */
size_t conn_copy_queued(const PgSession *s);

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

/*
 * conn_escape_ident, conn_escape_literal: the same through libpq
 * (PQescapeIdentifier, PQescapeLiteral), which also checks the text
 * against the session's encoding; TAP_ERR_INPUT (logged) when it is not
 * valid there.
 */
TapStatus conn_escape_ident(PgSession *s, struct Buf *out, const char *ident);
TapStatus conn_escape_literal(PgSession *s, struct Buf *out, const char *text);

#endif
