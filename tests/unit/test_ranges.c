/* mm/ranges.c: the free-range set behind the physical allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mm/ranges.h"

static struct ranges rs;

static void reset(void)
{
	memset(&rs, 0, sizeof(rs));
}

/* Fails unless the set is exactly the n ranges given as base, end pairs. */
static void expect(unsigned n, const uint64_t *be)
{
	assert_int_equal(rs.count, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(rs.r[i].base, be[2 * i]);
		assert_int_equal(rs.r[i].end, be[2 * i + 1]);
	}
}

#define EXPECT(...)                                                   \
	do {                                                          \
		const uint64_t be_[] = { __VA_ARGS__ };               \
		expect(sizeof(be_) / sizeof(be_[0]) / 2, be_);        \
	} while (0)

static void test_add_sorted(void **state)
{
	reset();
	assert_true(ranges_add(&rs, 0x5000, 0x1000));
	assert_true(ranges_add(&rs, 0x1000, 0x1000));
	assert_true(ranges_add(&rs, 0x9000, 0x1000));
	EXPECT(0x1000, 0x2000, 0x5000, 0x6000, 0x9000, 0xa000);
	assert_int_equal(ranges_total(&rs), 0x3000);
	assert_true(ranges_add(&rs, 0x100000, 0));
	assert_int_equal(rs.count, 3);
}

static void test_add_merges(void **state)
{
	reset();
	assert_true(ranges_add(&rs, 0x1000, 0x1000));
	assert_true(ranges_add(&rs, 0x3000, 0x1000));
	assert_true(ranges_add(&rs, 0x2000, 0x1000)); /* bridges both neighbours */
	EXPECT(0x1000, 0x4000);
	assert_true(ranges_add(&rs, 0x4000, 0x1000)); /* right neighbour of the last */
	assert_true(ranges_add(&rs, 0x0, 0x1000));    /* left neighbour of the first */
	EXPECT(0x0, 0x5000);
	assert_int_equal(ranges_total(&rs), 0x5000);
}

static void test_add_overlapping(void **state)
{
	reset();
	assert_true(ranges_add(&rs, 0x1000, 0x3000));
	assert_true(ranges_add(&rs, 0x2000, 0x1000)); /* inside: nothing changes */
	EXPECT(0x1000, 0x4000);
	assert_true(ranges_add(&rs, 0x3000, 0x3000)); /* overlaps the end */
	assert_true(ranges_add(&rs, 0x0800, 0x1000)); /* overlaps the start */
	EXPECT(0x0800, 0x6000);
	assert_int_equal(ranges_total(&rs), 0x5800); /* counted once */
	assert_true(ranges_add(&rs, 0x8000, 0x1000));
	assert_true(ranges_add(&rs, 0x0, 0x10000)); /* swallows everything */
	EXPECT(0x0, 0x10000);
}

static void test_add_clamps_at_top(void **state)
{
	reset();
	assert_true(ranges_add(&rs, UINT64_MAX - 0xfff, 0x2000)); /* base + size wraps */
	EXPECT(UINT64_MAX - 0xfff, UINT64_MAX);
}

static void test_remove(void **state)
{
	reset();
	assert_true(ranges_add(&rs, 0x1000, 0x9000));
	assert_true(ranges_remove(&rs, 0x4000, 0x1000)); /* splits */
	EXPECT(0x1000, 0x4000, 0x5000, 0xa000);
	assert_true(ranges_remove(&rs, 0x1000, 0x1000)); /* head */
	assert_true(ranges_remove(&rs, 0x9000, 0x2000)); /* tail, past the end */
	EXPECT(0x2000, 0x4000, 0x5000, 0x9000);
	assert_true(ranges_remove(&rs, 0x3000, 0x3000)); /* across two ranges */
	EXPECT(0x2000, 0x3000, 0x6000, 0x9000);
	assert_true(ranges_remove(&rs, 0x20000, 0x1000)); /* nothing there */
	assert_true(ranges_remove(&rs, 0x2000, 0));      /* empty */
	EXPECT(0x2000, 0x3000, 0x6000, 0x9000);
	assert_true(ranges_remove(&rs, 0x0, 0x100000)); /* all of it */
	assert_int_equal(rs.count, 0);
	assert_int_equal(ranges_total(&rs), 0);
}

static void test_remove_to_top(void **state)
{
	reset();
	assert_true(ranges_add(&rs, 0x1000, 0x10000));
	assert_true(ranges_remove(&rs, 0x8000, UINT64_MAX)); /* wraps: means "to the end" */
	EXPECT(0x1000, 0x8000);
}

static void test_full_table(void **state)
{
	reset();
	for (uint64_t i = 0; i < RANGES_MAX; i++)
		assert_true(ranges_add(&rs, i * 0x2000, 0x1000));
	assert_int_equal(rs.count, RANGES_MAX);
	/* a new separate range does not fit; a split does not either */
	assert_false(ranges_add(&rs, RANGES_MAX * 0x2000ull + 0x1000, 0x1000));
	assert_false(ranges_remove(&rs, 0x400, 0x100));
	/* removals that do not split still work, and make room */
	assert_true(ranges_remove(&rs, 0x0, 0x1000));
	assert_int_equal(rs.count, RANGES_MAX - 1);
	assert_true(ranges_add(&rs, RANGES_MAX * 0x2000ull + 0x1000, 0x1000));
	assert_int_equal(rs.count, RANGES_MAX);
}

static void test_alloc_lowest_aligned(void **state)
{
	reset();
	assert_true(ranges_add(&rs, 0x1000, 0x1000));
	assert_true(ranges_add(&rs, 0x100000, 0x400000));
	assert_int_equal(ranges_alloc(&rs, 0x1000, 0x1000, UINT64_MAX), 0x1000); /* exact fit: range goes */
	EXPECT(0x100000, 0x500000);
	assert_int_equal(ranges_alloc(&rs, 0x1000, 0x200000, UINT64_MAX), 0x200000);
	EXPECT(0x100000, 0x200000, 0x201000, 0x500000);
	assert_int_equal(ranges_alloc(&rs, 0x100, 0x10, UINT64_MAX), 0x100000);
	EXPECT(0x100100, 0x200000, 0x201000, 0x500000);
	/* too big for the first range: taken from the second, aligned inside it */
	assert_int_equal(ranges_alloc(&rs, 0x200000, 0x1000, UINT64_MAX), 0x201000);
	EXPECT(0x100100, 0x200000, 0x401000, 0x500000);
	assert_int_equal(ranges_total(&rs), 0xfff00 + 0xff000);
}

static void test_alloc_limit(void **state)
{
	reset();
	assert_true(ranges_add(&rs, 0x100000, 0x100000));
	assert_true(ranges_add(&rs, 0x1000000, 0x100000));
	assert_int_equal(ranges_alloc(&rs, 0x100000, 0x1000, 0x1fffff), 0);        /* would end past limit */
	assert_int_equal(ranges_alloc(&rs, 0x100000, 0x1000, 0x200000), 0x100000); /* ends exactly at it */
	assert_int_equal(ranges_alloc(&rs, 0x1000, 0x1000, 0x200000), 0);          /* the rest is above */
	assert_int_equal(ranges_alloc(&rs, 0x1000, 0x1000, UINT64_MAX), 0x1000000);
}

static void test_alloc_never_zero(void **state)
{
	reset();
	assert_true(ranges_add(&rs, 0x0, 0x3000));
	assert_int_equal(ranges_alloc(&rs, 0x1000, 0x1000, UINT64_MAX), 0x1000);
	EXPECT(0x0, 0x1000, 0x2000, 0x3000);
	assert_int_equal(ranges_alloc(&rs, 0x1000, 0x1000, UINT64_MAX), 0x2000);
	assert_int_equal(ranges_alloc(&rs, 0x1000, 0x1000, UINT64_MAX), 0); /* only page 0 is left */
	EXPECT(0x0, 0x1000);
	assert_int_equal(ranges_alloc(&rs, 1, 1, UINT64_MAX), 1);
}

static void test_alloc_bad_arguments(void **state)
{
	reset();
	assert_true(ranges_add(&rs, 0x100000, 0x100000));
	assert_int_equal(ranges_alloc(&rs, 0, 0x1000, UINT64_MAX), 0);
	assert_int_equal(ranges_alloc(&rs, 0x1000, 0, UINT64_MAX), 0);
	assert_int_equal(ranges_alloc(&rs, 0x1000, 0x3000, UINT64_MAX), 0); /* not a power of two */
	assert_int_equal(ranges_alloc(&rs, 0x200000, 0x1000, UINT64_MAX), 0); /* too big */
	assert_int_equal(ranges_alloc(&rs, UINT64_MAX, 0x1000, UINT64_MAX), 0);
	assert_int_equal(ranges_alloc(&rs, 0x1000, 1ull << 63, UINT64_MAX), 0); /* no such aligned block inside */
	EXPECT(0x100000, 0x200000);
}

static void test_alloc_near_top(void **state)
{
	reset();
	assert_true(ranges_add(&rs, UINT64_MAX - 0x2fff, 0x3000)); /* ends at UINT64_MAX */
	assert_int_equal(ranges_alloc(&rs, 0x2000, 0x1000, UINT64_MAX), UINT64_MAX - 0x2fff);
	assert_int_equal(ranges_alloc(&rs, 0x1000, 0x1000, UINT64_MAX), 0); /* only 0xfff bytes left */
	assert_int_equal(ranges_alloc(&rs, 0xfff, 1, UINT64_MAX), UINT64_MAX - 0xfff);
}

static void test_largest(void **state)
{
	reset();
	assert_int_equal(ranges_largest(&rs), 0);
	assert_true(ranges_add(&rs, 0x1000, 0x1000));
	assert_true(ranges_add(&rs, 0x10000, 0x5000));
	assert_true(ranges_add(&rs, 0x100000, 0x3000));
	assert_int_equal(ranges_largest(&rs), 0x5000);
	assert_int_equal(ranges_total(&rs), 0x9000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_sorted),
		cmocka_unit_test(test_add_merges),
		cmocka_unit_test(test_add_overlapping),
		cmocka_unit_test(test_add_clamps_at_top),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_remove_to_top),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_alloc_lowest_aligned),
		cmocka_unit_test(test_alloc_limit),
		cmocka_unit_test(test_alloc_never_zero),
		cmocka_unit_test(test_alloc_bad_arguments),
		cmocka_unit_test(test_alloc_near_top),
		cmocka_unit_test(test_largest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
