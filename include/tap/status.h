/*
 * status.h: the result of every fallible function, and its exit code.
 *
 * A function that fails logs once, where the failure happens, and returns
 * one of these; callers only propagate it. Only main() turns it into an
 * exit status.
 */
#ifndef TAP_STATUS_H
#define TAP_STATUS_H

typedef enum TapStatus
{
	TAP_OK = 0,
	TAP_ERR_INTERNAL,    /* a bug or an unexpected condition: exit 1 */
	TAP_ERR_INPUT,       /* bad argv, config, catalog or state: exit 2 */
	TAP_ERR_CONNECT,     /* connection, authentication or SSL: exit 3 */
	TAP_ERR_QUERY,       /* server error in discovery or sync: exit 4 */
	TAP_ERR_OUTPUT,      /* stdout could not be written: exit 5 */
	TAP_ERR_INTERRUPTED, /* SIGTERM or SIGINT: exit 143 or 130 */
} TapStatus;

/* status_exit_code: the process exit status for st (see README) */
int status_exit_code(TapStatus st);

#endif
