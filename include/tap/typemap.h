/*
 * typemap.h: PostgreSQL column type -> JSON Schema and value encoder.
 *
 * Input is one column's type as the discovery query reports it, with
 * domains already resolved to their base type. Output is the property
 * schema SIO would write (reference/anchors.md section 4, with SPEC
 * section 4's changes), the metadata sql-datatype, and how values are
 * rendered.
 */
#ifndef TAP_TYPEMAP_H
#define TAP_TYPEMAP_H

#include <jansson.h>
#include <stdbool.h>

#include "tap/encode.h"

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
} PgType;

typedef struct TypeMapping
{
	bool supported;             /* false: inclusion "unsupported", schema {} */
	bool valid_replication_key; /* can order an incremental sync */
	Encoder enc;
	json_t *schema; /* owned: the property schema */
	char *def_name; /* owned or NULL: a definition the schema refers to
							 that is not one of the base six (numeric(p,s)[]) */
	json_t *def;    /* owned or NULL: that definition's schema */
} TypeMapping;

/*
 * typemap_map: maps t. nullable is false for key columns and NOT NULL
 * columns. Never fails: an unknown type gives supported = false.
 */
void typemap_map(const PgType *t, bool nullable, bool json_as_object,
				 TypeMapping *out);
void typemap_fini(TypeMapping *m);

/* typemap_base_definitions: the six recursive array schemas (owned) */
json_t *typemap_base_definitions(void);

#endif
