/* Entering VMX root operation on one CPU, and the VMX state all CPUs share. */
#include "core.h"
#include "cpu.h"
#include "exits.h"
#include "lib.h"
#include "log.h"
#include "pmm.h"
#include "vmcs.h"
#include "vmx.h"
#include "x86.h"

struct vmx_msrs vmx_caps;

void vmx_read_msrs(struct vmx_msrs *m)
{
	memset(m, 0, sizeof(*m));
	m->cpuid1_ecx = cpuid(1, 0).ecx;
	if (!(m->cpuid1_ecx & BIT(5)))
		return; /* the VMX MSRs #GP without VMX */
	m->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	m->basic = rdmsr(MSR_IA32_VMX_BASIC);
	m->misc = rdmsr(MSR_IA32_VMX_MISC);
	bool true_ctls = m->basic & VMX_BASIC_TRUE_CTLS;
	m->pin = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	m->proc = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	m->exit = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	m->entry = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	m->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	m->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	m->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	m->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	/* SDM A.3.3 / A.10: these two exist only when the controls that need them can be 1. */
	m->has_proc2 = vmx_control_allowed(m->proc, CPU_ACTIVATE_SECONDARY_CONTROLS);
	if (m->has_proc2)
		m->proc2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	m->has_ept_vpid = m->has_proc2 && ((m->proc2 >> 32) & (CPU2_ENABLE_EPT | CPU2_ENABLE_VPID));
	if (m->has_ept_vpid)
		m->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
}

bool vmx_check_this_cpu(char *buf, size_t size)
{
	struct vmx_msrs m;
	vmx_read_msrs(&m);
	return vmx_caps_check(&m, buf, size);
}

const char *vmx_enable_this_cpu(struct cpu *c)
{
	struct vmx_msrs m;
	vmx_read_msrs(&m);
	switch (vmx_feature_control_action(m.feature_control)) {
	case FC_REFUSE:
		return "IA32_FEATURE_CONTROL is locked without VMXON outside SMX";
	case FC_SET_AND_LOCK:
		wrmsr(MSR_IA32_FEATURE_CONTROL, m.feature_control | FEATURE_CONTROL_VMXON_OUTSIDE_SMX |
							FEATURE_CONTROL_LOCKED);
		break;
	case FC_OK:
		break;
	}
	/* SDM 24.8: CR0 and CR4 must satisfy the fixed-bit MSRs in VMX operation. */
	write_cr0((read_cr0() | m.cr0_fixed0) & m.cr0_fixed1);
	write_cr4((read_cr4() | m.cr4_fixed0 | CR4_VMXE) & m.cr4_fixed1);
	if (!c->vmxon_pa) {
		c->vmxon_pa = pmm_alloc_page();
		if (!c->vmxon_pa)
			return "out of memory for the VMXON region";
	}
	u32 revision = VMX_BASIC_REVISION(m.basic);
	char v[8];
	u64 broken;
	/* Negative control for the test suite: a wrong revision ID makes VMXON fail on that CPU. */
	if (option_get(core_options(), "test-break-vmxon", v, sizeof(v)) && parse_u64(v, strlen(v), &broken, false) &&
	    broken == c->index)
		revision ^= 1;
	*(u32 *)phys_to_virt(c->vmxon_pa) = revision;
	if (!vmxon(c->vmxon_pa))
		return "VMXON failed";
	/* Nothing of an earlier owner of this CPU may survive in the TLBs. */
	if (m.ept_vpid & EPT_CAP_INVEPT_ALL_CONTEXT)
		invept(INVEPT_ALL_CONTEXT, 0);
	if (m.ept_vpid & VPID_CAP_INVVPID_ALL_CONTEXT)
		invvpid(INVVPID_ALL_CONTEXT, 0, 0);
	c->vmx_on = true;
	return NULL;
}

bool vmx_global_init(void)
{
	if (!vmcs_global_init())
		return false;
	vmx_cpuid_init();
	return true;
}
