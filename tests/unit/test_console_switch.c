/* vdev/console_switch.c: Ctrl-A three times switches console input; fewer are passed on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "console_switch.h"

/* Feeds in[] and writes what the partition receives to got[], a '|' for each switch. */
static size_t feed(struct console_switch *s, const char *in, size_t len, char *got)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		u8 out[3];
		int k = console_switch_feed(s, (u8)in[i], out);
		if (k == CONSOLE_SWITCH) {
			got[n++] = '|';
			continue;
		}
		assert_in_range(k, 0, 3);
		for (int j = 0; j < k; j++)
			got[n++] = (char)out[j];
	}
	got[n] = 0;
	return n;
}

static void test_plain_text_passes(void **state)
{
	struct console_switch s = { 0 };
	char got[64];
	feed(&s, "ls -l\r", 6, got);
	assert_string_equal(got, "ls -l\r");
}

static void test_three_ctrl_a_switch(void **state)
{
	struct console_switch s = { 0 };
	char got[64];
	feed(&s, "a\x01\x01\x01" "b", 5, got);
	assert_string_equal(got, "a|b");
	assert_int_equal(s.ctrl_a, 0);
}

static void test_six_ctrl_a_switch_twice(void **state)
{
	struct console_switch s = { 0 };
	char got[64];
	feed(&s, "\x01\x01\x01\x01\x01\x01", 6, got);
	assert_string_equal(got, "||");
}

static void test_fewer_are_passed_on(void **state)
{
	struct console_switch s = { 0 };
	char got[64];
	feed(&s, "\x01x\x01\x01y", 5, got);
	assert_string_equal(got, "\x01x\x01\x01y");
}

static void test_held_until_next_byte(void **state)
{
	struct console_switch s = { 0 };
	char got[64];
	assert_int_equal(feed(&s, "\x01\x01", 2, got), 0); /* might still become a switch */
	assert_int_equal(s.ctrl_a, 2);
	feed(&s, "z", 1, got);
	assert_string_equal(got, "\x01\x01z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_passes),
		cmocka_unit_test(test_three_ctrl_a_switch),
		cmocka_unit_test(test_six_ctrl_a_switch_twice),
		cmocka_unit_test(test_fewer_are_passed_on),
		cmocka_unit_test(test_held_until_next_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
