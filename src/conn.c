/*
 * conn.c: the PostgreSQL session: its setup, statements, the COPY reader,
 * transactions and quoting; with pgconnect.c the only user of libpq's
 * connection functions.
 *
 * Every error is logged here, once, with what the tap was doing and the
 * server's own message; callers only propagate the status.
 */
#include "tap/conn.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap/buf.h"
#include "tap/log.h"
#include "tap/mem.h"
#include "tap/pgconnect.h"
#include "tap/stop.h"

static TapStatus run_command(PgSession *s, const char *what, const char *sql,
							 int nparams, const char *const *params,
							 ExecStatusType expect, PGresult **out);

/* The settings that make every value's text independent of the server;
 * and the tap only reads, so every transaction is read-only, discovery's
 * implicit ones included. */
static const char session_setup_sql[] =
	"SET TimeZone = 'UTC'; "
	"SET DateStyle = 'ISO, MDY'; "
	"SET IntervalStyle = 'iso_8601'; "
	"SET extra_float_digits = 3; "
	"SET bytea_output = 'hex'; "
	"SET synchronize_seqscans = off; "
	"SET default_transaction_read_only = on";

/*
 * notice_receiver: server NOTICEs and WARNINGs go to our log, not to
 * libpq's default (which prints to stderr without a level).
 */
static void
notice_receiver(void *arg, const PGresult *res)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	(void) arg;
	if (msg == NULL)
		return;
	if (sev != NULL && strcmp(sev, "WARNING") == 0)
		log_warning("server: %s", msg);
	else
		log_debug("server: %s", msg);
}

/* session_start: what every new session needs before its first query */
static TapStatus
session_start(PgSession *s)
{
	const char *enc = PQparameterStatus(s->conn, "server_encoding");

	/* PQserverVersion: major * 10000 + minor, e.g. 150018 for 15.18 */
	s->server_version = PQserverVersion(s->conn);
	s->dbname = xstrdup(PQdb(s->conn));
	PQsetNoticeReceiver(s->conn, notice_receiver, NULL);
	/* a SQL_ASCII database holds bytes in no known encoding: take them as
	 * they are (no server-side validation) and let the encoder turn
	 * invalid UTF-8 into U+FFFD */
	if (enc != NULL && strcmp(enc, "SQL_ASCII") == 0)
	{
		log_warning("database \"%s\" has encoding SQL_ASCII; bytes that are "
					"not valid UTF-8 are written as U+FFFD",
					PQdb(s->conn));
		PQsetClientEncoding(s->conn, "SQL_ASCII");
	}
	return run_command(s, "setting up the session", session_setup_sql, 0, NULL,
					   PGRES_COMMAND_OK, NULL);
}

static TapStatus
open_session(const TapConfig *cfg, const char *dbname, bool fatal, PgSession *s)
{
	TapStatus st;

	memset(s, 0, sizeof *s);
	st = pgconnect_open(cfg, dbname, fatal, &s->conn);
	if (st != TAP_OK)
		return st;
	st = session_start(s);
	if (st != TAP_OK)
		conn_close(s);
	return st;
}

TapStatus
conn_open(const TapConfig *cfg, const char *dbname, PgSession *s)
{
	return open_session(cfg, dbname, true, s);
}

TapStatus
conn_try_open(const TapConfig *cfg, const char *dbname, PgSession *s)
{
	return open_session(cfg, dbname, false, s);
}

/* queue_clear: no COPY sent ahead any more */
static void
queue_clear(PgSession *s)
{
	for (size_t i = 0; i < s->nqueued; i++)
		free(s->queued[i]);
	free(s->queued);
	s->queued = NULL;
	s->nqueued = s->qnext = 0;
}

void
conn_close(PgSession *s)
{
	queue_clear(s);
	if (s->copy_row)
		PQfreemem(s->copy_row);
	if (s->conn)
		PQfinish(s->conn);
	free(s->dbname);
	free(s->copy_sql);
	memset(s, 0, sizeof *s);
}

/*
 * failure_status: what a failed result means for the exit code. A lost
 * connection is a connection failure; anything else is the query's.
 */
static TapStatus
failure_status(PgSession *s, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	snprintf(s->sqlstate, sizeof s->sqlstate, "%s", state ? state : "");
	if (s->conn == NULL || PQstatus(s->conn) == CONNECTION_BAD ||
		(state != NULL && strncmp(state, "08", 2) == 0) ||
		(state != NULL && strcmp(state, "57P01") == 0))
		return TAP_ERR_CONNECT;
	return TAP_ERR_QUERY;
}

/*
 * log_query_failure: the failing statement at DEBUG, then one CRITICAL
 * line with what the tap was doing, the server's message, its SQLSTATE,
 * and its DETAIL and HINT when it sent them.
 */
static void
log_query_failure(PgSession *s, const char *what, const char *sql,
				  const PGresult *res)
{
	const char *msg =
		res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char *text = s->last_error;
	size_t size = sizeof s->last_error;

	if (sql != NULL && sql != what)
		log_debug("failed statement: %s", sql);
	if (msg != NULL)
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);

		snprintf(text, size, "%s failed: %s (SQLSTATE %s)%s%s%s%s", what, msg,
				 state ? state : "?", detail ? "; DETAIL: " : "",
				 detail ? detail : "", hint ? "; HINT: " : "",
				 hint ? hint : "");
	}
	else if (s->conn == NULL || PQstatus(s->conn) == CONNECTION_BAD)
	{
		/* libpq's text for a dead socket ("SSL SYSCALL error: EOF
		 * detected") does not say what happened: say it first. Its first
		 * line is the fact; the rest is a guess, sometimes repeated. */
		const char *err = s->conn ? PQerrorMessage(s->conn) : "";

		snprintf(text, size,
				 "%s failed: the connection to the server was lost: %.*s", what,
				 (int) strcspn(err, "\n"), err);
	}
	else
		snprintf(text, size, "%s failed: %s", what, PQerrorMessage(s->conn));
	/* a failure the caller can work around is a WARNING, and the caller
	 * says what it does instead; a parallel reader's is an ERROR, and the
	 * run repeats the first one as its CRITICAL line */
	log_msg(s->optional ? LOG_WARNING
			: s->reader ? LOG_ERROR
						: LOG_CRITICAL,
			"%s", text);
}

/*
 * wait_input: one wait of at most PGCONNECT_WAIT_SLICE_MS for the server, then
 * whatever arrived is consumed. libpq's blocking calls retry their waits
 * after a signal and would hold the tap for as long as the network stays
 * silent; this returns TAP_ERR_INTERRUPTED as soon as a stop is requested.
 */
static TapStatus
wait_input(PgSession *s, const char *what, const char *sql)
{
	int pr;

	if (stop_requested())
		return TAP_ERR_INTERRUPTED;
	pr = pgconnect_socket_wait(PQsocket(s->conn), POLLIN, -1);
	if (pr < 0)
	{
		log_msg(s->optional ? LOG_WARNING : LOG_CRITICAL,
				"%s failed: could not wait for the server: %s", what,
				strerror(errno));
		return TAP_ERR_CONNECT;
	}
	if (pr > 0 && !PQconsumeInput(s->conn))
	{
		log_query_failure(s, what, sql, NULL);
		return TAP_ERR_CONNECT;
	}
	return TAP_OK;
}

/*
 * await_result: the next result of the command in flight (NULL when it has
 * none left), waiting in slices so that a stop request is seen even when
 * the server has gone silent.
 */
static TapStatus
await_result(PgSession *s, const char *what, const char *sql, PGresult **out)
{
	*out = NULL;
	while (PQisBusy(s->conn))
	{
		TapStatus st = wait_input(s, what, sql);

		if (st != TAP_OK)
			return st;
	}
	*out = PQgetResult(s->conn);
	return TAP_OK;
}

/*
 * drain: reads and drops what is left of a failed command (the server
 * still sends ReadyForQuery), so that the session can take the next one,
 * a ROLLBACK included. Quiet: the failure is logged already, so a stop
 * request or a lost connection here only ends the draining.
 */
static void
drain(PgSession *s)
{
	for (;;)
	{
		PGresult *res;
		ExecStatusType rs;

		if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK)
			return;
		while (PQisBusy(s->conn))
		{
			int pr;

			if (stop_requested())
				return;
			pr = pgconnect_socket_wait(PQsocket(s->conn), POLLIN, -1);
			if (pr < 0 || (pr > 0 && !PQconsumeInput(s->conn)))
				return;
		}
		res = PQgetResult(s->conn);
		if (res == NULL)
			return;
		rs = PQresultStatus(res);
		PQclear(res);
		if (rs == PGRES_COPY_OUT || rs == PGRES_COPY_IN)
			return; /* a COPY of a later statement: conn_copy_cancel's */
	}
}

/* log_timing: at DEBUG, a statement and how long it took */
static void
log_timing(const char *sql, double started_ms)
{
	log_debug("statement took %.3f ms: %s", pgconnect_now_ms() - started_ms,
			  sql);
}

static TapStatus await_expected(PgSession *s, const char *what, const char *sql,
								ExecStatusType expect, PGresult **first);

/*
 * run_command: sends sql (the extended protocol when params is not NULL,
 * else the simple one, which allows several statements) and waits for its
 * results, each of which must have status expect. The first one is handed
 * over in *out (NULL: cleared here); for COPY the rest is the data.
 */
static TapStatus
run_command(PgSession *s, const char *what, const char *sql, int nparams,
			const char *const *params, ExecStatusType expect, PGresult **out)
{
	PGresult *first = NULL;
	TapStatus st = TAP_OK;
	double started = log_enabled(LOG_DEBUG) ? pgconnect_now_ms() : 0;
	int sent;

	if (out)
		*out = NULL;
	sent = params != NULL ? PQsendQueryParams(s->conn, sql, nparams, NULL,
											  params, NULL, NULL, 0)
						  : PQsendQuery(s->conn, sql);
	if (!sent)
	{
		log_query_failure(s, what, sql, NULL);
		return failure_status(s, NULL);
	}
	st = await_expected(s, what, sql, expect, &first);
	if (st == TAP_OK && out)
		*out = first;
	else
		PQclear(first);
	/* a COPY's time is logged when its data ends (copy_finish) */
	if (st == TAP_OK && expect != PGRES_COPY_OUT && log_enabled(LOG_DEBUG))
		log_timing(sql, started);
	return st;
}

/*
 * await_expected: the results of the command in flight, each of which
 * must have status expect (for COPY, only the first: the rows follow);
 * the first in *first (NULL if none)
 */
static TapStatus
await_expected(PgSession *s, const char *what, const char *sql,
			   ExecStatusType expect, PGresult **first)
{
	TapStatus st = TAP_OK;

	*first = NULL;
	for (;;)
	{
		PGresult *res;

		st = await_result(s, what, sql, &res);
		if (st != TAP_OK || res == NULL)
			break;
		if (PQresultStatus(res) != expect)
		{
			st = failure_status(s, res);
			log_query_failure(s, what, sql, res);
			PQclear(res);
			drain(s);
			break;
		}
		if (*first == NULL)
			*first = res;
		else
			PQclear(res);
		if (expect == PGRES_COPY_OUT)
			break; /* the rows follow through PQgetCopyData */
	}
	return st;
}

TapStatus
conn_exec(PgSession *s, const char *sql)
{
	return run_command(s, sql, sql, 0, NULL, PGRES_COMMAND_OK, NULL);
}

TapStatus
conn_query(PgSession *s, const char *what, const char *sql, int nparams,
		   const char *const *params, PGresult **out)
{
	static const char *const no_params[1] = {NULL};

	return run_command(s, what, sql, nparams, params ? params : no_params,
					   PGRES_TUPLES_OK, out);
}

TapStatus
conn_begin_snapshot(PgSession *s)
{
	if (s->run_snapshot)
		return TAP_OK;
	return conn_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

TapStatus
conn_end(PgSession *s)
{
	PGTransactionStatusType ts;
	const char *sql;
	TapStatus st = TAP_OK;
	double started = log_enabled(LOG_DEBUG) ? pgconnect_now_ms() : 0;

	if (s->run_snapshot || s->conn == NULL ||
		PQstatus(s->conn) != CONNECTION_OK)
		return TAP_OK;
	ts = PQtransactionStatus(s->conn);
	if (ts == PQTRANS_IDLE || ts == PQTRANS_UNKNOWN)
		return TAP_OK;
	/* a command still in flight (a COPY not read to its end) cannot be
	 * ended here; conn_copy_cancel closes such a session */
	if (ts == PQTRANS_ACTIVE)
		return TAP_OK;
	sql = ts == PQTRANS_INERROR ? "ROLLBACK" : "COMMIT";
	if (!PQsendQuery(s->conn, sql))
	{
		log_warning("could not end the transaction (%s): %s", sql,
					PQerrorMessage(s->conn));
		return failure_status(s, NULL);
	}
	for (;;)
	{
		PGresult *res;

		st = await_result(s, sql, sql, &res);
		if (st != TAP_OK || res == NULL)
			break;
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

			/* the rows and their STATE are out already: the caller
			 * decides whether this matters, so only a WARNING here */
			st = failure_status(s, res);
			log_warning("could not end the transaction (%s): %s", sql,
						msg ? msg : PQerrorMessage(s->conn));
		}
		PQclear(res);
	}
	if (st == TAP_OK && log_enabled(LOG_DEBUG))
		log_timing(sql, started);
	return st;
}

TapStatus
conn_copy_queue(PgSession *s, const char *const *sqls, size_t n)
{
	Buf all;
	TapStatus st = TAP_OK;

	queue_clear(s);
	buf_init(&all, 4096);
	s->queued = xcalloc(n + 1, sizeof *s->queued);
	for (size_t i = 0; i < n; i++)
	{
		if (i > 0)
			buf_append_str(&all, ";\n");
		buf_append_str(&all, sqls[i]);
		s->queued[i] = xstrdup(sqls[i]);
	}
	s->nqueued = n;
	if (!PQsendQuery(s->conn, buf_cstr(&all)))
	{
		log_query_failure(s, "sending COPY statements", buf_cstr(&all), NULL);
		st = failure_status(s, NULL);
		queue_clear(s);
	}
	else
		log_debug("sent %zu COPY statements at once", n);
	buf_fini(&all);
	return st;
}

size_t
conn_copy_queued(const PgSession *s)
{
	return s->nqueued - s->qnext;
}

/* take_queued: the next COPY sent ahead, which must be sql */
static TapStatus
take_queued(PgSession *s, const char *what, const char *sql)
{
	PGresult *first;
	TapStatus st;

	if (strcmp(s->queued[s->qnext], sql) != 0)
	{
		log_critical("internal error: %s: the statement is not the one sent "
					 "ahead for it",
					 what);
		return TAP_ERR_INTERNAL;
	}
	s->qnext++;
	st = await_expected(s, what, sql, PGRES_COPY_OUT, &first);
	PQclear(first);
	if (st != TAP_OK)
		queue_clear(s);
	return st;
}

TapStatus
conn_copy_begin(PgSession *s, const char *what, const char *sql)
{
	double started = log_enabled(LOG_DEBUG) ? pgconnect_now_ms() : 0;
	TapStatus st = s->qnext < s->nqueued ? take_queued(s, what, sql)
										 : run_command(s, what, sql, 0, NULL,
													   PGRES_COPY_OUT, NULL);

	if (st == TAP_OK)
	{
		s->in_copy = true;
		s->copy_started_ms = started;
		free(s->copy_sql);
		s->copy_sql = xstrdup(sql);
	}
	return st;
}

/* copy_failed: the COPY ended with res (may be NULL); logs it */
static TapStatus
copy_failed(PgSession *s, const char *what, const PGresult *res)
{
	TapStatus st = failure_status(s, res);

	log_query_failure(s, what, s->copy_sql, res);
	s->in_copy = false;
	drain(s);
	queue_clear(s);
	return st;
}

/* copy_finish: the COPY's own result after its last row */
static TapStatus
copy_finish(PgSession *s, const char *what)
{
	TapStatus st = TAP_OK;
	PGresult *res;

	s->in_copy = false;
	while ((res = PQgetResult(s->conn)) != NULL)
	{
		bool more = s->qnext < s->nqueued;

		if (st == TAP_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
			st = copy_failed(s, what, res);
		PQclear(res);
		if (more)
			break; /* the next COPY sent ahead follows */
	}
	if (s->qnext >= s->nqueued)
		queue_clear(s);
	if (st == TAP_OK && log_enabled(LOG_DEBUG) && s->copy_sql != NULL)
		log_timing(s->copy_sql, s->copy_started_ms);
	return st;
}

TapStatus
conn_copy_next(PgSession *s, const char *what, const char **row, size_t *len,
			   bool *done)
{
	*done = false;
	if (s->copy_row)
	{
		PQfreemem(s->copy_row);
		s->copy_row = NULL;
	}
	for (;;)
	{
		char *buf = NULL;
		int r = PQgetCopyData(s->conn, &buf, 1);
		TapStatus st;

		if (r > 0)
		{
			s->copy_row = buf;
			*row = buf;
			*len = (size_t) r;
			return TAP_OK;
		}
		if (r == -1)
		{
			st = copy_finish(s, what);
			*done = (st == TAP_OK);
			return st;
		}
		if (r == -2)
		{
			PGresult *res = PQgetResult(s->conn);

			st = copy_failed(s, what, res);
			PQclear(res);
			return st;
		}
		/* r == 0: nothing complete buffered; wait a slice for the socket */
		st = wait_input(s, what, s->copy_sql);
		if (st == TAP_ERR_CONNECT)
			s->in_copy = false;
		if (st != TAP_OK)
			return st;
	}
}

/*
 * conn_copy_cancel: the run is ending (an error or a stop request), so the
 * COPY is abandoned by closing the session rather than by PQcancel and a
 * drain: both of those wait for the server with no time limit, and a server
 * gone silent (a network black hole) would then hold the tap forever, a
 * SIGTERM included. The server rolls back the read-only transaction when
 * it finds the socket closed. The session is unusable afterwards (conn is
 * NULL; libpq reports that as a bad connection).
 */
void
conn_copy_cancel(PgSession *s)
{
	if (s->copy_row)
	{
		PQfreemem(s->copy_row);
		s->copy_row = NULL;
	}
	if ((!s->in_copy && s->qnext >= s->nqueued) || s->conn == NULL)
		return;
	queue_clear(s);
	PQfinish(s->conn);
	s->conn = NULL;
	s->in_copy = false;
}

/*
 * conn_quote_ident and conn_quote_literal need no session: the tap's
 * sessions are UTF8 (or SQL_ASCII, where every byte passes) with
 * standard_conforming_strings irrelevant thanks to E'' below, so the
 * rules are fixed. conn_escape_ident and conn_escape_literal are libpq's
 * own (PQescapeIdentifier, PQescapeLiteral), which also reject text that
 * is not valid in the session's encoding.
 */
void
conn_quote_ident(Buf *out, const char *ident)
{
	buf_putc(out, '"');
	for (const char *p = ident; *p; p++)
	{
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

void
conn_quote_literal(Buf *out, const char *text)
{
	/* E'' with doubled backslashes is right whatever
	 * standard_conforming_strings says */
	if (strchr(text, '\\') != NULL)
		buf_putc(out, 'E');
	buf_putc(out, '\'');
	for (const char *p = text; *p; p++)
	{
		if (*p == '\'' || *p == '\\')
			buf_putc(out, *p);
		buf_putc(out, *p);
	}
	buf_putc(out, '\'');
}

/* escape_with: appends what libpq's escaper makes of text, or logs */
static TapStatus
escape_with(PgSession *s, Buf *out, const char *text, bool ident)
{
	size_t n = strlen(text);
	char *q = ident ? PQescapeIdentifier(s->conn, text, n)
					: PQescapeLiteral(s->conn, text, n);

	if (q == NULL)
	{
		log_critical("could not quote %s \"%.200s\": %s",
					 ident ? "the name" : "the value", text,
					 PQerrorMessage(s->conn));
		return TAP_ERR_INPUT;
	}
	buf_append_str(out, q);
	PQfreemem(q);
	return TAP_OK;
}

TapStatus
conn_escape_ident(PgSession *s, Buf *out, const char *ident)
{
	return escape_with(s, out, ident, true);
}

TapStatus
conn_escape_literal(PgSession *s, Buf *out, const char *text)
{
	return escape_with(s, out, text, false);
}
