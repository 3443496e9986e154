/* Host identity map. 1 GiB pages when the CPU has them, else 2 MiB. Memory types come from the MTRRs
 * (PAT entry 0 is WB, and MTRR UC wins for MMIO), so no per-range caching bits are needed. */
#include "lib.h"
#include "log.h"
#include "paging.h"
#include "pmm.h"
#include "x86.h"

static u64 root;

static u64 *table(u64 pa)
{
	return phys_to_virt(pa);
}

static u64 new_table(void)
{
	u64 pa = pmm_alloc(PAGE_SIZE, PAGE_SIZE, GiB(4));
	if (!pa)
		panic("out of memory for the host page tables");
	return pa;
}

void paging_init(u64 top)
{
	top = ALIGN_UP(MAX(top, GiB(4)), GiB(1));
	if (top > GiB(512))
		top = GiB(512); /* one PML4 entry; minihv does not need more */
	bool gb_pages = cpuid(0x80000001, 0).edx & BIT(26);
	root = new_table();
	u64 pdpt = new_table();
	table(root)[0] = pdpt | PTE_P | PTE_W;
	for (u64 gb = 0; gb < top / GiB(1); gb++) {
		if (gb_pages) {
			table(pdpt)[gb] = (gb << 30) | PTE_P | PTE_W | PTE_PS;
			continue;
		}
		u64 pd = new_table();
		table(pdpt)[gb] = pd | PTE_P | PTE_W;
		for (u64 i = 0; i < 512; i++)
			table(pd)[i] = (gb << 30) | (i << 21) | PTE_P | PTE_W | PTE_PS;
	}
	write_cr3(root);
	pr_debug("host page tables: identity map of %lu GiB with %s pages", top / GiB(1), gb_pages ? "1 GiB" : "2 MiB");
}

u64 paging_root(void)
{
	return root;
}
