/*
 * stop.c: the stop request flag and its signal handlers.
 */
#include "tap/stop.h"

#include <string.h>

volatile sig_atomic_t stop_flag = 0;
static volatile sig_atomic_t stop_signo = 0;

static void
on_stop(int sig)
{
	stop_signo = sig;
	stop_flag = 1;
}

void
stop_install(void)
{
	struct sigaction sa;

	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

int
stop_signal(void)
{
	return stop_signo;
}
