/* Each partition's emulated COM1 (vdev/vuart.c, 0x3F8-0x3FF): a 16550A whose interrupts go to IRQ 4 of
 * the partition's 8259 (PC partitions). Called by the I/O exit (vmx/io.c), the scheduler's console poll
 * (vmx/sched.c) and the build and end of a partition (hv/partition.c). */
#ifndef MINIHV_VUART_H
#define MINIHV_VUART_H

#include "byte_ring.h"
#include "spinlock.h"
#include "types.h"

struct partition;

struct vuart {
	spinlock_t lock;
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;   /* the THRE interrupt source is active (16550: cleared by IIR read or THR write) */
	bool irq_level;      /* what the UART drives on IRQ 4 now */
	u32 line_len;
	char line[200];
	/* The receive FIFO as the guest sees it: everything typed that it has not read yet (4 KiB, a pasted
	 * line fits). vuart_poll_input produces under the input lock, the guest consumes under lock. */
	struct byte_ring rx;
	bool rx_overrun;     /* LSR.OE: a byte was dropped because rx was full; cleared by reading LSR */
	bool rx_full_logged; /* said once per episode that input is being dropped */
	u32 rx_dropped;
};

void vuart_init(struct partition *p);
/* A port access; false when port is not COM1's. */
bool vuart_io(struct partition *p, u16 port, bool in, u32 *value);
/* Hands what was typed on the console to the partition that has the keyboard (Ctrl-A three times
 * switches it) and raises its RDA interrupt. Any CPU; the UART's receive interrupt and CPU 0's
 * scheduler call it, and so does a guest polling LSR. */
void vuart_poll_input(void);
/* Moves console input on when the partition that has it finishes. */
void vuart_partition_finished(struct partition *p);

#endif
