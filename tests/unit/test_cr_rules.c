/* vmx/cr_rules.c: the #GP(0) conditions of MOV to CR0/CR4 and WRMSR IA32_EFER, and EFER.LMA following
 * CR0.PG, for the mode switches the Linux AP trampoline makes (real → protected → long mode). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmx/cr_rules.h"
#include "x86.h"

#define ALLOWED (CR4_PAE | CR4_PGE | CR4_PSE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_PCIDE | CR4_DE)
#define LONG_CR0 (CR0_PE | CR0_PG | CR0_NE | CR0_ET | CR0_WP | CR0_MP)

static struct cr_state real_mode(void)
{
	return (struct cr_state){ .cr0 = CR0_CD | CR0_NW | CR0_ET, .cr4_allowed = ALLOWED };
}

static struct cr_state long_mode(bool cs_l)
{
	return (struct cr_state){ .cr0 = LONG_CR0, .cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA, .cs_l = cs_l,
				  .cr4_allowed = ALLOWED };
}

static void test_cr0_combinations(void **state)
{
	struct cr_state s = real_mode();
	u64 out;
	assert_true(cr0_write_check(&s, CR0_PE, &out));
	assert_int_equal(out, CR0_PE | CR0_ET); /* ET is hardwired */
	assert_false(cr0_write_check(&s, CR0_PG, &out));                   /* PG without PE */
	assert_false(cr0_write_check(&s, CR0_PE | CR0_NW, &out));          /* NW without CD */
	assert_true(cr0_write_check(&s, CR0_PE | CR0_NW | CR0_CD, &out));
	assert_false(cr0_write_check(&s, CR0_PE | (1ull << 32), &out));    /* bits 63:32 */
	assert_true(cr0_write_check(&s, CR0_PE | BIT(6) | BIT(28), &out));  /* reserved low bits: dropped */
	assert_int_equal(out, CR0_PE | CR0_ET);
}

static void test_cr0_long_mode_entry_and_exit(void **state)
{
	u64 out;
	/* LME set, PAE off: PG is #GP. */
	struct cr_state s = { .cr0 = CR0_PE | CR0_ET, .efer = EFER_LME, .cr4_allowed = ALLOWED };
	assert_false(cr0_write_check(&s, CR0_PE | CR0_PG, &out));
	s.cr4 = CR4_PAE;
	assert_true(cr0_write_check(&s, CR0_PE | CR0_PG, &out));
	assert_int_equal(efer_after_cr0(s.efer, s.cr0, out), EFER_LME | EFER_LMA);
	/* Without LME, paging on stays legacy. */
	assert_int_equal(efer_after_cr0(0, CR0_PE, CR0_PE | CR0_PG), 0);
	/* Clearing PG from 64-bit code: #GP; from compatibility mode: long mode ends. */
	struct cr_state l64 = long_mode(true), compat = long_mode(false);
	assert_false(cr0_write_check(&l64, LONG_CR0 & ~CR0_PG, &out));
	assert_true(cr0_write_check(&compat, LONG_CR0 & ~CR0_PG, &out));
	assert_int_equal(efer_after_cr0(compat.efer, compat.cr0, out), EFER_LME);
	/* PCIDE on: PG cannot be cleared. */
	compat.cr4 |= CR4_PCIDE;
	assert_false(cr0_write_check(&compat, LONG_CR0 & ~CR0_PG, &out));
	/* Other bits change freely in 64-bit mode. */
	assert_true(cr0_write_check(&l64, LONG_CR0 & ~CR0_WP, &out));
}

static void test_cr4(void **state)
{
	struct cr_state s = real_mode();
	assert_true(cr4_write_check(&s, CR4_PAE | CR4_PGE));
	assert_false(cr4_write_check(&s, CR4_VMXE));         /* no nested VMX */
	assert_false(cr4_write_check(&s, CR4_OSXSAVE));      /* not offered */
	assert_false(cr4_write_check(&s, BIT(32)));
	assert_false(cr4_write_check(&s, CR4_PCIDE));        /* outside IA-32e mode */
	struct cr_state l = long_mode(true);
	assert_false(cr4_write_check(&l, CR4_PGE));          /* IA-32e mode keeps PAE */
	assert_true(cr4_write_check(&l, CR4_PAE | CR4_PCIDE));
	l.cr3 = 0x1001;
	assert_false(cr4_write_check(&l, CR4_PAE | CR4_PCIDE)); /* PCID 1 current */
}

static void test_efer(void **state)
{
	struct cr_state s = real_mode();
	assert_true(efer_write_check(&s, EFER_LME | EFER_NXE | EFER_SCE));
	assert_false(efer_write_check(&s, BIT(9)));          /* reserved */
	struct cr_state l = long_mode(false);
	assert_false(efer_write_check(&l, 0));                /* LME off with paging on */
	assert_true(efer_write_check(&l, EFER_LME | EFER_LMA | EFER_NXE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr0_combinations),
		cmocka_unit_test(test_cr0_long_mode_entry_and_exit),
		cmocka_unit_test(test_cr4),
		cmocka_unit_test(test_efer),
	};
	return cmocka_run_group_tests_name("cr_rules", tests, NULL, NULL);
}
