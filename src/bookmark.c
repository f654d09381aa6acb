/*
 * bookmark.c: validating, resetting and rendering a stream's bookmark.
 */
#include "tap/bookmark.h"

#include <string.h>

#include "tap/jsonw.h"
#include "tap/log.h"
#include "tap/method.h"
#include "tap/state.h"

/* The most significant digits a double carries exactly enough to read a
 * decimal back unchanged. */
#define DOUBLE_EXACT_DIGITS 15
/* Block numbers and 32-bit transaction ids run from 0 to 2^32 - 1. */
#define UINT32_LAST 4294967295LL

void
bookmark_reset_on_method_change(json_t *state, const StreamSpec *spec)
{
	json_t *bm = state_bookmark(state, spec->tap_stream_id);
	const char *method = method_name(spec->method);
	const char *last =
		json_string_value(json_object_get(bm, "last_replication_method"));
	const char *key = json_string_value(json_object_get(bm, "replication_key"));
	bool reset = false;

	if (last != NULL && strcmp(last, method) != 0)
	{
		log_info("stream \"%s\": replication method changed from %s to %s; "
				 "starting it over",
				 spec->tap_stream_id, last, method);
		reset = true;
	}
	else if (spec->method == REPL_INCREMENTAL &&
			 (key == NULL || strcmp(key, spec->replication_key) != 0))
	{
		if (key != NULL)
			log_info("stream \"%s\": replication key changed from \"%s\" to "
					 "\"%s\"; starting it over",
					 spec->tap_stream_id, key, spec->replication_key);
		reset = true;
	}
	if (reset)
		json_object_clear(bm);
	json_object_set_new(bm, "last_replication_method", json_string(method));
}

static bool
in_uint32_range(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0 &&
		   json_integer_value(v) <= UINT32_LAST;
}

static bool
absent_or_null(const json_t *v)
{
	return v == NULL || json_is_null(v);
}

TapStatus
bookmark_check(json_t *state, const StreamSpec *spec, const char *path)
{
	json_t *bm = state_bookmark(state, spec->tap_stream_id);
	const json_t *v;
	const char *bad = NULL;
	const char *want = NULL;

	v = json_object_get(bm, "version");
	if (!absent_or_null(v) &&
		!(json_is_integer(v) && json_integer_value(v) >= 0))
		bad = "version", want = "a positive integer";
	v = json_object_get(bm, "ctid_block");
	if (bad == NULL && !absent_or_null(v) && !in_uint32_range(v))
		bad = "ctid_block",
		want = "a block number from 0 to 4294967295, or null";
	v = json_object_get(bm, "snapshot_xmin");
	if (bad == NULL && !absent_or_null(v) && !in_uint32_range(v))
		bad = "snapshot_xmin",
		want = "a transaction id from 0 to 4294967295, or null";
	/* XMIN's 64-bit (epoch-aware) transaction horizons */
	v = json_object_get(bm, "xmin_horizon");
	if (bad == NULL && !absent_or_null(v) &&
		!(json_is_integer(v) && json_integer_value(v) >= 0))
		bad = "xmin_horizon", want = "a transaction id (64-bit), or null";
	v = json_object_get(bm, "xmin_snapshot");
	if (bad == NULL && !absent_or_null(v) &&
		!(json_is_integer(v) && json_integer_value(v) >= 0))
		bad = "xmin_snapshot", want = "a transaction id (64-bit), or null";
	v = json_object_get(bm, "replication_key_value");
	if (bad == NULL && v != NULL &&
		!(json_is_null(v) || json_is_string(v) || json_is_number(v)))
		bad = "replication_key_value", want = "a string or a number";
	if (bad == NULL)
		return TAP_OK;
	log_critical("state file \"%s\": stream \"%s\": \"%s\" must be %s",
				 path ? path : "(none)", spec->tap_stream_id, bad, want);
	return TAP_ERR_INPUT;
}

/* significant_digits: the digits of a decimal's mantissa, leading zeros
 * not counted */
static size_t
significant_digits(const char *s, size_t len)
{
	size_t digits = 0;

	for (size_t i = 0; i < len; i++)
	{
		char c = s[i];

		if (c == 'e' || c == 'E')
			break;
		if (c >= '0' && c <= '9' && (digits > 0 || c != '0'))
			digits++;
	}
	return digits;
}

json_t *
bookmark_value(const char *rendered, size_t len)
{
	json_error_t err;
	json_t *v = json_loadb(rendered, len, JSON_DECODE_ANY, &err);

	if (v == NULL)
		return json_stringn(rendered, len);
	/* keep a number only if a double holds it exactly enough to read back;
	 * a long numeric stays exact as a string */
	if (json_is_real(v) &&
		significant_digits(rendered, len) > DOUBLE_EXACT_DIGITS)
	{
		json_decref(v);
		return json_stringn(rendered, len);
	}
	return v;
}

bool
bookmark_literal(const json_t *v, Buf *out)
{
	buf_reset(out);
	if (json_is_string(v))
		buf_append(out, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		jsonw_real(out, json_real_value(v));
	else
		return false;
	return true;
}
