/* The hypervisor's own page tables: an identity map of all RAM and the 4 GiB below it. */
#ifndef MINIHV_PAGING_H
#define MINIHV_PAGING_H

#include "types.h"
#include "x86.h"   /* PTE_* bits */

/* Builds the map (root below 4 GiB, so APs can load it from 32-bit code) and loads CR3. */
void paging_init(u64 top);
u64 paging_root(void);

#endif
