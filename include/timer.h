/* Time from the TSC, calibrated once against the ACPI PM timer (or the PIT when there is none). */
#ifndef MINIHV_TIMER_H
#define MINIHV_TIMER_H

#include "types.h"

extern u64 tsc_khz;

void timer_calibrate(void);
void udelay(u64 us);
static inline u64 tsc_to_us(u64 ticks) { return tsc_khz ? ticks * 1000 / tsc_khz : 0; }

#endif
