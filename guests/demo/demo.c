/* demo: the default guest partition. Its VPs keep flushing each other's TLBs through
 * HvCallFlushVirtualAddressSpace and report progress, so the management shell has something to inhibit,
 * suspend and watch. cmdline: rounds=N (0 = forever, the default), period_ms=N (default 200). */
#include "guest.h"

static volatile u64 flushes[MINIHV_MAX_VPS];

int guest_main(const struct minihv_boot_info *bi)
{
	char v[24];
	u64 rounds = 0, period_ms = 200;
	if (guest_option("rounds", v, sizeof(v)))
		parse_u64(v, strlen(v), &rounds, false);
	if (guest_option("period_ms", v, sizeof(v)))
		parse_u64(v, strlen(v), &period_ms, false);
	u32 me = bi->vp_index, n = bi->vp_count;
	u64 others = (n >= 64 ? ~0ull : (1ull << n) - 1) & ~(1ull << me);
	static u64 xmm[MINIHV_MAX_VPS][12] __attribute__((aligned(16)));
	if (me == 0)
		printf("demo: %u VPs flushing each other every %lu ms (%s)\n", n, period_ms,
		       rounds ? "bounded" : "forever; use the management shell");
	for (u64 r = 1; !rounds || r <= rounds; r++) {
		delay_us(period_ms * 1000);
		xmm[me][0] = others ? others : 1;
		u64 rax = hypercall_xmm_fast(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES,
						xmm[me]);
		if (HV_HYPERCALL_STATUS(rax) != HV_STATUS_SUCCESS)
			guest_fail("demo: vp %u: flush returned status %#x", me, HV_HYPERCALL_STATUS(rax));
		flushes[me]++;
		if (r % 25 == 0)
			printf("demo: vp %u: %lu flushes of the other VPs\n", me, flushes[me]);
	}
	return 0;
}
