/*
 * metrics.h: Singer metrics, as singer-python writes them, on stderr:
 *   INFO METRIC: {"type": "counter", "metric": "record_count", "value": N,
 *                 "tags": {"schema": ..., "table": ...}}
 * These are what orchestrators show as extraction logs.
 */
#ifndef TAP_METRICS_H
#define TAP_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tap/catalog.h"

/* How often a record_count counter goes out while a stream is syncing. */
#define METRICS_EVERY_SECONDS 60

/* metrics_counter: a counter named metric (e.g. "record_count") */
void metrics_counter(const StreamSpec *spec, const char *metric, int64_t value);

/* metrics_elapsed_s: seconds since *since (CLOCK_MONOTONIC) */
double metrics_elapsed_s(const struct timespec *since);

/* metrics_timer: the stream's job_duration, succeeded or failed */
void metrics_timer(const StreamSpec *spec, double seconds, bool ok);

#endif
