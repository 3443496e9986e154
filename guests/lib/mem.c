/* Bump page allocator over the boot info's free range, shared by the partition's VPs. Pages are never
 * freed: experiment guests are short-lived. */
#include "guest.h"

static spinlock_t mem_lock = SPINLOCK_INIT;
static u64 mem_next, mem_end;
static bool mem_ready;

/* Called with mem_lock held. The free range is the same in every VP's page; VP 0's is at a fixed GPA. */
static void mem_setup(void)
{
	const struct minihv_boot_info *b0 = (const void *)(uintptr_t)minihv_boot_info_gpa(0);
	mem_next = ALIGN_UP(b0->free_start, PAGE_SIZE);
	mem_end = ALIGN_DOWN(b0->free_end, PAGE_SIZE);
	if (mem_end < mem_next)
		mem_end = mem_next;
	mem_ready = true;
}

void *page_alloc(u64 n)
{
	u64 p = 0;
	spin_lock(&mem_lock);
	if (!mem_ready)
		mem_setup();
	if (n && n <= (mem_end - mem_next) / PAGE_SIZE) {
		p = mem_next;
		mem_next += n * PAGE_SIZE;
	}
	spin_unlock(&mem_lock);
	if (p)
		memset((void *)(uintptr_t)p, 0, n * PAGE_SIZE);
	return (void *)(uintptr_t)p;
}

u64 page_free_count(void)
{
	spin_lock(&mem_lock);
	if (!mem_ready)
		mem_setup();
	u64 n = (mem_end - mem_next) / PAGE_SIZE;
	spin_unlock(&mem_lock);
	return n;
}
