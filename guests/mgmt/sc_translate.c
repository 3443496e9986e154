/* HvCallTranslateVirtualAddress against the flusher: the call's statuses, the flow the TLB-flush inhibit
 * exists for (translate with TLB_FLUSH_INHIBIT, a flush of the changed PTE waits until the clear), and the
 * translate/flush/clear race with its watchdog and a negative control. The pagewalk scenario (every paging
 * mode) is in sc_pagewalk.c. "VP n" is a flusher VP; the test GVA is MAILBOX_TEST_GVA. */
#include "mgmt.h"
#include "scenarios.h"

#define TEST_GVA "0x8000155000"

static const char *const inhibit_flow[] = {
	SC_START,
	"echo statuses: a running VP, bad flags, VTL 1, reserved field, unknown partition and VP, a guest caller",
	"fl 1 read",
	"wait m:1.checked > 100",
	"!translate $F 1 " TEST_GVA " r",
	"expect $status == INVALID_VP_STATE",
	"suspend $F 1",
	"!translate $F 1 " TEST_GVA " setbits",
	"expect $status == INVALID_PARAMETER",
	"!translate $F 1 " TEST_GVA " 0x41",
	"expect $status == INVALID_PARAMETER",
	"!translate $F 1 " TEST_GVA " 0x0100000000000001",
	"expect $status == INVALID_PARAMETER",
	"!translate $F 1 " TEST_GVA " r reserved=1",
	"expect $status == INVALID_PARAMETER",
	"!translate $M 0 " TEST_GVA " r",
	"expect $status == INVALID_PARTITION_ID",
	"!translate 15 0 " TEST_GVA " r",
	"expect $status == INVALID_PARTITION_ID",
	"!translate $F 3 " TEST_GVA " r",
	"expect $status == INVALID_VP_INDEX",
	"fl 0 hvcall code=0x52 vp=1",
	"wait m:0.state == mb_done 1000",
	"expect m:0.status == ACCESS_DENIED",
	"echo a failed translation with TLB_FLUSH_INHIBIT leaves the flag as it was",
	"translate $F 1 0x8000000000 r,inhibit",
	"expect $code == PageNotPresent",
	"expect v:1.tlb_flush_inhibit == 0",
	"inhibit $F 1",
	"translate $F 1 0x8000000000 r,inhibit",
	"expect v:1.tlb_flush_inhibit == 1",
	"uninhibit $F 1",
	"echo the flow: VP 1 suspended, translated with TLB_FLUSH_INHIBIT, resumed",
	"set old h:expected",
	"translate $F 1 " TEST_GVA " r,inhibit",
	"expect $code == Success",
	"expect $cache == WB",
	"expect $overlay == 0",
	"set oldgpa $gpa",
	"expect v:1.tlb_flush_inhibit == 1",
	"translate $F 1 " TEST_GVA " r ex",
	"expect $gpa == $oldgpa",
	"vpeek $F 1 " TEST_GVA,
	"expect $value == $old",
	"resume $F 1",
	"echo VP 2 maps the other page at the test GVA and flushes VP 1: it must wait for the clear",
	"set done m:2.done",
	"fl 2 flush form=fast targets=1 swap verify",
	"wait v:2.state == suspended 2000",
	"state 2 suspended 1",
	"sleep 500",
	"expect m:2.done == $done",
	"echo the translated GPA still holds the old frame, which VP 1 may still be using",
	"peek $F $oldgpa",
	"expect $value == $old",
	"expect h:expected != $old",
	"echo VP 2, suspended in its flush, can be walked too: its tables in memory already name the new page",
	"translate $F 2 " TEST_GVA " r",
	"expect $code == Success",
	"expect $gpa != $oldgpa",
	"state 2 suspended 1",
	"echo clear the bit (HvSetVpRegisters, HvRegisterInterceptSuspend = 0): the flush completes",
	"setreg $F 1 intercept 0",
	"wait m:2.done == $done+1 5000",
	"expect m:2.status == SUCCESS",
	"echo PTE-swap proof: VP 1 reads the new page after the released flush",
	"expect m:2.verified == 1",
	"expect m:1.stale == 0",
	"suspend $F 1",
	"translate $F 1 " TEST_GVA " r",
	"expect $gpa != $oldgpa",
	"vpeek $F 1 " TEST_GVA,
	"expect $value == h:expected",
	"resume $F 1",
	"reset",
	NULL,
};
const struct scenario sc_translate_inhibit = {
	"translate-inhibit", "translate with TLB_FLUSH_INHIBIT holds a changed PTE's flush until the clear", inhibit_flow
};

static const char *const race[] = {
	SC_START,
	"translate-race cycles=2000 control",
	"translate-race",
	"reset",
	NULL,
};
const struct scenario sc_translate_race = { "translate-race", "10^5 translate/flush/clear cycles with a watchdog, and its control",
					    race };

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
 * swaps the test PTE and flushes VP 1 without end (swap n maps page_gpa[n & 1]; `done` counts the flush
 * calls that returned, so F = swaps whose flush completed). Per cycle: translate the test GVA with
 * TLB_FLUSH_INHIBIT (GPA G); read the PTE (P), then VP 0's `done` (F); clear the flag
 * (MINIHV_CALL_SET_TLB_FLUSH_INHIBIT and HvSetVpRegisters in turn).
 * While the flag is set VP 0 can swap once more (to F + 1) and then waits, so a walk made after the flag
 * saw swap F or F + 1: G is page[F & 1], or it is page[(F + 1) & 1] and then the PTE already names it.
 * Watchdog: G is neither (a translation older than a completed flush, returned with the flag set), or
 * VP 0 made no progress for 5000 cycles (a lost wake-up). control: translate without the flag and set it
 * afterwards, the order with a window; the watchdog must see stale translations then, or it proves
 * nothing (it sees those that VP 0 did not swap back over before the flag, not all).
 */
bool cmd_translate_race(int argc, char **argv)
{
	u32 pid = mg_target;
	u64 cycles = 100000;
	const char *s;
	bool control = arg_flag(argc, argv, "control");
	if ((s = arg_kv(argc, argv, "cycles")) && !arg_u64(s, "cycles", &cycles))
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
	u64 start = rdtsc(), held = 0, stale = 0, last_d = d0, still = 0;
	u64 flags = HV_TRANSLATE_GVA_VALIDATE_READ | (control ? 0 : HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT);
	for (u64 i = 0; i < cycles; i++) {
		u64 result, gpa_page, pte, d;
		if (mg_translate(pid, 1, MAILBOX_TEST_GVA, flags, 0, false, &result, &gpa_page))
			return fail("cycle %lu: translate failed: HV_STATUS_%s", i, hv_status_name(mg_status));
		if ((u32)result != HV_TRANSLATE_GVA_SUCCESS)
			return fail("cycle %lu: translate returned result code %u", i, (u32)result);
		if (control && mg_set_inhibit(pid, 1, true))
			return fail("cycle %lu: inhibit failed: HV_STATUS_%s", i, hv_status_name(mg_status));
		/* PTE first, then done: a done++ still on its way only makes F one less, never the PTE newer. */
		if (!mb_word(pid, h.pte_gpa, &pte) || !mb_word(pid, SLOT_DONE(0), &d))
			return false;
		u64 g = gpa_page << 12, f = h.swaps + (d - d0);
		if (g != h.page_gpa[f & 1]) {
			if ((pte & PTE_ADDR_MASK) == g) {
				held++; /* the walk saw the swap whose flush now waits for the clear */
			} else {
				stale++;
				if (!control)
					return fail("cycle %lu: watchdog: GPA %#lx returned, but swap %lu (to %#lx) was flushed and "
						    "the flush completed before the clear", i, g, f, h.page_gpa[f & 1]);
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
