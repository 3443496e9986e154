/* Each partition's COM1: a 16550A (National Semiconductor PC16550D datasheet) with an infinitely fast
 * transmitter. Output is collected into lines printed with the partition's name; input comes from the
 * physical console to one partition at a time (the management partition first; Ctrl-A three times
 * moves it on, as Xen does). Interrupts follow the datasheet's IER/IIR rules and reach IRQ 4 of the
 * partition's 8259 through MCR.OUT2, as on a PC; a guest may as well poll LSR. */
#include "console_switch.h"
#include "lib.h"
#include "log.h"
#include "partition.h"
#include "vpic.h"
#include "vuart.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ 4
/* registers (offset from the base) */
#define UART_RBR 0 /* read, DLAB = 0 */
#define UART_THR 0 /* write, DLAB = 0 */
#define UART_IER 1
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7
#define IER_ERBFI 0x01 /* received data available */
#define IER_ETBEI 0x02 /* transmitter holding register empty */
#define IIR_NO_INT 0x01
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_FIFO 0xc0  /* FIFOs enabled */
#define FCR_FIFO_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08  /* on a PC: connects the UART's INTR to the interrupt controller */
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

static spinlock_t input_lock = SPINLOCK_INIT;
static u32 input_focus;   /* index into partitions[] */
static struct console_switch ctrl_a;
static u32 lost_reported; /* console_rx_lost() when last reported */
static bool focus_chosen;

static void flush_line(struct partition *p)
{
	console_guest_line(p->name, p->uart.line, p->uart.line_len);
	p->uart.line_len = 0;
}

static void tx(struct partition *p, u8 c)
{
	struct vuart *u = &p->uart;
	if (c == '\r')
		return;
	if (c == '\n') {
		flush_line(p);
		return;
	}
	u->line[u->line_len++] = (char)c;
	if (u->line_len == sizeof(u->line))
		flush_line(p); /* a very long line is split rather than lost */
}

static void rx_arrived(struct partition *p);

static void choose_focus(void)
{
	if (focus_chosen)
		return;
	for (u32 i = 0; i < partition_count; i++)
		if (partitions[i].role == ROLE_MANAGEMENT)
			input_focus = i;
	focus_chosen = true;
}

/* The next partition after from that can still read input; from itself when there is none. */
static u32 next_focus(u32 from)
{
	for (u32 n = 1; n <= partition_count; n++) {
		u32 i = (from + n) % partition_count;
		if (!partitions[i].finished)
			return i;
	}
	return from;
}

void vuart_partition_finished(struct partition *p)
{
	spin_lock(&input_lock);
	choose_focus();
	if (&partitions[input_focus] == p && next_focus(input_focus) != input_focus) {
		input_focus = next_focus(input_focus);
		pr_info("minihv: partition %s has finished; console input now goes to partition %s", p->name,
			partitions[input_focus].name);
	}
	spin_unlock(&input_lock);
}

/* Called under input_lock. A guest that has left 4 KiB of input unread is not reading: drop (LSR.OE,
 * one log line) rather than hold the console, so that Ctrl-A three times always reaches the others. */
static void deliver(struct partition *p, u8 c)
{
	struct vuart *u = &p->uart;
	if (byte_ring_push(&u->rx, c)) {
		u->rx_full_logged = false;
		return;
	}
	__atomic_store_n(&u->rx_overrun, true, __ATOMIC_RELEASE);
	u->rx_dropped++;
	if (!u->rx_full_logged)
		pr_warn("console input for partition %s dropped: it has not read the %u bytes before it", p->name,
			BYTE_RING_SIZE);
	u->rx_full_logged = true;
}

void vuart_poll_input(void)
{
	if (!partition_count || !spin_trylock(&input_lock))
		return;
	choose_focus();
	u32 got = 0; /* partitions that received bytes */
	int c;
	while ((c = console_getc()) >= 0) {
		u8 out[3];
		int n = console_switch_feed(&ctrl_a, (u8)c, out);
		if (n == CONSOLE_SWITCH) {
			input_focus = next_focus(input_focus);
			pr_info("minihv: console input now goes to partition %s (Ctrl-A three times to switch)",
				partitions[input_focus].name);
			continue;
		}
		for (int i = 0; i < n; i++)
			deliver(&partitions[input_focus], out[i]);
		if (n)
			got |= 1u << input_focus;
	}
	u32 lost = console_rx_lost();
	if (lost != lost_reported)
		pr_warn("console: %u typed byte(s) lost before minihv could read them (COM1's receive FIFO "
			"overran or the input ring was full)", lost - lost_reported);
	lost_reported = lost;
	spin_unlock(&input_lock);
	for (u32 i = 0; got; i++, got >>= 1)
		if (got & 1)
			rx_arrived(&partitions[i]); /* RDA interrupt */
}

void vuart_init(struct partition *p)
{
	p->uart.lock = (spinlock_t)SPINLOCK_INIT;
	p->uart.thre_pending = false;
	p->uart.irq_level = false;
}

static bool rx_ready(const struct vuart *u)
{
	return !byte_ring_empty(&u->rx);
}

/* The highest-priority interrupt pending (datasheet priority: line status, received data, THR
 * empty, modem status; no line-status errors or modem-status changes happen here). */
static u8 iir_id(const struct vuart *u)
{
	if ((u->ier & IER_ERBFI) && rx_ready(u))
		return IIR_RDA;
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	return IIR_NO_INT;
}

/* Drives IRQ 4 from INTR gated by OUT2. Called with the UART lock held (order: UART, then PIC). */
static void update_irq(struct partition *p)
{
	struct vuart *u = &p->uart;
	bool level = (u->mcr & MCR_OUT2) && iir_id(u) != IIR_NO_INT;
	if (level == u->irq_level)
		return;
	u->irq_level = level;
	vpic_set_irq(p, COM1_IRQ, level);
}

static void rx_arrived(struct partition *p)
{
	spin_lock(&p->uart.lock);
	update_irq(p);
	spin_unlock(&p->uart.lock);
}

static u8 msr(const struct vuart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	/* Loopback: the modem-control outputs come back as the modem-status inputs. */
	return (u8)(((u->mcr & MCR_DTR) ? MSR_DSR : 0) | ((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
		    ((u->mcr & MCR_OUT1) ? MSR_RI : 0) | ((u->mcr & MCR_OUT2) ? MSR_DCD : 0));
}

static void write_thr(struct partition *p, u8 c)
{
	struct vuart *u = &p->uart;
	/* Writing THR clears the THRE interrupt; the character leaves at once and THR is empty again,
	 * so the interrupt returns: IRQ 4 drops and rises, an edge the 8259 latches. */
	u->thre_pending = false;
	update_irq(p);
	tx(p, c);
	u->thre_pending = true;
	update_irq(p);
}

bool vuart_io(struct partition *p, u16 port, bool in, u32 *value)
{
	if (port < COM1_BASE || port > COM1_BASE + 7)
		return false;
	struct vuart *u = &p->uart;
	spin_lock(&u->lock);
	bool dlab = u->lcr & LCR_DLAB;
	u8 v = (u8)*value;
	switch (port - COM1_BASE) {
	case UART_RBR:
		if (dlab) {
			if (in)
				*value = u->dll;
			else
				u->dll = v;
		} else if (in) {
			int c = byte_ring_pop(&u->rx);
			*value = c >= 0 ? (u32)c : 0;
		} else {
			write_thr(p, v);
		}
		break;
	case UART_IER:
		if (dlab) {
			if (in)
				*value = u->dlm;
			else
				u->dlm = v;
		} else if (in) {
			*value = u->ier;
		} else {
			/* Enabling ETBEI while THR is empty raises THRE (Linux's startup checks for this). */
			if (!(u->ier & IER_ETBEI) && (v & IER_ETBEI))
				u->thre_pending = true;
			u->ier = v & 0x0f;
		}
		break;
	case UART_IIR:
		if (in) {
			u8 id = iir_id(u);
			if (id == IIR_THRE)
				u->thre_pending = false; /* reading IIR that reports THRE clears it */
			*value = id | ((u->fcr & FCR_FIFO_ENABLE) ? IIR_FIFO : 0);
		} else {
			u->fcr = v;
			if ((v & FCR_FIFO_ENABLE) && (v & FCR_CLEAR_RX))
				byte_ring_clear(&u->rx);
		}
		break;
	case UART_LCR:
		if (in)
			*value = u->lcr;
		else
			u->lcr = v;
		break;
	case UART_MCR:
		if (in)
			*value = u->mcr;
		else
			u->mcr = v & 0x1f;
		break;
	case UART_LSR:
		if (in) {
			spin_unlock(&u->lock);
			/* A guest waiting for input polls LSR: that is when the real UART is worth reading. */
			if (!rx_ready(u) && p == &partitions[input_focus])
				vuart_poll_input();
			spin_lock(&u->lock);
			bool oe = __atomic_exchange_n(&u->rx_overrun, false, __ATOMIC_ACQ_REL);
			*value = LSR_THRE | LSR_TEMT | (rx_ready(u) ? LSR_DR : 0) | (oe ? LSR_OE : 0);
		}
		break;
	case UART_MSR:
		if (in)
			*value = msr(u);
		break;
	case UART_SCR:
		if (in)
			*value = u->scr;
		else
			u->scr = v;
		break;
	}
	update_irq(p);
	spin_unlock(&u->lock);
	return true;
}
