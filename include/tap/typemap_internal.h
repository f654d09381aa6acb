/*
 * typemap_internal.h: what the typemap_* files share, and nothing else
 * includes: how a scalar type is described, and the schema builders that
 * array schemas reuse. The API for the rest of the tap is typemap.h.
 */
#ifndef TAP_TYPEMAP_INTERNAL_H
#define TAP_TYPEMAP_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "tap/encode.h"
#include "tap/typemap.h"

/* How a scalar type is described in JSON Schema. */
typedef enum ScalarClass
{
	SC_INTEGER,   /* integer with bounds from bits */
	SC_NUMERIC,   /* numeric(p,s): SIO's bounds; unconstrained: number */
	SC_FLOAT,     /* number */
	SC_BOOL,      /* boolean */
	SC_BIT,       /* bit(1): boolean; bit(n > 1): string */
	SC_CHARLEN,   /* string with maxLength from the typmod */
	SC_STRING,    /* string */
	SC_JSON,      /* string, or any JSON value with json_as_object */
	SC_HSTORE,    /* object with empty properties */
	SC_DATETIME,  /* string with format date-time */
	SC_GEO,       /* PostGIS: GeoJSON, a string or (json_as_object) object */
	SC_VECTOR,    /* pgvector vector, halfvec: array of numbers */
	SC_COMPOSITE, /* object of the fields */
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
 * NumericBounds: the keywords for numeric(p,s), each owned (or all NULL
 * when they cannot be written).
 */
typedef struct NumericBounds
{
	json_t *maximum;
	json_t *multiple_of;
	json_t *minimum;
} NumericBounds;

/* typemap_type_list: ["null", t] for a nullable column, else [t] (owned) */
json_t *typemap_type_list(const char *t, bool nullable);

/*
 * typemap_scalar_schema: the property schema of a non-array value of type
 * sc (owned); t gives a composite's fields, depth its nesting.
 */
json_t *typemap_scalar_schema(const ScalarType *sc, const PgType *t, int typmod,
							  bool nullable, bool json_as_object, int depth);

/*
 * typemap_numeric_typmod: decodes a numeric typmod into precision and
 * scale; false for an unconstrained numeric.
 */
bool typemap_numeric_typmod(int typmod, int *precision, int *scale);

/*
 * typemap_numeric_bounds: fills *b with the keywords for numeric(p,s);
 * see typemap.c.
 */
bool typemap_numeric_bounds(int precision, int scale, NumericBounds *b);

/*
 * typemap_array_items: the items schema of an array whose element is sc
 * (owned); see typemap_array.c.
 */
json_t *typemap_array_items(const ScalarType *sc, const PgType *t,
							bool json_as_object, int depth, bool by_ref,
							char **def_name, json_t **def);

#endif
