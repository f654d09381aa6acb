/*
 * standalone_main.c: replays fuzz inputs without libFuzzer (the libvips
 * pattern), so the targets build and their corpora run in every build,
 * under the sanitizers in CI and under valgrind.
 *
 *   fuzz_<name> PATH...    each PATH a file, or a directory whose regular
 *                          files are replayed in name order
 *
 * Output is TAP: one "ok" line per input. Each input is copied into a
 * buffer of exactly its size, so that ASan (or valgrind) sees a read past
 * its end, as under libFuzzer. A target that breaks an invariant aborts.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int ninputs;

/* run_file: replays one file; returns 0, or -1 if it cannot be read */
static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t n = 0;
	size_t cap = 0;

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
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	printf("ok %d - %s\n", ++ninputs, path);
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
	return rc;
}
