/* Free-range bookkeeping for the physical allocator. Pure logic. */
#include "ranges.h"

static void remove_at(struct ranges *rs, u32 i)
{
	for (; i + 1 < rs->count; i++)
		rs->r[i] = rs->r[i + 1];
	rs->count--;
}

static bool insert_at(struct ranges *rs, u32 i, u64 base, u64 end)
{
	if (rs->count == RANGES_MAX)
		return false;
	for (u32 j = rs->count; j > i; j--)
		rs->r[j] = rs->r[j - 1];
	rs->r[i].base = base;
	rs->r[i].end = end;
	rs->count++;
	return true;
}

bool ranges_add(struct ranges *rs, u64 base, u64 size)
{
	if (!size)
		return true;
	u64 end = base + size;
	if (end < base)
		end = UINT64_MAX;
	/* carve first so that overlapping adds do not double count */
	if (!ranges_remove(rs, base, end - base))
		return false;
	u32 i = 0;
	while (i < rs->count && rs->r[i].base < base)
		i++;
	if (!insert_at(rs, i, base, end))
		return false;
	if (i + 1 < rs->count && rs->r[i + 1].base == rs->r[i].end) {
		rs->r[i].end = rs->r[i + 1].end;
		remove_at(rs, i + 1);
	}
	if (i > 0 && rs->r[i - 1].end == rs->r[i].base) {
		rs->r[i - 1].end = rs->r[i].end;
		remove_at(rs, i);
	}
	return true;
}

bool ranges_remove(struct ranges *rs, u64 base, u64 size)
{
	if (!size)
		return true;
	u64 end = base + size;
	if (end < base)
		end = UINT64_MAX;
	for (u32 i = 0; i < rs->count; i++) {
		u64 b = rs->r[i].base, e = rs->r[i].end;
		if (e <= base || b >= end)
			continue;
		if (b < base && e > end) {
			/* a split needs a free slot: fail before changing anything */
			if (!insert_at(rs, i + 1, end, e))
				return false;
			rs->r[i].end = base;
			return true;
		}
		if (b < base) {
			rs->r[i].end = base;
		} else if (e > end) {
			rs->r[i].base = end;
		} else {
			remove_at(rs, i);
			i--;
		}
	}
	return true;
}

u64 ranges_alloc(struct ranges *rs, u64 size, u64 align, u64 limit)
{
	if (!size || !align || (align & (align - 1)))
		return 0;
	for (u32 i = 0; i < rs->count; i++) {
		u64 b = rs->r[i].base ? rs->r[i].base : align;
		u64 start = (b + align - 1) & ~(align - 1);
		if (start < b)
			continue;
		u64 end = start + size;
		if (end < start || end > rs->r[i].end || end > limit)
			continue;
		if (!ranges_remove(rs, start, size))
			return 0;
		return start;
	}
	return 0;
}

u64 ranges_total(const struct ranges *rs)
{
	u64 t = 0;
	for (u32 i = 0; i < rs->count; i++)
		t += rs->r[i].end - rs->r[i].base;
	return t;
}

u64 ranges_largest(const struct ranges *rs)
{
	u64 m = 0;
	for (u32 i = 0; i < rs->count; i++)
		if (rs->r[i].end - rs->r[i].base > m)
			m = rs->r[i].end - rs->r[i].base;
	return m;
}
