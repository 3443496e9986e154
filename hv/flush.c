/*
 * Remote TLB flushes. A flush is a request bit (and, for lists, queued GVAs) posted to each target VP;
 * the target's home CPU carries it out with INVVPID/INVEPT right before the target's next VM entry,
 * because those instructions act on the executing CPU's TLB only and a VP's translations live on its
 * home CPU. Targets in guest mode are sent a kick IPI, and the caller waits until each has taken its
 * requests or left guest mode, so that "by the time control returns back to the caller, the
 * observable effects of all flushes on the specified virtual processors have occurred" (TLFS).
 *
 * Ordering (all seq_cst): the caller writes requests, bumps req_gen, then reads in_guest; the target
 * writes in_guest = 1, then reads req_gen and requests. One of the two always sees the other.
 *
 * The instructions go through hv/tlb_ops.h, so the host TLB model (docs/tlb-model.md) runs this file
 * unchanged against a modelled VPID-tagged TLB.
 */
#include "flush.h"
#include "inhibit.h"
#include "lib.h"
#include "tlb_ops.h"
#include "vmx.h"
#include "wait.h"

/* Posts bits (and the GVAs) to t; returns t's request generation that covers them. */
static u64 post(struct vp *t, u32 bits, const u64 *gva, u32 count)
{
	if (bits & VP_REQ_FLUSH_GVA) {
		spin_lock(&t->gva_lock);
		if (t->gva_count + count > VP_GVA_QUEUE) {
			/* Queue full: one whole-context flush covers every queued range. */
			bits = (bits & ~VP_REQ_FLUSH_GVA) | VP_REQ_FLUSH_ALL;
		} else {
			memcpy(&t->gva_queue[t->gva_count], gva, count * sizeof(u64));
			t->gva_count += count;
		}
		spin_unlock(&t->gva_lock);
	}
	__atomic_fetch_or(&t->requests, bits, __ATOMIC_SEQ_CST);
	u64 gen = __atomic_add_fetch(&t->req_gen, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&t->count.flushes_received, 1, __ATOMIC_RELAXED); /* posters on several CPUs */
	return gen;
}

/* Takes the queued GVA entries (into q, when given) and empties the queue. Under gva_lock like post()'s
 * append: an entry appended after the request bits were taken stays queued, and its poster's
 * VP_REQ_FLUSH_GVA bit (set after the append) brings it to the next processing. */
static u32 take_gva_queue(struct vp *vp, u64 *q)
{
	spin_lock(&vp->gva_lock);
	u32 n = vp->gva_count;
	if (q)
		memcpy(q, vp->gva_queue, n * sizeof(u64));
	vp->gva_count = 0;
	spin_unlock(&vp->gva_lock);
	return n;
}

static void invvpid_counted(struct vp *vp, u64 type, u64 gva)
{
	tlb_invvpid(type, vp->vpid, gva);
	vp->count.invvpid++;
}

/* One INVVPID individual-address per page of the n entries (which the caller has found to be few). */
static void invvpid_gva_list(struct vp *vp, const u64 *q, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		struct hv_gva_range r = hv_gva_range_decode(q[i]);
		for (u32 p = 0; p < r.pages; p++) {
			u64 gva = r.gva + (u64)p * PAGE_SIZE;
			/* INVVPID fails on a non-canonical address; TLFS: GVAs outside the space are ignored. */
			if ((u64)((s64)(gva << 16) >> 16) != gva)
				continue;
			invvpid_counted(vp, INVVPID_INDIVIDUAL_ADDRESS, gva);
		}
	}
}

/* The whole-context flushes of request bits r (VP_REQ_FLUSH_ALL wins over NONGLOBAL). */
static void invvpid_context(struct vp *vp, u32 r)
{
	if (r & VP_REQ_FLUSH_ALL) {
		invvpid_counted(vp, INVVPID_SINGLE_CONTEXT, 0);
	} else if (r & VP_REQ_FLUSH_NONGLOBAL) {
		bool keep_globals = vmx_caps.ept_vpid & VPID_CAP_INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS;
		invvpid_counted(vp, keep_globals ? INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS : INVVPID_SINGLE_CONTEXT, 0);
	}
}

static void flush_gva_queue(struct vp *vp)
{
	u64 q[VP_GVA_QUEUE];
	u32 n = take_gva_queue(vp, q);
	/* Several posters' entries together may cover more pages than one list did. */
	if (hv_flush_list_prefers_full(q, n))
		invvpid_counted(vp, INVVPID_SINGLE_CONTEXT, 0);
	else
		invvpid_gva_list(vp, q, n);
}

void hv_flush_process(struct vp *vp)
{
	u64 gen = __atomic_load_n(&vp->req_gen, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vp->requests, __ATOMIC_SEQ_CST)) {
		u32 r = __atomic_exchange_n(&vp->requests, 0, __ATOMIC_SEQ_CST);
		if (r & VP_REQ_INVEPT) {
			tlb_invept(INVEPT_SINGLE_CONTEXT, vp->part->eptp);
			vp->count.invept++;
		}
		invvpid_context(vp, r);
		if ((r & VP_REQ_FLUSH_GVA) && !(r & VP_REQ_FLUSH_ALL))
			flush_gva_queue(vp);
		else if (r & VP_REQ_FLUSH_GVA)
			take_gva_queue(vp, NULL); /* covered by the full flush */
		if (r & (VP_REQ_FLUSH_ALL | VP_REQ_FLUSH_NONGLOBAL | VP_REQ_FLUSH_GVA))
			vp->count.flushes_completed++;
	}
	if (vp->done_gen != gen)
		__atomic_store_n(&vp->done_gen, gen, __ATOMIC_SEQ_CST);
}

/* The caller's own flush, in place on its CPU (the VP's home) before it returns to the guest: nothing
 * is posted or queued, since nobody else needs to see it. Counted as a posted request carried out. */
static void flush_self(struct vp *vp, u32 bits, const u64 *gva, u32 count)
{
	__atomic_fetch_add(&vp->count.flushes_received, 1, __ATOMIC_RELAXED); /* as post(): others post too */
	invvpid_context(vp, bits);
	if (bits & VP_REQ_FLUSH_GVA)
		invvpid_gva_list(vp, gva, count); /* flush_bits() chose per-page: few pages */
	vp->count.flushes_completed++;
}

/* A kicked target and the generation it must acknowledge. At most one VP per CPU is in guest mode, so
 * a flush kicks at most MAX_CPUS of them at a time. */
struct flush_ack {
	struct vp *t;
	u64 gen;
};

/* What the caller waits for: every kicked target has taken its requests or left guest mode. */
struct flush_wait {
	struct flush_ack *acks; /* the kicked targets that have not acknowledged yet */
	u32 n;
	struct vp *late; /* on return: the first target that had not acknowledged */
};

static bool acked(const struct vp *t, u64 gen)
{
	return __atomic_load_n(&t->done_gen, __ATOMIC_SEQ_CST) >= gen || !__atomic_load_n(&t->in_guest, __ATOMIC_SEQ_CST);
}

static bool all_acked(const void *arg)
{
	struct flush_wait *w = (struct flush_wait *)arg;
	u32 left = 0;
	for (u32 i = 0; i < w->n; i++)
		if (!acked(w->acks[i].t, w->acks[i].gen))
			w->acks[left++] = w->acks[i]; /* the acknowledged ones are not looked at again */
	w->n = left;
	w->late = left ? w->acks[0].t : NULL;
	return left == 0;
}

/* Waits for the kicked targets in w; false (after one line, and with the caller's partition stopped)
 * when one did not answer in time. */
static bool wait_acks(struct vp *self, struct flush_wait *w)
{
	if (!w->n || wait_until(all_acked, w, WAIT_FLUSH_ACK_MS))
		return true;
	/* The flush cannot be known complete, and returning to the caller would claim it: stop the caller's
	 * partition (one line each); other partitions keep running. */
	wait_expired(self->home, "flush acknowledgement", w->late, WAIT_FLUSH_ACK_MS);
	partition_stop(self->part, self, "a flush was not acknowledged by VP %u", w->late->index);
	return false;
}

/* Posts bits to every VP in targets but self and waits until each one in guest mode has taken them (all
 * kicks first, then one wait for all acknowledgements). False when a target did not answer in time. */
static bool post_and_wait(struct partition *p, struct vp *self, const struct hv_vp_bitmap *targets, u32 bits,
			  const u64 *gva, u32 count)
{
	struct flush_ack acks[MAX_CPUS];
	struct flush_wait w = { acks, 0, NULL };
	bool ok = true;
	/* Word by word, one step per member (as inhibit_check_targets). */
	for (u32 word = 0; word < HV_VP_BITMAP_WORDS; word++) {
		for (u64 m = targets->bits[word]; m; m &= m - 1) {
			struct vp *t = p->vps[word * 64 + (u32)__builtin_ctzll(m)];
			if (t == self)
				continue; /* flushed in place by the caller */
			u64 gen = post(t, bits, gva, count);
			if (!__atomic_load_n(&t->in_guest, __ATOMIC_SEQ_CST))
				continue; /* it processes its requests before it next enters */
			vp_kick(t);
			if (w.n == ARRAY_SIZE(acks)) {
				/* Not expected (one VP per CPU is in guest mode): wait for these before going on. */
				ok = wait_acks(self, &w) && ok;
				w.n = 0;
			}
			acks[w.n++] = (struct flush_ack){ t, gen };
		}
	}
	/* Nobody kicked (no target in guest mode): nothing to wait for. */
	return wait_acks(self, &w) && ok;
}

/* The request bits for a validated flush call. */
static u32 flush_bits(const struct hv_flush_request *req, const u64 *gva)
{
	if (hv_flush_code_is_list(req->code))
		return req->gva_count <= VP_GVA_QUEUE && !hv_flush_list_prefers_full(gva, req->gva_count) ?
			       VP_REQ_FLUSH_GVA : VP_REQ_FLUSH_ALL;
	return req->flags & HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY ? VP_REQ_FLUSH_NONGLOBAL : VP_REQ_FLUSH_ALL;
}

enum flush_outcome hv_flush_execute(struct vp *caller, const struct hv_flush_request *req, const u64 *gva)
{
	/* The caller runs on its home CPU: a VP never migrates. */
	struct cpu *c = caller->home;
	/* The local flush (the caller alone) takes the fast path: one flag to check, nothing to post. */
	bool only_self = hv_vp_bitmap_is_only(&req->targets, caller->index);
	inhibit_flush_begin(c);
	/* All or nothing: while any target is inhibited, nothing is posted to any target. */
	if (only_self ? inhibit_check_target(caller, caller) : inhibit_check_targets(caller, &req->targets)) {
		inhibit_flush_end(c);
		return FLUSH_SUSPENDED;
	}
	u32 bits = flush_bits(req, gva);
	u32 count = bits & VP_REQ_FLUSH_GVA ? req->gva_count : 0;
	bool ok = true;
	if (!only_self)
		ok = post_and_wait(caller->part, caller, &req->targets, bits, gva, count);
	/* The caller's own flush happens here, on its CPU, after every other target's. */
	if (only_self || hv_vp_bitmap_test(&req->targets, caller->index))
		flush_self(caller, bits, gva, count);
	inhibit_flush_end(c);
	if (!ok)
		return FLUSH_STOPPED;
	caller->count.flushes_requested++;
	return FLUSH_DONE;
}

void hv_flush_ept(struct partition *p, struct vp *self)
{
	struct hv_vp_bitmap all;
	hv_vp_bitmap_fill(&all, p->vp_count);
	post_and_wait(p, self, &all, VP_REQ_INVEPT, NULL, 0);
	if (self->part == p) {
		/* The caller's INVEPT, on its own CPU before it returns to the guest. */
		post(self, VP_REQ_INVEPT, NULL, 0);
		hv_flush_process(self);
	}
}
