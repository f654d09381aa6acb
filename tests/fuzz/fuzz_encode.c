/*
 * fuzz_encode.c: encode_value on any text. The first byte picks the
 * encoder: its low nibble the kind (13..15: an array, ';'-delimited for
 * 15), its high nibble the array's element kind (mod 13; 13..15 also
 * place the value inside the scratch buffer, as an element of a
 * decoded COPY field may be). The rest is the value.
 *
 * Invariant: the output is one JSON value (RFC 8259, json_check.h) on one
 * line, appended after what the buffer held. The exception is json/jsonb
 * with json_as_object (ENC_JSON_RAW), whose text comes from the server
 * and is copied: there the output must be JSON whenever the input is.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "json_check.h"
#include "tap/buf.h"
#include "tap/encode.h"

#define PREFIX "{\"k\":"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Encoder enc = {ENC_STRING, ENC_STRING, ','};
	Buf out;
	Buf scratch;
	const char *s;
	size_t n;
	unsigned lo;
	unsigned hi;
	bool in_scratch = false;
	bool must_parse = true;
	char *val;

	if (size < 1)
		return 0;
	lo = data[0] & 0x0F;
	hi = data[0] >> 4;
	s = (const char *) data + 1;
	n = size - 1;
	if (lo >= 13)
	{
		enc.kind = ENC_ARRAY;
		enc.elem = (EncKind) (hi % 13);
		enc.delim = lo == 15 ? ';' : ',';
		in_scratch = hi >= 13;
	}
	else
		enc.kind = (EncKind) lo;

	/* exactly n bytes, so that a read past the value is caught */
	val = malloc(n ? n : 1);
	if (val == NULL)
		return 0;
	if (n)
		memcpy(val, s, n);
	s = val;

	buf_init(&out, 16);
	buf_init(&scratch, 16);
	buf_append_str(&out, PREFIX);
	if (in_scratch)
	{
		/* the value lives in scratch: encode must not overwrite it */
		buf_append(&scratch, s, n);
		s = scratch.data;
	}
	if (enc.kind == ENC_JSON_RAW)
		must_parse = json_check(s, n);
	else if (enc.kind == ENC_ARRAY && enc.elem == ENC_JSON_RAW)
		must_parse = false; /* elements are server JSON; not checked */

	encode_value(&out, &scratch, &enc, s, n);

	FUZZ_CHECK(out.len > strlen(PREFIX) &&
				   memcmp(out.data, PREFIX, strlen(PREFIX)) == 0,
			   "encode_value wrote nothing or overwrote the buffer", out.data,
			   out.len);
	FUZZ_CHECK(memchr(out.data, '\n', out.len) == NULL &&
				   memchr(out.data, '\r', out.len) == NULL,
			   "output spans lines", out.data, out.len);
	if (in_scratch)
		FUZZ_CHECK(scratch.data == s && memcmp(s, val, n) == 0,
				   "the input in scratch was moved or overwritten", NULL, 0);
	if (must_parse)
	{
		buf_putc(&out, '}');
		if (!json_check(out.data, out.len))
		{
			fprintf(stderr, "kind %d elem %d\n", (int) enc.kind,
					(int) enc.elem);
			fuzz_fail("output is not JSON", out.data, out.len);
		}
	}
	buf_fini(&out);
	buf_fini(&scratch);
	free(val);
	return 0;
}
