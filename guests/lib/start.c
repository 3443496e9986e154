/* Runtime start-up and the VP's identity. Partition-wide values come from VP 0's boot-info page, which
 * sits at a fixed GPA, so no VP has to wait for another to publish them. */
#include "guest.h"

static const struct minihv_boot_info *boot_info_of(u32 vp)
{
	return (const struct minihv_boot_info *)(uintptr_t)minihv_boot_info_gpa(vp);
}

/* The boot-info strings need not be NUL-terminated; the runtime hands out terminated copies. */
static char name_copy[sizeof(((struct minihv_boot_info *)0)->partition_name) + 1];
static char cmdline_copy[sizeof(((struct minihv_boot_info *)0)->cmdline) + 1];
static volatile u32 rt_state; /* 0: not started, 1: a VP is setting up, 2: ready */

static void copy_field(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size);
	memcpy(dst, src, n);
	dst[n] = 0;
}

void guest_rt_init(const struct minihv_boot_info *bi)
{
	if (bi->magic != MINIHV_BOOT_INFO_MAGIC || bi->abi_version != MINIHV_ABI_VERSION ||
	    bi != boot_info_of(bi->vp_index)) {
		/* Nothing else can be trusted: say so and end this VP. */
		printf("FAIL: guest runtime: bad boot info at %p (magic 0x%x, ABI %u; this image wants ABI %u)\n",
		       (const void *)bi, bi->magic, bi->abi_version, MINIHV_ABI_VERSION);
		guest_exit(1);
	}
	if (atomic_cas_u32(&rt_state, 0, 1)) {
		const struct minihv_boot_info *b0 = boot_info_of(0);
		copy_field(name_copy, b0->partition_name, sizeof(b0->partition_name));
		copy_field(cmdline_copy, b0->cmdline, sizeof(b0->cmdline));
		atomic_store_u32(&rt_state, 2);
	}
	while (atomic_load_u32(&rt_state) != 2)
		cpu_relax();
}

u32 this_vp(void)
{
	/* VP i's stack is [top - MINIHV_VP_STACK_SIZE, top) with top = ram_size - i * MINIHV_VP_STACK_SIZE. */
	const struct minihv_boot_info *b0 = boot_info_of(0);
	u64 rsp;
	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	if (rsp >= b0->ram_size)
		return 0;
	u64 i = (b0->ram_size - 1 - rsp) / MINIHV_VP_STACK_SIZE;
	return i < MIN(b0->vp_count, MINIHV_MAX_VPS) ? (u32)i : 0;
}

u32 vp_count(void)
{
	return boot_info_of(0)->vp_count;
}

const struct minihv_boot_info *guest_boot_info(void)
{
	return boot_info_of(this_vp());
}

const char *guest_partition_name(void)
{
	return name_copy;
}

const char *guest_cmdline(void)
{
	return cmdline_copy;
}

bool guest_option(const char *key, char *val, size_t val_size)
{
	return option_get(cmdline_copy, key, val, val_size);
}
