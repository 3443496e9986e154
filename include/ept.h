/* Extended page tables (SDM 28.3). Building and editing them is pure logic over identity-mapped
 * table pages handed out by a callback, so host tests run the same code. */
#ifndef MINIHV_EPT_H
#define MINIHV_EPT_H

#include "types.h"

#define EPT_READ BIT(0)
#define EPT_WRITE BIT(1)
#define EPT_EXEC BIT(2)
#define EPT_RWX (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_SHIFT 3
#define EPT_MEMTYPE_UC 0ull
#define EPT_MEMTYPE_WB 6ull
#define EPT_IGNORE_PAT BIT(6)
#define EPT_LARGE BIT(7)
#define EPT_ADDR_MASK 0x000ffffffffff000ull

#define EPTP_WB 6ull
#define EPTP_WALK_4 (3ull << 3)

/* Returns the address of a zeroed 4 KiB page (identity-mapped), or 0 when out of memory. */
typedef u64 (*ept_alloc_fn)(void *ctx);

struct ept {
	u64 root;          /* PML4 */
	ept_alloc_fn alloc;
	void *ctx;
	u32 tables;        /* table pages used, for the log */
	u32 pages_2m, pages_4k;
};

bool ept_init(struct ept *e, ept_alloc_fn alloc, void *ctx);
/* Maps GPA [gpa, gpa+size) to HPA [hpa, ...) write-back with the given rights: 2 MiB pages where both
 * addresses and the remaining size allow, 4 KiB elsewhere; a 2 MiB page that only part of the range
 * covers is split first (the hypercall overlay). Returns false when out of table memory; the caller must
 * INVEPT when it changed a mapping. */
bool ept_map(struct ept *e, u64 gpa, u64 hpa, u64 size, u64 rights);
static inline u64 ept_pointer(const struct ept *e) { return e->root | EPTP_WALK_4 | EPTP_WB; }

#endif
