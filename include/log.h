/* The hypervisor console: COM1 (and optionally port 0xE9), one whole line at a time, prefixed with the CPU. */
#ifndef MINIHV_LOG_H
#define MINIHV_LOG_H

#include <stdarg.h>
#include "types.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void console_init(void);
/* Options: "e9" mirrors output to port 0xE9; "loglevel=error|warn|info|debug". */
void console_configure(const char *opts);
/* Called once GS base points at the boot CPU's struct cpu: from then on lines name their CPU. */
void console_cpu_ready(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap);
/* A guest console line: printed as "cpuN: [tag] text". */
void console_guest_line(const char *tag, const char *text, size_t len);
/* The next byte typed on the console (drains the UART first), or -1. One caller at a time. */
int console_getc(void);
/* VECTOR_CONSOLE's work: the UART's receive FIFO into the input ring (console_getc takes it from there). */
void console_rx_interrupt(void);
/* Typed bytes lost so far: COM1's receive FIFO overran (LSR.OE) or the input ring was full. */
u32 console_rx_lost(void);
/* Whether input arrives by interrupt; otherwise CPU 0 polls every CONSOLE_POLL_NO_IRQ_US. */
bool console_rx_by_interrupt(void);
/* A 16-byte receive FIFO lasts 1.4 ms at 115200 baud: a poller must come back sooner. */
#define CONSOLE_POLL_NO_IRQ_US 1000
/* Writes raw text under the console lock (register dumps, banners). */
void console_puts(const char *s);

#define pr_err(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Stops this CPU with a message; the other CPUs keep going. */
NORETURN void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
