/* The virtual local APIC wired to VPs: MSR exits, interrupt messages between VPs (fixed, NMI, INIT,
 * SIPI), the timer's deadlines, and the ExtINT hook for the 8259 pair. The register rules are in
 * vlapic_regs.c; injection into the guest is vmx/inject.c. docs/vlapic.md says how it fits together. */
#include "cpu.h"
#include "hv.h"
#include "lib.h"
#include "log.h"
#include "partition.h"
#include "timer.h"
#include "trace.h"
#include "vlapic.h"
#include "vmcs.h"
#include "x86.h"

#define VLAPIC_MIN_PERIOD_US 50 /* Linux's periodic tick is 1-10 ms; it uses one-shot mode anyway */

void vlapic_vp_init(struct vp *vp)
{
	const struct partition_config *pc = vp->part->cfg;
	vlapic_reset(&vp->lapic, vp->index, vp->index == 0, !pc->x2apic);
	vp->lapic.min_period = VLAPIC_MIN_PERIOD_US * tsc_khz / 1000;
	/* SDM 8.4.1: after reset the APs wait for INIT and SIPI; here SIPI alone suffices, as after a BIOS. */
	if (pc->ap_start_sipi && vp->index) {
		vp->wait_sipi = 1;
		vp->blocked |= VP_BLOCK_WAIT_SIPI;
	}
}

bool vlapic_has_event(struct vp *vp)
{
	/* A posted SIPI counts too: INIT and SIPI end HLT, and a VP that halted just as they came must run. */
	return __atomic_load_n(&vp->lapic.nmi_pending, __ATOMIC_ACQUIRE) || vlapic_pending(&vp->lapic) >= 0 ||
	       vlapic_extint_pending(vp) || __atomic_load_n(&vp->sipi_pending, __ATOMIC_ACQUIRE);
}

/* Something arrived for vp: a halted VP wakes if it would take it; one in guest mode leaves it soon. */
static void notify(struct vp *vp, u8 vector)
{
	if (__atomic_load_n(&vp->blocked, __ATOMIC_SEQ_CST) & VP_BLOCK_HALTED) {
		if (vlapic_has_event(vp)) {
			trace_event(TRACE_WAKE, vp, vector, 0);
			vp_unblock(vp, VP_BLOCK_HALTED);
		}
	} else if (__atomic_load_n(&vp->in_guest, __ATOMIC_SEQ_CST)) {
		vp_kick(vp); /* deliver soon, not at the end of its slice */
	}
}

void vlapic_deliver(struct vp *vp, u8 mode, u8 vector)
{
	switch (mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		if (!vlapic_accept(&vp->lapic, vector))
			return;
		break;
	case APIC_DM_NMI:
		__atomic_store_n(&vp->lapic.nmi_pending, 1, __ATOMIC_SEQ_CST);
		break;
	case APIC_DM_INIT:
		/* SDM 8.4.3: INIT puts the processor in wait-for-SIPI; its state is reset when the SIPI comes,
		 * on its home CPU (vlapic_before_entry), since only that CPU may touch its VMCS. */
		__atomic_store_n(&vp->wait_sipi, 1, __ATOMIC_SEQ_CST);
		vp_block(vp, VP_BLOCK_WAIT_SIPI);
		return;
	case APIC_DM_STARTUP:
		/* Only the first SIPI after INIT counts; Linux sends two. */
		if (!__atomic_exchange_n(&vp->wait_sipi, 0, __ATOMIC_SEQ_CST))
			return;
		if (!vp->count.sipi_tsc)
			vp->count.sipi_tsc = rdtsc(); /* boot profile: the wake latency starts here */
		__atomic_store_n(&vp->sipi_pending, 0x100u | vector, __ATOMIC_SEQ_CST);
		vp_unblock(vp, VP_BLOCK_WAIT_SIPI | VP_BLOCK_HALTED); /* INIT ended any HLT */
		return;
	default:
		return; /* SMI: no SMM; ExtINT and reserved modes are not sent by an ICR */
	}
	notify(vp, vector);
}

void vlapic_send_ipi(struct vp *from, const struct vlapic_icr *ipi)
{
	struct partition *p = from->part;
	if (ipi->mode == APIC_DM_INIT && !ipi->assert)
		return; /* INIT level de-assert: no effect on x2APIC processors */
	u32 first = 0, last = p->vp_count;
	if (!ipi->shorthand && !ipi->logical && ipi->dest != APIC_DEST_BROADCAST) {
		if (ipi->dest >= p->vp_count)
			return; /* nobody has that id: the message is lost, as on hardware */
		first = ipi->dest, last = ipi->dest + 1; /* x2APIC id = VP index */
	}
	for (u32 i = first; i < last; i++) {
		struct vp *t = p->vps[i];
		if (!vlapic_icr_targets(ipi, from->lapic.id, t->lapic.id, vlapic_ldr(&t->lapic)))
			continue;
		if (t == from && (ipi->mode == APIC_DM_INIT || ipi->mode == APIC_DM_STARTUP))
			continue; /* a VP does not reset itself through "all including self" */
		vlapic_deliver(t, ipi->mode, ipi->vector);
		if (ipi->mode == APIC_DM_LOWEST)
			break; /* lowest priority: one of them; the choice is the implementation's */
	}
}


bool vlapic_msr_read(struct vp *vp, u32 msr, u64 *value, bool *fault)
{
	struct vlapic *l = &vp->lapic;
	if (l->auto_eoi)
		return false; /* no guest-visible APIC: the caller answers #GP */
	if (msr == MSR_IA32_APIC_BASE) {
		*value = l->apic_base;
		return true;
	}
	if (msr < X2APIC_MSR_BASE || msr > X2APIC_MSR_LAST)
		return false;
	if (!vlapic_rdmsr(l, msr, rdtsc(), value))
		*fault = true;
	return true;
}

bool vlapic_msr_write(struct vp *vp, u32 msr, u64 value, bool *fault)
{
	struct vlapic *l = &vp->lapic;
	if (l->auto_eoi)
		return false;
	if (msr == MSR_IA32_APIC_BASE) {
		if (!vlapic_write_apic_base(l, value))
			*fault = true;
		return true;
	}
	if (msr < X2APIC_MSR_BASE || msr > X2APIC_MSR_LAST)
		return false;
	struct vlapic_effect fx;
	if (!vlapic_wrmsr(l, msr, value, rdtsc(), &fx)) {
		*fault = true;
		return true;
	}
	if (fx.send_ipi)
		vlapic_send_ipi(vp, &fx.ipi);
	/* EOI, TPR and timer changes need nothing here: injection and the preemption timer are worked out
	 * again before every entry. */
	return true;
}

void vlapic_before_entry(struct vp *vp)
{
	if (!__atomic_load_n(&vp->sipi_pending, __ATOMIC_ACQUIRE))
		return; /* every entry passes here: no locked instruction on the common path */
	u32 sipi = __atomic_exchange_n(&vp->sipi_pending, 0, __ATOMIC_SEQ_CST);
	vlapic_init_signal(&vp->lapic);
	vp->in_hlt = false;
	if (!vmcs_init_state(vp, (u8)sipi))
		partition_stop(vp->part, vp, "could not reset its VMCS for the start-up IPI");
	trace_event(TRACE_WAKE, vp, (u8)sipi, 0);
	pr_debug("%s VP %u: SIPI vector %#x: starts in real mode at %04x:0000", vp->part->name, vp->index, sipi & 0xff,
		 (sipi & 0xff) << 8);
}

u64 vlapic_cpu_timers(struct cpu *c, struct vp *running, u64 now, bool *woke)
{
	u64 next = 0;
	for (u32 i = 0; i < c->vp_count; i++) {
		struct vp *vp = c->vps[i];
		struct vlapic *l = &vp->lapic;
		if (!l->timer_deadline)
			continue;
		if (vlapic_timer_poll(l, now) && vp != running) {
			notify(vp, (u8)l->lvt[LVT_TIMER]);
			if (!__atomic_load_n(&vp->blocked, __ATOMIC_ACQUIRE))
				*woke = true;
		}
		u64 d = vlapic_timer_next(l);
		if (d && (!next || d < next))
			next = d;
	}
	return next;
}

void vlapic_set_extint_source(struct partition *p, const struct vlapic_extint_ops *ops, void *ctx)
{
	p->extint_ctx = ctx;
	__atomic_store_n(&p->extint, ops, __ATOMIC_RELEASE);
}

bool vlapic_extint_pending(struct vp *vp)
{
	const struct vlapic_extint_ops *ops = __atomic_load_n(&vp->part->extint, __ATOMIC_ACQUIRE);
	return ops && vlapic_lint0_extint(&vp->lapic) && ops->pending(vp->part->extint_ctx);
}

u8 vlapic_extint_ack(struct vp *vp)
{
	return vp->part->extint->ack(vp->part->extint_ctx);
}

void vlapic_extint_changed(struct partition *p)
{
	for (u32 i = 0; i < p->vp_count; i++)
		if (vlapic_lint0_extint(&p->vps[i]->lapic))
			notify(p->vps[i], 0);
}
