/* The one mapping between a partition's VPs (minihv's VP numbers 0 .. vp_count - 1: the config order, the
 * boot-info vp_index, the x2APIC ID, the log lines) and their Hyper-V VP indexes (HV_X64_MSR_VP_INDEX, the
 * numbers in flush target sets and in every hypercall that names a VP). Identity unless the partition's
 * `vp_index` key says otherwise (docs/config.md). Pure logic (hv/vp_index.c): host tests link it. */
#ifndef MINIHV_VP_INDEX_H
#define MINIHV_VP_INDEX_H

#include "types.h"
#include "minihv_abi.h"

/* A Hyper-V VP index is below MINIHV_MAX_VPS, the maximum CPUID 0x40000005 EAX reports. */
#define HV_VP_INDEX_LIMIT MINIHV_MAX_VPS
#define HV_VP_NONE 0xffffffffu

struct hv_vp_index_map {
	u32 vp_count;
	bool identity;                          /* every VP's index is its number */
	u16 index_of_vp[MINIHV_MAX_VPS];        /* VP number -> VP index */
	u16 vp_of_index[HV_VP_INDEX_LIMIT];     /* VP index -> VP number, or HV_VP_INDEX_UNUSED */
};
#define HV_VP_INDEX_UNUSED 0xffffu

/* Builds the map of vp_count VPs (clamped to MINIHV_MAX_VPS); indexes[i] is VP i's index, or NULL for
 * the identity. False (and the identity) when an index is >= HV_VP_INDEX_LIMIT or appears twice: the
 * config parser refuses those first (hv/config.c), so this is the last line of defence. */
bool hv_vp_index_map_init(struct hv_vp_index_map *m, u32 vp_count, const u16 *indexes);
/* The VP number with Hyper-V VP index vp_index, or HV_VP_NONE when no VP has it. */
u32 hv_vp_of_index(const struct hv_vp_index_map *m, u32 vp_index);
/* VP vp's Hyper-V VP index (vp < vp_count). */
u32 hv_vp_index_of(const struct hv_vp_index_map *m, u32 vp);

#endif
