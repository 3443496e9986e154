/* TSC calibration. Emulators run the TSC at their own pace (Bochs: one tick per instruction), so a
 * frequency from CPUID would be wrong there; measuring against a fixed-rate timer is right everywhere. */
#include "acpi.h"
#include "log.h"
#include "timer.h"
#include "x86.h"
#include "../hv/wait.h"

#define PM_TIMER_HZ 3579545ull
#define PIT_HZ 1193182ull

u64 tsc_khz;

static u64 calibrate_pm_timer(void)
{
	u32 mask = acpi.pm_timer_32bit ? 0xffffffffu : 0xffffffu;
	u32 target = (u32)(PM_TIMER_HZ / 100); /* 10 ms */
	u32 start = inl((u16)acpi.pm_timer_port) & mask;
	u64 t0 = rdtsc();
	u32 elapsed;
	do {
		elapsed = ((inl((u16)acpi.pm_timer_port) & mask) - start) & mask;
	} while (elapsed < target);
	u64 t1 = rdtsc();
	return (t1 - t0) * PM_TIMER_HZ / elapsed / 1000;
}

static u64 calibrate_pit(void)
{
	/* PIT channel 2, gate via port 0x61, mode 0, one-shot 10 ms. */
	u16 count = (u16)(PIT_HZ / 100);
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	u64 t0 = rdtsc();
	for (u64 spins = 0; !(inb(0x61) & 0x20); spins++)
		if (spins > 100000000ull)
			return 0;
	return (rdtsc() - t0) / 10;
}

void timer_calibrate(void)
{
	const char *src = "ACPI PM timer";
	if (acpi.pm_timer_port)
		tsc_khz = calibrate_pm_timer();
	if (!tsc_khz) {
		src = "PIT";
		tsc_khz = calibrate_pit();
	}
	if (!tsc_khz) {
		src = "a guess (no timer answered)";
		tsc_khz = 1000000;
	}
	pr_info("TSC runs at %lu kHz (measured against %s)", tsc_khz, src);
}

void udelay(u64 us)
{
	u64 end = rdtsc() + us * tsc_khz / 1000;
	while (rdtsc() < end)
		cpu_relax();
}

/* The clock and pause of hv/wait.c's bounded waits. */
u64 wait_clock(void)
{
	return rdtsc();
}

void wait_relax(void)
{
	cpu_relax();
}
