/* Event injection right before VM entry (SDM 27.6): NMI first, then ExtINT from the 8259 (LINT0), then
 * the virtual APIC's highest deliverable vector. What cannot be delivered now (RFLAGS.IF = 0, STI or
 * MOV-SS blocking, NMI blocking, an event already being injected) asks for an interrupt- or NMI-window
 * exit instead, so it goes in at the first instruction boundary where the guest can take it. */
#include "exits.h"
#include "vlapic.h"
#include "vmcs.h"
#include "x86.h"

#define WINDOW_BITS (CPU_INTERRUPT_WINDOW_EXITING | CPU_NMI_WINDOW_EXITING)

static bool interrupt_pending(struct vp *vp)
{
	return (vp->part->extint && vlapic_extint_pending(vp)) || vlapic_pending(&vp->lapic) >= 0;
}

void vmx_prepare_interrupts(struct vp *vp)
{
	struct vlapic *l = &vp->lapic;
	bool nmi = __atomic_load_n(&l->nmi_pending, __ATOMIC_ACQUIRE);
	if (!nmi && !interrupt_pending(vp))
		return; /* the common case: no VMCS access at all */
	u64 want = 0;
	bool busy = vmread(VMCS_VM_ENTRY_INTR_INFO) & INTR_INFO_VALID;
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	bool shadow = intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);

	if (nmi) {
		if (!busy && !shadow && !(intr & GUEST_INTR_STATE_NMI)) {
			__atomic_store_n(&l->nmi_pending, 0, __ATOMIC_SEQ_CST);
			vmwrite(VMCS_VM_ENTRY_INTR_INFO, 2 | INTR_TYPE_NMI | INTR_INFO_VALID);
			busy = true;
		} else if (vmx_nmi_window) {
			want |= CPU_NMI_WINDOW_EXITING;
		}
		/* Without virtual NMIs there is no NMI window: the NMI waits for the next exit (at the latest the
		 * slice end). An interrupt window would not do: it can open while NMIs are still blocked. */
	}
	if (interrupt_pending(vp)) {
		bool open = (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) && !shadow;
		if (busy || !open) {
			want |= CPU_INTERRUPT_WINDOW_EXITING;
		} else {
			int v = vlapic_extint_pending(vp) ? vlapic_extint_ack(vp) : vlapic_ack(l);
			if (v >= 0)
				vmwrite(VMCS_VM_ENTRY_INTR_INFO, (u32)v | INTR_TYPE_EXTERNAL | INTR_INFO_VALID);
			/* More waiting (auto-EOI, or ExtINT): exit once the handler can take the next. */
			if (interrupt_pending(vp))
				want |= CPU_INTERRUPT_WINDOW_EXITING;
		}
	}
	if (want) {
		u64 proc = vmread(VMCS_CPU_BASED_VM_EXEC_CONTROL);
		if ((proc & want) != want)
			vmwrite(VMCS_CPU_BASED_VM_EXEC_CONTROL, proc | want);
	}
}

/* An interrupt- or NMI-window exit: the window is open; the next entry looks again and asks anew. */
enum exit_action vmx_handle_window(struct vp *vp)
{
	(void)vp;
	vmwrite(VMCS_CPU_BASED_VM_EXEC_CONTROL, vmread(VMCS_CPU_BASED_VM_EXEC_CONTROL) & ~WINDOW_BITS);
	return EXIT_CONTINUE;
}
