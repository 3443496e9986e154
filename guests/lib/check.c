/* Test conventions: "PASS <what>" lines and exit 0 on success, "FAIL: <message>" and exit 1 otherwise. */
#include "guest.h"

void guest_fail(const char *fmt, ...)
{
	char msg[CONSOLE_LINE_MAX - 16];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("FAIL: %s\n", msg);
	guest_exit(1);
}

void guest_fail_at(const char *file, int line, const char *fmt, ...)
{
	char msg[CONSOLE_LINE_MAX - 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("FAIL: %s (vp %u, %s:%d)\n", msg, this_vp(), file, line);
	guest_exit(1);
}

void guest_pass(const char *fmt, ...)
{
	char msg[CONSOLE_LINE_MAX - 16];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("PASS %s\n", msg);
}
