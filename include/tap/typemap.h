/*
 * typemap.h: PostgreSQL column type -> JSON Schema and value encoder.
 *
 * Input is one column's type as the discovery query reports it, with
 * domains already resolved to their base type. Output is the property
 * schema singer-io/tap-postgres (SIO) would write, with the differences
 * README's "Types" lists, the metadata sql-datatype, and how values are
 * rendered.
 */
#ifndef TAP_TYPEMAP_H
#define TAP_TYPEMAP_H

#include <jansson.h>
#include <stdbool.h>

#include "tap/buf.h"
#include "tap/encode.h"

struct PgComposite;

/* A column's type as reported by the server (strings borrowed). */
typedef struct PgType
{
	const char *typname; /* base pg_type.typname, e.g. "int4", "_int4" */
	char typtype;        /* base pg_type.typtype: b c d e p r m */
	char typcategory;    /* base pg_type.typcategory */
	int typmod;          /* atttypmod, or the domain's typtypmod */
	bool is_array;
	const char *elem_typname; /* arrays: element base type name */
	char elem_typtype;
	char elem_typcategory;
	char elem_delim; /* pg_type.typdelim of the element */
	/*
	 * What the type is, whatever its name and schema: the name of its
	 * input function (PostGIS's geometry_in, pgvector's vector_in), and
	 * for an extension's type the schema of that extension, where its
	 * functions are (NULL when it belongs to none). For an array, of the
	 * element type.
	 */
	const char *typinput;
	const char *ext_schema;
	unsigned int comp_oid;          /* composite (element) type's oid, else 0 */
	const struct PgComposite *comp; /* its fields, or NULL if unknown */
} PgType;

/* One field of a composite type. */
typedef struct PgField
{
	const char *name;
	PgType type;
} PgField;

/*
 * A composite type: its fields in attnum order (dropped ones left out, as
 * its text output does), and their encoders once typemap_composite_prepare
 * has run. Owned by whoever read it from the server (discovery).
 */
typedef struct PgComposite
{
	unsigned int oid;
	PgField *fields;
	size_t nfields;
	EncComposite enc;    /* enc.fields points to encfields */
	EncField *encfields; /* owned by typemap_composite_prepare */
	char *keys;          /* owned: the fields' JSON keys, packed */
} PgComposite;

typedef struct TypeMapping
{
	bool valid_replication_key; /* can order an incremental sync */
	Encoder enc;
	json_t *schema; /* owned: the property schema */
	char *def_name; /* owned or NULL: a definition the schema refers to
							 that is not one of the base six (numeric(p,s)[]) */
	json_t *def;    /* owned or NULL: that definition's schema */
} TypeMapping;

/*
 * typemap_map: maps t. nullable is false for key columns and NOT NULL
 * columns. Never fails: every type has a mapping (one this tap does
 * not know is a string of its text output).
 */
void typemap_map(const PgType *t, bool nullable, bool json_as_object,
				 TypeMapping *out);
void typemap_fini(TypeMapping *m);

/*
 * typemap_select_expr: appends to out the SELECT-list expression that
 * reads column (a plain column name, quoted here) whose values enc (from
 * typemap_map) renders: the quoted column itself, or, for PostGIS
 * geometry and geography (and arrays of them), the call of the
 * extension's ST_AsGeoJSON, schema-qualified, that renders it as GeoJSON.
 */
void typemap_select_expr(Buf *out, const Encoder *enc, const char *column);

/*
 * typemap_composite_prepare: fills c->enc with the encoders of c's fields
 * (field composites may be prepared before or after: only their address
 * is kept). typemap_composite_fini frees what it allocated.
 */
void typemap_composite_prepare(PgComposite *c, bool json_as_object);
void typemap_composite_fini(PgComposite *c);

/*
 * typemap_base_definitions: the six array schemas (owned). Each allows
 * arrays nested up to PostgreSQL's six dimensions, spelled out level by
 * level: no definition refers to itself.
 */
json_t *typemap_base_definitions(void);

#endif
