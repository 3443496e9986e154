/* stress: every flusher VP flushes random target sets while this VP sets and clears TLB-flush inhibits
 * and explicit suspends at random (docs/api.md, scenario stress-inhibit). */
#include "mgmt.h"

/* Per VP: what the flusher's slot and GET_VP say, read while the flushers are idle. */
struct stress_counts {
	u64 entered, done, posted, failed;            /* mailbox slot */
	u64 requested, received, suspensions, resumes; /* MINIHV_CALL_GET_VP */
};

static bool read_counts(u32 pid, u32 vp, struct stress_counts *c)
{
	struct mailbox_slot s;
	struct minihv_vp_info v;
	if (mg_read(pid, MAILBOX_SLOT_GPA(vp), &s, sizeof(s)) || mg_get_vp(pid, vp, &v))
		return fail("reading vp %u failed: HV_STATUS_%s", vp, hv_status_name(mg_status));
	*c = (struct stress_counts){ s.entered, s.done, s.posted, s.failed,
				     v.flushes_requested, v.flushes_received, v.suspensions, v.resumes };
	return true;
}

static u64 xorshift(u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* The shadow of what this VP set; mgmt is the only one that sets inhibits and explicit suspends. */
static bool inhibited[64], suspended[64];
static u64 inhibit_sets, inhibit_clears, suspend_sets, suspend_clears;

static bool toggle(u32 pid, u32 vp, bool suspend)
{
	bool *flag = suspend ? &suspended[vp] : &inhibited[vp];
	bool on = !*flag;
	u16 st = suspend ? mg_set_reg(pid, vp, HvRegisterExplicitSuspend, on) : mg_set_inhibit(pid, vp, on);
	if (st)
		return fail("%s of vp %u failed: HV_STATUS_%s", suspend ? "explicit suspend" : "inhibit", vp,
			    hv_status_name(st));
	*flag = on;
	if (suspend)
		on ? suspend_sets++ : suspend_clears++;
	else
		on ? inhibit_sets++ : inhibit_clears++;
	return true;
}

/* The watchdog: what GET_VP says must agree with the shadow. A VP suspended on a target that is not
 * inhibited (any more) lost its wake-up: the clear returned only after releasing every waiter. */
static bool watch(u32 pid, u32 vp, u64 op)
{
	struct minihv_vp_info v;
	if (mg_get_vp(pid, vp, &v))
		return fail("op %lu: MINIHV_CALL_GET_VP failed: HV_STATUS_%s", op, hv_status_name(mg_status));
	if (v.waiting_on != 0xffffffffu && (v.waiting_on >= 64 || !inhibited[v.waiting_on]))
		return fail("op %lu: watchdog: vp %u is suspended on vp %u, which is not inhibited (lost wake-up)", op, vp,
			    v.waiting_on);
	if (v.explicit_suspend != suspended[vp] || v.tlb_flush_inhibit != inhibited[vp])
		return fail("op %lu: vp %u reads explicit_suspend %u, inhibit %u; set were %u, %u", op, vp,
			    v.explicit_suspend, v.tlb_flush_inhibit, suspended[vp], inhibited[vp]);
	return true;
}

/* stress [ops=N] [seed=N] [total=N]: N random toggles, every fourth followed by a watchdog read of a
 * random VP;
 * pass when, afterwards, every VP runs and takes a new command, every flush call that was entered
 * returned SUCCESS and was counted by minihv, every posted request reached its VP, and suspensions,
 * explicit suspends and inhibits were all undone (counts equal). total: the least ops + flush calls. */
bool cmd_stress(int argc, char **argv)
{
	static const char *const forms[][2] = {
		{ "call=space", "form=mem" }, { "call=space-ex", "form=fast" },
		{ "call=list", "form=fast" }, { "call=list-ex", "form=mem" },
	};
	u32 pid = mg_target, nvp = mg_parts[pid].info.vp_count;
	u64 ops = 100000, seed = 1, total = 100000;
	const char *s;
	if (((s = arg_kv(argc, argv, "ops")) && !arg_u64(s, "ops", &ops)) ||
	    ((s = arg_kv(argc, argv, "seed")) && !arg_u64(s, "seed", &seed)) ||
	    ((s = arg_kv(argc, argv, "total")) && !arg_u64(s, "total", &total)))
		return false;
	if (nvp > 64)
		return fail("stress handles up to 64 VPs (the flusher has %u)", nvp);
	struct stress_counts before[64], after[64];
	for (u32 v = 0; v < nvp; v++)
		if (!read_counts(pid, v, &before[v]))
			return false;
	memset(inhibited, 0, sizeof(inhibited));
	memset(suspended, 0, sizeof(suspended));
	inhibit_sets = inhibit_clears = suspend_sets = suspend_clears = 0;

	for (u32 v = 0; v < nvp; v++) {
		char vp[8], targets[16], seed_arg[24], count[] = "count=0", random[] = "random";
		snprintf(vp, sizeof(vp), "%u", v);
		snprintf(targets, sizeof(targets), "targets=0-%u", nvp - 1);
		snprintf(seed_arg, sizeof(seed_arg), "seed=%lu", seed + v);
		char *args[] = { vp, "flush", (char *)forms[v % 4][0], (char *)forms[v % 4][1], count, targets, random, seed_arg };
		if (!cmd_fl(ARRAY_SIZE(args), args))
			return false;
	}
	u64 rng = seed * 0x9e3779b97f4a7c15ull | 1, start = rdtsc();
	for (u64 op = 0; op < ops; op++) {
		u64 r = xorshift(&rng);
		if (!toggle(pid, (u32)(r % nvp), (r >> 32) & 1))
			return false;
		/* A lost wake-up lasts for ever: looking after every fourth toggle finds it as surely, and
		 * leaves more of the run to the toggles. */
		if (op % 4 == 3 && !watch(pid, (u32)((r >> 40) % nvp), op))
			return false;
		if ((op + 1) % 20000 == 0)
			printf("stress: %lu toggles, %lu ms\n", op + 1, tsc_to_us(rdtsc() - start) / 1000);
	}
	for (u32 v = 0; v < nvp; v++)
		if ((inhibited[v] && !toggle(pid, v, false)) || (suspended[v] && !toggle(pid, v, true)))
			return false;
	u64 ms = tsc_to_us(rdtsc() - start) / 1000;

	/* Nothing is set now: no VP may be suspended, and each must still make flush calls. */
	for (u32 v = 0; v < nvp; v++) {
		if (!watch(pid, v, ops))
			return false;
		struct mailbox_slot sl;
		u64 done0, t0 = rdtsc();
		if (mg_read(pid, MAILBOX_SLOT_GPA(v), &sl, sizeof(sl)))
			return fail("reading vp %u's slot failed", v);
		done0 = sl.done;
		do {
			if (rdtsc() - t0 > ms_to_tsc(5000))
				return fail("watchdog: vp %u made no flush call for 5 s after everything was cleared (stuck)", v);
			delay_us(500);
			if (mg_read(pid, MAILBOX_SLOT_GPA(v), &sl, sizeof(sl)))
				return fail("reading vp %u's slot failed", v);
		} while (sl.done == done0);
	}
	for (u32 v = 0; v < nvp; v++) {
		struct mailbox_slot idle;
		memset(&idle, 0, sizeof(idle));
		if (!mb_post(pid, v, &idle, false))
			return false;
	}
	u64 calls = 0, posted = 0, requested = 0, received = 0, susp = 0, res = 0, failed = 0;
	for (u32 v = 0; v < nvp; v++) {
		if (!read_counts(pid, v, &after[v]))
			return false;
		if (after[v].entered - before[v].entered != after[v].done - before[v].done)
			return fail("vp %u entered %lu flush calls but %lu returned", v, after[v].entered - before[v].entered,
				    after[v].done - before[v].done);
		calls += after[v].done - before[v].done;
		posted += after[v].posted - before[v].posted;
		failed += after[v].failed - before[v].failed;
		requested += after[v].requested - before[v].requested;
		received += after[v].received - before[v].received;
		susp += after[v].suspensions - before[v].suspensions;
		res += after[v].resumes - before[v].resumes;
	}
	printf("stress: %lu toggles in %lu ms (inhibit %lu/%lu, explicit suspend %lu/%lu set/cleared); %u VPs made %lu "
	       "flush calls to random sets, %lu requests posted; %lu suspensions, %lu resumes\n", ops, ms, inhibit_sets,
	       inhibit_clears, suspend_sets, suspend_clears, nvp, calls, received, susp, res);
	if (failed)
		return fail("%lu flush calls returned an error", failed);
	if (requested != calls)
		return fail("the flushers completed %lu calls, minihv counted %lu (flushes requested)", calls, requested);
	if (received != posted)
		return fail("the completed calls named %lu target VPs, minihv posted %lu requests", posted, received);
	if (susp != res)
		return fail("%lu suspensions but %lu resumes", susp, res);
	if (inhibit_sets != inhibit_clears || suspend_sets != suspend_clears)
		return fail("inhibits %lu/%lu, explicit suspends %lu/%lu set/cleared", inhibit_sets, inhibit_clears,
			    suspend_sets, suspend_clears);
	if (ops + calls < total)
		return fail("%lu toggles + %lu flush calls: fewer than the %lu operations asked for", ops, calls, total);
	if (ops >= 1000 && !susp)
		return fail("no flush was ever suspended: the race did not happen");
	return true;
}
