/*
 * log.h: the tap's log, on stderr only.
 *
 * Each line is "LEVEL message" (SIO's format), written with one write(2)
 * so that lines stay whole. Newlines inside a message are folded into
 * spaces. Every registered secret (the password, the password inside a
 * URL) is replaced by "********" in every line, whoever wrote the text,
 * libpq's error messages included.
 */
#ifndef TAP_LOG_H
#define TAP_LOG_H

#include <stdbool.h>

typedef enum LogLevel
{
	LOG_DEBUG = 0, /* shown with -v / --verbose */
	LOG_INFO,      /* the default threshold */
	LOG_WARNING,
	LOG_ERROR,    /* a failure on one of several connections; the run
					 repeats the first as its CRITICAL line */
	LOG_CRITICAL, /* the failure that ends the run: the last line */
} LogLevel;

/* log_set_level: lines below level are dropped (LOG_INFO by default) */
void log_set_level(LogLevel level);
/* log_enabled: whether a line at level would be written, to skip work
 * (timings, formatting) done only for it */
bool log_enabled(LogLevel level);
void log_msg(LogLevel level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* log_add_secret: copies s; lines containing it are scrubbed from now on.
 * There is no limit on the number of secrets. */
void log_add_secret(const char *s);
/* log_set_before_line: fn runs before each line is written (the progress
 * line erases itself there); NULL for none */
void log_set_before_line(void (*fn)(void));
/* log_fini: frees the secrets */
void log_fini(void);
/* log_scrub: replaces every secret in the NUL-terminated text, in place */
void log_scrub(char *text);

#define log_debug(...)    log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)     log_msg(LOG_INFO, __VA_ARGS__)
#define log_warning(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_critical(...) log_msg(LOG_CRITICAL, __VA_ARGS__)

#endif
