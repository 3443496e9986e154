/* The guest page walker of HvCallTranslateVirtualAddress (include/gva_walk.h). Pure logic: the page
 * tables are read from the RAM block in struct gva_space; host tests link this file. Formats, reserved
 * bits and access rights: Intel SDM vol. 3A, 4.3-4.6; the choices minihv made are in docs/api.md. */
#include "gva_walk.h"
#include "hyperv_tlfs.h"
#include "x86.h"

#define PTE_PAT_4K BIT(7)     /* PAT bit of an entry that maps a 4 KiB page */
#define PTE_PAT_LARGE BIT(12) /* PAT bit of an entry that maps a 2 MiB, 4 MiB or 1 GiB page */

struct walk {
	const struct gva_paging_state *s;
	const struct gva_space *m;
	u64 flags;
	struct gva_result *r;
	bool user, writable, executable; /* every entry so far allowed it */
};

u16 gva_check_control(u64 control_flags, u32 reserved)
{
	u64 vtl = control_flags >> HV_TRANSLATE_GVA_INPUT_VTL_SHIFT;
	u64 flags = control_flags & (BIT(HV_TRANSLATE_GVA_INPUT_VTL_SHIFT) - 1);
	/* minihv has no VTLs: only VTL 0 (the VP's own) exists. */
	if (reserved || vtl || (flags & ~HV_TRANSLATE_GVA_CONTROL_MASK))
		return HV_STATUS_INVALID_PARAMETER;
	/* TLFS: at least one of VALIDATE_READ/WRITE/EXECUTE. */
	if (!(flags & HV_TRANSLATE_GVA_VALIDATE_MASK))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

bool gva_from_page(u64 gva_page, u64 *gva)
{
	*gva = gva_page << 12;
	return (gva_page >> 52) == 0 || (gva_page >> 51) == 0x1fff;
}

static void fail(struct walk *w, u32 code, u64 gpa_page)
{
	w->r->result_code = code;
	w->r->gpa = gpa_page;
}

/* Bits maxphyaddr..top of an entry (the address bits the CPU does not have). */
static u64 above_maxphyaddr(const struct walk *w, unsigned top)
{
	u64 upto = top >= 63 ? ~0ull : BIT(top + 1) - 1;
	return upto & ~(BIT(w->m->maxphyaddr) - 1);
}

/* The entry at gpa in a page-table page; NULL (and the walk failed) when that page is not RAM. */
static void *entry_at(struct walk *w, u64 gpa, u32 size)
{
	u64 page = ALIGN_DOWN(gpa, PAGE_SIZE);
	/* The overlay hides the RAM page under it: the CPU would read the hypercall code as entries. */
	if (page == w->m->overlay_gpa) {
		fail(w, HV_TRANSLATE_GVA_GPA_ILLEGAL_OVERLAY_ACCESS, page);
		return NULL;
	}
	if (gpa >= w->m->ram_size || size > w->m->ram_size - gpa) {
		fail(w, HV_TRANSLATE_GVA_GPA_UNMAPPED, page);
		return NULL;
	}
	return w->m->map ? w->m->map(w->m->ctx, gpa, size) : w->m->ram + gpa;
}

/* The guest may change its tables while they are walked: each entry is read once, whole. */
static u64 load(const void *p, u32 size)
{
	return size == 8 ? __atomic_load_n((const u64 *)p, __ATOMIC_RELAXED) : __atomic_load_n((const u32 *)p, __ATOMIC_RELAXED);
}

/* A locked OR, as the CPU sets A and D, so a concurrent guest update of the other bits is not lost. */
static void set_bits(void *p, u32 size, u64 bits)
{
	if (size == 8)
		__atomic_fetch_or((u64 *)p, bits, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_or((u32 *)p, (u32)bits, __ATOMIC_SEQ_CST);
}

static void set_accessed(const struct walk *w, void *p, u32 size)
{
	if (w->flags & HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS)
		set_bits(p, size, PTE_A);
}

static void accumulate(struct walk *w, u64 e, bool has_xd)
{
	w->user &= !!(e & PTE_U);
	w->writable &= !!(e & PTE_W);
	if (has_xd && (w->s->efer & EFER_NXE) && (e & PTE_NX))
		w->executable = false;
}

/* SDM 4.6: the access rights of the whole path against the requested accesses. */
static bool permitted(const struct walk *w)
{
	const struct gva_paging_state *s = w->s;
	u64 f = w->flags;
	bool write = f & HV_TRANSLATE_GVA_VALIDATE_WRITE, exec = f & HV_TRANSLATE_GVA_VALIDATE_EXECUTE;
	bool data = f & (HV_TRANSLATE_GVA_VALIDATE_READ | HV_TRANSLATE_GVA_VALIDATE_WRITE);
	bool exempt = f & HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT;
	if (!exempt && s->cpl == 3)
		return w->user && (!write || w->writable) && (!exec || w->executable);
	/* Supervisor: read-only pages bind only with CR0.WP; user pages with SMEP (fetch) and SMAP (data,
	 * as with EFLAGS.AC = 0). PRIVILEGE_EXEMPT turns SMEP and SMAP off. */
	if (write && !w->writable && (s->cr0 & CR0_WP))
		return false;
	if (exec && !w->executable)
		return false;
	if (!exempt && w->user && ((exec && (s->cr4 & CR4_SMEP)) || (data && (s->cr4 & CR4_SMAP))))
		return false;
	return true;
}

/* With minihv's EPT (write-back, PAT not ignored) the effective type is the PAT entry's (SDM 29.3.7.2). */
static u8 cache_type(const struct gva_paging_state *s, unsigned pat_index)
{
	if (s->cr0 & CR0_CD)
		return HV_CACHE_TYPE_X64_UC;
	switch ((s->pat >> (8 * pat_index)) & 7) {
	case 1: return HV_CACHE_TYPE_X64_WC;
	case 4: return HV_CACHE_TYPE_X64_WT;
	case 5: return HV_CACHE_TYPE_X64_WP;
	case 6: return HV_CACHE_TYPE_X64_WB;
	default: return HV_CACHE_TYPE_X64_UC; /* UC, UC- (UC over write-back) */
	}
}

/* The final GPA: the overlay, then A/D, then the result. */
static void success(struct walk *w, u64 gpa, u8 type)
{
	u64 page = ALIGN_DOWN(gpa, PAGE_SIZE);
	bool overlay = page == w->m->overlay_gpa;
	/* The overlay is read/execute for the guest (a write raises #GP): a write through it is illegal. */
	if (overlay && (w->flags & HV_TRANSLATE_GVA_VALIDATE_WRITE)) {
		fail(w, HV_TRANSLATE_GVA_GPA_ILLEGAL_OVERLAY_ACCESS, page);
		return;
	}
	w->r->result_code = HV_TRANSLATE_GVA_SUCCESS;
	w->r->gpa = gpa;
	w->r->overlay = overlay;
	w->r->cache_type = type;
}

/* The leaf entry e at p maps a page of page_size bytes at frame. */
static void leaf(struct walk *w, void *p, u32 size, u64 e, u64 frame, u64 page_size, u64 gva, u64 pat_bit)
{
	if (!permitted(w)) {
		fail(w, HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION, 0);
		return;
	}
	unsigned pat_index = (e & PTE_PWT ? 1 : 0) | (e & PTE_PCD ? 2 : 0) | (e & pat_bit ? 4 : 0);
	success(w, frame | (gva & (page_size - 1)), cache_type(w->s, pat_index));
	/* A and D only once the access is known to be allowed (a violation leaves the leaf as it was). */
	if (w->r->result_code == HV_TRANSLATE_GVA_SUCCESS && (w->flags & HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS))
		set_bits(p, size, PTE_A | ((w->flags & HV_TRANSLATE_GVA_VALIDATE_WRITE) ? PTE_D : 0));
}

/*
 * PAE-format entries (PAE paging's PDE/PTE, 4- and 5-level paging's every level) from `level` down to 1.
 * Reserved: the address bits above MAXPHYADDR (to bit 51; to bit 62 under PAE paging), XD without
 * EFER.NXE, PS at the PML5E/PML4E levels, PS at the PDPTE level without 1 GiB pages, and the low
 * address bits of a large page (29:13 or 20:13).
 */
static void walk_pae_format(struct walk *w, u64 table, int level, u64 gva, bool pae_paging)
{
	u64 addr = PTE_ADDR_MASK & (BIT(w->m->maxphyaddr) - 1);
	u64 rsvd = above_maxphyaddr(w, pae_paging ? 62 : 51) | ((w->s->efer & EFER_NXE) ? 0 : PTE_NX);
	for (; level >= 1; level--) {
		unsigned shift = 12 + 9 * (unsigned)(level - 1);
		void *p = entry_at(w, table + ((gva >> shift) & 511) * 8, 8);
		if (!p)
			return;
		u64 e = load(p, 8);
		if (!(e & PTE_P)) {
			fail(w, HV_TRANSLATE_GVA_PAGE_NOT_PRESENT, 0);
			return;
		}
		bool large = level > 1 && (e & PTE_PS);
		u64 r = rsvd;
		if (large && (level > 3 || (level == 3 && !w->m->gbpages)))
			r |= PTE_PS;
		else if (large)
			r |= (BIT(shift) - 1) & ~(PAGE_SIZE - 1) & ~PTE_PAT_LARGE;
		if (e & r) {
			fail(w, HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS, 0);
			return;
		}
		accumulate(w, e, true);
		if (level == 1 || large) {
			u64 page_size = BIT(shift);
			leaf(w, p, 8, e, e & addr & ~(page_size - 1), page_size, gva, large ? PTE_PAT_LARGE : PTE_PAT_4K);
			return;
		}
		set_accessed(w, p, 8);
		table = e & addr;
	}
}

static void walk_pae(struct walk *w, u64 gva)
{
	/* The four PDPTEs: CR3 31:5 (read from memory here; the CPU caches them at MOV CR3). */
	void *p = entry_at(w, (w->s->cr3 & 0xffffffe0u) + ((gva >> 30) & 3) * 8, 8);
	if (!p)
		return;
	u64 e = load(p, 8);
	if (!(e & PTE_P)) {
		fail(w, HV_TRANSLATE_GVA_PAGE_NOT_PRESENT, 0);
		return;
	}
	/* SDM table 4-8: bits 2:1, 8:5 and 63:MAXPHYADDR are reserved; no rights, no A bit. */
	if (e & (0x1e6ull | above_maxphyaddr(w, 63))) {
		fail(w, HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS, 0);
		return;
	}
	walk_pae_format(w, e & PTE_ADDR_MASK & (BIT(w->m->maxphyaddr) - 1), 2, gva, true);
}

static void walk_32bit(struct walk *w, u64 gva)
{
	void *p = entry_at(w, (w->s->cr3 & 0xfffff000u) + ((gva >> 22) & 1023) * 4, 4);
	if (!p)
		return;
	u64 e = load(p, 4);
	if (!(e & PTE_P)) {
		fail(w, HV_TRANSLATE_GVA_PAGE_NOT_PRESENT, 0);
		return;
	}
	accumulate(w, e, false);
	if ((e & PTE_PS) && (w->s->cr4 & CR4_PSE)) {
		/* 4 MiB page (PSE-36): bits 20:13 hold physical address bits 39:32 up to MAXPHYADDR; bit 21 and
		 * the rest of 20:13 are reserved. Without CR4.PSE the PS bit is ignored. */
		unsigned high = w->m->maxphyaddr > 32 ? MIN(w->m->maxphyaddr, 40u) - 32 : 0;
		u64 rsvd = BIT(21) | (0x1fe000ull & ~((BIT(high) - 1) << 13));
		if (e & rsvd) {
			fail(w, HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS, 0);
			return;
		}
		u64 frame = (e & 0xffc00000u) | (((e >> 13) & 0xff) << 32);
		leaf(w, p, 4, e, frame, MiB(4), gva, PTE_PAT_LARGE);
		return;
	}
	set_accessed(w, p, 4);
	p = entry_at(w, (e & 0xfffff000u) + ((gva >> 12) & 1023) * 4, 4);
	if (!p)
		return;
	e = load(p, 4);
	if (!(e & PTE_P)) {
		fail(w, HV_TRANSLATE_GVA_PAGE_NOT_PRESENT, 0);
		return;
	}
	accumulate(w, e, false);
	leaf(w, p, 4, e, e & 0xfffff000u, PAGE_SIZE, gva, PTE_PAT_4K);
}

void gva_translate(const struct gva_paging_state *s, const struct gva_space *m, u64 gva, u64 flags,
		   struct gva_result *r)
{
	struct walk w = { .s = s, .m = m, .flags = flags, .r = r, .user = true, .writable = true, .executable = true };
	r->result_code = HV_TRANSLATE_GVA_PAGE_NOT_PRESENT;
	r->cache_type = 0;
	r->overlay = false;
	r->gpa = 0;
	if (!(s->cr0 & CR0_PG)) {
		/* Paging off is never IA-32e mode: linear addresses have 32 bits, and a GVA above 4 GiB lies
		 * outside what the mode can address (found by tests/fuzz/fuzz_gva_walk.c). */
		if (gva >> 32)
			return;
		/* TLFS: paging off is the identity (memory type from the MTRRs and the EPT: write-back). */
		success(&w, gva, (s->cr0 & CR0_CD) ? HV_CACHE_TYPE_X64_UC : HV_CACHE_TYPE_X64_WB);
		return;
	}
	if (s->efer & EFER_LMA) {
		/* A non-canonical GVA maps nothing: PageNotPresent, as the TLFS says (docs/api.md). */
		unsigned bits = (s->cr4 & CR4_LA57) ? 57 : 48;
		u64 top = (u64)((s64)gva >> (bits - 1));
		if (top != 0 && top != ~0ull)
			return;
		walk_pae_format(&w, s->cr3 & PTE_ADDR_MASK & (BIT(m->maxphyaddr) - 1), (s->cr4 & CR4_LA57) ? 5 : 4, gva,
				false);
		return;
	}
	/* 32-bit linear addresses: anything above 4 GiB lies outside what the mode can address. */
	if (gva >> 32)
		return;
	if (s->cr4 & CR4_PAE)
		walk_pae(&w, gva);
	else
		walk_32bit(&w, gva);
}
