/* isolation: cmdline "mode=checksum|escape|escape-high" (VP 0 works, other VPs exit 0 at once).
 *   checksum     fill the free region with a pattern of (partition id, GPA), read it back, compare with
 *                the checksum recomputed from the pattern; "hold_ms=N" waits between fill and check, so
 *                concurrent partitions overlap; "size=N[K|M|G]" fills at most N bytes (emulators are slow).
 *   escape       read and write the GPA just beyond RAM: minihv must stop this partition.
 *   escape-high  the same far away (3 GiB, or 1 GiB above RAM when RAM reaches it), where other
 *                partitions or minihv live. "gpa=X" overrides the address for both escape modes. */
#include "guest.h"

static u64 pattern(u64 gpa, u32 partition_id)
{
	/* splitmix64 finaliser: neighbouring words and partitions get unrelated values */
	u64 x = gpa ^ ((u64)partition_id << 52) ^ 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static u64 fold(u64 sum, u64 v)
{
	return ((sum << 1) | (sum >> 63)) ^ v;
}

static u64 option_u64(const char *key, u64 dflt)
{
	char val[24];
	u64 v = dflt;
	if (guest_option(key, val, sizeof(val)))
		guest_check(parse_u64(val, strlen(val), &v, true), "isolation: bad %s=%s", key, val);
	return v;
}

static int checksum(const struct minihv_boot_info *bi)
{
	u64 pages = MIN(page_free_count(), option_u64("size", UINT64_MAX) / PAGE_SIZE);
	guest_check(pages > 0, "isolation: no free memory to fill");
	volatile u64 *mem = page_alloc(pages);
	guest_check(mem != NULL, "isolation: cannot allocate %lu free pages", pages);
	u64 start = (u64)(uintptr_t)mem, bytes = pages * PAGE_SIZE, words = bytes / 8;
	printf("isolation: filling %lu KiB at GPA [0x%lx, 0x%lx)\n", bytes >> 10, start, start + bytes);

	for (u64 i = 0; i < words; i++)
		mem[i] = pattern(start + i * 8, bi->partition_id);

	delay_us(option_u64("hold_ms", 0) * 1000);

	u64 sum = 0, expect = 0, bad = 0, first_bad = 0;
	for (u64 i = 0; i < words; i++) {
		u64 want = pattern(start + i * 8, bi->partition_id), got = mem[i];
		sum = fold(sum, got);
		expect = fold(expect, want);
		if (got != want && !bad++)
			first_bad = start + i * 8;
	}
	if (bad)
		guest_fail("isolation: checksum %016lx, expected %016lx: %lu words changed, first at GPA 0x%lx", sum,
			   expect, bad, first_bad);
	printf("isolation: checksum %016lx ok\n", sum);
	return 0;
}

static int escape(const struct minihv_boot_info *bi, bool high)
{
	u64 gpa = bi->ram_size;
	if (high)
		gpa = bi->ram_size < GiB(3) ? GiB(3) : ALIGN_UP(bi->ram_size, GiB(1)) + GiB(1);
	gpa = ALIGN_DOWN(option_u64("gpa", gpa), PAGE_SIZE);

	/* Any exception here is a guest bug, not isolation: report it instead of triple faulting, which
	 * would look like the expected stop. */
	idt_init();
	guest_check(pt_map_4k(gpa, gpa, PTE_W), "isolation: cannot map GPA 0x%lx (out of free pages)", gpa);
	printf("isolation: touching GPA 0x%lx beyond RAM\n", gpa);
	volatile u64 *p = (volatile u64 *)(uintptr_t)gpa;
	u64 v = *p;
	*p = ~v;
	guest_fail("isolation: access beyond RAM succeeded (GPA 0x%lx read 0x%lx)", gpa, v);
}

int guest_main(const struct minihv_boot_info *bi)
{
	if (bi->vp_index != 0)
		return 0;
	char mode[16];
	if (!guest_option("mode", mode, sizeof(mode)))
		strlcpy(mode, "checksum", sizeof(mode));
	if (!strcmp(mode, "checksum"))
		return checksum(bi);
	if (!strcmp(mode, "escape"))
		return escape(bi, false);
	if (!strcmp(mode, "escape-high"))
		return escape(bi, true);
	guest_fail("isolation: unknown mode=%s (checksum, escape, escape-high)", mode);
}
