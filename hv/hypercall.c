/* VMCALL dispatch: one decoder (hv/hypercall_decode.c) for every call, the input fetched from guest
 * memory or registers, then the call itself. The success path takes no global lock and logs nothing. */
#include "exits.h"
#include "flush.h"
#include "hv.h"
#include "hv_hypercall.h"
#include "lib.h"
#include "log.h"
#include "minihv_abi.h"
#include "trace.h"
#include "x86.h"

static u16 minihv_send_ipi(struct vp *vp, u64 target, u64 vector)
{
	if (target >= vp->part->vp_count || vector < 32 || vector > 255)
		return HV_STATUS_INVALID_PARAMETER;
	vp_queue_interrupt(vp->part->vps[target], (u8)vector);
	return HV_STATUS_SUCCESS;
}

/* The fast-form input block: RDX, R8, then XMM0..XMM5 (low, high), read from the live registers
 * (the host never touches SSE state, so the guest's is still in the CPU). */
static u32 fast_input(struct vp *vp, u64 p1, u64 p2, u64 *q)
{
	q[0] = p1;
	q[1] = p2;
	__asm__ volatile("fxsave64 %0" : "=m"(vp->fxsave));
	memcpy(&q[2], vp->fxsave + 160, 2 * 8 * HV_HYPERCALL_MAX_XMM_REGISTERS);
	return HV_FAST_INPUT_MAX_QWORDS;
}

static u16 flush_call(struct vp *vp, const struct hv_hypercall_input *in, const u64 *q, u32 n, bool *suspended)
{
	/* Read once: CPUID in VMX root would itself exit when minihv runs nested, on every flush. */
	static u8 maxphyaddr;
	if (!maxphyaddr)
		maxphyaddr = (u8)cpuid(0x80000008, 0).eax;
	struct hv_flush_request req;
	u16 st = hv_flush_parse(in, q, n, &vp->part->vp_map, maxphyaddr, &req);
	if (st != HV_STATUS_SUCCESS)
		return st; /* validation first: a malformed call never suspends */
	/* Suspended, or stopped with its partition: either way RIP and the registers stay as they are. */
	if (hv_flush_execute(vp, &req, q + req.gva_index) != FLUSH_DONE)
		*suspended = true;
	return HV_STATUS_SUCCESS;
}

bool hv_hypercall(struct vp *vp)
{
	struct guest_regs *r = &vp->regs;
	bool wide = vmx_guest_64bit();
	/* TLFS: 32-bit callers use EDX:EAX, EBX:ECX and EDI:ESI. */
	u64 control = wide ? r->rcx : (r->rdx << 32) | (u32)r->rax;
	u64 p1 = wide ? r->rdx : (r->rbx << 32) | (u32)r->rcx;
	u64 p2 = wide ? r->r8 : (r->rdi << 32) | (u32)r->rsi;
	u16 code = (u16)control;
	vp->count.hypercalls++;
	vp->count.hypercalls_by_code[hv_counter_slot(code)]++;
	trace_event(TRACE_HYPERCALL_ENTER, vp, code, control);

	u16 st;
	u16 reps = 0;
	bool suspended = false;
	struct hv_hypercall_input in;
	st = hv_hypercall_decode(control, &in);
	if (st != HV_STATUS_SUCCESS)
		goto done;
	if (in.call->management_only && vp->part->role != ROLE_MANAGEMENT) {
		st = HV_STATUS_ACCESS_DENIED; /* TLFS: security-relevant codes win */
		goto done;
	}
	u64 *q = this_cpu()->hc_buf;
	u32 n;
	if (in.fast) {
		n = fast_input(vp, p1, p2, q);
	} else {
		st = hv_hypercall_check_gpas(&in, p1, p2, vp->part->ram_size);
		if (st != HV_STATUS_SUCCESS)
			goto done;
		u32 size = hv_hypercall_input_size(&in);
		const void *src = hv_guest_read_view(vp->part, p1, size);
		if (!src) {
			st = HV_STATUS_INVALID_ALIGNMENT;
			goto done;
		}
		memcpy(q, src, size);
		n = size / 8;
	}
	switch (in.code) {
	case MINIHV_CALL_EXIT:
		vp_end(vp, (int)p1);
		return true;
	case MINIHV_CALL_SEND_IPI:
		st = minihv_send_ipi(vp, p1, p2);
		break;
	case HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE:
	case HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST:
	case HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX:
	case HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX:
		st = flush_call(vp, &in, q, n, &suspended);
		break;
	default:
		st = hv_management_call(vp, &in, q, n, p1, p2, &reps, &suspended);
		break;
	}
	if (suspended) {
		/* On the VMCALL boundary: RIP, RAX and every other register stay as they are. */
		return false;
	}
	if (st == HV_STATUS_SUCCESS && in.call->rep)
		reps = in.rep_count;
	else if (!in.call->rep)
		reps = 0; /* TLFS: reps completed is the total, not relative to the start */
done:;
	if (st != HV_STATUS_SUCCESS)
		vp->count.hypercalls_failed++;
	u64 result = hv_hypercall_result(st, reps);
	if (wide) {
		r->rax = result;
	} else {
		r->rax = (u32)result;
		r->rdx = result >> 32;
	}
	trace_event(TRACE_HYPERCALL_EXIT, vp, code, result);
	return true;
}
