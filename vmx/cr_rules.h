/* The architectural checks on guest writes to CR0, CR4 and IA32_EFER that minihv must make itself when
 * the write exits (SDM vol. 3 2.5, 4.1.1, 4.10.1; MOV CR and WRMSR #GP(0) conditions). Pure logic
 * (vmx/cr_rules.c): host unit tests link it. */
#ifndef MINIHV_CR_RULES_H
#define MINIHV_CR_RULES_H

#include "types.h"

#define CR0_TS BIT(3)
#define CR0_EM BIT(2)
#define CR0_AM BIT(18)
/* CR0 bits that exist; writes to the other bits of 31:0 are ignored, 63:32 are #GP. */
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG)

#define CR4_VME BIT(0)
#define CR4_PVI BIT(1)
#define CR4_TSD BIT(2)
#define CR4_DE BIT(3)
#define CR4_PSE BIT(4)
#define CR4_MCE BIT(6)
#define CR4_PCE BIT(8)
#define CR4_FSGSBASE BIT(16)
#define CR4_SMEP BIT(20)
#define CR4_SMAP BIT(21)

/* The guest's view at the time of the write. */
struct cr_state {
	u64 cr0, cr3, cr4, efer;
	bool cs_l;          /* CS.L: executing 64-bit code */
	u64 cr4_allowed;    /* CR4 bits the partition's CPUID offers and VMX allows */
};

/* Returns false when the write raises #GP(0); otherwise *out is the value to keep (CR0: reserved low
 * bits dropped, ET set as the processor does). */
bool cr0_write_check(const struct cr_state *s, u64 value, u64 *out);
bool cr4_write_check(const struct cr_state *s, u64 value);
bool efer_write_check(const struct cr_state *s, u64 value);
/* EFER after a CR0 write: LMA follows PG when LME is set (SDM 9.8.5). */
u64 efer_after_cr0(u64 efer, u64 old_cr0, u64 new_cr0);

#endif
