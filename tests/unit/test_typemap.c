/*
 * test_typemap.c: the schema, encoder and flags of every type, compared
 * with the whole schema's JSON text (README's "Types").
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
	bool rk;
	EncKind kind;
	EncKind elem;         /* arrays only */
	const char *def_name; /* expected extra definition, or NULL */
	const char *def;
} Case;

#define N(t)     "{\"type\":[\"null\",\"" t "\"]}"
#define ITEMS(d) "\"items\":{\"$ref\":\"#/definitions/" d "\"}"
#define ARR(d)   "{\"type\":[\"null\",\"array\"]," ITEMS(d) "}"

/* One level of an array definition: t (a quoted type), extra keys, items */
#define LVL(t, x, in)                                                          \
	"{\"type\":[\"null\"," t ",\"array\"]" x ",\"items\":" in "}"
/* A definition: five levels that may be arrays, then the element */
#define NEST5(t, x)                                                            \
	LVL(t, x,                                                                  \
		LVL(t, x,                                                              \
			LVL(t, x,                                                          \
				LVL(t, x, LVL(t, x, "{\"type\":[\"null\"," t "]" x "}")))))

static const Case cases[] = {
	/* integers: SIO's bounds as integer literals */
	{"int2", "int2", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"integer\"],\"minimum\":-32768,\"maximum\":32767}",
	 true, ENC_INTEGER},
	{"int4", "int4", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"integer\"],\"minimum\":-2147483648,"
	 "\"maximum\":2147483647}",
	 true, ENC_INTEGER},
	{"int4 key", "int4", 'b', -1, false, false, false,
	 "{\"type\":[\"integer\"],\"minimum\":-2147483648,"
	 "\"maximum\":2147483647}",
	 true, ENC_INTEGER},
	{"int8", "int8", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"integer\"],\"minimum\":-9223372036854775808,"
	 "\"maximum\":9223372036854775807}",
	 true, ENC_INTEGER},

	/* numeric */
	{"numeric unconstrained", "numeric", 'b', -1, false, true, false,
	 N("number"), true, ENC_NUMBER},
	{"numeric(12,2)", "numeric", 'b', NUMTM(12, 2), false, true, false,
	 "{\"type\":[\"null\",\"number\"],\"maximum\":9999999999.99,"
	 "\"multipleOf\":0.01,\"minimum\":-9999999999.99}",
	 true, ENC_NUMBER},
	{"numeric(5) key", "numeric", 'b', NUMTM(5, 0), false, false, false,
	 "{\"type\":[\"number\"],\"maximum\":99999,\"multipleOf\":1,"
	 "\"minimum\":-99999}",
	 true, ENC_NUMBER},
	{"numeric(38,38): 38 digits cannot be exact; 1 bounds it", "numeric", 'b',
	 NUMTM(38, 38), false, true, false,
	 "{\"type\":[\"null\",\"number\"],\"maximum\":1,\"multipleOf\":1e-38,"
	 "\"minimum\":-1}",
	 true, ENC_NUMBER},
	{"numeric(18,0): largest integer bound", "numeric", 'b', NUMTM(18, 0),
	 false, true, false,
	 "{\"type\":[\"null\",\"number\"],\"maximum\":999999999999999999,"
	 "\"multipleOf\":1,\"minimum\":-999999999999999999}",
	 true, ENC_NUMBER},
	{"numeric(25,2): bound beyond int64 is a real", "numeric", 'b',
	 NUMTM(25, 2), false, true, false,
	 "{\"type\":[\"null\",\"number\"],\"maximum\":1.00000000000001e23,"
	 "\"multipleOf\":0.01,\"minimum\":-1.00000000000001e23}",
	 true, ENC_NUMBER},
	{"numeric(3,-2) (PG15 negative scale)", "numeric", 'b', NUMTM(3, -2), false,
	 true, false,
	 "{\"type\":[\"null\",\"number\"],\"maximum\":99900,"
	 "\"multipleOf\":100,\"minimum\":-99900}",
	 true, ENC_NUMBER},
	{"numeric(2,5) (PG15 scale above precision)", "numeric", 'b', NUMTM(2, 5),
	 false, true, false,
	 "{\"type\":[\"null\",\"number\"],\"maximum\":0.00099,"
	 "\"multipleOf\":1e-5,\"minimum\":-0.00099}",
	 true, ENC_NUMBER},
	{"numeric(1000,0): bounds out of double range are left out", "numeric", 'b',
	 NUMTM(1000, 0), false, true, false, N("number"), true, ENC_NUMBER},

	{"float4", "float4", 'b', -1, false, true, false, N("number"), true,
	 ENC_NUMBER},
	{"float8", "float8", 'b', -1, false, true, false, N("number"), true,
	 ENC_NUMBER},
	{"money", "money", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"bool", "bool", 'b', -1, false, true, false, N("boolean"), false,
	 ENC_BOOL},
	{"bit(1)", "bit", 'b', 1, false, true, false, N("boolean"), false,
	 ENC_BIT1},
	{"bit(8)", "bit", 'b', 8, false, true, false, N("string"), false,
	 ENC_STRING},
	{"varbit", "varbit", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},

	/* character types */
	{"char(3)", "bpchar", 'b', 7, false, true, false,
	 "{\"type\":[\"null\",\"string\"],\"maxLength\":3}", true, ENC_STRING},
	{"bpchar", "bpchar", 'b', -1, false, true, false, N("string"), true,
	 ENC_STRING},
	{"varchar(10) not null", "varchar", 'b', 14, false, false, false,
	 "{\"type\":[\"string\"],\"maxLength\":10}", true, ENC_STRING},
	{"varchar", "varchar", 'b', -1, false, true, false, N("string"), true,
	 ENC_STRING},
	{"text", "text", 'b', -1, false, true, false, N("string"), true,
	 ENC_STRING},
	{"citext", "citext", 'b', -1, false, true, false, N("string"), true,
	 ENC_STRING},
	{"uuid", "uuid", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"enum", "mood", 'e', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"enum named like a builtin", "int4", 'e', -1, false, true, false,
	 N("string"), false, ENC_STRING},

	/* json */
	{"json", "json", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"jsonb", "jsonb", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"jsonb json_as_object", "jsonb", 'b', -1, false, true, true,
	 "{\"type\":[\"null\",\"object\",\"array\",\"string\",\"number\","
	 "\"boolean\"]}",
	 false, ENC_JSON_RAW},
	{"json json_as_object not null", "json", 'b', -1, false, false, true,
	 "{\"type\":[\"object\",\"array\",\"string\",\"number\",\"boolean\"]}",
	 false, ENC_JSON_RAW},
	{"hstore", "hstore", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"object\"],\"properties\":{}}", false, ENC_HSTORE},

	/* dates and times */
	{"date", "date", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"string\"],\"format\":\"date-time\"}", true,
	 ENC_DATE},
	{"timestamp(3)", "timestamp", 'b', 3, false, true, false,
	 "{\"type\":[\"null\",\"string\"],\"format\":\"date-time\"}", true,
	 ENC_TIMESTAMP},
	{"timestamptz", "timestamptz", 'b', -1, false, true, false,
	 "{\"type\":[\"null\",\"string\"],\"format\":\"date-time\"}", true,
	 ENC_TIMESTAMPTZ},
	{"time", "time", 'b', -1, false, true, false, N("string"), false, ENC_TIME},
	{"timetz", "timetz", 'b', -1, false, true, false, N("string"), false,
	 ENC_TIMETZ},
	{"interval", "interval", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},

	/* network and the rest: strings */
	{"inet", "inet", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"cidr", "cidr", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"macaddr", "macaddr", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"macaddr8", "macaddr8", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"bytea", "bytea", 'b', -1, false, true, false, N("string"), false,
	 ENC_BYTEA},
	{"xml", "xml", 'b', -1, false, true, false, N("string"), false, ENC_STRING},
	{"tsvector", "tsvector", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"tsquery", "tsquery", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"point", "point", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"line", "line", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"lseg", "lseg", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"box", "box", 'b', -1, false, true, false, N("string"), false, ENC_STRING},
	{"path", "path", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"polygon", "polygon", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"circle", "circle", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"int4range", "int4range", 'r', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"user range", "floatrange", 'r', -1, false, true, false, N("string"),
	 false, ENC_STRING},
	{"int4multirange", "int4multirange", 'm', -1, false, true, false,
	 N("string"), false, ENC_STRING},
	{"oid", "oid", 'b', -1, false, true, false, N("string"), false, ENC_STRING},
	{"regclass", "regclass", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"regtype", "regtype", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"name", "name", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"\"char\"", "char", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"pg_lsn", "pg_lsn", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"txid_snapshot", "txid_snapshot", 'b', -1, false, true, false, N("string"),
	 false, ENC_STRING},
	{"jsonpath", "jsonpath", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"ltree", "ltree", 'b', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"int2vector", "int2vector", 'b', -1, false, true, false, N("string"),
	 false, ENC_STRING},

	/* any other type: a string of its text output */
	{"composite whose fields are unknown", "comp", 'c', -1, false, true, false,
	 N("string"), false, ENC_STRING},
	{"pseudo", "anyarray", 'p', -1, false, true, false, N("string"), false,
	 ENC_STRING},
	{"unknown extension type", "sparsevec", 'b', -1, false, true, false,
	 N("string"), false, ENC_STRING},
	{"unknown key column", "mytype", 'b', -1, false, false, false,
	 "{\"type\":[\"string\"]}", false, ENC_STRING},
	{"geometry without its extension's schema: text", "geometry", 'b', -1,
	 false, true, false, N("string"), false, ENC_STRING},

	/* arrays */
	{"int4[]", "int4", 'b', -1, true, true, false,
	 ARR("sdc_recursive_integer_array"), false, ENC_ARRAY, ENC_INTEGER},
	{"int2[] not null", "int2", 'b', -1, true, false, false,
	 "{\"type\":[\"array\"]," ITEMS("sdc_recursive_integer_array") "}", false,
	 ENC_ARRAY, ENC_INTEGER},
	{"int8[]", "int8", 'b', -1, true, true, false,
	 ARR("sdc_recursive_integer_array"), false, ENC_ARRAY, ENC_INTEGER},
	{"float4[]", "float4", 'b', -1, true, true, false,
	 ARR("sdc_recursive_number_array"), false, ENC_ARRAY, ENC_NUMBER},
	{"float8[]", "float8", 'b', -1, true, true, false,
	 ARR("sdc_recursive_number_array"), false, ENC_ARRAY, ENC_NUMBER},
	{"numeric[]", "numeric", 'b', -1, true, true, false,
	 ARR("sdc_recursive_number_array"), false, ENC_ARRAY, ENC_NUMBER},
	{"numeric(12,2)[]", "numeric", 'b', NUMTM(12, 2), true, true, false,
	 ARR("sdc_recursive_decimal_12_2_array"), false, ENC_ARRAY, ENC_NUMBER,
	 "sdc_recursive_decimal_12_2_array",
	 NEST5("\"number\"", ",\"multipleOf\":0.01,\"maximum\":9999999999.99,"
						 "\"minimum\":-9999999999.99")},
	{"numeric(5)[]", "numeric", 'b', NUMTM(5, 0), true, true, false,
	 ARR("sdc_recursive_decimal_5_0_array"), false, ENC_ARRAY, ENC_NUMBER,
	 "sdc_recursive_decimal_5_0_array",
	 NEST5("\"number\"",
		   ",\"multipleOf\":1,\"maximum\":99999,\"minimum\":-99999")},
	{"bool[]", "bool", 'b', -1, true, true, false,
	 ARR("sdc_recursive_boolean_array"), false, ENC_ARRAY, ENC_BOOL},
	{"bit(1)[]", "bit", 'b', 1, true, true, false,
	 ARR("sdc_recursive_boolean_array"), false, ENC_ARRAY, ENC_BIT1},
	{"bit(3)[]", "bit", 'b', 3, true, true, false,
	 ARR("sdc_recursive_string_array"), false, ENC_ARRAY, ENC_STRING},
	{"text[]", "text", 'b', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), false, ENC_ARRAY, ENC_STRING},
	{"varchar(10)[]", "varchar", 'b', 14, true, true, false,
	 ARR("sdc_recursive_string_array"), false, ENC_ARRAY, ENC_STRING},
	{"uuid[]", "uuid", 'b', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), false, ENC_ARRAY, ENC_STRING},
	{"enum[]", "mood", 'e', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), false, ENC_ARRAY, ENC_STRING},
	{"date[]", "date", 'b', -1, true, true, false,
	 ARR("sdc_recursive_timestamp_array"), false, ENC_ARRAY, ENC_DATE},
	{"timestamp[]", "timestamp", 'b', -1, true, true, false,
	 ARR("sdc_recursive_timestamp_array"), false, ENC_ARRAY, ENC_TIMESTAMP},
	{"timestamptz[]", "timestamptz", 'b', -1, true, true, false,
	 ARR("sdc_recursive_timestamp_array"), false, ENC_ARRAY, ENC_TIMESTAMPTZ},
	{"time[]", "time", 'b', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), false, ENC_ARRAY, ENC_TIME},
	{"hstore[]", "hstore", 'b', -1, true, true, false,
	 ARR("sdc_recursive_object_array"), false, ENC_ARRAY, ENC_HSTORE},
	{"jsonb[] json_as_object: elements stay strings", "jsonb", 'b', -1, true,
	 true, true, ARR("sdc_recursive_string_array"), false, ENC_ARRAY,
	 ENC_STRING},
	{"bytea[]", "bytea", 'b', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), false, ENC_ARRAY, ENC_BYTEA},
	{"interval[]", "interval", 'b', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), false, ENC_ARRAY, ENC_STRING},
	{"composite[] whose fields are unknown", "comp", 'c', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), false, ENC_ARRAY, ENC_STRING},
	{"unknown[]", "mytype", 'b', -1, true, true, false,
	 ARR("sdc_recursive_string_array"), false, ENC_ARRAY, ENC_STRING},
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
	snprintf(name, sizeof name, "%s: valid replication key", c->name);
	ok(m.valid_replication_key == c->rk, name);
	snprintf(name, sizeof name, "%s: encoder", c->name);
	is_int(m.enc.kind, c->kind, name);
	if (c->is_array)
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

/* schema_is: m's schema as compact JSON equals want */
static void
schema_is(const TypeMapping *m, const char *want, const char *name)
{
	char *text = json_dumps(m->schema, DUMP_FLAGS);

	is_str(text, want, name);
	free(text);
}

/* select_is: typemap_select_expr of m for column equals want */
static void
select_is(const TypeMapping *m, const char *column, const char *want,
		  const char *name)
{
	Buf b;

	buf_init(&b, 64);
	typemap_select_expr(&b, &m->enc, column);
	is_str(buf_cstr(&b), want, name);
	buf_fini(&b);
}

/*
 * check_extension_types: PostGIS and pgvector are known by their input
 * function, in whatever schema their extension lives.
 */
static void
check_extension_types(void)
{
	PgType t = {0};
	TypeMapping m;

	t.typname = "geometry";
	t.typtype = 'b';
	t.typmod = (4326 << 8) | (1 << 2); /* geometry(Point,4326) */
	t.typinput = "geometry_in";
	t.ext_schema = "gis \"x\"";
	typemap_map(&t, true, false, &m);
	schema_is(&m, N("string"), "geometry(Point): a string");
	is_int(m.enc.kind, ENC_STRING, "geometry(Point): string encoder");
	ok(!m.valid_replication_key, "geometry: not a replication key");
	select_is(&m, "geom", "\"gis \"\"x\"\"\".st_asgeojson(\"geom\", 1000, 8)",
			  "geometry(Point): read through the extension's ST_AsGeoJSON");
	typemap_fini(&m);

	t.typmod = -1;
	typemap_map(&t, true, true, &m);
	schema_is(&m, "{\"type\":[\"null\",\"object\",\"string\"]}",
			  "geometry json_as_object: an object, or EWKT for curves");
	select_is(
		&m, "geom",
		"CASE WHEN \"gis \"\"x\"\"\".st_hasarc(\"geom\") OR "
		"\"gis \"\"x\"\"\".geometrytype(\"geom\") LIKE "
		"'POLYHEDRALSURFACE%' OR (\"gis \"\"x\"\"\".geometrytype(\"geom\") "
		"LIKE 'GEOMETRYCOLLECTION%' AND "
		"\"gis \"\"x\"\"\".st_astext(\"geom\") LIKE "
		"'%POLYHEDRALSURFACE%') THEN pg_catalog.to_json(\"gis "
		"\"\"x\"\"\".st_asewkt(\"geom\", 1000))::pg_catalog.text ELSE "
		"\"gis \"\"x\"\"\".st_asgeojson(\"geom\", 1000, 8) END",
		"geometry: curves and surfaces as EWKT, the rest as GeoJSON");
	typemap_fini(&m);

	t.typname = "my_geography";
	t.typinput = "geography_in";
	typemap_map(&t, false, true, &m);
	schema_is(&m, "{\"type\":[\"object\"]}",
			  "geography json_as_object not null: an object");
	is_int(m.enc.kind, ENC_JSON_RAW, "geography json_as_object: raw JSON");
	select_is(&m, "geog",
			  "\"gis \"\"x\"\"\".st_asgeojson(\"gis "
			  "\"\"x\"\"\".geometry(\"geog\"), 1000, 8)",
			  "geography: as geometry, whose GeoJSON names a CRS not 4326");
	typemap_fini(&m);

	t.is_array = true;
	t.typname = "_geometry";
	t.elem_typname = "geometry";
	t.elem_typtype = 'b';
	t.elem_delim = ':';
	t.typinput = "geometry_in";
	t.typmod = (3857 << 8) | (6 << 2) | 2; /* geometry(MultiPolygonZ,3857) */
	typemap_map(&t, true, true, &m);
	schema_is(&m, ARR("sdc_recursive_string_array"),
			  "geometry[]: GeoJSON strings");
	is_int(m.enc.elem, ENC_STRING, "geometry[]: string elements");
	select_is(&m, "g",
			  "CASE WHEN \"g\" IS NULL THEN NULL ELSE ARRAY(SELECT "
			  "\"gis \"\"x\"\"\".st_asgeojson(u.e, 1000, 8) FROM "
			  "pg_catalog.unnest(\"g\") WITH ORDINALITY AS u(e, o) ORDER BY "
			  "u.o) END",
			  "geometry[]: element by element, in order");
	typemap_fini(&m);

	memset(&t, 0, sizeof t);
	t.typname = "vector";
	t.typtype = 'b';
	t.typmod = 3;
	t.typinput = "vector_in";
	typemap_map(&t, true, false, &m);
	schema_is(&m,
			  "{\"type\":[\"null\",\"array\"],\"items\":{\"type\":"
			  "\"number\"}}",
			  "vector: array of numbers");
	is_int(m.enc.kind, ENC_NUMBERS, "vector: numbers encoder");
	select_is(&m, "v", "\"v\"", "vector: the column itself");
	typemap_fini(&m);

	t.typname = "_halfvec";
	t.is_array = true;
	t.elem_typname = "halfvec";
	t.elem_typtype = 'b';
	t.elem_delim = ',';
	t.typinput = "halfvec_in";
	typemap_map(&t, true, false, &m);
	is_int(m.enc.elem, ENC_NUMBERS, "halfvec[]: numbers elements");
	schema_is(&m,
			  "{\"type\":[\"null\",\"array\"],\"items\":" LVL(
				  "\"number\"", "", NEST5("\"number\"", "")) "}",
			  "halfvec[]: one more dimension of numbers, spelled out");
	typemap_fini(&m);

	memset(&t, 0, sizeof t);
	t.typname = "sparsevec";
	t.typtype = 'b';
	t.typmod = -1;
	t.typinput = "sparsevec_in";
	typemap_map(&t, true, false, &m);
	schema_is(&m, N("string"), "sparsevec: its text");
	is_int(m.enc.kind, ENC_STRING, "sparsevec: string encoder");
	typemap_fini(&m);
}

/*
 * check_composites: a composite is an object of its fields, each mapped
 * by its own type; nested ones and arrays of them too.
 */
static void
check_composites(void)
{
	PgField inner_f[2] = {{0}, {0}};
	PgField outer_f[3] = {{0}, {0}, {0}};
	PgComposite inner = {0}, outer = {0};
	PgType t = {0};
	TypeMapping m;

	inner_f[0].name = "x";
	inner_f[0].type.typname = "int4";
	inner_f[0].type.typtype = 'b';
	inner_f[0].type.typmod = -1;
	inner_f[1].name = "tags";
	inner_f[1].type.typname = "_numeric";
	inner_f[1].type.typtype = 'b';
	inner_f[1].type.is_array = true;
	inner_f[1].type.elem_typname = "numeric";
	inner_f[1].type.elem_typtype = 'b';
	inner_f[1].type.elem_delim = ',';
	inner_f[1].type.typmod = NUMTM(3, 1);
	inner.oid = 10;
	inner.fields = inner_f;
	inner.nfields = 2;

	outer_f[0].name = "a \"q\"";
	outer_f[0].type.typname = "text";
	outer_f[0].type.typtype = 'b';
	outer_f[0].type.typmod = -1;
	outer_f[1].name = "in";
	outer_f[1].type.typname = "inner";
	outer_f[1].type.typtype = 'c';
	outer_f[1].type.typmod = -1;
	outer_f[1].type.comp_oid = 10;
	outer_f[1].type.comp = &inner;
	outer_f[2].name = "g";
	outer_f[2].type.typname = "geometry";
	outer_f[2].type.typtype = 'b';
	outer_f[2].type.typmod = -1;
	outer_f[2].type.typinput = "geometry_in";
	outer_f[2].type.ext_schema = "public";
	outer.oid = 11;
	outer.fields = outer_f;
	outer.nfields = 3;
	typemap_composite_prepare(&inner, false);
	typemap_composite_prepare(&outer, false);

	t.typname = "outer";
	t.typtype = 'c';
	t.typmod = -1;
	t.comp_oid = 11;
	t.comp = &outer;
	typemap_map(&t, true, false, &m);
	schema_is(
		&m,
		"{\"type\":[\"null\",\"object\"],\"properties\":{"
		"\"a \\\"q\\\"\":" N(
			"string") ","
					  "\"in\":{\"type\":[\"null\",\"object\"],\"properties\":{"
					  "\"x\":{\"type\":[\"null\",\"integer\"],\"minimum\":"
					  "-2147483648,\"maximum\":2147483647},"
					  "\"tags\":{\"type\":[\"null\",\"array\"],\"items\":" NEST5(
						  "\"number\"",
						  ",\"multipleOf\":0.1,\"maximum\":99.9,"
						  "\"minimum\":-99.9") "}}},"
											   "\"g\":" N("string") "}}",
		"composite: object of its fields, nested, arrays spelled out, "
		"PostGIS fields as their text");
	is_int(m.enc.kind, ENC_COMPOSITE, "composite: composite encoder");
	ok(m.enc.comp == &outer.enc, "composite: encoder points at its fields");
	ok(m.def_name == NULL && m.def == NULL, "composite: no definition");
	select_is(&m, "c", "\"c\"", "composite: the column itself");
	typemap_fini(&m);

	is_int((int) outer.enc.nfields, 3, "composite: three field encoders");
	is_str(outer.enc.fields[0].key, "\"a \\\"q\\\"\":\"in\":\"g\":",
		   "composite: keys JSON-encoded, packed");
	is_int((int) outer.enc.fields[0].keylen, 10, "composite: first key length");
	ok(outer.enc.fields[1].enc.kind == ENC_COMPOSITE &&
		   outer.enc.fields[1].enc.comp == &inner.enc,
	   "composite: nested field encoder");
	ok(outer.enc.fields[2].enc.kind == ENC_STRING &&
		   outer.enc.fields[2].enc.geojson_schema == NULL,
	   "composite: PostGIS field is its text");
	ok(inner.enc.fields[1].enc.kind == ENC_ARRAY &&
		   inner.enc.fields[1].enc.elem == ENC_NUMBER,
	   "composite: array field encoder");

	t.typname = "_outer";
	t.is_array = true;
	t.elem_typname = "outer";
	t.elem_typtype = 'c';
	t.elem_delim = ',';
	typemap_map(&t, false, false, &m);
	is_int(m.enc.kind, ENC_ARRAY, "composite[]: array");
	is_int(m.enc.elem, ENC_COMPOSITE, "composite[]: composite elements");
	ok(m.enc.comp == &outer.enc, "composite[]: element fields");
	{
		char *text = json_dumps(m.schema, DUMP_FLAGS);

		ok(strncmp(text,
				   "{\"type\":[\"array\"],\"items\":{\"type\":[\"null\","
				   "\"object\",\"array\"],\"properties\":",
				   60) == 0 &&
			   strstr(text, "$ref") == NULL,
		   "composite[]: items are the object, spelled out");
		free(text);
	}
	typemap_fini(&m);
	typemap_composite_fini(&outer);
	typemap_composite_fini(&inner);

	/* a field name that is not UTF-8 (SQL_ASCII): U+FFFD, never lost */
	{
		PgField bad_f[1] = {{0}};
		PgComposite bad = {0};
		PgType bt = {0};

		bad_f[0].name = "caf\xe9";
		bad_f[0].type.typname = "text";
		bad_f[0].type.typtype = 'b';
		bad_f[0].type.typmod = -1;
		bad.fields = bad_f;
		bad.nfields = 1;
		typemap_composite_prepare(&bad, false);
		bt.typname = "bad";
		bt.typtype = 'c';
		bt.typmod = -1;
		bt.comp = &bad;
		typemap_map(&bt, true, false, &m);
		schema_is(&m,
				  "{\"type\":[\"null\",\"object\"],\"properties\":{"
				  "\"caf\xEF\xBF\xBD\":" N("string") "}}",
				  "composite: a field name that is not UTF-8");
		is_str(bad.enc.fields[0].key,
			   "\"caf\xEF\xBF\xBD\":", "composite: its RECORD key too");
		typemap_fini(&m);
		typemap_composite_fini(&bad);
	}
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
		"{\"sdc_recursive_integer_array\":" NEST5(
			"\"integer\"",
			"") ","
				"\"sdc_recursive_number_array\":" NEST5(
					"\"number\"",
					"") ","
						"\"sdc_recursive_string_array\":" NEST5(
							"\"string\"",
							"") ","
								"\"sdc_recursive_boolean_array\":" NEST5(
									"\"boolean\"",
									"") ","
										"\"sdc_recursive_timestamp_array\":" NEST5(
											"\"string\"",
											",\"format\":\"date-time\"") ","
																		 "\"sdc_recursive_object_array\":" NEST5(
																			 "\"object\"",
																			 "") "}",
		"base definitions: SIO's six, in SIO's order, spelled out to six "
		"dimensions");
	ok(strstr(text, "$ref") == NULL, "base definitions: no $ref");
	free(text);
	json_decref(defs);

	check_extension_types();
	check_composites();

	/* fini is idempotent and accepts a zeroed mapping */
	typemap_fini(&m);
	typemap_fini(&m);
	ok(m.schema == NULL && m.def == NULL && m.def_name == NULL,
	   "typemap_fini twice");
	return done_testing();
}
