/* Console on minihv's emulated 16550 at COM1. Each VP collects a line and writes it whole under one
 * partition-wide lock; minihv prints each line it receives prefixed with the partition name. */
#include "guest.h"

#define COM1 0x3f8
#define UART_THR 0 /* write */
#define UART_RBR 0 /* read */
#define UART_LSR 5
#define LSR_DR BIT(0)
#define LSR_THRE BIT(5)

struct line {
	u32 len;
	char buf[CONSOLE_LINE_MAX];
};

static struct line lines[MINIHV_MAX_VPS];
static spinlock_t console_lock = SPINLOCK_INIT;
static volatile u32 console_owner; /* VP index + 1 of the holder, 0 when free */

static void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		while (!(inb(COM1 + UART_LSR) & LSR_THRE))
			cpu_relax();
		outb(COM1 + UART_THR, (u8)s[i]);
	}
}

static void line_flush(u32 vp, struct line *l)
{
	if (!l->len)
		return;
	/* An interrupt handler that prints while its VP holds the lock must not deadlock: it writes
	 * without taking the lock again (its text lands inside the interrupted line). */
	bool nested = atomic_load_u32(&console_owner) == vp + 1;
	if (!nested) {
		spin_lock(&console_lock);
		atomic_store_u32(&console_owner, vp + 1);
	}
	u32 len = l->len;
	l->len = 0;
	uart_write(l->buf, len);
	if (!nested) {
		atomic_store_u32(&console_owner, 0);
		spin_unlock(&console_lock);
	}
}

static void line_put(u32 vp, struct line *l, char c)
{
	l->buf[l->len++] = c;
	if (c == '\n' || l->len == sizeof(l->buf))
		line_flush(vp, l);
}

int putchar(int c)
{
	u32 vp = this_vp();
	line_put(vp, &lines[vp], (char)c);
	return (u8)c;
}

int puts(const char *s)
{
	u32 vp = this_vp();
	while (*s)
		line_put(vp, &lines[vp], *s++);
	line_put(vp, &lines[vp], '\n');
	return 0;
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[CONSOLE_LINE_MAX];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	u32 vp = this_vp();
	for (const char *p = buf; *p; p++)
		line_put(vp, &lines[vp], *p);
	if (n >= (int)sizeof(buf) && buf[sizeof(buf) - 2] != '\n')
		line_put(vp, &lines[vp], '\n'); /* truncated: still end the line */
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void console_flush(void)
{
	u32 vp = this_vp();
	line_flush(vp, &lines[vp]);
}

int console_getc(void)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DR))
		return -1;
	return inb(COM1 + UART_RBR);
}
