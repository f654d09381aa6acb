/*
 * pgconnect.c: establishing a libpq connection: the parameters, the
 * attempt driven with PQconnectPoll, the classification of a failure from
 * codes, the retries, and the messages a person can act on.
 */
#include "tap/pgconnect.h"

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

/* Connection attempts at startup, and the first backoff (doubled after
 * each attempt: 0.5 s, 1 s, 2 s) */
#define CONNECT_ATTEMPTS   4
#define CONNECT_BACKOFF_MS 500
/* connect_timeout when the config sets none (the key's default) */
#define CONNECT_TIMEOUT_DEFAULT_S 30
/* Room for "host:port" in messages */
#define TARGET_TEXT_SIZE 512
/* Connection parameters passed to libpq: every key below, with room */
#define CONN_MAX_PARAMS 24

/* pgconnect_now_ms: see pgconnect.h */
double
pgconnect_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

/* pgconnect_socket_wait: see pgconnect.h */
int
pgconnect_socket_wait(int fd, short events, double ms_left)
{
	struct pollfd pfd = {fd, events, 0};
	int slice = PGCONNECT_WAIT_SLICE_MS;
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
 * pgconnect_split_error: libpq's message for a server error, written with
 * PQERRORS_VERBOSE, has the form "...failed: SEVERITY:  XXXXX: text\n"
 * (the SQLSTATE in a fixed place whatever the language) followed by a
 * line with the server's source location. Takes the first SQLSTATE out
 * into a->sqlstate, and keeps the text without it and without location
 * lines (those ending in "file.c:NNN") in a->message.
 */
void
pgconnect_split_error(PgConnectFacts *a, const char *err)
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

ConnFailure
pgconnect_classify(const PgConnectFacts *a, const char *sslmode)
{
	bool verifying = strcmp(sslmode, "verify-ca") == 0 ||
					 strcmp(sslmode, "verify-full") == 0;
	bool ssl_required = verifying || strcmp(sslmode, "require") == 0;

	if (a->interrupted)
		return CF_INTERRUPTED;
	if (a->timed_out)
		return CF_TIMEOUT;
	if (strcmp(a->sqlstate, "57P03") == 0)
		return CF_STARTING;
	if (strcmp(a->sqlstate, "53300") == 0)
		return CF_TOO_MANY;
	if (strcmp(a->sqlstate, "28P01") == 0 ||
		(a->sqlstate[0] == '\0' && a->needs_password))
		return CF_AUTH;
	if (strcmp(a->sqlstate, "3D000") == 0)
		return CF_NO_DATABASE;
	if (a->sqlstate[0] != '\0')
		return CF_OTHER;
	/* no answer from a server: where libpq was when it gave up */
	if (a->last_state == CONNECTION_STARTED ||
		a->last_state == CONNECTION_NEEDED)
		return a->last_state == CONNECTION_STARTED ? CF_UNREACHABLE : CF_OTHER;
	/* a handshake that fails inside one PQconnectPoll call (the server's
	 * answer already there: a slow client) is never seen in use; with a
	 * verifying sslmode that may be a certificate failure, so it is an SSL
	 * failure with libpq's own words, not "refused" */
	if (a->last_state == CONNECTION_SSL_STARTUP)
		return a->saw_ssl || verifying ? CF_SSL
			   : ssl_required          ? CF_SSL_REFUSED
									   : CF_OTHER;
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
log_connect_failure(LogLevel level, const TapConfig *cfg,
					const PgConnectFacts *a, ConnFailure f, const char *dbname)
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
log_connected(PGconn *conn, const TapConfig *cfg)
{
	const char *ver = PQparameterStatus(conn, "server_version");
	char target[TARGET_TEXT_SIZE];

	target_text(cfg, conn, target, sizeof target);
	if (PQsslInUse(conn))
	{
		const char *proto = PQsslAttribute(conn, "protocol");
		const char *cipher = PQsslAttribute(conn, "cipher");

		log_info("connected to PostgreSQL %s at %s, database \"%s\", user "
				 "\"%s\", with SSL (%s, %s)",
				 ver ? ver : "?", target, PQdb(conn), PQuser(conn),
				 proto ? proto : "?", cipher ? cipher : "?");
	}
	else
		log_warning("connected to PostgreSQL %s at %s, database \"%s\", "
					"user \"%s\", WITHOUT SSL (sslmode \"%s\")",
					ver ? ver : "?", target, PQdb(conn), PQuser(conn),
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
connect_attempt(const ConnParams *p, int expand, int timeout_s,
				PgConnectFacts *a)
{
	PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
	double deadline = pgconnect_now_ms() + timeout_s * 1000.0;

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

			if (stop_requested())
			{
				a->interrupted = true;
				break;
			}
			if (pgconnect_now_ms() >= deadline)
			{
				a->timed_out = true;
				break;
			}
			pr = pgconnect_socket_wait(PQsocket(a->conn),
									   ps == PGRES_POLLING_READING ? POLLIN
																   : POLLOUT,
									   deadline - pgconnect_now_ms());
			if (pr == 0)
				continue;
		}
		a->last_state = PQstatus(a->conn);
		ps = PQconnectPoll(a->conn);
		if (PQsslInUse(a->conn))
			a->saw_ssl = true;
	}
	if (PQstatus(a->conn) != CONNECTION_OK || a->interrupted || a->timed_out)
	{
		a->needs_password = PQconnectionNeedsPassword(a->conn);
		pgconnect_split_error(a, PQerrorMessage(a->conn));
	}
}

TapStatus
pgconnect_open(const TapConfig *cfg, const char *dbname, bool fatal,
			   PGconn **out)
{
	ConnParams p;
	PgConnectFacts a;
	ConnFailure f;
	char timeout[16];
	int timeout_s = cfg->connect_timeout > 0 ? cfg->connect_timeout
											 : CONNECT_TIMEOUT_DEFAULT_S;
	TapStatus st;

	*out = NULL;
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
		f = a.conn != NULL ? pgconnect_classify(&a, cfg->sslmode) : CF_OTHER;
		if (a.conn != NULL && attempt < CONNECT_ATTEMPTS && is_transient(f) &&
			!stop_requested())
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

	free(a.message);
	/* back to the default, so that server errors read as usual */
	PQsetErrorVerbosity(a.conn, PQERRORS_DEFAULT);
	log_connected(a.conn, cfg);
	*out = a.conn;
	return TAP_OK;
}
