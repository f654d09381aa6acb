/*
 * yamlscalar.c: the YAML 1.2 core schema's reading of a plain scalar's
 * text: integers (decimal, 0o octal, 0x hex), floats, and the words for
 * null, true and false. yamlconv.c decides which of them a scalar may be.
 */
#include "tap/yamlscalar.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * match_digits: the number of bytes of s[0..n) from i on that are in the
 * given class ("0-9", "0-7" or hex digits).
 */
static size_t
match_digits(const char *s, size_t n, size_t i, int base)
{
	size_t start = i;

	for (; i < n; i++)
	{
		char c = s[i];
		bool ok;

		if (base == 16)
			ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				 (c >= 'A' && c <= 'F');
		else if (base == 8)
			ok = c >= '0' && c <= '7';
		else
			ok = c >= '0' && c <= '9';
		if (!ok)
			break;
	}
	return i - start;
}

/*
 * yamlscalar_resolve_int: *out = the YAML 1.2 core-schema integer s[0..n) ([-+]digits,
 * 0o octal, 0x hex). False when s is not an integer or does not fit int64.
 */
bool
yamlscalar_resolve_int(const char *s, size_t n, int64_t *out)
{
	char tmp[72];
	size_t i = 0;
	int base = 10;
	char *end;
	long long v;

	if (n == 0 || n >= sizeof tmp)
		return false;
	if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x'))
	{
		base = s[1] == 'o' ? 8 : 16;
		i = 2;
	}
	else if (s[0] == '-' || s[0] == '+')
		i = 1;
	if (i == n || match_digits(s, n, i, base) != n - i)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp + (base == 10 ? 0 : 2), &end, base);
	if (errno == ERANGE || *end != '\0')
		return false;
	*out = v;
	return true;
}

/*
 * yamlscalar_resolve_float: *out = the YAML 1.2 core-schema float s[0..n) in decimal
 * notation, with a '.' or an exponent unless tagged !!float. False for
 * anything else, and for values that overflow a double (.inf and .nan
 * are left to be strings: JSON has no such numbers).
 */
bool
yamlscalar_resolve_float(const char *s, size_t n, bool tagged, double *out)
{
	char tmp[128];
	size_t i = 0;
	size_t intd;
	size_t fracd = 0;
	bool marked = false; /* a '.' or an exponent */
	char *end;
	double v;

	if (n == 0 || n >= sizeof tmp)
		return false;
	if (s[0] == '-' || s[0] == '+')
		i++;
	intd = match_digits(s, n, i, 10);
	i += intd;
	if (i < n && s[i] == '.')
	{
		i++;
		fracd = match_digits(s, n, i, 10);
		i += fracd;
		marked = true;
	}
	if (intd == 0 && fracd == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E'))
	{
		size_t expd;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		expd = match_digits(s, n, i, 10);
		if (expd == 0)
			return false;
		i += expd;
		marked = true;
	}
	/* untagged digits alone are an integer, or a string when too big */
	if (i != n || (!marked && !tagged))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtod(tmp, &end);
	if (*end != '\0' || (errno == ERANGE && (v > 1.0 || v < -1.0)))
		return false;
	*out = v;
	return true;
}

/*
 * yamlscalar_is_word: whether s[0..n) is one of the NULL-terminated words.
 */
bool
yamlscalar_is_word(const char *s, size_t n, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strlen(*words) == n && memcmp(s, *words, n) == 0)
			return true;
	return false;
}

const char *const yamlscalar_null_words[] = {"null", "Null", "NULL", "~", NULL};
const char *const yamlscalar_true_words[] = {"true", "True", "TRUE", NULL};
const char *const yamlscalar_false_words[] = {"false", "False", "FALSE", NULL};
