/* VMCS setup. Every control comes from the TRUE capability MSRs: required bits are checked, optional
 * ones used only when the CPU has them. Guest state starts as the guest ABI promises: 64-bit mode,
 * paging on with the identity map minihv built, interrupts off. */
#include "bzimage.h"
#include "cpu.h"
#include "cr_rules.h"
#include "lib.h"
#include "log.h"
#include "partition.h"
#include "pmm.h"
#include "vmcs.h"
#include "x86.h"

extern char vmx_exit[];

static u64 msr_bitmap_pa, io_bitmap_a_pa, io_bitmap_b_pa;
static u32 pin_ctls, proc2_ctls, exit_ctls, entry_ctls;
u32 vmcs_proc_ctls;
u64 vmx_preemption_rate;
bool vmx_nmi_window;
u64 vmx_cr4_allowed;

void msr_bitmap_passthrough(u32 msr, bool read, bool write)
{
	/* SDM 25.6.9: read-low, read-high, write-low, write-high, 1 KiB each. */
	u8 *bm = phys_to_virt(msr_bitmap_pa);
	u32 off;
	if (msr <= 0x1fff)
		off = 0;
	else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		off = 1024;
	else
		return;
	u32 bit = msr & 0x1fff;
	if (read)
		bm[off + bit / 8] &= ~(1u << (bit % 8));
	if (write)
		bm[off + 2048 + bit / 8] &= ~(1u << (bit % 8));
}

static bool need(u64 cap, u32 bits, const char *what, const char *name)
{
	if (vmx_control_allowed(cap, bits))
		return true;
	pr_err("minihv: cannot run: the CPU lacks the %s control '%s'", what, name);
	return false;
}

bool vmcs_global_init(void)
{
	const struct vmx_msrs *m = &vmx_caps;
	bool ok = true;
	ok &= need(m->pin, PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING, "pin-based", "external-interrupt/NMI exiting");
	ok &= need(m->pin, PIN_VMX_PREEMPTION_TIMER, "pin-based", "VMX preemption timer");
	ok &= need(m->proc, CPU_HLT_EXITING | CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS | CPU_ACTIVATE_SECONDARY_CONTROLS,
		   "processor-based", "HLT exiting, I/O and MSR bitmaps, secondary controls");
	ok &= need(m->proc2, CPU2_ENABLE_EPT | CPU2_ENABLE_VPID | CPU2_UNRESTRICTED_GUEST, "secondary",
		   "EPT, VPID, unrestricted guest");
	ok &= need(m->exit, EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER |
				    EXIT_ACK_INTERRUPT_ON_EXIT,
		   "VM-exit", "64-bit host, EFER save/load, acknowledge interrupt on exit");
	ok &= need(m->entry, ENTRY_LOAD_IA32_EFER | ENTRY_IA32E_MODE_GUEST, "VM-entry", "EFER load, IA-32e mode guest");
	if (!ok)
		return false;

	u32 pin = PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_VMX_PREEMPTION_TIMER;
	/* Virtual NMIs give the guest its own NMI blocking and, with it, NMI-window exits (SDM 25.3). */
	vmx_nmi_window = vmx_control_allowed(m->pin, PIN_VIRTUAL_NMIS) && vmx_control_allowed(m->proc, CPU_NMI_WINDOW_EXITING);
	if (vmx_nmi_window)
		pin |= PIN_VIRTUAL_NMIS;
	pin_ctls = vmx_adjust_controls(m->pin, pin);
	/* CR3 load/store exiting are default-1 only in the legacy MSR; the TRUE one lets us clear them. CR8
	 * exits: without a TPR shadow a guest's MOV to CR8 would reach the physical TPR. */
	u32 proc = CPU_HLT_EXITING | CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS | CPU_ACTIVATE_SECONDARY_CONTROLS |
		   CPU_MWAIT_EXITING | CPU_MONITOR_EXITING | CPU_RDPMC_EXITING;
	if (vmx_control_allowed(m->proc, CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING))
		proc |= CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING;
	vmcs_proc_ctls = vmx_adjust_controls(m->proc, proc);
	u32 proc2 = CPU2_ENABLE_EPT | CPU2_ENABLE_VPID | CPU2_UNRESTRICTED_GUEST;
	/* Optional: without them RDTSCP/INVPCID #UD in the guest, which CPUID then also hides. */
	if (vmx_control_allowed(m->proc2, CPU2_ENABLE_RDTSCP))
		proc2 |= CPU2_ENABLE_RDTSCP;
	if (vmx_control_allowed(m->proc2, CPU2_ENABLE_INVPCID))
		proc2 |= CPU2_ENABLE_INVPCID;
	proc2_ctls = vmx_adjust_controls(m->proc2, proc2);
	u32 exit = EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER | EXIT_ACK_INTERRUPT_ON_EXIT |
		   EXIT_SAVE_DEBUG_CONTROLS;
	u32 entry = ENTRY_LOAD_IA32_EFER | ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_DEBUG_CONTROLS;
	if (vmx_control_allowed(m->exit, EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT) &&
	    vmx_control_allowed(m->entry, ENTRY_LOAD_IA32_PAT)) {
		exit |= EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT;
		entry |= ENTRY_LOAD_IA32_PAT;
	}
	exit_ctls = vmx_adjust_controls(m->exit, exit);
	entry_ctls = vmx_adjust_controls(m->entry, entry);
	vmx_preemption_rate = m->misc & 0x1f;
	/* CR4 bits a guest may set: what CPUID offers it (vmx/cpuid.c) and VMX lets the CPU hold. */
	struct cpuid_regs l1 = cpuid(1, 0), l7 = cpuid(7, 0);
	u64 cr4 = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE |
		  CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (l1.ecx & BIT(17))
		cr4 |= CR4_PCIDE;
	if (l7.ebx & BIT(0))
		cr4 |= CR4_FSGSBASE;
	if (l7.ebx & BIT(7))
		cr4 |= CR4_SMEP;
	if (l7.ebx & BIT(20))
		cr4 |= CR4_SMAP;
	vmx_cr4_allowed = cr4 & m->cr4_fixed1 & ~CR4_VMXE;

	msr_bitmap_pa = pmm_alloc_page();
	io_bitmap_a_pa = pmm_alloc_page();
	io_bitmap_b_pa = pmm_alloc_page();
	if (!msr_bitmap_pa || !io_bitmap_a_pa || !io_bitmap_b_pa) {
		pr_err("out of memory for the VMX bitmaps");
		return false;
	}
	/* Intercept every MSR and port by default; let through what the guest owns outright. */
	memset(phys_to_virt(msr_bitmap_pa), 0xff, PAGE_SIZE);
	memset(phys_to_virt(io_bitmap_a_pa), 0xff, PAGE_SIZE);
	memset(phys_to_virt(io_bitmap_b_pa), 0xff, PAGE_SIZE);
	static const u32 guest_owned[] = {
		MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, MSR_IA32_KERNEL_GS_BASE, MSR_IA32_STAR, MSR_IA32_LSTAR,
		MSR_IA32_CSTAR, MSR_IA32_FMASK, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
		MSR_IA32_PAT,
	};
	for (u32 i = 0; i < ARRAY_SIZE(guest_owned); i++)
		msr_bitmap_passthrough(guest_owned[i], true, true);
	if (proc2_ctls & CPU2_ENABLE_RDTSCP)
		msr_bitmap_passthrough(MSR_IA32_TSC_AUX, true, true);
	return true;
}

static bool w(u64 field, u64 v, bool *ok)
{
	if (!vmwrite(field, v)) {
		pr_err("VMWRITE of field %#lx failed (error %lu)", field, vmread(VMCS_VM_INSTRUCTION_ERROR));
		*ok = false;
	}
	return *ok;
}

static void host_state(struct cpu *c, bool *ok)
{
	struct desc_ptr gdtr, idtr;
	sgdt(&gdtr);
	sidt(&idtr);
	w(VMCS_HOST_CR0, read_cr0(), ok);
	w(VMCS_HOST_CR3, read_cr3(), ok);
	w(VMCS_HOST_CR4, read_cr4(), ok);
	w(VMCS_HOST_ES_SELECTOR, GDT_DATA, ok);
	w(VMCS_HOST_CS_SELECTOR, GDT_CODE64, ok);
	w(VMCS_HOST_SS_SELECTOR, GDT_DATA, ok);
	w(VMCS_HOST_DS_SELECTOR, GDT_DATA, ok);
	w(VMCS_HOST_FS_SELECTOR, 0, ok);
	w(VMCS_HOST_GS_SELECTOR, 0, ok);
	w(VMCS_HOST_TR_SELECTOR, GDT_TSS, ok);
	w(VMCS_HOST_FS_BASE, 0, ok);
	w(VMCS_HOST_GS_BASE, (u64)(uintptr_t)c, ok);
	w(VMCS_HOST_TR_BASE, (u64)(uintptr_t)&c->tss, ok);
	w(VMCS_HOST_GDTR_BASE, gdtr.base, ok);
	w(VMCS_HOST_IDTR_BASE, idtr.base, ok);
	w(VMCS_HOST_IA32_SYSENTER_CS, 0, ok);
	w(VMCS_HOST_IA32_SYSENTER_ESP, 0, ok);
	w(VMCS_HOST_IA32_SYSENTER_EIP, 0, ok);
	w(VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER), ok);
	if (exit_ctls & EXIT_LOAD_IA32_PAT)
		w(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT), ok);
	w(VMCS_HOST_RIP, (u64)(uintptr_t)vmx_exit, ok);
}

static void segment(u32 sel_field, u16 sel, u64 base, u32 limit, u32 ar, bool *ok)
{
	/* The selector, base, limit and access-rights fields of one segment are at fixed offsets. */
	u32 n = (sel_field - VMCS_GUEST_ES_SELECTOR) / 2;
	w(sel_field, sel, ok);
	w(VMCS_GUEST_ES_BASE + 2 * n, base, ok);
	w(VMCS_GUEST_ES_LIMIT + 2 * n, limit, ok);
	w(VMCS_GUEST_ES_AR_BYTES + 2 * n, ar, ok);
}

static void guest_state(struct vp *vp, u64 rip, u64 rsp, bool *ok)
{
	const struct vmx_msrs *m = &vmx_caps;
	/* CR0/CR4 bits VMX forces (NE, VMXE) are owned by minihv: the guest reads its own values. */
	u64 cr0 = CR0_PE | CR0_PG | CR0_NE | CR0_ET | CR0_WP | CR0_MP;
	u64 cr0_mask = (m->cr0_fixed0 & ~(CR0_PE | CR0_PG)) | ~m->cr0_fixed1;
	u64 cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	u64 cr4_mask = m->cr4_fixed0 | ~m->cr4_fixed1 | ~vmx_cr4_allowed; /* setting a hidden bit exits */
	w(VMCS_CR0_GUEST_HOST_MASK, cr0_mask, ok);
	w(VMCS_CR0_READ_SHADOW, cr0, ok);
	w(VMCS_GUEST_CR0, (cr0 | m->cr0_fixed0) & m->cr0_fixed1, ok);
	w(VMCS_CR4_GUEST_HOST_MASK, cr4_mask, ok);
	w(VMCS_CR4_READ_SHADOW, cr4, ok);
	w(VMCS_GUEST_CR4, (cr4 | m->cr4_fixed0) & m->cr4_fixed1, ok);
	w(VMCS_GUEST_CR3, MINIHV_GPA_PML4, ok);
	w(VMCS_GUEST_DR7, 0x400, ok);
	w(VMCS_GUEST_RSP, rsp, ok);
	w(VMCS_GUEST_RIP, rip, ok);
	w(VMCS_GUEST_RFLAGS, RFLAGS_RESERVED1, ok);
	/* A Linux partition enters by the 64-bit boot protocol: __BOOT_CS 0x10, __BOOT_DS 0x18 (hv/linux_boot.c). */
	bool linux = vp->part->cfg && vp->part->cfg->image_kind == IMAGE_LINUX;
	u16 cs = linux ? LINUX_SEL_CODE : MINIHV_GUEST_SEL_CODE, ds = linux ? LINUX_SEL_DATA : MINIHV_GUEST_SEL_DATA;
	u16 tr = linux ? LINUX_SEL_TSS : MINIHV_GUEST_SEL_TSS;
	segment(VMCS_GUEST_CS_SELECTOR, cs, 0, 0xffffffff, 0xa09b, ok);
	segment(VMCS_GUEST_SS_SELECTOR, ds, 0, 0xffffffff, 0xc093, ok);
	segment(VMCS_GUEST_DS_SELECTOR, ds, 0, 0xffffffff, 0xc093, ok);
	segment(VMCS_GUEST_ES_SELECTOR, ds, 0, 0xffffffff, 0xc093, ok);
	segment(VMCS_GUEST_FS_SELECTOR, ds, 0, 0xffffffff, 0xc093, ok);
	segment(VMCS_GUEST_GS_SELECTOR, ds, 0, 0xffffffff, 0xc093, ok);
	segment(VMCS_GUEST_TR_SELECTOR, tr, MINIHV_GPA_TSS, 0x67, 0x8b, ok);
	segment(VMCS_GUEST_LDTR_SELECTOR, 0, 0, 0, 0x10000, ok); /* unusable */
	w(VMCS_GUEST_GDTR_BASE, MINIHV_GPA_GDT, ok);
	w(VMCS_GUEST_GDTR_LIMIT, (linux ? LINUX_SEL_TSS + 16 : MINIHV_GDT_SIZE) - 1, ok);
	w(VMCS_GUEST_IDTR_BASE, 0, ok);
	w(VMCS_GUEST_IDTR_LIMIT, 0, ok);
	/* NXE whenever the CPU has NX, so guests may use PTE_NX whatever the host's own EFER says. */
	bool nx = cpuid(0x80000001, 0).edx & BIT(20);
	w(VMCS_GUEST_IA32_EFER, EFER_LME | EFER_LMA | (nx ? EFER_NXE : 0), ok);
	if (entry_ctls & ENTRY_LOAD_IA32_PAT)
		w(VMCS_GUEST_IA32_PAT, 0x0007040600070406ull, ok); /* the reset value */
	w(VMCS_GUEST_IA32_DEBUGCTL, 0, ok);
	w(VMCS_GUEST_SYSENTER_CS, 0, ok);
	w(VMCS_GUEST_SYSENTER_ESP, 0, ok);
	w(VMCS_GUEST_SYSENTER_EIP, 0, ok);
	w(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0, ok);
	w(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE, ok);
	w(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0, ok);
	w(VMCS_VMCS_LINK_POINTER, ~0ull, ok);
	(void)vp;
}

bool vmcs_setup(struct vp *vp, u64 rip, u64 rsp, u64 rdi)
{
	bool ok = true;
	if (!vp->vmcs_pa) {
		vp->vmcs_pa = pmm_alloc_page();
		if (!vp->vmcs_pa) {
			pr_err("out of memory for the VMCS of %s VP %u", vp->part->name, vp->index);
			return false;
		}
	}
	*(u32 *)phys_to_virt(vp->vmcs_pa) = VMX_BASIC_REVISION(vmx_caps.basic);
	if (!vmclear(vp->vmcs_pa) || !vmptrld(vp->vmcs_pa)) {
		pr_err("VMCLEAR/VMPTRLD of the VMCS of %s VP %u failed", vp->part->name, vp->index);
		return false;
	}
	w(VMCS_PIN_BASED_VM_EXEC_CONTROL, pin_ctls, &ok);
	w(VMCS_CPU_BASED_VM_EXEC_CONTROL, vmcs_proc_ctls, &ok);
	w(VMCS_SECONDARY_VM_EXEC_CONTROL, proc2_ctls, &ok);
	w(VMCS_VM_EXIT_CONTROLS, exit_ctls, &ok);
	w(VMCS_VM_ENTRY_CONTROLS, entry_ctls, &ok);
	w(VMCS_EXCEPTION_BITMAP, 0, &ok);
	w(VMCS_PAGE_FAULT_ERROR_CODE_MASK, 0, &ok);
	w(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 0, &ok);
	w(VMCS_CR3_TARGET_COUNT, 0, &ok);
	w(VMCS_VM_EXIT_MSR_STORE_COUNT, 0, &ok);
	w(VMCS_VM_EXIT_MSR_LOAD_COUNT, 0, &ok);
	w(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0, &ok);
	w(VMCS_VM_ENTRY_INTR_INFO, 0, &ok);
	w(VMCS_MSR_BITMAP, msr_bitmap_pa, &ok);
	w(VMCS_IO_BITMAP_A, io_bitmap_a_pa, &ok);
	w(VMCS_IO_BITMAP_B, io_bitmap_b_pa, &ok);
	w(VMCS_TSC_OFFSET, 0, &ok);
	w(VMCS_EPT_POINTER, vp->part->eptp, &ok);
	w(VMCS_VPID, vp->vpid, &ok);
	host_state(vp->home, &ok);
	guest_state(vp, rip, rsp, &ok);
	vp->regs.rdi = rdi;
	vp->vmcs_ready = ok;
	vp->launched = false;
	/* A fresh VPID/EPT context must not see anything a previous user of the tag left. */
	invvpid(INVVPID_SINGLE_CONTEXT, vp->vpid, 0);
	invept(INVEPT_SINGLE_CONTEXT, vp->part->eptp);
	return ok;
}

void vmcs_save_paging_state(struct gva_paging_state *s)
{
	s->cr0 = vmread(VMCS_GUEST_CR0);
	s->cr3 = vmread(VMCS_GUEST_CR3);
	s->cr4 = vmread(VMCS_GUEST_CR4);
	s->efer = vmread(VMCS_GUEST_IA32_EFER);
	/* Without the PAT controls the guest's PAT is the CPU's own MSR (the bitmap passes it through). */
	s->pat = (entry_ctls & ENTRY_LOAD_IA32_PAT) ? vmread(VMCS_GUEST_IA32_PAT) : rdmsr(MSR_IA32_PAT);
	s->cpl = (vmread(VMCS_GUEST_SS_AR_BYTES) >> 5) & 3;
}

/* The state INIT leaves and a SIPI completes (SDM vol. 3 Table 10-1 and 10.4.4.? "startup IPI"): real
 * mode at CS = vector << 8, IP = 0, caches off, everything else zero. Runs on the home CPU with the VP's
 * VMCS current and its FPU/MSR state loaded (vmx/sched.c switch_to). */
bool vmcs_init_state(struct vp *vp, u8 vector)
{
	const struct vmx_msrs *m = &vmx_caps;
	bool ok = true;
	u64 cr0 = CR0_CD | CR0_NW | CR0_ET;
	w(VMCS_CR0_READ_SHADOW, cr0, &ok);
	w(VMCS_GUEST_CR0, (cr0 | (m->cr0_fixed0 & ~(CR0_PE | CR0_PG))) & m->cr0_fixed1, &ok);
	w(VMCS_CR4_READ_SHADOW, 0, &ok);
	w(VMCS_GUEST_CR4, m->cr4_fixed0 & m->cr4_fixed1, &ok);
	w(VMCS_GUEST_CR3, 0, &ok);
	w(VMCS_GUEST_DR7, 0x400, &ok);
	w(VMCS_GUEST_RSP, 0, &ok);
	w(VMCS_GUEST_RIP, 0, &ok);
	w(VMCS_GUEST_RFLAGS, RFLAGS_RESERVED1, &ok);
	segment(VMCS_GUEST_CS_SELECTOR, (u16)(vector << 8), (u64)vector << 12, 0xffff, 0x9b, &ok);
	segment(VMCS_GUEST_SS_SELECTOR, 0, 0, 0xffff, 0x93, &ok);
	segment(VMCS_GUEST_DS_SELECTOR, 0, 0, 0xffff, 0x93, &ok);
	segment(VMCS_GUEST_ES_SELECTOR, 0, 0, 0xffff, 0x93, &ok);
	segment(VMCS_GUEST_FS_SELECTOR, 0, 0, 0xffff, 0x93, &ok);
	segment(VMCS_GUEST_GS_SELECTOR, 0, 0, 0xffff, 0x93, &ok);
	segment(VMCS_GUEST_TR_SELECTOR, 0, 0, 0xffff, 0x8b, &ok);
	segment(VMCS_GUEST_LDTR_SELECTOR, 0, 0, 0xffff, 0x82, &ok);
	w(VMCS_GUEST_GDTR_BASE, 0, &ok);
	w(VMCS_GUEST_GDTR_LIMIT, 0xffff, &ok);
	w(VMCS_GUEST_IDTR_BASE, 0, &ok);
	w(VMCS_GUEST_IDTR_LIMIT, 0xffff, &ok);
	w(VMCS_GUEST_IA32_EFER, 0, &ok);
	w(VMCS_VM_ENTRY_CONTROLS, entry_ctls & ~ENTRY_IA32E_MODE_GUEST, &ok);
	if (entry_ctls & ENTRY_LOAD_IA32_PAT)
		w(VMCS_GUEST_IA32_PAT, 0x0007040600070406ull, &ok);
	w(VMCS_GUEST_IA32_DEBUGCTL, 0, &ok);
	w(VMCS_GUEST_SYSENTER_CS, 0, &ok);
	w(VMCS_GUEST_SYSENTER_ESP, 0, &ok);
	w(VMCS_GUEST_SYSENTER_EIP, 0, &ok);
	w(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0, &ok);
	w(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE, &ok);
	w(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0, &ok);
	w(VMCS_VM_ENTRY_INTR_INFO, 0, &ok); /* an event being injected when INIT came is lost */
	w(VMCS_CPU_BASED_VM_EXEC_CONTROL, vmcs_proc_ctls, &ok);
	memset(&vp->regs, 0, sizeof(vp->regs));
	vp->regs.rdx = cpuid(1, 0).eax; /* EDX after INIT: family, model, stepping */
	/* The loaded state the VMCS does not hold: FPU, CR2 and the syscall MSRs. */
	__asm__ volatile("fninit");
	u32 mxcsr = 0x1f80;
	__asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
	write_cr2(0);
	static const u32 zeroed[] = { MSR_IA32_KERNEL_GS_BASE, MSR_IA32_STAR, MSR_IA32_LSTAR, MSR_IA32_CSTAR,
				      MSR_IA32_FMASK };
	for (u32 i = 0; i < ARRAY_SIZE(zeroed); i++)
		wrmsr(zeroed[i], 0);
	return ok;
}

void vmcs_dump(struct vp *vp)
{
	pr_err("  %s VP %u: rip=%#lx rsp=%#lx rflags=%#lx cr0=%#lx cr3=%#lx cr4=%#lx efer=%#lx", vp->part->name,
	       vp->index, vmread(VMCS_GUEST_RIP), vmread(VMCS_GUEST_RSP), vmread(VMCS_GUEST_RFLAGS),
	       vmread(VMCS_GUEST_CR0), vmread(VMCS_GUEST_CR3), vmread(VMCS_GUEST_CR4), vmread(VMCS_GUEST_IA32_EFER));
	pr_err("  cs=%#lx/%#lx ss=%#lx/%#lx tr=%#lx/%#lx entry=%#lx exit=%#lx proc=%#lx proc2=%#lx pin=%#lx",
	       vmread(VMCS_GUEST_CS_SELECTOR), vmread(VMCS_GUEST_CS_AR_BYTES), vmread(VMCS_GUEST_SS_SELECTOR),
	       vmread(VMCS_GUEST_SS_AR_BYTES), vmread(VMCS_GUEST_TR_SELECTOR), vmread(VMCS_GUEST_TR_AR_BYTES),
	       vmread(VMCS_VM_ENTRY_CONTROLS), vmread(VMCS_VM_EXIT_CONTROLS), vmread(VMCS_CPU_BASED_VM_EXEC_CONTROL),
	       vmread(VMCS_SECONDARY_VM_EXEC_CONTROL), vmread(VMCS_PIN_BASED_VM_EXEC_CONTROL));
}
