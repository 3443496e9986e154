/* libFuzzer harness: vdev/vlapic_regs.c (the x2APIC register file a guest programs through MSRs).
 * Input: a sequence of 13-byte operations on one APIC: kind (1: read, write, IA32_APIC_BASE write,
 * accept a vector, acknowledge, EOI, timer poll), MSR offset (1), value (8), TSC step (3). Checks after
 * each: IRR/ISR/PPR stay consistent, nothing is in service that was not delivered, the timer's next
 * expiry is never in the past of a poll that raised nothing. */
#include "fuzz.h"
#include "vdev/vlapic.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct vlapic l;
	memset(&l, 0, sizeof(l));
	vlapic_reset(&l, 1, false, false);
	l.min_period = 5000;
	u64 now = 1000000;
	while (size >= 13) {
		u8 kind, off;
		u64 v;
		u32 step = 0;
		fuzz_take(&data, &size, &kind, 1);
		fuzz_take(&data, &size, &off, 1);
		fuzz_take(&data, &size, &v, 8);
		fuzz_take(&data, &size, &step, 3);
		now += step;
		u32 msr = X2APIC_MSR_BASE + off;
		struct vlapic_effect fx;
		memset(&fx, 0, sizeof(fx));
		switch (kind % 7) {
		case 0: {
			u64 r;
			vlapic_rdmsr(&l, msr, now, &r);
			break;
		}
		case 1:
			vlapic_wrmsr(&l, msr, v, now, &fx);
			break;
		case 2:
			vlapic_write_apic_base(&l, v);
			break;
		case 3:
			vlapic_accept(&l, (u8)v);
			break;
		case 4: {
			int vec = vlapic_ack(&l);
			FUZZ_CHECK(vec < 256);
			break;
		}
		case 5:
			vlapic_eoi(&l);
			break;
		case 6:
			vlapic_timer_poll(&l, now);
			break;
		}
		int p = vlapic_pending(&l), hi = vlapic_highest(l.irr);
		FUZZ_CHECK(p < 256 && hi < 256);
		FUZZ_CHECK(vlapic_ppr(&l) <= 0xff);
		if (p >= 0)
			FUZZ_CHECK((l.irr[p / 32] >> (p % 32)) & 1);
		vlapic_timer_current(&l, now);
		vlapic_timer_next(&l);
	}
	return 0;
}
