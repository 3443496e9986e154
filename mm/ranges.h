/* A set of free physical ranges: add, carve out, allocate aligned. Pure logic (unit-tested on the host). */
#ifndef MINIHV_RANGES_H
#define MINIHV_RANGES_H

#include "types.h"

#define RANGES_MAX 256

struct ranges {
	u32 count;
	struct {
		u64 base, end; /* [base, end) */
	} r[RANGES_MAX];
};

/* Adds [base, base+size), merging with neighbours. False when the table is full. */
bool ranges_add(struct ranges *rs, u64 base, u64 size);
/* Removes [base, base+size) from whatever it overlaps. False when a split overflows the table. */
bool ranges_remove(struct ranges *rs, u64 base, u64 size);
/* Takes the lowest block of size bytes aligned to align that ends at or below limit; 0 when none fits.
 * Address 0 is never returned. */
u64 ranges_alloc(struct ranges *rs, u64 size, u64 align, u64 limit);
u64 ranges_total(const struct ranges *rs);
/* Size of the largest single range. */
u64 ranges_largest(const struct ranges *rs);

#endif
