/* Event trace: one ring per CPU, TSC-stamped, no locks; the management partition reads them merged. */
#ifndef MINIHV_TRACE_H
#define MINIHV_TRACE_H

#include "partition.h"

enum trace_type {
	TRACE_HYPERCALL_ENTER = 1, /* a = call code, b = input value (RCX) */
	TRACE_HYPERCALL_EXIT,      /* a = call code, b = result (RAX) */
	TRACE_SUSPEND,             /* a = VP index waited on, b = input value */
	TRACE_RESUME,              /* a = VP index that was cleared */
	TRACE_INHIBIT_SET,         /* the event's VP is the inhibited one */
	TRACE_INHIBIT_CLEAR,
	TRACE_EXPLICIT_SUSPEND,
	TRACE_EXPLICIT_RESUME,
	TRACE_HALT,                /* the VP blocked in HLT */
	TRACE_WAKE,                /* the VP left HLT */
	TRACE_END,                 /* the VP ended or was stopped */
};

struct trace_entry {
	u64 tsc;
	u16 type;
	u16 partition;
	u16 vp;
	u16 cpu;
	u32 a;
	u32 pad;
	u64 b;
};

#define TRACE_RING_ENTRIES 2048

void trace_init_cpu(struct cpu *c);
void trace_event(enum trace_type type, struct vp *vp, u32 a, u64 b);
/* The oldest max events newer than since_tsc over all CPUs, in TSC order. *lost counts events that were
 * overwritten while still newer than since_tsc. Returns the count. */
u32 trace_read_merged(struct trace_entry *out, u32 max, u64 since_tsc, u32 *lost);

#endif
