/* The register frame built by core/isr.asm. */
#ifndef MINIHV_TRAP_H
#define MINIHV_TRAP_H

#include "types.h"

struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	u64 rip, cs, rflags, rsp, ss;
};

void isr_dispatch(struct trap_frame *f);
/* Called for VECTOR_KICK; defined by the scheduler. */
void kick_interrupt(void);

#endif
