/* Starting the application processors (boot/smp.c). */
#ifndef MINIHV_SMP_H
#define MINIHV_SMP_H

#include "cpu.h"
#include "types.h"

/* Sends INIT-SIPI-SIPI to every enabled CPU in the MADT but the caller, one at a time, each starting at
 * entry(cpu) on its own stack. Returns the number of APs that came online. */
u32 smp_start_aps(u64 trampoline_pa, void (*entry)(struct cpu *));

#endif
