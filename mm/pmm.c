/* Physical page allocator over the firmware memory map. The hypervisor identity-maps all RAM. */
#include "lib.h"
#include "log.h"
#include "pmm.h"
#include "ranges.h"
#include "spinlock.h"

static struct ranges free_ranges;
static spinlock_t pmm_lock = SPINLOCK_INIT;
static u64 top_of_ram;

void pmm_init(const struct boot_info *bi)
{
	for (u32 i = 0; i < bi->mmap_count; i++) {
		const struct mem_region *r = &bi->mmap[i];
		if (r->type == MEM_USABLE || r->type == MEM_ACPI_RECLAIM || r->type == MEM_ACPI_NVS ||
		    r->type == MEM_BOOT)
			top_of_ram = MAX(top_of_ram, r->base + r->size);
		if (r->type != MEM_USABLE)
			continue;
		/* Only whole pages, and nothing below 1 MiB: real-mode leftovers and the AP trampoline live there. */
		u64 base = MAX(ALIGN_UP(r->base, PAGE_SIZE), MiB(1));
		u64 end = ALIGN_DOWN(r->base + r->size, PAGE_SIZE);
		if (end > base)
			ranges_add(&free_ranges, base, end - base);
	}
	/* Anything a firmware map lists twice as usable and reserved stays reserved. */
	for (u32 i = 0; i < bi->mmap_count; i++) {
		const struct mem_region *r = &bi->mmap[i];
		if (r->type != MEM_USABLE)
			ranges_remove(&free_ranges, ALIGN_DOWN(r->base, PAGE_SIZE),
				      ALIGN_UP(r->base + r->size, PAGE_SIZE) - ALIGN_DOWN(r->base, PAGE_SIZE));
	}
	ranges_remove(&free_ranges, ALIGN_DOWN(bi->image_base, PAGE_SIZE),
		      ALIGN_UP(bi->image_end, PAGE_SIZE) - ALIGN_DOWN(bi->image_base, PAGE_SIZE));
	for (u32 i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		ranges_remove(&free_ranges, ALIGN_DOWN(m->base, PAGE_SIZE),
			      ALIGN_UP(m->base + m->size, PAGE_SIZE) - ALIGN_DOWN(m->base, PAGE_SIZE));
	}
}

u64 pmm_alloc_unzeroed(u64 size, u64 align, u64 limit)
{
	size = ALIGN_UP(size, PAGE_SIZE);
	spin_lock(&pmm_lock);
	u64 pa = ranges_alloc(&free_ranges, size, MAX(align, PAGE_SIZE), limit);
	spin_unlock(&pmm_lock);
	return pa;
}

u64 pmm_alloc(u64 size, u64 align, u64 limit)
{
	u64 pa = pmm_alloc_unzeroed(size, align, limit);
	if (pa)
		memset(phys_to_virt(pa), 0, ALIGN_UP(size, PAGE_SIZE));
	return pa;
}

u64 pmm_free_bytes(void)
{
	return ranges_total(&free_ranges);
}

u64 pmm_largest_free(void)
{
	return ranges_largest(&free_ranges);
}

u64 pmm_top_of_ram(void)
{
	return top_of_ram;
}
