/* What minihv needs from ACPI: the CPUs (MADT) and how to power off (FADT, \_S5). */
#ifndef MINIHV_ACPI_H
#define MINIHV_ACPI_H

#include "types.h"

struct acpi_info {
	u32 cpu_count;
	u32 apic_ids[256];
	u64 lapic_base;
	/* power off: write (slp_typ << 10) | SLP_EN to PM1a (and PM1b) control */
	u32 pm1a_cnt, pm1b_cnt;
	u16 slp_typa, slp_typb;
	bool s5_valid;
	u32 pm_timer_port;     /* 0 when absent */
	bool pm_timer_32bit;
	/* I/O APICs (MADT type 1) and the ISA IRQs' routing (type 2 overrides; identity otherwise) */
	u32 ioapic_count;
	struct { u64 addr; u32 gsi_base; } ioapics[8];
	u32 isa_gsi[16];
	u16 isa_flags[16];     /* MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2 */
};

extern struct acpi_info acpi;

/* Parses the tables reachable from the RSDP. Returns false (with a logged reason) when the MADT is missing. */
bool acpi_init(u64 rsdp);

#endif
