/* The hypervisor's own page tables: an identity map of all RAM and the 4 GiB below it. */
#ifndef MINIHV_PAGING_H
#define MINIHV_PAGING_H

#include "types.h"

#define PTE_P BIT(0)
#define PTE_W BIT(1)
#define PTE_U BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_A BIT(5)
#define PTE_D BIT(6)
#define PTE_PS BIT(7)
#define PTE_G BIT(8)
#define PTE_NX BIT(63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

/* Builds the map (root below 4 GiB, so APs can load it from 32-bit code) and loads CR3. */
void paging_init(u64 top);
u64 paging_root(void);

#endif
