/* EPT construction: 4-level, write-back leaves, 2 MiB pages where alignment allows. Pure logic. */
#include "ept.h"
#include "lib.h"

#define ENTRIES 512

static u64 *tbl(u64 pa)
{
	return (u64 *)(uintptr_t)pa;
}

static unsigned idx(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * level)) & 511;
}

bool ept_init(struct ept *e, ept_alloc_fn alloc, void *ctx)
{
	memset(e, 0, sizeof(*e));
	e->alloc = alloc;
	e->ctx = ctx;
	e->root = alloc(ctx);
	e->tables = e->root ? 1 : 0;
	return e->root != 0;
}

/* The table below entry *pte, created (or split from a 2 MiB leaf) if needed. */
static u64 *next_table(struct ept *e, u64 *pte, int level)
{
	if ((*pte & EPT_RWX) && !(*pte & EPT_LARGE))
		return tbl(*pte & EPT_ADDR_MASK);
	u64 pa = e->alloc(e->ctx);
	if (!pa)
		return NULL;
	e->tables++;
	if (*pte & EPT_LARGE) {
		/* Split: same rights and type on 512 smaller pages. Only 2 MiB leaves exist (level 1). */
		u64 base = *pte & EPT_ADDR_MASK & ~(MiB(2) - 1);
		u64 attrs = *pte & (EPT_RWX | (7ull << EPT_MEMTYPE_SHIFT) | EPT_IGNORE_PAT);
		for (int i = 0; i < ENTRIES; i++)
			tbl(pa)[i] = (base + (u64)i * PAGE_SIZE) | attrs;
		e->pages_2m--;
		e->pages_4k += ENTRIES;
	}
	(void)level;
	*pte = pa | EPT_RWX; /* non-leaf entries grant everything; leaves decide */
	return tbl(pa);
}

bool ept_map(struct ept *e, u64 gpa, u64 hpa, u64 size, u64 rights)
{
	u64 leaf_attrs = (rights & EPT_RWX) | (EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT);
	while (size) {
		u64 *pml4e = &tbl(e->root)[idx(gpa, 3)];
		u64 *pdpt = next_table(e, pml4e, 3);
		if (!pdpt)
			return false;
		u64 *pdpte = &pdpt[idx(gpa, 2)];
		u64 *pd = next_table(e, pdpte, 2);
		if (!pd)
			return false;
		u64 *pde = &pd[idx(gpa, 1)];
		if (IS_ALIGNED(gpa, MiB(2)) && IS_ALIGNED(hpa, MiB(2)) && size >= MiB(2) &&
		    !((*pde & EPT_RWX) && !(*pde & EPT_LARGE))) {
			if (!*pde)
				e->pages_2m++; /* a new leaf, not new rights on one (hv/guest_ram.c) */
			*pde = hpa | leaf_attrs | EPT_LARGE;
			gpa += MiB(2);
			hpa += MiB(2);
			size -= MiB(2);
			continue;
		}
		u64 *pt = next_table(e, pde, 1);
		if (!pt)
			return false;
		u64 *pte = &pt[idx(gpa, 0)];
		if (!*pte)
			e->pages_4k++;
		*pte = hpa | leaf_attrs;
		gpa += PAGE_SIZE;
		hpa += PAGE_SIZE;
		size = size > PAGE_SIZE ? size - PAGE_SIZE : 0;
	}
	return true;
}
