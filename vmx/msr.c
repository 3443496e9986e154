/* RDMSR/WRMSR exits for the MSRs the bitmap intercepts: hv/'s synthetic MSRs first, then a short list
 * of architectural MSRs minihv answers itself; anything else raises #GP in the guest. */
#include "cr_rules.h"
#include "exits.h"
#include "hv.h"
#include "lib.h"
#include "log.h"
#include "vlapic.h"
#include "vmcs.h"
#include "x86.h"

#define MSR_IA32_PLATFORM_ID 0x17
#define MSR_IA32_BIOS_SIGN_ID 0x8b
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_MCG_CAP 0x179
#define MSR_IA32_MCG_STATUS 0x17a

static bool arch_rdmsr(struct vp *vp, u32 msr, u64 *v)
{
	switch (msr) {
	case MSR_IA32_TSC:
		*v = rdtsc();
		return true;
	case MSR_IA32_FEATURE_CONTROL:
		*v = FEATURE_CONTROL_LOCKED; /* locked, VMX off: no nested virtualization */
		return true;
	case MSR_IA32_EFER:
		*v = vmread(VMCS_GUEST_IA32_EFER);
		return true;
	case MSR_IA32_MISC_ENABLE:
		*v = BIT(0) /* fast strings */ | BIT(11) /* no BTS */ | BIT(12) /* no PEBS */;
		return true;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_IA32_MTRRCAP:
	case MSR_IA32_MTRR_DEF_TYPE:
		*v = 0;
		return true;
	}
	(void)vp;
	return false;
}

static bool arch_wrmsr(struct vp *vp, u32 msr, u64 v)
{
	switch (msr) {
	case MSR_IA32_EFER: {
		/* LMA is the processor's; keep the entry control in step so the next entry agrees. */
		u64 old = vmread(VMCS_GUEST_IA32_EFER);
		struct cr_state s = { .cr0 = vmread(VMCS_GUEST_CR0), .efer = old };
		if (!efer_write_check(&s, v))
			return false;
		vmwrite(VMCS_GUEST_IA32_EFER, (v & ~EFER_LMA) | (old & EFER_LMA));
		return true;
	}
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_MCG_STATUS:
		return true; /* accepted and dropped */
	}
	(void)vp;
	return false;
}

enum exit_action vmx_handle_rdmsr(struct vp *vp)
{
	u32 msr = (u32)vp->regs.rcx;
	u64 v = 0;
	bool fault = false;
	if (!hv_rdmsr(vp, msr, &v, &fault) && !vlapic_msr_read(vp, msr, &v, &fault) && !arch_rdmsr(vp, msr, &v))
		fault = true;
	if (fault) {
		pr_debug("%s VP %u: RDMSR %#x → #GP", vp->part->name, vp->index, msr);
		vmx_inject_gp();
		return EXIT_CONTINUE;
	}
	vp->regs.rax = (u32)v;
	vp->regs.rdx = v >> 32;
	vmx_advance_rip();
	return EXIT_CONTINUE;
}

enum exit_action vmx_handle_wrmsr(struct vp *vp)
{
	u32 msr = (u32)vp->regs.rcx;
	u64 v = (vp->regs.rdx << 32) | (u32)vp->regs.rax;
	bool fault = false;
	if (!hv_wrmsr(vp, msr, v, &fault) && !vlapic_msr_write(vp, msr, v, &fault) && !arch_wrmsr(vp, msr, v))
		fault = true;
	if (fault) {
		pr_debug("%s VP %u: WRMSR %#x = %#lx → #GP", vp->part->name, vp->index, msr, v);
		vmx_inject_gp();
		return EXIT_CONTINUE;
	}
	vmx_advance_rip();
	return EXIT_CONTINUE;
}
