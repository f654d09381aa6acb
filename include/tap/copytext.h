/*
 * copytext.h: splitting one row of COPY ... TO STDOUT text format.
 *
 * A row is fields separated by '\t' and ended by '\n'. "\N" alone is
 * NULL. Backslash escapes (\b \f \n \r \t \v \\, \ooo octal, \xhh) are
 * decoded. Fields without a backslash point into the row itself; the
 * others are decoded into the caller's scratch buffer, which is reset by
 * each call, so field pointers are valid until the next call or until
 * the row or scratch buffer changes.
 */
#ifndef TAP_COPYTEXT_H
#define TAP_COPYTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "tap/buf.h"

typedef struct CopyField
{
	const char *s; /* borrowed: into the row or the scratch buffer */
	size_t n;
	bool isnull;
} CopyField;

/*
 * copytext_split: splits row[0..len) into at most max fields. Returns the
 * number of fields found (which may exceed max: then only max are set),
 * or -1 if the row is malformed (no trailing newline is fine).
 */
int copytext_split(const char *row, size_t len, CopyField *fields, int max,
				   Buf *scratch);

#endif
