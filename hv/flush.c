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

static void post(struct vp *t, u32 bits, const u64 *gva, u32 count)
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
	__atomic_fetch_add(&t->req_gen, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&t->count.flushes_received, 1, __ATOMIC_RELAXED); /* posters on several CPUs */
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

static void flush_gva_queue(struct vp *vp)
{
	u64 q[VP_GVA_QUEUE];
	u32 n = take_gva_queue(vp, q);
	if (hv_flush_list_prefers_full(q, n)) {
		invvpid_counted(vp, INVVPID_SINGLE_CONTEXT, 0);
		return;
	}
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

void hv_flush_process(struct vp *vp)
{
	u64 gen = __atomic_load_n(&vp->req_gen, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vp->requests, __ATOMIC_SEQ_CST)) {
		u32 r = __atomic_exchange_n(&vp->requests, 0, __ATOMIC_SEQ_CST);
		if (r & VP_REQ_INVEPT) {
			tlb_invept(INVEPT_SINGLE_CONTEXT, vp->part->eptp);
			vp->count.invept++;
		}
		if (r & VP_REQ_FLUSH_ALL) {
			invvpid_counted(vp, INVVPID_SINGLE_CONTEXT, 0);
		} else if (r & VP_REQ_FLUSH_NONGLOBAL) {
			bool keep_globals = vmx_caps.ept_vpid & VPID_CAP_INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS;
			invvpid_counted(vp, keep_globals ? INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS : INVVPID_SINGLE_CONTEXT, 0);
		}
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

/* What the caller waits for: every kicked target has taken its requests or left guest mode. */
struct flush_wait {
	struct partition *p;
	struct hv_vp_bitmap *wait; /* the kicked targets that have not acknowledged yet */
	const u64 *gens;
	struct vp *late; /* on return: the first target that had not acknowledged */
};

static bool acked(const struct vp *t, u64 gen)
{
	return __atomic_load_n(&t->done_gen, __ATOMIC_SEQ_CST) >= gen || !__atomic_load_n(&t->in_guest, __ATOMIC_SEQ_CST);
}

static bool all_acked(const void *arg)
{
	struct flush_wait *w = (struct flush_wait *)arg;
	bool all = true;
	for_each_vp_in(i, w->wait) {
		if (acked(w->p->vps[i], w->gens[i])) {
			hv_vp_bitmap_remove(w->wait, i); /* not looked at again */
		} else if (all) {
			w->late = w->p->vps[i];
			all = false;
		}
	}
	return all;
}

/* Posts bits to every VP in targets and waits until each one in guest mode has taken them (all kicks
 * first, then one wait for all acknowledgements). False when a target did not answer in time. */
static bool post_and_wait(struct partition *p, struct vp *self, const struct hv_vp_bitmap *targets, u32 bits,
			  const u64 *gva, u32 count)
{
	u64 gens[MINIHV_MAX_VPS];
	struct hv_vp_bitmap wait;
	bool kicked = false;
	hv_vp_bitmap_clear(&wait);
	for_each_vp_in(i, targets) {
		struct vp *t = p->vps[i];
		post(t, bits, gva, count);
		gens[i] = __atomic_load_n(&t->req_gen, __ATOMIC_SEQ_CST);
	}
	for_each_vp_in(i, targets) {
		struct vp *t = p->vps[i];
		if (t == self || !__atomic_load_n(&t->in_guest, __ATOMIC_SEQ_CST))
			continue; /* it processes its requests before it next enters */
		vp_kick(t);
		hv_vp_bitmap_set(&wait, i);
		kicked = true;
	}
	struct flush_wait w = { p, &wait, gens, NULL };
	/* Nobody kicked (the caller alone, or no target in guest mode): nothing to wait for. */
	bool ok = !kicked || wait_until(all_acked, &w, WAIT_FLUSH_ACK_MS);
	if (!ok) {
		/* The flush cannot be known complete, and returning to the caller would claim it: stop the
		 * caller's partition (one line each); other partitions keep running. */
		wait_expired(self->home, "flush acknowledgement", w.late, WAIT_FLUSH_ACK_MS);
		partition_stop(self->part, self, "a flush was not acknowledged by VP %u", w.late->index);
	}
	/* The caller's own flush happens here, on its CPU, before it returns to the guest. */
	if (self->part == p && hv_vp_bitmap_test(targets, self->index))
		hv_flush_process(self);
	return ok;
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
	inhibit_flush_begin(c);
	/* All or nothing: while any target is inhibited, nothing is posted to any target. */
	if (inhibit_check_targets(caller, &req->targets)) {
		inhibit_flush_end(c);
		return FLUSH_SUSPENDED;
	}
	u32 bits = flush_bits(req, gva);
	bool ok = post_and_wait(caller->part, caller, &req->targets, bits, gva,
				bits & VP_REQ_FLUSH_GVA ? req->gva_count : 0);
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
}
