/* VP bitmaps, the 64-bit ProcessorMask and HV_VP_SET decoding. Pure logic: host tests link this file
 * (tests/unit/test_vp_set.c). */
#include "hv_hypercall.h"

/* __builtin_popcountll would call libgcc's __popcountdi2 without -mpopcnt, and the hypervisor links
 * without libgcc. */
static u32 popcount64(u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (u32)((x * 0x0101010101010101ull) >> 56);
}

void hv_vp_bitmap_fill(struct hv_vp_bitmap *set, u32 vp_count)
{
	vp_count = MIN(vp_count, (u32)MINIHV_MAX_VPS);
	for (u32 i = 0; i < HV_VP_BITMAP_WORDS; i++) {
		u32 first = i * 64;
		if (vp_count >= first + 64)
			set->bits[i] = ~0ull;
		else if (vp_count > first)
			set->bits[i] = (1ull << (vp_count - first)) - 1;
		else
			set->bits[i] = 0;
	}
}

/* With the identity map a bank is a masked word copy; otherwise each index goes through the map (at
 * most 64 per bank). */
void hv_vp_bitmap_add_bank(struct hv_vp_bitmap *set, u64 bank_contents, u32 bank, const struct hv_vp_index_map *map)
{
	u32 first = bank * 64;
	if (first >= HV_VP_INDEX_LIMIT)
		return; /* no VP has an index that high */
	if (map->identity) {
		if (bank < HV_VP_BITMAP_WORDS)
			set->bits[bank] |= bank_contents & hv_vp_bank_existing_mask(bank, map->vp_count);
		return;
	}
	while (bank_contents) {
		u32 vp = hv_vp_of_index(map, first + (u32)__builtin_ctzll(bank_contents));
		bank_contents &= bank_contents - 1;
		if (vp != HV_VP_NONE)
			hv_vp_bitmap_set(set, vp);
	}
}

u16 hv_vp_set_decode(const u64 *vpset, u32 avail, u32 bank_qwords, const struct hv_vp_index_map *map,
		     struct hv_vp_bitmap *set, bool *all)
{
	hv_vp_bitmap_clear(set);
	*all = false;

	if (avail < 2)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	u64 format = vpset[0];
	u64 valid_banks = vpset[1];

	/* TLFS HV_VP_SET: Format is 0 (sparse) or 1 (all); anything else is an invalid parameter */
	if (format != HV_GENERIC_SET_SPARSE_4K && format != HV_GENERIC_SET_ALL)
		return HV_STATUS_INVALID_PARAMETER;
	/* TLFS: one BankContents per ValidBanksMask bit, so a set never has more than 64 banks */
	if (bank_qwords > HV_MAX_SPARSE_VCPU_BANKS)
		return HV_STATUS_INVALID_PARAMETER;
	if (avail - 2 < bank_qwords)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;

	if (format == HV_GENERIC_SET_ALL) {
		/* The banks (if any) are not read; the caller still skips them (KVM does the same). */
		*all = true;
		hv_vp_bitmap_fill(set, map->vp_count);
		return HV_STATUS_SUCCESS;
	}

	/* The variable header carries the banks, so its size must be the bank count (KVM:
	 * var_cnt != hweight64(valid_bank_mask) -> INVALID_HYPERCALL_INPUT). */
	if (popcount64(valid_banks) != bank_qwords)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;

	/* TLFS: BankContents are in ascending bank order; an all-zero bank is valid and names no VP */
	const u64 *bank_contents = vpset + 2;
	for (u32 i = 0; valid_banks; i++) {
		u32 bank = (u32)__builtin_ctzll(valid_banks);
		valid_banks &= valid_banks - 1;
		hv_vp_bitmap_add_bank(set, bank_contents[i], bank, map);
	}
	return HV_STATUS_SUCCESS;
}
