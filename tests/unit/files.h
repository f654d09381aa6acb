/*
 * files.h: what the unit tests that read files share: a private temporary
 * directory, files written into it, and fd 2 captured so that a test can
 * check the one message a failure logs.
 */
#ifndef TESTS_FILES_H
#define TESTS_FILES_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];
static char captured[16384];
static int saved_stderr = -1;
static FILE *capture_file;

/* tmpdir_make: a fresh /tmp/<prefix>.XXXXXX in tmpdir; false on failure */
static inline bool
tmpdir_make(const char *prefix)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/%s.XXXXXX", prefix);
	if (mkdtemp(tmpdir) == NULL)
	{
		perror("mkdtemp");
		return false;
	}
	return true;
}

/* tmpdir_remove: removes tmpdir and what is in it */
static inline void
tmpdir_remove(void)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
}

/* capture_begin: sends fd 2 to a temporary file until capture_end */
static inline void
capture_begin(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	saved_stderr = dup(2);
	dup2(fileno(capture_file), 2);
}

/* capture_end: restores fd 2; what was written is in captured[] */
static inline const char *
capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(capture_file);
	n = fread(captured, 1, sizeof captured - 1, capture_file);
	captured[n] = '\0';
	fclose(capture_file);
	return captured;
}

/* write_bytes: data[0..len) into tmpdir/name; returns the path (static) */
static inline const char *
write_bytes(const char *name, const char *data, size_t len)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	if (len > 0)
		fwrite(data, 1, len, f);
	fclose(f);
	return path;
}

#endif
