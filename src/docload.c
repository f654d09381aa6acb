/*
 * docload.c: a config, catalog or state document, JSON or YAML, as json_t.
 *
 * The whole file is read into memory (it is bounded by DOCLOAD_MAX_BYTES),
 * checked to be UTF-8 text, then parsed. A document whose first
 * non-blank character is '{' or '[' is tried as JSON first; anything
 * else, or JSON that jansson rejects, is read as YAML (yamlconv.c).
 *
 * Errors are logged once, here, as the CRITICAL line that ends the run;
 * callers only propagate TAP_ERR_INPUT.
 */
#include "tap/docload.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap/jsonw.h"
#include "tap/log.h"
#include "tap/mem.h"
#include "tap/yamlconv.h"

/* A value quoted in a message is cut to this many bytes */
#define VALUE_QUOTE_MAX 60

/*
 * blank_byte: whether c is white space between JSON or YAML tokens.
 */
static bool
blank_byte(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* docload_position: see docload.h */
void
docload_position(const char *data, size_t off, size_t *line, size_t *col)
{
	size_t l = 1;
	size_t start = 0;

	for (size_t i = 0; i < off; i++)
	{
		if (data[i] == '\n')
		{
			l++;
			start = i + 1;
		}
	}
	*line = l;
	*col = off - start + 1;
}

/*
 * json_kind_name: "an array", "a string", ... for messages about v.
 */
static const char *
json_kind_name(const json_t *v)
{
	switch (json_typeof(v))
	{
		case JSON_OBJECT:
			return "an object";
		case JSON_ARRAY:
			return "an array";
		case JSON_STRING:
			return "a string";
		case JSON_INTEGER:
		case JSON_REAL:
			return "a number";
		case JSON_TRUE:
		case JSON_FALSE:
			return "a boolean";
		case JSON_NULL:
			return "null";
	}
	return "an unknown value";
}

/*
 * json_too_deep: whether v nests more than limit levels (an empty
 * container or a scalar inside one container is one level). The
 * recursion is bounded by jansson's own parsing depth limit.
 */
static bool
json_too_deep(const json_t *v, int limit)
{
	if (!json_is_object(v) && !json_is_array(v))
		return false;
	if (limit <= 0)
		return true;
	if (json_is_array(v))
	{
		for (size_t i = 0; i < json_array_size(v); i++)
			if (json_too_deep(json_array_get(v, i), limit - 1))
				return true;
	}
	else
	{
		const char *k;
		json_t *child;

		json_object_foreach((json_t *) v, k, child)
			if (json_too_deep(child, limit - 1))
				return true;
	}
	return false;
}

/*
 * docload_buffer: parses data[0..len) (borrowed) into *out (owned); name
 * and what are used in messages. See docload.h.
 */
TapStatus
docload_buffer(const char *data, size_t len, const char *name, const char *what,
			   bool allow_empty, json_t **out)
{
	size_t pos;
	size_t bad;
	const char *nul;
	json_t *doc = NULL;
	bool from_json = false;
	char errmsg[YAMLCONV_ERRMSG_SIZE];
	YamlFailure yf;

	*out = NULL;
	if (len >= 2 &&
		(((unsigned char) data[0] == 0xFF && (unsigned char) data[1] == 0xFE) ||
		 ((unsigned char) data[0] == 0xFE && (unsigned char) data[1] == 0xFF)))
	{
		log_critical("%s file \"%s\" is encoded in UTF-16: save it as UTF-8",
					 what, name);
		return TAP_ERR_INPUT;
	}
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
	{
		data += 3; /* a UTF-8 byte order mark, as some editors write */
		len -= 3;
	}
	for (pos = 0; pos < len && blank_byte((unsigned char) data[pos]); pos++)
		;
	if (pos == len)
	{
		if (allow_empty)
			return TAP_OK;
		log_critical("%s file \"%s\" is empty", what, name);
		return TAP_ERR_INPUT;
	}
	if ((nul = memchr(data, '\0', len)) != NULL)
	{
		log_critical("%s file \"%s\" is not a text file: it contains a NUL "
					 "byte at byte offset %zu",
					 what, name, (size_t) (nul - data));
		return TAP_ERR_INPUT;
	}
	if ((bad = jsonw_utf8_invalid_at((const unsigned char *) data, len)) < len)
	{
		size_t line;
		size_t col;

		docload_position(data, bad, &line, &col);
		log_critical("%s file \"%s\" is not valid UTF-8: invalid byte 0x%02X "
					 "at byte offset %zu (line %zu)",
					 what, name, (unsigned char) data[bad], bad, line);
		return TAP_ERR_INPUT;
	}

	if (data[pos] == '{' || data[pos] == '[')
	{
		json_error_t jerr;

		doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
		if (doc == NULL && json_error_code(&jerr) == json_error_stack_overflow)
		{
			log_critical("could not parse %s file \"%s\": nesting is too deep "
						 "(the limit is %d levels)",
						 what, name, DOCLOAD_MAX_DEPTH);
			return TAP_ERR_INPUT;
		}
		if (doc == NULL)
		{
			/* maybe YAML flow style; if not, the JSON error is the one */
			yf = yamlconv_to_json(data, len, &doc, errmsg, sizeof errmsg);
			if (yf != YAML_FAIL_NONE)
			{
				if (yf == YAML_FAIL_SYNTAX)
					log_critical("could not parse %s file \"%s\": line %d, "
								 "column %d: %s",
								 what, name, jerr.line, jerr.column, jerr.text);
				else
					log_critical("could not parse %s file \"%s\": %s", what,
								 name, errmsg);
				return TAP_ERR_INPUT;
			}
		}
		else
			from_json = true;
	}
	else
	{
		yf = yamlconv_to_json(data, len, &doc, errmsg, sizeof errmsg);
		if (yf != YAML_FAIL_NONE)
		{
			log_critical("could not parse %s file \"%s\": %s", what, name,
						 errmsg);
			return TAP_ERR_INPUT;
		}
	}

	if (doc == NULL || (json_is_null(doc) && allow_empty))
	{
		/* only comments, an empty YAML document, or null */
		json_decref(doc);
		if (allow_empty)
			return TAP_OK;
		log_critical("%s file \"%s\" is empty (it holds only comments)", what,
					 name);
		return TAP_ERR_INPUT;
	}
	if (from_json && json_too_deep(doc, DOCLOAD_MAX_DEPTH))
	{
		json_decref(doc);
		log_critical("could not parse %s file \"%s\": nesting is too deep "
					 "(the limit is %d levels)",
					 what, name, DOCLOAD_MAX_DEPTH);
		return TAP_ERR_INPUT;
	}
	if (!json_is_object(doc))
	{
		if (from_json)
			log_critical("%s file \"%s\" must contain a JSON object, not %s",
						 what, name, json_kind_name(doc));
		else
			log_critical("%s file \"%s\" must contain a mapping (an object), "
						 "not %s",
						 what, name,
						 json_is_array(doc)  ? "a sequence (a list)"
						 : json_is_null(doc) ? "null"
											 : "a single value");
		json_decref(doc);
		return TAP_ERR_INPUT;
	}
	*out = doc;
	return TAP_OK;
}

/*
 * read_all: reads fd to its end into *out (owned, NUL-terminated) and
 * *len. Fails, after logging, past DOCLOAD_MAX_BYTES or on a read error.
 * size_hint is the file's size when known (regular files), else 0.
 */
static TapStatus
read_all(int fd, const char *path, const char *what, size_t size_hint,
		 char **out, size_t *len)
{
	size_t cap = size_hint > 0 ? size_hint + 1 : 65536;
	size_t n = 0;
	char *data = xmalloc(cap + 1);

	for (;;)
	{
		ssize_t r;

		if (n == cap)
		{
			if (cap > DOCLOAD_MAX_BYTES)
			{
				free(data);
				log_critical("%s file \"%s\" is too large (more than %u "
							 "bytes; the limit is %u MiB)",
							 what, path, DOCLOAD_MAX_BYTES,
							 DOCLOAD_MAX_BYTES / (1024u * 1024u));
				return TAP_ERR_INPUT;
			}
			cap = cap * 2 > (size_t) DOCLOAD_MAX_BYTES + 1
					  ? (size_t) DOCLOAD_MAX_BYTES + 1
					  : cap * 2;
			data = xrealloc(data, cap + 1);
		}
		r = read(fd, data + n, cap - n);
		if (r < 0)
		{
			if (errno == EINTR)
				continue;
			log_critical("could not read %s file \"%s\": %s", what, path,
						 strerror(errno));
			free(data);
			return TAP_ERR_INPUT;
		}
		if (r == 0)
			break;
		n += (size_t) r;
	}
	if (n > DOCLOAD_MAX_BYTES)
	{
		free(data);
		log_critical("%s file \"%s\" is too large (more than %u bytes; the "
					 "limit is %u MiB)",
					 what, path, DOCLOAD_MAX_BYTES,
					 DOCLOAD_MAX_BYTES / (1024u * 1024u));
		return TAP_ERR_INPUT;
	}
	data[n] = '\0';
	*out = data;
	*len = n;
	return TAP_OK;
}

/*
 * docload_file: reads and parses the file at path. See docload.h.
 */
TapStatus
docload_file(const char *path, const char *what, bool allow_empty,
			 bool missing_ok, json_t **out)
{
	int fd;
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	TapStatus status;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
	{
		if (errno == ENOENT && allow_empty && missing_ok)
			return TAP_OK;
		log_critical("could not open %s file \"%s\": %s", what, path,
					 strerror(errno));
		return TAP_ERR_INPUT;
	}
	if (fstat(fd, &st) != 0)
	{
		log_critical("could not stat %s file \"%s\": %s", what, path,
					 strerror(errno));
		close(fd);
		return TAP_ERR_INPUT;
	}
	if (S_ISDIR(st.st_mode))
	{
		log_critical("%s file \"%s\" is a directory", what, path);
		close(fd);
		return TAP_ERR_INPUT;
	}
	if (S_ISREG(st.st_mode) && st.st_size > (off_t) DOCLOAD_MAX_BYTES)
	{
		log_critical("%s file \"%s\" is too large (%jd bytes; the limit is "
					 "%u MiB)",
					 what, path, (intmax_t) st.st_size,
					 DOCLOAD_MAX_BYTES / (1024u * 1024u));
		close(fd);
		return TAP_ERR_INPUT;
	}
	status =
		read_all(fd, path, what, S_ISREG(st.st_mode) ? (size_t) st.st_size : 0,
				 &data, &len);
	close(fd);
	if (status != TAP_OK)
		return status;
	status = docload_buffer(data, len, path, what, allow_empty, out);
	free(data);
	return status;
}

bool
docload_bool(const json_t *v, bool *out)
{
	if (json_is_boolean(v))
	{
		*out = json_is_true(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	if (strcasecmp(json_string_value(v), "true") == 0)
		*out = true;
	else if (strcasecmp(json_string_value(v), "false") == 0)
		*out = false;
	else
		return false;
	return true;
}

/*
 * docload_int: *out = v as an integer in [lo, hi]: a JSON integer, or a
 * string of ASCII digits. False when v is anything else.
 */
bool
docload_int(const json_t *v, long lo, long hi, long *out)
{
	long long n;

	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (json_is_string(v))
	{
		const char *s = json_string_value(v);
		char *end;

		if (!isdigit((unsigned char) s[0]))
			return false;
		for (const char *p = s; *p; p++)
			if (!isdigit((unsigned char) *p))
				return false;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno == ERANGE)
			return false;
	}
	else
		return false;
	if (n < lo || n > hi)
		return false;
	*out = (long) n;
	return true;
}

/*
 * docload_value_text: describes v for a message in buf: a string in quotes (cut
 * to VALUE_QUOTE_MAX bytes, control characters replaced), a number, or "a list" etc.
 * For secret keys only the kind of value is described.
 */
const char *
docload_value_text(const json_t *v, bool secret, char *buf, size_t size)
{
	switch (json_typeof(v))
	{
		case JSON_STRING:
		{
			const char *s = json_string_value(v);
			size_t n = strlen(s);
			size_t o = 0;

			if (secret)
				return "a string";
			if (n > VALUE_QUOTE_MAX)
			{
				n = VALUE_QUOTE_MAX;
				while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
					n--;
			}
			buf[o++] = '"';
			for (size_t i = 0; i < n && o + 5 < size; i++)
				buf[o++] = (unsigned char) s[i] < 0x20 ? '?' : s[i];
			if (n < strlen(s) && o + 5 < size)
			{
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			buf[o++] = '"';
			buf[o] = '\0';
			return buf;
		}
		case JSON_INTEGER:
			if (secret)
				return "a number";
			snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			return buf;
		case JSON_REAL:
			if (secret)
				return "a number";
			snprintf(buf, size, "%.17g", json_real_value(v));
			if (strpbrk(buf, ".en") == NULL && strlen(buf) + 3 < size)
				memcpy(buf + strlen(buf), ".0", 3); /* not 5432 for 5432.0 */
			return buf;
		case JSON_TRUE:
			return secret ? "a boolean" : "true";
		case JSON_FALSE:
			return secret ? "a boolean" : "false";
		case JSON_ARRAY:
			return "a list";
		case JSON_OBJECT:
			return "an object";
		case JSON_NULL:
			return "null";
	}
	return "an unknown value";
}
