/* Editing the 4-level page tables of the current CR3. Tables are reached through the identity map
 * (a table's GPA is its address), which holds for minihv's initial tables and for pages from
 * page_alloc. Edits take a partition-wide lock because the VPs share the tables. */
#include "guest.h"

#define PTE_PAT_4K BIT(7)    /* PAT bit of a 4 KiB PTE: the PS position */
#define PTE_PAT_LARGE BIT(12) /* PAT bit of a 2 MiB / 1 GiB leaf */
#define PTE_TABLE (PTE_P | PTE_W | PTE_U) /* non-leaf entries allow all; the leaf decides */
#define CR4_LA57 BIT(12)

static spinlock_t pt_lock = SPINLOCK_INIT;

static unsigned level_shift(int level)
{
	return 12 + 9 * (level - 1);
}

static u64 *table_of(u64 entry)
{
	return (u64 *)(uintptr_t)(entry & PTE_ADDR_MASK);
}

static u64 *entry_of(u64 *table, u64 gva, int level)
{
	return &table[(gva >> level_shift(level)) & 511];
}

static bool walkable(u64 gva)
{
	/* 4-level paging only; gva must be canonical (bits 63:47 equal). */
	s64 top = (s64)gva >> 47;
	return !(read_cr4() & CR4_LA57) && (top == 0 || top == -1);
}

/* Replaces the large leaf *e (PT_LEVEL_2M or PT_LEVEL_1G) by a table of the next smaller pages with the
 * same frames and attributes. */
static bool split_large(u64 *e, int level)
{
	u64 *t = page_alloc(1);
	if (!t)
		return false;
	u64 old = *e;
	bool pat = old & PTE_PAT_LARGE;
	u64 attrs = old & ((PAGE_SIZE - 1) | PTE_NX) & ~PTE_PS;
	u64 base = old & PTE_ADDR_MASK & ~((1ull << level_shift(level)) - 1);
	u64 step = 1ull << level_shift(level - 1);
	for (u64 i = 0; i < 512; i++) {
		u64 child = (base + i * step) | attrs;
		if (level - 1 == PT_LEVEL_4K)
			child |= pat ? PTE_PAT_4K : 0;
		else
			child |= PTE_PS | (pat ? PTE_PAT_LARGE : 0);
		t[i] = child;
	}
	__atomic_store_n(e, (u64)(uintptr_t)t | PTE_TABLE, __ATOMIC_RELEASE);
	/* SDM 4.10.4.4: after a page-size change, drop every TLB entry for the range (same translations). */
	pt_flush_tlb();
	return true;
}

/* Called with pt_lock held. */
static u64 *walk(u64 gva, bool make_4k, int *level_out)
{
	if (!walkable(gva))
		return NULL;
	u64 *table = table_of(read_cr3());
	for (int level = 4; level > PT_LEVEL_4K; level--) {
		u64 *e = entry_of(table, gva, level);
		if (!(*e & PTE_P)) {
			if (!make_4k)
				return NULL;
			u64 *t = page_alloc(1);
			if (!t)
				return NULL;
			__atomic_store_n(e, (u64)(uintptr_t)t | PTE_TABLE, __ATOMIC_RELEASE);
		} else if (level <= PT_LEVEL_1G && (*e & PTE_PS)) {
			if (!make_4k) {
				if (level_out)
					*level_out = level;
				return e;
			}
			if (!split_large(e, level))
				return NULL;
		}
		table = table_of(*e);
	}
	u64 *e = entry_of(table, gva, PT_LEVEL_4K);
	if (!make_4k && !(*e & PTE_P))
		return NULL;
	if (level_out)
		*level_out = PT_LEVEL_4K;
	return e;
}

u64 *pt_get_pte(u64 gva, int *level)
{
	spin_lock(&pt_lock);
	u64 *e = walk(gva, false, level);
	spin_unlock(&pt_lock);
	return e;
}

u64 *pt_pte_4k(u64 gva)
{
	spin_lock(&pt_lock);
	u64 *e = walk(gva, true, NULL);
	spin_unlock(&pt_lock);
	return e;
}

u64 *pt_set_pte(u64 gva, u64 pte)
{
	spin_lock(&pt_lock);
	u64 *e = walk(gva, true, NULL);
	if (e) {
		__atomic_store_n(e, pte, __ATOMIC_RELEASE);
		pt_invlpg(gva);
	}
	spin_unlock(&pt_lock);
	return e;
}

bool pt_map_4k(u64 gva, u64 gpa, u64 flags)
{
	return pt_set_pte(gva, (gpa & PTE_ADDR_MASK) | flags | PTE_P) != NULL;
}

bool pt_unmap(u64 gva)
{
	bool mapped = false;
	spin_lock(&pt_lock);
	if (walk(gva, false, NULL)) {
		u64 *e = walk(gva, true, NULL); /* splits a large page; NULL only when out of pages */
		if (e) {
			__atomic_store_n(e, 0, __ATOMIC_RELEASE);
			pt_invlpg(gva);
			mapped = true;
		}
	}
	spin_unlock(&pt_lock);
	return mapped;
}
