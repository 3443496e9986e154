/* Bounded waits (hv/wait.h). Pure logic apart from the clock and the pause, so host tests link it
 * (tests/unit/test_wait.c). */
#include "wait.h"
#include "log.h"
#include "timer.h"

bool wait_until(wait_cond_fn cond, const void *arg, u32 timeout_ms)
{
	u64 start = wait_clock();
	/* tsc_khz is 0 only before calibration; a wait then still ends, after ~1e9 ticks per second asked. */
	u64 limit = (u64)timeout_ms * (tsc_khz ? tsc_khz : 1000000);
	for (;;) {
		if (cond(arg))
			return true;
		if (wait_clock() - start >= limit)
			return cond(arg); /* a last look: the condition may have come true meanwhile */
		wait_relax();
	}
}

const char *wait_vp_state(const struct vp *t)
{
	u32 blocked = __atomic_load_n(&t->blocked, __ATOMIC_SEQ_CST);
	if (blocked & VP_BLOCK_ENDED)
		return "ended";
	if (blocked & VP_BLOCK_STOPPED)
		return "stopped";
	if (__atomic_load_n(&t->in_guest, __ATOMIC_SEQ_CST))
		return blocked ? "in guest mode, blocked but not yet out" : "in guest mode";
	if (blocked & VP_BLOCK_EXPLICIT_SUSPEND)
		return "explicitly suspended";
	if (blocked & VP_BLOCK_FLUSH_WAIT)
		return "suspended on a flush inhibit";
	if (blocked & VP_BLOCK_HALTED)
		return "halted";
	return "runnable, not in guest mode";
}

void wait_expired(const struct cpu *self, const char *what, const struct vp *t, u32 timeout_ms)
{
	if (!t) {
		pr_err("CPU %u: %s: gave up after %u ms", self->index, what, timeout_ms);
		return;
	}
	pr_err("CPU %u: %s: gave up after %u ms waiting for VP %u of %s (home CPU %u): %s (requests %#x, "
	       "req_gen %lu, done_gen %lu)",
	       self->index, what, timeout_ms, t->index, t->part->name, t->home ? t->home->index : 0u,
	       wait_vp_state(t), t->requests, (unsigned long)t->req_gen, (unsigned long)t->done_gen);
}
