/* I/O APIC redirection entries (82093AA datasheet 3.2.4), programmed through the identity map. */
#include "acpi.h"
#include "ioapic.h"
#include "x86.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPICVER 0x01          /* bits 23:16: the highest redirection entry */
#define IOREDTBL(n) (0x10 + 2 * (n))
#define REDIR_POLARITY_LOW BIT(13)
#define REDIR_TRIGGER_LEVEL BIT(15)
#define REDIR_MASKED BIT(16)
/* MPS INTI flags of an interrupt source override (ACPI MADT type 2) */
#define INTI_POLARITY_MASK 0x3
#define INTI_POLARITY_LOW 0x3
#define INTI_TRIGGER_MASK 0xc
#define INTI_TRIGGER_LEVEL 0xc

static u32 read_reg(u64 base, u32 reg)
{
	*(volatile u32 *)(uintptr_t)(base + IOREGSEL) = reg;
	return *(volatile u32 *)(uintptr_t)(base + IOWIN);
}

static void write_reg(u64 base, u32 reg, u32 value)
{
	*(volatile u32 *)(uintptr_t)(base + IOREGSEL) = reg;
	*(volatile u32 *)(uintptr_t)(base + IOWIN) = value;
}

bool ioapic_route_isa_irq(u32 irq, u8 vector, u32 apic_id, const char **why)
{
	if (irq >= 16) {
		*why = "not an ISA IRQ";
		return false;
	}
	if (apic_id > 0xff) {
		*why = "the boot CPU's APIC id does not fit the I/O APIC's 8-bit destination";
		return false;
	}
	u32 gsi = acpi.isa_gsi[irq];
	for (u32 i = 0; i < acpi.ioapic_count; i++) {
		u64 base = acpi.ioapics[i].addr;
		u32 first = acpi.ioapics[i].gsi_base;
		u32 entries = ((read_reg(base, IOAPICVER) >> 16) & 0xff) + 1;
		if (gsi < first || gsi - first >= entries)
			continue;
		u32 pin = gsi - first;
		/* ISA defaults (flags 0, "conforms to the bus"): active high, edge triggered. */
		u16 flags = acpi.isa_flags[irq];
		u32 low = vector;
		if ((flags & INTI_POLARITY_MASK) == INTI_POLARITY_LOW)
			low |= REDIR_POLARITY_LOW;
		if ((flags & INTI_TRIGGER_MASK) == INTI_TRIGGER_LEVEL)
			low |= REDIR_TRIGGER_LEVEL;
		/* Masked while the destination changes, then unmasked with the final low word. */
		write_reg(base, IOREDTBL(pin), low | REDIR_MASKED);
		write_reg(base, IOREDTBL(pin) + 1, apic_id << 24); /* physical destination mode */
		write_reg(base, IOREDTBL(pin), low);
		return true;
	}
	*why = acpi.ioapic_count ? "no I/O APIC in the MADT serves its GSI" : "the MADT lists no I/O APIC";
	return false;
}
