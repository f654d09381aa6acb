/*
 * method.h: the replication methods, by name.
 *
 * The one place that maps the names used in catalog metadata, config and
 * state ("FULL_TABLE", ...) to the enum. Each method's sync lives in its
 * own module behind the interface in repl.h.
 */
#ifndef TAP_METHOD_H
#define TAP_METHOD_H

#include <stdbool.h>

typedef enum ReplMethod
{
	REPL_FULL_TABLE = 0,
	REPL_INCREMENTAL,
	REPL_XMIN,
	REPL_NMETHODS
} ReplMethod;

/* method_name: "FULL_TABLE", "INCREMENTAL", ... */
const char *method_name(ReplMethod m);

/* method_parse: the method named name; false when no method has that name */
bool method_parse(const char *name, ReplMethod *out);

/* method_list: the names, ", "-separated with "or" before the last, for
 * messages ("FULL_TABLE or INCREMENTAL") */
const char *method_list(void);

#endif
