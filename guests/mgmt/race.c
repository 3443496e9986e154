/* The `race` step: set, flush and clear in a tight loop with a watchdog (docs/tlfs-cases.md §8 cases 40 and 41). */
#include "mgmt.h"

/* Sums of flushes_received and flushes_requested over the partition's VPs. */
static bool count_flushes(u32 pid, u32 nvp, u64 *received, u64 *requested)
{
	*received = *requested = 0;
	for (u32 v = 0; v < nvp; v++) {
		struct minihv_vp_info x;
		if (mg_get_vp(pid, v, &x))
			return fail("MINIHV_CALL_GET_VP failed: HV_STATUS_%s", hv_status_name(mg_status));
		*received += x.flushes_received;
		*requested += x.flushes_requested;
	}
	return true;
}

/* race [cycles=N] [flushers=LIST] [targets=LIST]: the flushers flush every VP in a loop, each with
 * another call and form, while this VP sets and clears the inhibit of one target after the other
 * (default: targets = flushers = VPs 0..2). Per cycle, four calls: inhibit t; read t twice (GET_VP):
 * no new flush may reach t once the inhibit returned (flushes_received stays put, case 41), and t may
 * be suspended on itself only, since every earlier clear released its waiters (the watchdog, case 40:
 * with targets = flushers every flusher is looked at every nt cycles, and a lost wake-up lasts
 * forever); clear t. At the end no VP may be suspended, the flushers must take the idle command within
 * its timeout (one still suspended could not), and every completed call must have posted exactly one
 * request to each VP while no suspended attempt posted any (flushes_received against flushes_requested,
 * counted while the flushers are idle). */
bool cmd_race(int argc, char **argv)
{
	static const char *const forms[][4] = {
		{ "flush", "call=space", "form=mem", NULL },  { "flush", "call=space-ex", "form=fast", NULL },
		{ "flush", "call=list", "form=fast", "all" }, { "flush", "call=list-ex", "form=mem", "set-all" },
	};
	u32 pid = mg_target, nvp = mg_parts[pid].info.vp_count;
	u64 cycles = 100000, fl[2] = { 0x7, 0 }, tg[2] = { 0x7, 0 };
	const char *s;
	if ((s = arg_kv(argc, argv, "cycles")) && !arg_u64(s, "cycles", &cycles))
		return false;
	if (((s = arg_kv(argc, argv, "flushers")) && !parse_targets(s, fl)) ||
	    ((s = arg_kv(argc, argv, "targets")) && !parse_targets(s, tg)))
		return false;
	u32 flushers[MINIHV_MAX_VPS], targets[MINIHV_MAX_VPS], nf = 0, nt = 0;
	for (u32 v = 0; v < nvp; v++) {
		if ((fl[v / 64] >> (v % 64)) & 1)
			flushers[nf++] = v;
		if ((tg[v / 64] >> (v % 64)) & 1)
			targets[nt++] = v;
	}
	if (!nf || !nt)
		return fail("race needs flushers and targets among VPs 0..%u", nvp - 1);
	/* Taken while the flushers are idle, as the one at the end, so that no call is half counted. */
	u64 recv0, req0;
	if (!count_flushes(pid, nvp, &recv0, &req0))
		return false;
	char tlist[16];
	snprintf(tlist, sizeof(tlist), "targets=0-%u", nvp - 1);
	for (u32 k = 0; k < nf; k++) {
		char vp[8], count[] = "count=0", targets_arg[16];
		strlcpy(targets_arg, tlist, sizeof(targets_arg));
		char *args[8] = { vp, (char *)forms[k % 4][0], (char *)forms[k % 4][1], (char *)forms[k % 4][2], count,
				  targets_arg, (char *)forms[k % 4][3] };
		snprintf(vp, sizeof(vp), "%u", flushers[k]);
		if (!cmd_fl(args[6] ? 7 : 6, args))
			return false;
	}
	u64 start = rdtsc();
	for (u64 i = 0; i < cycles; i++) {
		u32 t = targets[i % nt];
		struct minihv_vp_info r1, r2;
		if (mg_set_inhibit(pid, t, true))
			return fail("cycle %lu: inhibit of vp %u failed: HV_STATUS_%s", i, t, hv_status_name(mg_status));
		if (mg_get_vp(pid, t, &r1) || mg_get_vp(pid, t, &r2))
			return fail("cycle %lu: MINIHV_CALL_GET_VP failed: HV_STATUS_%s", i, hv_status_name(mg_status));
		/* t may wait on itself (it flushes too), on nothing else: the last clear released everyone. */
		if (r1.state == MINIHV_VP_SUSPENDED && r1.waiting_on != t)
			return fail("cycle %lu: watchdog: vp %u is still suspended on vp %u after its clear", i, t, r1.waiting_on);
		if (r2.flushes_received != r1.flushes_received)
			return fail("cycle %lu: a flush reached inhibited vp %u after the inhibit returned (%lu -> %lu)", i, t,
				    r1.flushes_received, r2.flushes_received);
		if (mg_set_inhibit(pid, t, false))
			return fail("cycle %lu: uninhibit of vp %u failed: HV_STATUS_%s", i, t, hv_status_name(mg_status));
		if ((i + 1) % 20000 == 0)
			printf("race: %lu cycles, %lu ms\n", i + 1, tsc_to_us(rdtsc() - start) / 1000);
	}
	/* Nothing is inhibited now: no VP may be suspended. */
	for (u32 v = 0; v < nvp; v++) {
		struct minihv_vp_info x;
		if (mg_get_vp(pid, v, &x))
			return fail("MINIHV_CALL_GET_VP failed: HV_STATUS_%s", hv_status_name(mg_status));
		if (x.state == MINIHV_VP_SUSPENDED || x.waiting_on != 0xffffffffu)
			return fail("watchdog: vp %u is still suspended on vp %u after the last clear", v, x.waiting_on);
	}
	u64 ms = tsc_to_us(rdtsc() - start) / 1000, calls = 0, suspensions = 0;
	for (u32 k = 0; k < nf; k++) {
		struct mailbox_slot idle;
		struct minihv_vp_info v;
		u64 done = 0, status = 0;
		memset(&idle, 0, sizeof(idle));
		if (!mb_post(pid, flushers[k], &idle, false))
			return false;
		if (mg_get_vp(pid, flushers[k], &v) ||
		    mg_read(pid, MAILBOX_SLOT_GPA(flushers[k]) + __builtin_offsetof(struct mailbox_slot, done), &done, 8) ||
		    mg_read(pid, MAILBOX_SLOT_GPA(flushers[k]) + __builtin_offsetof(struct mailbox_slot, status), &status, 8))
			return fail("reading flusher vp %u failed: HV_STATUS_%s", flushers[k], hv_status_name(mg_status));
		if (HV_HYPERCALL_STATUS(status) != HV_STATUS_SUCCESS)
			return fail("flusher vp %u: last flush returned HV_STATUS_%s", flushers[k],
				    hv_status_name(HV_HYPERCALL_STATUS(status)));
		calls += done;
		suspensions += v.suspensions;
	}
	printf("race: %lu set/clear cycles over %u targets in %lu ms; %u flushers made %lu flush calls and were "
	       "suspended %lu times\n", cycles, nt, ms, nf, calls, suspensions);
	/* Every completed call posted one request to each of the nvp VPs, and a suspended attempt none (all or
	 * nothing): the counters must agree exactly. */
	u64 recv1, req1;
	if (!count_flushes(pid, nvp, &recv1, &req1))
		return false;
	if (recv1 - recv0 != (req1 - req0) * nvp)
		return fail("%lu flush calls completed but %lu requests reached the VPs (expected %lu)", req1 - req0,
			    recv1 - recv0, (req1 - req0) * nvp);
	if (cycles >= 1000 && !suspensions)
		return fail("no flusher was ever suspended: the race did not happen");
	return true;
}
