/* Hypercalls: VMCALL with the Hyper-V register convention (TLFS "Hypercall Interface"). */
#include "guest.h"

#define CR0_EM BIT(2)

u64 hv_hypercall(u64 control, u64 input, u64 output)
{
	register u64 r8 __asm__("r8") = output;
	u64 status;
	__asm__ volatile("vmcall" : "=a"(status), "+c"(control), "+d"(input), "+r"(r8) : : "memory");
	return status;
}

u64 hv_hypercall_fast(u64 control, u64 rdx, u64 r8)
{
	return hv_hypercall(control | HV_HYPERCALL_FAST_BIT, rdx, r8);
}

u64 hv_hypercall_fast_io(u64 control, u64 *rdx, u64 *r8)
{
	register u64 r8_reg __asm__("r8") = *r8;
	u64 status, rdx_reg = *rdx;
	control |= HV_HYPERCALL_FAST_BIT;
	__asm__ volatile("vmcall" : "=a"(status), "+c"(control), "+d"(rdx_reg), "+r"(r8_reg) : : "memory");
	*rdx = rdx_reg;
	*r8 = r8_reg;
	return status;
}

/* MOVDQA faults (#UD) unless SSE is enabled; the entry state does not promise it. */
static void sse_enable(void)
{
	u64 cr4 = read_cr4();
	if (cr4 & CR4_OSFXSR)
		return;
	write_cr0((read_cr0() & ~CR0_EM) | CR0_MP);
	write_cr4(cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

u64 hv_hypercall_xmm_fast(u64 control, u64 rdx, u64 r8, void *xmm)
{
	sse_enable();
	register u64 r8_reg __asm__("r8") = r8;
	u64 status;
	control |= HV_HYPERCALL_FAST_BIT;
	/* No XMM clobbers: GCC refuses them under -mgeneral-regs-only, and for the same reason no guest
	 * code keeps values in XMM registers (interrupt handlers included). RAX is early-clobbered so the
	 * buffer address is not in it when VMCALL returns the status. */
	__asm__ volatile("movdqa 0x00(%[x]), %%xmm0\n\t"
			 "movdqa 0x10(%[x]), %%xmm1\n\t"
			 "movdqa 0x20(%[x]), %%xmm2\n\t"
			 "movdqa 0x30(%[x]), %%xmm3\n\t"
			 "movdqa 0x40(%[x]), %%xmm4\n\t"
			 "movdqa 0x50(%[x]), %%xmm5\n\t"
			 "vmcall\n\t"
			 "movdqa %%xmm0, 0x00(%[x])\n\t"
			 "movdqa %%xmm1, 0x10(%[x])\n\t"
			 "movdqa %%xmm2, 0x20(%[x])\n\t"
			 "movdqa %%xmm3, 0x30(%[x])\n\t"
			 "movdqa %%xmm4, 0x40(%[x])\n\t"
			 "movdqa %%xmm5, 0x50(%[x])"
			 : "=&a"(status), "+c"(control), "+d"(rdx), "+r"(r8_reg)
			 : [x] "r"(xmm)
			 : "memory");
	return status;
}

void guest_exit(u32 status)
{
	console_flush();
	hv_hypercall_fast(MINIHV_CALL_EXIT, status, 0);
	/* Not reached; HLT with interrupts off ends the VP as well. */
	for (;;) {
		cli();
		hlt();
	}
}

u16 send_ipi(u32 vp, u8 vector)
{
	return HV_HYPERCALL_STATUS(hv_hypercall_fast(MINIHV_CALL_SEND_IPI, vp, vector));
}
