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
	__atomic_fetch_or(&vp->pending_irq[vector / 64], BIT(vector % 64), __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vp->blocked, __ATOMIC_SEQ_CST) & VP_BLOCK_HALTED) {
		trace_event(TRACE_WAKE, vp, vector, 0);
		vp_unblock(vp, VP_BLOCK_HALTED);
	} else if (__atomic_load_n(&vp->in_guest, __ATOMIC_SEQ_CST))
		vp_kick(vp); /* deliver soon, not at the end of its slice */
}

void vp_halt(struct vp *vp, u64 rip)
{
	trace_event(TRACE_HALT, vp, 0, rip);
	vp_block(vp, VP_BLOCK_HALTED);
	/* An interrupt queued before the block bit was visible would otherwise be missed. */
	if (vp_irq_pending(vp))
		vp_unblock(vp, VP_BLOCK_HALTED);
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
	}
}

void vp_end(struct vp *vp, int status)
{
	vp->exit_status = status;
	pr_info("minihv: partition %s VP %u exited with status %d", vp->part->name, vp->index, status);
	vp_finish(vp, VP_BLOCK_ENDED);
}
