/* The KVM selftest's three scenarios (tlfs-flush.md §6.5, §10 cases 34-36) with the PTE-swap check after
 * the release, and the target-set cases (37-39, 43, 45). Step syntax: script.c, mailbox.c. In the flush
 * commands `swap verify` makes the flusher swap the test PTE before the call and, after it, wait until
 * every reading target sees the new page (m:V.verified counts the calls for which they all did). */
#include "mgmt.h"
#include "scenarios.h"

/* Reader VPs up and checking the test page before anything is swapped. */
#define READERS_1_2 "fl 1 read", "fl 2 read", "wait m:1.checked > 100", "wait m:2.checked > 100"

static const char *const single[] = {
	SC_START,
	"echo test_single: VP 1 inhibits; VP 0 flushes {0,1,2} (fast form, as the KVM selftest); 1 and 2 read",
	READERS_1_2,
	"inhibit $F 1",
	"set done m:0.done",
	"set entered m:0.entered",
	"set fs v:0.flush_space",
	"fl 0 flush form=fast targets=0-2 swap verify sti",
	"wait m:0.entered == $entered+1 2000",
	"wait v:0.state == suspended 2000",
	"state 0 suspended 1",
	"set exits v:0.exits",
	"set calls v:0.hypercalls",
	"set gtsc v:0.guest_tsc",
	"set recv1 v:1.flushes_received",
	"set recv2 v:2.flushes_received",
	"sleep 2000",
	"echo after 2 s: still suspended on VP 1; no exit, hypercall or guest time; nothing posted to a target",
	"state 0 suspended 1",
	"expect m:0.done == $done",
	"expect m:0.iteration == 1",
	"expect v:0.exits == $exits",
	"expect v:0.hypercalls == $calls",
	"expect v:0.guest_tsc == $gtsc",
	"expect v:1.flushes_received == $recv1",
	"expect v:2.flushes_received == $recv2",
	"echo probe: VP 2 sends VP 0 an IPI, which VP 0 can only take at the VMCALL boundary after the release",
	"fl 2 ipi to=0 vector=0x40",
	"wait m:2.state == mb_done 1000",
	"expect m:2.status == SUCCESS",
	"fl 2 read",
	"sleep 200",
	"expect m:0.irqs == 0",
	"state 0 suspended 1",
	"uninhibit $F 1",
	"wait m:0.done == $done+1 5000",
	"expect m:0.status == SUCCESS",
	"echo released: SUCCESS, and both targets read the new page (their TLBs were flushed after the release)",
	"expect m:0.verified == 1",
	"expect m:1.stale == 0",
	"expect m:2.stale == 0",
	"expect v:1.flushes_received == $recv1+1",
	"expect v:2.flushes_received == $recv2+1",
	"echo the IPI came at the VMCALL (RIP), with RAX and RCX as before the suspension, then the call returned",
	"expect m:0.irqs == 1",
	"expect m:0.order == 0x321",
	"expect m:0.irq_rip == h:vmcall_rip",
	"expect m:0.irq_rax == m:0.rax_in",
	"expect m:0.irq_rcx == 0x10002",
	"expect m:0.irq_done == $done",
	"echo GET_VP counted two HvCallFlushVirtualAddressSpace calls for VP 0 (the suspended one and its retry), none for VP 2",
	"expect v:0.flush_space == $fs+2",
	"expect v:0.flushes_requested >= 1",
	"expect v:2.flush_space == 0",
	"trace guests",
	"reset",
	NULL,
};
const struct scenario sc_inhibit_single = { "inhibit-single", "KVM test_single + PTE swap, counters, RIP/RAX (D34, D43)",
					    single };

static const char *const multi_flusher[] = {
	SC_START,
	"echo test_multi_flusher: VP 1 inhibits; VPs 0 and 2 flush {0,1,2}; one clear releases both",
	"fl 1 read",
	"wait m:1.checked > 100",
	"inhibit $F 1",
	"set d0 m:0.done",
	"set d2 m:2.done",
	"fl 0 flush form=fast targets=0-2 swap verify",
	"fl 2 flush targets=0-2",
	"wait v:0.state == suspended 2000",
	"wait v:2.state == suspended 2000",
	"sleep 500",
	"state 0 suspended 1",
	"state 2 suspended 1",
	"expect m:0.done == $d0",
	"expect m:2.done == $d2",
	"uninhibit $F 1",
	"wait m:0.done == $d0+1 5000",
	"wait m:2.done == $d2+1 5000",
	"expect m:0.status == SUCCESS",
	"expect m:2.status == SUCCESS",
	"expect m:0.verified == 1",
	"expect m:1.stale == 0",
	"reset",
	NULL,
};
const struct scenario sc_inhibit_multi_flusher = { "inhibit-multi-flusher", "KVM test_multi_flusher + PTE swap (D35)",
						   multi_flusher };

/* One flush against two inhibited targets: released only by the second clear, in either order. */
#define MULTI_INHIBITOR_ROUND(first, second, suspensions_after_first)                                      \
	"inhibit $F 1", "inhibit $F 2", "set d m:0.done", "set s v:0.suspensions",                               \
	"fl 0 flush form=fast targets=0-2 swap verify", "wait v:0.state == suspended 2000", "state 0 suspended 1", \
	"uninhibit $F " #first, "sleep 500", "state 0 suspended " #second, "expect m:0.done == $d",              \
	"expect v:0.suspensions == $s+" #suspensions_after_first, "uninhibit $F " #second,                       \
	"wait m:0.done == $d+1 5000", "expect m:0.status == SUCCESS", "expect m:0.verified == 1",                \
	"expect m:1.stale == 0", "expect m:2.stale == 0"

static const char *const multi_inhibitor[] = {
	SC_START,
	"echo test_multi_inhibitor: VPs 1 and 2 inhibit; VP 0 flushes {0,1,2}; clearing one is not enough",
	READERS_1_2,
	"echo clear VP 1 first: the retry finds VP 2 inhibited and suspends again, now on VP 2",
	MULTI_INHIBITOR_ROUND(1, 2, 2),
	"echo clear VP 2 first: VP 0 waits on VP 1 and is not woken at all",
	MULTI_INHIBITOR_ROUND(2, 1, 1),
	"trace guests",
	"reset",
	NULL,
};
const struct scenario sc_inhibit_multi_inhibitor = {
	"inhibit-multi-inhibitor", "KVM test_multi_inhibitor, both clear orders, + PTE swap (D36)", multi_inhibitor
};

/* count flush calls of one kind that must all succeed and be verified, without a suspension. */
#define FLUSH_OK(args, n)                                                                                       \
	"set d m:0.done", "fl 0 flush " args " count=" #n " swap verify", "wait m:0.done == $d+" #n " 20000",         \
	"expect m:0.status&0xffff == SUCCESS", "expect m:0.verified == " #n
/* One flush that must suspend on VP w and complete after w's clear. */
#define FLUSH_SUSPENDS(args, w)                                                                                 \
	"inhibit $F " #w, "set d m:0.done", "fl 0 flush " args " swap verify", "wait v:0.state == suspended 2000", \
	"state 0 suspended " #w, "uninhibit $F " #w, "wait m:0.done == $d+1 5000",                                \
	"expect m:0.status&0xffff == SUCCESS", "expect m:0.verified == 1"
/* One invalid flush: refused with INVALID_PARAMETER, at once. */
#define FLUSH_INVALID(args)                                                                                     \
	"set d m:0.done", "fl 0 flush " args, "wait m:0.done == $d+1 2000",                                          \
	"expect m:0.status&0xffff == INVALID_PARAMETER"

static const char *const sets[] = {
	SC_START,
	READERS_1_2,
	"echo D37: while VP 1 inhibits, flushes whose set leaves VP 1 out never suspend (each call, both forms)",
	"echo (VP 1 stops reading meanwhile: these flushes do not flush it, so it may keep the old page)",
	"fl 1 idle",
	"inhibit $F 1",
	"set s v:0.suspensions",
	FLUSH_OK("targets=0,2", 20),
	FLUSH_OK("call=list form=fast targets=2", 20),
	FLUSH_OK("call=space-ex form=fast targets=0,2", 20),
	FLUSH_OK("call=list-ex targets=2", 20),
	"expect v:0.suspensions == $s",
	"echo (reset flushes every VP, so VP 1 starts reading again from a clean TLB)",
	"reset",
	READERS_1_2,
	"echo D38: HV_FLUSH_ALL_PROCESSORS and HV_GENERIC_SET_ALL suspend while any VP inhibits",
	FLUSH_SUSPENDS("all targets=", 1),
	FLUSH_SUSPENDS("call=space-ex form=fast set-all", 2),
	FLUSH_SUSPENDS("call=list all targets=", 2),
	FLUSH_SUSPENDS("call=list-ex all targets=0", 1),
	"echo D45: invalid input naming an inhibited target gets its error at once, without a suspension",
	"inhibit $F 1",
	"set s v:0.suspensions",
	FLUSH_INVALID("targets=1 flags=0x402"),
	FLUSH_INVALID("targets="),
	FLUSH_INVALID("call=list targets=1 flags=0x6"),
	FLUSH_INVALID("call=space-ex targets=1 format=2"),
	FLUSH_INVALID("call=list-ex form=fast targets=1 flags=0xa"),
	"expect v:0.suspensions == $s",
	"expect m:1.stale == 0",
	"expect m:2.stale == 0",
	"reset",
	NULL,
};
const struct scenario sc_inhibit_sets = { "inhibit-sets", "sets without the inhibited VP, ALL/SET_ALL, invalid input (D37, D38, D45)",
					  sets };

/* count calls that must succeed without suspending (no readers here: VPs 64 and 65 halt). */
#define SPARSE_OK(args, n)                                                                                      \
	"set d m:0.done", "fl 0 flush " args " count=" #n, "wait m:0.done == $d+" #n " 20000",                       \
	"expect m:0.status&0xffff == SUCCESS"

static const char *const sparse[] = {
	"require-vps 66",
	SC_START,
	"echo D37, sparse VP sets: VP 64 inhibits; sets that do not name VP 64 never suspend",
	"inhibit $F 64",
	"set s v:0.suspensions",
	"set r64 v:64.flushes_received",
	"set r65 v:65.flushes_received",
	SPARSE_OK("call=space-ex targets=0", 10),
	SPARSE_OK("call=space-ex form=fast targets=0,2,65", 10),
	SPARSE_OK("call=list-ex targets=65", 10),
	SPARSE_OK("call=list-ex form=fast targets=1,63", 10),
	SPARSE_OK("targets=0-63", 10),
	SPARSE_OK("call=list form=fast targets=0-63", 10),
	"expect v:0.suspensions == $s",
	"expect v:64.flushes_received == $r64",
	"expect v:65.flushes_received == $r65+20",
	"uninhibit $F 64",
	"echo sets that name VP 64 (bank 1 alone, banks 0 and 1, ALL) suspend until its clear",
	"inhibit $F 64",
	"set d m:0.done",
	"fl 0 flush call=space-ex form=fast targets=64",
	"wait v:0.state == suspended 2000",
	"state 0 suspended 64",
	"uninhibit $F 64",
	"wait m:0.done == $d+1 5000",
	"expect m:0.status == SUCCESS",
	"expect v:64.flushes_received == $r64+1",
	"inhibit $F 64",
	"set d m:0.done",
	"fl 0 flush call=list-ex targets=0,64",
	"wait v:0.state == suspended 2000",
	"state 0 suspended 64",
	"uninhibit $F 64",
	"wait m:0.done == $d+1 5000",
	"expect m:0.status&0xffff == SUCCESS",
	"inhibit $F 64",
	"set d m:0.done",
	"fl 0 flush all targets=",
	"wait v:0.state == suspended 2000",
	"state 0 suspended 64",
	"uninhibit $F 64",
	"wait m:0.done == $d+1 5000",
	"expect m:0.status == SUCCESS",
	"expect v:64.flushes_received == $r64+3",
	"reset",
	NULL,
};
const struct scenario sc_inhibit_sparse = { "inhibit-sparse", "inhibit VP 64, flush {0}, {65}, {64} (D37; needs 66 VPs)",
					    sparse };

static const char *const all_or_nothing[] = {
	SC_START,
	READERS_1_2,
	"echo D39: VP 2 inhibits; VP 0 flushes {0,1,2}: while VP 0 waits, nothing reaches VP 0 or VP 1",
	"inhibit $F 2",
	"set r0 v:0.flushes_received",
	"set r1 v:1.flushes_received",
	"set r2 v:2.flushes_received",
	"set c1 v:1.flushes_completed",
	"set i1 v:1.invvpid",
	"set d m:0.done",
	"fl 0 flush targets=0-2 swap verify",
	"wait v:0.state == suspended 2000",
	"state 0 suspended 2",
	"sleep 500",
	"expect v:0.flushes_received == $r0",
	"expect v:1.flushes_received == $r1",
	"expect v:1.flushes_completed == $c1",
	"expect v:1.invvpid == $i1",
	"expect v:2.flushes_received == $r2",
	"echo D43: the suspended VP gets no CPU time: guest time and exits stand still, suspended time grows",
	"set g v:0.guest_tsc",
	"set e v:0.exits",
	"set st v:0.suspended_tsc",
	"sleep 500",
	"expect v:0.guest_tsc == $g",
	"expect v:0.exits == $e",
	"expect v:0.suspended_tsc > $st",
	"state 0 suspended 2",
	"uninhibit $F 2",
	"wait m:0.done == $d+1 5000",
	"expect m:0.status == SUCCESS",
	"expect m:0.verified == 1",
	"echo after the release every target got exactly this one flush",
	"expect v:0.flushes_received == $r0+1",
	"expect v:1.flushes_received == $r1+1",
	"expect v:2.flushes_received == $r2+1",
	"expect m:1.stale == 0",
	"expect m:2.stale == 0",
	"reset",
	NULL,
};
const struct scenario sc_inhibit_all_or_nothing = {
	"inhibit-all-or-nothing", "no target is flushed while the caller waits; no CPU time (D39, D43)", all_or_nothing
};
