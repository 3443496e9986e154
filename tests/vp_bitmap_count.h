/* Counting the members of a VP set, and identity VP index maps: only the unit tests and fuzzers need
 * them, so they live with them. */
#ifndef TEST_VP_BITMAP_COUNT_H
#define TEST_VP_BITMAP_COUNT_H

#include "hv/hv_hypercall.h"

static inline u32 hv_vp_bitmap_weight(const struct hv_vp_bitmap *set)
{
	u32 n = 0;
	for (u32 i = 0; i < HV_VP_BITMAP_WORDS; i++)
		n += (u32)__builtin_popcountll(set->bits[i]);
	return n;
}

static inline bool hv_vp_bitmap_empty(const struct hv_vp_bitmap *set)
{
	return hv_vp_bitmap_weight(set) == 0;
}

/* The map of a partition of vp_count VPs whose VP indexes are their numbers (no vp_index key). One
 * static map: valid until the next call. */
static inline const struct hv_vp_index_map *identity_map(u32 vp_count)
{
	static struct hv_vp_index_map m;
	hv_vp_index_map_init(&m, vp_count, NULL);
	return &m;
}

#endif
