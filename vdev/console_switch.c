/* Ctrl-A ×3 detection for the console (vdev/console_switch.h). */
#include "console_switch.h"

int console_switch_feed(struct console_switch *s, u8 c, u8 out[3])
{
	if (c == CTRL_A) {
		if (++s->ctrl_a == 3) {
			s->ctrl_a = 0;
			return CONSOLE_SWITCH;
		}
		return 0;
	}
	int n = 0;
	for (; s->ctrl_a; s->ctrl_a--)
		out[n++] = CTRL_A;
	out[n++] = c;
	return n;
}
