/* evil: the hostile guest (docs/security.md, cases H1-H20). Shared between its files. */
#ifndef EVIL_H
#define EVIL_H

#include "guest.h"

#define NO_FAULT 0xffu

/* One case: begin, any number of checks, end prints "PASS Hn what" unless a check failed. */
void case_begin(void);
void case_end(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void check_status(const char *what, u64 rax, u16 want);
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern u32 evil_failures;

/* Expected faults: each runs one instruction and returns the vector it raised, or NO_FAULT. */
u32 rdmsr_safe(u32 msr, u64 *v);
u32 wrmsr_safe(u32 msr, u64 v);
u32 write8_safe(volatile u8 *p, u8 v);
const char *vector_name(u32 v);
void faults_init(void);

/* The hypercall cases (hypercalls.c). */
void h1_malformed(u64 cr3);
void h2_fast_malformed(u64 cr3);
void h5_management_calls(void);
void h6_gpas(const struct minihv_boot_info *bi, u64 cr3);
void h11_send_ipi(void);

/* The virtual x2APIC (x2apic.c): H15-H20 on VP 0 while VP 1 runs x2apic_vp1(). */
bool x2apic_present(void);
void x2apic_cases(void);
int x2apic_vp1(void);

/* CPL 3 (ring3.c): runs code (len bytes, ending in a faulting instruction) at CPL 3 and returns the
 * vector of the first fault it raised there and its RIP. */
u32 ring3_run(const u8 *code, u32 len, u64 *rip);
#define RING3_CODE 0x0000700000000000ull /* its own PML4 slot, so every level can carry PTE_U */

#endif
