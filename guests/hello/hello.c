/* hello: every VP reports, all meet at a barrier, VP 0 confirms. */
#include "guest.h"

static struct vp_barrier all_reported;

int guest_main(const struct minihv_boot_info *bi)
{
	printf("hello from partition %s (id %u) vp %u/%u, ram %lu MiB, cmdline \"%s\"\n", guest_partition_name(),
	       bi->partition_id, bi->vp_index, bi->vp_count, bi->ram_size >> 20, guest_cmdline());
	vp_barrier_wait(&all_reported, bi->vp_count);
	if (bi->vp_index == 0)
		printf("hello: all %u VPs reported\n", bi->vp_count);
	return 0;
}
