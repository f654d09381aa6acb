/*
 * pgconnect.h: establishing a libpq connection (used by conn).
 *
 * A connection is attempted with PQconnectStartParams and PQconnectPoll,
 * so that libpq's state, the SSL state and the server's SQLSTATE are seen
 * (the error text is requested with PQERRORS_VERBOSE, which puts the
 * SQLSTATE in a fixed place whatever the language). A failure is
 * classified from those codes only; the translated text is shown, never
 * interpreted. Failures where no server is ready yet are retried with
 * backoff.
 */
#ifndef TAP_PGCONNECT_H
#define TAP_PGCONNECT_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "tap/config.h"
#include "tap/status.h"

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
typedef struct PgConnectFacts
{
	PGconn *conn;              /* the attempt's connection (owned) */
	ConnStatusType last_state; /* libpq's state before it failed */
	bool saw_ssl;              /* PQsslInUse was true at some point */
	bool needs_password;       /* PQconnectionNeedsPassword */
	bool timed_out;
	bool interrupted;
	char sqlstate[6]; /* of the server's error, or "" */
	char *message;    /* owned: libpq's text without the SQLSTATE and the
						 server's source location */
} PgConnectFacts;

/*
 * pgconnect_open: connects to dbname (NULL: the configured one), with up
 * to four attempts while no server accepts the connection, the server is
 * starting up or has too many clients. On success *out is the connection
 * (owned), and one INFO (SSL) or WARNING (no SSL) line says so. On failure
 * one line (CRITICAL when fatal, else WARNING) with English advice and
 * libpq's text; TAP_ERR_CONNECT, or TAP_ERR_INTERRUPTED when a stop was
 * requested while connecting.
 */
TapStatus pgconnect_open(const TapConfig *cfg, const char *dbname, bool fatal,
						 PGconn **out);

/*
 * pgconnect_split_error: from libpq's verbose error text err, the first
 * SQLSTATE into f->sqlstate ("" when none) and the text without it and
 * without the server's source-location lines into f->message (owned).
 */
void pgconnect_split_error(PgConnectFacts *f, const char *err);

/* pgconnect_classify: the class of a failed attempt, from its facts and
 * the configured sslmode */
ConnFailure pgconnect_classify(const PgConnectFacts *f, const char *sslmode);

/* pgconnect_now_ms: a monotonic clock in milliseconds */
double pgconnect_now_ms(void);

/* The longest single wait on a socket: a stop request is seen within it */
#define PGCONNECT_WAIT_SLICE_MS 200

/*
 * pgconnect_socket_wait: waits at most PGCONNECT_WAIT_SLICE_MS (less when
 * ms_left is smaller and not negative) for fd to be ready for events.
 * Returns poll's result, an interrupted wait counted as 0.
 */
int pgconnect_socket_wait(int fd, short events, double ms_left);

#endif
