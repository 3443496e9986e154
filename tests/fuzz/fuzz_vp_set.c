/* libFuzzer harness: hv/vp_set.c (HV_VP_SET and the 64-bit ProcessorMask).
 * Input: bank_qwords (1 byte), vp_count (2 bytes; bit 15 selects a sparse VP index map), then the set as qwords; the set is copied into a
 * buffer of exactly that many qwords so that ASan sees any read past what the caller said is there. */
#include "fuzz.h"
#include "hv/hv_hypercall.h"
#include "tests/vp_bitmap_count.h"

static void check_members(const struct hv_vp_bitmap *set, u32 vp_count)
{
	u32 n = 0;
	for (u32 vp = hv_vp_bitmap_next(set, 0); vp != HV_VP_NONE; vp = hv_vp_bitmap_next(set, vp + 1)) {
		FUZZ_CHECK(vp < vp_count && vp < MINIHV_MAX_VPS && hv_vp_bitmap_test(set, vp));
		n++;
	}
	FUZZ_CHECK(n == hv_vp_bitmap_weight(set));
	FUZZ_CHECK(hv_vp_bitmap_empty(set) == (n == 0));
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	u8 bank_qwords;
	u16 vp_count;
	fuzz_take(&data, &size, &bank_qwords, 1);
	fuzz_take(&data, &size, &vp_count, 2);
	/* vp_count bit 15: a sparse map (VP i has index (i * 37 + 11) % 128: distinct, odd multiplier) */
	struct hv_vp_index_map map;
	u16 idx[MINIHV_MAX_VPS];
	bool sparse = vp_count & 0x8000;
	vp_count &= 0x7fff;
	for (u32 i = 0; i < MINIHV_MAX_VPS; i++)
		idx[i] = (u16)((i * 37 + 11) % MINIHV_MAX_VPS);
	FUZZ_CHECK(hv_vp_index_map_init(&map, vp_count, sparse ? idx : NULL));
	u32 avail = (u32)(size / 8);
	u64 *vpset = malloc(avail * 8 + 1);
	memcpy(vpset, data, avail * 8);

	struct hv_vp_bitmap set;
	bool all;
	u16 status = hv_vp_set_decode(vpset, avail, bank_qwords, &map, &set, &all);
	if (status == HV_STATUS_SUCCESS) {
		check_members(&set, vp_count);
		if (all)
			FUZZ_CHECK(hv_vp_bitmap_weight(&set) == (vp_count < MINIHV_MAX_VPS ? vp_count : MINIHV_MAX_VPS));
	} else {
		FUZZ_CHECK(status == HV_STATUS_INVALID_PARAMETER || status == HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	if (avail) {
		hv_vp_bitmap_from_mask(&set, vpset[0], &map);
		check_members(&set, vp_count);
	}
	free(vpset);
	return 0;
}
