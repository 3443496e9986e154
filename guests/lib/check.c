/* Test conventions: "PASS <what>" lines and exit 0 on success, "FAIL: <message>" and exit 1 otherwise.
 * The console collects a whole line per VP, so prefix, message and newline come out as one line. */
#include "guest.h"

void guest_vline(const char *prefix, const char *fmt, va_list ap)
{
	printf("%s", prefix);
	vprintf(fmt, ap);
	putchar('\n');
}

void guest_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	guest_vline("FAIL: ", fmt, ap);
	va_end(ap);
	guest_exit(1);
}

void guest_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (vp %u, %s:%d)\n", this_vp(), file, line);
	guest_exit(1);
}

void guest_pass(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	guest_vline("PASS ", fmt, ap);
	va_end(ap);
}
