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

volatile sig_atomic_t conn_stop_requested = 0;

/* Connection attempts at startup, and the first backoff (doubled after
 * each attempt: 0.5 s, 1 s, 2 s) */
#define CONNECT_ATTEMPTS   4
#define CONNECT_BACKOFF_MS 500
/* connect_timeout when the config sets none (the key's default) */
#define CONNECT_TIMEOUT_DEFAULT_S 30
/* The longest single wait on the socket: a stop request is seen within it */
#define WAIT_SLICE_MS 200
/* Room for "host:port" in messages */
#define TARGET_TEXT_SIZE 512
/* Connection parameters passed to libpq: every key below, with room */
#define CONN_MAX_PARAMS 24

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

/* now_ms: a monotonic clock in milliseconds, for timings and deadlines */
static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

/*
 * socket_wait: waits at most WAIT_SLICE_MS (less when ms_left is smaller)
 * for fd to be ready for events. Returns poll's result, with an
 * interrupted wait counted as 0 (nothing ready yet).
 */
static int
socket_wait(int fd, short events, double ms_left)
{
	struct pollfd pfd = {fd, events, 0};
	int slice = WAIT_SLICE_MS;
	int pr;

	if (ms_left >= 0 && ms_left < slice)
		slice = ms_left < 1 ? 1 : (int) ms_left;
	pr = poll(&pfd, 1, slice);
	if (pr < 0 && errno == EINTR)
		return 0;
	return pr;
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
 * What went wrong with a connection attempt, from codes only: libpq's
 * connection state when it failed, whether SSL was ever in use, whether
 * the server asked for a password, and the server's SQLSTATE. Message
 * texts are translated (the client's LANGUAGE, the server's lc_messages)
 * and are shown, never interpreted.
 */
typedef enum ConnFailure
{
	CF_OTHER = 0,
	CF_UNREACHABLE, /* no TCP connection (refused, no route): retried */
	CF_STARTING,    /* 57P03 the server is starting up: retried */
	CF_TOO_MANY,    /* 53300 too many connections: retried */
	CF_TIMEOUT,     /* connect_timeout passed */
	CF_SSL_REFUSED, /* the server answered "no SSL" to the SSL request */
	CF_SSL,         /* the SSL handshake failed (certificates, ...) */
	CF_AUTH,        /* 28P01, or a password needed and none given */
	CF_NO_DATABASE, /* 3D000 */
	CF_INTERRUPTED, /* a stop request during the attempt */
} ConnFailure;

/* The facts gathered while an attempt runs */
typedef struct ConnAttempt
{
	PGconn *conn;
	ConnStatusType last_state; /* libpq's state before it failed */
	bool saw_ssl;              /* PQsslInUse was true at some point */
	bool timed_out;
	bool interrupted;
	char sqlstate[6]; /* of the server's error, or "" */
	char *message;    /* owned: libpq's text without the SQLSTATE and the
						 server's source location */
} ConnAttempt;

/* is_sqlstate: whether p[0..5) has the shape of a SQLSTATE (digits and
 * upper-case letters) */
static bool
is_sqlstate(const char *p)
{
	for (int i = 0; i < 5; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'A' && p[i] <= 'Z')))
			return false;
	return true;
}

/*
 * split_verbose_error: libpq's message for a server error, written with
 * PQERRORS_VERBOSE, has the form "...failed: SEVERITY:  XXXXX: text\n"
 * (the SQLSTATE in a fixed place whatever the language) followed by a
 * line with the server's source location. Takes the first SQLSTATE out
 * into a->sqlstate, and keeps the text without it and without location
 * lines (those ending in "file.c:NNN") in a->message.
 */
static void
split_verbose_error(ConnAttempt *a, const char *err)
{
	Buf out;
	const char *line = err;

	buf_init(&out, strlen(err) + 1);
	a->sqlstate[0] = '\0';
	while (*line)
	{
		size_t n = strcspn(line, "\n");
		size_t k = n;
		const char *tag;

		/* a location line: "LABEL:  function, file.c:123" */
		while (k > 0 && line[k - 1] >= '0' && line[k - 1] <= '9')
			k--;
		if (k < n && k >= 3 && memcmp(line + k - 3, ".c:", 3) == 0 &&
			memchr(line, ',', k) != NULL)
		{
			line += n + (line[n] == '\n');
			continue;
		}
		tag = line;
		while ((tag = memchr(tag, ':', (size_t) (line + n - tag))) != NULL)
		{
			if (a->sqlstate[0] == '\0' && line + n - tag >= 9 &&
				tag[1] == ' ' && tag[2] == ' ' && is_sqlstate(tag + 3) &&
				tag[8] == ':')
			{
				memcpy(a->sqlstate, tag + 3, 5);
				a->sqlstate[5] = '\0';
				buf_append(&out, line, (size_t) (tag + 3 - line));
				buf_append(&out, tag + 10 - (tag[9] != ' '),
						   (size_t) (line + n - (tag + 10 - (tag[9] != ' '))));
				break;
			}
			tag++;
		}
		if (tag == NULL)
			buf_append(&out, line, n);
		buf_putc(&out, '\n');
		line += n + (line[n] == '\n');
	}
	a->message = xstrdup(buf_cstr(&out));
	buf_fini(&out);
}

/* classify: the failure's class from the facts of the attempt */
static ConnFailure
classify(const ConnAttempt *a, const TapConfig *cfg)
{
	bool ssl_required = strcmp(cfg->sslmode, "require") == 0 ||
						strcmp(cfg->sslmode, "verify-ca") == 0 ||
						strcmp(cfg->sslmode, "verify-full") == 0;

	if (a->interrupted)
		return CF_INTERRUPTED;
	if (a->timed_out)
		return CF_TIMEOUT;
	if (strcmp(a->sqlstate, "57P03") == 0)
		return CF_STARTING;
	if (strcmp(a->sqlstate, "53300") == 0)
		return CF_TOO_MANY;
	if (strcmp(a->sqlstate, "28P01") == 0 ||
		(a->sqlstate[0] == '\0' && PQconnectionNeedsPassword(a->conn)))
		return CF_AUTH;
	if (strcmp(a->sqlstate, "3D000") == 0)
		return CF_NO_DATABASE;
	if (a->sqlstate[0] != '\0')
		return CF_OTHER;
	/* no answer from a server: where libpq was when it gave up */
	if (a->last_state == CONNECTION_STARTED ||
		a->last_state == CONNECTION_NEEDED)
		return a->last_state == CONNECTION_STARTED ? CF_UNREACHABLE : CF_OTHER;
	if (a->last_state == CONNECTION_SSL_STARTUP)
		return a->saw_ssl ? CF_SSL : ssl_required ? CF_SSL_REFUSED : CF_OTHER;
	return CF_OTHER;
}

/* is_transient: a failure worth retrying at startup */
static bool
is_transient(ConnFailure f)
{
	return f == CF_UNREACHABLE || f == CF_STARTING || f == CF_TOO_MANY;
}

/*
 * log_connect_failure: one message a person can act on, in English
 * whatever the locale, then libpq's own text for the details.
 */
static void
log_connect_failure(LogLevel level, const TapConfig *cfg, const ConnAttempt *a,
					ConnFailure f, const char *dbname)
{
	char target[TARGET_TEXT_SIZE];
	const char *err = a->message ? a->message : "out of memory";

	target_text(cfg, a->conn, target, sizeof target);
	switch (f)
	{
		case CF_SSL_REFUSED:
			log_msg(level,
					"could not connect to %s: the server does not accept SSL "
					"connections, but \"sslmode\" is \"%s\"; if this server "
					"is trusted and on a private network, set \"sslmode\": "
					"\"prefer\" (or \"disable\") in the config",
					target, cfg->sslmode);
			return;
		case CF_AUTH:
			log_msg(level,
					"could not connect to %s: authentication failed for user "
					"\"%s\"; check \"user\" and \"password\" in the config "
					"(%s)",
					target, cfg->user ? cfg->user : "(from database_url)", err);
			return;
		case CF_SSL:
			log_msg(level,
					"could not connect to %s: SSL failure with \"sslmode\" "
					"\"%s\": %s",
					target, cfg->sslmode, err);
			return;
		case CF_NO_DATABASE:
			log_msg(level, "could not connect to %s database \"%s\": %s",
					target, dbname ? dbname : "?", err);
			return;
		case CF_UNREACHABLE:
			log_msg(level,
					"could not connect to %s: no server accepted the "
					"connection; check \"host\" and \"port\" and that the "
					"server is running: %s",
					target, err);
			return;
		case CF_TIMEOUT:
			log_msg(level,
					"could not connect to %s: no answer within "
					"\"connect_timeout\" (%d s)",
					target,
					cfg->connect_timeout > 0 ? cfg->connect_timeout
											 : CONNECT_TIMEOUT_DEFAULT_S);
			return;
		case CF_INTERRUPTED:
			log_msg(level, "could not connect to %s: stopped while connecting",
					target);
			return;
		case CF_STARTING:
		case CF_TOO_MANY:
		case CF_OTHER:
			break;
	}
	log_msg(level, "could not connect to %s: %s", target, err);
}

/* log_connected: the server version and the SSL state, once */
static void
log_connected(PgSession *s, const TapConfig *cfg)
{
	const char *ver = PQparameterStatus(s->conn, "server_version");
	char target[TARGET_TEXT_SIZE];

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

/* The keyword/value arrays for PQconnectStartParams, NULL-terminated */
typedef struct ConnParams
{
	const char *keys[CONN_MAX_PARAMS + 1];
	const char *vals[CONN_MAX_PARAMS + 1];
	int n;
	bool overflow;
} ConnParams;

/* params_add: appends k=v unless v is NULL; a full table is a bug,
 * reported by open_session */
static void
params_add(ConnParams *p, const char *k, const char *v)
{
	if (v == NULL)
		return;
	if (p->n == CONN_MAX_PARAMS)
	{
		p->overflow = true;
		return;
	}
	p->keys[p->n] = k;
	p->vals[p->n++] = v;
	p->keys[p->n] = NULL;
	p->vals[p->n] = NULL;
}

/*
 * connect_attempt: one connection attempt, driven with PQconnectPoll so
 * that libpq's state, the SSL state and the server's SQLSTATE (in the
 * verbose error text) are seen, the connect_timeout is enforced here, and
 * a stop request ends the wait. a->conn is the connection (good or bad).
 */
static void
connect_attempt(const ConnParams *p, int expand, int timeout_s, ConnAttempt *a)
{
	PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
	double deadline = now_ms() + timeout_s * 1000.0;

	memset(a, 0, sizeof *a);
	a->conn = PQconnectStartParams(p->keys, p->vals, expand);
	if (a->conn == NULL)
		return;
	PQsetErrorVerbosity(a->conn, PQERRORS_VERBOSE);
	a->last_state = PQstatus(a->conn);
	while (a->last_state != CONNECTION_BAD && ps != PGRES_POLLING_OK &&
		   ps != PGRES_POLLING_FAILED)
	{
		if (ps == PGRES_POLLING_READING || ps == PGRES_POLLING_WRITING)
		{
			int pr;

			if (conn_stop_requested)
			{
				a->interrupted = true;
				break;
			}
			if (now_ms() >= deadline)
			{
				a->timed_out = true;
				break;
			}
			pr = socket_wait(PQsocket(a->conn),
							 ps == PGRES_POLLING_READING ? POLLIN : POLLOUT,
							 deadline - now_ms());
			if (pr == 0)
				continue;
		}
		a->last_state = PQstatus(a->conn);
		ps = PQconnectPoll(a->conn);
		if (PQsslInUse(a->conn))
			a->saw_ssl = true;
	}
	if (PQstatus(a->conn) != CONNECTION_OK || a->interrupted || a->timed_out)
		split_verbose_error(a, PQerrorMessage(a->conn));
}

/* session_start: what every new session needs before its first query */
static TapStatus
session_start(PgSession *s, const TapConfig *cfg)
{
	const char *enc = PQparameterStatus(s->conn, "server_encoding");

	/* back to the default, so that server errors read as usual */
	PQsetErrorVerbosity(s->conn, PQERRORS_DEFAULT);
	/* PQserverVersion: major * 10000 + minor, e.g. 150018 for 15.18 */
	s->server_version = PQserverVersion(s->conn);
	s->dbname = xstrdup(PQdb(s->conn));
	PQsetNoticeReceiver(s->conn, notice_receiver, NULL);
	log_connected(s, cfg);
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
	ConnParams p;
	ConnAttempt a;
	ConnFailure f = CF_OTHER;
	char timeout[16];
	int timeout_s = cfg->connect_timeout > 0 ? cfg->connect_timeout
											 : CONNECT_TIMEOUT_DEFAULT_S;
	TapStatus st;

	memset(s, 0, sizeof *s);
	memset(&p, 0, sizeof p);
	/* database_url was checked by config_load (PQconninfoParse); it goes
	 * first, so that the discrete keys below override its parts */
	params_add(&p, "dbname", cfg->database_url);
	params_add(&p, "host", cfg->host);
	params_add(&p, "port", cfg->port);
	params_add(&p, "user", cfg->user);
	params_add(&p, "password", cfg->password);
	params_add(&p, "dbname", dbname ? dbname : cfg->dbname);
	params_add(&p, "sslmode", cfg->sslmode);
	params_add(&p, "sslrootcert", cfg->sslrootcert);
	params_add(&p, "sslcert", cfg->sslcert);
	params_add(&p, "sslkey", cfg->sslkey);
	params_add(&p, "application_name",
			   cfg->application_name ? cfg->application_name : "tap-postgres");
	/* enforced here (libpq leaves it to callers of PQconnectPoll); passed
	 * on as well for completeness */
	snprintf(timeout, sizeof timeout, "%d", timeout_s);
	params_add(&p, "connect_timeout", timeout);
	params_add(&p, "client_encoding", "UTF8");
	/* a peer that vanishes without a word (a dropped route, a failover
	 * that keeps no state) is noticed in about a minute, not hours */
	params_add(&p, "keepalives", "1");
	params_add(&p, "keepalives_idle", "30");
	params_add(&p, "keepalives_interval", "10");
	params_add(&p, "keepalives_count", "3");
	if (p.overflow)
	{
		log_critical("internal error: more than %d connection parameters",
					 CONN_MAX_PARAMS);
		return TAP_ERR_INTERNAL;
	}

	for (int attempt = 1;; attempt++)
	{
		connect_attempt(&p, cfg->database_url != NULL, timeout_s, &a);
		if (a.conn != NULL && PQstatus(a.conn) == CONNECTION_OK &&
			!a.interrupted && !a.timed_out)
			break;
		f = a.conn != NULL ? classify(&a, cfg) : CF_OTHER;
		if (a.conn != NULL && attempt < CONNECT_ATTEMPTS && is_transient(f) &&
			!conn_stop_requested)
		{
			long ms = (long) CONNECT_BACKOFF_MS << (attempt - 1);
			struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
			char target[TARGET_TEXT_SIZE];

			target_text(cfg, a.conn, target, sizeof target);
			log_info("could not connect to %s yet (attempt %d of %d); "
					 "retrying in %ld ms",
					 target, attempt, CONNECT_ATTEMPTS, ms);
			log_debug("connection attempt %d: %s", attempt,
					  a.message ? a.message : "?");
			PQfinish(a.conn);
			free(a.message);
			nanosleep(&ts, NULL);
			continue;
		}
		if (f == CF_INTERRUPTED)
			st = TAP_ERR_INTERRUPTED;
		else
		{
			log_connect_failure(fatal ? LOG_CRITICAL : LOG_WARNING, cfg, &a, f,
								dbname ? dbname : cfg->dbname);
			st = TAP_ERR_CONNECT;
		}
		PQfinish(a.conn);
		free(a.message);
		return st;
	}

	s->conn = a.conn;
	st = session_start(s, cfg);
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

void
conn_close(PgSession *s)
{
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

	if (sql != NULL && sql != what)
		log_debug("failed statement: %s", sql);
	if (msg != NULL)
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);

		log_critical("%s failed: %s (SQLSTATE %s)%s%s%s%s", what, msg,
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

		log_critical("%s failed: the connection to the server was lost: "
					 "%.*s",
					 what, (int) strcspn(err, "\n"), err);
	}
	else
		log_critical("%s failed: %s", what, PQerrorMessage(s->conn));
}

/*
 * wait_input: one wait of at most WAIT_SLICE_MS for the server, then
 * whatever arrived is consumed. libpq's blocking calls retry their waits
 * after a signal and would hold the tap for as long as the network stays
 * silent; this returns TAP_ERR_INTERRUPTED as soon as a stop is requested.
 */
static TapStatus
wait_input(PgSession *s, const char *what, const char *sql)
{
	int pr;

	if (conn_stop_requested)
		return TAP_ERR_INTERRUPTED;
	pr = socket_wait(PQsocket(s->conn), POLLIN, -1);
	if (pr < 0)
	{
		log_critical("%s failed: could not wait for the server: %s", what,
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

/* log_timing: at DEBUG, a statement and how long it took */
static void
log_timing(const char *sql, double started_ms)
{
	log_debug("statement took %.3f ms: %s", now_ms() - started_ms, sql);
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
	double started = log_enabled(LOG_DEBUG) ? now_ms() : 0;
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
	/* a COPY's time is logged when its data ends (copy_finish) */
	if (st == TAP_OK && expect != PGRES_COPY_OUT && log_enabled(LOG_DEBUG))
		log_timing(sql, started);
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
	return conn_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

TapStatus
conn_end(PgSession *s)
{
	PGTransactionStatusType ts;
	const char *sql;
	TapStatus st = TAP_OK;
	double started = log_enabled(LOG_DEBUG) ? now_ms() : 0;

	if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK)
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
conn_copy_begin(PgSession *s, const char *what, const char *sql)
{
	double started = log_enabled(LOG_DEBUG) ? now_ms() : 0;
	TapStatus st = run_command(s, what, sql, 0, NULL, PGRES_COPY_OUT, NULL);

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
			st = copy_failed(s, what, res);
		PQclear(res);
	}
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
	if (!s->in_copy || s->conn == NULL)
		return;
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
