/* A guest's encoder of flush hypercall inputs, as Linux builds them (arch/x86/hyperv/mmu.c): targets
 * named by Hyper-V VP index, a 64-bit ProcessorMask (or HV_FLUSH_ALL_PROCESSORS) while every index is
 * below 64, otherwise the Ex form of the same call with a sparse HV_VP_SET (or HV_GENERIC_SET_ALL).
 * For the unit tests (tests/unit/test_tlb_model.c); docs/tlb-model.md. */
#ifndef TEST_FLUSH_ENCODE_H
#define TEST_FLUSH_ENCODE_H

#include "hv/hv_hypercall.h"

enum { FLUSH_ENCODED_MASK, FLUSH_ENCODED_EX, FLUSH_ENCODED_EX_BANK1 };

/* Fills q with the input block of want->code (switched to its Ex form when a target's index is >= 64)
 * for the VPs in want->targets (VP numbers; map gives their indexes) or, with all, every VP; want->flags
 * and want->gva_count entries of gva. Sets *rcx (the hypercall input value) and *kind; returns the qwords. */
static inline u32 flush_encode(const struct hv_vp_index_map *map, const struct hv_flush_request *want, bool all,
			       const u64 *gva, u64 *q, u64 *rcx, u32 *kind)
{
	u16 code = want->code;
	u64 banks[2] = { 0 };
	bool wide = false;
	for_each_vp_in(t, &want->targets) {
		u32 x = hv_vp_index_of(map, t);
		banks[x / 64] |= 1ull << (x % 64);
		wide |= x >= 64;
	}
	if (wide && code == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE)
		code = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX;
	if (wide && code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST)
		code = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
	u32 n = 0, var = 0;
	q[n++] = 0x1000; /* AddressSpace: a CR3 */
	q[n++] = want->flags | (all && !hv_flush_code_is_ex(code) ? HV_FLUSH_ALL_PROCESSORS : 0);
	if (!hv_flush_code_is_ex(code)) {
		q[n++] = all ? 0 : banks[0];
		*kind = FLUSH_ENCODED_MASK;
	} else {
		q[n++] = all ? HV_GENERIC_SET_ALL : HV_GENERIC_SET_SPARSE_4K;
		q[n++] = all ? 0 : (banks[0] ? 1 : 0) | (banks[1] ? 2 : 0);
		for (u32 b = 0; b < 2 && !all; b++)
			if (banks[b])
				q[n++] = banks[b], var++;
		*kind = !all && banks[1] ? FLUSH_ENCODED_EX_BANK1 : FLUSH_ENCODED_EX;
	}
	for (u32 i = 0; i < want->gva_count; i++)
		q[n++] = gva[i];
	*rcx = (u64)code | ((u64)var << HV_HYPERCALL_VARHEAD_OFFSET) | ((u64)want->gva_count << HV_HYPERCALL_REP_COMP_OFFSET);
	return n;
}

#endif
