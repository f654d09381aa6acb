/*
 * test_log.c: the log's line format and its secret scrubber.
 *
 * Every line is "LEVEL message\n", one line per message, below the level
 * threshold nothing; every registered secret is masked in every line,
 * however many secrets there are (none is ever dropped).
 */
#include <stdio.h>
#include <string.h>

#include "files.h"
#include "tap.h"
#include "tap/log.h"

/* scrubbed: text after log_scrub, in a static buffer */
static const char *
scrubbed(const char *text)
{
	static char buf[1024];

	snprintf(buf, sizeof buf, "%s", text);
	log_scrub(buf);
	return buf;
}

/*
 * test_lines: the format, the threshold, and newline folding.
 */
static void
test_lines(void)
{
	capture_begin();
	log_info("hello %d", 42);
	log_debug("not shown at INFO");
	log_warning("two\nlines\n");
	log_critical("last");
	capture_end();
	is_str(captured, "INFO hello 42\nWARNING two lines\nCRITICAL last\n",
		   "levels, no DEBUG at the default threshold, newlines folded");
	ok(log_enabled(LOG_INFO) && !log_enabled(LOG_DEBUG),
	   "log_enabled at the default threshold");

	log_set_level(LOG_DEBUG);
	capture_begin();
	log_debug("statement took %.3f ms: %s", 1.5, "SELECT 1");
	capture_end();
	is_str(captured, "DEBUG statement took 1.500 ms: SELECT 1\n",
		   "DEBUG lines once the threshold is DEBUG");
	ok(log_enabled(LOG_DEBUG), "log_enabled at DEBUG");

	log_set_level(LOG_CRITICAL);
	capture_begin();
	log_warning("hidden");
	log_critical("shown");
	capture_end();
	is_str(captured, "CRITICAL shown\n", "threshold CRITICAL");
	log_set_level(LOG_INFO);
}

/*
 * test_scrub: masks, their length, overlapping and repeated secrets.
 */
static void
test_scrub(void)
{
	log_add_secret(NULL);
	log_add_secret("");
	is_str(scrubbed("nothing to hide"), "nothing to hide",
		   "no secrets: text unchanged");

	log_add_secret("hunter2-long-password");
	is_str(scrubbed("pw=hunter2-long-password; again hunter2-long-password"),
		   "pw=********; again ********", "every occurrence masked");
	log_add_secret("abc");
	is_str(scrubbed("xabcx"), "x***x",
		   "a short secret gets a mask no longer than itself");
	log_add_secret("abc");
	is_str(scrubbed("abcabc"), "******", "a secret added twice: still one");

	capture_begin();
	log_warning("libpq said: password hunter2-long-password rejected");
	capture_end();
	is_str(captured, "WARNING libpq said: password ******** rejected\n",
		   "log lines are scrubbed");
}

/*
 * test_many_secrets: more secrets than any fixed table would hold; the
 * first one registered is still masked after a hundred more.
 */
static void
test_many_secrets(void)
{
	char name[64];
	char text[80];
	bool all = true;

	log_add_secret("first-Secret-0");
	for (int i = 0; i < 100; i++)
	{
		snprintf(name, sizeof name, "extra-secret-%03d", i);
		log_add_secret(name);
	}
	is_str(scrubbed("a first-Secret-0 b"), "a ******** b",
		   "the first secret is still masked after 100 more");
	for (int i = 0; i < 100; i++)
	{
		snprintf(name, sizeof name, "extra-secret-%03d", i);
		snprintf(text, sizeof text, "[%s]", name);
		if (strcmp(scrubbed(text), "[********]") != 0)
			all = false;
	}
	ok(all, "all 100 extra secrets masked");

	log_fini();
	is_str(scrubbed("a first-Secret-0 b"), "a first-Secret-0 b",
		   "log_fini forgets the secrets");
	log_add_secret("after-fini-Secret");
	is_str(scrubbed("after-fini-Secret"), "********",
		   "secrets can be added again after log_fini");
	log_fini();
}

/*
 * test_long_line: a message longer than a line is cut, still one line.
 */
static void
test_long_line(void)
{
	static char big[20000];
	const char *nl;

	memset(big, 'x', sizeof big - 1);
	capture_begin();
	log_info("%s", big);
	capture_end();
	nl = strchr(captured, '\n');
	ok(strncmp(captured, "INFO xxx", 8) == 0 && nl != NULL && nl[1] == '\0',
	   "a very long message is one line");
}

int
main(void)
{
	test_lines();
	test_scrub();
	test_many_secrets();
	test_long_line();
	return done_testing();
}
