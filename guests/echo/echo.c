/* echo: reads the partition's console (console_getc) and echoes each complete line back as
 * "echo <partition>: <line>"; the line "quit" ends the partition with status 0 (tests/scenarios/console-input).
 * A line ends at CR or LF (CR LF counts once). Control bytes are shown as ^X (Ctrl-A: ^A), bytes from
 * 0x7f up as \xNN, so what a scenario types can be checked exactly. Only VP 0 reads; other VPs return. */
#include "guest.h"

#define LINE_MAX 160

static void echo_line(const char *name, const char *line)
{
	printf("echo %s: %s\n", name, line);
}

int guest_main(const struct minihv_boot_info *bi)
{
	if (bi->vp_index != 0)
		return 0;
	const char *name = guest_partition_name();
	char line[LINE_MAX + 8];
	u32 len = 0;
	bool after_cr = false;

	printf("echo %s: ready\n", name);
	for (;;) {
		int c = console_getc();
		if (c < 0) {
			cpu_relax();
			continue;
		}
		if (c == '\r' || c == '\n') {
			bool lf_after_cr = c == '\n' && after_cr;
			after_cr = c == '\r';
			if (lf_after_cr)
				continue;
			line[len] = 0;
			if (!strcmp(line, "quit")) {
				printf("echo %s: bye\n", name);
				return 0;
			}
			echo_line(name, line);
			len = 0;
			continue;
		}
		after_cr = false;
		if (c < 0x20) {
			line[len++] = '^';
			line[len++] = (char)('@' + c);
		} else if (c >= 0x7f) {
			len += (u32)snprintf(line + len, 5, "\\x%02x", c);
		} else {
			line[len++] = (char)c;
		}
		if (len >= LINE_MAX) { /* a very long line is echoed in parts */
			line[len] = 0;
			echo_line(name, line);
			len = 0;
		}
	}
}
