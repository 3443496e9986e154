/* 16550 UART on COM1, polled: usable from VMX root with interrupts off. */
#include "serial.h"
#include "x86.h"

#define COM1 0x3f8
#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_DLL 0
#define UART_DLM 1
#define UART_FCR 2
#define UART_IIR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static bool present;
/* With the 16550's FIFO on, THRE means the whole transmit FIFO is empty: that many bytes can follow
 * without looking at LSR again. Under Bochs a byte takes 8 700 ticks on the line at 115200 baud, so
 * waiting before each one made every line minihv prints (and every guest line it forwards) stall the
 * CPU for all of it; now the first 16 bytes of a line go at once. */
#define UART_FIFO_SIZE 16
static u32 tx_load = 1, tx_room;

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);  /* DLAB */
	outb(COM1 + UART_DLL, 1);     /* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03);  /* 8N1 */
	outb(COM1 + UART_FCR, 0xc7);  /* FIFO on, cleared */
	outb(COM1 + UART_MCR, 0x03);  /* DTR, RTS; no loopback */
	/* IIR[7:6] = 11: a 16550A whose FIFO is on; an 8250/16450 (or a 16550 with the FIFO bug) has none. */
	tx_load = (inb(COM1 + UART_IIR) & 0xc0) == 0xc0 ? UART_FIFO_SIZE : 1;
	tx_room = 0;
	/* No UART answers 0xff on LSR: then writing would spin forever. */
	present = inb(COM1 + UART_LSR) != 0xff;
}

void serial_putc(char c)
{
	if (!present)
		return;
	if (!tx_room) {
		for (int spin = 0; spin < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); spin++)
			__asm__ volatile("pause");
		tx_room = tx_load;
	}
	outb(COM1 + UART_THR, (u8)c);
	tx_room--;
}

void serial_drain(void)
{
	/* Until the transmitter is empty: a power-off must not cut the last line short. */
	for (int spin = 0; present && spin < 1000000 && !(inb(COM1 + UART_LSR) & LSR_TEMT); spin++)
		__asm__ volatile("pause");
}

int serial_getc(void)
{
	if (!present || !(inb(COM1 + UART_LSR) & LSR_DR))
		return -1;
	return inb(COM1 + UART_RBR);
}
