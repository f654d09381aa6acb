/*
 * method.c: replication method names.
 */
#include "tap/method.h"

#include <string.h>

static const char *const names[REPL_NMETHODS] = {
	[REPL_FULL_TABLE] = "FULL_TABLE",
	[REPL_INCREMENTAL] = "INCREMENTAL",
	[REPL_XMIN] = "XMIN",
};

const char *
method_name(ReplMethod m)
{
	return (unsigned) m < REPL_NMETHODS ? names[m] : "?";
}

bool
method_parse(const char *name, ReplMethod *out)
{
	for (int m = 0; m < REPL_NMETHODS; m++)
		if (strcmp(name, names[m]) == 0)
		{
			*out = (ReplMethod) m;
			return true;
		}
	return false;
}

const char *
method_list(void)
{
	return "FULL_TABLE, INCREMENTAL or XMIN";
}
