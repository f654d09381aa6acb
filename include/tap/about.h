/*
 * about.h: --about output (name, version, capabilities, every config key).
 */
#ifndef TAP_ABOUT_H
#define TAP_ABOUT_H

#include "tap/buf.h"
#include "tap/status.h"

/*
 * about_render: appends the --about text to out. format is NULL (plain
 * text), "json", "markdown" or "man" (the manual page, troff); anything else is TAP_ERR_INPUT (logged).
 */
TapStatus about_render(Buf *out, const char *format);

#endif
