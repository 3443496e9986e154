/* hv/vp_index.c: the VP number <-> Hyper-V VP index map (config key vp_index), and flush target decoding
 * through a sparse map (hv/vp_set.c, hv/flush_input.c): a guest names VPs by VP index only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/hv_hypercall.h"
#include "tests/vp_bitmap_count.h"

static struct hv_vp_index_map map;

static void test_identity(void **state)
{
	assert_true(hv_vp_index_map_init(&map, 3, NULL));
	assert_true(map.identity);
	for (u32 i = 0; i < 3; i++) {
		assert_int_equal(hv_vp_of_index(&map, i), i);
		assert_int_equal(hv_vp_index_of(&map, i), i);
	}
	assert_int_equal(hv_vp_of_index(&map, 3), HV_VP_NONE);
	assert_int_equal(hv_vp_of_index(&map, 0xfffffffe), HV_VP_NONE); /* HV_VP_INDEX_SELF is no VP here */
	assert_int_equal(hv_vp_index_of(&map, 3), HV_VP_NONE);
	/* more VPs than minihv has: clamped */
	assert_true(hv_vp_index_map_init(&map, 1000, NULL));
	assert_int_equal(map.vp_count, MINIHV_MAX_VPS);
	assert_int_equal(hv_vp_of_index(&map, MINIHV_MAX_VPS - 1), MINIHV_MAX_VPS - 1);
}

static void test_sparse(void **state)
{
	static const u16 idx[] = { 64, 0, 127 };
	assert_true(hv_vp_index_map_init(&map, 3, idx));
	assert_false(map.identity);
	assert_int_equal(hv_vp_of_index(&map, 64), 0);
	assert_int_equal(hv_vp_of_index(&map, 0), 1);
	assert_int_equal(hv_vp_of_index(&map, 127), 2);
	assert_int_equal(hv_vp_of_index(&map, 1), HV_VP_NONE);
	assert_int_equal(hv_vp_of_index(&map, 2), HV_VP_NONE);
	assert_int_equal(hv_vp_of_index(&map, 128), HV_VP_NONE);
	assert_int_equal(hv_vp_index_of(&map, 0), 64);
	assert_int_equal(hv_vp_index_of(&map, 2), 127);
	/* a list equal to the identity is the identity (the decoder's fast path) */
	static const u16 same[] = { 0, 1, 2 };
	assert_true(hv_vp_index_map_init(&map, 3, same));
	assert_true(map.identity);
}

/* What the config parser refuses first; the map falls back to the identity and says no. */
static void test_refused(void **state)
{
	static const u16 dup[] = { 5, 5 }, high[] = { 0, MINIHV_MAX_VPS };
	assert_false(hv_vp_index_map_init(&map, 2, dup));
	assert_true(map.identity);
	assert_int_equal(hv_vp_of_index(&map, 5), HV_VP_NONE);
	assert_int_equal(hv_vp_of_index(&map, 1), 1);
	assert_false(hv_vp_index_map_init(&map, 2, high));
	assert_int_equal(hv_vp_index_of(&map, 1), 1);
}

/* VPs 0 and 1 with indexes 0 and 64, as tests/scenarios/linux-smp-ex.scn gives Linux. */
static const u16 linux_ex[] = { 0, 64, 65 };

static void test_processor_mask_through_map(void **state)
{
	struct hv_vp_bitmap s;
	hv_vp_index_map_init(&map, 3, linux_ex);
	hv_vp_bitmap_from_mask(&s, 0x3, &map); /* indexes 0 and 1: only index 0 exists */
	assert_int_equal(hv_vp_bitmap_weight(&s), 1);
	assert_true(hv_vp_bitmap_test(&s, 0));
	hv_vp_bitmap_from_mask(&s, 0x2, &map);
	assert_true(hv_vp_bitmap_empty(&s)); /* VP 1 is not index 1 */
}

static void test_vp_set_through_map(void **state)
{
	struct hv_vp_bitmap s;
	bool all;
	hv_vp_index_map_init(&map, 3, linux_ex);
	/* bank 1 only, index 64 -> VP 1 */
	u64 q[] = { HV_GENERIC_SET_SPARSE_4K, 0x2, 0x1 };
	assert_int_equal(hv_vp_set_decode(q, 3, 1, &map, &s, &all), HV_STATUS_SUCCESS);
	assert_int_equal(hv_vp_bitmap_weight(&s), 1);
	assert_true(hv_vp_bitmap_test(&s, 1));
	/* indexes 0, 1, 64, 65, 66 -> VPs 0, 1, 2 (1 and 66 name no VP) */
	u64 r[] = { HV_GENERIC_SET_SPARSE_4K, 0x3, 0x3, 0x7 };
	assert_int_equal(hv_vp_set_decode(r, 4, 2, &map, &s, &all), HV_STATUS_SUCCESS);
	assert_int_equal(hv_vp_bitmap_weight(&s), 3);
	/* banks beyond any index minihv gives (bank 2 = indexes 128..191): nothing, and no error */
	u64 hi[] = { HV_GENERIC_SET_SPARSE_4K, 0x4, ~0ull };
	assert_int_equal(hv_vp_set_decode(hi, 3, 1, &map, &s, &all), HV_STATUS_SUCCESS);
	assert_true(hv_vp_bitmap_empty(&s));
	/* ALL: every VP, whatever its index */
	u64 a[] = { HV_GENERIC_SET_ALL, 0 };
	assert_int_equal(hv_vp_set_decode(a, 2, 0, &map, &s, &all), HV_STATUS_SUCCESS);
	assert_true(all);
	assert_int_equal(hv_vp_bitmap_weight(&s), 3);
}

/* The whole call as Linux makes it for VP 1 = index 64 (arch/x86/hyperv/mmu.c): SpaceEx, memory form. */
static void test_flush_parse_through_map(void **state)
{
	hv_vp_index_map_init(&map, 3, linux_ex);
	u64 rcx = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX | (1ull << HV_HYPERCALL_VARHEAD_OFFSET);
	struct hv_hypercall_input in;
	assert_int_equal(hv_hypercall_decode(rcx, &in), HV_STATUS_SUCCESS);
	u64 q[] = { 0x1000, 0, HV_GENERIC_SET_SPARSE_4K, 0x2, 0x1 };
	struct hv_flush_request req;
	assert_int_equal(hv_flush_parse(&in, q, 5, &map, 46, &req), HV_STATUS_SUCCESS);
	assert_int_equal(hv_vp_bitmap_weight(&req.targets), 1);
	assert_true(hv_vp_bitmap_test(&req.targets, 1));
	/* the same input through the identity map of 3 VPs names nobody: the map is what makes it reach VP 1 */
	assert_int_equal(hv_flush_parse(&in, q, 5, identity_map(3), 46, &req), HV_STATUS_SUCCESS);
	assert_true(hv_vp_bitmap_empty(&req.targets));
	/* ALL_PROCESSORS with the non-Ex call reaches every VP, indexes >= 64 included */
	rcx = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE;
	assert_int_equal(hv_hypercall_decode(rcx, &in), HV_STATUS_SUCCESS);
	u64 all[] = { 0x1000, HV_FLUSH_ALL_PROCESSORS, 0 };
	assert_int_equal(hv_flush_parse(&in, all, 3, &map, 46, &req), HV_STATUS_SUCCESS);
	assert_int_equal(hv_vp_bitmap_weight(&req.targets), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_processor_mask_through_map),
		cmocka_unit_test(test_vp_set_through_map),
		cmocka_unit_test(test_flush_parse_through_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
