/* lib/lib.c: number parsing and option lookup (the rest of lib.c is libc on the host). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib.h"

static bool parse(const char *s, u64 *v, bool suffix)
{
	*v = 0xdeadbeef;
	return parse_u64(s, strlen(s), v, suffix);
}

static void test_parse_decimal_and_hex(void **state)
{
	u64 v;
	assert_true(parse("0", &v, false));
	assert_int_equal(v, 0);
	assert_true(parse("1234", &v, false));
	assert_int_equal(v, 1234);
	assert_true(parse("0x1f", &v, false));
	assert_int_equal(v, 0x1f);
	assert_true(parse("0XaBcD", &v, false));
	assert_int_equal(v, 0xabcd);
	assert_true(parse("007", &v, false)); /* not octal */
	assert_int_equal(v, 7);
	assert_true(parse("18446744073709551615", &v, false));
	assert_int_equal(v, UINT64_MAX);
	assert_true(parse("0xffffffffffffffff", &v, false));
	assert_int_equal(v, UINT64_MAX);
}

static void test_parse_rejects(void **state)
{
	u64 v;
	const char *bad[] = { "", "x", "0x", "0xg", "12a", "1 2", " 1", "1 ", "-1", "+1", "1.5",
			      "18446744073709551616", "0x10000000000000000", "abc" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &v, false))
			fail_msg("\"%s\" parsed as %llu", bad[i], (unsigned long long)v);
		assert_int_equal(v, 0xdeadbeef); /* untouched on failure */
	}
}

static void test_parse_suffixes(void **state)
{
	u64 v;
	assert_true(parse("4k", &v, true));
	assert_int_equal(v, 4096);
	assert_true(parse("4K", &v, true));
	assert_int_equal(v, 4096);
	assert_true(parse("16M", &v, true));
	assert_int_equal(v, 16ull << 20);
	assert_true(parse("2g", &v, true));
	assert_int_equal(v, 2ull << 30);
	assert_true(parse("0x10M", &v, true));
	assert_int_equal(v, 16ull << 20);
	assert_true(parse("17179869183G", &v, true)); /* (2^34 - 1) << 30 still fits */
	assert_int_equal(v, 17179869183ull << 30);
	assert_true(parse("64", &v, true)); /* the suffix is optional */
	assert_int_equal(v, 64);

	const char *bad[] = { "17179869184G", "16MB", "16MM", "M", "16T", "16 M", "0xG", "1KiB" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &v, true))
			fail_msg("\"%s\" parsed as %llu", bad[i], (unsigned long long)v);
	assert_false(parse("16M", &v, false)); /* suffix not allowed */
	assert_false(parse("4k", &v, false));
}

static void test_parse_respects_len(void **state)
{
	u64 v = 0;
	assert_true(parse_u64("123456", 3, &v, false));
	assert_int_equal(v, 123);
	assert_true(parse_u64("16Mjunk", 3, &v, true));
	assert_int_equal(v, 16ull << 20);
	assert_false(parse_u64("0x1", 2, &v, false)); /* "0x" alone */
	assert_false(parse_u64("5", 0, &v, false));
	/* no NUL needed: a buffer exactly as long as the number */
	char digits[3] = { '9', '9', '9' };
	assert_true(parse_u64(digits, sizeof(digits), &v, false));
	assert_int_equal(v, 999);
}

static void test_option_get(void **state)
{
	char val[32];
	const char *opts = "emulator=bochs loglevel=debug\te9 empty= serial=0x3f8";
	assert_true(option_get(opts, "emulator", val, sizeof(val)));
	assert_string_equal(val, "bochs");
	assert_true(option_get(opts, "loglevel", val, sizeof(val)));
	assert_string_equal(val, "debug");
	assert_true(option_get(opts, "e9", val, sizeof(val))); /* bare key */
	assert_string_equal(val, "");
	assert_true(option_get(opts, "empty", val, sizeof(val)));
	assert_string_equal(val, "");
	assert_true(option_get(opts, "serial", val, sizeof(val)));
	assert_string_equal(val, "0x3f8");
	assert_false(option_get(opts, "log", val, sizeof(val)));       /* a prefix is not a match */
	assert_false(option_get(opts, "loglevel=d", val, sizeof(val))); /* nor part of a value */
	assert_false(option_get(opts, "bochs", val, sizeof(val)));
	assert_false(option_get(opts, "missing", val, sizeof(val)));
	assert_false(option_get("", "e9", val, sizeof(val)));
	assert_false(option_get(NULL, "e9", val, sizeof(val)));
	assert_false(option_get("   ", "e9", val, sizeof(val)));
}

static void test_option_last_wins(void **state)
{
	char val[32];
	/* the boot command line is appended to the config's options and must override them */
	assert_true(option_get("loglevel=info e9 loglevel=debug", "loglevel", val, sizeof(val)));
	assert_string_equal(val, "debug");
	assert_true(option_get("x=1 x", "x", val, sizeof(val)));
	assert_string_equal(val, "");
	assert_true(option_get("x x=2", "x", val, sizeof(val)));
	assert_string_equal(val, "2");
	assert_true(option_get("x=1 xy=3", "x", val, sizeof(val)));
	assert_string_equal(val, "1");
}

static void test_option_value_size(void **state)
{
	char val[4];
	memset(val, 'z', sizeof(val));
	assert_true(option_get("k=abcdef", "k", val, sizeof(val)));
	assert_string_equal(val, "abc");
	assert_true(option_get("k=abcdef", "k", val, 0)); /* only asks whether it is there */
	assert_true(option_get("k=abcdef", "k", NULL, 0));
}

static void test_strlcpy(void **state)
{
	char dst[4];
	assert_int_equal(strlcpy(dst, "ab", sizeof(dst)), 2);
	assert_string_equal(dst, "ab");
	assert_int_equal(strlcpy(dst, "abcdef", sizeof(dst)), 6);
	assert_string_equal(dst, "abc");
	dst[0] = 'q';
	assert_int_equal(strlcpy(dst, "abc", 0), 3);
	assert_int_equal(dst[0], 'q');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_decimal_and_hex),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_suffixes),
		cmocka_unit_test(test_parse_respects_len),
		cmocka_unit_test(test_option_get),
		cmocka_unit_test(test_option_last_wins),
		cmocka_unit_test(test_option_value_size),
		cmocka_unit_test(test_strlcpy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
