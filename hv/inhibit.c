/* TLB-flush inhibit: the flag, the suspension of flushers and their release (see hv/inhibit.h). */
#include "inhibit.h"
#include "trace.h"
#include "x86.h"

void inhibit_flush_begin(struct cpu *c)
{
	__atomic_add_fetch(&c->flush_epoch, 1, __ATOMIC_SEQ_CST);
}

void inhibit_flush_end(struct cpu *c)
{
	__atomic_add_fetch(&c->flush_epoch, 1, __ATOMIC_SEQ_CST);
}

static bool suspend_on(struct vp *caller, struct vp *t)
{
	bool suspended = false;
	spin_lock(&t->inhibit_lock);
	/* Re-read under the lock: a clear that ran since the lock-free read must not be missed. */
	if (__atomic_load_n(&t->tlb_flush_inhibit, __ATOMIC_SEQ_CST)) {
		caller->waiting_on = t;
		caller->wait_next = t->waiters;
		t->waiters = caller;
		caller->suspended_since = rdtsc();
		caller->count.suspensions++;
		vp_block(caller, VP_BLOCK_FLUSH_WAIT);
		suspended = true;
	}
	spin_unlock(&t->inhibit_lock);
	if (suspended)
		trace_event(TRACE_SUSPEND, caller, t->index, caller->regs.rcx);
	return suspended;
}

bool inhibit_check_targets(struct vp *caller, const struct hv_vp_bitmap *targets)
{
	struct partition *p = caller->part;
	for (u32 i = hv_vp_bitmap_next(targets, 0); i != HV_VP_NONE; i = hv_vp_bitmap_next(targets, i + 1)) {
		struct vp *t = p->vps[i];
		if (__atomic_load_n(&t->tlb_flush_inhibit, __ATOMIC_SEQ_CST) && suspend_on(caller, t))
			return true;
	}
	return false;
}

static void release_waiters(struct vp *t)
{
	spin_lock(&t->inhibit_lock);
	struct vp *w = t->waiters;
	t->waiters = NULL;
	spin_unlock(&t->inhibit_lock);
	u64 now = rdtsc();
	while (w) {
		struct vp *next = w->wait_next;
		w->wait_next = NULL;
		w->waiting_on = NULL;
		w->count.suspended_tsc += now - w->suspended_since;
		w->count.resumes++; /* w is blocked: nothing else writes its counters now */
		trace_event(TRACE_RESUME, w, t->index, 0);
		vp_unblock(w, VP_BLOCK_FLUSH_WAIT);
		w = next;
	}
}

void inhibit_set(struct vp *t, bool inhibit, struct cpu *self_cpu)
{
	spin_lock(&t->inhibit_lock);
	__atomic_store_n(&t->tlb_flush_inhibit, inhibit ? 1 : 0, __ATOMIC_SEQ_CST);
	spin_unlock(&t->inhibit_lock);
	trace_event(inhibit ? TRACE_INHIBIT_SET : TRACE_INHIBIT_CLEAR, t, t->index, 0);
	if (!inhibit) {
		release_waiters(t);
		return;
	}
	/* Wait out every flush that was already past its check when the flag became visible. */
	for (u32 i = 0; i < cpu_count; i++) {
		struct cpu *c = &cpus[i];
		if (c == self_cpu)
			continue;
		u64 e = __atomic_load_n(&c->flush_epoch, __ATOMIC_SEQ_CST);
		if (e & 1)
			while (__atomic_load_n(&c->flush_epoch, __ATOMIC_SEQ_CST) == e)
				cpu_relax();
	}
}
