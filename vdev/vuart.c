/* Each partition's COM1: a 16550 that a guest drives with polled I/O. Output is collected into lines
 * printed with the partition's name; input comes from the physical console to one partition at a time
 * (the management partition first; Ctrl-A three times moves it on, as Xen does). */
#include "lib.h"
#include "log.h"
#include "partition.h"
#include "vuart.h"

#define COM1_BASE 0x3f8
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define CTRL_A 0x01

static spinlock_t input_lock = SPINLOCK_INIT;
static u32 input_focus;   /* index into partitions[] */
static u32 ctrl_a_count;
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

void vuart_poll_input(void)
{
	if (!partition_count || !spin_trylock(&input_lock))
		return;
	choose_focus();
	int c;
	while ((c = console_getc()) >= 0) {
		if (c == CTRL_A) {
			if (++ctrl_a_count == 3) {
				ctrl_a_count = 0;
				input_focus = next_focus(input_focus);
				pr_info("minihv: console input now goes to partition %s (Ctrl-A three times to switch)",
					partitions[input_focus].name);
			}
			continue;
		}
		/* Ctrl-A presses that did not make three are passed on. */
		struct vuart *u = &partitions[input_focus].uart;
		for (; ctrl_a_count; ctrl_a_count--)
			if ((u32)(u->rx_tail - u->rx_head) < sizeof(u->rx)) {
				u->rx[u->rx_tail % sizeof(u->rx)] = CTRL_A;
				__atomic_store_n(&u->rx_tail, u->rx_tail + 1, __ATOMIC_RELEASE);
			}
		if ((u32)(u->rx_tail - u->rx_head) < sizeof(u->rx)) {
			u->rx[u->rx_tail % sizeof(u->rx)] = (u8)c;
			/* the byte is in place before the guest (under the UART lock) can see the new tail */
			__atomic_store_n(&u->rx_tail, u->rx_tail + 1, __ATOMIC_RELEASE);
		}
	}
	spin_unlock(&input_lock);
}

bool vuart_io(struct partition *p, u16 port, bool in, u32 *value)
{
	if (port < COM1_BASE || port > COM1_BASE + 7)
		return false;
	struct vuart *u = &p->uart;
	bool dlab = u->lcr & 0x80;
	spin_lock(&u->lock);
	switch (port - COM1_BASE) {
	case 0:
		if (dlab) {
			if (in)
				*value = u->dll;
			else
				u->dll = (u8)*value;
		} else if (in) {
			*value = u->rx_head != u->rx_tail ? u->rx[u->rx_head++ % sizeof(u->rx)] : 0;
		} else {
			tx(p, (u8)*value);
		}
		break;
	case 1:
		if (dlab) {
			if (in)
				*value = u->dlm;
			else
				u->dlm = (u8)*value;
		} else if (in) {
			*value = u->ier;
		} else {
			u->ier = (u8)*value & 0x0f;
		}
		break;
	case 2:
		if (in)
			*value = 0xc1; /* no interrupt pending, FIFOs enabled */
		else
			u->fcr = (u8)*value;
		break;
	case 3:
		if (in)
			*value = u->lcr;
		else
			u->lcr = (u8)*value;
		break;
	case 4:
		if (in)
			*value = u->mcr;
		else
			u->mcr = (u8)*value & 0x1f;
		break;
	case 5:
		if (in) {
			spin_unlock(&u->lock);
			/* A guest waiting for input polls LSR: that is when the real UART is worth reading. */
			if (u->rx_head == u->rx_tail && p == &partitions[input_focus])
				vuart_poll_input();
			spin_lock(&u->lock);
			*value = LSR_THRE | LSR_TEMT | (u->rx_head != u->rx_tail ? LSR_DR : 0);
		}
		break;
	case 6:
		if (in)
			*value = 0xb0; /* DCD, DSR, CTS */
		break;
	case 7:
		if (in)
			*value = u->scr;
		else
			u->scr = (u8)*value;
		break;
	}
	spin_unlock(&u->lock);
	return true;
}
