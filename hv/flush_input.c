/* Input parsing for HvCallFlushVirtualAddress{Space,List}[Ex] (TLFS hypercalls/HvCallFlushVirtualAddress*.md;
 * docs/tlfs-cases.md §3).
 * Pure logic: host tests link this file (tests/unit/test_flush_input.c). */
#include "hv_hypercall.h"

/* Qwords before the GVA list / the banks: sizeof(struct hv_tlb_flush) for the non-Ex calls; for Ex,
 * hv_tlb_flush_ex up to its banks (AddressSpace, Flags, Format, ValidBanksMask). */
#define FLUSH_HEADER_QWORDS (sizeof(struct hv_tlb_flush) / 8)
#define FLUSH_EX_HEADER_QWORDS (offsetof(struct hv_tlb_flush_ex, hv_vp_set.bank_contents) / 8)

/* CR3 bits 63:MAXPHYADDR are reserved (SDM Vol. 3 §4.5, "Use of CR3 with 4-level paging"). Bits 11:0
 * hold PCID or PWT/PCD and are not reserved; they do not select an address space here. */
static u64 cr3_reserved_mask(u8 maxphyaddr)
{
	return maxphyaddr >= 64 ? 0 : ~0ull << maxphyaddr;
}

u16 hv_flush_parse(const struct hv_hypercall_input *in, const u64 *qwords, u32 nqwords,
		   const struct hv_vp_index_map *map, u8 maxphyaddr, struct hv_flush_request *req)
{
	if (!hv_flush_code_valid(in->code))
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	bool ex = hv_flush_code_is_ex(in->code);
	bool list = hv_flush_code_is_list(in->code);

	req->code = in->code;
	req->address_space = 0;
	req->flags = 0;
	req->all_processors = false;
	hv_vp_bitmap_clear(&req->targets);
	req->gva_count = 0;
	req->gva_index = 0;

	/* hv_hypercall_decode() has checked these already; repeated so that this function is safe
	 * on its own (tests and fuzzers call it directly). */
	if (list ? in->rep_count == 0 || in->rep_start >= in->rep_count : in->rep_count || in->rep_start)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (!ex && in->var_header_qwords)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;

	u32 banks = ex ? in->var_header_qwords : 0;
	/* An HV_VP_SET has at most 64 banks (HV_MAX_SPARSE_VCPU_BANKS): a larger variable header
	 * cannot describe one. */
	if (banks > HV_MAX_SPARSE_VCPU_BANKS)
		return HV_STATUS_INVALID_PARAMETER;
	u32 header = (ex ? FLUSH_EX_HEADER_QWORDS : FLUSH_HEADER_QWORDS) + banks;
	u32 needed = header + (list ? in->rep_count : 0);
	/* Fast form: RDX, R8 and XMM0..XMM5 hold at most 14 qwords; more input than that cannot have
	 * been passed (KVM: INVALID_HYPERCALL_INPUT). */
	if (in->fast && needed > HV_FAST_INPUT_MAX_QWORDS)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (needed > nqwords)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;

	/* The fixed part is the same two members in both forms (the layouts are checked in hyperv_tlfs.h). */
	const struct hv_tlb_flush *f = (const void *)qwords;
	const struct hv_tlb_flush_ex *fx = (const void *)qwords;
	u64 address_space = f->address_space;
	u64 flags = f->flags;

	/* TLFS HV_FLUSH_FLAGS: all other flags are reserved and must be zero. Extended range format is
	 * not advertised (CPUID 0x40000003 EDX bit 14 clear), so it counts as reserved too. */
	if (flags & ~HV_FLUSH_VALID_FLAGS)
		return HV_STATUS_INVALID_PARAMETER;
	/* TLFS: HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY does not make sense for the List call and is
	 * treated as an invalid option */
	if (list && (flags & HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY))
		return HV_STATUS_INVALID_PARAMETER;
	/* TLFS: reserved CR3 bits set while ALL_VIRTUAL_ADDRESS_SPACES is clear -> INVALID_PARAMETER */
	if (!(flags & HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES) && (address_space & cr3_reserved_mask(maxphyaddr)))
		return HV_STATUS_INVALID_PARAMETER;

	bool all = flags & HV_FLUSH_ALL_PROCESSORS;
	if (!ex) {
		u64 processor_mask = f->processor_mask;
		/* TLFS: ProcessorMask == 0 while HV_FLUSH_ALL_PROCESSORS is clear -> INVALID_PARAMETER.
		 * KVM flushes everyone instead (a WS2012 workaround); Linux never sends it. */
		if (!all && processor_mask == 0)
			return HV_STATUS_INVALID_PARAMETER;
		if (!all)
			hv_vp_bitmap_from_mask(&req->targets, processor_mask, map);
	} else {
		/* The set is decoded even with HV_FLUSH_ALL_PROCESSORS: its size places the GVA list. */
		bool set_all;
		const u32 set_at = offsetof(struct hv_tlb_flush_ex, hv_vp_set) / 8;
		u16 status = hv_vp_set_decode(&fx->hv_vp_set.format, nqwords - set_at, banks, map, &req->targets,
					      &set_all);
		if (status != HV_STATUS_SUCCESS)
			return status;
		all = all || set_all;
	}
	/* The one place ALL_PROCESSORS becomes a set: hv_flush_execute() only reads targets. */
	if (all)
		hv_vp_bitmap_fill(&req->targets, map->vp_count);

	req->address_space = address_space;
	req->flags = flags;
	req->all_processors = all;
	if (list) {
		/* TLFS: rep start index = elements already completed; resume there. For Ex with
		 * HV_GENERIC_SET_ALL the list still starts after the variable header (as KVM). */
		req->gva_index = header + in->rep_start;
		req->gva_count = (u32)in->rep_count - in->rep_start;
	}
	return HV_STATUS_SUCCESS;
}

bool hv_flush_list_prefers_full(const u64 *gva, u32 count)
{
	u64 pages = 0;
	for (u32 i = 0; i < count; i++) {
		pages += hv_gva_range_decode(gva[i]).pages;
		if (pages > HV_FLUSH_GVA_PAGES_CEILING)
			return true;
	}
	return false;
}
