/* Ctrl-A three times in a row moves console input to the next partition (as Xen's console does); Ctrl-A
 * presses that do not make three are passed on, so a guest can still receive Ctrl-A. Pure: the host unit
 * test tests/unit/test_console_switch.c links it unchanged. */
#ifndef MINIHV_CONSOLE_SWITCH_H
#define MINIHV_CONSOLE_SWITCH_H

#include "types.h"

#define CTRL_A 0x01
#define CONSOLE_SWITCH (-1)

struct console_switch {
	u32 ctrl_a; /* Ctrl-A presses held back, 0-2 */
};

/* Feeds one typed byte. CONSOLE_SWITCH when it was the third Ctrl-A in a row; otherwise the number of
 * bytes (0-3) for the partition that has the keyboard, in out[]: the held-back Ctrl-As, then c. */
int console_switch_feed(struct console_switch *s, u8 c, u8 out[3]);

#endif
