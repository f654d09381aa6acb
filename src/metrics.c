/*
 * metrics.c: singer-python's METRIC log lines.
 */
#include "tap/metrics.h"

#include <inttypes.h>
#include <string.h>

#include "tap/buf.h"
#include "tap/jsonw.h"
#include "tap/log.h"

/* tags: , "tags": {..."schema": S, "table": T (without the closing braces) */
static void
put_stream_tags(Buf *b, const StreamSpec *spec)
{
	buf_append_str(b, "\"schema\": ");
	jsonw_string(b, spec->schema_name, strlen(spec->schema_name));
	buf_append_str(b, ", \"table\": ");
	jsonw_string(b, spec->table_name, strlen(spec->table_name));
}

void
metrics_counter(const StreamSpec *spec, const char *metric, int64_t value)
{
	Buf b;

	buf_init(&b, 256);
	buf_append_str(&b, "{\"type\": \"counter\", \"metric\": ");
	jsonw_string(&b, metric, strlen(metric));
	buf_printf(&b, ", \"value\": %" PRId64 ", \"tags\": {", value);
	put_stream_tags(&b, spec);
	buf_append_str(&b, "}}");
	log_info("METRIC: %s", buf_cstr(&b));
	buf_fini(&b);
}

void
metrics_timer(const StreamSpec *spec, double seconds, bool ok)
{
	Buf b;

	buf_init(&b, 256);
	buf_printf(&b,
			   "{\"type\": \"timer\", \"metric\": \"job_duration\", "
			   "\"value\": %.6f, \"tags\": {\"job_type\": \"sync_stream\", ",
			   seconds);
	put_stream_tags(&b, spec);
	buf_printf(&b, ", \"status\": \"%s\"}}", ok ? "succeeded" : "failed");
	log_info("METRIC: %s", buf_cstr(&b));
	buf_fini(&b);
}

double
metrics_elapsed_s(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double) (now.tv_sec - since->tv_sec) +
		   (double) (now.tv_nsec - since->tv_nsec) / 1e9;
}
