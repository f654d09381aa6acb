/*
 * standalone_main.c: replays fuzz inputs without libFuzzer (the libvips
 * pattern), so the targets build and their corpora run in every build,
 * under the sanitizers in CI and under valgrind.
 *
 *   fuzz_<name> PATH...    each PATH a file, or a directory whose regular
 *                          files are replayed in name order
 *
 * Output is TAP: one "ok" or "not ok" line per input, and the exit status
 * is non-zero when any input failed. Each input is copied into a buffer of
 * exactly its size, so that ASan (or valgrind) sees a read past its end,
 * as under libFuzzer. An input fails when the target breaks an invariant
 * (fuzz_fail returns here through fuzz_replay_fail, so the next inputs
 * still run) or when it crashes: without a sanitizer to report the crash,
 * a handler prints the "not ok" line for the input before the process
 * dies of the signal.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define FUZZ_SANITIZED 1
#endif
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int ninputs;
static int nfailed;
static jmp_buf replay_jmp;
static const char *replay_why;
static const char *replaying; /* the input being replayed, for on_crash */

void
fuzz_replay_fail(const char *why)
{
	replay_why = why;
	longjmp(replay_jmp, 1);
}

#ifndef FUZZ_SANITIZED
/* write_str: async-signal-safe output of a string to stdout */
static void
write_str(const char *s)
{
	size_t n = strlen(s);

	while (n > 0)
	{
		ssize_t w = write(1, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t) w;
	}
}

/*
 * on_crash: the input being replayed crashed the target. Reports it, then
 * dies of the same signal (the default action), so the test fails however
 * its output is read.
 */
static void
on_crash(int sig)
{
	char num[24];
	int i = (int) sizeof num - 1;
	int v = ninputs + 1;

	num[i] = '\0';
	do
		num[--i] = (char) ('0' + v % 10);
	while ((v /= 10) > 0 && i > 0);
	write_str("not ok ");
	write_str(num + i);
	write_str(" - ");
	write_str(replaying ? replaying : "(no input)");
	write_str(": crashed (signal ");
	write_str(sig == SIGSEGV  ? "SIGSEGV"
			  : sig == SIGBUS ? "SIGBUS"
			  : sig == SIGFPE ? "SIGFPE"
			  : sig == SIGILL ? "SIGILL"
							  : "SIGABRT");
	write_str(")\n");
	signal(sig, SIG_DFL);
	raise(sig);
}
#endif

/* replay: one input through the target; false if it broke an invariant */
static bool
replay(const unsigned char *data, size_t n)
{
	replay_why = NULL;
	if (setjmp(replay_jmp) != 0)
		return false;
	LLVMFuzzerTestOneInput(data, n);
	return true;
}

/* run_file: replays one file; returns 0, or -1 if it cannot be read */
static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t n = 0;
	size_t cap = 0;
	bool passed;

	if (f == NULL)
	{
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;)
	{
		size_t r;

		if (n == cap)
		{
			unsigned char *p;

			cap = cap ? cap * 2 : 4096;
			p = realloc(data, cap);
			if (p == NULL)
			{
				fclose(f);
				free(data);
				fprintf(stderr, "out of memory reading %s\n", path);
				return -1;
			}
			data = p;
		}
		r = fread(data + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	if (ferror(f))
	{
		fprintf(stderr, "cannot read %s\n", path);
		fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	{
		/* exactly n bytes, so an over-read is caught */
		unsigned char *exact = malloc(n ? n : 1);

		if (exact == NULL)
		{
			free(data);
			return -1;
		}
		if (n)
			memcpy(exact, data, n);
		free(data);
		fflush(stdout);
		replaying = path;
		passed = replay(exact, n);
		replaying = NULL;
		free(exact);
	}
	if (passed)
		printf("ok %d - %s\n", ++ninputs, path);
	else
	{
		printf("not ok %d - %s: %s\n", ++ninputs, path, replay_why);
		nfailed++;
	}
	fflush(stdout);
	return 0;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* run_dir: replays every regular file of dir, in name order */
static int
run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	size_t cap = 0;
	int rc = 0;

	if (d == NULL)
	{
		fprintf(stderr, "cannot open directory %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL)
	{
		size_t len;
		char *path;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		len = strlen(dir) + strlen(e->d_name) + 2;
		path = malloc(len);
		if (path == NULL)
		{
			rc = -1;
			break;
		}
		snprintf(path, len, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		{
			free(path);
			continue;
		}
		if (n == cap)
		{
			char **p;

			cap = cap ? cap * 2 : 64;
			p = realloc(names, cap * sizeof *names);
			if (p == NULL)
			{
				free(path);
				rc = -1;
				break;
			}
			names = p;
		}
		names[n++] = path;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, compare_names);
	for (size_t i = 0; i < n; i++)
	{
		if (rc == 0 && run_file(names[i]) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = 0;

#ifndef FUZZ_SANITIZED
	/* a sanitizer reports crashes itself, with more to say */
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGFPE, on_crash);
	signal(SIGILL, on_crash);
	signal(SIGABRT, on_crash);
#endif
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2)
	{
		fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
	{
		struct stat st;

		if (stat(argv[i], &st) != 0)
		{
			fprintf(stderr, "cannot stat %s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		if ((S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i])) != 0)
			rc = 1;
	}
	if (ninputs == 0)
	{
		fprintf(stderr, "no inputs found\n");
		rc = 1;
	}
	printf("1..%d\n", ninputs);
	if (nfailed > 0)
	{
		fprintf(stderr, "%d of %d inputs failed\n", nfailed, ninputs);
		rc = 1;
	}
	return rc;
}
