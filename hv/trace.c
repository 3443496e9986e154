/* Per-CPU trace rings. Each CPU writes only its own ring, so recording needs no lock; a reader may see
 * an entry being overwritten, which costs one garbled entry of a trace that wrapped, never a hang. */
#include "lib.h"
#include "pmm.h"
#include "trace.h"
#include "x86.h"

static struct trace_entry *rings[MAX_CPUS];
static u64 heads[MAX_CPUS];

void trace_init_cpu(struct cpu *c)
{
	if (!rings[c->index]) {
		u64 pa = pmm_alloc(sizeof(struct trace_entry) * TRACE_RING_ENTRIES, PAGE_SIZE, PMM_ANY);
		rings[c->index] = pa ? phys_to_virt(pa) : NULL;
	}
}

void trace_event(enum trace_type type, struct vp *vp, u32 a, u64 b)
{
	struct cpu *c = this_cpu();
	struct trace_entry *ring = rings[c->index];
	if (!ring)
		return;
	u64 h = heads[c->index];
	struct trace_entry *e = &ring[h % TRACE_RING_ENTRIES];
	e->tsc = rdtsc();
	e->type = (u16)type;
	e->partition = vp ? (u16)vp->part->id : 0xffff;
	e->vp = vp ? (u16)vp->index : 0xffff;
	e->cpu = (u16)c->index;
	e->a = a;
	e->b = b;
	__atomic_store_n(&heads[c->index], h + 1, __ATOMIC_RELEASE);
}

u32 trace_read_merged(struct trace_entry *out, u32 max, u64 since_tsc, u32 *lost)
{
	/* Each ring is in TSC order, so a k-way merge from each ring's first new event gives global order. */
	u64 pos[MAX_CPUS], end[MAX_CPUS];
	*lost = 0;
	for (u32 i = 0; i < cpu_count; i++) {
		end[i] = rings[i] ? __atomic_load_n(&heads[i], __ATOMIC_ACQUIRE) : 0;
		u64 start = end[i] > TRACE_RING_ENTRIES ? end[i] - TRACE_RING_ENTRIES : 0;
		pos[i] = start;
		while (pos[i] < end[i] && rings[i][pos[i] % TRACE_RING_ENTRIES].tsc <= since_tsc)
			pos[i]++;
		if (start > 0 && pos[i] == start)
			(*lost)++; /* at least one newer event of this CPU was overwritten */
	}
	u32 n = 0;
	while (n < max) {
		u32 best = MAX_CPUS;
		for (u32 i = 0; i < cpu_count; i++)
			if (pos[i] < end[i] && (best == MAX_CPUS || rings[i][pos[i] % TRACE_RING_ENTRIES].tsc <
								rings[best][pos[best] % TRACE_RING_ENTRIES].tsc))
				best = i;
		if (best == MAX_CPUS)
			break;
		out[n++] = rings[best][pos[best]++ % TRACE_RING_ENTRIES];
	}
	return n;
}
