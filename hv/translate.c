/* HvCallTranslateVirtualAddress(Ex) for the management partition (docs/api.md, "Translating a guest
 * virtual address"): the target VP's paging state as of its last VM exit, the walk (hv/gva_walk.c), and
 * the TLB-flush inhibit set around the walk so that no flush of the VP completes between the two. */
#include "gva_walk.h"
#include "hv.h"
#include "hv_hypercall.h"
#include "inhibit.h"
#include "lib.h"
#include "log.h"
#include "timer.h"
#include "x86.h"

/* A VP that just parked may still be on its home CPU (handling its last exit); this long at most. */
#define STATE_WAIT_MS 100

/* Reasons that keep a VP out of guest mode until someone else acts: it can be walked consistently. */
#define VP_BLOCK_PARKED (VP_BLOCK_HALTED | VP_BLOCK_EXPLICIT_SUSPEND | VP_BLOCK_FLUSH_WAIT)

/* Copies t's paging state (and RIP/RSP when rip_rsp is not NULL) as of its last exit; false when t is
 * not parked (running, runnable, ended, stopped, never run) or did not leave its exit handler in time. */
bool vp_parked_state(struct vp *t, struct gva_paging_state *out, u64 *rip_rsp)
{
	u32 b = __atomic_load_n(&t->blocked, __ATOMIC_SEQ_CST);
	if (!(b & VP_BLOCK_PARKED) || (b & VP_BLOCK_FINAL))
		return false;
	u64 deadline = rdtsc() + STATE_WAIT_MS * tsc_khz;
	for (;;) {
		/* Seqlock read: the state is stable while the count is even, non-zero and unchanged. */
		u32 s1 = __atomic_load_n(&t->paging_seq, __ATOMIC_ACQUIRE);
		if (!s1)
			return false;
		if (!(s1 & 1) && !__atomic_load_n(&t->in_guest, __ATOMIC_SEQ_CST)) {
			*out = t->paging;
			if (rip_rsp) {
				rip_rsp[0] = t->parked_rip;
				rip_rsp[1] = t->parked_rsp;
			}
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (__atomic_load_n(&t->paging_seq, __ATOMIC_SEQ_CST) == s1)
				return true;
		}
		if (rdtsc() > deadline) {
			pr_warn("translate: %s VP %u is blocked (%#x) but did not leave its CPU within %u ms",
				t->part->name, t->index, b, STATE_WAIT_MS);
			return false;
		}
		cpu_relax();
	}
}

static void guest_memory(struct partition *p, struct gva_space *m)
{
	/* What the guest's CPUID reports (vmx/cpuid.c passes both through); read once. */
	static u8 maxphyaddr;
	static bool gbpages;
	if (!maxphyaddr) {
		gbpages = cpuid(0x80000001, 0).edx & BIT(26);
		maxphyaddr = (u8)cpuid(0x80000008, 0).eax;
	}
	m->map = guest_ram_map;
	m->ctx = p;
	m->ram_size = p->ram_size;
	m->overlay_gpa = __atomic_load_n(&p->hypercall_gpa, __ATOMIC_ACQUIRE);
	m->maxphyaddr = maxphyaddr;
	m->gbpages = gbpages;
}

u16 hv_translate_virtual_address(struct vp *vp, const struct hv_hypercall_input *in, const u64 *q, u64 output_gpa)
{
	const struct hv_input_translate_virtual_address *a = (const void *)q;
	struct vp *t;
	u16 st = mgmt_target_vp(a->partition_id, a->vp_index, &t);
	if (st)
		return st;
	st = gva_check_control(a->control_flags, a->reserved);
	if (st)
		return st;
	bool ex = in->code == HVCALL_TRANSLATE_VIRTUAL_ADDRESS_EX;
	u32 out_size = ex ? sizeof(struct hv_output_translate_virtual_address_ex)
			  : sizeof(struct hv_output_translate_virtual_address);
	u64 *out = gpa_to_hva(vp->part, output_gpa, out_size); /* in RAM, aligned: hv_hypercall_check_gpas */
	if (!out)
		return HV_STATUS_INVALID_ALIGNMENT;
	struct gva_paging_state ps;
	if (!vp_parked_state(t, &ps, NULL))
		return HV_STATUS_INVALID_VP_STATE;

	u64 flags = a->control_flags & HV_TRANSLATE_GVA_CONTROL_MASK;
	bool inhibit = flags & HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT;
	bool was_inhibited = __atomic_load_n(&t->tlb_flush_inhibit, __ATOMIC_SEQ_CST);
	/* Flag first, walk second: a flush that read the flag clear has finished when inhibit_set returns, so
	 * its PTE change is in memory before the walk reads it; any later flush waits for the clear. */
	if (inhibit)
		inhibit_set(t, true, this_cpu());
	struct gva_space m;
	struct gva_result r;
	u64 gva;
	guest_memory(t->part, &m);
	if (gva_from_page(a->gva_page, &gva))
		gva_translate(&ps, &m, gva, flags, &r);
	else
		r = (struct gva_result){ .result_code = HV_TRANSLATE_GVA_PAGE_NOT_PRESENT };
	/* TLFS: the bit is set only as a consequence of a successful translation. Restoring a clear flag
	 * releases the flushers that were suspended in the meantime; a flag that was set stays set. */
	if (inhibit && r.result_code != HV_TRANSLATE_GVA_SUCCESS && !was_inhibited)
		inhibit_set(t, false, this_cpu());

	u64 result = r.result_code;
	if (r.result_code == HV_TRANSLATE_GVA_SUCCESS)
		result |= ((u64)r.cache_type << HV_TRANSLATE_GVA_CACHE_TYPE_SHIFT) | (r.overlay ? HV_TRANSLATE_GVA_OVERLAY_PAGE : 0);
	memset(out, 0, out_size);
	if (ex) {
		struct hv_output_translate_virtual_address_ex *o = (void *)out;
		o->translation_result = result;
		o->gpa_page = r.gpa >> 12;
	} else {
		struct hv_output_translate_virtual_address *o = (void *)out;
		o->translation_result = result;
		o->gpa_page = r.gpa >> 12;
	}
	return HV_STATUS_SUCCESS;
}
