/*
 * conn.c: the PostgreSQL session, the only user of libpq's connection
 * functions.
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
#include "tap/stop.h"

#define CONNECT_ATTEMPTS 4

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

	if (msg == NULL)
		return;
	if (sev != NULL && strcmp(sev, "WARNING") == 0)
		log_warning("server: %s", msg);
	else
		log_debug("server: %s", msg);
}

/* is_transient: a failure worth retrying at startup */
static bool
is_transient(const char *msg)
{
	return strstr(msg, "the database system is starting up") != NULL ||
		   strstr(msg, "the database system is not yet accepting") != NULL ||
		   strstr(msg, "Connection refused") != NULL ||
		   strstr(msg, "too many clients") != NULL ||
		   strstr(msg, "remaining connection slots") != NULL;
}

/* target_text: "host:port" for messages, never the password */
static void
target_text(const TapConfig *cfg, PGconn *conn, char *out, size_t size)
{
	const char *host = conn ? PQhost(conn) : NULL;
	const char *port = conn ? PQport(conn) : NULL;

	if (host == NULL || host[0] == '\0')
		host = cfg->host ? cfg->host : "(from database_url)";
	if (port == NULL || port[0] == '\0')
		port = cfg->port ? cfg->port : "5432";
	snprintf(out, size, "%s:%s", host, port);
}

/*
 * log_connect_failure: one message a person can act on, then libpq's own
 * text for the details.
 */
static void
log_connect_failure(LogLevel level, const TapConfig *cfg, PGconn *conn,
					const char *dbname)
{
	char target[512];
	const char *err = conn ? PQerrorMessage(conn) : "out of memory";

	target_text(cfg, conn, target, sizeof target);
	if (strstr(err, "server does not support SSL") != NULL)
		log_msg(level,
				"could not connect to %s: the server does not accept SSL "
				"connections, but \"sslmode\" is \"%s\"; if this server is "
				"trusted and on a private network, set \"sslmode\": "
				"\"prefer\" (or \"disable\") in the config",
				target, cfg->sslmode);
	else if (strstr(err, "password authentication failed") != NULL ||
			 strstr(err, "no password supplied") != NULL)
		log_msg(level,
				"could not connect to %s: authentication failed for user "
				"\"%s\"; check \"user\" and \"password\" in the config (%s)",
				target, cfg->user ? cfg->user : "(from database_url)", err);
	else if (strstr(err, "certificate") != NULL || strstr(err, "SSL") != NULL ||
			 strstr(err, "ssl") != NULL)
		log_msg(level,
				"could not connect to %s: SSL failure with \"sslmode\" "
				"\"%s\": %s",
				target, cfg->sslmode, err);
	else if (strstr(err, "does not exist") != NULL)
		log_msg(level, "could not connect to %s database \"%s\": %s", target,
				dbname ? dbname : "?", err);
	else
		log_msg(level, "could not connect to %s: %s", target, err);
}

/* log_connected: the server version and the SSL state, once */
static void
log_connected(PgSession *s, const TapConfig *cfg)
{
	const char *ver = PQparameterStatus(s->conn, "server_version");
	char target[512];

	target_text(cfg, s->conn, target, sizeof target);
	if (PQsslInUse(s->conn))
	{
		const char *proto = PQsslAttribute(s->conn, "protocol");
		const char *cipher = PQsslAttribute(s->conn, "cipher");

		log_info("connected to PostgreSQL %s at %s, database \"%s\", user "
				 "\"%s\", with SSL (%s, %s)",
				 ver ? ver : "?", target, PQdb(s->conn), PQuser(s->conn),
				 proto ? proto : "?", cipher ? cipher : "?");
	}
	else
		log_warning("connected to PostgreSQL %s at %s, database \"%s\", "
					"user \"%s\", WITHOUT SSL (sslmode \"%s\")",
					ver ? ver : "?", target, PQdb(s->conn), PQuser(s->conn),
					cfg->sslmode);
}

static TapStatus
open_session(const TapConfig *cfg, const char *dbname, bool fatal, PgSession *s)
{
	const char *keys[24];
	const char *vals[24];
	char timeout[16];
	int n = 0;
	int expand = 0;
	PGconn *conn = NULL;

	memset(s, 0, sizeof *s);
	if (cfg->database_url)
	{
		char *err = NULL;
		PQconninfoOption *opts = PQconninfoParse(cfg->database_url, &err);

		/* a URL libpq cannot read is bad input, not a connection failure;
		 * the log scrubs the URL and its password from libpq's text */
		if (opts == NULL)
		{
			log_critical("config key \"database_url\" is not a valid "
						 "postgres:// URL: %s",
						 err ? err : "out of memory");
			PQfreemem(err);
			return TAP_ERR_INPUT;
		}
		PQconninfoFree(opts);
	}
	if (cfg->database_url)
	{
		/* first, so that the discrete keys below override its parts */
		keys[n] = "dbname";
		vals[n++] = cfg->database_url;
		expand = 1;
	}
#define ADD(k, v)                                                              \
	do                                                                         \
	{                                                                          \
		if ((v) != NULL)                                                       \
		{                                                                      \
			keys[n] = k;                                                       \
			vals[n++] = v;                                                     \
		}                                                                      \
	} while (0)
	ADD("host", cfg->host);
	ADD("port", cfg->port);
	ADD("user", cfg->user);
	ADD("password", cfg->password);
	ADD("dbname", dbname ? dbname : cfg->dbname);
	ADD("sslmode", cfg->sslmode);
	ADD("sslrootcert", cfg->sslrootcert);
	ADD("sslcert", cfg->sslcert);
	ADD("sslkey", cfg->sslkey);
	ADD("application_name",
		cfg->application_name ? cfg->application_name : "tap-postgres");
	snprintf(timeout, sizeof timeout, "%d",
			 cfg->connect_timeout > 0 ? cfg->connect_timeout : 30);
	ADD("connect_timeout", timeout);
	ADD("client_encoding", "UTF8");
	/* a peer that vanishes without a word (a dropped route, a failover
	 * that keeps no state) is noticed in about a minute, not hours */
	ADD("keepalives", "1");
	ADD("keepalives_idle", "30");
	ADD("keepalives_interval", "10");
	ADD("keepalives_count", "3");
#undef ADD
	keys[n] = NULL;
	vals[n] = NULL;

	for (int attempt = 1;; attempt++)
	{
		conn = PQconnectdbParams(keys, vals, expand);
		if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
			break;
		if (conn != NULL && attempt < CONNECT_ATTEMPTS &&
			is_transient(PQerrorMessage(conn)) && !stop_requested())
		{
			/* 0.5 s, 1 s, 2 s: a server that is still starting up */
			long ms = 500L << (attempt - 1);
			struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
			char target[512];

			target_text(cfg, conn, target, sizeof target);
			log_info("could not connect to %s yet (attempt %d of %d); "
					 "retrying in %ld ms",
					 target, attempt, CONNECT_ATTEMPTS, ms);
			PQfinish(conn);
			nanosleep(&ts, NULL);
			continue;
		}
		log_connect_failure(fatal ? LOG_CRITICAL : LOG_WARNING, cfg, conn,
							dbname ? dbname : cfg->dbname);
		PQfinish(conn);
		return TAP_ERR_CONNECT;
	}

	s->conn = conn;
	s->server_version = PQserverVersion(conn);
	s->dbname = xstrdup(PQdb(conn));
	PQsetNoticeReceiver(conn, notice_receiver, NULL);
	log_connected(s, cfg);
	{
		const char *enc = PQparameterStatus(conn, "server_encoding");

		/* a SQL_ASCII database holds bytes in no known encoding: take them
		 * as they are (no server-side validation) and let the encoder turn
		 * invalid UTF-8 into U+FFFD */
		if (enc != NULL && strcmp(enc, "SQL_ASCII") == 0)
		{
			log_warning("database \"%s\" has encoding SQL_ASCII; bytes that "
						"are not valid UTF-8 are written as U+FFFD",
						PQdb(conn));
			PQsetClientEncoding(conn, "SQL_ASCII");
		}
	}

	{
		TapStatus st =
			run_command(s, "setting up the session", session_setup_sql, 0, NULL,
						PGRES_COMMAND_OK, NULL);

		if (st != TAP_OK)
		{
			conn_close(s);
			return st;
		}
	}
	return TAP_OK;
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

void
conn_close(PgSession *s)
{
	if (s->copy_row)
		PQfreemem(s->copy_row);
	if (s->conn)
		PQfinish(s->conn);
	free(s->dbname);
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
	if (PQstatus(s->conn) == CONNECTION_BAD ||
		(state != NULL && strncmp(state, "08", 2) == 0) ||
		(state != NULL && strcmp(state, "57P01") == 0))
		return TAP_ERR_CONNECT;
	return TAP_ERR_QUERY;
}

static void
log_query_failure(PgSession *s, const char *what, const PGresult *res)
{
	const char *msg =
		res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char *text = s->last_error;
	size_t size = sizeof s->last_error;

	if (msg != NULL)
		snprintf(text, size, "%s failed: %s (SQLSTATE %s)", what, msg,
				 state ? state : "?");
	else if (PQstatus(s->conn) == CONNECTION_BAD)
	{
		/* libpq's text for a dead socket ("SSL SYSCALL error: EOF
		 * detected") does not say what happened: say it first. Its first
		 * line is the fact; the rest is a guess, sometimes repeated. */
		const char *err = PQerrorMessage(s->conn);

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
 * await_result: the next result of the command in flight (NULL when it has
 * none left), waiting in slices of 200 ms so that a stop request is seen
 * even when the server has gone silent: libpq's blocking calls retry their
 * waits after a signal and would hold the tap for as long as the network
 * stays silent.
 */
static TapStatus
await_result(PgSession *s, const char *what, PGresult **out)
{
	*out = NULL;
	while (PQisBusy(s->conn))
	{
		struct pollfd pfd = {PQsocket(s->conn), POLLIN, 0};
		int pr;

		if (stop_requested())
			return TAP_ERR_INTERRUPTED;
		pr = poll(&pfd, 1, 200);
		if (pr < 0 && errno != EINTR)
		{
			log_critical("%s failed: could not wait for the server: %s", what,
						 strerror(errno));
			return TAP_ERR_CONNECT;
		}
		if (pr > 0 && !PQconsumeInput(s->conn))
		{
			log_query_failure(s, what, NULL);
			return TAP_ERR_CONNECT;
		}
	}
	*out = PQgetResult(s->conn);
	return TAP_OK;
}

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
	int sent;

	if (out)
		*out = NULL;
	sent = params != NULL ? PQsendQueryParams(s->conn, sql, nparams, NULL,
											  params, NULL, NULL, 0)
						  : PQsendQuery(s->conn, sql);
	if (!sent)
	{
		log_query_failure(s, what, NULL);
		return failure_status(s, NULL);
	}
	for (;;)
	{
		PGresult *res;

		st = await_result(s, what, &res);
		if (st != TAP_OK || res == NULL)
			break;
		if (PQresultStatus(res) != expect)
		{
			st = failure_status(s, res);
			log_query_failure(s, what, res);
			PQclear(res);
			break;
		}
		if (first == NULL)
			first = res;
		else
			PQclear(res);
		if (expect == PGRES_COPY_OUT)
			break; /* the rows follow through PQgetCopyData */
	}
	if (st == TAP_OK && out)
		*out = first;
	else
		PQclear(first);
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
	PGresult *res = NULL;

	if (s->run_snapshot || s->conn == NULL ||
		PQstatus(s->conn) != CONNECTION_OK)
		return TAP_OK;
	/* a read-only transaction: its COMMIT cannot fail in a way that
	 * matters, and the stream is complete already */
	if (PQsendQuery(s->conn, "COMMIT"))
		while (await_result(s, "COMMIT", &res) == TAP_OK && res != NULL)
			PQclear(res);
	return TAP_OK;
}

TapStatus
conn_copy_begin(PgSession *s, const char *what, const char *sql)
{
	TapStatus st = run_command(s, what, sql, 0, NULL, PGRES_COPY_OUT, NULL);

	if (st == TAP_OK)
		s->in_copy = true;
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
		if (st == TAP_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			st = failure_status(s, res);
			log_query_failure(s, what, res);
		}
		PQclear(res);
	}
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

		if (r > 0)
		{
			s->copy_row = buf;
			*row = buf;
			*len = (size_t) r;
			return TAP_OK;
		}
		if (r == -1)
		{
			TapStatus st = copy_finish(s, what);

			*done = (st == TAP_OK);
			return st;
		}
		if (r == -2)
		{
			PGresult *res = PQgetResult(s->conn);
			TapStatus st = failure_status(s, res);

			log_query_failure(s, what, res);
			PQclear(res);
			s->in_copy = false;
			return st;
		}
		/* r == 0: nothing complete buffered; wait a slice for the socket */
		if (stop_requested())
			return TAP_ERR_INTERRUPTED;
		{
			struct pollfd pfd = {PQsocket(s->conn), POLLIN, 0};
			int pr = poll(&pfd, 1, 200);

			if (pr < 0 && errno != EINTR)
			{
				log_critical("%s failed: could not wait for the server: %s",
							 what, strerror(errno));
				return TAP_ERR_CONNECT;
			}
			if (pr > 0 && !PQconsumeInput(s->conn))
			{
				log_query_failure(s, what, NULL);
				s->in_copy = false;
				return TAP_ERR_CONNECT;
			}
		}
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
	if (!s->in_copy || s->conn == NULL)
		return;
	PQfinish(s->conn);
	s->conn = NULL;
	s->in_copy = false;
}

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
