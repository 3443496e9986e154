/* The I/O APIC (Intel 82093AA datasheet): minihv routes one ISA IRQ, the console UART's, to a CPU. */
#ifndef MINIHV_IOAPIC_H
#define MINIHV_IOAPIC_H

#include "types.h"

/* Routes ISA IRQ irq (through the MADT's overrides) to vector on the CPU with APIC id apic_id, fixed
 * delivery, unmasked. False, with why filled in, when no I/O APIC serves that GSI or the id does not
 * fit the 8-bit destination field. */
bool ioapic_route_isa_irq(u32 irq, u8 vector, u32 apic_id, const char **why);

#endif
