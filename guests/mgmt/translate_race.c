/* The translate/flush/clear race of the translate-race scenario (tests/scenarios/translate-race.scn): the
 * guarantee of HvCallTranslateVirtualAddress with TLB_FLUSH_INHIBIT checked 10^5 times, with a watchdog
 * and a negative control (docs/api.md 2.9). */
#include "mgmt.h"

/* Reads a u64 of the flusher's mailbox or memory. */
static bool mb_word(u32 pid, u64 gpa, u64 *v)
{
	if (mg_read(pid, gpa, v, 8))
		return fail("MINIHV_CALL_READ_MEMORY at %#lx failed: HV_STATUS_%s", gpa, hv_status_name(mg_status));
	return true;
}

#define SLOT_DONE(vp) (MAILBOX_SLOT_GPA(vp) + __builtin_offsetof(struct mailbox_slot, done))
#define SLOT_STATUS(vp) (MAILBOX_SLOT_GPA(vp) + __builtin_offsetof(struct mailbox_slot, status))

/*
 * translate-race [cycles=N] [control]: VP 1 stays explicitly suspended (so that it can be walked); VP 0
 * swaps the test PTE and flushes VP 1 without end (swap n maps page_gpa[n % 3]; `done` counts the flush
 * calls that returned, so F = swaps whose flush completed). Per cycle: translate the test GVA with
 * TLB_FLUSH_INHIBIT (GPA G); read the PTE (P), then VP 0's `done` (F); clear the flag
 * (MINIHV_CALL_SET_TLB_FLUSH_INHIBIT and HvSetVpRegisters in turn).
 * While the flag is set VP 0 can swap once more (to F + 1) and then waits, so a walk made after the flag
 * saw swap F or F + 1: G is page[F % 3], or it is page[(F + 1) % 3] and then the PTE already names it
 * (with three pages an older translation names neither).
 * Watchdog: G is neither (a translation older than a completed flush, returned with the flag set), or
 * VP 0 made no progress for 5000 cycles (a lost wake-up). control: translate without the flag and set it
 * afterwards (after 0 to 2 * `delay` µs, pseudo-random, default delay 20: about one flush of VP 0, so
 * that the window is used and the flushes in it do not always come in multiples of three, the number of
 * test pages), the order with a window; the watchdog must see stale translations then, or it proves
 * nothing.
 */
bool cmd_translate_race(int argc, char **argv)
{
	u32 pid = mg_target;
	u64 cycles = 100000, delay = 20;
	const char *s;
	bool control = arg_flag(argc, argv, "control");
	if (((s = arg_kv(argc, argv, "cycles")) && !arg_u64(s, "cycles", &cycles)) ||
	    ((s = arg_kv(argc, argv, "delay")) && !arg_u64(s, "delay (us)", &delay)))
		return false;
	if (mg_parts[pid].info.vp_count < 2)
		return fail("translate-race needs a flusher with at least 2 VPs");
	struct mailbox_header h;
	u64 d0;
	if (mg_read(pid, MAILBOX_GPA, &h, sizeof(h)))
		return fail("reading the mailbox header failed: HV_STATUS_%s", hv_status_name(mg_status));
	if (mg_set_reg(pid, 1, HvRegisterExplicitSuspend, 1))
		return fail("suspending vp 1 failed: HV_STATUS_%s", hv_status_name(mg_status));
	if (!mb_word(pid, SLOT_DONE(0), &d0))
		return false;
	char *args[] = { "0", "flush", "targets=1", "swap", "count=0" };
	if (!cmd_fl(5, args))
		return false;
	u64 start = rdtsc(), held = 0, stale = 0, last_d = d0, still = 0, lcg = 1;
	u64 flags = HV_TRANSLATE_GVA_VALIDATE_READ | (control ? 0 : HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT);
	for (u64 i = 0; i < cycles; i++) {
		u64 result, gpa_page, pte, d;
		if (mg_translate(pid, 1, MAILBOX_TEST_GVA, flags, 0, false, &result, &gpa_page))
			return fail("cycle %lu: translate failed: HV_STATUS_%s", i, hv_status_name(mg_status));
		if ((u32)result != HV_TRANSLATE_GVA_SUCCESS)
			return fail("cycle %lu: translate returned result code %u", i, (u32)result);
		if (control) {
			lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
			delay_us((lcg >> 33) % (2 * delay + 1));
		}
		if (control && mg_set_inhibit(pid, 1, true))
			return fail("cycle %lu: inhibit failed: HV_STATUS_%s", i, hv_status_name(mg_status));
		/* PTE first, then done: a done++ still on its way only makes F one less, never the PTE newer. */
		if (!mb_word(pid, h.pte_gpa, &pte) || !mb_word(pid, SLOT_DONE(0), &d))
			return false;
		u64 g = gpa_page << 12, f = h.swaps + (d - d0);
		if (g != h.page_gpa[f % MAILBOX_TEST_PAGES]) {
			if (g == h.page_gpa[(f + 1) % MAILBOX_TEST_PAGES] && (pte & PTE_ADDR_MASK) == g) {
				held++; /* the walk saw the swap whose flush now waits for the clear */
			} else {
				stale++;
				if (!control)
					return fail("cycle %lu: watchdog: GPA %#lx returned, but swap %lu (to %#lx) was flushed and "
						    "the flush completed before the clear", i, g, f, h.page_gpa[f % MAILBOX_TEST_PAGES]);
			}
		}
		bool intercept = i & 1;
		if (intercept ? mg_set_reg(pid, 1, HvRegisterInterceptSuspend, 0) : mg_set_inhibit(pid, 1, false))
			return fail("cycle %lu: clearing the inhibit failed: HV_STATUS_%s", i, hv_status_name(mg_status));
		still = d == last_d ? still + 1 : 0;
		last_d = d;
		if (still > 5000)
			return fail("cycle %lu: watchdog: vp 0 completed no flush in 5000 cycles (a lost wake-up?)", i);
		if ((i + 1) % 20000 == 0)
			printf("translate-race: %lu cycles, %lu ms\n", i + 1, tsc_to_us(rdtsc() - start) / 1000);
	}
	u64 ms = tsc_to_us(rdtsc() - start) / 1000;
	struct mailbox_slot idle;
	memset(&idle, 0, sizeof(idle));
	if (!mb_post(pid, 0, &idle, false)) /* a VP 0 suspended for good could not take it */
		return false;
	struct minihv_vp_info v0;
	u64 done, status;
	if (mg_get_vp(pid, 0, &v0) || !mb_word(pid, SLOT_DONE(0), &done) || !mb_word(pid, SLOT_STATUS(0), &status))
		return fail("reading vp 0 failed: HV_STATUS_%s", hv_status_name(mg_status));
	if (mg_set_reg(pid, 1, HvRegisterExplicitSuspend, 0))
		return fail("resuming vp 1 failed: HV_STATUS_%s", hv_status_name(mg_status));
	printf("translate-race%s: %lu cycles in %lu ms; vp 0 completed %lu flushes and was suspended %lu times; "
	       "%lu walks saw the swap whose flush they held, %lu translations were stale\n", control ? " (control)" : "",
	       cycles, ms, done - d0, v0.suspensions, held, stale);
	if (HV_HYPERCALL_STATUS(status) != HV_STATUS_SUCCESS)
		return fail("vp 0: last flush returned HV_STATUS_%s", hv_status_name(HV_HYPERCALL_STATUS(status)));
	if (control)
		return stale ? true : fail("control: no stale translation in %lu cycles; the watchdog cannot see the race", cycles);
	if (cycles >= 1000 && !held)
		return fail("no walk ever saw a swap whose flush it held: the race did not happen");
	return true;
}
