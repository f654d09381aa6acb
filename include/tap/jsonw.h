/*
 * jsonw.h: JSON encoding into a Buf; pure, no I/O.
 *
 * Output is compact and UTF-8: only '"', '\\' and control characters are
 * escaped (\b \f \n \r \t, else \u00XX). Bytes that are not valid UTF-8
 * become U+FFFD, so the output is always valid JSON whatever the input.
 */
#ifndef TAP_JSONW_H
#define TAP_JSONW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tap/buf.h"

/* jsonw_string: s[0..n) as a quoted JSON string */
void jsonw_string(Buf *b, const char *s, size_t n);

/* jsonw_string_body: the same without the surrounding quotes */
void jsonw_string_body(Buf *b, const char *s, size_t n);

/*
 * jsonw_value: v as compact JSON (separators "," and ":"), keys in the
 * object's order, reals in their shortest form that reads back exactly.
 */
void jsonw_value(Buf *b, const json_t *v);

/* jsonw_real: a double in its shortest round-trip form; NaN/Inf as null */
void jsonw_real(Buf *b, double d);

/* jsonw_is_number: true if s[0..n) is a valid JSON number literal */
bool jsonw_is_number(const char *s, size_t n);

#endif
