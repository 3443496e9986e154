/* Every way a guest enters minihv: VMCALL itself, or a CALL into the hypercall page as a Linux guest does
 * (TLFS "Hypercall Interface"), each in memory, fast and XMM fast form. The Hyper-V register convention:
 * RCX = input value (control), RDX = input GPA or first qword, R8 = output GPA or second qword, the rest
 * of a fast input in XMM0..XMM5; RAX returns the result. */
#include "guest.h"

#define CR0_EM BIT(2)

void *hv_hypercall_page;

/* MOVDQU faults (#UD) unless SSE is enabled; the entry state does not promise it. CR4 is per VP. */
void sse_enable(void)
{
	u64 cr4 = read_cr4();
	if (cr4 & CR4_OSFXSR)
		return;
	write_cr0((read_cr0() & ~CR0_EM) | CR0_MP);
	write_cr4(cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

/* No XMM clobbers: GCC refuses them under -mgeneral-regs-only, and for the same reason no guest code
 * keeps values in XMM registers (interrupt handlers included), so XMM0..XMM5 hold what xmm_load put
 * there until the next hypercall. */
void xmm_load(const void *x)
{
	sse_enable();
	__asm__ volatile("movdqu 0x00(%0), %%xmm0\n\t"
			 "movdqu 0x10(%0), %%xmm1\n\t"
			 "movdqu 0x20(%0), %%xmm2\n\t"
			 "movdqu 0x30(%0), %%xmm3\n\t"
			 "movdqu 0x40(%0), %%xmm4\n\t"
			 "movdqu 0x50(%0), %%xmm5"
			 :
			 : "r"(x)
			 : "memory");
}

void xmm_save(void *x)
{
	sse_enable();
	__asm__ volatile("movdqu %%xmm0, 0x00(%0)\n\t"
			 "movdqu %%xmm1, 0x10(%0)\n\t"
			 "movdqu %%xmm2, 0x20(%0)\n\t"
			 "movdqu %%xmm3, 0x30(%0)\n\t"
			 "movdqu %%xmm4, 0x40(%0)\n\t"
			 "movdqu %%xmm5, 0x50(%0)"
			 :
			 : "r"(x)
			 : "memory");
}

/* ---- VMCALL: the guest runtime's only VMCALL instruction, at hypercall_insn ---- */

/* noinline/noclone: the label must be emitted exactly once. */
__attribute__((noinline, noclone)) u64 hypercall_raw(u64 control, u64 *rdx, u64 *r8, u64 rax)
{
	register u64 r8_reg __asm__("r8") = *r8;
	u64 rdx_reg = *rdx;
	__asm__ volatile(".globl hypercall_insn\n"
			 "hypercall_insn:\n\t"
			 "vmcall"
			 : "+a"(rax), "+c"(control), "+d"(rdx_reg), "+r"(r8_reg)
			 :
			 : "memory");
	*rdx = rdx_reg;
	*r8 = r8_reg;
	return rax;
}

u64 hypercall(u64 control, u64 input, u64 output)
{
	return hypercall_raw(control, &input, &output, 0);
}

u64 hypercall_fast(u64 control, u64 rdx, u64 r8)
{
	return hypercall(control | HV_HYPERCALL_FAST_BIT, rdx, r8);
}

u64 hypercall_fast_io(u64 control, u64 *rdx, u64 *r8)
{
	return hypercall_raw(control | HV_HYPERCALL_FAST_BIT, rdx, r8, 0);
}

u64 hypercall_xmm_fast(u64 control, u64 rdx, u64 r8, void *xmm)
{
	xmm_load(xmm);
	u64 status = hypercall_fast(control, rdx, r8);
	xmm_save(xmm);
	return status;
}

/* ---- through the hypercall page (CALL into it, as Linux does) ---- */

u64 hv_do_hypercall(u64 control, u64 input_gpa, u64 output_gpa)
{
	if (!hv_hypercall_page)
		guest_fail("hyperv: hypercall before hv_setup() enabled the hypercall page");
	register u64 r8 __asm__("r8") = output_gpa;
	u64 status;
	__asm__ volatile("call *%[page]"
			 : "=a"(status), "+c"(control), "+d"(input_gpa), "+r"(r8)
			 : [page] "m"(hv_hypercall_page)
			 : "memory", "cc");
	return status;
}

u64 hv_do_fast_hypercall(u64 control, u64 rdx, u64 r8)
{
	return hv_do_hypercall(control | HV_HYPERCALL_FAST_BIT, rdx, r8);
}

u64 hv_do_xmm_fast_hypercall(u64 control, u64 rdx, u64 r8, const u64 xmm[12])
{
	xmm_load(xmm);
	return hv_do_fast_hypercall(control, rdx, r8);
}

/* ---- minihv's own calls ---- */

void guest_exit(u32 status)
{
	console_flush();
	hypercall_fast(MINIHV_CALL_EXIT, status, 0);
	/* Not reached; HLT with interrupts off ends the VP as well. */
	for (;;) {
		cli();
		hlt();
	}
}

u16 send_ipi(u32 vp, u8 vector)
{
	return HV_HYPERCALL_STATUS(hypercall_fast(MINIHV_CALL_SEND_IPI, vp, vector));
}
