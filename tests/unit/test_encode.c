/*
 * test_encode.c: unit tests for encode_value, one table row per rule:
 * kind, element kind and delimiter, PostgreSQL text, expected JSON and
 * expected flags.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/buf.h"
#include "tap/encode.h"
#include "tap.h"

#define FFFD "\xEF\xBF\xBD"
#define CL   ENC_F_CLAMPED
#define NF   ENC_F_NONFINITE

typedef struct Case
{
	EncKind kind;
	EncKind elem;
	char delim;
	const char *in;
	const char *want;
	int flags;
} Case;

#define S(in, want)                                                            \
	{                                                                          \
		ENC_STRING, ENC_STRING, ',', in, want, 0                               \
	}
#define I(in, want)                                                            \
	{                                                                          \
		ENC_INTEGER, ENC_STRING, ',', in, want, 0                              \
	}
#define N(in, want, fl)                                                        \
	{                                                                          \
		ENC_NUMBER, ENC_STRING, ',', in, want, fl                              \
	}
#define B(in, want)                                                            \
	{                                                                          \
		ENC_BOOL, ENC_STRING, ',', in, want, 0                                 \
	}
#define B1(in, want)                                                           \
	{                                                                          \
		ENC_BIT1, ENC_STRING, ',', in, want, 0                                 \
	}
#define J(in, want)                                                            \
	{                                                                          \
		ENC_JSON_RAW, ENC_STRING, ',', in, want, 0                             \
	}
#define H(in, want)                                                            \
	{                                                                          \
		ENC_HSTORE, ENC_STRING, ',', in, want, 0                               \
	}
#define D(in, want, fl)                                                        \
	{                                                                          \
		ENC_DATE, ENC_STRING, ',', in, want, fl                                \
	}
#define TS(in, want, fl)                                                       \
	{                                                                          \
		ENC_TIMESTAMP, ENC_STRING, ',', in, want, fl                           \
	}
#define TZ(in, want, fl)                                                       \
	{                                                                          \
		ENC_TIMESTAMPTZ, ENC_STRING, ',', in, want, fl                         \
	}
#define T(in, want)                                                            \
	{                                                                          \
		ENC_TIME, ENC_STRING, ',', in, want, 0                                 \
	}
#define TT(in, want)                                                           \
	{                                                                          \
		ENC_TIMETZ, ENC_STRING, ',', in, want, 0                               \
	}
#define BY(in, want)                                                           \
	{                                                                          \
		ENC_BYTEA, ENC_STRING, ',', in, want, 0                                \
	}
#define A(el, in, want, fl)                                                    \
	{                                                                          \
		ENC_ARRAY, el, ',', in, want, fl                                       \
	}

#define V(in, want)                                                            \
	{                                                                          \
		ENC_NUMBERS, ENC_STRING, ',', in, want, 0                              \
	}

static const Case cases[] = {
	/* pgvector's text is copied when it is an array of JSON numbers */
	V("[0.5,-1,3e-05]", "[0.5,-1,3e-05]"),
	V("[1]", "[1]"),
	V("[]", "[]"),
	V("[1e+20,-0]", "[1e+20,-0]"),
	V("[NaN]", "\"[NaN]\""),
	V("[1,,2]", "\"[1,,2]\""),
	V("[1,2", "\"[1,2\""),
	V("{1:0.5}/3", "\"{1:0.5}/3\""),
	{ENC_ARRAY, ENC_NUMBERS, ',', "{\"[1,2]\",NULL,\"[3e-05]\"}",
	 "[[1,2],null,[3e-05]]", 0},

	/* strings */
	S("hello", "\"hello\""),
	S("", "\"\""),
	S("ab ", "\"ab \""),
	S("q\"uote\\back\nline\t", "\"q\\\"uote\\\\back\\nline\\t\""),
	S("h\xC3\xA9llo \xF0\x9F\x98\x80", "\"h\xC3\xA9llo \xF0\x9F\x98\x80\""),
	S("bad\xFF"
	  "byte",
	  "\"bad" FFFD "byte\""),
	S("P1Y2M3DT4H5M6S", "\"P1Y2M3DT4H5M6S\""),
	S("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
	  "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""),
	S("$1,234.50", "\"$1,234.50\""),
	S("{\"a\": 1}", "\"{\\\"a\\\": 1}\""),

	/* integers */
	I("0", "0"),
	I("42", "42"),
	I("-1", "-1"),
	I("9223372036854775807", "9223372036854775807"),
	I("-9223372036854775808", "-9223372036854775808"),
	I("007", "\"007\""),
	I("-0", "-0"),
	I("1.5", "\"1.5\""),
	I("", "\"\""),
	I("-", "\"-\""),
	I("+1", "\"+1\""),
	I("12a", "\"12a\""),
	I(" 1", "\" 1\""),

	/* numbers */
	N("1.50", "1.50", 0),
	N("0.00", "0.00", 0),
	N("0.0000001", "0.0000001", 0),
	N("0.00000010", "0.00000010", 0),
	N("-12.5", "-12.5", 0),
	N("12345.678901234567890123", "12345.678901234567890123", 0),
	N("1e-05", "1e-05", 0),
	N("1e+20", "1e+20", 0),
	N("1.7976931348623157e+308", "1.7976931348623157e+308", 0),
	N("5e-324", "5e-324", 0),
	N("3.4028235e+38", "3.4028235e+38", 0),
	N("-0", "-0", 0),
	N("0", "0", 0),
	N("NaN", "null", NF),
	N("Infinity", "null", NF),
	N("-Infinity", "null", NF),
	N(".5", "\".5\"", 0),
	N("5.", "\"5.\"", 0),
	N("1,5", "\"1,5\"", 0),
	N("inf", "\"inf\"", 0),
	N("", "\"\"", 0),

	/* booleans and bit(1) */
	B("t", "true"),
	B("f", "false"),
	B("true", "\"true\""),
	B("", "\"\""),
	B1("1", "true"),
	B1("0", "false"),
	B1("10", "\"10\""),

	/* json/jsonb as values */
	J("{\"a\":1}", "{\"a\":1}"),
	J("{\"b\": 1, \"a\": [1, 2.50]}", "{\"b\": 1, \"a\": [1, 2.50]}"),
	J("null", "null"),
	J("\"str\"", "\"str\""),
	J("[]", "[]"),
	J("{\"a\":\n 1}", "{\"a\":  1}"),
	J("[1,\r\n2]", "[1,  2]"),
	J("[1,\t2]", "[1,\t2]"),
	J("{\"\xC3\xA9\":\"\xF0\x9F\x98\x80\"}",
	  "{\"\xC3\xA9\":\"\xF0\x9F\x98\x80\"}"),
	J("{\"a\":\"\xFF\"}", "\"{\\\"a\\\":\\\"" FFFD "\\\"}\""),
	J("{\"a\":\"\xC3\"}", "\"{\\\"a\\\":\\\"" FFFD "\\\"}\""),
	J("\x01", "\"\\u0001\""),
	J("", "\"\""),
	J(" \n", "\" \\n\""),
	J("{\"k\":\"a\\\"b\\\\c\\u0000\"}", "{\"k\":\"a\\\"b\\\\c\\u0000\"}"),

	/* hstore */
	H("", "{}"),
	H("\"k1\"=>\"v1\", \"k2\"=>NULL", "{\"k1\":\"v1\",\"k2\":null}"),
	H("\"\"=>\"\", \"a\"=>\"1\", \"b\\\"q\"=>NULL, \"c\\\\d\"=>\"x y\"",
	  "{\"\":\"\",\"a\":\"1\",\"b\\\"q\":null,\"c\\\\d\":\"x y\"}"),
	H("\"a\"=>\"\xC3\xA9\"", "{\"a\":\"\xC3\xA9\"}"),
	H("\"a\"=>\"x\ny\tz\"", "{\"a\":\"x\\ny\\tz\"}"),
	H("\"a\"=>\"\\\"\\\"\\\\\"", "{\"a\":\"\\\"\\\"\\\\\"}"),
	H("\"a\"=>\"NULL\"", "{\"a\":\"NULL\"}"),
	H("\"a\"=>null", "{\"a\":null}"),
	H("  \"a\" => \"b\" ,\"c\"=>\"d\"  ", "{\"a\":\"b\",\"c\":\"d\"}"),
	H("\"bad\xFF\"=>\"\xE2\x82\"", "{\"bad" FFFD "\":\"" FFFD "\"}"),
	H("\"a\"=>", "\"\\\"a\\\"=>\""),
	H("\"a\"", "\"\\\"a\\\"\""),
	H("a=>b", "\"a=>b\""),
	H("\"a\"=>\"b\",", "\"\\\"a\\\"=>\\\"b\\\",\""),
	H("\"a\"=>\"b\" \"c\"=>\"d\"",
	  "\"\\\"a\\\"=>\\\"b\\\" \\\"c\\\"=>\\\"d\\\"\""),
	H("\"a\\", "\"\\\"a\\\\\""),
	H("\"a\"=>NULLx", "\"\\\"a\\\"=>NULLx\""),
	H("\"a\"=>\"b", "\"\\\"a\\\"=>\\\"b\""),

	/* date */
	D("2024-02-29", "\"2024-02-29T00:00:00+00:00\"", 0),
	D("0001-01-01", "\"0001-01-01T00:00:00+00:00\"", 0),
	D("9999-12-31", "\"9999-12-31T00:00:00+00:00\"", 0),
	D("infinity", "\"9999-12-31T00:00:00+00:00\"", NF),
	D("-infinity", "\"0001-01-01T00:00:00+00:00\"", NF),
	D("0044-03-15 BC", "\"0001-01-01T00:00:00+00:00\"", CL),
	D("4713-01-01 BC", "\"0001-01-01T00:00:00+00:00\"", CL),
	D("12345-01-01", "\"9999-12-31T00:00:00+00:00\"", CL),
	D("5874897-12-31", "\"9999-12-31T00:00:00+00:00\"", CL),
	D("0000-01-01", "\"0001-01-01T00:00:00+00:00\"", CL),
	D("2024-2-29", "\"2024-2-29\"", 0),
	D("2024-02-29 ", "\"2024-02-29 \"", 0),
	D("20240229", "\"20240229\"", 0),
	D("2024-02-29 00:00:00", "\"2024-02-29 00:00:00\"", 0),
	D("", "\"\"", 0),
	D("Infinity", "\"Infinity\"", 0),

	/* timestamp */
	TS("2024-01-02 03:04:05", "\"2024-01-02T03:04:05+00:00\"", 0),
	TS("2024-01-02 03:04:05.678", "\"2024-01-02T03:04:05.678000+00:00\"", 0),
	TS("2024-01-02 03:04:05.5", "\"2024-01-02T03:04:05.500000+00:00\"", 0),
	TS("2024-01-02 03:04:05.123456", "\"2024-01-02T03:04:05.123456+00:00\"", 0),
	TS("2024-01-02 03:04:05.000001", "\"2024-01-02T03:04:05.000001+00:00\"", 0),
	TS("2024-01-02 03:04:05.000", "\"2024-01-02T03:04:05+00:00\"", 0),
	TS("infinity", "\"9999-12-31T23:59:59.999999+00:00\"", NF),
	TS("-infinity", "\"0001-01-01T00:00:00+00:00\"", NF),
	TS("0044-03-15 12:00:00.5 BC", "\"0001-01-01T00:00:00+00:00\"", CL),
	TS("12345-01-01 00:00:00.25", "\"9999-12-31T23:59:59.999999+00:00\"", CL),
	TS("294276-12-31 23:59:59.999999", "\"9999-12-31T23:59:59.999999+00:00\"",
	   CL),
	TS("2024-01-02 03:04:05.1234567", "\"2024-01-02 03:04:05.1234567\"", 0),
	TS("2024-01-02 03:04:05.", "\"2024-01-02 03:04:05.\"", 0),
	TS("2024-01-02T03:04:05", "\"2024-01-02T03:04:05\"", 0),
	TS("2024-01-02 03:04:05+00", "\"2024-01-02 03:04:05+00\"", 0),
	TS("2024-01-02 03:04", "\"2024-01-02 03:04\"", 0),
	TS("2024-01-02", "\"2024-01-02\"", 0),
	TS("2024-01-02 03:04:05 AD", "\"2024-01-02 03:04:05 AD\"", 0),

	/* timestamptz */
	TZ("2024-01-02 03:04:05+00", "\"2024-01-02T03:04:05+00:00\"", 0),
	TZ("2024-01-02 03:04:05.5+00", "\"2024-01-02T03:04:05.500000+00:00\"", 0),
	TZ("2024-01-02 03:04:05+05:30", "\"2024-01-02T03:04:05+05:30\"", 0),
	TZ("2024-01-01 20:04:05-05", "\"2024-01-01T20:04:05-05:00\"", 0),
	TZ("1800-01-01 00:09:21+00:09:21", "\"1800-01-01T00:09:21+00:09:21\"", 0),
	TZ("0044-03-15 12:00:00+00 BC", "\"0001-01-01T00:00:00+00:00\"", CL),
	TZ("12345-01-01 00:00:00+00", "\"9999-12-31T23:59:59.999999+00:00\"", CL),
	TZ("infinity", "\"9999-12-31T23:59:59.999999+00:00\"", NF),
	TZ("-infinity", "\"0001-01-01T00:00:00+00:00\"", NF),
	TZ("2024-01-02 03:04:05", "\"2024-01-02 03:04:05\"", 0),
	TZ("2024-01-02 03:04:05+0", "\"2024-01-02 03:04:05+0\"", 0),
	TZ("2024-01-02 03:04:05+00:3", "\"2024-01-02 03:04:05+00:3\"", 0),
	TZ("2024-01-02 03:04:05Z", "\"2024-01-02 03:04:05Z\"", 0),

	/* time */
	T("13:14:15", "\"13:14:15\""),
	T("13:14:15.124", "\"13:14:15.124000\""),
	T("13:14:15.123456", "\"13:14:15.123456\""),
	T("24:00:00", "\"24:00:00\""),
	T("00:00:00", "\"00:00:00\""),
	T("13:14", "\"13:14\""),
	T("13:14:15+05", "\"13:14:15+05\""),
	T("", "\"\""),

	/* timetz */
	TT("13:14:15+05:30", "\"13:14:15+05:30\""),
	TT("13:14:15+05", "\"13:14:15+05:00\""),
	TT("00:00:00-12", "\"00:00:00-12:00\""),
	TT("13:14:15.5+05:30", "\"13:14:15.500000+05:30\""),
	TT("13:14:15+00:00:15", "\"13:14:15+00:00:15\""),
	TT("24:00:00+00", "\"24:00:00+00:00\""),
	TT("13:14:15", "\"13:14:15\""),
	TT("13:14:15+5", "\"13:14:15+5\""),

	/* bytea */
	BY("\\x0102ab", "\"0102ab\""),
	BY("\\x", "\"\""),
	BY("\\xABCDEF", "\"abcdef\""),
	BY("\\x012", "\"\\\\x012\""),
	BY("\\x01zz", "\"\\\\x01zz\""),
	BY("abc", "\"abc\""),
	BY("\\001", "\"\\\\001\""),
	BY("", "\"\""),

	/* arrays of integers */
	A(ENC_INTEGER, "{1,2,3}", "[1,2,3]", 0),
	A(ENC_INTEGER, "{{1,2},{3,4}}", "[[1,2],[3,4]]", 0),
	A(ENC_INTEGER, "{{{1},{2}},{{3},{4}}}", "[[[1],[2]],[[3],[4]]]", 0),
	A(ENC_INTEGER, "{}", "[]", 0),
	A(ENC_INTEGER, "[0:1]={1,2}", "[1,2]", 0),
	A(ENC_INTEGER, "[1:1][0:1]={{1,2}}", "[[1,2]]", 0),
	A(ENC_INTEGER, "[-3:-2]={7,8}", "[7,8]", 0),
	A(ENC_INTEGER, "{NULL,1,null,NuLl}", "[null,1,null,null]", 0),
	A(ENC_INTEGER, "{ 1 , 2 }", "[1,2]", 0),
	A(ENC_INTEGER, "{\"1\",\"NULL\"}", "[1,\"NULL\"]", 0),
	A(ENC_INTEGER, "{1,x}", "[1,\"x\"]", 0),

	/* arrays of strings */
	A(ENC_STRING,
	  "{\"a b\",\"c,d\",NULL,\"NULL\",\"q\\\"uote\",\"back\\\\slash\",\"\",x}",
	  "[\"a b\",\"c,d\",null,\"NULL\",\"q\\\"uote\","
	  "\"back\\\\slash\",\"\",\"x\"]",
	  0),
	A(ENC_STRING, "{\"{}\",\"\\\\\"}", "[\"{}\",\"\\\\\"]", 0),
	A(ENC_STRING, "{\"a  \",\"c \"}", "[\"a  \",\"c \"]", 0),
	A(ENC_STRING, "{\"\",\" x\",\"null\"}", "[\"\",\" x\",\"null\"]", 0),
	A(ENC_STRING, "{\xC3\xA9,\"\xC3\xBC\"}", "[\"\xC3\xA9\",\"\xC3\xBC\"]", 0),
	A(ENC_STRING, "{a\\,b,a\\ ,c\\\"d}", "[\"a,b\",\"a \",\"c\\\"d\"]", 0),
	A(ENC_STRING, "{a b, c d }", "[\"a b\",\"c d\"]", 0),
	A(ENC_STRING, "{\"line\nbreak\",\"tab\\\tx\"}",
	  "[\"line\\nbreak\",\"tab\\tx\"]", 0),
	A(ENC_STRING, "{\"\xFF\"}", "[\"" FFFD "\"]", 0),
	A(ENC_STRING, "{N\\ULL}", "[\"NULL\"]", 0),
	A(ENC_STRING, "{{a,\"b c\"},{NULL,d}}", "[[\"a\",\"b c\"],[null,\"d\"]]",
	  0),
	{ENC_ARRAY, ENC_STRING, ';', "{(1,1),(0,0);(2,2),(1,1)}",
	 "[\"(1,1),(0,0)\",\"(2,2),(1,1)\"]", 0},
	{ENC_ARRAY, ENC_STRING, ';', "{\"(1,1),(0,0)\"}", "[\"(1,1),(0,0)\"]", 0},
	{ENC_ARRAY, ENC_ARRAY, ',', "{1,2}", "[\"1\",\"2\"]", 0},
	{ENC_ARRAY, ENC_INTEGER, 0, "{1,2}", "[1,2]", 0},

	/* arrays of other kinds */
	A(ENC_NUMBER, "{1.5,NaN}", "[1.5,null]", NF),
	A(ENC_NUMBER, "{1.500,2.250}", "[1.500,2.250]", 0),
	A(ENC_NUMBER, "{-Infinity,1e-05}", "[null,1e-05]", NF),
	A(ENC_BOOL, "{t,f,NULL}", "[true,false,null]", 0),
	A(ENC_BIT1, "{1,0}", "[true,false]", 0),
	A(ENC_TIMESTAMP, "{\"2024-01-01 00:00:00\",\"2024-01-02 12:00:00.5\"}",
	  "[\"2024-01-01T00:00:00+00:00\",\"2024-01-02T12:00:00.500000+00:00\"]",
	  0),
	A(ENC_TIMESTAMP, "{infinity,\"0044-03-15 00:00:00 BC\"}",
	  "[\"9999-12-31T23:59:59.999999+00:00\",\"0001-01-01T00:00:00+00:00\"]",
	  NF | CL),
	A(ENC_TIMESTAMPTZ, "{\"2024-01-02 03:04:05+00\",NULL}",
	  "[\"2024-01-02T03:04:05+00:00\",null]", 0),
	A(ENC_DATE, "{2024-01-01,-infinity}",
	  "[\"2024-01-01T00:00:00+00:00\",\"0001-01-01T00:00:00+00:00\"]", NF),
	A(ENC_TIME, "{13:14:15,24:00:00,13:14:15.5}",
	  "[\"13:14:15\",\"24:00:00\",\"13:14:15.500000\"]", 0),
	A(ENC_TIMETZ, "{13:14:15+05}", "[\"13:14:15+05:00\"]", 0),
	A(ENC_HSTORE, "{\"\\\"a\\\"=>\\\"1\\\"\",\"\\\"b\\\"=>NULL\",\"\"}",
	  "[{\"a\":\"1\"},{\"b\":null},{}]", 0),
	A(ENC_JSON_RAW, "{\"{\\\"a\\\":1}\",\"null\",NULL,\"[1, 2]\"}",
	  "[{\"a\":1},null,null,[1, 2]]", 0),
	A(ENC_BYTEA, "{\"\\\\x01ab\",\"\\\\x\"}", "[\"01ab\",\"\"]", 0),

	/* malformed arrays: the whole text as a string, no flags */
	A(ENC_INTEGER, "{1,2", "\"{1,2\"", 0),
	A(ENC_STRING, "{\"abc", "\"{\\\"abc\"", 0),
	A(ENC_INTEGER, "}", "\"}\"", 0),
	A(ENC_INTEGER, "{", "\"{\"", 0),
	A(ENC_INTEGER, "", "\"\"", 0),
	A(ENC_INTEGER, "{1,2}x", "\"{1,2}x\"", 0),
	A(ENC_INTEGER, "{1,,2}", "\"{1,,2}\"", 0),
	A(ENC_INTEGER, "{,}", "\"{,}\"", 0),
	A(ENC_INTEGER, "{1,2,}", "\"{1,2,}\"", 0),
	A(ENC_INTEGER, "{{1,2}", "\"{{1,2}\"", 0),
	A(ENC_INTEGER, "{1}}", "\"{1}}\"", 0),
	A(ENC_INTEGER, "[0:1]{1}", "\"[0:1]{1}\"", 0),
	A(ENC_INTEGER, "[0:1={1}", "\"[0:1={1}\"", 0),
	A(ENC_INTEGER, "[0:1]=", "\"[0:1]=\"", 0),
	A(ENC_STRING, "{\"a\\", "\"{\\\"a\\\\\"", 0),
	A(ENC_STRING, "{a\\", "\"{a\\\\\"", 0),
	A(ENC_STRING, "{a\"b}", "\"{a\\\"b}\"", 0),
	A(ENC_STRING, "{\"a\"b}", "\"{\\\"a\\\"b}\"", 0),
	A(ENC_STRING, "{a{b}", "\"{a{b}\"", 0),
	A(ENC_STRING, "{ }x", "\"{ }x\"", 0),
	A(ENC_TIMESTAMP, "{infinity", "\"{infinity\"", 0),
	A(ENC_STRING, "1,2", "\"1,2\"", 0),
};

/*
 * kind_name: for test names
 */
static const char *
kind_name(EncKind k)
{
	static const char *const names[] = {
		"string", "integer", "number",    "bool",        "bit1", "json",
		"hstore", "date",    "timestamp", "timestamptz", "time", "timetz",
		"bytea",  "array",   "numbers",   "composite",
	};

	return (unsigned) k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/*
 * sanitize: keeps a test name on one TAP line
 */
static void
sanitize(char *name)
{
	for (; *name; name++)
	{
		if ((unsigned char) *name < 0x20 || *name == '#')
			*name = '?';
	}
}

/*
 * test_cases: each case is encoded after a prefix already in the output
 * Buf (which must survive a fallback), from an exact-size heap copy of
 * the input (so that ASan sees any read past it)
 */
static void
test_cases(void)
{
	Buf out = {0};
	Buf scratch = {0};
	char name[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		const Case *c = &cases[i];
		Encoder enc = {c->kind, c->elem, c->delim, NULL, NULL};
		size_t n = strlen(c->in);
		char *in = malloc(n ? n : 1);
		int flags;

		memcpy(in, c->in, n);
		buf_reset(&out);
		buf_append(&out, "P:", 2);
		flags = encode_value(&out, &scratch, &enc, in, n);
		snprintf(name, sizeof(name), "%s%s%s: %s", kind_name(c->kind),
				 c->kind == ENC_ARRAY ? " of " : "",
				 c->kind == ENC_ARRAY ? kind_name(c->elem) : "", c->in);
		sanitize(name);
		ok(out.len >= 2 && memcmp(out.data, "P:", 2) == 0 &&
			   out.len - 2 == strlen(c->want) &&
			   memcmp(out.data + 2, c->want, out.len - 2) == 0,
		   name);
		if (out.len - 2 != strlen(c->want) ||
			memcmp(out.data + 2, c->want, out.len - 2) != 0)
		{
			printf("#   got:  '%.*s'\n", (int) (out.len - 2), out.data + 2);
			printf("#   want: '%s'\n", c->want);
		}
		if (flags != c->flags)
		{
			snprintf(name, sizeof(name), "flags of %s: %s", kind_name(c->kind),
					 c->in);
			sanitize(name);
			is_int(flags, c->flags, name);
		}
		free(in);
	}
	buf_fini(&out);
	buf_fini(&scratch);
}

/*
 * test_valid_json: every case's output, and the output for every prefix
 * of every case's input (malformed text), parses as JSON; json kinds are
 * left out since they copy their text by design
 */
static void
test_valid_json(void)
{
	Buf out = {0};
	Buf scratch = {0};
	int bad = 0;
	int runs = 0;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		const Case *c = &cases[i];
		Encoder enc = {c->kind, c->elem, c->delim, NULL, NULL};
		size_t n = strlen(c->in);
		size_t k;

		for (k = 0; k <= n; k++)
		{
			char *in = malloc(k ? k : 1);
			json_t *v;

			memcpy(in, c->in, k);
			buf_reset(&out);
			(void) encode_value(&out, &scratch, &enc, in, k);
			free(in);
			runs++;
			if (c->kind == ENC_JSON_RAW ||
				(c->kind == ENC_ARRAY && c->elem == ENC_JSON_RAW))
				continue;
			v = json_loadb(out.data, out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
						   NULL);
			if (v == NULL || memchr(out.data, '\n', out.len) != NULL)
			{
				if (bad++ == 0)
					printf("# first failure: %s '%.*s' -> '%.*s'\n",
						   kind_name(c->kind), (int) k, c->in, (int) out.len,
						   out.data);
			}
			json_decref(v);
		}
	}
	is_int(bad, 0, "every prefix of every input gives valid one-line JSON");
	ok(runs > 1000, "prefix runs cover the table");
	buf_fini(&out);
	buf_fini(&scratch);
}

/*
 * test_random: random text built from array/hstore/date punctuation,
 * for every kind: no crash, no overread, valid JSON (json kinds aside)
 */
static void
test_random(void)
{
	static const char alphabet[] = "{}[]:=,;\"\\ NUL0129-.+tfx>BC\xC3\xA9\xFF";
	Buf out = {0};
	Buf scratch = {0};
	unsigned seed = 4242;
	int bad = 0;
	int iter;

	for (iter = 0; iter < 30000; iter++)
	{
		Encoder enc;
		size_t len;
		size_t i;
		char *in;
		json_t *v;

		seed = seed * 1103515245u + 12345u;
		enc.kind = (EncKind) ((seed >> 16) % (ENC_ARRAY + 1));
		seed = seed * 1103515245u + 12345u;
		enc.elem = (EncKind) ((seed >> 16) % ENC_ARRAY);
		enc.delim = (seed & 0x10) ? ';' : ',';
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % 20;
		in = malloc(len ? len : 1);
		for (i = 0; i < len; i++)
		{
			seed = seed * 1103515245u + 12345u;
			in[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		if (len > 0 && (seed & 0x200))
			in[0] = '{';
		buf_reset(&out);
		(void) encode_value(&out, &scratch, &enc, in, len);
		free(in);
		if (enc.kind == ENC_JSON_RAW ||
			(enc.kind == ENC_ARRAY && enc.elem == ENC_JSON_RAW))
			continue;
		v = json_loadb(out.data, out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
					   NULL);
		if (v == NULL)
			bad++;
		json_decref(v);
	}
	is_int(bad, 0, "30000 random texts: valid JSON, no crash");
	buf_fini(&out);
	buf_fini(&scratch);
}

/*
 * test_deep_array: nesting beyond the guard falls back to a string;
 * PostgreSQL's own limit (6) is well inside it
 */
static void
test_deep_array(void)
{
	Buf out = {0};
	Buf scratch = {0};
	Encoder enc = {ENC_ARRAY, ENC_INTEGER, ','};
	char in[400];
	int d;

	for (d = 0; d < 6; d++)
		in[d] = '{';
	in[6] = '1';
	for (d = 0; d < 6; d++)
		in[7 + d] = '}';
	encode_value(&out, &scratch, &enc, in, 13);
	is_mem(out.data, out.len, "[[[[[[1]]]]]]", 13, "6 dimensions");

	for (d = 0; d < 199; d++)
		in[d] = '{';
	in[199] = '1';
	for (d = 0; d < 199; d++)
		in[200 + d] = '}';
	buf_reset(&out);
	encode_value(&out, &scratch, &enc, in, 399);
	ok(out.len == 401 && out.data[0] == '"' && out.data[1] == '{',
	   "199 levels: written as a string");
	buf_fini(&out);
	buf_fini(&scratch);
}

/*
 * test_big_values: a 1 MiB bytea and text, and an array whose quoted
 * elements need scratch larger than it started
 */
static void
test_big_values(void)
{
	Buf out = {0};
	Buf scratch = {0};
	Encoder bytea = {ENC_BYTEA, ENC_STRING, ','};
	Encoder arr = {ENC_ARRAY, ENC_STRING, ','};
	size_t n = 1 << 20;
	char *in = malloc(n + 2);
	size_t i;
	bool same = true;

	in[0] = '\\';
	in[1] = 'x';
	for (i = 2; i < n + 2; i++)
		in[i] = "0123456789abcdef"[i % 16];
	encode_value(&out, &scratch, &bytea, in, n + 2);
	ok(out.len == n + 2 && out.data[0] == '"' && out.data[n + 1] == '"' &&
		   memcmp(out.data + 1, in + 2, n) == 0,
	   "1 MiB bytea copied");

	/* {"x\"x\"...","y"} with a long first element */
	buf_reset(&out);
	in[0] = '{';
	in[1] = '"';
	for (i = 2; i + 2 < n - 6; i += 2)
	{
		in[i] = '\\';
		in[i + 1] = '"';
	}
	memcpy(in + i, "\",\"y\"}", 6);
	encode_value(&out, &scratch, &arr, in, i + 6);
	for (i = 2; i + 6 < out.len; i += 2)
	{
		if (out.data[i] != '\\' || out.data[i + 1] != '"')
		{
			same = false;
			break;
		}
	}
	ok(same && out.len > 8 && memcmp(out.data, "[\"", 2) == 0 &&
		   memcmp(out.data + out.len - 6, "\",\"y\"]", 6) == 0,
	   "array element of half a million escaped quotes");
	free(in);
	buf_fini(&out);
	buf_fini(&scratch);
}

/*
 * test_scratch: the input may live in the scratch buffer itself (the
 * caller reusing its COPY scratch), and scratch may be absent
 */
static void
test_scratch(void)
{
	static const char in[] = "{\"a\\\"b\",\"c\\\\d\",e}";
	static const char want[] = "[\"a\\\"b\",\"c\\\\d\",\"e\"]";
	Buf out = {0};
	Buf scratch;
	Encoder enc = {ENC_ARRAY, ENC_STRING, ',', NULL, NULL};
	char *copy;

	buf_init(&scratch, 4);
	buf_append(&scratch, in, sizeof(in) - 1);
	copy = scratch.data;
	encode_value(&out, &scratch, &enc, copy, sizeof(in) - 1);
	is_mem(out.data, out.len, want, sizeof(want) - 1,
		   "input inside scratch is not overwritten");
	ok(memcmp(scratch.data, in, sizeof(in) - 1) == 0,
	   "scratch holding the input is left alone");

	buf_reset(&out);
	encode_value(&out, NULL, &enc, in, sizeof(in) - 1);
	is_mem(out.data, out.len, want, sizeof(want) - 1, "no scratch given");
	buf_fini(&out);
	buf_fini(&scratch);
}

/*
 * test_composite: a record's text -> an object of its fields, each by its
 * own encoder, nested records and arrays of records included; anything
 * else is the whole text as a string, and always valid JSON.
 */
static void
test_composite(void)
{
	static const EncField inner_f[] = {
		{"\"x\":", 4, {ENC_INTEGER, ENC_STRING, ',', NULL, NULL}},
		{"\"arr\":", 6, {ENC_ARRAY, ENC_INTEGER, ',', NULL, NULL}},
	};
	static const EncComposite inner = {inner_f, 2};
	static const EncField outer_f[] = {
		{"\"id\":", 5, {ENC_INTEGER, ENC_STRING, ',', NULL, NULL}},
		{"\"name\":", 7, {ENC_STRING, ENC_STRING, ',', NULL, NULL}},
		{"\"at\":", 5, {ENC_TIMESTAMPTZ, ENC_STRING, ',', NULL, NULL}},
		{"\"in\":", 5, {ENC_COMPOSITE, ENC_STRING, ',', &inner, NULL}},
		{"\"v\":", 4, {ENC_NUMBERS, ENC_STRING, ',', NULL, NULL}},
	};
	static const EncComposite outer = {outer_f, 5};
	static const struct
	{
		const char *in;
		const char *want;
	} rec[] = {
		{"(1,abc,\"2024-01-02 03:04:05+00\",\"(7,\"\"{1,2}\"\")\",\"[1,2.5]\")",
		 "{\"id\":1,\"name\":\"abc\",\"at\":\"2024-01-02T03:04:05+00:00\","
		 "\"in\":{\"x\":7,\"arr\":[1,2]},\"v\":[1,2.5]}"},
		{"(,,,,)",
		 "{\"id\":null,\"name\":null,\"at\":null,\"in\":null,\"v\":null}"},
		{"(2,\"\",,\"(,)\",)",
		 "{\"id\":2,\"name\":\"\",\"at\":null,\"in\":{\"x\":null,\"arr\":null},"
		 "\"v\":null}"},
		{"(3,\"a \"\"q\"\" \\\\ b\",,,)",
		 "{\"id\":3,\"name\":\"a \\\"q\\\" \\\\ b\",\"at\":null,\"in\":null,"
		 "\"v\":null}"},
		{"(4,x\\,y,,,)",
		 "{\"id\":4,\"name\":\"x,y\",\"at\":null,\"in\":null,\"v\":null}"},
		{"(1,2,3,4)", "\"(1,2,3,4)\""},
		{"(1,2,3,4,5,6)", "\"(1,2,3,4,5,6)\""},
		{"(1,\"abc,,,)", "\"(1,\\\"abc,,,)\""},
		{"1,2,3,4,5", "\"1,2,3,4,5\""},
		{"(1,a,,,)x", "\"(1,a,,,)x\""},
	};
	Buf out = {0}, scratch = {0};
	Encoder enc = {ENC_COMPOSITE, ENC_STRING, ',', &outer, NULL};
	Encoder arr = {ENC_ARRAY, ENC_COMPOSITE, ',', &inner, NULL};
	char name[200];

	for (size_t i = 0; i < sizeof rec / sizeof rec[0]; i++)
	{
		size_t n = strlen(rec[i].in);
		char *in = malloc(n);

		memcpy(in, rec[i].in, n);
		buf_reset(&out);
		encode_value(&out, &scratch, &enc, in, n);
		snprintf(name, sizeof name, "composite: %s", rec[i].in);
		is_mem(out.data, out.len, rec[i].want, strlen(rec[i].want), name);
		/* every prefix still gives valid JSON */
		for (size_t k = 0; k < n; k++)
		{
			json_t *v;

			buf_reset(&out);
			encode_value(&out, &scratch, &enc, in, k);
			v = json_loadb(out.data, out.len, JSON_DECODE_ANY, NULL);
			if (v == NULL)
			{
				ok(0, "composite prefix gives valid JSON");
				printf("#   %.*s\n", (int) out.len, out.data);
				break;
			}
			json_decref(v);
		}
		free(in);
	}

	buf_reset(&out);
	{
		static const char in[] = "{\"(1,\\\"{3,4}\\\")\",NULL,\"(,)\"}";
		static const char want[] =
			"[{\"x\":1,\"arr\":[3,4]},null,{\"x\":null,\"arr\":null}]";

		encode_value(&out, &scratch, &arr, in, sizeof in - 1);
		is_mem(out.data, out.len, want, sizeof want - 1, "array of composites");
	}

	/* the input inside scratch is not overwritten by field un-escaping */
	buf_reset(&scratch);
	{
		static const char in[] = "(5,\"a\"\"b\",,,)";
		static const char want[] = "{\"id\":5,\"name\":\"a\\\"b\",\"at\":null,"
								   "\"in\":null,\"v\":null}";

		buf_append(&scratch, in, sizeof in - 1);
		buf_reset(&out);
		encode_value(&out, &scratch, &enc, scratch.data, sizeof in - 1);
		is_mem(out.data, out.len, want, sizeof want - 1,
			   "composite input inside scratch");
	}
	buf_fini(&out);
	buf_fini(&scratch);
}

int
main(void)
{
	test_composite();
	test_cases();
	test_valid_json();
	test_random();
	test_deep_array();
	test_big_values();
	test_scratch();
	return done_testing();
}
