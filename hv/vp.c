/* A VP's run state: the block reasons that keep it off its CPU (enum vp_block), set and cleared here
 * from any CPU, the kick that makes its home CPU notice, and its end. The scheduler (vmx/sched.c) only
 * reads vp->blocked. */
#include "apic.h"
#include "hv.h"
#include "log.h"
#include "trace.h"

void vp_kick(struct vp *vp)
{
	if (vp->home != this_cpu())
		apic_send_ipi(vp->home->apic_id, APIC_ICR_FIXED | VECTOR_KICK);
}

void vp_block(struct vp *vp, u32 reason)
{
	__atomic_fetch_or(&vp->blocked, reason, __ATOMIC_SEQ_CST);
	/* A VP blocked from elsewhere must leave guest mode on its own CPU. */
	if (__atomic_load_n(&vp->in_guest, __ATOMIC_SEQ_CST))
		vp_kick(vp);
}

void vp_unblock(struct vp *vp, u32 reason)
{
	u32 old = __atomic_fetch_and(&vp->blocked, ~reason, __ATOMIC_SEQ_CST);
	if ((old & reason) && !(old & ~reason))
		vp_kick(vp); /* its CPU may be halted with nothing else to do */
}

void vp_queue_interrupt(struct vp *vp, u8 vector)
{
	/* A fixed interrupt into the VP's virtual APIC (its IRR); it wakes or kicks the VP. */
	vlapic_deliver(vp, APIC_DM_FIXED, vector);
}

void vp_halt(struct vp *vp, u64 rip)
{
	trace_event(TRACE_HALT, vp, 0, rip);
	vp->in_hlt = true;
	vp_block(vp, VP_BLOCK_HALTED);
	/* An interrupt queued before the block bit was visible would otherwise be missed. */
	if (vlapic_has_event(vp))
		vp_unblock(vp, VP_BLOCK_HALTED);
}

/* A VP that left by HLT runs again only for an event it takes (an ExtINT request may have gone away
 * since it was woken). False: it halted again. */
bool vp_halt_ends(struct vp *vp)
{
	if (!vp->in_hlt)
		return true;
	if (!vlapic_has_event(vp)) {
		vp_block(vp, VP_BLOCK_HALTED);
		if (!vlapic_has_event(vp))
			return false;
		vp_unblock(vp, VP_BLOCK_HALTED);
	}
	vp->in_hlt = false;
	return true;
}

/* VPs still waiting for a SIPI when every other VP has finished can never start: they end as well, so
 * that the partition finishes (a Linux that brought up fewer CPUs than it has, a test that never
 * starts one). */
static void end_unstarted(struct partition *p)
{
	u32 waiting = 0;
	for (u32 i = 0; i < p->vp_count; i++) {
		u32 b = __atomic_load_n(&p->vps[i]->blocked, __ATOMIC_SEQ_CST);
		if ((b & VP_BLOCK_WAIT_SIPI) && !(b & VP_BLOCK_FINAL))
			waiting++;
	}
	if (!waiting || __atomic_load_n(&p->vps_finished, __ATOMIC_SEQ_CST) + waiting != p->vp_count)
		return;
	for (u32 i = 0; i < p->vp_count; i++)
		if (__atomic_load_n(&p->vps[i]->blocked, __ATOMIC_SEQ_CST) & VP_BLOCK_WAIT_SIPI) {
			pr_info("minihv: partition %s VP %u was never started (no SIPI); it counts as ended", p->name, i);
			vp_finish(p->vps[i], VP_BLOCK_ENDED);
		}
}

void vp_finish(struct vp *vp, u32 reason)
{
	u32 old = __atomic_fetch_or(&vp->blocked, reason, __ATOMIC_SEQ_CST);
	if (old & VP_BLOCK_FINAL)
		return;
	if (__atomic_load_n(&vp->in_guest, __ATOMIC_SEQ_CST))
		vp_kick(vp);
	trace_event(TRACE_END, vp, reason, (u64)(s64)vp->exit_status);
	struct partition *p = vp->part;
	if (__atomic_add_fetch(&p->vps_finished, 1, __ATOMIC_SEQ_CST) == p->vp_count) {
		p->finished = true;
		partition_finished(p);
	} else {
		end_unstarted(p);
	}
}

void vp_end(struct vp *vp, int status)
{
	vp->exit_status = status;
	pr_info("minihv: partition %s VP %u exited with status %d", vp->part->name, vp->index, status);
	vp_finish(vp, VP_BLOCK_ENDED);
}
