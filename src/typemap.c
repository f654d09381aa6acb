/*
 * typemap.c: PostgreSQL column type -> JSON Schema and value encoder.
 *
 * The schemas are singer-io/tap-postgres's (SIO's), key for key and
 * in SIO's key order, with these changes: the types SIO leaves
 * unsupported are supported here (every type is, at worst as a string of
 * its text output), domains are their base type, NOT NULL columns are not
 * nullable, an unconstrained numeric has no bounds, and every schema means
 * the same under JSON Schema draft 4 and draft 7 (numeric bounds are
 * inclusive numbers, array definitions never refer to themselves).
 *
 * Built-in types are recognised by their base type's name, after the
 * type's kind: an enum, range or composite is known by its typtype
 * whatever it is called. Extension types that need more than their text
 * (PostGIS, pgvector) are recognised by their input function, which is
 * the same in whatever schema the extension was installed.
 */
#include "tap/typemap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap/jsonw.h"
#include "tap/mem.h"
#include "tap/typemap_internal.h"

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

/* Any other type: a string of its text output. */
static const ScalarType text_type = {"", SC_STRING, ENC_STRING, false, 0};

static const ScalarType geo_type = {"", SC_GEO, ENC_STRING, false, 0};
static const ScalarType vector_type = {"", SC_VECTOR, ENC_NUMBERS, false, 0};
static const ScalarType composite_type = {"", SC_COMPOSITE, ENC_COMPOSITE,
										  false, 0};

/* Nesting guard for composites (PostgreSQL forbids a cycle anyway). */
#define COMPOSITE_MAX_DEPTH 32

/*
 * input_is: the type's input function is one of names (NULL-terminated)
 */
static bool
input_is(const char *typinput, const char *const *names)
{
	if (typinput == NULL)
		return false;
	for (; *names; names++)
		if (strcmp(typinput, *names) == 0)
			return true;
	return false;
}

/*
 * find_scalar: the entry for a base type of kind typtype named typname
 * whose input function is typinput. in_composite: the value is a field of
 * a composite, whose text the server does not render as GeoJSON. Never
 * NULL: a type this tap does not know is a string of its text output.
 */
static const ScalarType *
find_scalar(const PgType *t, const char *typname, char typtype,
			bool in_composite)
{
	static const char *const geo_inputs[] = {"geometry_in", "geography_in",
											 NULL};
	static const char *const vector_inputs[] = {"vector_in", "halfvec_in",
												NULL};

	if (input_is(t->typinput, geo_inputs))
		return t->ext_schema && !in_composite ? &geo_type : &text_type;
	if (input_is(t->typinput, vector_inputs))
		return &vector_type;
	switch (typtype)
	{
		case 'e':
		case 'r':
		case 'm':
			return &enum_like;
		case 'c':
			return t->comp ? &composite_type : &text_type;
		case 'b':
			break;
		default:
			/* 'p' pseudo, 'd' (unresolved domain) */
			return &text_type;
	}
	if (typname == NULL)
		return &text_type;
	for (size_t i = 0; i < sizeof scalar_types / sizeof scalar_types[0]; i++)
		if (strcmp(scalar_types[i].typname, typname) == 0)
			return &scalar_types[i];
	return &text_type;
}

/*
 * geo_flags: the ENC_GEO_* flags of a PostGIS type t (or t's elements).
 * A geometry typmod holds the subtype in bits 2-7: Point (1) to
 * MultiPolygon (6) are always expressible in GeoJSON; a collection (7),
 * the curves and surfaces (8 to 15) and plain geometry (0) may not be.
 */
static unsigned char
geo_flags(const PgType *t)
{
	int subtype = t->typmod < 0 ? 0 : (t->typmod & 0xFC) >> 2;

	if (t->typinput && strcmp(t->typinput, "geography_in") == 0)
		return ENC_GEO_GEOGRAPHY;
	return subtype >= 1 && subtype <= 6 ? 0 : ENC_GEO_ANY_KIND;
}

/*
 * typemap_type_list: ["null", t] for a nullable column, else [t] (owned).
 */
json_t *
typemap_type_list(const char *t, bool nullable)
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
 * typemap_numeric_typmod: decodes a numeric typmod into precision and scale
 * (PostgreSQL 15 allows a negative scale, and a scale above the
 * precision). Returns false for an unconstrained numeric.
 */
bool
typemap_numeric_typmod(int typmod, int *precision, int *scale)
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
 * largest_value: the largest value of numeric(p,s), 10^(p-s) - 10^-s, as
 * a JSON number (owned), negated when neg; NULL when out of range. It is
 * exact when it has at most 15 digits (a double keeps those) or is an
 * integer that fits in 64 bits. Otherwise it cannot be written exactly
 * as a number that readers take as a double, and 10^(p-s) is written
 * instead (or, when that is not an exact integer, a little more): a bound
 * no value of the column reaches.
 */
static json_t *
largest_value(int precision, int scale, bool neg)
{
	char text[400];
	int len = 0;
	double d;

	if (precision - scale > 307 || scale > 307 || -scale > 307)
		return NULL;
	if (scale <= 0 && precision - scale <= 18)
	{
		json_int_t v = 0, unit = 1;

		for (int i = 0; i < -scale; i++)
			unit *= 10;
		for (int i = 0; i < precision; i++)
			v = v * 10 + 9;
		return json_integer(neg ? -v * unit : v * unit);
	}
	if (precision > 15)
	{
		if (precision - scale >= 0 && precision - scale <= 18)
			return pow10_json(precision - scale, neg);
		/* the double nearest 10^k can be below it; this one is above */
		snprintf(text, sizeof text, "1.00000000000001e%d", precision - scale);
		d = strtod(text, NULL);
		return json_real(neg ? -d : d);
	}
	/* p nines, scaled: 999.99 is "99999e-2" */
	for (int i = 0; i < precision; i++)
		text[len++] = '9';
	snprintf(text + len, sizeof text - (size_t) len, "e%d", -scale);
	d = strtod(text, NULL);
	return json_real(neg ? -d : d);
}

/*
 * typemap_numeric_bounds: maximum and minimum the largest value of numeric(p,s)
 * and its negation, multipleOf 10^-s. Returns false (and nothing owned)
 * when any of them is out of range.
 */
bool
typemap_numeric_bounds(int precision, int scale, NumericBounds *b)
{
	b->maximum = largest_value(precision, scale, false);
	b->multiple_of = pow10_json(-scale, false);
	b->minimum = largest_value(precision, scale, true);
	if (precision > 0 && b->maximum && b->multiple_of && b->minimum)
		return true;
	json_decref(b->maximum);
	json_decref(b->multiple_of);
	json_decref(b->minimum);
	memset(b, 0, sizeof *b);
	return false;
}

static json_t *field_schema(const PgType *t, bool json_as_object, int depth);

/*
 * set_sanitized: sets key in o to v where key is not valid UTF-8 (a field
 * name on a SQL_ASCII database): its invalid bytes become U+FFFD, as in
 * the field's key in RECORDs.
 */
static void
set_sanitized(json_t *o, const char *key, json_t *v)
{
	Buf b;
	json_t *k;

	buf_init(&b, 64);
	jsonw_string(&b, key, strlen(key));
	k = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL);
	if (json_is_string(k))
		json_object_set(o, json_string_value(k), v);
	json_decref(k);
	buf_fini(&b);
}

/*
 * typemap_scalar_schema: the property schema of a non-array value of type sc
 * (owned); t gives a composite's fields, depth its nesting.
 */
json_t *
typemap_scalar_schema(const ScalarType *sc, const PgType *t, int typmod,
					  bool nullable, bool json_as_object, int depth)
{
	json_t *o = json_object();

	switch (sc->cls)
	{
		case SC_INTEGER:
		{
			json_int_t half = (json_int_t) 1 << (sc->bits - 2);

			/* -2^(bits-1) .. 2^(bits-1)-1, without overflowing int64 */
			json_object_set_new(o, "type",
								typemap_type_list("integer", nullable));
			json_object_set_new(o, "minimum", json_integer(-half - half));
			json_object_set_new(o, "maximum", json_integer((half - 1) + half));
			break;
		}
		case SC_NUMERIC:
		{
			int p, s;
			NumericBounds b;

			json_object_set_new(o, "type",
								typemap_type_list("number", nullable));
			if (typemap_numeric_typmod(typmod, &p, &s) &&
				typemap_numeric_bounds(p, s, &b))
			{
				json_object_set_new(o, "maximum", b.maximum);
				json_object_set_new(o, "multipleOf", b.multiple_of);
				json_object_set_new(o, "minimum", b.minimum);
			}
			break;
		}
		case SC_FLOAT:
			json_object_set_new(o, "type",
								typemap_type_list("number", nullable));
			break;
		case SC_BOOL:
			json_object_set_new(o, "type",
								typemap_type_list("boolean", nullable));
			break;
		case SC_BIT:
			json_object_set_new(
				o, "type",
				typemap_type_list(typmod == 1 ? "boolean" : "string",
								  nullable));
			break;
		case SC_CHARLEN:
			json_object_set_new(o, "type",
								typemap_type_list("string", nullable));
			/* the typmod of char(n) and varchar(n) is n + 4 */
			if (typmod > 4)
				json_object_set_new(o, "maxLength", json_integer(typmod - 4));
			break;
		case SC_STRING:
			json_object_set_new(o, "type",
								typemap_type_list("string", nullable));
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
				json_object_set_new(o, "type",
									typemap_type_list("string", nullable));
			break;
		case SC_HSTORE:
			json_object_set_new(o, "type",
								typemap_type_list("object", nullable));
			json_object_set_new(o, "properties", json_object());
			break;
		case SC_DATETIME:
			json_object_set_new(o, "type",
								typemap_type_list("string", nullable));
			json_object_set_new(o, "format", json_string("date-time"));
			break;
		case SC_GEO:
			json_object_set_new(
				o, "type",
				typemap_type_list(json_as_object ? "object" : "string",
								  nullable));
			/* what GeoJSON cannot express comes as an EWKT string */
			if (json_as_object && (geo_flags(t) & ENC_GEO_ANY_KIND))
				json_array_append_new(json_object_get(o, "type"),
									  json_string("string"));
			break;
		case SC_VECTOR:
			json_object_set_new(o, "type",
								typemap_type_list("array", nullable));
			json_object_set_new(o, "items",
								json_pack("{s:s}", "type", "number"));
			break;
		case SC_COMPOSITE:
		{
			json_t *props = json_object();

			json_object_set_new(o, "type",
								typemap_type_list("object", nullable));
			for (size_t i = 0; i < t->comp->nfields; i++)
			{
				const PgField *f = &t->comp->fields[i];

				json_t *fs = field_schema(&f->type, json_as_object, depth + 1);

				if (json_object_set(props, f->name, fs) != 0)
					set_sanitized(props, f->name, fs);
				json_decref(fs);
			}
			json_object_set_new(o, "properties", props);
			break;
		}
	}
	return o;
}

/*
 * scalar_encoder: how values of type sc are rendered (json_as_object
 * only applies to a json or PostGIS value that is not in an array)
 */
static EncKind
scalar_encoder(const ScalarType *sc, int typmod, bool json_as_object)
{
	if (sc->cls == SC_BIT)
		return typmod == 1 ? ENC_BIT1 : ENC_STRING;
	if (sc->cls == SC_JSON || sc->cls == SC_GEO)
		return json_as_object ? ENC_JSON_RAW : ENC_STRING;
	return sc->enc;
}

/*
 * map_type: fills *out for a value of type t (see typemap_map).
 * in_composite: t is a field of a composite at nesting depth depth, whose
 * array items are spelled out and whose PostGIS values are their text.
 */
static void
map_type(const PgType *t, bool nullable, bool json_as_object, bool in_composite,
		 int depth, TypeMapping *out)
{
	const ScalarType *sc;

	memset(out, 0, sizeof *out);
	out->enc.kind = ENC_STRING;
	out->enc.elem = ENC_STRING;
	out->enc.delim = ',';

	sc = find_scalar(t, t->is_array ? t->elem_typname : t->typname,
					 t->is_array ? t->elem_typtype : t->typtype, in_composite);
	if (sc->cls == SC_GEO)
	{
		out->enc.geojson_schema = t->ext_schema;
		out->enc.geo = geo_flags(t);
	}
	if (sc->cls == SC_COMPOSITE && depth >= COMPOSITE_MAX_DEPTH)
		sc = &text_type;
	if (t->is_array)
	{
		json_t *o = json_object();

		if (sc->cls == SC_GEO)
		{
			/* GeoJSON elements stay strings, in a text[] (delimiter ',',
			   where PostGIS's own types use ':') */
			sc = &text_type;
			out->enc.delim = ',';
		}
		json_object_set_new(o, "type", typemap_type_list("array", nullable));
		json_object_set_new(o, "items",
							typemap_array_items(sc, t, json_as_object, depth,
												!in_composite, &out->def_name,
												&out->def));
		out->schema = o;
		out->enc.kind = ENC_ARRAY;
		out->enc.elem = scalar_encoder(sc, t->typmod, false);
		if (sc->cls == SC_COMPOSITE)
			out->enc.comp = &t->comp->enc;
		if (t->elem_delim != '\0' && out->enc.geojson_schema == NULL)
			out->enc.delim = t->elem_delim;
		return;
	}
	out->schema = typemap_scalar_schema(sc, t, t->typmod, nullable,
										json_as_object, depth);
	out->enc.kind = scalar_encoder(sc, t->typmod, json_as_object);
	if (sc->cls == SC_COMPOSITE)
		out->enc.comp = &t->comp->enc;
	out->valid_replication_key = sc->rk;
}

/*
 * field_schema: the schema of a composite's field of type t (owned)
 */
static json_t *
field_schema(const PgType *t, bool json_as_object, int depth)
{
	TypeMapping m;
	json_t *schema;

	map_type(t, true, json_as_object, true, depth, &m);
	schema = json_incref(m.schema);
	typemap_fini(&m);
	return schema;
}

/*
 * typemap_map: fills *out for a column of type t. out's schema, def_name
 * and def are owned by the caller (typemap_fini); out->enc may point into
 * t's composite, which must outlive it.
 */
void
typemap_map(const PgType *t, bool nullable, bool json_as_object,
			TypeMapping *out)
{
	map_type(t, nullable, json_as_object, false, 0, out);
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

/*
 * typemap_composite_prepare: the fields' encoders and JSON keys.
 */
void
typemap_composite_prepare(PgComposite *c, bool json_as_object)
{
	Buf keys;
	size_t *off = xmalloc_array(c->nfields + 1, sizeof *off);

	buf_init(&keys, 64);
	c->encfields = xcalloc(c->nfields ? c->nfields : 1, sizeof *c->encfields);
	for (size_t i = 0; i < c->nfields; i++)
	{
		TypeMapping m;

		off[i] = keys.len;
		jsonw_string(&keys, c->fields[i].name, strlen(c->fields[i].name));
		buf_putc(&keys, ':');
		map_type(&c->fields[i].type, true, json_as_object, true, 1, &m);
		c->encfields[i].enc = m.enc;
		typemap_fini(&m);
	}
	off[c->nfields] = keys.len;
	c->keys = xmalloc(keys.len + 1);
	memcpy(c->keys, keys.data ? keys.data : "", keys.len);
	c->keys[keys.len] = '\0';
	for (size_t i = 0; i < c->nfields; i++)
	{
		c->encfields[i].key = c->keys + off[i];
		c->encfields[i].keylen = off[i + 1] - off[i];
	}
	buf_fini(&keys);
	free(off);
	c->enc.fields = c->encfields;
	c->enc.nfields = c->nfields;
}

/*
 * typemap_composite_fini: frees what typemap_composite_prepare allocated.
 */
void
typemap_composite_fini(PgComposite *c)
{
	free(c->encfields);
	free(c->keys);
	c->encfields = NULL;
	c->keys = NULL;
	memset(&c->enc, 0, sizeof c->enc);
}
