/*
 * TLB-flush inhibit (KVM_HYPERV_SET_TLB_FLUSH_INHIBIT, TLFS HvRegisterInterceptSuspend.TlbFlushInhibit).
 *
 * Guarantees (hv/inhibit.c):
 *  - A flush whose target set holds an inhibited VP suspends its caller on the VMCALL boundary before
 *    anything is posted to any target (all or nothing).
 *  - inhibit_set(t, 1) returns only after every flush that may have read t's old flag has finished:
 *    flushes run inside a per-CPU epoch (odd while running) and the setter waits out the odd ones.
 *  - inhibit_set(t, 0) wakes every VP suspended on t. Waiters register and clears happen under t's
 *    inhibit_lock, and a flusher re-reads the flag under that lock, so no wake-up is lost.
 */
#ifndef MINIHV_INHIBIT_H
#define MINIHV_INHIBIT_H

#include "hv_hypercall.h"
#include "partition.h"

/* The epoch bracket around a flush on CPU c (odd while the flush runs). Inline: every flush runs it. */
static inline void inhibit_flush_begin(struct cpu *c)
{
	__atomic_add_fetch(&c->flush_epoch, 1, __ATOMIC_SEQ_CST);
}

static inline void inhibit_flush_end(struct cpu *c)
{
	__atomic_add_fetch(&c->flush_epoch, 1, __ATOMIC_SEQ_CST);
}

/* Suspends caller on t when t's flag is (still) set under t's lock; true when it did. */
bool inhibit_suspend_on(struct vp *caller, struct vp *t);

/* True when caller has been suspended on t, an inhibited target (the caller itself may be t). */
static inline bool inhibit_check_target(struct vp *caller, struct vp *t)
{
	return __atomic_load_n(&t->tlb_flush_inhibit, __ATOMIC_SEQ_CST) && inhibit_suspend_on(caller, t);
}

/* True when caller has been suspended on an inhibited member of targets (the caller's own flag counts). */
bool inhibit_check_targets(struct vp *caller, const struct hv_vp_bitmap *targets);
/* Sets or clears t's flag with the guarantees above. self_cpu: the caller's CPU (not waited for).
 * False when a flush in progress on another CPU did not end within WAIT_FLUSH_EPOCH_MS (hv/wait.h): the
 * flag is set, but that flush may still complete on t (logged). */
bool inhibit_set(struct vp *t, bool inhibit, struct cpu *self_cpu);

#endif
