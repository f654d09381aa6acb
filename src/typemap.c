/*
 * typemap.c: PostgreSQL column type -> JSON Schema and value encoder.
 *
 * The schemas are SIO's (reference/anchors.md section 4), key for key and
 * in SIO's key order, with SPEC section 4's changes: the types SIO leaves
 * unsupported are strings here, domains are their base type, NOT NULL
 * columns are not nullable, and an unconstrained numeric has no bounds.
 *
 * Types are recognised by their base type's name (extension types such as
 * citext, hstore and ltree live in whatever schema they were installed
 * in), after the type's kind: an enum, range or composite is known by its
 * typtype whatever it is called.
 */
#include "tap/typemap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/mem.h"

/* How a scalar type is described in JSON Schema. */
typedef enum ScalarClass
{
	SC_INTEGER,  /* integer with bounds from bits */
	SC_NUMERIC,  /* numeric(p,s): SIO's bounds; unconstrained: number */
	SC_FLOAT,    /* number */
	SC_BOOL,     /* boolean */
	SC_BIT,      /* bit(1): boolean; bit(n > 1): string */
	SC_CHARLEN,  /* string with maxLength from the typmod */
	SC_STRING,   /* string */
	SC_JSON,     /* string, or any JSON value with json_as_object */
	SC_HSTORE,   /* object with empty properties */
	SC_DATETIME, /* string with format date-time */
} ScalarClass;

typedef struct ScalarType
{
	const char *typname;
	ScalarClass cls;
	EncKind enc;
	bool rk;  /* valid replication key */
	int bits; /* SC_INTEGER only */
} ScalarType;

/*
 * The built-in and extension base types this tap knows. Anything else of
 * typtype 'b' is unsupported (left out with a WARNING by discovery).
 */
static const ScalarType scalar_types[] = {
	{"int2", SC_INTEGER, ENC_INTEGER, true, 16},
	{"int4", SC_INTEGER, ENC_INTEGER, true, 32},
	{"int8", SC_INTEGER, ENC_INTEGER, true, 64},
	{"numeric", SC_NUMERIC, ENC_NUMBER, true, 0},
	{"float4", SC_FLOAT, ENC_NUMBER, true, 0},
	{"float8", SC_FLOAT, ENC_NUMBER, true, 0},
	{"money", SC_STRING, ENC_STRING, false, 0},
	{"bool", SC_BOOL, ENC_BOOL, false, 0},
	{"bit", SC_BIT, ENC_STRING, false, 0},
	{"varbit", SC_STRING, ENC_STRING, false, 0},
	{"bpchar", SC_CHARLEN, ENC_STRING, true, 0},
	{"varchar", SC_CHARLEN, ENC_STRING, true, 0},
	{"text", SC_STRING, ENC_STRING, true, 0},
	{"citext", SC_STRING, ENC_STRING, true, 0},
	{"uuid", SC_STRING, ENC_STRING, false, 0},
	{"json", SC_JSON, ENC_STRING, false, 0},
	{"jsonb", SC_JSON, ENC_STRING, false, 0},
	{"hstore", SC_HSTORE, ENC_HSTORE, false, 0},
	{"date", SC_DATETIME, ENC_DATE, true, 0},
	{"timestamp", SC_DATETIME, ENC_TIMESTAMP, true, 0},
	{"timestamptz", SC_DATETIME, ENC_TIMESTAMPTZ, true, 0},
	{"time", SC_STRING, ENC_TIME, false, 0},
	{"timetz", SC_STRING, ENC_TIMETZ, false, 0},
	{"inet", SC_STRING, ENC_STRING, false, 0},
	{"cidr", SC_STRING, ENC_STRING, false, 0},
	{"macaddr", SC_STRING, ENC_STRING, false, 0},
	{"macaddr8", SC_STRING, ENC_STRING, false, 0},
	{"interval", SC_STRING, ENC_STRING, false, 0},
	{"bytea", SC_STRING, ENC_BYTEA, false, 0},
	{"xml", SC_STRING, ENC_STRING, false, 0},
	{"tsvector", SC_STRING, ENC_STRING, false, 0},
	{"tsquery", SC_STRING, ENC_STRING, false, 0},
	{"point", SC_STRING, ENC_STRING, false, 0},
	{"line", SC_STRING, ENC_STRING, false, 0},
	{"lseg", SC_STRING, ENC_STRING, false, 0},
	{"box", SC_STRING, ENC_STRING, false, 0},
	{"path", SC_STRING, ENC_STRING, false, 0},
	{"polygon", SC_STRING, ENC_STRING, false, 0},
	{"circle", SC_STRING, ENC_STRING, false, 0},
	{"oid", SC_STRING, ENC_STRING, false, 0},
	{"regproc", SC_STRING, ENC_STRING, false, 0},
	{"regprocedure", SC_STRING, ENC_STRING, false, 0},
	{"regoper", SC_STRING, ENC_STRING, false, 0},
	{"regoperator", SC_STRING, ENC_STRING, false, 0},
	{"regclass", SC_STRING, ENC_STRING, false, 0},
	{"regcollation", SC_STRING, ENC_STRING, false, 0},
	{"regtype", SC_STRING, ENC_STRING, false, 0},
	{"regrole", SC_STRING, ENC_STRING, false, 0},
	{"regnamespace", SC_STRING, ENC_STRING, false, 0},
	{"regconfig", SC_STRING, ENC_STRING, false, 0},
	{"regdictionary", SC_STRING, ENC_STRING, false, 0},
	{"xid", SC_STRING, ENC_STRING, false, 0},
	{"xid8", SC_STRING, ENC_STRING, false, 0},
	{"cid", SC_STRING, ENC_STRING, false, 0},
	{"tid", SC_STRING, ENC_STRING, false, 0},
	{"int2vector", SC_STRING, ENC_STRING, false, 0},
	{"oidvector", SC_STRING, ENC_STRING, false, 0},
	{"name", SC_STRING, ENC_STRING, false, 0},
	{"char", SC_STRING, ENC_STRING, false, 0},
	{"refcursor", SC_STRING, ENC_STRING, false, 0},
	{"pg_lsn", SC_STRING, ENC_STRING, false, 0},
	{"txid_snapshot", SC_STRING, ENC_STRING, false, 0},
	{"pg_snapshot", SC_STRING, ENC_STRING, false, 0},
	{"jsonpath", SC_STRING, ENC_STRING, false, 0},
	{"ltree", SC_STRING, ENC_STRING, false, 0},
	{"lquery", SC_STRING, ENC_STRING, false, 0},
	{"ltxtquery", SC_STRING, ENC_STRING, false, 0},
};

/* An enum, range or multirange value is its text: a plain string. */
static const ScalarType enum_like = {"", SC_STRING, ENC_STRING, false, 0};

/*
 * find_scalar: the entry for a base type of kind typtype named typname,
 * or NULL when the type is not supported (composite, pseudo, unknown).
 */
static const ScalarType *
find_scalar(const char *typname, char typtype)
{
	switch (typtype)
	{
		case 'e':
		case 'r':
		case 'm':
			return &enum_like;
		case 'b':
			break;
		default:
			/* 'c' composite, 'p' pseudo, 'd' (unresolved domain) */
			return NULL;
	}
	if (typname == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof scalar_types / sizeof scalar_types[0]; i++)
		if (strcmp(scalar_types[i].typname, typname) == 0)
			return &scalar_types[i];
	return NULL;
}

/*
 * type_list: ["null", t] for a nullable column, else [t] (owned).
 */
static json_t *
type_list(const char *t, bool nullable)
{
	json_t *a = json_array();

	if (nullable)
		json_array_append_new(a, json_string("null"));
	json_array_append_new(a, json_string(t));
	return a;
}

/*
 * pow10_json: 10^e as SIO writes it (owned): an exact integer when
 * 0 <= e <= 18, else a real (1e19, 0.01, 1e-38), negated when neg. NULL
 * when 10^e is out of the range of a normal double (|e| > 307): it cannot
 * be written as a JSON number that any reader would take exactly.
 */
static json_t *
pow10_json(int e, bool neg)
{
	char text[16];
	double d;

	if (e >= 0 && e <= 18)
	{
		json_int_t v = 1;

		for (int i = 0; i < e; i++)
			v *= 10;
		return json_integer(neg ? -v : v);
	}
	if (e > 307 || e < -307)
		return NULL;
	/* strtod gives the double nearest to 10^e, as Python's float does */
	snprintf(text, sizeof text, "1e%d", e);
	d = strtod(text, NULL);
	return json_real(neg ? -d : d);
}

/*
 * numeric_typmod: decodes a numeric typmod into precision and scale
 * (PostgreSQL 15 allows a negative scale, and a scale above the
 * precision). Returns false for an unconstrained numeric.
 */
static bool
numeric_typmod(int typmod, int *precision, int *scale)
{
	int tm;

	if (typmod < 4)
		return false;
	tm = typmod - 4;
	*precision = (tm >> 16) & 0xffff;
	*scale = ((tm & 0x7ff) ^ 1024) - 1024;
	return true;
}

/*
 * NumericBounds: SIO's keywords for numeric(p,s), each owned (or all NULL
 * when they cannot be written).
 */
typedef struct NumericBounds
{
	json_t *maximum;
	json_t *multiple_of;
	json_t *minimum;
} NumericBounds;

/*
 * numeric_bounds: maximum 10^(p-s), multipleOf 10^-s, minimum -10^(p-s).
 * Returns false (and nothing owned) when any of them is out of range.
 */
static bool
numeric_bounds(int precision, int scale, NumericBounds *b)
{
	b->maximum = pow10_json(precision - scale, false);
	b->multiple_of = pow10_json(-scale, false);
	b->minimum = pow10_json(precision - scale, true);
	if (b->maximum && b->multiple_of && b->minimum)
		return true;
	json_decref(b->maximum);
	json_decref(b->multiple_of);
	json_decref(b->minimum);
	memset(b, 0, sizeof *b);
	return false;
}

/*
 * scalar_schema: the property schema of a non-array column of type sc
 * (owned).
 */
static json_t *
scalar_schema(const ScalarType *sc, int typmod, bool nullable,
			  bool json_as_object)
{
	json_t *o = json_object();

	switch (sc->cls)
	{
		case SC_INTEGER:
		{
			json_int_t half = (json_int_t) 1 << (sc->bits - 2);

			/* -2^(bits-1) .. 2^(bits-1)-1, without overflowing int64 */
			json_object_set_new(o, "type", type_list("integer", nullable));
			json_object_set_new(o, "minimum", json_integer(-half - half));
			json_object_set_new(o, "maximum", json_integer((half - 1) + half));
			break;
		}
		case SC_NUMERIC:
		{
			int p, s;
			NumericBounds b;

			json_object_set_new(o, "type", type_list("number", nullable));
			if (numeric_typmod(typmod, &p, &s) && numeric_bounds(p, s, &b))
			{
				json_object_set_new(o, "exclusiveMaximum", json_true());
				json_object_set_new(o, "maximum", b.maximum);
				json_object_set_new(o, "multipleOf", b.multiple_of);
				json_object_set_new(o, "exclusiveMinimum", json_true());
				json_object_set_new(o, "minimum", b.minimum);
			}
			break;
		}
		case SC_FLOAT:
			json_object_set_new(o, "type", type_list("number", nullable));
			break;
		case SC_BOOL:
			json_object_set_new(o, "type", type_list("boolean", nullable));
			break;
		case SC_BIT:
			json_object_set_new(
				o, "type",
				type_list(typmod == 1 ? "boolean" : "string", nullable));
			break;
		case SC_CHARLEN:
			json_object_set_new(o, "type", type_list("string", nullable));
			/* the typmod of char(n) and varchar(n) is n + 4 */
			if (typmod > 4)
				json_object_set_new(o, "maxLength", json_integer(typmod - 4));
			break;
		case SC_STRING:
			json_object_set_new(o, "type", type_list("string", nullable));
			break;
		case SC_JSON:
			if (json_as_object)
			{
				static const char *const any[] = {
					"object", "array", "string", "number", "boolean",
				};
				json_t *a = json_array();

				if (nullable)
					json_array_append_new(a, json_string("null"));
				for (size_t i = 0; i < sizeof any / sizeof any[0]; i++)
					json_array_append_new(a, json_string(any[i]));
				json_object_set_new(o, "type", a);
			}
			else
				json_object_set_new(o, "type", type_list("string", nullable));
			break;
		case SC_HSTORE:
			json_object_set_new(o, "type", type_list("object", nullable));
			json_object_set_new(o, "properties", json_object());
			break;
		case SC_DATETIME:
			json_object_set_new(o, "type", type_list("string", nullable));
			json_object_set_new(o, "format", json_string("date-time"));
			break;
	}
	return o;
}

/*
 * scalar_encoder: how values of type sc are rendered (json_as_object
 * only applies to a json column, never to json array elements).
 */
static EncKind
scalar_encoder(const ScalarType *sc, int typmod, bool json_as_object)
{
	if (sc->cls == SC_BIT)
		return typmod == 1 ? ENC_BIT1 : ENC_STRING;
	if (sc->cls == SC_JSON)
		return json_as_object ? ENC_JSON_RAW : ENC_STRING;
	return sc->enc;
}

/*
 * recursive_def: {"type": ["null", t, "array"], ["format": ...,]
 * "items": {"$ref": "#/definitions/<name>"}} (owned)
 */
static json_t *
recursive_def(const char *name, const char *t, const char *format)
{
	json_t *o = json_object();
	json_t *types = json_array();
	char ref[128];

	json_array_append_new(types, json_string("null"));
	json_array_append_new(types, json_string(t));
	json_array_append_new(types, json_string("array"));
	json_object_set_new(o, "type", types);
	if (format)
		json_object_set_new(o, "format", json_string(format));
	snprintf(ref, sizeof ref, "#/definitions/%s", name);
	json_object_set_new(o, "items", json_pack("{s:s}", "$ref", ref));
	return o;
}

/* The six base definitions, in SIO's order. */
static const struct
{
	const char *name;
	const char *type;
	const char *format;
} base_defs[] = {
	{"sdc_recursive_integer_array", "integer", NULL},
	{"sdc_recursive_number_array", "number", NULL},
	{"sdc_recursive_string_array", "string", NULL},
	{"sdc_recursive_boolean_array", "boolean", NULL},
	{"sdc_recursive_timestamp_array", "string", "date-time"},
	{"sdc_recursive_object_array", "object", NULL},
};

/*
 * typemap_base_definitions: a new object holding the six recursive array
 * schemas (owned by the caller).
 */
json_t *
typemap_base_definitions(void)
{
	json_t *defs = json_object();

	for (size_t i = 0; i < sizeof base_defs / sizeof base_defs[0]; i++)
		json_object_set_new(defs, base_defs[i].name,
							recursive_def(base_defs[i].name, base_defs[i].type,
										  base_defs[i].format));
	return defs;
}

/*
 * decimal_def: SIO's sdc_recursive_decimal_<p>_<s>_array definition, with
 * the bounds inlined in SIO's key order (owned). Takes b's references.
 */
static json_t *
decimal_def(const char *name, NumericBounds *b)
{
	json_t *o = json_object();
	json_t *types = json_array();
	char ref[128];

	json_array_append_new(types, json_string("null"));
	json_array_append_new(types, json_string("number"));
	json_array_append_new(types, json_string("array"));
	json_object_set_new(o, "type", types);
	json_object_set_new(o, "multipleOf", b->multiple_of);
	json_object_set_new(o, "exclusiveMaximum", json_true());
	json_object_set_new(o, "maximum", b->maximum);
	json_object_set_new(o, "exclusiveMinimum", json_true());
	json_object_set_new(o, "minimum", b->minimum);
	snprintf(ref, sizeof ref, "#/definitions/%s", name);
	json_object_set_new(o, "items", json_pack("{s:s}", "$ref", ref));
	memset(b, 0, sizeof *b);
	return o;
}

/*
 * array_mapping: the schema of an array column whose element is sc; sets
 * out->def_name and out->def for numeric(p,s)[].
 */
static void
array_mapping(const ScalarType *sc, int typmod, bool nullable, TypeMapping *out)
{
	const char *def = "sdc_recursive_string_array";
	char name[96];
	char ref[128];
	json_t *o;

	switch (sc->cls)
	{
		case SC_INTEGER:
			def = "sdc_recursive_integer_array";
			break;
		case SC_FLOAT:
			def = "sdc_recursive_number_array";
			break;
		case SC_NUMERIC:
		{
			int p, s;
			NumericBounds b;

			def = "sdc_recursive_number_array";
			if (numeric_typmod(typmod, &p, &s) && numeric_bounds(p, s, &b))
			{
				snprintf(name, sizeof name, "sdc_recursive_decimal_%d_%d_array",
						 p, s);
				out->def_name = xstrdup(name);
				out->def = decimal_def(name, &b);
				def = name;
			}
			break;
		}
		case SC_BOOL:
			def = "sdc_recursive_boolean_array";
			break;
		case SC_BIT:
			if (typmod == 1)
				def = "sdc_recursive_boolean_array";
			break;
		case SC_DATETIME:
			def = "sdc_recursive_timestamp_array";
			break;
		case SC_HSTORE:
			def = "sdc_recursive_object_array";
			break;
		case SC_CHARLEN:
		case SC_STRING:
		case SC_JSON:
			break;
	}
	o = json_object();
	json_object_set_new(o, "type", type_list("array", nullable));
	snprintf(ref, sizeof ref, "#/definitions/%s", def);
	json_object_set_new(o, "items", json_pack("{s:s}", "$ref", ref));
	out->schema = o;
}

/*
 * typemap_map: fills *out for a column of type t. out's schema, def_name
 * and def are owned by the caller (typemap_fini). Never fails: a type
 * this tap cannot render gives supported = false and the schema {}.
 */
void
typemap_map(const PgType *t, bool nullable, bool json_as_object,
			TypeMapping *out)
{
	const ScalarType *sc;

	memset(out, 0, sizeof *out);
	out->enc.kind = ENC_STRING;
	out->enc.elem = ENC_STRING;
	out->enc.delim = ',';

	if (t->is_array)
		sc = find_scalar(t->elem_typname, t->elem_typtype);
	else
		sc = find_scalar(t->typname, t->typtype);
	if (sc == NULL)
	{
		out->supported = false;
		out->schema = json_object();
		return;
	}
	out->supported = true;
	if (t->is_array)
	{
		array_mapping(sc, t->typmod, nullable, out);
		out->enc.kind = ENC_ARRAY;
		out->enc.elem = scalar_encoder(sc, t->typmod, false);
		if (t->elem_delim != '\0')
			out->enc.delim = t->elem_delim;
		return;
	}
	out->schema = scalar_schema(sc, t->typmod, nullable, json_as_object);
	out->enc.kind = scalar_encoder(sc, t->typmod, json_as_object);
	out->valid_replication_key = sc->rk;
}

/*
 * typemap_fini: frees what typemap_map allocated in m; m may be zeroed.
 */
void
typemap_fini(TypeMapping *m)
{
	json_decref(m->schema);
	json_decref(m->def);
	free(m->def_name);
	memset(m, 0, sizeof *m);
}
