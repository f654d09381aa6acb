/*
 * conn_probe.c: drives the conn API against a live server for
 * tests/integration/conn_session.sh, printing one line per check on
 * stdout ("name: value"); the log goes to stderr at DEBUG.
 *
 *   conn_probe CONFIG
 *
 * Checks: conn_end after a failed statement ROLLBACKs (and the session is
 * usable afterwards), conn_end after a good transaction COMMITs, and the
 * libpq quoting variants (conn_escape_ident, conn_escape_literal).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tap/buf.h"
#include "tap/config.h"
#include "tap/conn.h"
#include "tap/log.h"

/* txn: libpq's transaction state as a word */
static const char *
txn(const PgSession *s)
{
	switch (PQtransactionStatus(s->conn))
	{
		case PQTRANS_IDLE:
			return "idle";
		case PQTRANS_INTRANS:
			return "in transaction";
		case PQTRANS_INERROR:
			return "failed transaction";
		case PQTRANS_ACTIVE:
			return "active";
		case PQTRANS_UNKNOWN:
			break;
	}
	return "unknown";
}

/* one_row: SELECT 1 works (the session is usable) */
static const char *
one_row(PgSession *s)
{
	PGresult *res = NULL;
	TapStatus st = conn_query(s, "the probe query", "SELECT 1", 0, NULL, &res);

	PQclear(res);
	return st == TAP_OK ? "ok" : "failed";
}

int
main(int argc, char **argv)
{
	TapConfig cfg;
	PgSession s;
	Buf b;

	if (argc != 2)
	{
		fprintf(stderr, "usage: conn_probe CONFIG\n");
		return 2;
	}
	log_set_level(LOG_DEBUG);
	if (config_load(argv[1], &cfg) != TAP_OK ||
		conn_open(&cfg, NULL, &s) != TAP_OK)
		return 1;

	/* a failed statement, then conn_end */
	conn_begin_snapshot(&s);
	printf("failing statement: %d\n",
		   conn_exec(&s, "SELECT 1/0") == TAP_ERR_QUERY);
	printf("before end: %s\n", txn(&s));
	printf("end after failure: %d\n", conn_end(&s));
	printf("after end: %s\n", txn(&s));
	printf("usable: %s\n", one_row(&s));

	/* a good transaction */
	conn_begin_snapshot(&s);
	printf("in a good transaction: %s\n", txn(&s));
	printf("end after success: %d\n", conn_end(&s));
	printf("after end: %s\n", txn(&s));
	printf("end outside a transaction: %d\n", conn_end(&s));

	/* quoting through libpq */
	buf_init(&b, 64);
	printf("escape ident: %d ", conn_escape_ident(&s, &b, "Mixed \"Case\""));
	printf("%s\n", buf_cstr(&b));
	buf_reset(&b);
	printf("escape literal: %d ",
		   conn_escape_literal(&s, &b, "it's a \\ test"));
	printf("%s\n", buf_cstr(&b));
	buf_reset(&b);
	printf("escape invalid UTF-8: %d\n",
		   conn_escape_literal(&s, &b, "bad \xC3\x28 byte") == TAP_ERR_INPUT);
	buf_fini(&b);

	conn_close(&s);
	config_fini(&cfg);
	log_fini();
	return 0;
}
