/* pagewalk: page tables of every paging mode a VP can enter, at fixed GPAs so that the management
 * partition's scenario (tests/scenarios/pagewalk.scn) knows every expected translation. The scenario's
 * numbers follow this layout. */
#ifndef PAGEWALK_H
#define PAGEWALK_H

#include "guest.h"

#define PW_RAM_MIN 0x2000000ull      /* 32 MiB: everything below lies in it */
#define PW_CTL 0x1000000ull          /* u32 go @0 (mgmt writes 1 to end), u32 ready[vp] @0x10, u32 gbpages @0x8 */
#define PW_PD32 0x1001000ull         /* VP 1: 32-bit paging, CR4.PSE */
#define PW_PT32 0x1002000ull
#define PW_PDPT 0x1003000ull         /* VP 2: PAE paging */
#define PW_PD_PAE0 0x1004000ull
#define PW_PD_PAE2 0x1005000ull
#define PW_PT_PAE 0x1006000ull
#define PW_PDPT64 0x1007000ull       /* VP 0: 4-level, PML4 slot 2 (GVA 0x10000000000) */
#define PW_PD64 0x1008000ull
#define PW_PT64 0x1009000ull
#define PW_HYPERCALL 0x100b000ull    /* the hypercall overlay page */
#define PW_F0 0x1010000ull           /* 4 KiB frames; each starts with PW_MARK | its GPA */
#define PW_F1 0x1011000ull
#define PW_F2 0x1012000ull
#define PW_F4 0x1014000ull
#define PW_F5 0x1015000ull
#define PW_4M 0x1400000ull           /* the 4 MiB frame (32-bit paging) */
#define PW_2M 0x1800000ull           /* the 2 MiB frame (PAE and 4-level) */
#define PW_OUTSIDE 0x40000000ull     /* a GPA beyond RAM */
#define PW_MARK 0x5057000000000000ull

/* modes.asm: leaves long mode, enters the mode (cr3 = 0: paging off), sets *ready, spins until *go,
 * returns to long mode. Offsets are fixed there. */
struct pw_ctx {
	u64 saved_rsp;  /* 0 */
	u64 saved_cr3;  /* 8 */
	u64 saved_cr4;  /* 16 */
	u32 cr3;        /* 24 */
	u32 cr4;        /* 28 */
	u64 ready;      /* 32: address of a u32 */
	u64 go;         /* 40: address of a u32 */
};
_Static_assert(__builtin_offsetof(struct pw_ctx, go) == 40, "modes.asm offsets");

void pw_park(struct pw_ctx *ctx);

#endif
