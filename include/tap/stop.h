/*
 * stop.h: the stop request (SIGTERM, SIGINT).
 *
 * The handler only sets a flag. Every wait on the server and every write
 * to a stuck target polls it, and the row loop checks it between rows, so
 * a run ends at a row boundary after one last true STATE (README, "Signals
 * and failures").
 */
#ifndef TAP_STOP_H
#define TAP_STOP_H

#include <signal.h>
#include <stdbool.h>

/* Non-zero once a stop was requested; the Writer polls it through a
 * pointer, so it is a plain object and not only a function. */
extern volatile sig_atomic_t stop_flag;

/* stop_install: SIGTERM/SIGINT set stop_flag; SIGPIPE is ignored so that a
 * closed stdout is an EPIPE we can report */
void stop_install(void);

/* stop_requested: whether a stop was requested */
static inline bool
stop_requested(void)
{
	return stop_flag != 0;
}

/* stop_signal: the signal that asked for the stop, or 0 */
int stop_signal(void);

#endif
