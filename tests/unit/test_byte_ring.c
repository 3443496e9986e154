/* lib/byte_ring.h: the console's and each partition UART's receive ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>
#include <cmocka.h>

#include "byte_ring.h"

static struct byte_ring ring;

static void test_empty(void **state)
{
	struct byte_ring r = { 0 };
	assert_true(byte_ring_empty(&r));
	assert_int_equal(byte_ring_count(&r), 0);
	assert_int_equal(byte_ring_pop(&r), -1);
	assert_int_equal(byte_ring_peek(&r), -1);
}

static void test_fifo_order_and_count(void **state)
{
	struct byte_ring r = { 0 };
	const char *line = "echo typed-$((6*7))-into-linux-shell-ok\r";
	for (const char *p = line; *p; p++)
		assert_true(byte_ring_push(&r, (u8)*p));
	assert_int_equal(byte_ring_count(&r), strlen(line));
	assert_int_equal(byte_ring_peek(&r), 'e');
	for (const char *p = line; *p; p++)
		assert_int_equal(byte_ring_pop(&r), (u8)*p);
	assert_true(byte_ring_empty(&r));
}

static void test_bytes_0_and_ff(void **state)
{
	struct byte_ring r = { 0 };
	assert_true(byte_ring_push(&r, 0));
	assert_true(byte_ring_push(&r, 0xff));
	assert_int_equal(byte_ring_pop(&r), 0); /* a NUL is data, not "empty" */
	assert_int_equal(byte_ring_pop(&r), 0xff);
	assert_int_equal(byte_ring_pop(&r), -1);
}

static void test_full_refuses_and_keeps_old(void **state)
{
	struct byte_ring r = { 0 };
	for (u32 i = 0; i < BYTE_RING_SIZE; i++)
		assert_true(byte_ring_push(&r, (u8)i));
	assert_false(byte_ring_push(&r, 0xaa)); /* full: the new byte is refused, nothing is overwritten */
	assert_int_equal(byte_ring_count(&r), BYTE_RING_SIZE);
	assert_int_equal(byte_ring_pop(&r), 0);
	assert_true(byte_ring_push(&r, 0xaa)); /* one slot free again */
	for (u32 i = 1; i < BYTE_RING_SIZE; i++)
		assert_int_equal(byte_ring_pop(&r), (u8)i);
	assert_int_equal(byte_ring_pop(&r), 0xaa);
	assert_int_equal(byte_ring_pop(&r), -1);
}

static void test_index_wrap(void **state)
{
	struct byte_ring r = { .head = 0xfffffff0u, .tail = 0xfffffff0u };
	for (u32 i = 0; i < 40; i++)
		assert_true(byte_ring_push(&r, (u8)i));
	assert_int_equal(byte_ring_count(&r), 40); /* the 32-bit tail wrapped past the head */
	for (u32 i = 0; i < 40; i++)
		assert_int_equal(byte_ring_pop(&r), (u8)i);
	assert_true(byte_ring_empty(&r));
}

static void test_clear(void **state)
{
	struct byte_ring r = { 0 };
	byte_ring_push(&r, 'a');
	byte_ring_push(&r, 'b');
	byte_ring_clear(&r);
	assert_true(byte_ring_empty(&r));
	assert_true(byte_ring_push(&r, 'c'));
	assert_int_equal(byte_ring_pop(&r), 'c');
}

/* One producer thread and one consumer thread: every byte arrives once, in order. */
#define STREAM 2000000u
static void *producer(void *arg)
{
	for (u32 i = 0; i < STREAM;)
		if (byte_ring_push(&ring, (u8)(i * 7 + 3)))
			i++;
	return arg;
}

static void test_two_threads(void **state)
{
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, producer, NULL), 0);
	u32 bad = 0;
	for (u32 i = 0; i < STREAM;) {
		int c = byte_ring_pop(&ring);
		if (c < 0)
			continue;
		bad += c != (u8)(i * 7 + 3);
		i++;
	}
	pthread_join(t, NULL);
	assert_int_equal(bad, 0);
	assert_true(byte_ring_empty(&ring));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_fifo_order_and_count),
		cmocka_unit_test(test_bytes_0_and_ff),
		cmocka_unit_test(test_full_refuses_and_keeps_old),
		cmocka_unit_test(test_index_wrap),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
