/*
 * encode.h: one PostgreSQL text value -> its JSON rendering in a RECORD.
 *
 * The input is a value as PostgreSQL prints it (text output, already
 * un-escaped from COPY's text format), in a session with TimeZone=UTC,
 * DateStyle=ISO, IntervalStyle=iso_8601, extra_float_digits=3,
 * bytea_output=hex and client_encoding=UTF8. NULL is handled by the
 * caller (it writes null); encode_value is only called for non-NULL
 * values. The rendering follows README's "Types" (SIO's rules, with
 * the differences listed there). Nothing here allocates per value
 * except growth of the caller's buffers.
 */
#ifndef TAP_ENCODE_H
#define TAP_ENCODE_H

#include <stddef.h>

#include "tap/buf.h"

typedef enum EncKind
{
	ENC_STRING =
		0,         /* any text: JSON string, escaped, invalid UTF-8 -> U+FFFD */
	ENC_INTEGER,   /* int2/int4/int8: copied as a JSON integer */
	ENC_NUMBER,    /* numeric, float4, float8: copied verbatim;
						 NaN, Infinity, -Infinity -> null */
	ENC_BOOL,      /* t/f -> true/false */
	ENC_BIT1,      /* bit(1): "1" -> true, "0" -> false */
	ENC_JSON_RAW,  /* json/jsonb with json_as_object: the text verbatim */
	ENC_HSTORE,    /* hstore text -> JSON object, NULL values -> null */
	ENC_DATE,      /* 2024-02-29 -> "2024-02-29T00:00:00+00:00" */
	ENC_TIMESTAMP, /* timestamp without time zone -> "...T...+00:00" */
	ENC_TIMESTAMPTZ, /* timestamptz (UTC session) -> "...T...+00:00" */
	ENC_TIME,        /* time -> "HH:MM:SS[.ffffff]", 24:00:00 kept */
	ENC_TIMETZ,      /* timetz -> "HH:MM:SS[.ffffff]+HH:MM" */
	ENC_BYTEA,       /* \x0102 -> "0102" */
	ENC_ARRAY,       /* PostgreSQL array literal -> nested JSON arrays */
	ENC_NUMBERS,     /* pgvector's [1,-2.5,3e-05]: copied when every element
						is a JSON number */
	ENC_COMPOSITE,   /* (a,"b c",) -> {"f1":...,"f2":...,"f3":null} */
} EncKind;

struct EncComposite;

/*
 * How one column is rendered. For ENC_ARRAY, elem says how elements are;
 * for ENC_COMPOSITE (or ENC_ARRAY of ENC_COMPOSITE), comp gives the fields.
 */
typedef struct Encoder
{
	EncKind kind;
	EncKind elem; /* element kind, for ENC_ARRAY only */
	char delim;   /* array element delimiter: ',' (';' for box) */
	const struct EncComposite *comp; /* borrowed; composites only */
	/* borrowed: for PostGIS values, the schema of the ST_AsGeoJSON that
	   renders them on the server (typemap_select_expr), else NULL */
	const char *geojson_schema;
	unsigned char geo; /* ENC_GEO_* flags, with geojson_schema */
} Encoder;

/* The value is a geography: read as geometry, whose GeoJSON keeps SRIDs */
#define ENC_GEO_GEOGRAPHY 0x1
/* The column may hold curves or polyhedral surfaces, which GeoJSON cannot
   express: those are read as EWKT */
#define ENC_GEO_ANY_KIND 0x2

/* One field of a composite type: its JSON key and how its values look. */
typedef struct EncField
{
	const char *key; /* "name": already JSON-encoded, with the colon */
	size_t keylen;
	Encoder enc;
} EncField;

/* The fields of a composite type, in the order its text output lists them */
typedef struct EncComposite
{
	const EncField *fields;
	size_t nfields;
} EncComposite;

/* Flags returned by encode_value */
#define ENC_F_CLAMPED 0x1 /* BC / year > 9999 date or timestamp clamped */
#define ENC_F_NONFINITE                                                        \
	0x2 /* infinity, -infinity or NaN (rendered clamped or null) */

/*
 * encode_value: appends the JSON rendering of s[0..n) to out. scratch is
 * a work buffer the caller owns and reuses (array element un-escaping);
 * its contents are undefined afterwards. Returns a mask of ENC_F_* flags
 * (for arrays, the OR over all elements). Malformed input never crashes:
 * a value that cannot be parsed is written as a JSON string of its text.
 */
int encode_value(Buf *out, Buf *scratch, const Encoder *enc, const char *s,
				 size_t n);

#endif
