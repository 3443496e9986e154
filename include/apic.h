/* Local APIC of the physical CPU, in xAPIC (MMIO) or x2APIC (MSR) mode, whichever the firmware left on. */
#ifndef MINIHV_APIC_H
#define MINIHV_APIC_H

#include "types.h"

#define APIC_ICR_INIT 0x00004500u         /* INIT, level assert */
#define APIC_ICR_STARTUP 0x00004600u      /* SIPI; OR in the vector (page number) */
#define APIC_ICR_FIXED 0x00004000u        /* fixed, assert; OR in the vector */

void apic_init_cpu(void);
u32 apic_id(void);
void apic_send_ipi(u32 dest_apic_id, u32 icr_low);
void apic_eoi(void);
/* One timer interrupt with this vector after about us microseconds (TSC-deadline mode when available). */
void apic_oneshot(u8 vector, u64 us);
/* One timer interrupt with this vector at TSC value tsc (or about then, without TSC-deadline mode). */
void apic_oneshot_at(u8 vector, u64 tsc);
bool apic_x2apic_mode(void);

#endif
