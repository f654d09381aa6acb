/*
 * test_buf.c: the growable byte buffer.
 *
 * Checks the contents after every kind of append, that growth keeps what
 * was there, that buf_printf is right on both sides of the capacity, and
 * that a reused buffer stops allocating once it has seen the largest row.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "tap/buf.h"

static void
test_init(void)
{
	Buf b;

	buf_init(&b, 0);
	ok(b.data != NULL && b.len == 0 && b.cap == 64,
	   "buf_init(0): 64 bytes, empty");
	buf_fini(&b);
	ok(b.data == NULL && b.len == 0 && b.cap == 0,
	   "buf_fini: data freed, length and capacity zero");

	buf_init(&b, 10);
	is_int((long long) b.cap, 10, "buf_init(10): capacity 10");
	buf_fini(&b);
}

static void
test_append(void)
{
	Buf b;

	buf_init(&b, 4);
	buf_append(&b, "ab", 2);
	buf_append_str(&b, "cdef");
	buf_putc(&b, 'g');
	buf_append(&b, NULL, 0);
	is_mem(b.data, b.len, "abcdefg", 7, "append, append_str, putc in order");
	ok(b.cap >= b.len, "capacity covers the length");
	is_int((long long) b.cap, 8, "growth doubles the capacity (4 -> 8)");
	is_str(buf_cstr(&b), "abcdefg", "buf_cstr terminates the contents");
	is_int((long long) b.len, 7, "buf_cstr does not count the NUL");

	buf_reset(&b);
	is_int((long long) b.len, 0, "buf_reset empties");
	is_str(buf_cstr(&b), "", "an empty buffer is the empty string");
	buf_fini(&b);
}

static void
test_reserve_commit(void)
{
	Buf b;
	char *tail;

	buf_init(&b, 2);
	buf_append(&b, "x", 1);
	tail = buf_reserve(&b, 5);
	ok(tail == b.data + 1, "buf_reserve returns the tail");
	ok(b.cap - b.len >= 5, "buf_reserve makes room");
	memcpy(tail, "12345", 5);
	buf_commit(&b, 3);
	is_mem(b.data, b.len, "x123", 4, "buf_commit counts only what it is told");
	buf_fini(&b);
}

static void
test_grow_keeps_contents(void)
{
	Buf b;
	char want[100000];
	bool same = true;

	for (size_t i = 0; i < sizeof want; i++)
		want[i] = (char) ('a' + i % 26);
	buf_init(&b, 1);
	for (size_t i = 0; i < sizeof want; i++)
		buf_putc(&b, want[i]);
	is_int((long long) b.len, (long long) sizeof want, "100000 putc");
	for (size_t i = 0; i < sizeof want && same; i++)
		same = b.data[i] == want[i];
	ok(same, "every byte survives the growth");
	is_int((long long) b.cap, 131072, "capacity is the next power of two");
	buf_fini(&b);
}

static void
test_printf(void)
{
	Buf b;
	char big[300];

	buf_init(&b, 8);
	buf_printf(&b, "%d-%s", 42, "ab");
	is_mem(b.data, b.len, "42-ab", 5, "buf_printf within capacity");
	buf_printf(&b, "|%lld|", (long long) INT64_MIN);
	is_str(buf_cstr(&b), "42-ab|-9223372036854775808|",
		   "buf_printf past the capacity grows and writes it all");

	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_reset(&b);
	buf_printf(&b, "%s", big);
	is_str(buf_cstr(&b), big, "a 299-byte buf_printf");
	buf_printf(&b, "%s", "");
	is_int((long long) b.len, 299, "an empty buf_printf adds nothing");
	buf_fini(&b);
}

static void
test_reuse_stops_allocating(void)
{
	Buf b;
	char row[5000];
	size_t cap;
	char *data;

	memset(row, 'r', sizeof row);
	buf_init(&b, 16);
	buf_append(&b, row, sizeof row);
	cap = b.cap;
	data = b.data;
	for (int i = 0; i < 100; i++)
	{
		buf_reset(&b);
		buf_append(&b, row, (size_t) (i * 50));
	}
	ok(b.cap == cap && b.data == data,
	   "rows no larger than the largest seen reuse the same memory");
	buf_fini(&b);
}

int
main(void)
{
	test_init();
	test_append();
	test_reserve_commit();
	test_grow_keeps_contents();
	test_printf();
	test_reuse_stops_allocating();
	return done_testing();
}
