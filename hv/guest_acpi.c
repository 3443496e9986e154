/* The guest ACPI tables of a Linux partition (ACPI 6.x, chapter 5; layout in include/guest_acpi.h). Only
 * what Linux needs to find its CPUs, keep its legacy PIC and power off. Pure logic. */
#include "guest_acpi.h"
#include "lib.h"

#define HDR_LEN 36
#define FADT_LEN 276 /* revision 6 */
#define MADT_LAPIC_LEN 8

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)v, p[1] = (u8)(v >> 8);
}

static void put32(u8 *p, u32 v)
{
	put16(p, (u16)v), put16(p + 2, (u16)(v >> 16));
}

static void put64(u8 *p, u64 v)
{
	put32(p, (u32)v), put32(p + 4, (u32)(v >> 32));
}

u8 acpi_checksum(const u8 *p, u64 len)
{
	u8 s = 0;
	for (u64 i = 0; i < len; i++)
		s += p[i];
	return s;
}

/* The common system description table header; the checksum is set by seal() once the body is written. */
static void header(u8 *t, const char *sig, u32 len, u8 rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "MINIHV", 6);
	memcpy(t + 16, "MINIHV  ", 8);
	put32(t + 24, 1);         /* OEM revision */
	memcpy(t + 28, "MHV ", 4); /* creator id */
	put32(t + 32, 1);
}

static void seal(u8 *t, u32 len)
{
	t[9] = 0;
	t[9] = (u8)-acpi_checksum(t, len);
}

/* \_S5: Name (_S5, Package (4) { 5, 5, 0, 0 }): SLP_TYPa/b for soft-off. */
static const u8 dsdt_aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, GUEST_ACPI_SLP_TYP_S5, 0x0a,
			       GUEST_ACPI_SLP_TYP_S5, 0x00, 0x00 };

u64 guest_acpi_build(u8 *buf, u64 gpa, u32 vp_count)
{
	u32 madt_len = HDR_LEN + 8 + vp_count * MADT_LAPIC_LEN;
	if (!vp_count || vp_count > 255 || GUEST_ACPI_MADT + madt_len > GUEST_ACPI_SIZE)
		return 0;
	memset(buf, 0, GUEST_ACPI_SIZE);

	u8 *facs = buf + GUEST_ACPI_FACS; /* no checksum; Linux wants one when the FADT is not reduced */
	memcpy(facs, "FACS", 4);
	put32(facs + 4, 64);
	facs[32] = 2; /* version */

	u8 *dsdt = buf + GUEST_ACPI_DSDT;
	header(dsdt, "DSDT", HDR_LEN + sizeof(dsdt_aml), 2);
	memcpy(dsdt + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	seal(dsdt, HDR_LEN + sizeof(dsdt_aml));

	u8 *f = buf + GUEST_ACPI_FADT;
	header(f, "FACP", FADT_LEN, 6);
	put32(f + 36, (u32)(gpa + GUEST_ACPI_FACS)); /* FIRMWARE_CTRL */
	put32(f + 40, (u32)(gpa + GUEST_ACPI_DSDT)); /* DSDT */
	put16(f + 46, GUEST_ACPI_SCI_IRQ);          /* SCI_INT; SMI_CMD 0: already in ACPI mode */
	put32(f + 56, GUEST_ACPI_PM1A_EVT);         /* PM1a_EVT_BLK */
	put32(f + 64, GUEST_ACPI_PM1A_CNT);         /* PM1a_CNT_BLK; no PM timer (PM_TMR_BLK 0) */
	f[88] = 4;                                  /* PM1_EVT_LEN */
	f[89] = 2;                                  /* PM1_CNT_LEN */
	put16(f + 109, BIT(2) /* VGA not present */ | BIT(5) /* CMOS RTC not present */); /* IAPC_BOOT_ARCH; no 8042 */
	put32(f + 112, BIT(0) /* WBINVD */ | BIT(4) /* PWR_BUTTON */ | BIT(5) /* SLP_BUTTON */); /* not HW_REDUCED_ACPI */
	f[131] = 0;                                 /* FADT minor version */
	put64(f + 132, gpa + GUEST_ACPI_FACS);      /* X_FIRMWARE_CTRL */
	put64(f + 140, gpa + GUEST_ACPI_DSDT);      /* X_DSDT */
	memcpy(f + 268, "MINIHV\0\0", 8);          /* hypervisor vendor identity */
	seal(f, FADT_LEN);

	u8 *m = buf + GUEST_ACPI_MADT;
	header(m, "APIC", madt_len, 5);
	put32(m + 36, GUEST_ACPI_LAPIC_BASE);
	put32(m + 40, GUEST_ACPI_MADT_PCAT_COMPAT); /* a dual 8259 is there */
	for (u32 i = 0; i < vp_count; i++) {
		u8 *e = m + HDR_LEN + 8 + i * MADT_LAPIC_LEN;
		e[0] = 0;              /* processor local APIC */
		e[1] = MADT_LAPIC_LEN;
		e[2] = (u8)i;          /* ACPI processor UID */
		e[3] = (u8)i;          /* APIC id = VP index */
		put32(e + 4, BIT(0));  /* enabled */
	}
	seal(m, madt_len);

	u8 *x = buf + GUEST_ACPI_XSDT;
	header(x, "XSDT", HDR_LEN + 16, 1);
	put64(x + HDR_LEN, gpa + GUEST_ACPI_FADT);
	put64(x + HDR_LEN + 8, gpa + GUEST_ACPI_MADT);
	seal(x, HDR_LEN + 16);

	u8 *r = buf + GUEST_ACPI_RSDP;
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "MINIHV", 6);
	r[15] = 2;                          /* ACPI 2.0+: XSDT */
	put32(r + 20, 36);                  /* length */
	put64(r + 24, gpa + GUEST_ACPI_XSDT);
	r[8] = (u8)-acpi_checksum(r, 20);   /* the 1.0 checksum covers the first 20 bytes */
	r[32] = (u8)-acpi_checksum(r, 36);  /* the extended one all 36 */
	return gpa + GUEST_ACPI_RSDP;
}
