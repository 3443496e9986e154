/* Boot profile: TSC stamps of the steps of a partition's start and the VM exits it took until it first
 * ran user code (for Linux: its /init). Under Bochs the TSC counts emulated instructions since power-on,
 * so the stamps split a boot into phases that do not depend on the host's load (docs/linux.md §6). */
#include "exits.h"
#include "hv.h"
#include "lib.h"
#include "log.h"
#include "x86.h"

u64 boot_profile_core_tsc, boot_profile_started_tsc;

void boot_profile_user_exit(struct vp *vp)
{
	struct partition *p = vp->part;
	if (__atomic_exchange_n(&p->user_seen, 1, __ATOMIC_SEQ_CST))
		return;
	p->user_tsc = rdtsc();
	/* The other VPs' counters are read while they run: a report, not an invariant. */
	for (u32 i = 0; i < p->vp_count; i++)
		for (u32 r = 0; r < EXIT_REASON_MAX; r++)
			p->boot_exits[r] += __atomic_load_n(&p->vps[i]->count.exits_by_reason[r], __ATOMIC_RELAXED);
}

/* TSC in millions, the unit docs/linux.md uses. */
static u64 mtsc(u64 tsc)
{
	return (tsc + 500000) / 1000000;
}

void boot_profile_report(struct partition *p)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "minihv: partition %s boot (TSC in millions): minihv entered %lu, "
			 "partitions started %lu", p->name, mtsc(boot_profile_core_tsc), mtsc(boot_profile_started_tsc));
	for (u32 i = 0; i < p->vp_count && n < (int)sizeof(line); i++) {
		const struct vp_counters *c = &p->vps[i]->count;
		if (c->sipi_tsc)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "; VP %u SIPI %lu, running %lu (+%lu ticks)", i,
				      mtsc(c->sipi_tsc), mtsc(c->sipi_entry_tsc),
				      c->sipi_entry_tsc > c->sipi_tsc ? c->sipi_entry_tsc - c->sipi_tsc : 0);
		else
			n += snprintf(line + n, sizeof(line) - (size_t)n, "; VP %u first entry %lu", i,
				      mtsc(c->first_entry_tsc));
	}
	pr_info("%s", line);
	/* Where a VP's CPU spent the run: guest mode, idle (HLT), and minihv's own work (the rest). */
	for (u32 i = 0; i < p->vp_count; i++) {
		const struct vp *vp = p->vps[i];
		pr_info("minihv: partition %s VP %u: %lu M ticks in guest mode over %lu entries; CPU %u idle %lu M ticks",
			p->name, i, mtsc(vp->count.guest_tsc), vp->count.entries, vp->home->index, mtsc(vp->home->idle_tsc));
	}
	if (!p->user_seen)
		return;
	u64 total = 0;
	for (u32 r = 0; r < EXIT_REASON_MAX; r++)
		total += p->boot_exits[r];
	n = snprintf(line, sizeof(line), "minihv: partition %s: first user-mode exit at TSC %lu M after %lu exits:",
		     p->name, mtsc(p->user_tsc), total);
	for (u32 r = 0; r < EXIT_REASON_MAX && n < (int)sizeof(line); r++)
		if (p->boot_exits[r])
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s %lu,", vmx_exit_name(r), p->boot_exits[r]);
	if (n > 0 && n < (int)sizeof(line) && line[n - 1] == ',')
		line[n - 1] = 0;
	pr_info("%s", line);
}
