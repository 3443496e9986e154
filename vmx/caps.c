/* The list of VMX features minihv requires, checked against capability MSR values. Pure logic. */
#include "lib.h"
#include "vmx_caps.h"

enum feature_control_action vmx_feature_control_action(u64 fc)
{
	if (!(fc & BIT(0)))
		return FC_SET_AND_LOCK;
	return (fc & BIT(2)) ? FC_OK : FC_REFUSE;
}

struct listbuf {
	char *buf;
	size_t size;
	size_t len;
	bool any;
};

static void missing(struct listbuf *l, const char *what)
{
	int n = snprintf(l->buf + l->len, l->size > l->len ? l->size - l->len : 0, "%s%s", l->any ? ", " : "",
			 what);
	l->len = MIN(l->len + (size_t)n, l->size ? l->size - 1 : 0);
	l->any = true;
}

bool vmx_caps_check(const struct vmx_msrs *m, char *buf, size_t size)
{
	struct listbuf l = { buf, size, 0, false };
	if (size)
		buf[0] = 0;
	if (!(m->cpuid1_ecx & BIT(5))) {
		missing(&l, "VMX (CPUID.1:ECX[5])");
		return false;
	}
	if (vmx_feature_control_action(m->feature_control) == FC_REFUSE)
		missing(&l, "VMX enabled by firmware (IA32_FEATURE_CONTROL is locked without VMXON outside SMX)");
	if (!(m->basic & VMX_BASIC_TRUE_CTLS))
		missing(&l, "VMX true controls (IA32_VMX_BASIC[55])");
	if (VMX_BASIC_MEMTYPE(m->basic) != 6)
		missing(&l, "write-back VMCS memory (IA32_VMX_BASIC[53:50])");
	if (VMX_BASIC_VMCS_SIZE(m->basic) == 0 || VMX_BASIC_VMCS_SIZE(m->basic) > 4096)
		missing(&l, "a VMCS of at most 4 KiB (IA32_VMX_BASIC[44:32])");
	if (!vmx_control_allowed(m->pin, PIN_EXTERNAL_INTERRUPT_EXITING))
		missing(&l, "external-interrupt exiting");
	if (!vmx_control_allowed(m->pin, PIN_VMX_PREEMPTION_TIMER))
		missing(&l, "VMX preemption timer");
	if (!vmx_control_allowed(m->proc, CPU_ACTIVATE_SECONDARY_CONTROLS) || !m->has_proc2) {
		missing(&l, "secondary processor-based controls");
		return false;
	}
	if (!vmx_control_allowed(m->proc, CPU_USE_MSR_BITMAPS))
		missing(&l, "MSR bitmaps");
	if (!vmx_control_allowed(m->proc, CPU_USE_IO_BITMAPS))
		missing(&l, "I/O bitmaps");
	if (!vmx_control_allowed(m->proc, CPU_HLT_EXITING))
		missing(&l, "HLT exiting");
	if (!vmx_control_allowed(m->proc2, CPU2_ENABLE_EPT))
		missing(&l, "EPT");
	if (!vmx_control_allowed(m->proc2, CPU2_ENABLE_VPID))
		missing(&l, "VPID");
	if (!vmx_control_allowed(m->proc2, CPU2_UNRESTRICTED_GUEST))
		missing(&l, "unrestricted guest");
	if (!vmx_control_allowed(m->exit, EXIT_HOST_ADDRESS_SPACE_SIZE))
		missing(&l, "64-bit host (VM-exit host address-space size)");
	if (!vmx_control_allowed(m->exit, EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER))
		missing(&l, "EFER save/load on VM exit");
	if (!vmx_control_allowed(m->entry, ENTRY_LOAD_IA32_EFER | ENTRY_IA32E_MODE_GUEST))
		missing(&l, "EFER load and IA-32e mode on VM entry");
	if (!m->has_ept_vpid) {
		missing(&l, "IA32_VMX_EPT_VPID_CAP");
		return false;
	}
	if (!(m->ept_vpid & EPT_CAP_PAGE_WALK_4))
		missing(&l, "EPT 4-level page walk");
	if (!(m->ept_vpid & EPT_CAP_MEMTYPE_WB))
		missing(&l, "EPT write-back memory type");
	if (!(m->ept_vpid & EPT_CAP_INVEPT) || !(m->ept_vpid & EPT_CAP_INVEPT_SINGLE_CONTEXT))
		missing(&l, "INVEPT single-context");
	if (!(m->ept_vpid & VPID_CAP_INVVPID))
		missing(&l, "INVVPID");
	if (!(m->ept_vpid & VPID_CAP_INVVPID_INDIVIDUAL_ADDRESS))
		missing(&l, "INVVPID individual-address");
	if (!(m->ept_vpid & VPID_CAP_INVVPID_SINGLE_CONTEXT))
		missing(&l, "INVVPID single-context");
	return !l.any;
}
