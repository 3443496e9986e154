/* Each partition's emulated COM1 (vdev/vuart.c): called by the I/O exit (vmx/io.c), the scheduler's
 * console poll (vmx/sched.c) and the end of a partition (hv/partition.c). */
#ifndef MINIHV_VUART_H
#define MINIHV_VUART_H

#include "spinlock.h"
#include "types.h"

struct partition;

/* The 16550's registers as the guest sees them, an output line being collected and the input queue. */
struct vuart {
	spinlock_t lock;
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	u32 line_len;
	char line[200];
	u32 rx_head, rx_tail;
	u8 rx[256];
};

/* Port I/O from a guest: false when the port is not COM1's (the caller then decides). */
bool vuart_io(struct partition *p, u16 port, bool in, u32 *value);
/* Polls the physical console for input (Ctrl-A three times switches the input partition). */
void vuart_poll_input(void);
/* Moves console input on when the partition that has it finishes. */
void vuart_partition_finished(struct partition *p);

#endif
