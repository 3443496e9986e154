/* `trace`: minihv's event trace (MINIHV_CALL_READ_TRACE), one parseable line per event, for people and
 * for tools/trace2svg:
 *   trace-begin tsc_khz=K since=T
 *   trace-partition id=P name=NAME role=guest|management vps=N
 *   trace TSC cpu=C p=P vp=V TYPE a=0xA b=0xB
 *   trace-end events=N lost=L
 * Events are merged over the CPUs in TSC order. Reading stops at the TSC the command started at, so the
 * command's own READ_TRACE calls (which are traced too) do not keep it going. `trace guests` leaves out
 * the management partition's own events (mostly this shell's calls). */
#include "mgmt.h"

static const char *const type_names[] = {
	[1] = "hypercall", [2] = "hypercall-done", [3] = "suspend", [4] = "resume", [5] = "inhibit", [6] = "uninhibit",
	[7] = "explicit-suspend", [8] = "explicit-resume", [9] = "halt", [10] = "wake", [11] = "end",
};

/* The TSC of the last event printed, and the events printed with that TSC: the next read starts one
 * tick earlier, so as to miss none of the events that share it, and skips these. */
static u64 trace_since;
static struct minihv_trace_event same[16];
static u32 nsame;

bool cmd_trace(int argc, char **argv)
{
	bool from_start = false, guests_only = false;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "all"))
			from_start = true;
		else if (!strcmp(argv[i], "guests"))
			guests_only = true;
		else
			return fail("usage: trace [all] [guests]");
	}
	if (from_start)
		trace_since = nsame = 0;
	u64 stop = rdtsc();
	u32 printed = 0, lost = 0;
	printf("trace-begin tsc_khz=%lu since=%lu\n", tsc_khz(), trace_since);
	for (u32 pid = 0; pid < MGMT_MAX_PARTITIONS; pid++)
		if (mg_parts[pid].present)
			printf("trace-partition id=%u name=%s role=%s vps=%u\n", pid, mg_parts[pid].info.name,
			       mg_parts[pid].info.role ? "management" : "guest", mg_parts[pid].info.vp_count);
	for (;;) {
		const struct minihv_trace_output *out;
		u64 since = trace_since ? trace_since - 1 : 0;
		if (mg_read_trace(since, MINIHV_TRACE_MAX_PER_CALL, &out))
			return fail("MINIHV_CALL_READ_TRACE failed: HV_STATUS_%s (%#x)", hv_status_name(mg_status), mg_status);
		lost += out->lost;
		u32 count = out->count, fresh = 0;
		bool done = count < MINIHV_TRACE_MAX_PER_CALL;
		for (u32 i = 0; i < count; i++) {
			const struct minihv_trace_event *e = &out->events[i];
			if (e->tsc > stop) {
				done = true;
				break;
			}
			bool dup = false;
			for (u32 j = 0; j < nsame && !dup; j++)
				dup = e->tsc == trace_since && !memcmp(e, &same[j], sizeof(*e));
			if (dup)
				continue;
			if (e->tsc != trace_since)
				nsame = 0;
			if (nsame < ARRAY_SIZE(same))
				same[nsame++] = *e;
			trace_since = e->tsc;
			fresh++;
			if (guests_only && e->partition == mg_self)
				continue;
			printed++;
			const char *t = e->type < ARRAY_SIZE(type_names) && type_names[e->type] ? type_names[e->type] : "?";
			printf("trace %lu cpu=%u p=%u vp=%u %s a=%#x b=%#lx\n", e->tsc, e->cpu, e->partition, e->vp, t, e->a, e->b);
		}
		if (done || !fresh)
			break;
	}
	printf("trace-end events=%u lost=%u\n", printed, lost);
	return true;
}
