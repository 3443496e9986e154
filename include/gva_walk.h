/*
 * The guest page walker behind HvCallTranslateVirtualAddress (docs/api.md, "Translating a guest virtual
 * address"). Pure logic: it reads (and, with SET_PAGE_TABLE_BITS, updates) page tables in a RAM block it
 * is given, so host tests (tests/unit/test_gva_walk.c) link hv/gva_walk.c unchanged.
 *
 * Modes: paging off (identity), 32-bit (4 KiB and, with CR4.PSE, 4 MiB pages), PAE (4 KiB, 2 MiB),
 * 4-level and 5-level (4 KiB, 2 MiB, 1 GiB). Checks as the SDM's chapter 4 describes them for an access
 * at CPL = SS.DPL: R/W, U/S, XD with EFER.NXE, CR0.WP, SMEP and SMAP (as with EFLAGS.AC = 0), reserved
 * bits. Protection keys and shadow stacks are not checked.
 */
#ifndef MINIHV_GVA_WALK_H
#define MINIHV_GVA_WALK_H

#include "types.h"

/* The paging state of a VP, as saved at its last VM exit (vmx/sched.c). */
struct gva_paging_state {
	u64 cr0, cr3, cr4, efer;
	u64 pat;      /* IA32_PAT */
	u8 cpl;       /* SS.DPL */
};

/* The partition's guest-physical memory as the walk sees it. */
struct gva_space {
	u8 *ram;              /* GPA 0 (unused when map is set) */
	/* When set: the host pointer of size bytes at gpa (inside ram_size), e.g. after zeroing them on
	 * first use (hv/guest_ram.c). */
	void *(*map)(void *ctx, u64 gpa, u64 size);
	void *ctx;
	u64 ram_size;
	u64 overlay_gpa;      /* the hypercall overlay page (page aligned), or ~0 when there is none */
	u8 maxphyaddr;        /* CPUID.80000008H:EAX[7:0] as the guest sees it */
	bool gbpages;         /* 1 GiB pages offered (CPUID.80000001H:EDX.Page1GB) */
};

struct gva_result {
	u32 result_code;      /* enum hv_translate_gva_result_code */
	u8 cache_type;        /* HV_CACHE_TYPE_X64_*, on success */
	bool overlay;         /* on success: the GPA is the hypercall overlay page */
	u64 gpa;              /* success: the GPA (offset included); codes 4-7: the failing page; else 0 */
};

/* Status of an input's ControlFlags and reserved field: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER
 * (no VALIDATE_* bit, a flag outside HV_TRANSLATE_GVA_CONTROL_MASK, an input VTL other than 0, reserved
 * field non-zero). */
u16 gva_check_control(u64 control_flags, u32 reserved);

/* Translates gva (HV_TRANSLATE_GVA_* flags in flags, VTL bits ignored). Always fills *r. */
void gva_translate(const struct gva_paging_state *s, const struct gva_space *m, u64 gva, u64 flags,
		   struct gva_result *r);

/* The GVA an input's GvaPage names: GvaPage << 12. Bits 63:52 of GvaPage fall off, so they must be 0 or
 * copies of bit 51 (a logical or an arithmetic shift of the GVA); false otherwise (PageNotPresent, as a
 * non-canonical GVA). */
bool gva_from_page(u64 gva_page, u64 *gva);

#endif
