/* Physical memory of the machine: what is free, and allocation of zeroed, identity-mapped blocks. */
#ifndef MINIHV_PMM_H
#define MINIHV_PMM_H

#include "boot_info.h"

#define PMM_ANY (~0ull)
#define PMM_BELOW_4G GiB(4)

void pmm_init(const struct boot_info *bi);
/* Zeroed block; 0 when nothing fits. Allocation happens at setup, never on the exit path. */
u64 pmm_alloc(u64 size, u64 align, u64 limit);
/* The same without zeroing: for memory whose user zeroes what it hands out (hv/guest_ram.c). */
u64 pmm_alloc_unzeroed(u64 size, u64 align, u64 limit);
static inline u64 pmm_alloc_page(void) { return pmm_alloc(PAGE_SIZE, PAGE_SIZE, PMM_ANY); }
u64 pmm_free_bytes(void);
u64 pmm_largest_free(void);
/* Highest physical address of any RAM or ACPI region in the firmware map. */
u64 pmm_top_of_ram(void);

static inline void *phys_to_virt(u64 pa) { return (void *)(uintptr_t)pa; }
static inline u64 virt_to_phys(const void *va) { return (u64)(uintptr_t)va; }

#endif
