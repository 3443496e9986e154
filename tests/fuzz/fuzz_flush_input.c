/* libFuzzer harness: hv/flush_input.c (the four HvCallFlushVirtualAddress* inputs) after the decoder,
 * as the VMCALL exit handler calls them. Input: control (8 bytes), vp_count (1; bit 7: a reversed VP index
 * map), maxphyaddr (1), then
 * the input block as qwords, copied into a buffer of exactly that size (ASan sees overreads). */
#include "fuzz.h"
#include "hv/hv_hypercall.h"
#include "tests/vp_bitmap_count.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	u64 control;
	u8 vp_count, maxphyaddr;
	fuzz_take(&data, &size, &control, 8);
	fuzz_take(&data, &size, &vp_count, 1);
	fuzz_take(&data, &size, &maxphyaddr, 1);
	maxphyaddr = (u8)(32 + maxphyaddr % 33);

	struct hv_hypercall_input in;
	if (hv_hypercall_decode(control, &in) != HV_STATUS_SUCCESS)
		return 0;
	u32 nq = (u32)(size / 8);
	u64 *qwords = malloc(nq * 8 + 1);
	memcpy(qwords, data, nq * 8);

	/* vp_count bit 7: VP i has Hyper-V VP index 127 - i instead of i */
	struct hv_vp_index_map map;
	u16 idx[MINIHV_MAX_VPS];
	bool sparse = vp_count & 0x80;
	vp_count &= 0x7f;
	for (u32 i = 0; i < MINIHV_MAX_VPS; i++)
		idx[i] = (u16)(MINIHV_MAX_VPS - 1 - i);
	FUZZ_CHECK(hv_vp_index_map_init(&map, vp_count, sparse ? idx : NULL));
	struct hv_flush_request req;
	u16 status = hv_flush_parse(&in, qwords, nq, &map, maxphyaddr, &req);
	if (status == HV_STATUS_SUCCESS) {
		/* The GVA list lies inside what was passed; targets name existing VPs only. */
		FUZZ_CHECK((u64)req.gva_index + req.gva_count <= nq);
		FUZZ_CHECK(!req.all_processors || hv_vp_bitmap_weight(&req.targets) == MIN(vp_count, (u32)MINIHV_MAX_VPS));
		for (u32 vp = hv_vp_bitmap_next(&req.targets, 0); vp != HV_VP_NONE;
		     vp = hv_vp_bitmap_next(&req.targets, vp + 1))
			FUZZ_CHECK(vp < vp_count);
		FUZZ_CHECK(!(req.flags & ~(u64)HV_FLUSH_VALID_FLAGS));
		for (u32 i = 0; i < req.gva_count; i++) {
			struct hv_gva_range r = hv_gva_range_decode(qwords[req.gva_index + i]);
			/* 1 .. 4096 pages, never past the top of the 64-bit space */
			FUZZ_CHECK(r.pages >= 1 && r.pages <= 4096 && r.gva % 4096 == 0);
			FUZZ_CHECK(r.pages - 1 <= (~r.gva >> 12));
		}
		hv_flush_list_prefers_full(qwords + req.gva_index, req.gva_count);
	} else {
		FUZZ_CHECK(status == HV_STATUS_INVALID_PARAMETER || status == HV_STATUS_INVALID_HYPERCALL_INPUT ||
			   status == HV_STATUS_INVALID_HYPERCALL_CODE);
	}
	free(qwords);
	return 0;
}
