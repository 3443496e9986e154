/* 16550 UART on COM1 (PC16550D datasheet). Output is polled: usable from VMX root with interrupts off.
 * Input must not overflow the UART's 16-byte receive FIFO (1.4 ms at 115200 baud), so every reader
 * drains the FIFO into a 4 KiB ring: the receive interrupt (serial_rx_interrupt, when the I/O APIC
 * routes it), a transmitter waiting for THRE (a long line takes ms), and the console pollers. */
#include "byte_ring.h"
#include "serial.h"
#include "spinlock.h"
#include "x86.h"

#define COM1 0x3f8
#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_DLL 0
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define IER_ERBFI 0x01
#define FCR_ENABLE_CLEAR_TRIGGER1 0x07 /* FIFOs on, both cleared, RDA at 1 byte: 15 bytes of headroom */
#define MCR_DTR_RTS 0x03
#define MCR_OUT2 0x08 /* on a PC, gates the UART's INTR onto IRQ 4 */
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define RX_DRAIN_MAX 64 /* a FIFO holds 16; more means a byte arrived each read: let the next call go on */

static bool present;
static bool rx_irq;
static spinlock_t rx_lock = SPINLOCK_INIT; /* the producer side of rx: whoever reads RBR */
static struct byte_ring rx;
static u32 rx_lost; /* bytes the UART overran (LSR.OE) or the ring had no room for */
static u32 rx_count, drop_every; /* test-console-drop=N: every Nth byte is thrown away */

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);  /* DLAB */
	outb(COM1 + UART_DLL, 1);     /* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03);  /* 8N1 */
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR_TRIGGER1);
	outb(COM1 + UART_MCR, MCR_DTR_RTS); /* no loopback; OUT2 only once the interrupt is routed */
	/* No UART answers 0xff on LSR: then writing would spin forever. */
	present = inb(COM1 + UART_LSR) != 0xff;
}

void serial_enable_rx_interrupt(void)
{
	if (!present)
		return;
	outb(COM1 + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
	outb(COM1 + UART_IER, IER_ERBFI);
	rx_irq = true;
	serial_rx_drain(); /* bytes already waiting raised no edge: take them now */
}

/* Moves what the receive FIFO holds into the ring. Called with rx_lock held. Ends with LSR.DR clear
 * (unless bytes keep coming), so INTR drops and the next byte is a fresh edge at the I/O APIC. */
static void drain_locked(u8 lsr)
{
	for (int n = 0; n < RX_DRAIN_MAX && (lsr & LSR_DR); n++) {
		if (lsr & LSR_OE)
			__atomic_fetch_add(&rx_lost, 1, __ATOMIC_RELAXED);
		u8 c = inb(COM1 + UART_RBR);
		bool drop = drop_every && ++rx_count % drop_every == 0;
		if (drop || !byte_ring_push(&rx, c))
			__atomic_fetch_add(&rx_lost, 1, __ATOMIC_RELAXED);
		lsr = inb(COM1 + UART_LSR);
	}
}

void serial_rx_drain(void)
{
	if (!present)
		return;
	spin_lock(&rx_lock);
	drain_locked(inb(COM1 + UART_LSR));
	spin_unlock(&rx_lock);
}

void serial_putc(char c)
{
	if (!present)
		return;
	for (int spin = 0; spin < 100000; spin++) {
		u8 lsr = inb(COM1 + UART_LSR);
		if ((lsr & LSR_OE) && !(lsr & LSR_DR))
			__atomic_fetch_add(&rx_lost, 1, __ATOMIC_RELAXED); /* (with DR, drain_locked counts it) */
		if ((lsr & LSR_DR) && spin_trylock(&rx_lock)) {
			drain_locked(lsr); /* input keeps arriving while a long line goes out */
			spin_unlock(&rx_lock);
		}
		if (lsr & LSR_THRE)
			break;
		__asm__ volatile("pause");
	}
	outb(COM1 + UART_THR, (u8)c);
}

void serial_drain(void)
{
	/* Until the transmitter is empty: a power-off must not cut the last line short. */
	for (int spin = 0; present && spin < 1000000 && !(inb(COM1 + UART_LSR) & LSR_TEMT); spin++)
		__asm__ volatile("pause");
}

int serial_getc(void)
{
	serial_rx_drain();
	return byte_ring_pop(&rx);
}

void serial_test_drop(u32 every)
{
	drop_every = every;
}

bool serial_rx_interrupt_on(void)
{
	return rx_irq;
}

u32 serial_rx_lost(void)
{
	return __atomic_load_n(&rx_lost, __ATOMIC_RELAXED);
}
