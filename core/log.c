/* Console output: each line is formatted into a buffer, then written whole under one lock,
 * so lines from different CPUs never interleave. */
#include "cpu.h"
#include "lib.h"
#include "log.h"
#include "serial.h"
#include "spinlock.h"
#include "x86.h"

static spinlock_t console_lock = SPINLOCK_INIT;
static bool mirror_e9;
static enum log_level max_level = LOG_INFO;
static volatile bool gs_ready; /* before GS base is set, lines carry "cpu?" */

static const char *const level_tag[] = { "error: ", "warning: ", "", "debug: " };

void console_init(void)
{
	serial_init();
}

void console_configure(const char *opts)
{
	char v[16];
	if (option_get(opts, "e9", v, sizeof(v)))
		mirror_e9 = strcmp(v, "0") && strcmp(v, "off");
	if (option_get(opts, "loglevel", v, sizeof(v))) {
		if (!strcmp(v, "error"))
			max_level = LOG_ERROR;
		else if (!strcmp(v, "warn"))
			max_level = LOG_WARN;
		else if (!strcmp(v, "info"))
			max_level = LOG_INFO;
		else if (!strcmp(v, "debug"))
			max_level = LOG_DEBUG;
	}
}

void console_cpu_ready(void)
{
	gs_ready = true;
}

static void emit(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s);
		if (mirror_e9)
			outb(0xe9, (u8)*s);
	}
}

void console_puts(const char *s)
{
	spin_lock(&console_lock);
	emit(s);
	spin_unlock(&console_lock);
}

static int cpu_prefix(char *buf, size_t size)
{
	/* Before GS base is set only the boot CPU runs (APs set it before they print). */
	if (!gs_ready)
		return snprintf(buf, size, "cpu0: ");
	return snprintf(buf, size, "cpu%u: ", this_cpu()->index);
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[512];
	if (level > max_level)
		return;
	int n = cpu_prefix(line, sizeof(line));
	n += snprintf(line + n, sizeof(line) - n, "%s", level_tag[level]);
	if (n < (int)sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n] = '\n';
	line[n + 1] = 0;
	console_puts(line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void console_guest_line(const char *tag, const char *text, size_t len)
{
	char line[512];
	int n = cpu_prefix(line, sizeof(line));
	n += snprintf(line + n, sizeof(line) - n, "[%s] ", tag);
	len = MIN(len, sizeof(line) - n - 2);
	memcpy(line + n, text, len);
	n += len;
	line[n] = '\n';
	line[n + 1] = 0;
	console_puts(line);
}

int console_getc(void)
{
	return serial_getc(); /* its own lock: reading input never waits for a line being written */
}

void console_rx_interrupt(void)
{
	serial_rx_drain();
}

u32 console_rx_lost(void)
{
	return serial_rx_lost();
}

bool console_rx_by_interrupt(void)
{
	return serial_rx_interrupt_on();
}

NORETURN void panic(const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("PANIC: %s; this CPU stops here", msg);
	cpu_halt_forever();
}
