/*
 * fuzz_selftest.c: a target that exists to fail, for
 * tests/fuzz/replay_selftest.sh: the replay must report an input that
 * breaks an invariant as "not ok" (and one that crashes), in every build.
 *
 * Invariant: the input does not start with "BAD". An input that starts
 * with "CRASH" dereferences a null pointer.
 */
#include <string.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 5 && memcmp(data, "CRASH", 5) == 0)
	{
		volatile int *volatile p = NULL;

		return *p;
	}
	FUZZ_CHECK(size < 3 || memcmp(data, "BAD", 3) != 0,
			   "the input starts with BAD", (const char *) data, size);
	return 0;
}
