/* hv/vp_set.c: VP bitmaps, ProcessorMask and HV_VP_SET decoding (TLFS datatypes/hv_vp_set.md;
 * docs/tlfs-cases.md §3.1, §8 cases 14, 20, 26-28, 37). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/hv_hypercall.h"
#include "tests/vp_bitmap_count.h"

/* A guest's encoder, as Linux's cpumask_to_vpset() builds it: out[0] Format, out[1] ValidBanksMask,
 * out[2..] BankContents in ascending bank order. Returns the bank count (the variable header size). */
static u32 encode_sparse(const u32 *vps, size_t n, u64 *out)
{
	u64 banks[HV_MAX_SPARSE_VCPU_BANKS] = { 0 };
	u64 valid = 0;
	for (size_t i = 0; i < n; i++) {
		banks[vps[i] / 64] |= 1ull << (vps[i] % 64);
		valid |= 1ull << (vps[i] / 64);
	}
	out[0] = HV_GENERIC_SET_SPARSE_4K;
	out[1] = valid;
	u32 nr = 0;
	for (u32 b = 0; b < HV_MAX_SPARSE_VCPU_BANKS; b++)
		if (valid & (1ull << b))
			out[2 + nr++] = banks[b];
	return nr;
}

static void test_bitmap_basics(void **state)
{
	struct hv_vp_bitmap s;
	hv_vp_bitmap_clear(&s);
	assert_true(hv_vp_bitmap_empty(&s));
	assert_int_equal(hv_vp_bitmap_next(&s, 0), HV_VP_NONE);

	hv_vp_bitmap_set(&s, 0);
	hv_vp_bitmap_set(&s, 63);
	hv_vp_bitmap_set(&s, 64);
	hv_vp_bitmap_set(&s, 127);
	hv_vp_bitmap_set(&s, 128);          /* beyond MINIHV_MAX_VPS: ignored */
	hv_vp_bitmap_set(&s, 0xffffffffu);
	assert_false(hv_vp_bitmap_empty(&s));
	assert_int_equal(hv_vp_bitmap_weight(&s), 4);
	assert_true(hv_vp_bitmap_test(&s, 63));
	assert_true(hv_vp_bitmap_test(&s, 64));
	assert_false(hv_vp_bitmap_test(&s, 1));
	assert_false(hv_vp_bitmap_test(&s, 128));

	u32 seen[8], n = 0;
	for (u32 vp = hv_vp_bitmap_next(&s, 0); vp != HV_VP_NONE; vp = hv_vp_bitmap_next(&s, vp + 1))
		seen[n++] = vp;
	assert_int_equal(n, 4);
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[1], 63);
	assert_int_equal(seen[2], 64);
	assert_int_equal(seen[3], 127);
	assert_int_equal(hv_vp_bitmap_next(&s, 1), 63);
	assert_int_equal(hv_vp_bitmap_next(&s, 65), 127);
	assert_int_equal(hv_vp_bitmap_next(&s, 128), HV_VP_NONE);

	/* for_each_vp_in visits the same members; removing one (and an absent index) leaves the rest */
	n = 0;
	for_each_vp_in(vp, &s)
		seen[n++] = vp;
	assert_int_equal(n, 4);
	assert_int_equal(seen[3], 127);
	hv_vp_bitmap_remove(&s, 63);
	hv_vp_bitmap_remove(&s, 200);
	assert_false(hv_vp_bitmap_test(&s, 63));
	assert_int_equal(hv_vp_bitmap_weight(&s), 3);
	assert_int_equal(hv_vp_bitmap_next(&s, 1), 64);
}

static void test_bitmap_fill(void **state)
{
	static const u32 counts[] = { 0, 1, 2, 63, 64, 65, 127, 128, 129, 1000 };
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		struct hv_vp_bitmap s;
		hv_vp_bitmap_fill(&s, counts[i]);
		u32 expect = MIN(counts[i], (u32)MINIHV_MAX_VPS);
		assert_int_equal(hv_vp_bitmap_weight(&s), expect);
		if (expect)
			assert_true(hv_vp_bitmap_test(&s, expect - 1));
		assert_false(hv_vp_bitmap_test(&s, expect));
	}
}

static void test_processor_mask(void **state)
{
	struct hv_vp_bitmap s;
	/* TLFS example: mask 0x51 = VPs 0, 4 and 6 */
	hv_vp_bitmap_from_mask(&s, 0x51, identity_map(8));
	assert_int_equal(hv_vp_bitmap_weight(&s), 3);
	assert_true(hv_vp_bitmap_test(&s, 0) && hv_vp_bitmap_test(&s, 4) && hv_vp_bitmap_test(&s, 6));
	/* VPs >= the partition's VP count are ignored */
	hv_vp_bitmap_from_mask(&s, 0x51, identity_map(5));
	assert_int_equal(hv_vp_bitmap_weight(&s), 2);
	assert_false(hv_vp_bitmap_test(&s, 6));
	hv_vp_bitmap_from_mask(&s, 1ull << 40, identity_map(8));
	assert_true(hv_vp_bitmap_empty(&s));
	hv_vp_bitmap_from_mask(&s, ~0ull, identity_map(64));
	assert_int_equal(hv_vp_bitmap_weight(&s), 64);
	hv_vp_bitmap_from_mask(&s, ~0ull, identity_map(128));
	assert_int_equal(hv_vp_bitmap_weight(&s), 64);
	assert_false(hv_vp_bitmap_test(&s, 64));
	hv_vp_bitmap_from_mask(&s, ~0ull, identity_map(0));
	assert_true(hv_vp_bitmap_empty(&s));
}

/* TLFS hv_vp_set.md example: {0, 5, 130} -> ValidBanksMask 0x5, BankContents {0x21, 0x04}. */
static void test_tlfs_example(void **state)
{
	static const u32 vps[] = { 0, 5, 130 };
	u64 q[2 + HV_MAX_SPARSE_VCPU_BANKS];
	u32 nr = encode_sparse(vps, ARRAY_SIZE(vps), q);
	assert_int_equal(nr, 2);
	assert_int_equal(q[0], 0);
	assert_int_equal(q[1], 0x5);
	assert_int_equal(q[2], 0x21);
	assert_int_equal(q[3], 0x04);

	struct hv_vp_bitmap s;
	bool all = true;
	assert_int_equal(hv_vp_set_decode(q, 2 + nr, nr, identity_map(MINIHV_MAX_VPS), &s, &all), HV_STATUS_SUCCESS);
	assert_false(all);
	/* 130 >= MINIHV_MAX_VPS (128): no such VP in any minihv partition, so it is ignored */
	assert_int_equal(hv_vp_bitmap_weight(&s), 2);
	assert_true(hv_vp_bitmap_test(&s, 0));
	assert_true(hv_vp_bitmap_test(&s, 5));
}

/* The bank order matters: bank 2 before bank 0 in memory would be a different set. */
static void test_bank_order(void **state)
{
	u64 q[] = { HV_GENERIC_SET_SPARSE_4K, 0x3, 0x1 /* bank 0: VP 0 */, 0x8000000000000000ull /* bank 1: VP 127 */ };
	struct hv_vp_bitmap s;
	bool all;
	assert_int_equal(hv_vp_set_decode(q, 4, 2, identity_map(128), &s, &all), HV_STATUS_SUCCESS);
	assert_int_equal(hv_vp_bitmap_weight(&s), 2);
	assert_true(hv_vp_bitmap_test(&s, 0));
	assert_true(hv_vp_bitmap_test(&s, 127));
}

/* KVM selftest's VP 65 only (bank 1: ValidBanksMask 0x2, varhead 1), and VP 64 only. */
static void test_bank1_only(void **state)
{
	static const u32 vp64[] = { 64 };
	static const u32 vp65[] = { 65 };
	u64 q[2 + HV_MAX_SPARSE_VCPU_BANKS];
	struct hv_vp_bitmap s;
	bool all;

	u32 nr = encode_sparse(vp64, 1, q);
	assert_int_equal(nr, 1);
	assert_int_equal(q[1], 0x2);
	assert_int_equal(q[2], 0x1);
	assert_int_equal(hv_vp_set_decode(q, 3, 1, identity_map(128), &s, &all), HV_STATUS_SUCCESS);
	assert_int_equal(hv_vp_bitmap_weight(&s), 1);
	assert_true(hv_vp_bitmap_test(&s, 64));
	assert_false(hv_vp_bitmap_test(&s, 0));

	encode_sparse(vp65, 1, q);
	assert_int_equal(hv_vp_set_decode(q, 3, 1, identity_map(66), &s, &all), HV_STATUS_SUCCESS);
	assert_int_equal(hv_vp_bitmap_next(&s, 0), 65);
	assert_int_equal(hv_vp_bitmap_weight(&s), 1);

	/* the same set in a 64-VP partition names no VP that exists */
	assert_int_equal(hv_vp_set_decode(q, 3, 1, identity_map(64), &s, &all), HV_STATUS_SUCCESS);
	assert_true(hv_vp_bitmap_empty(&s));
}

/* §8 case 28: a valid bank whose contents are all zero -> SUCCESS, nobody. */
static void test_zero_bank(void **state)
{
	u64 q[] = { HV_GENERIC_SET_SPARSE_4K, 0x1, 0 };
	struct hv_vp_bitmap s;
	bool all;
	assert_int_equal(hv_vp_set_decode(q, 3, 1, identity_map(128), &s, &all), HV_STATUS_SUCCESS);
	assert_true(hv_vp_bitmap_empty(&s));
	assert_false(all);

	/* and an empty set: no banks at all */
	u64 e[] = { HV_GENERIC_SET_SPARSE_4K, 0 };
	assert_int_equal(hv_vp_set_decode(e, 2, 0, identity_map(128), &s, &all), HV_STATUS_SUCCESS);
	assert_true(hv_vp_bitmap_empty(&s));
}

/* §8 case 27: HV_GENERIC_SET_ALL, with and without banks after it. */
static void test_all_format(void **state)
{
	u64 q[] = { HV_GENERIC_SET_ALL, 0, 0xdead, 0xbeef };
	struct hv_vp_bitmap s;
	bool all = false;
	assert_int_equal(hv_vp_set_decode(q, 2, 0, identity_map(7), &s, &all), HV_STATUS_SUCCESS);
	assert_true(all);
	assert_int_equal(hv_vp_bitmap_weight(&s), 7);
	assert_false(hv_vp_bitmap_test(&s, 7));
	/* ValidBanksMask and the banks are not read with ALL; their count need not match */
	q[1] = 0x7;
	assert_int_equal(hv_vp_set_decode(q, 4, 2, identity_map(128), &s, &all), HV_STATUS_SUCCESS);
	assert_true(all);
	assert_int_equal(hv_vp_bitmap_weight(&s), 128);
}

/* §8 case 14: the variable header must equal popcount(ValidBanksMask) -> else 0x0003. */
static void test_bank_count_mismatch(void **state)
{
	u64 q[2 + 4] = { HV_GENERIC_SET_SPARSE_4K, 0x5, 0x21, 0x4, 0, 0 };
	struct hv_vp_bitmap s;
	bool all;
	assert_int_equal(hv_vp_set_decode(q, 6, 1, identity_map(128), &s, &all), HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(hv_vp_set_decode(q, 6, 3, identity_map(128), &s, &all), HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(hv_vp_set_decode(q, 6, 0, identity_map(128), &s, &all), HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(hv_vp_set_decode(q, 6, 2, identity_map(128), &s, &all), HV_STATUS_SUCCESS);
	/* a set larger than what the caller can read */
	assert_int_equal(hv_vp_set_decode(q, 3, 2, identity_map(128), &s, &all), HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(hv_vp_set_decode(q, 1, 0, identity_map(128), &s, &all), HV_STATUS_INVALID_HYPERCALL_INPUT);
}

/* §8 case 20: Format not in {0, 1} -> 0x0005; more than 64 banks -> 0x0005. */
static void test_invalid_parameter(void **state)
{
	static const u64 formats[] = { 2, 3, 0x100, 0x8000000000000000ull, ~0ull };
	u64 q[2 + 66] = { 0 };
	struct hv_vp_bitmap s;
	bool all;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		q[0] = formats[i];
		q[1] = 0x1;
		assert_int_equal(hv_vp_set_decode(q, 3, 1, identity_map(128), &s, &all), HV_STATUS_INVALID_PARAMETER);
	}
	q[0] = HV_GENERIC_SET_SPARSE_4K;
	q[1] = ~0ull;
	assert_int_equal(hv_vp_set_decode(q, 2 + 65, 65, identity_map(128), &s, &all), HV_STATUS_INVALID_PARAMETER);
	q[0] = HV_GENERIC_SET_ALL;
	assert_int_equal(hv_vp_set_decode(q, 2 + 65, 65, identity_map(128), &s, &all), HV_STATUS_INVALID_PARAMETER);
}

/* All 64 banks: only banks 0 and 1 can name minihv VPs; the rest are read and ignored. */
static void test_all_banks(void **state)
{
	u64 q[2 + 64];
	q[0] = HV_GENERIC_SET_SPARSE_4K;
	q[1] = ~0ull;
	for (int i = 0; i < 64; i++)
		q[2 + i] = ~0ull;
	struct hv_vp_bitmap s;
	bool all;
	assert_int_equal(hv_vp_set_decode(q, 66, 64, identity_map(128), &s, &all), HV_STATUS_SUCCESS);
	assert_false(all);
	assert_int_equal(hv_vp_bitmap_weight(&s), 128);
	assert_int_equal(hv_vp_set_decode(q, 66, 64, identity_map(100), &s, &all), HV_STATUS_SUCCESS);
	assert_int_equal(hv_vp_bitmap_weight(&s), 100);

	/* a bank beyond any VP, alone (bank 63) */
	u64 hi[] = { HV_GENERIC_SET_SPARSE_4K, 1ull << 63, ~0ull };
	assert_int_equal(hv_vp_set_decode(hi, 3, 1, identity_map(128), &s, &all), HV_STATUS_SUCCESS);
	assert_true(hv_vp_bitmap_empty(&s));
}

/* Round trip of assorted sets through the guest encoder. */
static void test_round_trip(void **state)
{
	static const u32 sets[][5] = {
		{ 1, 2, 3, 4, 5 }, { 0, 64, 65, 126, 127 }, { 2, 65, 2, 65, 2 }, { 63, 64, 63, 64, 63 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		u64 q[2 + HV_MAX_SPARSE_VCPU_BANKS];
		u32 nr = encode_sparse(sets[i], 5, q);
		struct hv_vp_bitmap s;
		bool all;
		assert_int_equal(hv_vp_set_decode(q, 2 + nr, nr, identity_map(128), &s, &all), HV_STATUS_SUCCESS);
		for (u32 vp = 0; vp < 128; vp++) {
			bool member = false;
			for (int j = 0; j < 5; j++)
				member |= sets[i][j] == vp;
			assert_int_equal(hv_vp_bitmap_test(&s, vp), member);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bitmap_basics),
		cmocka_unit_test(test_bitmap_fill),
		cmocka_unit_test(test_processor_mask),
		cmocka_unit_test(test_tlfs_example),
		cmocka_unit_test(test_bank_order),
		cmocka_unit_test(test_bank1_only),
		cmocka_unit_test(test_zero_bank),
		cmocka_unit_test(test_all_format),
		cmocka_unit_test(test_bank_count_mismatch),
		cmocka_unit_test(test_invalid_parameter),
		cmocka_unit_test(test_all_banks),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
