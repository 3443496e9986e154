/* mm/ept.c: EPT construction, 2 MiB/4 KiB choice, and splitting a large page for an overlay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ept.h"

static unsigned pages_left;

/* Host pages stand in for physical pages: the EPT code treats table addresses as identity-mapped. */
static u64 alloc_page(void *ctx)
{
	(void)ctx;
	if (!pages_left)
		return 0;
	pages_left--;
	void *p = aligned_alloc(4096, 4096);
	memset(p, 0, 4096);
	return (u64)(uintptr_t)p;
}

static void free_tables(u64 table, int level)
{
	u64 *t = (u64 *)(uintptr_t)table;
	for (int i = 0; level > 0 && i < 512; i++)
		if ((t[i] & EPT_RWX) && !(t[i] & EPT_LARGE))
			free_tables(t[i] & EPT_ADDR_MASK, level - 1);
	free(t);
}

/* The walk the CPU does (SDM 28.3.2): true with the HPA and rights when gpa is mapped. */
static bool ept_translate(const struct ept *e, u64 gpa, u64 *hpa, u64 *rights)
{
	u64 entry = e->root | EPT_RWX;
	for (int level = 3; level >= 0; level--) {
		if (!(entry & EPT_RWX))
			return false;
		entry = ((const u64 *)(uintptr_t)(entry & EPT_ADDR_MASK))[(gpa >> (12 + 9 * level)) & 511];
		if (level == 1 && (entry & EPT_LARGE) && (entry & EPT_RWX)) {
			*hpa = (entry & EPT_ADDR_MASK & ~(MiB(2) - 1)) | (gpa & (MiB(2) - 1));
			*rights = entry & EPT_RWX;
			return true;
		}
	}
	if (!(entry & EPT_RWX))
		return false;
	*hpa = (entry & EPT_ADDR_MASK) | (gpa & (PAGE_SIZE - 1));
	*rights = entry & EPT_RWX;
	return true;
}

static void check(struct ept *e, u64 gpa, u64 want_hpa)
{
	u64 hpa, rights;
	assert_true(ept_translate(e, gpa, &hpa, &rights));
	assert_int_equal(hpa, want_hpa);
	assert_int_equal(rights, EPT_RWX);
}

static void test_aligned_ram_uses_2m_pages(void **state)
{
	struct ept e;
	pages_left = 100;
	assert_true(ept_init(&e, alloc_page, NULL));
	assert_true(ept_map(&e, 0, 0x40000000, 16 << 20, EPT_RWX));
	assert_int_equal(e.pages_2m, 8);
	assert_int_equal(e.pages_4k, 0);
	assert_int_equal(e.tables, 3); /* PML4, PDPT, PD */
	check(&e, 0, 0x40000000);
	check(&e, 0x123456, 0x40123456);
	check(&e, (16 << 20) - 1, 0x40000000 + (16 << 20) - 1);
	u64 hpa, rights;
	assert_false(ept_translate(&e, 16 << 20, &hpa, &rights)); /* nothing beyond RAM */
	assert_false(ept_translate(&e, 0xfee00000, &hpa, &rights));
	/* leaves are write-back */
	u64 *pml4 = (u64 *)(uintptr_t)e.root;
	u64 *pdpt = (u64 *)(uintptr_t)(pml4[0] & EPT_ADDR_MASK);
	u64 *pd = (u64 *)(uintptr_t)(pdpt[0] & EPT_ADDR_MASK);
	assert_int_equal((pd[0] >> EPT_MEMTYPE_SHIFT) & 7, EPT_MEMTYPE_WB);
	assert_true(pd[0] & EPT_LARGE);
	assert_int_equal(ept_pointer(&e) & 0x3f, 0x1e); /* WB, 4-level walk */
	free_tables(e.root, 3);
}

static void test_unaligned_uses_4k_pages(void **state)
{
	struct ept e;
	pages_left = 100;
	assert_true(ept_init(&e, alloc_page, NULL));
	/* HPA not 2 MiB aligned: every page is 4 KiB */
	assert_true(ept_map(&e, 0, 0x40001000, 4 << 20, EPT_RWX));
	assert_int_equal(e.pages_2m, 0);
	assert_int_equal(e.pages_4k, 1024);
	check(&e, 0x1fffff, 0x40001000 + 0x1fffff);
	/* a range that starts mid-2 MiB uses 4K up to the boundary, then 2M */
	assert_true(ept_map(&e, 0x40000000 - 0x1000, 0x80000000 - 0x1000, 0x201000, EPT_READ));
	assert_int_equal(e.pages_2m, 1);
	assert_int_equal(e.pages_4k, 1025);
	free_tables(e.root, 3);
}

static void test_overlay_splits_large_page(void **state)
{
	struct ept e;
	pages_left = 100;
	assert_true(ept_init(&e, alloc_page, NULL));
	assert_true(ept_map(&e, 0, 0x40000000, 4 << 20, EPT_RWX));
	/* One read+execute page elsewhere, inside the first 2 MiB page: as the hypercall overlay does. */
	assert_true(ept_map(&e, 0x3000, 0x50000000, 0x1000, EPT_READ | EPT_EXEC));
	u64 hpa, rights;
	assert_true(ept_translate(&e, 0x3000, &hpa, &rights));
	assert_int_equal(hpa, 0x50000000);
	assert_int_equal(rights, EPT_READ | EPT_EXEC);
	check(&e, 0x2000, 0x40002000);
	check(&e, 0x4000, 0x40004000);
	check(&e, 0x1fffff, 0x401fffff);
	check(&e, 0x200000, 0x40200000);
	assert_int_equal(e.pages_2m, 1);
	assert_int_equal(e.pages_4k, 512);
	assert_int_equal(e.tables, 4); /* PML4, PDPT, PD and the split page's table */
	/* Mapping the page back keeps the split and the counts. */
	assert_true(ept_map(&e, 0x3000, 0x40003000, 0x1000, EPT_RWX));
	check(&e, 0x3000, 0x40003000);
	assert_int_equal(e.pages_4k, 512);
	free_tables(e.root, 3);
}

static void test_out_of_table_memory(void **state)
{
	struct ept e;
	pages_left = 2; /* PML4 and PDPT, then nothing */
	assert_true(ept_init(&e, alloc_page, NULL));
	assert_false(ept_map(&e, 0, 0x40000000, 2 << 20, EPT_RWX));
	free_tables(e.root, 3);
}

/* Zero on first use (hv/guest_ram.c): RAM is mapped without rights, then chunk by chunk with them; a
 * leaf given rights later is still one page, and a split of a rightless leaf stays rightless. */
static void test_rights_granted_later(void **state)
{
	struct ept e;
	u64 hpa, rights;
	pages_left = 100;
	assert_true(ept_init(&e, alloc_page, NULL));
	assert_true(ept_map(&e, 0, 0x40000000, 8 << 20, 0));
	assert_false(ept_translate(&e, 0x200000, &hpa, &rights));
	assert_true(ept_map(&e, 0x200000, 0x40200000, 2 << 20, EPT_RWX));
	assert_int_equal(e.pages_2m, 4);
	check(&e, 0x234567, 0x40234567);
	assert_false(ept_translate(&e, 0x400000, &hpa, &rights));
	assert_true(ept_map(&e, 0x401000, 0x90000000, 4096, EPT_READ));
	assert_int_equal(e.pages_2m, 3);
	assert_int_equal(e.pages_4k, 512);
	assert_false(ept_translate(&e, 0x400000, &hpa, &rights));
	assert_true(ept_translate(&e, 0x401000, &hpa, &rights));
	assert_int_equal(hpa, 0x90000000);
	free_tables(e.root, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aligned_ram_uses_2m_pages),
		cmocka_unit_test(test_unaligned_uses_4k_pages),
		cmocka_unit_test(test_overlay_splits_large_page),
		cmocka_unit_test(test_out_of_table_memory),
		cmocka_unit_test(test_rights_granted_later),
	};
	return cmocka_run_group_tests_name("ept", tests, NULL, NULL);
}
