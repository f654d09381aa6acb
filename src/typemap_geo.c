/*
 * typemap_geo.c: the SELECT-list expression of a column, which for
 * PostGIS values (and arrays of them) is the extension's ST_AsGeoJSON
 * call, so that the server renders them as GeoJSON.
 */
#include <stdbool.h>

#include "tap/buf.h"
#include "tap/conn.h"
#include "tap/typemap.h"

/*
 * PostGIS prints a coordinate with at most this many decimals, in the
 * shortest form that reads back the same double; fewer would round
 * small coordinates (17 turns 1.2345678901234567e-5 into
 * 0.00001234567890123).
 */
#define GEOJSON_DIGITS "1000"

/* ext_call: appends "<schema>".<fn>( */
static void
ext_call(Buf *out, const Encoder *enc, const char *fn)
{
	conn_quote_ident(out, enc->geojson_schema);
	buf_putc(out, '.');
	buf_append_str(out, fn);
	buf_putc(out, '(');
}

/* geo_value: v, or for a geography v read as geometry */
static void
geo_value(Buf *out, const Encoder *enc, const char *v)
{
	if (enc->geo & ENC_GEO_GEOGRAPHY)
	{
		ext_call(out, enc, "geometry");
		buf_append_str(out, v);
		buf_putc(out, ')');
	}
	else
		buf_append_str(out, v);
}

/*
 * geo_expr: the text of one PostGIS value v (an SQL expression): its
 * GeoJSON (option 8: the CRS when the SRID is not 4326), or, for what
 * GeoJSON cannot express (ST_AsGeoJSON would fail the whole read), its
 * EWKT, as a JSON string when raw.
 */
static void
geo_expr(Buf *out, const Encoder *enc, const char *v, bool raw)
{
	if (enc->geo & ENC_GEO_ANY_KIND)
	{
		buf_append_str(out, "CASE WHEN ");
		ext_call(out, enc, "st_hasarc");
		buf_printf(out, "%s) OR ", v);
		ext_call(out, enc, "geometrytype");
		buf_printf(out, "%s) LIKE 'POLYHEDRALSURFACE%%' OR (", v);
		ext_call(out, enc, "geometrytype");
		buf_printf(out, "%s) LIKE 'GEOMETRYCOLLECTION%%' AND ", v);
		ext_call(out, enc, "st_astext");
		buf_printf(out, "%s) LIKE '%%POLYHEDRALSURFACE%%') THEN ", v);
		if (raw)
			buf_append_str(out, "pg_catalog.to_json(");
		ext_call(out, enc, "st_asewkt");
		buf_printf(out, "%s, " GEOJSON_DIGITS ")", v);
		if (raw)
			buf_append_str(out, ")::pg_catalog.text");
		buf_append_str(out, " ELSE ");
	}
	ext_call(out, enc, "st_asgeojson");
	geo_value(out, enc, v);
	buf_append_str(out, ", " GEOJSON_DIGITS ", 8)");
	if (enc->geo & ENC_GEO_ANY_KIND)
		buf_append_str(out, " END");
}

/*
 * typemap_select_expr: the column, or for a PostGIS value the server's
 * GeoJSON of it. An array of them is rendered element by element, in
 * order (a multi-dimensional one comes out flattened).
 */
void
typemap_select_expr(Buf *out, const Encoder *enc, const char *column)
{
	Buf col;

	if (enc->geojson_schema == NULL)
	{
		conn_quote_ident(out, column);
		return;
	}
	buf_init(&col, 64);
	conn_quote_ident(&col, column);
	if (enc->kind != ENC_ARRAY)
		geo_expr(out, enc, buf_cstr(&col), enc->kind == ENC_JSON_RAW);
	else
	{
		buf_printf(out, "CASE WHEN %s IS NULL THEN NULL ELSE ARRAY(SELECT ",
				   buf_cstr(&col));
		geo_expr(out, enc, "u.e", false);
		buf_printf(out,
				   " FROM pg_catalog.unnest(%s) WITH ORDINALITY AS u(e, o) "
				   "ORDER BY u.o) END",
				   buf_cstr(&col));
	}
	buf_fini(&col);
}
