/*
 * tap.h: a minimal TAP producer for the unit tests (no framework).
 *
 * ok(cond, name) prints "ok N - name" or "not ok N - name"; is_str and
 * is_mem also print what was expected and what came, so a failure says
 * why. done_testing() prints the plan and returns the exit status.
 */
#ifndef TESTS_TAP_H
#define TESTS_TAP_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_n;
static int tap_failed;

static inline bool
tap_ok(bool cond, const char *name)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	if (!cond)
		tap_failed++;
	return cond;
}

static inline bool
tap_is_mem(const char *got, size_t gotlen, const char *want, size_t wantlen,
		   const char *name)
{
	bool same = gotlen == wantlen && memcmp(got, want, gotlen) == 0;

	if (!tap_ok(same, name))
	{
		printf("#   got:  '%.*s'\n", (int) gotlen, got ? got : "(null)");
		printf("#   want: '%.*s'\n", (int) wantlen, want);
	}
	return same;
}

static inline bool
tap_is_str(const char *got, const char *want, const char *name)
{
	if (got == NULL || want == NULL)
	{
		bool same = got == want;

		if (!tap_ok(same, name))
			printf("#   got: %s, want: %s\n", got ? got : "(null)",
				   want ? want : "(null)");
		return same;
	}
	return tap_is_mem(got, strlen(got), want, strlen(want), name);
}

static inline bool
tap_is_int(long long got, long long want, const char *name)
{
	if (!tap_ok(got == want, name))
	{
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
		return false;
	}
	return true;
}

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#define ok(cond, name)          tap_ok((cond), (name))
#define is_str(got, want, name) tap_is_str((got), (want), (name))
#define is_mem(got, gotlen, want, wantlen, name)                               \
	tap_is_mem((got), (gotlen), (want), (wantlen), (name))
#define is_int(got, want, name) tap_is_int((got), (want), (name))

#endif
