/* The built-in scenario against an unmodified Linux partition (tests/configs/linux-inhibit.cfg): the
 * target is the Linux partition, "VP n" one of its VPs, and the workload is tests/linux/tlbstorm.c. */
#include "mgmt.h"
#include "scenarios.h"

/* Linux VP 0 and VP 1 both run tlbstorm threads; each munmap on one makes Linux flush the other through
 * HvFlushVirtualAddress{Space,List} with the other in the set. Inhibiting VP 1 suspends VP 0 at its next
 * such call; its successful-flush counter must then stand still until the flag is cleared. */
static const char *const linux_inhibit[] = {
	"echo waiting for tlbstorm: Linux VP 0 flushing through hypercalls",
	"wait v:0.flushes_requested > 100 100000000",
	"wait v:1.flushes_requested > 100 100000000",
	"inhibit $F 1",
	"wait v:0.state == suspended 100000000",
	"state 0 suspended 1",
	"set r v:0.flushes_requested",
	"sleep 300",
	"expect v:0.flushes_requested == $r",
	"state 0 suspended 1",
	"echo Linux VP 0 is suspended waiting on VP 1 and its flushes stand still",
	"uninhibit $F 1",
	"wait v:0.flushes_requested > $r 100000000",
	"echo released: Linux VP 0 flushes again",
	NULL,
};
const struct scenario sc_linux_inhibit = { "linux-inhibit",
					   "inhibit a Linux VP's flushes mid-workload, see the other suspended, clear",
					   linux_inhibit };
