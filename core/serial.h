/* COM1 16550: polled output; input drained into a ring by the receive interrupt and by every reader. */
#ifndef MINIHV_SERIAL_H
#define MINIHV_SERIAL_H

#include "types.h"

#define COM1_IRQ 4 /* ISA IRQ of COM1 on a PC */

void serial_init(void);
void serial_putc(char c);
/* Waits until the transmitter is empty. */
void serial_drain(void);
/* Sets IER.ERBFI and MCR.OUT2: the UART raises IRQ 4 when a byte arrives (serial_rx_drain takes it). */
void serial_enable_rx_interrupt(void);
/* Whether serial_enable_rx_interrupt ran. */
bool serial_rx_interrupt_on(void);
/* Moves the bytes in the UART's receive FIFO into the ring (the receive interrupt's work). */
void serial_rx_drain(void);
/* The next input byte, or -1. One consumer at a time (the caller serialises). */
int serial_getc(void);
/* Test only (option test-console-drop=N): lose every Nth input byte, as an overrun would. */
void serial_test_drop(u32 every);
/* Input bytes lost so far: the UART's FIFO overran (LSR.OE) or the ring was full. */
u32 serial_rx_lost(void);

#endif
