/* TLB-flush inhibit: the flag, the suspension of flushers and their release (see inhibit.h).
 * hv/inhibit.pml models this protocol for spin (`make model`, docs/inhibit-model.md): a change to the
 * order of the steps here (or in hv_flush_execute) must change the model with it. */
#include "inhibit.h"
#include "trace.h"
#include "wait.h"
#include "x86.h"

bool inhibit_suspend_on(struct vp *caller, struct vp *t)
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
	/* Word by word, one step per member: a 64-VP set is checked in 64 steps, not 128 slots. */
	for (u32 w = 0; w < HV_VP_BITMAP_WORDS; w++)
		for (u64 m = targets->bits[w]; m; m &= m - 1)
			if (inhibit_check_target(caller, p->vps[w * 64 + (u32)__builtin_ctzll(m)]))
				return true;
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

struct epoch_wait {
	const struct cpu *c;
	u64 epoch;
};

static bool epoch_moved(const void *arg)
{
	const struct epoch_wait *w = arg;
	return __atomic_load_n(&w->c->flush_epoch, __ATOMIC_SEQ_CST) != w->epoch;
}

bool inhibit_set(struct vp *t, bool inhibit, struct cpu *self_cpu)
{
	spin_lock(&t->inhibit_lock);
	__atomic_store_n(&t->tlb_flush_inhibit, inhibit ? 1 : 0, __ATOMIC_SEQ_CST);
	spin_unlock(&t->inhibit_lock);
	trace_event(inhibit ? TRACE_INHIBIT_SET : TRACE_INHIBIT_CLEAR, t, t->index, 0);
	if (!inhibit) {
		release_waiters(t);
		return true;
	}
	/* Wait out every flush that was already past its check when the flag became visible. */
	bool ok = true;
	for (u32 i = 0; i < cpu_count; i++) {
		struct cpu *c = &cpus[i];
		if (c == self_cpu)
			continue;
		struct epoch_wait w = { c, __atomic_load_n(&c->flush_epoch, __ATOMIC_SEQ_CST) };
		if ((w.epoch & 1) && !wait_until(epoch_moved, &w, WAIT_FLUSH_EPOCH_MS)) {
			/* The flusher there is stuck past its own bounded wait: report it, go on with the others. */
			wait_expired(self_cpu, "inhibit set: end of a flush in progress", c->loaded, WAIT_FLUSH_EPOCH_MS);
			ok = false;
		}
	}
	return ok;
}
