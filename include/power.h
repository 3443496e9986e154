/* Ending the run: emulator exit devices when configured, then ACPI S5. */
#ifndef MINIHV_POWER_H
#define MINIHV_POWER_H

#include "types.h"

/* isa-debug-exit codes; QEMU exits with (code << 1) | 1. */
enum power_status {
	POWER_OK = 0x10,         /* every partition finished cleanly: QEMU status 33 */
	POWER_CANNOT_RUN = 0x11, /* the machine lacks something required: 35 */
	POWER_FAILED = 0x12,     /* a partition failed or was stopped: 37 */
};

/* Options: "emulator=bochs|qemu" selects the emulator exit device (never guessed). */
void power_configure(const char *opts);
bool power_emulator_configured(void);
/* Tries the emulator exit device, if configured. Returns if there is none or it did nothing. */
void power_emulator_exit(enum power_status st);
NORETURN void power_off(enum power_status st);

#endif
