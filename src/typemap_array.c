/*
 * typemap_array.c: the schemas of array columns: the six base
 * definitions every catalog carries, numeric(p,s)'s own definition, and
 * the items schema of an array of a given element type.
 */
#include <stdio.h>
#include <string.h>

#include "tap/mem.h"
#include "tap/typemap.h"
#include "tap/typemap_internal.h"

/* Array dimensions below a column's own: PostgreSQL allows six in all. */
#define ARRAY_INNER_LEVELS 5

/*
 * nest_items: the schema of the elements of an array that may hold up to
 * levels more dimensions: leaf, then level by level a copy of leaf with
 * "array" added to its types and the level below as its items. Takes
 * leaf; returns the outermost level (owned). Spelled out rather than
 * recursive, so that every validator reads it the same way.
 */
static json_t *
nest_items(json_t *leaf, int levels)
{
	json_t *inner = leaf;

	for (int i = 0; i < levels; i++)
	{
		json_t *lvl = json_deep_copy(leaf);

		json_array_append_new(json_object_get(lvl, "type"),
							  json_string("array"));
		json_object_set_new(lvl, "items", inner);
		inner = lvl;
	}
	return inner;
}

/*
 * base_leaf: {"type": ["null", t], ["format": format]} (owned)
 */
static json_t *
base_leaf(const char *t, const char *format)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", typemap_type_list(t, true));
	if (format)
		json_object_set_new(o, "format", json_string(format));
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

/* base_def: the base definition at index i (owned) */
static json_t *
base_def(size_t i)
{
	return nest_items(base_leaf(base_defs[i].type, base_defs[i].format),
					  ARRAY_INNER_LEVELS);
}

/*
 * typemap_base_definitions: a new object holding the six array schemas
 * (owned by the caller). SIO's names are kept, "recursive" included, so
 * that catalogs keep their shape; none refers to itself.
 */
json_t *
typemap_base_definitions(void)
{
	json_t *defs = json_object();

	for (size_t i = 0; i < sizeof base_defs / sizeof base_defs[0]; i++)
		json_object_set_new(defs, base_defs[i].name, base_def(i));
	return defs;
}

/*
 * decimal_def: the sdc_recursive_decimal_<p>_<s>_array definition, with
 * the bounds inlined in SIO's key order (owned). Takes b's references.
 */
static json_t *
decimal_def(NumericBounds *b)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", typemap_type_list("number", true));
	json_object_set_new(o, "multipleOf", b->multiple_of);
	json_object_set_new(o, "maximum", b->maximum);
	json_object_set_new(o, "minimum", b->minimum);
	memset(b, 0, sizeof *b);
	return nest_items(o, ARRAY_INNER_LEVELS);
}

/*
 * typemap_array_items: the items schema of an array whose element is sc (owned).
 * With a definition name in *def_name (owned) and the definition in *def
 * (owned, numeric(p,s) only) when by_ref, the items refer to it;
 * otherwise (inside a composite) they are spelled out.
 */
json_t *
typemap_array_items(const ScalarType *sc, const PgType *t, bool json_as_object,
					int depth, bool by_ref, char **def_name, json_t **def)
{
	size_t base = 2; /* sdc_recursive_string_array */
	char name[96];
	char ref[128];

	*def_name = NULL;
	*def = NULL;
	switch (sc->cls)
	{
		case SC_INTEGER:
			base = 0;
			break;
		case SC_FLOAT:
			base = 1;
			break;
		case SC_NUMERIC:
		{
			int p, s;
			NumericBounds b;

			base = 1;
			if (typemap_numeric_typmod(t->typmod, &p, &s) &&
				typemap_numeric_bounds(p, s, &b))
			{
				json_t *d = decimal_def(&b);

				if (!by_ref)
					return d;
				snprintf(name, sizeof name, "sdc_recursive_decimal_%d_%d_array",
						 p, s);
				*def_name = xstrdup(name);
				*def = d;
				snprintf(ref, sizeof ref, "#/definitions/%s", name);
				return json_pack("{s:s}", "$ref", ref);
			}
			break;
		}
		case SC_BOOL:
			base = 3;
			break;
		case SC_BIT:
			if (t->typmod == 1)
				base = 3;
			break;
		case SC_DATETIME:
			base = 4;
			break;
		case SC_HSTORE:
			base = 5;
			break;
		case SC_VECTOR:
			/* a vector is one more dimension of numbers */
			return nest_items(base_leaf("number", NULL),
							  ARRAY_INNER_LEVELS + 1);
		case SC_COMPOSITE:
			return nest_items(
				typemap_scalar_schema(sc, t, -1, true, json_as_object, depth),
				ARRAY_INNER_LEVELS);
		case SC_CHARLEN:
		case SC_STRING:
		case SC_JSON:
		case SC_GEO:
			break;
	}
	if (!by_ref)
		return base_def(base);
	snprintf(ref, sizeof ref, "#/definitions/%s", base_defs[base].name);
	return json_pack("{s:s}", "$ref", ref);
}
