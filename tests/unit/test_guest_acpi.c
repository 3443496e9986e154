/* hv/guest_acpi.c: checksums, the pointers between tables, MADT entries, FADT fields Linux relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/guest_acpi.h"

#define GPA 0xe0000ull
static uint8_t buf[GUEST_ACPI_SIZE];

static uint32_t u32at(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t u64at(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* The table a GPA points at, checked: inside the block, signature, checksum. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	assert_true(gpa >= GPA && gpa < GPA + GUEST_ACPI_SIZE);
	const uint8_t *t = buf + (gpa - GPA);
	assert_memory_equal(t, sig, 4);
	uint32_t len = u32at(t + 4);
	assert_true(gpa - GPA + len <= GUEST_ACPI_SIZE);
	if (strcmp(sig, "FACS"))
		assert_int_equal(acpi_checksum(t, len), 0);
	return t;
}

static void check(uint32_t vps)
{
	uint64_t rsdp = guest_acpi_build(buf, GPA, vps);
	assert_int_equal(rsdp, GPA);
	const uint8_t *r = buf;
	assert_memory_equal(r, "RSD PTR ", 8);
	assert_int_equal(acpi_checksum(r, 20), 0);
	assert_int_equal(acpi_checksum(r, 36), 0);
	assert_int_equal(r[15], 2);
	const uint8_t *x = table(u64at(r + 24), "XSDT");
	assert_int_equal(u32at(x + 4), 36 + 16);
	const uint8_t *f = table(u64at(x + 36), "FACP");
	const uint8_t *m = table(u64at(x + 44), "APIC");
	assert_int_equal(u32at(f + 4), 276);
	assert_int_equal(u32at(f + 112) & (1u << 20), 0); /* not HW_REDUCED_ACPI: Linux keeps its 8259 */
	assert_int_equal(u32at(f + 56), GUEST_ACPI_PM1A_EVT);
	assert_int_equal(u32at(f + 64), GUEST_ACPI_PM1A_CNT);
	assert_int_equal(f[46], GUEST_ACPI_SCI_IRQ);
	const uint8_t *d = table(u32at(f + 40), "DSDT");
	assert_int_equal(u64at(f + 140), u32at(f + 40));
	table(u32at(f + 36), "FACS");
	assert_int_equal((u32at(f + 36) - GPA) % 64, 0);
	/* \_S5 with SLP_TYP 5 */
	assert_memory_equal(d + 36, "\x08_S5_\x12", 6);
	assert_int_equal(d[36 + 9], GUEST_ACPI_SLP_TYP_S5);
	/* MADT: one enabled local APIC per VP, VP 0 first, nothing else. */
	assert_int_equal(u32at(m + 4), 36 + 8 + vps * 8);
	assert_int_equal(u32at(m + 36), 0xfee00000u);
	assert_int_equal(u32at(m + 40), 1);
	for (uint32_t i = 0; i < vps; i++) {
		const uint8_t *e = m + 44 + i * 8;
		assert_int_equal(e[0], 0);
		assert_int_equal(e[1], 8);
		assert_int_equal(e[2], i);
		assert_int_equal(e[3], i);
		assert_int_equal(u32at(e + 4), 1);
	}
}

static void test_tables(void **state)
{
	check(1);
	check(2);
	check(4);
	check(128);
}

static void test_refused(void **state)
{
	assert_int_equal(guest_acpi_build(buf, GPA, 0), 0);
	assert_int_equal(guest_acpi_build(buf, GPA, 256), 0);
}

static void test_checksum_detects_change(void **state)
{
	guest_acpi_build(buf, GPA, 2);
	buf[GUEST_ACPI_MADT + 44 + 8 + 3] ^= 1; /* VP 1's APIC id */
	assert_int_not_equal(acpi_checksum(buf + GUEST_ACPI_MADT, 36 + 8 + 16), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_checksum_detects_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
