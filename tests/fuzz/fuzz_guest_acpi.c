/* libFuzzer harness: hv/guest_acpi.c (the ACPI tables of a Linux partition). Input: VP count (4 bytes)
 * and the guest-physical address of the block (8 bytes). Checks: the tables stay in their
 * GUEST_ACPI_SIZE bytes (the buffer is exactly that big), every table's checksum is right, and only a VP
 * count the MADT's local APIC entries cannot describe (0, or more than 255 APIC ids) is refused. */
#include "fuzz.h"
#include "hv/guest_acpi.h"

static u32 rd32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	u32 vps;
	u64 gpa;
	fuzz_take(&data, &size, &vps, 4);
	fuzz_take(&data, &size, &gpa, 8);
	gpa = ALIGN_DOWN(gpa & 0xffffffffull, 16);
	if (!gpa)
		gpa = 0xe0000; /* an RSDP at GPA 0 would read as the error value 0 */
	if (size)
		vps %= 512;
	u8 *buf = malloc(GUEST_ACPI_SIZE);
	memset(buf, 0xa5, GUEST_ACPI_SIZE);
	u64 rsdp = guest_acpi_build(buf, gpa, vps);
	if (!rsdp) {
		FUZZ_CHECK(vps == 0 || vps > 255);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(rsdp == gpa + GUEST_ACPI_RSDP);
	FUZZ_CHECK(acpi_checksum(buf + GUEST_ACPI_RSDP, 20) == 0 && acpi_checksum(buf + GUEST_ACPI_RSDP, 36) == 0);
	const u32 tables[] = { GUEST_ACPI_XSDT, GUEST_ACPI_DSDT, GUEST_ACPI_FADT, GUEST_ACPI_MADT };
	for (u32 i = 0; i < ARRAY_SIZE(tables); i++) {
		u32 len = rd32(buf + tables[i] + 4);
		FUZZ_CHECK(len >= 36 && tables[i] + len <= GUEST_ACPI_SIZE);
		FUZZ_CHECK(acpi_checksum(buf + tables[i], len) == 0);
	}
	free(buf);
	return 0;
}
