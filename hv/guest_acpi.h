/* ACPI tables minihv gives a Linux partition (docs/linux.md): RSDP, XSDT, FADT (not hardware-reduced, so
 * Linux keeps its 8259 and powers off through PM1a), FACS, a DSDT holding only \_S5, and a MADT with one
 * processor local APIC entry per VP. Pure logic (hv/guest_acpi.c). */
#ifndef MINIHV_GUEST_ACPI_H
#define MINIHV_GUEST_ACPI_H

#include "types.h"

#define GUEST_ACPI_SIZE 0x2000         /* bytes the tables take at most (128 VPs) */
#define GUEST_ACPI_PM1A_EVT 0x600      /* PM1a event block: status (2 bytes), enable (2 bytes) */
#define GUEST_ACPI_PM1A_CNT 0x604      /* PM1a control block (2 bytes) */
#define GUEST_ACPI_SCI_IRQ 9
#define GUEST_ACPI_SLP_TYP_S5 5        /* the \_S5 value; PM1_CNT bits 12:10 */
#define ACPI_PM1_SLP_EN BIT(13)
#define ACPI_PM1_SLP_TYP(v) (((v) >> 10) & 7)
#define GUEST_ACPI_LAPIC_BASE 0xfee00000u
#define GUEST_ACPI_MADT_PCAT_COMPAT BIT(0)

/* Offsets of the tables inside the block (each 16-byte aligned, FACS 64-byte aligned). */
#define GUEST_ACPI_RSDP 0x000
#define GUEST_ACPI_XSDT 0x040
#define GUEST_ACPI_FACS 0x080
#define GUEST_ACPI_DSDT 0x100
#define GUEST_ACPI_FADT 0x200
#define GUEST_ACPI_MADT 0x400

/* Builds the tables into buf (GUEST_ACPI_SIZE bytes) for a guest that sees buf at guest-physical gpa.
 * VP i gets ACPI processor id i and APIC id i; VP 0 comes first (Linux boots on the first entry).
 * Returns the GPA of the RSDP, or 0 when vp_count does not fit. */
u64 guest_acpi_build(u8 *buf, u64 gpa, u32 vp_count);

/* Sum of len bytes, mod 256: 0 for a table with a correct checksum. */
u8 acpi_checksum(const u8 *p, u64 len);

#endif
