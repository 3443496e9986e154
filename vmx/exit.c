/* VM-exit dispatch: one small handler per basic exit reason; anything without a handler stops the
 * partition with a diagnostic line (never the hypervisor). */
#include "apic.h"
#include "cpu.h"
#include "cr_rules.h"
#include "exits.h"
#include "hv.h"
#include "lib.h"
#include "log.h"
#include "trace.h"
#include "vlapic.h"
#include "vmcs.h"
#include "vuart.h"
#include "x86.h"

typedef enum exit_action (*exit_handler)(struct vp *vp);

static const char *const exit_names[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI] = "exception or NMI",
	[EXIT_REASON_EXTERNAL_INTERRUPT] = "external interrupt",
	[EXIT_REASON_TRIPLE_FAULT] = "triple fault",
	[EXIT_REASON_INIT_SIGNAL] = "INIT signal",
	[EXIT_REASON_SIPI] = "SIPI",
	[EXIT_REASON_INTERRUPT_WINDOW] = "interrupt window",
	[EXIT_REASON_TASK_SWITCH] = "task switch",
	[EXIT_REASON_CPUID] = "CPUID",
	[EXIT_REASON_GETSEC] = "GETSEC",
	[EXIT_REASON_HLT] = "HLT",
	[EXIT_REASON_INVD] = "INVD",
	[EXIT_REASON_RDPMC] = "RDPMC",
	[EXIT_REASON_VMCALL] = "VMCALL",
	[EXIT_REASON_CR_ACCESS] = "control-register access",
	[EXIT_REASON_IO_INSTRUCTION] = "I/O instruction",
	[EXIT_REASON_MSR_READ] = "RDMSR",
	[EXIT_REASON_MSR_WRITE] = "WRMSR",
	[EXIT_REASON_INVALID_GUEST_STATE] = "invalid guest state",
	[EXIT_REASON_MSR_LOADING] = "MSR loading",
	[EXIT_REASON_MWAIT_INSTRUCTION] = "MWAIT",
	[EXIT_REASON_MONITOR_INSTRUCTION] = "MONITOR",
	[EXIT_REASON_MCE_DURING_VMENTRY] = "machine check during VM entry",
	[EXIT_REASON_EPT_VIOLATION] = "EPT violation",
	[EXIT_REASON_EPT_MISCONFIG] = "EPT misconfiguration",
	[EXIT_REASON_PREEMPTION_TIMER] = "VMX preemption timer",
	[EXIT_REASON_XSETBV] = "XSETBV",
};

const char *vmx_exit_name(u32 reason)
{
	return reason < EXIT_REASON_MAX && exit_names[reason] ? exit_names[reason] : "unknown";
}

void vmx_advance_rip(void)
{
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + vmread(VMCS_VM_EXIT_INSTRUCTION_LEN));
	/* SDM 26.3.1.5: the instruction completed, so blocking by STI/MOV SS no longer applies. */
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO, intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

void vmx_inject_exception(u8 vector, bool has_error, u32 error_code)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID;
	if (has_error) {
		info |= INTR_INFO_DELIVER_CODE;
		vmwrite(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error_code);
	}
	vmwrite(VMCS_VM_ENTRY_INTR_INFO, info);
}

u32 vmx_guest_cpl(void)
{
	return (vmread(VMCS_GUEST_SS_AR_BYTES) >> 5) & 3;
}

bool vmx_guest_protected_mode(void)
{
	return vmread(VMCS_GUEST_CR0) & CR0_PE;
}

bool vmx_guest_64bit(void)
{
	return (vmread(VMCS_GUEST_IA32_EFER) & EFER_LMA) && (vmread(VMCS_GUEST_CS_AR_BYTES) & BIT(13));
}

static enum exit_action stop(struct vp *vp, u32 reason)
{
	const char *name = reason < EXIT_REASON_MAX && exit_names[reason] ? exit_names[reason] : "unknown";
	partition_stop(vp->part, vp, "unhandled VM exit %u (%s), qualification %#lx, GPA %#lx, RIP %#lx", reason, name,
		       vmread(VMCS_EXIT_QUALIFICATION), vmread(VMCS_GUEST_PHYSICAL_ADDRESS), vmread(VMCS_GUEST_RIP));
	return EXIT_CONTINUE;
}

static enum exit_action handle_nmi(struct vp *vp)
{
	u32 info = (u32)vmread(VMCS_VM_EXIT_INTR_INFO);
	if ((info & (7u << 8)) == INTR_TYPE_NMI) {
		/* A physical NMI while the guest ran: nothing in minihv sends them; note and go on. */
		pr_warn("NMI while %s VP %u ran", vp->part->name, vp->index);
		return EXIT_CONTINUE;
	}
	return stop(vp, EXIT_REASON_EXCEPTION_NMI);
}

static enum exit_action handle_external_interrupt(struct vp *vp)
{
	(void)vp;
	/* Acknowledged on exit. A kick (or a stray vector): EOI and re-check state. Console input: take it
	 * from the UART, then hand it to the partition that has the keyboard. */
	u8 vector = (u8)vmread(VMCS_VM_EXIT_INTR_INFO);
	if (vector == VECTOR_CONSOLE) {
		console_rx_interrupt();
		apic_eoi();
		vuart_poll_input();
		return EXIT_CONTINUE;
	}
	apic_eoi();
	return EXIT_CONTINUE;
}

static enum exit_action handle_triple_fault(struct vp *vp)
{
	partition_stop(vp->part, vp, "triple fault at RIP %#lx (RSP %#lx)", vmread(VMCS_GUEST_RIP),
		       vmread(VMCS_GUEST_RSP));
	return EXIT_CONTINUE;
}

static enum exit_action handle_ignore(struct vp *vp)
{
	(void)vp;
	return EXIT_CONTINUE;
}

static enum exit_action handle_hlt(struct vp *vp)
{
	vmx_advance_rip();
	if (!(vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF)) {
		/* Nothing minihv delivers can wake a VP with interrupts off: it has ended. */
		pr_info("minihv: partition %s VP %u halted with interrupts off; it counts as ended", vp->part->name,
			vp->index);
		vp_end(vp, 0);
		return EXIT_CONTINUE;
	}
	vp_halt(vp, vmread(VMCS_GUEST_RIP));
	return EXIT_RESCHEDULE;
}

static enum exit_action handle_vmcall(struct vp *vp)
{
	/* TLFS: hypercalls are legal only at CPL0 in protected mode; otherwise #UD. */
	if (!vmx_guest_protected_mode() || vmx_guest_cpl() != 0) {
		vmx_inject_ud();
		return EXIT_CONTINUE;
	}
	if (hv_hypercall(vp))
		vmx_advance_rip();
	return EXIT_CONTINUE;
}

static enum exit_action handle_invalid_instruction(struct vp *vp)
{
	(void)vp;
	/* VMX instructions, MONITOR/MWAIT, GETSEC, RDPMC: not offered to guests (CPUID hides them). */
	vmx_inject_ud();
	return EXIT_CONTINUE;
}

static enum exit_action handle_invd(struct vp *vp)
{
	(void)vp;
	/* Dropping caches without writing them back would corrupt memory minihv shares; treat as a no-op. */
	vmx_advance_rip();
	return EXIT_CONTINUE;
}

static enum exit_action handle_xsetbv(struct vp *vp)
{
	(void)vp;
	vmx_inject_gp(); /* XSAVE is not offered (CPUID.1:ECX.XSAVE = 0) */
	return EXIT_CONTINUE;
}

static u64 *gpr(struct vp *vp, unsigned n)
{
	u64 *r[16] = { &vp->regs.rax, &vp->regs.rcx, &vp->regs.rdx, &vp->regs.rbx, NULL, &vp->regs.rbp,
		       &vp->regs.rsi, &vp->regs.rdi, &vp->regs.r8, &vp->regs.r9, &vp->regs.r10, &vp->regs.r11,
		       &vp->regs.r12, &vp->regs.r13, &vp->regs.r14, &vp->regs.r15 };
	return r[n & 15];
}

/* What the guest reads: bits it owns from the register, the others from the read shadow. */
static u64 guest_view(u64 reg, u64 shadow, u64 mask)
{
	return (vmread(reg) & ~vmread(mask)) | (vmread(shadow) & vmread(mask));
}

static struct cr_state guest_cr_state(void)
{
	return (struct cr_state){
		.cr0 = guest_view(VMCS_GUEST_CR0, VMCS_CR0_READ_SHADOW, VMCS_CR0_GUEST_HOST_MASK),
		.cr3 = vmread(VMCS_GUEST_CR3),
		.cr4 = guest_view(VMCS_GUEST_CR4, VMCS_CR4_READ_SHADOW, VMCS_CR4_GUEST_HOST_MASK),
		.efer = vmread(VMCS_GUEST_IA32_EFER),
		.cs_l = vmread(VMCS_GUEST_CS_AR_BYTES) & BIT(13),
		.cr4_allowed = vmx_cr4_allowed,
	};
}

/* MOV to CR0 that touched a bit minihv owns. The guest keeps its view in the read shadow; a change of
 * PG is done here as the processor would: EFER.LMA and the IA-32e-mode entry control follow it. */
static bool guest_write_cr0(u64 val)
{
	const struct vmx_msrs *m = &vmx_caps;
	struct cr_state s = guest_cr_state();
	if (!cr0_write_check(&s, val, &val))
		return false;
	u64 fixed0 = m->cr0_fixed0 & ~(CR0_PE | CR0_PG); /* unrestricted guest */
	vmwrite(VMCS_CR0_READ_SHADOW, val);
	vmwrite(VMCS_GUEST_CR0, (val | fixed0) & m->cr0_fixed1);
	u64 efer = efer_after_cr0(s.efer, s.cr0, val);
	if (efer != s.efer) {
		vmwrite(VMCS_GUEST_IA32_EFER, efer);
		u64 entry = vmread(VMCS_VM_ENTRY_CONTROLS);
		vmwrite(VMCS_VM_ENTRY_CONTROLS,
			(efer & EFER_LMA) ? entry | ENTRY_IA32E_MODE_GUEST : entry & ~ENTRY_IA32E_MODE_GUEST);
	}
	return true;
}

static bool guest_write_cr4(u64 val)
{
	const struct vmx_msrs *m = &vmx_caps;
	struct cr_state s = guest_cr_state();
	if (!cr4_write_check(&s, val))
		return false;
	vmwrite(VMCS_CR4_READ_SHADOW, val);
	vmwrite(VMCS_GUEST_CR4, (val | m->cr4_fixed0) & m->cr4_fixed1);
	return true;
}

static enum exit_action handle_cr_access(struct vp *vp)
{
	u64 q = vmread(VMCS_EXIT_QUALIFICATION);
	unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	if (type > 1 || (cr != 0 && cr != 4 && cr != 8) || (type == 1 && cr != 8) || reg == 4)
		return stop(vp, EXIT_REASON_CR_ACCESS);
	u64 *r = gpr(vp, reg);
	bool ok = true;
	if (cr == 8 && type == 1) {
		*r = vp->lapic.tpr >> 4; /* CR8 is TPR[7:4] (SDM 11.8.6) */
	} else if (cr == 8) {
		ok = !(*r >> 4);
		if (ok)
			vp->lapic.tpr = (u32)(*r & 0xf) << 4;
	} else {
		ok = cr == 0 ? guest_write_cr0(*r) : guest_write_cr4(*r);
	}
	if (!ok) {
		vmx_inject_gp(); /* SDM: MOV to CR #GP(0) conditions (vmx/cr_rules.c) */
		return EXIT_CONTINUE;
	}
	vmx_advance_rip();
	return EXIT_CONTINUE;
}

static enum exit_action handle_ept_violation(struct vp *vp)
{
	u64 q = vmread(VMCS_EXIT_QUALIFICATION);
	if (hv_ept_violation(vp, vmread(VMCS_GUEST_PHYSICAL_ADDRESS), q))
		return EXIT_CONTINUE;
	partition_stop(vp->part, vp, "%s GPA %#lx outside its RAM (qualification %#lx, RIP %#lx)",
		       (q & 2) ? "wrote" : (q & 4) ? "fetched from" : "read", vmread(VMCS_GUEST_PHYSICAL_ADDRESS), q,
		       vmread(VMCS_GUEST_RIP));
	return EXIT_CONTINUE;
}

static enum exit_action handle_preemption_timer(struct vp *vp)
{
	vp->count.slices++;
	return EXIT_RESCHEDULE;
}

static const exit_handler handlers[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI] = handle_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_REASON_INIT_SIGNAL] = handle_ignore, /* minihv sends no INIT after start-up */
	[EXIT_REASON_SIPI] = handle_ignore,
	[EXIT_REASON_INTERRUPT_WINDOW] = vmx_handle_window,
	[EXIT_REASON_NMI_WINDOW] = vmx_handle_window,
	[EXIT_REASON_CPUID] = vmx_handle_cpuid,
	[EXIT_REASON_GETSEC] = handle_invalid_instruction,
	[EXIT_REASON_HLT] = handle_hlt,
	[EXIT_REASON_INVD] = handle_invd,
	[EXIT_REASON_RDPMC] = handle_invalid_instruction,
	[EXIT_REASON_VMCALL] = handle_vmcall,
	[EXIT_REASON_VMCLEAR] = handle_invalid_instruction,
	[EXIT_REASON_VMLAUNCH] = handle_invalid_instruction,
	[EXIT_REASON_VMPTRLD] = handle_invalid_instruction,
	[EXIT_REASON_VMPTRST] = handle_invalid_instruction,
	[EXIT_REASON_VMREAD] = handle_invalid_instruction,
	[EXIT_REASON_VMRESUME] = handle_invalid_instruction,
	[EXIT_REASON_VMWRITE] = handle_invalid_instruction,
	[EXIT_REASON_VMXOFF] = handle_invalid_instruction,
	[EXIT_REASON_VMXON] = handle_invalid_instruction,
	[EXIT_REASON_CR_ACCESS] = handle_cr_access,
	[EXIT_REASON_IO_INSTRUCTION] = vmx_handle_io,
	[EXIT_REASON_MSR_READ] = vmx_handle_rdmsr,
	[EXIT_REASON_MSR_WRITE] = vmx_handle_wrmsr,
	[EXIT_REASON_MWAIT_INSTRUCTION] = handle_invalid_instruction,
	[EXIT_REASON_MONITOR_INSTRUCTION] = handle_invalid_instruction,
	[EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
	[EXIT_REASON_INVEPT] = handle_invalid_instruction,
	[EXIT_REASON_PREEMPTION_TIMER] = handle_preemption_timer,
	[EXIT_REASON_INVVPID] = handle_invalid_instruction,
	[EXIT_REASON_XSETBV] = handle_xsetbv,
	[EXIT_REASON_VMFUNC] = handle_invalid_instruction,
	[EXIT_REASON_ENCLS] = handle_invalid_instruction,
};

/* SDM 27.2.4: an event whose delivery the exit interrupted must be delivered again. */
static void reinject_vectored_event(void)
{
	u32 idt = (u32)vmread(VMCS_IDT_VECTORING_INFO);
	if (!(idt & INTR_INFO_VALID))
		return;
	vmwrite(VMCS_VM_ENTRY_INTR_INFO, idt & ~BIT(12));
	if (idt & INTR_INFO_DELIVER_CODE)
		vmwrite(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, vmread(VMCS_IDT_VECTORING_ERROR_CODE));
	u32 type = idt & (7u << 8);
	if (type == INTR_TYPE_SOFT_EXCEPTION || type == (4u << 8) || type == (5u << 8))
		vmwrite(VMCS_VM_ENTRY_INSTRUCTION_LEN, vmread(VMCS_VM_EXIT_INSTRUCTION_LEN));
}

enum exit_action vmx_handle_exit(struct vp *vp)
{
	u32 full = (u32)vmread(VMCS_VM_EXIT_REASON);
	u32 reason = full & 0xffff;
	vp->count.exits++;
	if (reason < EXIT_REASON_MAX)
		vp->count.exits_by_reason[reason]++;
	if (full & EXIT_REASON_FAILED_VMENTRY) {
		const char *name = reason < EXIT_REASON_MAX && exit_names[reason] ? exit_names[reason] : "unknown";
		partition_stop(vp->part, vp, "VM entry failed: exit reason %u (%s), qualification %#lx", reason, name,
			       vmread(VMCS_EXIT_QUALIFICATION));
		vmcs_dump(vp);
		return EXIT_CONTINUE;
	}
	reinject_vectored_event();
	exit_handler h = reason < EXIT_REASON_MAX ? handlers[reason] : NULL;
	return h ? h(vp) : stop(vp, reason);
}
