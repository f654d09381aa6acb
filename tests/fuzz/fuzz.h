/*
 * fuzz.h: what the fuzz targets share.
 *
 * Each tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput. With
 * -Dfuzzing=true (clang) it links libFuzzer; otherwise standalone_main.c
 * replays tests/fuzz/corpus/<name>/ as an ordinary meson test. A broken
 * invariant calls fuzz_fail. Under libFuzzer it aborts, and libFuzzer
 * reports a crash. In the standalone replay (FUZZ_STANDALONE, set by
 * tests/meson.build) it returns to the replay loop, which reports that
 * input as "not ok" and exits non-zero, in every build, with or without
 * a sanitizer.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tap/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef FUZZ_STANDALONE
/* fuzz_replay_fail: standalone_main.c: marks the input being replayed as
 * failed (why) and returns to the replay loop */
void fuzz_replay_fail(const char *why) __attribute__((noreturn));
#endif

/* fuzz_fail: prints why, and what was produced, then ends the input */
static inline void fuzz_fail(const char *why, const char *out, size_t n)
	__attribute__((noreturn));

static inline void
fuzz_fail(const char *why, const char *out, size_t n)
{
	fprintf(stderr, "fuzz invariant broken: %s\n", why);
	if (out != NULL)
	{
		fprintf(stderr, "output (%zu bytes): ", n);
		fwrite(out, 1, n > 2048 ? 2048 : n, stderr);
		fputc('\n', stderr);
	}
#ifdef FUZZ_STANDALONE
	fuzz_replay_fail(why);
#else
	abort();
#endif
}

/*
 * FUZZ_QUIET_LOGS: defines LLVMFuzzerInitialize for a target whose code
 * logs a CRITICAL line per rejected input. With TAP_FUZZ_QUIET=1 (set by
 * scripts/fuzz.sh) the log is off, so libFuzzer runs fast and its own
 * output (and fuzz_fail's) stays readable; the corpus replay keeps it.
 */
#define FUZZ_QUIET_LOGS                                                        \
	int LLVMFuzzerInitialize(int *argc, char ***argv);                         \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                          \
	{                                                                          \
		const char *q = getenv("TAP_FUZZ_QUIET");                              \
		if (q != NULL && q[0] == '1')                                          \
			log_set_level((LogLevel) (LOG_CRITICAL + 1));                      \
		return 0;                                                              \
	}

#define FUZZ_CHECK(cond, why, out, n)                                          \
	do                                                                         \
	{                                                                          \
		if (!(cond))                                                           \
			fuzz_fail((why), (out), (n));                                      \
	} while (0)

#endif
