/*
 * test_pgconnect.c: how a failed connection is classified, from codes
 * only, and how libpq's verbose error text is split into the SQLSTATE and
 * the text shown. The texts below are German on purpose: the class must
 * not depend on the language.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tap/pgconnect.h"

/* split: pgconnect_split_error on err; the message is freed by the caller */
static PgConnectFacts
split(const char *err)
{
	PgConnectFacts f;

	memset(&f, 0, sizeof f);
	pgconnect_split_error(&f, err);
	return f;
}

static void
test_split(void)
{
	PgConnectFacts f;

	f = split("Verbindung zum Server auf »127.0.0.1«, Port 5432 "
			  "fehlgeschlagen: FATAL:  28P01: Passwort-Authentifizierung "
			  "für Benutzer »tap« fehlgeschlagen\n"
			  "ORT:  auth_failed, auth.c:334\n");
	is_str(f.sqlstate, "28P01", "SQLSTATE found in a German text");
	is_str(f.message,
		   "Verbindung zum Server auf »127.0.0.1«, Port 5432 "
		   "fehlgeschlagen: FATAL:  Passwort-Authentifizierung für Benutzer "
		   "»tap« fehlgeschlagen\n",
		   "SQLSTATE and source location taken out of the text");
	free(f.message);

	f = split("connection to server at \"h\" (127.0.0.1), port 5432 failed: "
			  "FATAL:  3D000: database \"x\" does not exist\n"
			  "LOCATION:  InitPostgres, postinit.c:948\n"
			  "SSL connection has been closed unexpectedly\n");
	is_str(f.sqlstate, "3D000", "SQLSTATE of a missing database");
	is_str(f.message,
		   "connection to server at \"h\" (127.0.0.1), port 5432 failed: "
		   "FATAL:  database \"x\" does not exist\n"
		   "SSL connection has been closed unexpectedly\n",
		   "other lines kept");
	free(f.message);

	f = split("connection to server at \"127.0.0.1\", port 1 failed: "
			  "Connection refused\n\tIs the server running on that host and "
			  "accepting TCP/IP connections?\n");
	is_str(f.sqlstate, "", "no SQLSTATE without a server error");
	is_str(f.message,
		   "connection to server at \"127.0.0.1\", port 1 failed: "
		   "Connection refused\n\tIs the server running on that host and "
		   "accepting TCP/IP connections?\n",
		   "a text without SQLSTATE is kept as it is");
	free(f.message);

	f = split("fe_sendauth: no password supplied\n");
	is_str(f.sqlstate, "", "fe_sendauth: no SQLSTATE");
	free(f.message);
	f = split("");
	is_str(f.message, "", "an empty text");
	free(f.message);
}

/* One set of facts and the class it must get. */
typedef struct ClassCase
{
	const char *label;
	ConnStatusType last_state;
	bool saw_ssl;
	bool needs_password;
	bool timed_out;
	const char *sqlstate;
	const char *sslmode;
	ConnFailure want;
} ClassCase;

static void
test_classify(void)
{
	static const ClassCase cases[] = {
		{"wrong password", CONNECTION_AWAITING_RESPONSE, true, false, false,
		 "28P01", "require", CF_AUTH},
		{"no password given", CONNECTION_AWAITING_RESPONSE, true, true, false,
		 "", "require", CF_AUTH},
		{"starting up", CONNECTION_AWAITING_RESPONSE, true, false, false,
		 "57P03", "require", CF_STARTING},
		{"too many clients", CONNECTION_AWAITING_RESPONSE, false, false, false,
		 "53300", "prefer", CF_TOO_MANY},
		{"no such database", CONNECTION_AWAITING_RESPONSE, true, false, false,
		 "3D000", "require", CF_NO_DATABASE},
		{"pg_hba rejects", CONNECTION_AWAITING_RESPONSE, false, false, false,
		 "28000", "disable", CF_OTHER},
		{"refused", CONNECTION_STARTED, false, false, false, "", "require",
		 CF_UNREACHABLE},
		{"host name unknown", CONNECTION_NEEDED, false, false, false, "",
		 "require", CF_OTHER},
		{"server without SSL", CONNECTION_SSL_STARTUP, false, false, false, "",
		 "require", CF_SSL_REFUSED},
		/* with a verifying sslmode, a failed handshake may never have been
		 * seen in use (a slow client): an SSL failure, in libpq's words */
		{"no SSL seen, verify-full", CONNECTION_SSL_STARTUP, false, false,
		 false, "", "verify-full", CF_SSL},
		{"no SSL seen, verify-ca", CONNECTION_SSL_STARTUP, false, false, false,
		 "", "verify-ca", CF_SSL},
		{"certificate rejected", CONNECTION_SSL_STARTUP, true, false, false, "",
		 "verify-full", CF_SSL},
		{"timeout", CONNECTION_STARTED, false, false, true, "", "require",
		 CF_TIMEOUT},
	};
	char name[128];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
	{
		PgConnectFacts f;

		memset(&f, 0, sizeof f);
		f.last_state = cases[i].last_state;
		f.saw_ssl = cases[i].saw_ssl;
		f.needs_password = cases[i].needs_password;
		f.timed_out = cases[i].timed_out;
		strcpy(f.sqlstate, cases[i].sqlstate);
		snprintf(name, sizeof name, "classify: %s", cases[i].label);
		is_int(pgconnect_classify(&f, cases[i].sslmode), cases[i].want, name);
	}
}

int
main(void)
{
	test_split();
	test_classify();
	return done_testing();
}
