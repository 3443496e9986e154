/* Barrier and busy delays. */
#include "guest.h"

void vp_barrier_wait(struct vp_barrier *b, u32 n)
{
	/* The sense cannot flip before this VP arrives, so the value read first is this round's. */
	u32 sense = atomic_load_u32(&b->sense);
	if (atomic_add_u32(&b->arrived, 1) == n) {
		atomic_store_u32(&b->arrived, 0); /* before the flip, so the next round starts from 0 */
		atomic_store_u32(&b->sense, !sense);
		return;
	}
	while (atomic_load_u32(&b->sense) == sense)
		cpu_relax();
}

u64 tsc_khz(void)
{
	return ((const struct minihv_boot_info *)(uintptr_t)minihv_boot_info_gpa(0))->tsc_khz;
}

void delay_tsc(u64 ticks)
{
	u64 start = rdtsc();
	while (rdtsc() - start < ticks)
		cpu_relax();
}

void delay_us(u64 us)
{
	u64 khz = tsc_khz();
	delay_tsc(us * (khz ? khz : 1000000) / 1000);
}
