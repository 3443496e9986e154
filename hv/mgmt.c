/* The management partition's control interface (docs/api.md): TLB-flush inhibit, explicit suspend,
 * the TLFS VP-register calls on the same mechanism, and observation (state, counters, memory, trace).
 * Every input is checked here before it touches a VP; targets are guest partitions only, so the
 * management partition can never suspend itself. */
#include "hv.h"
#include "hv_hypercall.h"
#include "inhibit.h"
#include "lib.h"
#include "log.h"
#include "minihv_abi.h"
#include "partition.h"
#include "power.h"
#include "trace.h"
#include "wait.h"
#include "x86.h"

/* The VP with Hyper-V VP index vpi in partition p (the partition's vp_map), or NULL. */
static struct vp *vp_by_index(struct partition *p, u32 vpi)
{
	u32 n = hv_vp_of_index(&p->vp_map, vpi);
	return n < p->vp_count ? p->vps[n] : NULL;
}

/* Resolves a (partition, VP index) target in a guest partition. */
u16 mgmt_target_vp(u64 pid, u32 vpi, struct vp **out)
{
	if (pid >= partition_count || partitions[pid].role != ROLE_GUEST)
		return HV_STATUS_INVALID_PARTITION_ID;
	*out = vp_by_index(&partitions[pid], vpi);
	return *out ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_VP_INDEX;
}

/* An output buffer of size bytes at gpa in the caller's RAM: 8-byte aligned, one page. */
static void *output_buffer(struct vp *vp, u64 gpa, u32 size)
{
	if (!IS_ALIGNED(gpa, 8) || (size && (gpa & ~0xfffull) != ((gpa + size - 1) & ~0xfffull)))
		return NULL;
	return gpa_to_hva(vp->part, gpa, size);
}

static bool out_of_guest(const void *arg)
{
	return !__atomic_load_n(&((const struct vp *)arg)->in_guest, __ATOMIC_SEQ_CST);
}

/* HV_STATUS_INVALID_VP_STATE when a suspended VP did not leave guest mode in time (docs/api.md): the
 * suspension stays requested and takes effect at its next exit. */
static u16 explicit_suspend(struct vp *t, bool suspend)
{
	if (suspend) {
		vp_block(t, VP_BLOCK_EXPLICIT_SUSPEND);
		/* Return only once it is off its CPU: it stopped on an instruction boundary (a VM exit). */
		if (!wait_until(out_of_guest, t, WAIT_EXPLICIT_SUSPEND_MS)) {
			wait_expired(this_cpu(), "explicit suspend", t, WAIT_EXPLICIT_SUSPEND_MS);
			return HV_STATUS_INVALID_VP_STATE;
		}
		trace_event(TRACE_EXPLICIT_SUSPEND, t, t->index, 0);
	} else {
		trace_event(TRACE_EXPLICIT_RESUME, t, t->index, 0);
		vp_unblock(t, VP_BLOCK_EXPLICIT_SUSPEND);
	}
	return HV_STATUS_SUCCESS;
}

static u16 set_inhibit(struct vp *vp, const u64 *q)
{
	const struct minihv_tlb_flush_inhibit_input *in = (const void *)q;
	if (in->target.reserved)
		return HV_STATUS_INVALID_PARAMETER;
	/* The KVM structure's documented rules, which its implementation did not check. */
	const struct minihv_tlb_flush_inhibit *f = &in->inhibit;
	if (f->flags || f->inhibit > MINIHV_INHIBIT_TLB_FLUSH)
		return HV_STATUS_INVALID_PARAMETER;
	for (int i = 0; i < 5; i++)
		if (f->padding[i])
			return HV_STATUS_INVALID_PARAMETER;
	struct vp *t;
	u16 st = mgmt_target_vp(in->target.partition_id, in->target.vp_index, &t);
	if (st)
		return st;
	(void)vp;
	/* A flush in progress elsewhere that did not end in time (logged): the flag is set regardless. */
	return inhibit_set(t, f->inhibit, this_cpu()) ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_VP_STATE;
}

static u16 vp_registers(struct vp *vp, const struct hv_hypercall_input *in, const u64 *q, u64 out_gpa, bool set,
			u16 *reps)
{
	const struct hv_input_get_vp_registers *h = (const void *)q;
	if (h->input_vtl || h->rsvd_z8 || h->rsvd_z16)
		return HV_STATUS_INVALID_PARAMETER; /* minihv has no VTLs */
	struct vp *t;
	u64 pid = h->partition_id == HV_PARTITION_ID_SELF ? vp->part->id : h->partition_id;
	u16 st = mgmt_target_vp(pid, h->vp_index, &t);
	if (st)
		return st;
	union hv_register_value *outv = NULL;
	if (!set) {
		outv = output_buffer(vp, out_gpa, (u32)in->rep_count * sizeof(*outv));
		if (!outv)
			return HV_STATUS_INVALID_ALIGNMENT;
	}
	for (u32 i = in->rep_start; i < in->rep_count; i++) {
		u32 name;
		u64 value = 0;
		if (set) {
			const struct hv_register_assoc *e = &((const struct hv_input_set_vp_registers *)q)->elements[i];
			if (e->reserved1 || e->reserved2 || e->value.reg128.high_part)
				return HV_STATUS_INVALID_PARAMETER;
			name = e->name;
			value = e->value.reg64;
		} else {
			name = h->names[i];
		}
		switch (name) {
		case HvRegisterExplicitSuspend:
			if (!set) {
				value = (__atomic_load_n(&t->blocked, __ATOMIC_ACQUIRE) & VP_BLOCK_EXPLICIT_SUSPEND) ? 1 : 0;
				break;
			}
			if (value & HV_EXPLICIT_SUSPEND_RESERVED_MASK)
				return HV_STATUS_INVALID_PARAMETER;
			st = explicit_suspend(t, value & HV_EXPLICIT_SUSPEND_SUSPENDED);
			if (st)
				return st;
			break;
		case HvX64RegisterRip:
		case HvX64RegisterRsp: {
			/* Read-only here, and only of a parked VP: a VP in guest mode on another CPU has no
			 * stable value (the same rule as HvCallTranslateVirtualAddress). */
			struct gva_paging_state ps;
			u64 rr[2];
			if (set)
				return HV_STATUS_INVALID_PARAMETER;
			if (!vp_parked_state(t, &ps, rr))
				return HV_STATUS_INVALID_VP_STATE;
			value = name == HvX64RegisterRip ? rr[0] : rr[1];
			break;
		}
		case HvRegisterInterceptSuspend:
			if (!set) {
				value = __atomic_load_n(&t->tlb_flush_inhibit, __ATOMIC_ACQUIRE) ? HV_INTERCEPT_SUSPEND_TLB_FLUSH_INHIBIT : 0;
				break;
			}
			/* minihv never intercept-suspends a VP, so Suspended cannot be set; the management partition,
			 * acting as the parent, may set and clear TlbFlushInhibit (docs/api.md). */
			if (value & (HV_INTERCEPT_SUSPEND_RESERVED_MASK | HV_INTERCEPT_SUSPEND_SUSPENDED))
				return HV_STATUS_INVALID_PARAMETER;
			if (!inhibit_set(t, value & HV_INTERCEPT_SUSPEND_TLB_FLUSH_INHIBIT, this_cpu()))
				return HV_STATUS_INVALID_VP_STATE;
			break;
		default:
			return HV_STATUS_INVALID_PARAMETER;
		}
		if (!set) {
			outv[i].reg128.low_part = value;
			outv[i].reg128.high_part = 0;
		}
		*reps = (u16)(i + 1);
	}
	return HV_STATUS_SUCCESS;
}

static u16 get_partition(struct vp *vp, const u64 *q, u64 out_gpa)
{
	const struct minihv_target *in = (const void *)q;
	if (in->partition_id >= partition_count)
		return HV_STATUS_INVALID_PARTITION_ID;
	struct minihv_partition_info *o = output_buffer(vp, out_gpa, sizeof(*o));
	if (!o)
		return HV_STATUS_INVALID_ALIGNMENT;
	struct partition *p = &partitions[in->partition_id];
	memset(o, 0, sizeof(*o));
	o->id = p->id;
	o->vp_count = p->vp_count;
	o->role = p->role == ROLE_MANAGEMENT;
	o->state = p->stopped ? MINIHV_PARTITION_STOPPED : p->finished ? MINIHV_PARTITION_FINISHED : MINIHV_PARTITION_RUNNING;
	o->ram_size = p->ram_size;
	strlcpy(o->name, p->name, sizeof(o->name));
	for (u32 i = 0; i < p->vp_count; i++) {
		u32 x = hv_vp_index_of(&p->vp_map, i);
		o->vp_indexes[x / 64] |= 1ull << (x % 64);
	}
	return HV_STATUS_SUCCESS;
}

static u32 run_state(struct vp *self, struct vp *t, u32 blocked)
{
	if (t == self)
		return MINIHV_VP_RUNNING; /* the caller: it is in the hypervisor only to make this call */
	if (blocked & VP_BLOCK_ENDED)
		return MINIHV_VP_ENDED;
	if (blocked & VP_BLOCK_STOPPED)
		return MINIHV_VP_STOPPED;
	if (blocked & VP_BLOCK_EXPLICIT_SUSPEND)
		return MINIHV_VP_EXPLICIT;
	if (blocked & VP_BLOCK_FLUSH_WAIT)
		return MINIHV_VP_SUSPENDED;
	if (blocked & VP_BLOCK_WAIT_SIPI)
		return MINIHV_VP_WAIT_SIPI;
	if (blocked & VP_BLOCK_HALTED)
		return MINIHV_VP_HALTED;
	return __atomic_load_n(&t->in_guest, __ATOMIC_ACQUIRE) ? MINIHV_VP_RUNNING : MINIHV_VP_RUNNABLE;
}

static u16 get_vp(struct vp *vp, const u64 *q, u64 out_gpa)
{
	const struct minihv_target *in = (const void *)q;
	if (in->partition_id >= partition_count)
		return HV_STATUS_INVALID_PARTITION_ID;
	struct partition *p = &partitions[in->partition_id];
	struct vp *t = vp_by_index(p, in->vp_index);
	if (!t)
		return HV_STATUS_INVALID_VP_INDEX;
	struct minihv_vp_info *o = output_buffer(vp, out_gpa, sizeof(*o));
	if (!o)
		return HV_STATUS_INVALID_ALIGNMENT;
	u32 blocked = __atomic_load_n(&t->blocked, __ATOMIC_ACQUIRE);
	struct vp *w = t->waiting_on;
	memset(o, 0, sizeof(*o));
	o->state = run_state(vp, t, blocked);
	o->block_reasons = blocked;
	o->waiting_on = (blocked & VP_BLOCK_FLUSH_WAIT) && w ? hv_vp_index_of(&w->part->vp_map, w->index) : 0xffffffffu;
	o->vp_number = t->index;
	o->home_cpu = t->home->index;
	o->tlb_flush_inhibit = t->tlb_flush_inhibit;
	o->explicit_suspend = !!(blocked & VP_BLOCK_EXPLICIT_SUSPEND);
	o->exit_status = t->exit_status;
	o->exits = t->count.exits;
	o->hypercalls = t->count.hypercalls;
	o->hypercalls_flush[0] = t->count.hypercalls_by_code[hv_counter_slot(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE)];
	o->hypercalls_flush[1] = t->count.hypercalls_by_code[hv_counter_slot(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST)];
	o->hypercalls_flush[2] = t->count.hypercalls_by_code[hv_counter_slot(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX)];
	o->hypercalls_flush[3] = t->count.hypercalls_by_code[hv_counter_slot(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX)];
	o->flushes_requested = t->count.flushes_requested;
	o->flushes_received = t->count.flushes_received;
	o->flushes_completed = t->count.flushes_completed;
	o->invvpid = t->count.invvpid;
	o->invept = t->count.invept;
	o->suspensions = t->count.suspensions;
	o->suspended_tsc = t->count.suspended_tsc;
	if (blocked & VP_BLOCK_FLUSH_WAIT)
		o->suspended_tsc += rdtsc() - t->suspended_since;
	o->guest_tsc = t->count.guest_tsc;
	o->resumes = t->count.resumes;
	return HV_STATUS_SUCCESS;
}

/* Copies guest memory with the widest accesses (8 or 4 bytes, else bytes) that source, destination and
 * size allow, so that a naturally aligned u64 or u32 that a running guest updates is read or written whole
 * (docs/api.md, MINIHV_CALL_READ_MEMORY). */
static void copy_guest(void *dst, const void *src, u32 size)
{
	uintptr_t a = (uintptr_t)dst | (uintptr_t)src | size;
	if (!(a & 7))
		for (u32 i = 0; i < size / 8; i++)
			__atomic_store_n((u64 *)dst + i, __atomic_load_n((const u64 *)src + i, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
	else if (!(a & 3))
		for (u32 i = 0; i < size / 4; i++)
			__atomic_store_n((u32 *)dst + i, __atomic_load_n((const u32 *)src + i, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
	else
		memcpy(dst, src, size);
}

static u16 memory(struct vp *vp, const u64 *q, u64 in_gpa, u64 out_gpa, bool write)
{
	const struct minihv_memory_input *in = (const void *)q;
	if (in->reserved || in->size > PAGE_SIZE || (write && in->size > PAGE_SIZE - sizeof(*in)))
		return HV_STATUS_INVALID_PARAMETER;
	if (in->partition_id >= partition_count || partitions[in->partition_id].role != ROLE_GUEST)
		return HV_STATUS_INVALID_PARTITION_ID;
	void *guest = gpa_to_hva(&partitions[in->partition_id], in->gpa, in->size);
	if (!guest)
		return HV_STATUS_INVALID_PARAMETER;
	if (write) {
		/* The bytes follow the header in the caller's input page. */
		u64 data = in_gpa + sizeof(*in);
		if ((data & ~0xfffull) != ((data + in->size - 1) & ~0xfffull) && in->size)
			return HV_STATUS_INVALID_ALIGNMENT;
		const void *src = gpa_to_hva(vp->part, data, in->size);
		if (!src)
			return HV_STATUS_INVALID_ALIGNMENT;
		copy_guest(guest, src, in->size);
	} else {
		void *dst = output_buffer(vp, out_gpa, in->size);
		if (!dst)
			return HV_STATUS_INVALID_ALIGNMENT;
		copy_guest(dst, guest, in->size);
	}
	return HV_STATUS_SUCCESS;
}

static u16 read_trace(struct vp *vp, const u64 *q, u64 out_gpa)
{
	const struct minihv_trace_input *in = (const void *)q;
	if (in->reserved || in->max > MINIHV_TRACE_MAX_PER_CALL)
		return HV_STATUS_INVALID_PARAMETER;
	u32 size = sizeof(struct minihv_trace_output) + in->max * sizeof(struct minihv_trace_event);
	struct minihv_trace_output *o = output_buffer(vp, out_gpa, size);
	if (!o)
		return HV_STATUS_INVALID_ALIGNMENT;
	_Static_assert(sizeof(struct minihv_trace_event) == sizeof(struct trace_entry), "trace ABI");
	o->count = trace_read_merged((struct trace_entry *)o->events, in->max, in->since_tsc, &o->lost);
	return HV_STATUS_SUCCESS;
}

u16 hv_management_call(struct vp *vp, const struct hv_hypercall_input *in, const u64 *q, u32 n, u64 input_gpa,
		       u64 output_gpa, u16 *reps, bool *suspended)
{
	(void)n, (void)suspended;
	switch (in->code) {
	case MINIHV_CALL_SET_TLB_FLUSH_INHIBIT:
		return set_inhibit(vp, q);
	case HVCALL_SET_VP_REGISTERS:
		return vp_registers(vp, in, q, output_gpa, true, reps);
	case HVCALL_GET_VP_REGISTERS:
		return vp_registers(vp, in, q, output_gpa, false, reps);
	case HVCALL_TRANSLATE_VIRTUAL_ADDRESS:
	case HVCALL_TRANSLATE_VIRTUAL_ADDRESS_EX:
		return hv_translate_virtual_address(vp, in, q, output_gpa);
	case MINIHV_CALL_GET_PARTITION:
		return get_partition(vp, q, output_gpa);
	case MINIHV_CALL_GET_VP:
		return get_vp(vp, q, output_gpa);
	case MINIHV_CALL_READ_MEMORY:
		return memory(vp, q, input_gpa, output_gpa, false);
	case MINIHV_CALL_WRITE_MEMORY:
		return memory(vp, q, input_gpa, output_gpa, true);
	case MINIHV_CALL_READ_TRACE:
		return read_trace(vp, q, output_gpa);
	case MINIHV_CALL_SHUTDOWN:
		pr_info("minihv: shutdown requested by the management partition");
		partitions_summary_and_power_off();
	}
	return HV_STATUS_INVALID_HYPERCALL_CODE;
}
