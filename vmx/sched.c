/* Per-CPU VP scheduler. Each CPU runs the VPs homed on it round-robin, one VMX-preemption-timer slice
 * at a time; a VP runs only while no block reason holds (include/partition.h, hv/vp.c). An idle CPU halts
 * until a kick IPI says that one of its VPs may have become runnable. */
#include "apic.h"
#include "core.h"
#include "exits.h"
#include "hv.h"
#include "lib.h"
#include "log.h"
#include "timer.h"
#include "trap.h"
#include "vlapic.h"
#include "vmcs.h"
#include "vuart.h"
#include "x86.h"

#define SLICE_US 2000 /* time slice when several VPs share a CPU */
/* How often an idle boot CPU looks at console input: a safety net behind the UART's receive interrupt,
 * or, without one, often enough that the UART's FIFO cannot overflow (CONSOLE_POLL_NO_IRQ_US). */
#define CONSOLE_POLL_US 20000

int vmx_run(struct guest_regs *regs, u64 launched);

void kick_interrupt(void)
{
	/* Waking from HLT (or forcing a VM exit) was the whole point. */
}

/* The guest state that no VMCS field holds: FPU/SSE, CR2 and a few MSRs. */
static void save_guest_extra(struct vp *vp)
{
	__asm__ volatile("fxsave64 %0" : "=m"(vp->fxsave));
	vp->cr2 = read_cr2();
	vp->msrs[VP_MSR_KERNEL_GS_BASE] = rdmsr(MSR_IA32_KERNEL_GS_BASE);
	vp->msrs[VP_MSR_STAR] = rdmsr(MSR_IA32_STAR);
	vp->msrs[VP_MSR_LSTAR] = rdmsr(MSR_IA32_LSTAR);
	vp->msrs[VP_MSR_CSTAR] = rdmsr(MSR_IA32_CSTAR);
	vp->msrs[VP_MSR_FMASK] = rdmsr(MSR_IA32_FMASK);
	vp->msrs[VP_MSR_TSC_AUX] = rdmsr(MSR_IA32_TSC_AUX);
}

static void load_guest_extra(struct vp *vp)
{
	__asm__ volatile("fxrstor64 %0" ::"m"(vp->fxsave));
	write_cr2(vp->cr2);
	wrmsr(MSR_IA32_KERNEL_GS_BASE, vp->msrs[VP_MSR_KERNEL_GS_BASE]);
	wrmsr(MSR_IA32_STAR, vp->msrs[VP_MSR_STAR]);
	wrmsr(MSR_IA32_LSTAR, vp->msrs[VP_MSR_LSTAR]);
	wrmsr(MSR_IA32_CSTAR, vp->msrs[VP_MSR_CSTAR]);
	wrmsr(MSR_IA32_FMASK, vp->msrs[VP_MSR_FMASK]);
	wrmsr(MSR_IA32_TSC_AUX, vp->msrs[VP_MSR_TSC_AUX]);
}

static bool switch_to(struct cpu *c, struct vp *vp)
{
	if (c->loaded == vp)
		return true;
	if (c->loaded)
		save_guest_extra(c->loaded);
	if (!vp->vmcs_ready) {
		/* A fresh VP starts with clean FPU state (FNINIT + default MXCSR). */
		__asm__ volatile("fninit");
		u32 mxcsr = 0x1f80;
		__asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
		__asm__ volatile("fxsave64 %0" : "=m"(vp->fxsave));
		vp->cr2 = 0;
		if (!vmcs_setup(vp, vp->entry_rip, vp->entry_rsp, vp->entry_rdi)) {
			c->loaded = NULL;
			partition_stop(vp->part, vp, "could not build its VMCS");
			return false;
		}
	} else if (!vmptrld(vp->vmcs_pa)) {
		c->loaded = NULL;
		partition_stop(vp->part, vp, "VMPTRLD of its VMCS failed");
		return false;
	}
	load_guest_extra(vp);
	c->loaded = vp;
	return true;
}

static void entry_failed(struct vp *vp, int rc)
{
	if (rc == 2)
		partition_stop(vp->part, vp, "VM entry failed: VM-instruction error %lu",
			       vmread(VMCS_VM_INSTRUCTION_ERROR));
	else
		partition_stop(vp->part, vp, "VM entry failed (VMfailInvalid, code %d)", rc);
	vmcs_dump(vp);
}

static bool others_runnable(struct cpu *c, struct vp *self)
{
	for (u32 i = 0; i < c->vp_count; i++)
		if (c->vps[i] != self && !__atomic_load_n(&c->vps[i]->blocked, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

/* VMX-preemption-timer value for the next entry: the slice end, or earlier the next virtual-APIC timer
 * deadline of a VP homed here (rounded up, so that the exit comes when it is due, not just before). */
static u64 preemption_value(u64 now, u64 slice_end, u64 timer)
{
	if (timer && timer < slice_end) {
		u64 unit = 1ull << vmx_preemption_rate;
		return timer > now ? MIN((timer - now + unit - 1) >> vmx_preemption_rate, 0xffffffffull) : 0;
	}
	return MIN((slice_end - now) >> vmx_preemption_rate, 0xffffffffull);
}

/* Runs vp until it blocks or its slice ends. The slice is a budget for the whole stay on the CPU, not
 * per entry: a guest that exits often (polling a device) must still give way to the others. */
static void run_vp_slice(struct cpu *c, struct vp *vp)
{
	/* A polling boot CPU ends slices early enough for the UART's FIFO (see CONSOLE_POLL_US). */
	u64 slice_us = c->index == 0 && !console_rx_by_interrupt() ? MIN(SLICE_US, CONSOLE_POLL_NO_IRQ_US) : SLICE_US;
	u64 slice = slice_us * tsc_khz / 1000;
	u64 deadline = rdtsc() + slice;
	for (;;) {
		if (__atomic_load_n(&vp->blocked, __ATOMIC_ACQUIRE))
			return;
		u64 now = rdtsc();
		bool woke = false;
		u64 timer = vlapic_cpu_timers(c, vp, now, &woke);
		if (woke)
			deadline = now; /* a VP here woke on its timer: give it the CPU now */
		if (now >= deadline) {
			if (c->index == 0)
				vuart_poll_input();
			if (others_runnable(c, vp))
				return;
			deadline = now + slice; /* alone on this CPU: a fresh slice */
		}
		hv_flush_process(vp);
		if (__atomic_load_n(&vp->sipi_pending, __ATOMIC_ACQUIRE))
			vlapic_before_entry(vp);
		if (vp->in_hlt && !vp_halt_ends(vp))
			return;
		vmx_prepare_interrupts(vp);
		vmwrite(VMCS_VMX_PREEMPTION_TIMER_VALUE, preemption_value(now, deadline, timer));
		/* Remote requesters set their request, then look at in_guest; we set in_guest, then look at
		 * requests (hv_flush_process again): one of the two always sees the other. */
		__atomic_store_n(&vp->in_guest, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&vp->blocked, __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&vp->in_guest, 0, __ATOMIC_RELEASE);
			return;
		}
		if (__atomic_load_n(&vp->sipi_pending, __ATOMIC_SEQ_CST)) {
			/* INIT and SIPI both came since vlapic_before_entry looked: reset before entering. */
			__atomic_store_n(&vp->in_guest, 0, __ATOMIC_RELEASE);
			continue;
		}
		hv_flush_process(vp);
		u64 t0 = rdtsc();
		int rc = vmx_run(&vp->regs, vp->launched);
		vp->count.guest_tsc += rdtsc() - t0;
		__atomic_store_n(&vp->in_guest, 0, __ATOMIC_RELEASE);
		if (rc) {
			entry_failed(vp, rc);
			return;
		}
		vp->launched = true;
		vp->count.entries++;
		/* The slice ended or the VP halted: decide at the top. A virtual-APIC timer that cut the slice
		 * short fires there instead. */
		if (vmx_handle_exit(vp) == EXIT_RESCHEDULE && !(timer && timer < deadline && rdtsc() < deadline))
			deadline = 0;
	}
}

/* A stay on the CPU. The paging state HvCallTranslateVirtualAddress walks (hv/translate.c) is saved
 * when the VP leaves the CPU, not at every exit: a VP can be walked only when it is parked, and a
 * parked VP always leaves through here. paging_seq is odd for the whole stay. */
static void run_vp(struct cpu *c, struct vp *vp)
{
	if (!switch_to(c, vp))
		return;
	u32 seq = vp->paging_seq;
	__atomic_store_n(&vp->paging_seq, seq + 1, __ATOMIC_SEQ_CST);
	run_vp_slice(c, vp);
	vmcs_save_paging_state(&vp->paging);
	vp->parked_rip = vmread(VMCS_GUEST_RIP);
	vp->parked_rsp = vmread(VMCS_GUEST_RSP);
	__atomic_store_n(&vp->paging_seq, seq + 2, __ATOMIC_RELEASE);
}

static struct vp *pick_next(struct cpu *c)
{
	for (u32 n = 0; n < c->vp_count; n++) {
		u32 i = (c->rr_next + n) % c->vp_count;
		struct vp *vp = c->vps[i];
		if (!__atomic_load_n(&vp->blocked, __ATOMIC_ACQUIRE)) {
			c->rr_next = (i + 1) % c->vp_count;
			return vp;
		}
	}
	return NULL;
}

NORETURN void sched_cpu_loop(struct cpu *c)
{
	if (c->failure)
		cpu_halt_forever();
	for (;;) {
		struct vp *vp = pick_next(c);
		if (vp) {
			run_vp(c, vp);
			if (c->index == 0)
				vuart_poll_input();
			continue;
		}
		/* Idle: a kick IPI (a VP of ours became runnable) ends the HLT, and so does this CPU's own LAPIC
		 * timer at the earliest virtual-APIC timer deadline of a halted VP here. The boot CPU also wakes
		 * for console input: the UART's receive interrupt, and a timer in case an edge was missed (or
		 * often, when there is no interrupt). */
		u64 now = rdtsc();
		bool woke = false;
		u64 wake_at = vlapic_cpu_timers(c, NULL, now, &woke);
		if (woke)
			continue;
		if (c->index == 0) {
			vuart_poll_input();
			u64 poll_us = console_rx_by_interrupt() ? CONSOLE_POLL_US : CONSOLE_POLL_NO_IRQ_US;
			u64 poll = now + poll_us * tsc_khz / 1000;
			wake_at = wake_at ? MIN(wake_at, poll) : poll;
		}
		if (wake_at)
			apic_oneshot_at(VECTOR_KICK, wake_at);
		u64 t0 = rdtsc();
		sti_hlt();
		cli();
		c->idle_tsc += rdtsc() - t0;
	}
}
