/*
 * status.c: TapStatus to exit code (README, "Exit status").
 */
#include "tap/status.h"

#include <signal.h>

int
status_exit_code(TapStatus st)
{
	switch (st)
	{
		case TAP_OK:
			return 0;
		case TAP_ERR_INTERNAL:
			return 1;
		case TAP_ERR_INPUT:
			return 2;
		case TAP_ERR_CONNECT:
			return 3;
		case TAP_ERR_QUERY:
			return 4;
		case TAP_ERR_OUTPUT:
			return 5;
		case TAP_ERR_INTERRUPTED:
			return 128 + SIGTERM;
	}
	return 1;
}
