/* Per-CPU VP scheduler. */
#include "core.h"
#include "trap.h"
#include "x86.h"

void kick_interrupt(void)
{
}

NORETURN void core_cpu_loop(struct cpu *c)
{
	(void)c;
	for (;;) {
		cli();
		sti_hlt();
	}
}
