/*
 * fuzz_jsonw.c: jsonw on any bytes.
 *
 * - jsonw_string: jansson reads the output back as one string, equal to
 *   the input when that is valid UTF-8, else to the input with each
 *   maximal ill-formed subpart replaced by U+FFFD (jsonw.c's policy),
 *   computed here by a plain reference decoder. Inputs whose first byte
 *   has its top five bits set are also escaped behind a 64 KiB prefix, so
 *   that jsonw's chunk boundary falls among their first bytes: the result
 *   must be the same bytes as escaping the input alone.
 * - jsonw_value: input that jansson reads as JSON is written compactly
 *   and read back equal (up to jsonw's nesting guard).
 * - json_check.h (the validator fuzz_encode relies on) accepts whatever
 *   jansson accepts, and what jsonw writes.
 */
#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "json_check.h"
#include "tap/buf.h"
#include "tap/jsonw.h"

/* jsonw.c's CHUNK: long strings are escaped in pieces of this size */
#define JSONW_CHUNK 65536

/*
 * ref_seq_len: for the sequence at p[0..avail), the length of a
 * well-formed UTF-8 sequence (Unicode table 3-7), or 0 and *bad = the
 * length of its maximal subpart
 */
static size_t
ref_seq_len(const unsigned char *p, size_t avail, size_t *bad)
{
	static const struct
	{
		unsigned char lead_lo, lead_hi, len, second_lo, second_hi;
	} table[] = {
		{0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF},
		{0xE1, 0xEC, 3, 0x80, 0xBF}, {0xED, 0xED, 3, 0x80, 0x9F},
		{0xEE, 0xEF, 3, 0x80, 0xBF}, {0xF0, 0xF0, 4, 0x90, 0xBF},
		{0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
	};

	for (size_t t = 0; t < sizeof table / sizeof table[0]; t++)
	{
		size_t k;

		if (p[0] < table[t].lead_lo || p[0] > table[t].lead_hi)
			continue;
		for (k = 1; k < table[t].len; k++)
		{
			unsigned char lo = k == 1 ? table[t].second_lo : 0x80;
			unsigned char hi = k == 1 ? table[t].second_hi : 0xBF;

			if (k >= avail || p[k] < lo || p[k] > hi)
			{
				*bad = k;
				return 0;
			}
		}
		return table[t].len;
	}
	*bad = 1;
	return 0;
}

/* ref_repair: s[0..n) with U+FFFD for each maximal subpart, into out */
static void
ref_repair(const unsigned char *s, size_t n, Buf *out, bool *valid)
{
	size_t i = 0;

	*valid = true;
	while (i < n)
	{
		size_t bad = 0;
		size_t k;

		if (s[i] < 0x80)
		{
			buf_putc(out, (char) s[i++]);
			continue;
		}
		k = ref_seq_len(s + i, n - i, &bad);
		if (k)
		{
			buf_append(out, s + i, k);
			i += k;
			continue;
		}
		buf_append(out, "\xEF\xBF\xBD", 3);
		*valid = false;
		i += bad;
	}
}

/* check_string: jsonw_string(s) reads back as want */
static void
check_string(const char *s, size_t n, const Buf *want)
{
	Buf out;
	json_t *v;
	json_error_t err;

	buf_init(&out, 16);
	jsonw_string(&out, s, n);
	v = json_loadb(out.data, out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (v == NULL)
	{
		fprintf(stderr, "jansson: %s at %d\n", err.text, err.position);
		fuzz_fail("jsonw_string output is not JSON", out.data, out.len);
	}
	FUZZ_CHECK(json_is_string(v), "jsonw_string output is not a string",
			   out.data, out.len);
	FUZZ_CHECK(json_check(out.data, out.len),
			   "json_check rejects jsonw_string output", out.data, out.len);
	FUZZ_CHECK(json_string_length(v) == want->len &&
				   memcmp(json_string_value(v), want->data, want->len) == 0,
			   "jsonw_string does not read back as the (repaired) input",
			   out.data, out.len);
	json_decref(v);
	buf_fini(&out);
}

/* depth: nesting of v (jansson's parser bounds the recursion) */
static int
depth(const json_t *v)
{
	int d = 0;

	if (json_is_array(v))
	{
		for (size_t i = 0; i < json_array_size(v); i++)
		{
			int c = depth(json_array_get(v, i));

			d = c > d ? c : d;
		}
		return d + 1;
	}
	if (json_is_object(v))
	{
		const char *k;
		json_t *child;

		json_object_foreach((json_t *) v, k, child)
		{
			int c = depth(child);

			d = c > d ? c : d;
		}
		return d + 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Buf want;
	bool valid;
	json_t *doc;
	json_error_t err;

	buf_init(&want, size * 3 + 16);
	ref_repair(data, size, &want, &valid);
	check_string((const char *) data, size, &want);

	if (size > 0 && data[0] >= 0xF8)
	{
		/* the 64 KiB cut falls 1..8 bytes into the input */
		size_t pad = JSONW_CHUNK - 1 - (data[0] & 7);
		char *big = malloc(pad + size);
		Buf bigwant;

		if (big != NULL)
		{
			Buf small;
			Buf got;

			/* the pieces must escape exactly as the whole: the output is
			 * '"', the pad, the input's own escaped body, '"' (compared
			 * as bytes; parsing 64 KiB per input would slow fuzzing) */
			memset(big, 'a', pad);
			memcpy(big + pad, data, size);
			buf_init(&small, 16);
			jsonw_string(&small, (const char *) data, size);
			buf_init(&bigwant, pad + small.len);
			buf_putc(&bigwant, '"');
			buf_append(&bigwant, big, pad);
			buf_append(&bigwant, small.data + 1, small.len - 1);
			buf_init(&got, 16);
			jsonw_string(&got, big, pad + size);
			FUZZ_CHECK(got.len == bigwant.len &&
						   memcmp(got.data, bigwant.data, got.len) == 0,
					   "a string cut into 64 KiB pieces escapes differently",
					   NULL, 0);
			buf_fini(&got);
			buf_fini(&bigwant);
			buf_fini(&small);
			free(big);
		}
	}
	buf_fini(&want);

	doc = json_loadb((const char *) data, size,
					 JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (doc != NULL)
	{
		Buf out;
		json_t *back;

		/* jansson stops at a NUL byte ("7\0" reads as 7); JSON has none */
		FUZZ_CHECK(memchr(data, '\0', size) != NULL ||
					   json_check((const char *) data, size),
				   "json_check rejects a document jansson reads", NULL, 0);

		buf_init(&out, 16);
		jsonw_value(&out, doc);
		back = json_loadb(out.data, out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
						  &err);
		if (back == NULL)
		{
			fprintf(stderr, "jansson: %s\n", err.text);
			fuzz_fail("jsonw_value output is not JSON", out.data, out.len);
		}
		/* past jsonw's depth guard (1024) values are null by design */
		FUZZ_CHECK(depth(doc) > 1024 || json_equal(doc, back),
				   "jsonw_value output reads back different", out.data,
				   out.len);
		json_decref(back);
		json_decref(doc);
		buf_fini(&out);
	}
	return 0;
}
