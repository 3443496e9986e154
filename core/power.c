/* Power off: the emulator's exit device when the configuration names one, then ACPI S5 (FADT + \_S5). */
#include "acpi.h"
#include "cpu.h"
#include "lib.h"
#include "log.h"
#include "power.h"
#include "serial.h"
#include "x86.h"

enum emulator { EMU_NONE, EMU_BOCHS, EMU_QEMU };
static enum emulator emulator;

#define SLP_EN BIT(13)

void power_configure(const char *opts)
{
	char v[16];
	if (!option_get(opts, "emulator", v, sizeof(v)))
		return;
	if (!strcmp(v, "bochs"))
		emulator = EMU_BOCHS;
	else if (!strcmp(v, "qemu"))
		emulator = EMU_QEMU;
	else
		pr_warn("unknown emulator=%s ignored (bochs or qemu)", v);
}

bool power_emulator_configured(void)
{
	return emulator != EMU_NONE;
}

void power_emulator_exit(enum power_status st)
{
	serial_drain();
	if (emulator == EMU_BOCHS) {
		for (const char *s = "Shutdown"; *s; s++)
			outb(0x8900, (u8)*s);
	} else if (emulator == EMU_QEMU) {
		outl(0xf4, st);
	}
}

NORETURN void power_off(enum power_status st)
{
	power_emulator_exit(st);
	if (acpi.s5_valid && acpi.pm1a_cnt) {
		outw((u16)acpi.pm1a_cnt, (u16)((acpi.slp_typa << 10) | SLP_EN));
		if (acpi.pm1b_cnt)
			outw((u16)acpi.pm1b_cnt, (u16)((acpi.slp_typb << 10) | SLP_EN));
		for (volatile int i = 0; i < 10000000; i++)
			cpu_relax();
	}
	pr_info("power-off did not take effect; halting");
	cpu_halt_forever();
}
