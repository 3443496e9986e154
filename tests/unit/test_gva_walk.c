/* hv/gva_walk.c: the page walker of HvCallTranslateVirtualAddress. One case per result code and per
 * paging feature, each with a negative control (the same walk with the one thing that matters changed).
 * Page tables are built in a 16 MiB block that stands for the partition's RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gva_walk.h"
#include "hyperv_tlfs.h"
#include "x86.h"

#define RAM_SIZE MiB(16)
#define R HV_TRANSLATE_GVA_VALIDATE_READ
#define W HV_TRANSLATE_GVA_VALIDATE_WRITE
#define X HV_TRANSLATE_GVA_VALIDATE_EXECUTE
#define EXEMPT HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT
#define SETBITS HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS
#define PAT_RESET 0x0007040600070406ull
#define URW (PTE_P | PTE_W | PTE_U)

static u8 *ram;
static struct gva_space space;
static struct gva_paging_state st;
static struct gva_result res;

static int setup(void **state)
{
	ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);
	assert_non_null(ram);
	memset(ram, 0, RAM_SIZE);
	space = (struct gva_space){ .ram = ram, .ram_size = RAM_SIZE, .overlay_gpa = ~0ull, .maxphyaddr = 36,
				    .gbpages = true };
	st = (struct gva_paging_state){ .pat = PAT_RESET };
	return 0;
}

static int teardown(void **state)
{
	free(ram);
	return 0;
}

static u64 *q(u64 gpa) { return (u64 *)(ram + gpa); }
static u32 *d(u64 gpa) { return (u32 *)(ram + gpa); }

static u32 walk(u64 gva, u64 flags)
{
	gva_translate(&st, &space, gva, flags, &res);
	return res.result_code;
}

static void expect_gpa(u64 gva, u64 flags, u64 gpa)
{
	assert_int_equal(walk(gva, flags), HV_TRANSLATE_GVA_SUCCESS);
	assert_int_equal(res.gpa, gpa);
}

/* ---- modes ---- */

/* 4-level: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000; GVA 0x40201000 (PML4 0, PDPT 1, PD 1, PT 1). */
#define G4 0x40201000ull
static void long_mode(void)
{
	st.cr0 = CR0_PE | CR0_PG | CR0_WP;
	st.cr4 = CR4_PAE;
	st.efer = EFER_LME | EFER_LMA | EFER_NXE;
	st.cr3 = 0x1000;
	*q(0x1000) = 0x2000 | URW;
	*q(0x2000 + 8) = 0x3000 | URW;
	*q(0x3000 + 8) = 0x4000 | URW;
	*q(0x4000 + 8) = 0x9000 | URW;
}

/* PAE: PDPT at 0x1020 (32-byte aligned), PD 0x3000, PT 0x4000; same GVA (PDPTE 1). */
static void pae_mode(void)
{
	st.cr0 = CR0_PE | CR0_PG | CR0_WP;
	st.cr4 = CR4_PAE;
	st.efer = EFER_NXE;
	st.cr3 = 0x1020;
	*q(0x1020 + 8) = 0x3000 | PTE_P;
	*q(0x3000 + 8) = 0x4000 | URW;
	*q(0x4000 + 8) = 0x9000 | URW;
}

/* 32-bit: PD 0x1000, PT 0x4000; GVA 0x00401000 (PDE 1, PTE 1). */
#define G2 0x00401000ull
static void mode_32bit(void)
{
	st.cr0 = CR0_PE | CR0_PG | CR0_WP;
	st.cr4 = 0;
	st.efer = 0;
	st.cr3 = 0x1000;
	*d(0x1000 + 4) = 0x4000 | URW;
	*d(0x4000 + 4) = 0x9000 | URW;
}

static void test_paging_off(void **state)
{
	st.cr0 = CR0_PE;
	expect_gpa(0x123456, R | W | X, 0x123456);
	assert_int_equal(res.cache_type, HV_CACHE_TYPE_X64_WB);
	assert_false(res.overlay);
	/* Identity even beyond RAM: the walk reads nothing. */
	expect_gpa(0x7fff0000, R, 0x7fff0000);
	expect_gpa(0xfffff123, R, 0xfffff123);
	/* 32-bit linear addresses: above 4 GiB nothing is mapped (fuzz_gva_walk found GPA = GVA there) */
	assert_int_equal(walk(0x100000000ull, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	assert_int_equal(walk(0x0007040600070406ull, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	/* control: the same GVA with paging on walks (empty) tables */
	st.cr0 |= CR0_PG;
	st.cr3 = 0x1000;
	assert_int_equal(walk(0x123456, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
}

static void test_32bit_4k(void **state)
{
	mode_32bit();
	expect_gpa(G2 + 0x123, R | W | X, 0x9123);
	/* XD does not exist here: NXE and bit 63 of nothing change nothing; execution is allowed */
	st.efer = EFER_NXE;
	expect_gpa(G2, X, 0x9000);
	/* control: PTE not present */
	*d(0x4000 + 4) = 0x9000;
	assert_int_equal(walk(G2, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
}

static void test_32bit_4m_pse(void **state)
{
	mode_32bit();
	st.cr4 = CR4_PSE;
	*d(0x1000 + 8) = 0x00800000 | PTE_PS | URW; /* GVA 8 MiB .. 12 MiB → GPA 8 MiB */
	expect_gpa(0x00812345, R, 0x00812345);
	/* PSE-36: bits 16:13 are address bits 35:32 with MAXPHYADDR 36 */
	*d(0x1000 + 8) = 0x00800000 | (1u << 13) | PTE_PS | URW;
	expect_gpa(0x00812345, R, 0x100812345ull);
	/* bit 17 (address bit 36) is above MAXPHYADDR; bit 21 is always reserved */
	*d(0x1000 + 8) = 0x00800000 | (1u << 17) | PTE_PS | URW;
	assert_int_equal(walk(0x00812345, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	*d(0x1000 + 8) = 0x00800000 | (1u << 21) | PTE_PS | URW;
	assert_int_equal(walk(0x00812345, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	/* control: with MAXPHYADDR 40 bit 17 is an address bit */
	space.maxphyaddr = 40;
	*d(0x1000 + 8) = 0x00800000 | (1u << 17) | PTE_PS | URW;
	expect_gpa(0x00812345, R, 0x1000812345ull);
	/* control: without CR4.PSE the PS bit is ignored: the PDE names a page table (zeros at 8 MiB) */
	st.cr4 = 0;
	*d(0x1000 + 8) = 0x00800000 | PTE_PS | URW;
	assert_int_equal(walk(0x00812345, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
}

static void test_32bit_above_4g(void **state)
{
	mode_32bit();
	assert_int_equal(walk(BIT(32) | G2, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	expect_gpa(G2, R, 0x9000); /* control */
}

static void test_pae(void **state)
{
	pae_mode();
	expect_gpa(G4 + 0x10, R | W, 0x9010);
	/* 2 MiB page in the PD */
	*q(0x3000 + 16) = 0x00600000 | PTE_PS | URW;
	expect_gpa(0x40412345, R, 0x00612345);
	/* PDPTE: R/W (bit 1) is reserved */
	*q(0x1020 + 8) = 0x3000 | PTE_P | PTE_W;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	*q(0x1020 + 8) = 0x3000 | PTE_P;
	/* PAE paging: bits 62:MAXPHYADDR are reserved, bit 52 among them */
	*q(0x4000 + 8) = 0x9000 | URW | BIT(52);
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	/* control: PDPTE not present */
	*q(0x4000 + 8) = 0x9000 | URW;
	*q(0x1020 + 8) = 0x3000;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
}

static void test_4level_4k(void **state)
{
	long_mode();
	expect_gpa(G4 + 0xabc, R | W | X, 0x9abc);
	/* PCID and flags in CR3's low bits are not address bits */
	st.cr3 = 0x1000 | 0x5;
	expect_gpa(G4, R, 0x9000);
	/* bits 62:52 are ignored in 4-level entries (control for the PAE case above) */
	*q(0x4000 + 8) = 0x9000 | URW | BIT(52);
	expect_gpa(G4, R, 0x9000);
	/* each level not present */
	*q(0x3000 + 8) = 0x4000;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	*q(0x1000) = 0;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
}

static void test_4level_2m(void **state)
{
	long_mode();
	*q(0x3000 + 8) = 0x00a00000 | PTE_PS | URW;
	expect_gpa(G4 + 0x12345, R, 0x00a01000 + 0x12345);
	/* bits 20:13 of a 2 MiB entry are reserved */
	*q(0x3000 + 8) = 0x00a00000 | BIT(13) | PTE_PS | URW;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	/* bit 12 is the PAT bit, not reserved */
	*q(0x3000 + 8) = 0x00a00000 | BIT(12) | PTE_PS | URW;
	expect_gpa(G4, R, 0x00a01000);
}

static void test_4level_1g(void **state)
{
	long_mode();
	*q(0x2000 + 8) = 0x40000000 | PTE_PS | URW;
	expect_gpa(G4 + 5, R, 0x40201005);
	/* bits 29:13 of a 1 GiB entry are reserved */
	*q(0x2000 + 8) = 0x40000000 | BIT(20) | PTE_PS | URW;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	/* without 1 GiB pages the PS bit is reserved in a PDPTE */
	*q(0x2000 + 8) = 0x40000000 | PTE_PS | URW;
	space.gbpages = false;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
}

static void test_ps_reserved_in_pml4e(void **state)
{
	long_mode();
	*q(0x1000) = 0x2000 | PTE_PS | URW;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	*q(0x1000) = 0x2000 | URW;
	expect_gpa(G4, R, 0x9000);
}

static void test_5level(void **state)
{
	long_mode();
	st.cr4 |= CR4_LA57;
	/* PML5 at 0x5000, entry 1 (GVA bit 48) → the PML4 at 0x1000 */
	st.cr3 = 0x5000;
	*q(0x5000 + 8) = 0x1000 | URW;
	expect_gpa(BIT(48) | G4, R, 0x9000);
	/* a GVA canonical for 5 levels only */
	assert_int_equal(walk(BIT(48) | G4, R), HV_TRANSLATE_GVA_SUCCESS);
	st.cr4 &= ~CR4_LA57;
	st.cr3 = 0x1000;
	assert_int_equal(walk(BIT(48) | G4, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
}

static void test_non_canonical(void **state)
{
	long_mode();
	assert_int_equal(walk(BIT(47) | G4, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	assert_int_equal(walk(0x8000000000000000ull | G4, R), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	/* control: the canonical upper half walks PML4 slot 511 */
	*q(0x1000 + 511 * 8) = 0x2000 | URW;
	expect_gpa(0xffffff8000000000ull | G4, R, 0x9000);
}

static void test_gva_from_page(void **state)
{
	u64 gva;
	assert_true(gva_from_page(0xffffff8040201ull, &gva));
	assert_int_equal(gva, 0xffffff8040201000ull);
	assert_true(gva_from_page((u64)((s64)0xffffff8040201000ll >> 12), &gva)); /* arithmetic shift */
	assert_int_equal(gva, 0xffffff8040201000ull);
	assert_false(gva_from_page(BIT(60) | 5, &gva));
}

static void test_maxphyaddr(void **state)
{
	long_mode();
	*q(0x4000 + 8) = 0x9000 | URW | BIT(36);
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	*q(0x4000 + 8) = 0x9000 | URW;
	*q(0x3000 + 8) = 0x4000 | URW | BIT(51);
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	/* control: with MAXPHYADDR 52 bit 51 is an address bit (the table then lies outside RAM) */
	space.maxphyaddr = 52;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_GPA_UNMAPPED);
	assert_int_equal(res.gpa, BIT(51) | 0x4000);
}

/* ---- access rights ---- */

static void test_rw(void **state)
{
	long_mode();
	*q(0x3000 + 8) = 0x4000 | PTE_P | PTE_U; /* read-only at the PD level */
	st.cpl = 3;
	assert_int_equal(walk(G4, W), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	expect_gpa(G4, R, 0x9000);
	/* supervisor: read-only binds only with CR0.WP */
	st.cpl = 0;
	assert_int_equal(walk(G4, W), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	st.cr0 &= ~CR0_WP;
	expect_gpa(G4, W, 0x9000);
	/* PRIVILEGE_EXEMPT does not lift R/W */
	st.cr0 |= CR0_WP;
	assert_int_equal(walk(G4, W | EXEMPT), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
}

static void test_us(void **state)
{
	long_mode();
	*q(0x2000 + 8) = 0x3000 | PTE_P | PTE_W; /* supervisor at the PDPT level */
	st.cpl = 3;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	expect_gpa(G4, R | EXEMPT, 0x9000);
	st.cpl = 0;
	expect_gpa(G4, R, 0x9000);
	/* 32-bit mode: the same rule */
	memset(ram, 0, MiB(1));
	mode_32bit();
	*d(0x4000 + 4) = 0x9000 | PTE_P | PTE_W;
	st.cpl = 3;
	assert_int_equal(walk(G2, R), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	st.cpl = 1;
	expect_gpa(G2, R, 0x9000);
}

static void test_nx(void **state)
{
	long_mode();
	*q(0x1000) = 0x2000 | URW | PTE_NX; /* XD at the top */
	assert_int_equal(walk(G4, X), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	assert_int_equal(walk(G4, X | EXEMPT), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	expect_gpa(G4, R | W, 0x9000);
	/* without EFER.NXE the bit is reserved */
	st.efer &= ~EFER_NXE;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	*q(0x1000) = 0x2000 | URW;
	expect_gpa(G4, X, 0x9000);
	/* PAE paging: XD on the PTE */
	memset(ram, 0, MiB(1));
	pae_mode();
	*q(0x4000 + 8) = 0x9000 | URW | PTE_NX;
	assert_int_equal(walk(G4, X), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	st.efer = 0;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
}

static void test_smep(void **state)
{
	long_mode(); /* a user page */
	st.cr4 |= CR4_SMEP;
	assert_int_equal(walk(G4, X), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	expect_gpa(G4, R | W, 0x9000);            /* SMEP is about fetches */
	expect_gpa(G4, X | EXEMPT, 0x9000);       /* exempt: off */
	st.cpl = 3;
	expect_gpa(G4, X, 0x9000);                /* user mode may fetch from user pages */
	st.cpl = 0;
	st.cr4 &= ~CR4_SMEP;
	expect_gpa(G4, X, 0x9000);                /* control */
}

static void test_smap(void **state)
{
	long_mode();
	st.cr4 |= CR4_SMAP;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	assert_int_equal(walk(G4, W), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	expect_gpa(G4, X, 0x9000);
	expect_gpa(G4, R | W | EXEMPT, 0x9000);
	/* a supervisor page is not concerned */
	*q(0x4000 + 8) = 0x9000 | PTE_P | PTE_W;
	expect_gpa(G4, R | W, 0x9000);
}

/* ---- result codes that name a GPA ---- */

static void test_gpa_unmapped(void **state)
{
	long_mode();
	*q(0x2000 + 8) = 0x20000000 | URW; /* PD at 512 MiB: outside the 16 MiB of RAM */
	assert_int_equal(walk(G4 + 0x123, R), HV_TRANSLATE_GVA_GPA_UNMAPPED);
	assert_int_equal(res.gpa, 0x20000000);
	/* CR3 itself outside RAM */
	st.cr3 = 0x30000000;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_GPA_UNMAPPED);
	assert_int_equal(res.gpa, 0x30000000);
	/* control: a final GPA outside RAM is not checked (the TLFS checks the tables only) */
	st.cr3 = 0x1000;
	*q(0x2000 + 8) = 0x3000 | URW;
	*q(0x4000 + 8) = 0x20000000 | URW;
	expect_gpa(G4, R, 0x20000000);
}

static void test_overlay(void **state)
{
	long_mode();
	space.overlay_gpa = 0x9000;
	expect_gpa(G4 + 8, R | X, 0x9008);
	assert_true(res.overlay);
	/* a write through the overlay is illegal (the guest would take #GP) */
	assert_int_equal(walk(G4, W), HV_TRANSLATE_GVA_GPA_ILLEGAL_OVERLAY_ACCESS);
	assert_int_equal(res.gpa, 0x9000);
	/* a page table on the overlay page: the walk would read the hypercall code */
	space.overlay_gpa = 0x3000;
	assert_int_equal(walk(G4, R), HV_TRANSLATE_GVA_GPA_ILLEGAL_OVERLAY_ACCESS);
	assert_int_equal(res.gpa, 0x3000);
	/* control */
	space.overlay_gpa = ~0ull;
	expect_gpa(G4, R | W, 0x9000);
	assert_false(res.overlay);
	/* paging off: the same rules */
	st.cr0 = CR0_PE;
	space.overlay_gpa = 0x9000;
	expect_gpa(0x9010, R, 0x9010);
	assert_true(res.overlay);
	assert_int_equal(walk(0x9010, W), HV_TRANSLATE_GVA_GPA_ILLEGAL_OVERLAY_ACCESS);
}

/* ---- accessed and dirty ---- */

static void test_ad_bits(void **state)
{
	long_mode();
	/* without the flag nothing changes */
	expect_gpa(G4, R | W, 0x9000);
	assert_int_equal(*q(0x1000) & (PTE_A | PTE_D), 0);
	assert_int_equal(*q(0x4000 + 8) & (PTE_A | PTE_D), 0);
	/* a read: A at every level, no D */
	expect_gpa(G4, R | SETBITS, 0x9000);
	assert_true(*q(0x1000) & PTE_A);
	assert_true(*q(0x2000 + 8) & PTE_A);
	assert_true(*q(0x3000 + 8) & PTE_A);
	assert_true(*q(0x4000 + 8) & PTE_A);
	assert_false(*q(0x4000 + 8) & PTE_D);
	assert_false(*q(0x3000 + 8) & PTE_D);
	/* a write: D on the leaf only */
	expect_gpa(G4, W | SETBITS, 0x9000);
	assert_true(*q(0x4000 + 8) & PTE_D);
	assert_false(*q(0x3000 + 8) & PTE_D);
	/* 32-bit entries */
	memset(ram, 0, MiB(1));
	mode_32bit();
	expect_gpa(G2, W | SETBITS, 0x9000);
	assert_int_equal(*d(0x1000 + 4), 0x4000 | URW | PTE_A);
	assert_int_equal(*d(0x4000 + 4), 0x9000 | URW | PTE_A | PTE_D);
}

static void test_ad_after_failure(void **state)
{
	long_mode();
	*q(0x4000 + 8) = 0x9000 | PTE_U; /* not present */
	assert_int_equal(walk(G4, R | SETBITS), HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	assert_true(*q(0x1000) & PTE_A); /* upper levels stay accessed */
	assert_true(*q(0x3000 + 8) & PTE_A);
	assert_int_equal(*q(0x4000 + 8), 0x9000 | PTE_U);
	/* a privilege violation leaves the leaf alone */
	*q(0x4000 + 8) = 0x9000 | PTE_P | PTE_U;
	st.cpl = 3;
	assert_int_equal(walk(G4, W | SETBITS), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	assert_int_equal(*q(0x4000 + 8), 0x9000 | PTE_P | PTE_U);
	/* a reserved bit lower down: same */
	*q(0x4000 + 8) = 0x9000 | URW | BIT(40);
	memset(ram + 0x1000, 0, 8);
	*q(0x1000) = 0x2000 | URW;
	assert_int_equal(walk(G4, R | SETBITS), HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	assert_true(*q(0x1000) & PTE_A);
	assert_false(*q(0x4000 + 8) & PTE_A);
}

/* ---- cache type ---- */

static void test_cache_type(void **state)
{
	long_mode();
	expect_gpa(G4, R, 0x9000);
	assert_int_equal(res.cache_type, HV_CACHE_TYPE_X64_WB); /* PAT index 0 of the reset PAT */
	*q(0x4000 + 8) = 0x9000 | URW | PTE_PWT;
	walk(G4, R);
	assert_int_equal(res.cache_type, HV_CACHE_TYPE_X64_WT); /* index 1 */
	*q(0x4000 + 8) = 0x9000 | URW | PTE_PCD;
	walk(G4, R);
	assert_int_equal(res.cache_type, HV_CACHE_TYPE_X64_UC); /* index 2: UC- */
	/* PAT bit of a 4 KiB PTE (bit 7) selects index 4; program it WC, index 5 WP */
	st.pat = PAT_RESET & ~0xffff00000000ull;
	st.pat |= 0x0501ull << 32;
	*q(0x4000 + 8) = 0x9000 | URW | PTE_PS;
	walk(G4, R);
	assert_int_equal(res.cache_type, HV_CACHE_TYPE_X64_WC);
	*q(0x4000 + 8) = 0x9000 | URW | PTE_PS | PTE_PWT;
	walk(G4, R);
	assert_int_equal(res.cache_type, HV_CACHE_TYPE_X64_WP);
	/* a 2 MiB page: the PAT bit is bit 12 */
	*q(0x3000 + 8) = 0x00a00000 | BIT(12) | PTE_PS | URW;
	walk(G4, R);
	assert_int_equal(res.cache_type, HV_CACHE_TYPE_X64_WC);
	/* CR0.CD: uncached whatever PAT says */
	st.cr0 |= CR0_CD;
	walk(G4, R);
	assert_int_equal(res.cache_type, HV_CACHE_TYPE_X64_UC);
}

/* ---- input checks ---- */

static void test_control_flags(void **state)
{
	assert_int_equal(gva_check_control(R, 0), HV_STATUS_SUCCESS);
	assert_int_equal(gva_check_control(X | HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT | SETBITS | EXEMPT, 0), HV_STATUS_SUCCESS);
	assert_int_equal(gva_check_control(SETBITS, 0), HV_STATUS_INVALID_PARAMETER); /* no VALIDATE bit */
	assert_int_equal(gva_check_control(R | 0x40, 0), HV_STATUS_INVALID_PARAMETER); /* outside 0x3f */
	assert_int_equal(gva_check_control(R | BIT(55), 0), HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(gva_check_control(R | (1ull << 56), 0), HV_STATUS_INVALID_PARAMETER); /* VTL 1 */
	assert_int_equal(gva_check_control(R, 1), HV_STATUS_INVALID_PARAMETER); /* reserved field */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_paging_off), T(test_32bit_4k), T(test_32bit_4m_pse), T(test_32bit_above_4g), T(test_pae),
		T(test_4level_4k), T(test_4level_2m), T(test_4level_1g), T(test_ps_reserved_in_pml4e), T(test_5level),
		T(test_non_canonical), T(test_gva_from_page), T(test_maxphyaddr), T(test_rw), T(test_us), T(test_nx),
		T(test_smep), T(test_smap), T(test_gpa_unmapped), T(test_overlay), T(test_ad_bits),
		T(test_ad_after_failure), T(test_cache_type), T(test_control_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
