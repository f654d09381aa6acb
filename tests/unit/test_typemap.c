/*
 * test_typemap.c: the schema, encoder and flags of every type, compared
 * with the whole schema's JSON text (reference/anchors.md section 4,
 * SPEC section 4).
 */
#include <stdlib.h>
#include <string.h>

#include "tap/typemap.h"
#include "tap.h"

#define DUMP_FLAGS                                                             \
	(JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_PRESERVE_ORDER)

/* numeric typmods: ((p << 16) | (s & 0x7ff)) + 4 */
#define NUMTM(p, s) ((((p) << 16) | ((s) &0x7ff)) + 4)

typedef struct Case
{
	const char *name;    /* test name */
	const char *typname; /* base type, or the element's for arrays */
	char typtype;
	int typmod;
	bool is_array;
	bool nullable;
	bool json_as_object;
	const char *schema; /* expected, compact */
	bool supported;
	bool rk;
	EncKind kind;
	EncKind elem;         /* arrays only */
	const char *def_name; /* expected extra definition, or NULL */
	const char *def;
} Case;

#define N(t)     "{\"type\":[\"null\",\"" t "\"]}"
#define ITEMS(d) "\"items\":{\"$ref\":\"#/definitions/" d "\"}"
#define ARR(d)   "{\"type\":[\"null\",\"array\"]," ITEMS(d) "}"

static const Case cases[] = {
	/* integers: SIO's bounds as integer literals */
	{"int2", "int2", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"integer\"],\"minimum\":-32768,\"maximum\":32767}",
	 true, true, ENC_INTEGER},
	{"int4", "int4", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"integer\"],\"minimum\":-2147483648,"
	 "\"maximum\":2147483647}",
	 true, true, ENC_INTEGER},
	{"int4 key", "int4", 'b', -1, false, false, false,
	 "{\"type\":[\"integer\"],\"minimum\":-2147483648,"
	 "\"maximum\":2147483647}",
	 true, true, ENC_INTEGER},
	{"int8", "int8", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"integer\"],\"minimum\":-9223372036854775808,"
	 "\"maximum\":9223372036854775807}",
	 true, true, ENC_INTEGER},

	/* numeric */
	{"numeric unconstrained", "numeric", 'b', -1, false, true, false,
	 N("number"), true, true, ENC_NUMBER},
	{"numeric(12,2)", "numeric", 'b', NUMTM(12, 2), false, true, false,
	 "{\"type\":[\"null\",\"number\"],\"exclusiveMaximum\":true,"
	 "\"maximum\":10000000000,\"multipleOf\":0.01,\"exclusiveMinimum\":true,"
	 "\"minimum\":-10000000000}",
	 true, true, ENC_NUMBER},
	{"numeric(5) key", "numeric", 'b', NUMTM(5, 0), false, false, false,
	 "{\"type\":[\"number\"],\"exclusiveMaximum\":true,\"maximum\":100000,"
	 "\"multipleOf\":1,\"exclusiveMinimum\":true,\"minimum\":-100000}",
	 true, true, ENC_NUMBER},
	{"numeric(38,38)", "numeric", 'b', NUMTM(38, 38), false, true, false,
	 "{\"type\":[\"null\",\"number\"],\"exclusiveMaximum\":true,"
	 "\"maximum\":1,\"multipleOf\":1e-38,\"exclusiveMinimum\":true,"
	 "\"minimum\":-1}",
	 true, true, ENC_NUMBER},
	{"numeric(18,0): largest integer bound", "numeric", 'b', NUMTM(18, 0),
	 false, true, false,
	 "{\"type\":[\"null\",\"number\"],\"exclusiveMaximum\":true,"
	 "\"maximum\":1000000000000000000,\"multipleOf\":1,"
	 "\"exclusiveMinimum\":true,\"minimum\":-1000000000000000000}",
	 true, true, ENC_NUMBER},
	{"numeric(25,2): bound beyond int64 is a real", "numeric", 'b',
	 NUMTM(25, 2), false, true, false,
	 "{\"type\":[\"null\",\"number\"],\"exclusiveMaximum\":true,"
	 "\"maximum\":1e23,\"multipleOf\":0.01,\"exclusiveMinimum\":true,"
	 "\"minimum\":-1e23}",
	 true, true, ENC_NUMBER},
	{"numeric(3,-2) (PG15 negative scale)", "numeric", 'b', NUMTM(3, -2), false,
	 true, false,
	 "{\"type\":[\"null\",\"number\"],\"exclusiveMaximum\":true,"
	 "\"maximum\":100000,\"multipleOf\":100,\"exclusiveMinimum\":true,"
	 "\"minimum\":-100000}",
	 true, true, ENC_NUMBER},
	{"numeric(2,5) (PG15 scale above precision)", "numeric", 'b', NUMTM(2, 5),
	 false, true, false,
	 "{\"type\":[\"null\",\"number\"],\"exclusiveMaximum\":true,"
	 "\"maximum\":0.001,\"multipleOf\":1e-5,\"exclusiveMinimum\":true,"
	 "\"minimum\":-0.001}",
	 true, true, ENC_NUMBER},
	{"numeric(1000,0): bounds out of double range are left out", "numeric", 'b',
	 NUMTM(1000, 0), false, true, false, N("number"), true, true, ENC_NUMBER},

	{"float4", "float4", 'b', -1, false, true, false, N("number"), true, true,
	 ENC_NUMBER},
	{"float8", "float8", 'b', -1, false, true, false, N("number"), true, true,
	 ENC_NUMBER},
	{"money", "money", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"bool", "bool", 'b', -1, false, true, false, N("boolean"), true, false,
	 ENC_BOOL},
	{"bit(1)", "bit", 'b', 1, false, true, false, N("boolean"), true, false,
	 ENC_BIT1},
	{"bit(8)", "bit", 'b', 8, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"varbit", "varbit", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},

	/* character types */
	{"char(3)", "bpchar", 'b', 7, false, true, false,
	 "{\"type\":[\"null\",\"string\"],\"maxLength\":3}", true, true,
	 ENC_STRING},
	{"bpchar", "bpchar", 'b', -1, false, true, false, N("string"), true, true,
	 ENC_STRING},
	{"varchar(10) not null", "varchar", 'b', 14, false, false, false,
	 "{\"type\":[\"string\"],\"maxLength\":10}", true, true, ENC_STRING},
	{"varchar", "varchar", 'b', -1, false, true, false, N("string"), true, true,
	 ENC_STRING},
	{"text", "text", 'b', -1, false, true, false, N("string"), true, true,
	 ENC_STRING},
	{"citext", "citext", 'b', -1, false, true, false, N("string"), true, true,
	 ENC_STRING},
	{"uuid", "uuid", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"enum", "mood", 'e', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"enum named like a builtin", "int4", 'e', -1, false, true, false,
	 N("string"), true, false, ENC_STRING},

	/* json */
	{"json", "json", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"jsonb", "jsonb", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"jsonb json_as_object", "jsonb", 'b', -1, false, true, true,
	 "{\"type\":[\"null\",\"object\",\"array\",\"string\",\"number\","
	 "\"boolean\"]}",
	 true, false, ENC_JSON_RAW},
	{"json json_as_object not null", "json", 'b', -1, false, false, true,
	 "{\"type\":[\"object\",\"array\",\"string\",\"number\",\"boolean\"]}",
	 true, false, ENC_JSON_RAW},
	{"hstore", "hstore", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"object\"],\"properties\":{}}", true, false,
	 ENC_HSTORE},

	/* dates and times */
	{"date", "date", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"string\"],\"format\":\"date-time\"}", true, true,
	 ENC_DATE},
	{"timestamp(3)", "timestamp", 'b', 3, false, true, false,
	 "{\"type\":[\"null\",\"string\"],\"format\":\"date-time\"}", true, true,
	 ENC_TIMESTAMP},
	{"timestamptz", "timestamptz", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"string\"],\"format\":\"date-time\"}", true, true,
	 ENC_TIMESTAMPTZ},
	{"time", "time", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_TIME},
	{"timetz", "timetz", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_TIMETZ},
	{"interval", "interval", 'b', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},

	/* network and the rest: strings */
	{"inet", "inet", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"cidr", "cidr", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"macaddr", "macaddr", 'b', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},
	{"macaddr8", "macaddr8", 'b', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},
	{"bytea", "bytea", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_BYTEA},
	{"xml", "xml", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"tsvector", "tsvector", 'b', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},
	{"tsquery", "tsquery", 'b', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},
	{"point", "point", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"line", "line", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"lseg", "lseg", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"box", "box", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"path", "path", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"polygon", "polygon", 'b', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},
	{"circle", "circle", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"int4range", "int4range", 'r', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},
	{"user range", "floatrange", 'r', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},
	{"int4multirange", "int4multirange", 'm', -1, false, true, false,
	 N("string"), true, false, ENC_STRING},
	{"oid", "oid", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"regclass", "regclass", 'b', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},
	{"regtype", "regtype", 'b', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},
	{"name", "name", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"\"char\"", "char", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"pg_lsn", "pg_lsn", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"txid_snapshot", "txid_snapshot", 'b', -1, false, true, false, N("string"),
	 true, false, ENC_STRING},
	{"jsonpath", "jsonpath", 'b', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},
	{"ltree", "ltree", 'b', -1, false, true, false, N("string"), true, false,
	 ENC_STRING},
	{"int2vector", "int2vector", 'b', -1, false, true, false, N("string"), true,
	 false, ENC_STRING},

	/* unsupported */
	{"composite", "comp", 'c', -1, false, true, false, "{}", false, false,
	 ENC_STRING},
	{"pseudo", "anyarray", 'p', -1, false, true, false, "{}", false, false,
	 ENC_STRING},
	{"unknown extension type", "geometry", 'b', -1, false, true, false, "{}",
	 false, false, ENC_STRING},
	{"unknown key column", "geometry", 'b', -1, false, false, false, "{}",
	 false, false, ENC_STRING},

	/* arrays */
	{"int4[]", "int4", 'b', -1, true, true, false,
	 ARR("sdc_recursive_integer_array"), true, false, ENC_ARRAY, ENC_INTEGER},
	{"int2[] not null", "int2", 'b', -1, true, false, false,
	 "{\"type\":[\"array\"]," ITEMS("sdc_recursive_integer_array") "}", true,
	 false, ENC_ARRAY, ENC_INTEGER},
	{"int8[]", "int8", 'b', -1, true, true, false,
	 ARR("sdc_recursive_integer_array"), true, false, ENC_ARRAY, ENC_INTEGER},
	{"float4[]", "float4", 'b', -1, true, true, false,
	 ARR("sdc_recursive_number_array"), true, false, ENC_ARRAY, ENC_NUMBER},
	{"float8[]", "float8", 'b', -1, true, true, false,
	 ARR("sdc_recursive_number_array"), true, false, ENC_ARRAY, ENC_NUMBER},
	{"numeric[]", "numeric", 'b', -1, true, true, false,
	 ARR("sdc_recursive_number_array"), true, false, ENC_ARRAY, ENC_NUMBER},
	{"numeric(12,2)[]", "numeric", 'b', NUMTM(12, 2), true, true, false,
	 ARR("sdc_recursive_decimal_12_2_array"), true, false, ENC_ARRAY,
	 ENC_NUMBER, "sdc_recursive_decimal_12_2_array",
	 "{\"type\":[\"null\",\"number\",\"array\"],\"multipleOf\":0.01,"
	 "\"exclusiveMaximum\":true,\"maximum\":10000000000,"
	 "\"exclusiveMinimum\":true,\"minimum\":-10000000000," ITEMS(
		 "sdc_recursive_decimal_12_2_array") "}"},
	{"numeric(5)[]", "numeric", 'b', NUMTM(5, 0), true, true, false,
	 ARR("sdc_recursive_decimal_5_0_array"), true, false, ENC_ARRAY, ENC_NUMBER,
	 "sdc_recursive_decimal_5_0_array",
	 "{\"type\":[\"null\",\"number\",\"array\"],\"multipleOf\":1,"
	 "\"exclusiveMaximum\":true,\"maximum\":100000,"
	 "\"exclusiveMinimum\":true,\"minimum\":-100000," ITEMS(
		 "sdc_recursive_decimal_5_0_array") "}"},
	{"bool[]", "bool", 'b', -1, true, true, false,
	 ARR("sdc_recursive_boolean_array"), true, false, ENC_ARRAY, ENC_BOOL},
	{"bit(1)[]", "bit", 'b', 1, true, true, false,
	 ARR("sdc_recursive_boolean_array"), true, false, ENC_ARRAY, ENC_BIT1},
	{"bit(3)[]", "bit", 'b', 3, true, true, false,
	 ARR("sdc_recursive_string_array"), true, false, ENC_ARRAY, ENC_STRING},
	{"text[]", "text", 'b', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), true, false, ENC_ARRAY, ENC_STRING},
	{"varchar(10)[]", "varchar", 'b', 14, true, true, false,
	 ARR("sdc_recursive_string_array"), true, false, ENC_ARRAY, ENC_STRING},
	{"uuid[]", "uuid", 'b', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), true, false, ENC_ARRAY, ENC_STRING},
	{"enum[]", "mood", 'e', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), true, false, ENC_ARRAY, ENC_STRING},
	{"date[]", "date", 'b', -1, true, true, false,
	 ARR("sdc_recursive_timestamp_array"), true, false, ENC_ARRAY, ENC_DATE},
	{"timestamp[]", "timestamp", 'b', -1, true, true, false,
	 ARR("sdc_recursive_timestamp_array"), true, false, ENC_ARRAY,
	 ENC_TIMESTAMP},
	{"timestamptz[]", "timestamptz", 'b', -1, true, true, false,
	 ARR("sdc_recursive_timestamp_array"), true, false, ENC_ARRAY,
	 ENC_TIMESTAMPTZ},
	{"time[]", "time", 'b', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), true, false, ENC_ARRAY, ENC_TIME},
	{"hstore[]", "hstore", 'b', -1, true, true, false,
	 ARR("sdc_recursive_object_array"), true, false, ENC_ARRAY, ENC_HSTORE},
	{"jsonb[] json_as_object: elements stay strings", "jsonb", 'b', -1, true,
	 true, true, ARR("sdc_recursive_string_array"), true, false, ENC_ARRAY,
	 ENC_STRING},
	{"bytea[]", "bytea", 'b', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), true, false, ENC_ARRAY, ENC_BYTEA},
	{"interval[]", "interval", 'b', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), true, false, ENC_ARRAY, ENC_STRING},
	{"composite[]", "comp", 'c', -1, true, true, false, "{}", false, false,
	 ENC_STRING},
	{"unknown[]", "geometry", 'b', -1, true, true, false, "{}", false, false,
	 ENC_STRING},
};

/*
 * check_case: maps c and compares every field of the result.
 */
static void
check_case(const Case *c)
{
	PgType t = {0};
	TypeMapping m;
	char name[256];
	char *text;

	if (c->is_array)
	{
		t.typname = "_x";
		t.typtype = 'b';
		t.typcategory = 'A';
		t.is_array = true;
		t.elem_typname = c->typname;
		t.elem_typtype = c->typtype;
		t.elem_delim = strcmp(c->typname, "box") == 0 ? ';' : ',';
	}
	else
	{
		t.typname = c->typname;
		t.typtype = c->typtype;
	}
	t.typmod = c->typmod;

	typemap_map(&t, c->nullable, c->json_as_object, &m);
	text = json_dumps(m.schema, DUMP_FLAGS);
	snprintf(name, sizeof name, "%s: schema", c->name);
	is_str(text, c->schema, name);
	free(text);
	snprintf(name, sizeof name, "%s: supported", c->name);
	ok(m.supported == c->supported, name);
	snprintf(name, sizeof name, "%s: valid replication key", c->name);
	ok(m.valid_replication_key == c->rk, name);
	snprintf(name, sizeof name, "%s: encoder", c->name);
	is_int(m.enc.kind, c->kind, name);
	if (c->is_array && c->supported)
	{
		snprintf(name, sizeof name, "%s: element encoder", c->name);
		is_int(m.enc.elem, c->elem, name);
		snprintf(name, sizeof name, "%s: delimiter", c->name);
		is_int(m.enc.delim, t.elem_delim, name);
	}
	snprintf(name, sizeof name, "%s: definition name", c->name);
	is_str(m.def_name, c->def_name, name);
	text = m.def ? json_dumps(m.def, DUMP_FLAGS) : NULL;
	snprintf(name, sizeof name, "%s: definition", c->name);
	is_str(text, c->def, name);
	free(text);
	typemap_fini(&m);
}

int
main(void)
{
	json_t *defs;
	char *text;
	TypeMapping m = {0};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(&cases[i]);

	/* box[] keeps its ';' delimiter */
	{
		PgType t = {0};

		t.typname = "_box";
		t.typtype = 'b';
		t.is_array = true;
		t.elem_typname = "box";
		t.elem_typtype = 'b';
		t.elem_delim = ';';
		t.typmod = -1;
		typemap_map(&t, true, false, &m);
		is_int(m.enc.delim, ';', "box[]: delimiter ';'");
		typemap_fini(&m);
	}

	defs = typemap_base_definitions();
	text = json_dumps(defs, DUMP_FLAGS);
	is_str(
		text,
		"{\"sdc_recursive_integer_array\":{\"type\":[\"null\",\"integer\","
		"\"array\"]," ITEMS(
			"sdc_recursive_integer_array") "},"
										   "\"sdc_recursive_number_array\":{\"type\":[\"null\",\"number\","
										   "\"array\"]," ITEMS(
											   "sdc_recursive_number_array") "},"
																			 "\"sdc_recursive_string_array\":{\"type\":[\"null\",\"string\","
																			 "\"array\"]," ITEMS(
																				 "sdc_recursive_string_array") "},"
																											   "\"sdc_recursive_boolean_array\":{\"type\":[\"null\",\"boolean\","
																											   "\"array\"]," ITEMS(
																												   "sdc_recursive_boolean_array") "},"
																																				  "\"sdc_recursive_timestamp_array\":{\"type\":[\"null\",\"string\","
																																				  "\"array\"],\"format\":\"date-time\"," ITEMS(
																																					  "sdc_recursive_timestamp_array") "},"
																																													   "\"sdc_recursive_object_array\":{\"type\":[\"null\",\"object\","
																																													   "\"array\"]," ITEMS(
																																														   "sdc_recursive_object_array") "}}",
		"base definitions: SIO's six, in SIO's order");
	free(text);
	json_decref(defs);

	/* fini is idempotent and accepts a zeroed mapping */
	typemap_fini(&m);
	typemap_fini(&m);
	ok(m.schema == NULL && m.def == NULL && m.def_name == NULL,
	   "typemap_fini twice");
	return done_testing();
}
