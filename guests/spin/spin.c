/* spin: VP 0 spins with interrupts off (no PAUSE, no exits) until every other VP has finished its work.
 * With all VPs on one CPU this only ends if minihv time-slices VPs. */
#include "guest.h"

#define WORK 1000000u
#define PROGRESS_EVERY 250000u

static volatile u32 finished;

int guest_main(const struct minihv_boot_info *bi)
{
	u32 others = bi->vp_count - 1;
	if (bi->vp_index == 0) {
		printf("spin: vp 0 spinning until %u other VPs finish\n", others);
		while (finished != others)
			;
		puts("spin: other VPs finished while VP 0 spun");
		return 0;
	}
	volatile u32 count = 0;
	while (count < WORK) {
		count = count + 1;
		if (count % PROGRESS_EVERY == 0)
			printf("spin: vp %u progress %u/%u\n", bi->vp_index, count, WORK);
	}
	atomic_add_u32(&finished, 1);
	return 0;
}
