/* IPI shootdown the way a guest does it without the flush hypercall: a fixed IPI through the x2APIC
 * ICR to each target, each target INVLPGs and acknowledges (bench.c on_ipi), the sender spins until
 * every acknowledgement is in. With descheduled targets the sender waits for each to run again. */
#include "bench.h"

void bench_ipi_shootdown(const char *name, u32 first, u32 last)
{
	u64 *s = bench_samples();
	for (u32 i = 0; i < bench_iters; i++) {
		u32 seq = atomic_add_u32(&bench_seq, 1);
		u64 t0 = rdtsc();
		pt_invlpg(BENCH_PAGE);
		for (u32 vp = first; vp <= last; vp++)
			wrmsr(X2APIC_ICR, ((u64)vp << 32) | 0x4000 | BENCH_VECTOR);
		for (u32 vp = first; vp <= last; vp++)
			while (atomic_load_u32(&bench_acks[vp].seq) != seq)
				guest_check(rdtsc() - t0 < tsc_khz() * 1000, "bench: %s: vp %u did not acknowledge in 1 s",
					    name, vp);
		s[i] = rdtsc() - t0;
	}
	bench_report(name, s, bench_iters);
}
