/*
 * test_jsonw.c: unit tests for jsonw (string escaping, UTF-8 repair,
 * reals, number grammar, json_t output).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/buf.h"
#include "tap/jsonw.h"
#include "tap.h"

typedef struct StrCase
{
	const char *in;
	size_t n;         /* 0: strlen(in) */
	const char *want; /* without the surrounding quotes */
} StrCase;

#define FFFD "\xEF\xBF\xBD"

static const StrCase str_cases[] = {
	{"", 0, ""},
	{"plain ascii", 0, "plain ascii"},
	{"a\"b", 0, "a\\\"b"},
	{"a\\b", 0, "a\\\\b"},
	{"\b\f\n\r\t", 0, "\\b\\f\\n\\r\\t"},
	{"\x01", 0, "\\u0001"},
	{"\x1f", 0, "\\u001f"},
	{"\x0b", 0, "\\u000b"},
	{"x\0y", 3, "x\\u0000y"},
	{"\x7f", 0, "\x7f"},
	{"a/b", 0, "a/b"},
	{"<script>'&'</script>", 0, "<script>'&'</script>"},
	{"12345678\"12345678\\", 0, "12345678\\\"12345678\\\\"},
	{"1234567\n", 0, "1234567\\n"},
	{"\n12345678", 0, "\\n12345678"},
	/* well-formed UTF-8 is copied */
	{"h\xC3\xA9llo", 0, "h\xC3\xA9llo"},
	{"\xE2\x82\xAC", 0, "\xE2\x82\xAC"},
	{"\xF0\x9F\x98\x80", 0, "\xF0\x9F\x98\x80"},
	{"\xC2\x80", 0, "\xC2\x80"},
	{"\xDF\xBF", 0, "\xDF\xBF"},
	{"\xE0\xA0\x80", 0, "\xE0\xA0\x80"},
	{"\xED\x9F\xBF", 0, "\xED\x9F\xBF"},
	{"\xEE\x80\x80", 0, "\xEE\x80\x80"},
	{"\xEF\xBF\xBF", 0, "\xEF\xBF\xBF"},
	{"\xF0\x90\x80\x80", 0, "\xF0\x90\x80\x80"},
	{"\xF4\x8F\xBF\xBF", 0, "\xF4\x8F\xBF\xBF"},
	{"\xEF\xBB\xBF"
	 "bom",
	 0,
	 "\xEF\xBB\xBF"
	 "bom"},
	{"abcdefgh\xC3\xA9"
	 "abcdefgh",
	 0,
	 "abcdefgh\xC3\xA9"
	 "abcdefgh"},
	/* invalid UTF-8: one U+FFFD per maximal subpart */
	{"\x80", 0, FFFD},
	{"\xBF", 0, FFFD},
	{"a\x80"
	 "b",
	 0, "a" FFFD "b"},
	{"\x80\x80", 0, FFFD FFFD},
	{"\xC0\xAF", 0, FFFD FFFD},
	{"\xC1\xBF", 0, FFFD FFFD},
	{"\xC3", 0, FFFD},
	{"\xC3"
	 "A",
	 0, FFFD "A"},
	{"\xC3\xC3\xA9", 0, FFFD "\xC3\xA9"},
	{"\xE2\x82", 0, FFFD},
	{"\xE2\x82"
	 "a",
	 0, FFFD "a"},
	{"\xE2", 0, FFFD},
	{"\xE0\x80\x80", 0, FFFD FFFD FFFD},
	{"\xE0\x9F\xBF", 0, FFFD FFFD FFFD},
	{"\xED\xA0\x80", 0, FFFD FFFD FFFD},
	{"\xED\xBF\xBF", 0, FFFD FFFD FFFD},
	{"\xF0\x80\x80\x80", 0, FFFD FFFD FFFD FFFD},
	{"\xF0\x8F\xBF\xBF", 0, FFFD FFFD FFFD FFFD},
	{"\xF0\x9F\x98", 0, FFFD},
	{"\xF0\x9F", 0, FFFD},
	{"\xF0\x9F\x98"
	 "x",
	 0, FFFD "x"},
	{"\xF4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD},
	{"\xF5\x80\x80\x80", 0, FFFD FFFD FFFD FFFD},
	{"\xF8\x88\x80\x80\x80", 0, FFFD FFFD FFFD FFFD FFFD},
	{"\xFE\xFF", 0, FFFD FFFD},
	{"\xF0\x9F\x98\x80\x80", 0, "\xF0\x9F\x98\x80" FFFD},
	{"\xE2\x82\xAC\xE2\x82", 0, "\xE2\x82\xAC" FFFD},
	{"\xE2\x22", 0, FFFD "\\\""},
	{"\xC3\n", 0, FFFD "\\n"},
	{"ok\xFFok\"", 0, "ok" FFFD "ok\\\""},
};

/*
 * ref_prefix_ok: true if p[0..k) (k >= 1, p[0] a lead byte) can begin a
 * well-formed sequence: completes it with the smallest and largest
 * continuation bytes and checks the code point range that gives.
 */
static bool
ref_prefix_ok(const unsigned char *p, size_t k, size_t len)
{
	static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
	static const uint32_t max_cp[5] = {0, 0x7F, 0x7FF, 0xFFFF, 0x10FFFF};
	uint32_t lo;
	uint32_t hi;
	size_t i;

	lo = hi = p[0] & (0xFF >> (len + 1));
	for (i = 1; i < len; i++)
	{
		if (i < k)
		{
			if ((p[i] & 0xC0) != 0x80)
				return false;
			lo = (lo << 6) | (p[i] & 0x3F);
			hi = (hi << 6) | (p[i] & 0x3F);
		}
		else
		{
			lo = lo << 6;
			hi = (hi << 6) | 0x3F;
		}
	}
	if (lo < min_cp[len])
		lo = min_cp[len];
	if (hi > max_cp[len])
		hi = max_cp[len];
	if (lo > hi)
		return false;
	if (lo >= 0xD800 && hi <= 0xDFFF)
		return false;
	return true;
}

/*
 * ref_escape: a byte-at-a-time reference escaper, written differently
 * from jsonw's: code point arithmetic instead of lead-byte ranges.
 */
static void
ref_escape(Buf *b, const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n)
	{
		unsigned c = s[i];
		size_t len;
		size_t k;

		if (c < 0x80)
		{
			if (c == '"' || c == '\\')
			{
				buf_putc(b, '\\');
				buf_putc(b, (char) c);
			}
			else if (c == '\n')
				buf_append(b, "\\n", 2);
			else if (c == '\t')
				buf_append(b, "\\t", 2);
			else if (c == '\r')
				buf_append(b, "\\r", 2);
			else if (c == '\b')
				buf_append(b, "\\b", 2);
			else if (c == '\f')
				buf_append(b, "\\f", 2);
			else if (c < 0x20)
				buf_printf(b, "\\u%04x", c);
			else
				buf_putc(b, (char) c);
			i++;
			continue;
		}
		len = (c & 0xE0) == 0xC0   ? 2
			  : (c & 0xF0) == 0xE0 ? 3
			  : (c & 0xF8) == 0xF0 ? 4
								   : 0;
		if (len == 0 || !ref_prefix_ok(s + i, 1, len))
		{
			buf_append(b, FFFD, 3);
			i++;
			continue;
		}
		for (k = 2; k <= len && i + k <= n; k++)
		{
			if (!ref_prefix_ok(s + i, k, len))
				break;
		}
		k--; /* the longest valid prefix */
		if (k == len)
			buf_append(b, s + i, len);
		else
			buf_append(b, FFFD, 3);
		i += k;
	}
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

/*
 * rng: xorshift64*, deterministic
 */
static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t) ((rng_state * 0x2545F4914F6CDD1Du) >> 32);
}

/*
 * put_cp: appends code point cp as UTF-8
 */
static void
put_cp(Buf *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80)
		buf_putc(b, (char) cp);
	else if (cp < 0x800)
	{
		u[0] = (char) (0xC0 | (cp >> 6));
		u[1] = (char) (0x80 | (cp & 0x3F));
		buf_append(b, u, 2);
	}
	else if (cp < 0x10000)
	{
		u[0] = (char) (0xE0 | (cp >> 12));
		u[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char) (0x80 | (cp & 0x3F));
		buf_append(b, u, 3);
	}
	else
	{
		u[0] = (char) (0xF0 | (cp >> 18));
		u[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char) (0x80 | (cp & 0x3F));
		buf_append(b, u, 4);
	}
}

/*
 * random_cp: a code point from a mix of ranges (no surrogates)
 */
static uint32_t
random_cp(void)
{
	uint32_t cp;

	switch (rng() % 8)
	{
		case 0:
			return rng() % 0x20;
		case 1:
			return "\"\\/\x7f"[rng() % 4];
		case 2:
		case 3:
			return 0x20 + rng() % 0x60;
		case 4:
			return 0x80 + rng() % 0x780;
		case 5:
			cp = 0x800 + rng() % 0xF800;
			return (cp >= 0xD800 && cp <= 0xDFFF) ? 0xFFFD : cp;
		case 6:
			return 0x10000 + rng() % 0x100000;
		default:
			return "aZ09 "[rng() % 5];
	}
}

/*
 * test_table: the fixed escaping cases, through both entry points
 */
static void
test_table(void)
{
	Buf b = {0};
	Buf want = {0};
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(str_cases) / sizeof(str_cases[0]); i++)
	{
		const StrCase *c = &str_cases[i];
		size_t n = c->n ? c->n : strlen(c->in);

		buf_reset(&b);
		buf_reset(&want);
		buf_putc(&want, '"');
		buf_append_str(&want, c->want);
		buf_putc(&want, '"');
		jsonw_string(&b, c->in, n);
		snprintf(name, sizeof(name), "string case %zu", i);
		is_mem(b.data, b.len, want.data, want.len, name);

		buf_reset(&b);
		buf_append(&b, "k=", 2);
		jsonw_string_body(&b, c->in, n);
		snprintf(name, sizeof(name), "string body case %zu", i);
		ok(b.len == 2 + strlen(c->want) && memcmp(b.data, "k=", 2) == 0 &&
			   memcmp(b.data + 2, c->want, b.len - 2) == 0,
		   name);
	}
	buf_fini(&b);
	buf_fini(&want);
}

/*
 * test_reference: every single byte, every position of a special byte in
 * a 24-byte string, and random byte strings, against ref_escape
 */
static void
test_reference(void)
{
	Buf got = {0};
	Buf want = {0};
	unsigned char s[64];
	int bad = 0;
	int c;
	int pos;
	int iter;

	for (c = 0; c < 256; c++)
	{
		for (pos = 0; pos < 24; pos++)
		{
			memset(s, 'a', 24);
			s[pos] = (unsigned char) c;
			buf_reset(&got);
			buf_reset(&want);
			jsonw_string_body(&got, (const char *) s, 24);
			ref_escape(&want, s, 24);
			if (got.len != want.len || memcmp(got.data, want.data, got.len))
				bad++;
		}
	}
	is_int(bad, 0, "each byte at each position matches the reference");

	bad = 0;
	for (iter = 0; iter < 20000; iter++)
	{
		size_t n = rng() % sizeof(s);
		size_t i;

		for (i = 0; i < n; i++)
		{
			uint32_t r = rng();

			/* mostly high bytes, to hit every UTF-8 state */
			s[i] = (r & 3) ? (unsigned char) (0x80 + (r >> 8) % 0x80)
						   : (unsigned char) ((r >> 8) & 0xFF);
		}
		buf_reset(&got);
		buf_reset(&want);
		jsonw_string_body(&got, (const char *) s, n);
		ref_escape(&want, s, n);
		if (got.len != want.len || memcmp(got.data, want.data, got.len))
		{
			if (bad++ == 0)
				printf("# first mismatch at iteration %d\n", iter);
		}
	}
	is_int(bad, 0, "20000 random byte strings match the reference");
	buf_fini(&got);
	buf_fini(&want);
}

/*
 * test_roundtrip: valid UTF-8 escapes to a JSON string that jansson reads
 * back to the same bytes; random bytes always give JSON jansson accepts
 */
static void
test_roundtrip(void)
{
	Buf in = {0};
	Buf out = {0};
	int bad = 0;
	int invalid = 0;
	int iter;

	for (iter = 0; iter < 5000; iter++)
	{
		size_t len = rng() % 40;
		size_t i;
		json_t *v;
		json_error_t err;

		buf_reset(&in);
		for (i = 0; i < len; i++)
			put_cp(&in, random_cp());
		buf_reset(&out);
		jsonw_string(&out, in.data, in.len);
		v = json_loadb(out.data, out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
					   &err);
		if (v == NULL || !json_is_string(v) ||
			json_string_length(v) != in.len ||
			memcmp(json_string_value(v), in.data, in.len) != 0 ||
			memchr(out.data, '\n', out.len) != NULL)
		{
			if (bad++ == 0)
				printf("# first failure at iteration %d\n", iter);
		}
		json_decref(v);
	}
	is_int(bad, 0, "5000 random UTF-8 strings round-trip through jansson");

	for (iter = 0; iter < 5000; iter++)
	{
		size_t len = rng() % 40;
		size_t i;
		json_t *v;
		json_error_t err;

		buf_reset(&in);
		for (i = 0; i < len; i++)
			buf_putc(&in, (char) (rng() & 0xFF));
		buf_reset(&out);
		jsonw_string(&out, in.data, in.len);
		v = json_loadb(out.data, out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
					   &err);
		if (v == NULL || !json_is_string(v))
			invalid++;
		json_decref(v);
	}
	is_int(invalid, 0, "5000 random byte strings give valid JSON");
	buf_fini(&in);
	buf_fini(&out);
}

/*
 * test_long: strings longer than one 64 KiB piece, with sequences (valid
 * and truncated) placed across every offset of the piece boundary
 */
static void
test_long(void)
{
	static const char *const probes[] = {
		"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
		"\xE2\x82", "\xF0\x9F\x98", "\x80\x80\x80\x80\x80",
		"\"\n",
	};
	size_t big = 64 * 1024;
	char *s = malloc(big + 64);
	Buf got = {0};
	Buf want = {0};
	int bad = 0;
	size_t pr;
	size_t off;
	json_t *v;

	for (pr = 0; pr < sizeof(probes) / sizeof(probes[0]); pr++)
	{
		for (off = big - 6; off <= big + 1; off++)
		{
			size_t pl = strlen(probes[pr]);
			size_t n = off + pl + 7;

			memset(s, 'x', n);
			memcpy(s + off, probes[pr], pl);
			buf_reset(&got);
			buf_reset(&want);
			jsonw_string(&got, s, n);
			buf_putc(&want, '"');
			ref_escape(&want, (const unsigned char *) s, n);
			buf_putc(&want, '"');
			if (got.len != want.len || memcmp(got.data, want.data, got.len))
				bad++;
		}
	}
	is_int(bad, 0, "long strings: pieces never split a sequence");

	buf_reset(&got);
	memset(s, 'a', big + 64);
	jsonw_string(&got, s, big + 64);
	v = json_loadb(got.data, got.len, JSON_DECODE_ANY, NULL);
	ok(v != NULL && json_string_length(v) == big + 64,
	   "long ASCII string round-trips");
	json_decref(v);
	free(s);
	buf_fini(&got);
	buf_fini(&want);
}

typedef struct RealCase
{
	double d;
	const char *want;
} RealCase;

/*
 * test_real: jsonw_real forms, NaN/Inf, and round-trip of random doubles
 */
static void
test_real(void)
{
	static const RealCase cases[] = {
		{0.1, "0.1"},
		{1.0, "1.0"},
		{0.0, "0.0"},
		{-0.0, "-0.0"},
		{100.0, "100.0"},
		{-2.5, "-2.5"},
		{1e20, "1e+20"},
		{1e15, "1e+15"},
		{1e-38, "1e-38"},
		{0.01, "0.01"},
		{0.001, "0.001"},
		{1e-05, "1e-05"},
		{123.456, "123.456"},
		{1.0 / 3.0, "0.3333333333333333"},
		{0.1 + 0.2, "0.30000000000000004"},
		{1.7976931348623157e308, "1.7976931348623157e+308"},
		{DBL_MIN, "2.2250738585072014e-308"},
		{5e-324, "5e-324"},
		{-5e-324, "-5e-324"},
		{1e-310, "1e-310"},
		{3.4028234663852886e+38, "3.4028234663852886e+38"},
		{9007199254740993.0, "9007199254740992.0"},
	};
	Buf b = {0};
	char name[96];
	size_t i;
	int bad = 0;
	int iter;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		buf_reset(&b);
		jsonw_real(&b, cases[i].d);
		snprintf(name, sizeof(name), "real %s", cases[i].want);
		is_mem(b.data, b.len, cases[i].want, strlen(cases[i].want), name);
	}
	buf_reset(&b);
	jsonw_real(&b, NAN);
	is_mem(b.data, b.len, "null", 4, "real NaN is null");
	buf_reset(&b);
	jsonw_real(&b, INFINITY);
	is_mem(b.data, b.len, "null", 4, "real Infinity is null");
	buf_reset(&b);
	jsonw_real(&b, -INFINITY);
	is_mem(b.data, b.len, "null", 4, "real -Infinity is null");

	for (iter = 0; iter < 20000; iter++)
	{
		uint64_t bits = ((uint64_t) rng() << 32) | rng();
		double d;

		memcpy(&d, &bits, sizeof(d));
		buf_reset(&b);
		jsonw_real(&b, d);
		if (!isfinite(d))
		{
			if (b.len != 4 || memcmp(b.data, "null", 4) != 0)
				bad++;
			continue;
		}
		if (!jsonw_is_number(b.data, b.len) ||
			strtod(buf_cstr(&b), NULL) != d || b.len > 25)
		{
			if (bad++ == 0)
				printf("# first failure: %.17g -> %s\n", d, buf_cstr(&b));
		}
	}
	is_int(bad, 0, "20000 random doubles: valid JSON numbers that round-trip");
	buf_fini(&b);
}

/*
 * test_is_number: the JSON number grammar
 */
static void
test_is_number(void)
{
	static const char *const good[] = {
		"0",
		"-0",
		"1",
		"-1",
		"10",
		"1.5",
		"0.5",
		"1e5",
		"1E+5",
		"1e-5",
		"1.50",
		"0.0000001",
		"12345678901234567890123",
		"-0.0e0",
		"1.7976931348623157e+308",
		"5e-324",
		"-12.5",
		"0e0",
	};
	static const char *const bad[] = {
		"",    "-",     "01",  "-01",      "1.",        ".5",   "+1",
		"1e",  "1e+",   "NaN", "Infinity", "-Infinity", "0x10", " 1",
		"1 ",  "1.5.5", "--1", "-.5",      "1e5.5",     "1.e5", "e5",
		"1,5", "00",    "inf", "1e5e5",
	};
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	{
		snprintf(name, sizeof(name), "is a number: '%s'", good[i]);
		ok(jsonw_is_number(good[i], strlen(good[i])), name);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		snprintf(name, sizeof(name), "is not a number: '%s'", bad[i]);
		ok(!jsonw_is_number(bad[i], strlen(bad[i])), name);
	}
	ok(jsonw_is_number("12", 1), "length is honoured (\"1\")");
	ok(!jsonw_is_number("1.", 2), "length is honoured (\"1.\")");
	ok(!jsonw_is_number(NULL, 0), "NULL is not a number");
}

/*
 * test_value: compact output of json_t documents
 */
static void
test_value(void)
{
	Buf b = {0};
	json_t *v;
	json_t *back;
	json_t *inner;
	int i;
	const char *src;
	static const char want_obj[] =
		"{\"z\":1,\"a\":2.5,\"m\":\"x\\\"y\\n\xC3\xA9\","
		"\"k\\\"\\\\\":true,\"f\":false,\"n\":null,\"e\":{},"
		"\"arr\":[-7,[],[\"\",1e-38],{}],"
		"\"min\":-9223372036854775808,\"one\":1.0}";

	v = json_object();
	json_object_set_new(v, "z", json_integer(1));
	json_object_set_new(v, "a", json_real(2.5));
	json_object_set_new(v, "m", json_string("x\"y\n\xC3\xA9"));
	json_object_set_new(v, "k\"\\", json_true());
	json_object_set_new(v, "f", json_false());
	json_object_set_new(v, "n", json_null());
	json_object_set_new(v, "e", json_object());
	json_object_set_new(v, "arr", json_pack("[i,[],[s,f],{}]", -7, "", 1e-38));
	json_object_set_new(v, "min", json_integer(INT64_MIN));
	json_object_set_new(v, "one", json_real(1.0));
	jsonw_value(&b, v);
	is_str(buf_cstr(&b), want_obj, "object: insertion order, compact, escapes");
	back = json_loadb(b.data, b.len, 0, NULL);
	ok(back != NULL && json_equal(back, v), "object output reads back equal");
	json_decref(back);
	json_decref(v);

	/* a key with a NUL byte */
	v = json_object();
	json_object_setn_new(v, "a\0b", 3, json_integer(0));
	buf_reset(&b);
	jsonw_value(&b, v);
	is_mem(b.data, b.len, "{\"a\\u0000b\":0}", 14, "key with NUL byte");
	json_decref(v);

	/* scalars at the top */
	src = "[\"s\",0,-1,true,false,null,0.5]";
	v = json_loads(src, 0, NULL);
	buf_reset(&b);
	jsonw_value(&b, v);
	is_mem(b.data, b.len, src, strlen(src), "array of scalars");
	json_decref(v);
	buf_reset(&b);
	jsonw_value(&b, NULL);
	is_mem(b.data, b.len, "null", 4, "NULL json_t is null");

	/* depth: 600 levels are written; beyond the guard, null */
	v = json_array();
	inner = v;
	for (i = 1; i < 600; i++)
	{
		json_t *a = json_array();

		json_array_append_new(inner, a);
		inner = a;
	}
	buf_reset(&b);
	jsonw_value(&b, v);
	ok(b.len == 1200 && b.data[599] == '[' && b.data[600] == ']',
	   "600 nested arrays written in full");
	json_decref(v);

	v = json_array();
	inner = v;
	for (i = 1; i < 1100; i++)
	{
		json_t *a = json_array();

		json_array_append_new(inner, a);
		inner = a;
	}
	buf_reset(&b);
	jsonw_value(&b, v);
	back = json_loadb(b.data, b.len, 0, NULL);
	ok(b.len == 1025 * 2 + 4 && memcmp(b.data + 1025, "null", 4) == 0,
	   "nesting beyond the guard is cut with null");
	json_decref(back);
	json_decref(v);
	buf_fini(&b);
}

int
main(void)
{
	test_table();
	test_reference();
	test_roundtrip();
	test_long();
	test_real();
	test_is_number();
	test_value();
	return done_testing();
}
