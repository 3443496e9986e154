/* VP number <-> Hyper-V VP index (include/vp_index.h). Pure logic: tests/unit/test_vp_index.c. */
#include "vp_index.h"

bool hv_vp_index_map_init(struct hv_vp_index_map *m, u32 vp_count, const u16 *indexes)
{
	vp_count = MIN(vp_count, (u32)MINIHV_MAX_VPS);
	m->vp_count = vp_count;
	m->identity = true;
	for (u32 i = 0; i < HV_VP_INDEX_LIMIT; i++)
		m->vp_of_index[i] = HV_VP_INDEX_UNUSED;
	bool ok = true;
	for (u32 vp = 0; vp < vp_count && indexes; vp++) {
		u32 x = indexes[vp];
		if (x >= HV_VP_INDEX_LIMIT || m->vp_of_index[x] != HV_VP_INDEX_UNUSED) {
			ok = false;
			break;
		}
		m->vp_of_index[x] = (u16)vp;
	}
	if (!ok || !indexes) {
		for (u32 i = 0; i < HV_VP_INDEX_LIMIT; i++)
			m->vp_of_index[i] = i < vp_count ? (u16)i : HV_VP_INDEX_UNUSED;
		for (u32 vp = 0; vp < vp_count; vp++)
			m->index_of_vp[vp] = (u16)vp;
		return ok;
	}
	for (u32 vp = 0; vp < vp_count; vp++) {
		m->index_of_vp[vp] = indexes[vp];
		m->identity = m->identity && indexes[vp] == vp;
	}
	return true;
}

u32 hv_vp_of_index(const struct hv_vp_index_map *m, u32 vp_index)
{
	if (vp_index >= HV_VP_INDEX_LIMIT || m->vp_of_index[vp_index] == HV_VP_INDEX_UNUSED)
		return HV_VP_NONE;
	return m->vp_of_index[vp_index];
}

u32 hv_vp_index_of(const struct hv_vp_index_map *m, u32 vp)
{
	return vp < m->vp_count ? m->index_of_vp[vp] : HV_VP_NONE;
}
