/* A partition's RAM, zeroed on first use in 2 MiB chunks. A guest never sees what was in the memory
 * before (firmware, boot loader), but zeroing all of it when the partition is built cost a Linux boot
 * under Bochs 27 M instructions for 208 MiB it mostly never touches (docs/linux.md §6). A chunk not yet
 * zeroed has no rights in the EPT: the guest's first access is an EPT violation that zeroes it, and
 * minihv's own accesses (gpa_to_hva) zero it before they read or write. */
#include "ept.h"
#include "hv.h"
#include "lib.h"
#include "log.h"
#include "pmm.h"
#include "wait.h"

#define CHUNK MiB(2)
#define WAIT_CHUNK_MS 1000u /* zeroing 2 MiB takes well under a millisecond on hardware */

enum { CHUNK_UNTOUCHED, CHUNK_ZEROING, CHUNK_READY };

static u64 chunk_count(const struct partition *p)
{
	return ALIGN_UP(p->ram_size, CHUNK) / CHUNK;
}

bool guest_ram_init(struct partition *p)
{
	u64 n = chunk_count(p);
	u64 pa = pmm_alloc(n, PAGE_SIZE, PMM_ANY); /* zeroed: every chunk CHUNK_UNTOUCHED */
	if (!pa)
		return false;
	p->ram_chunks = phys_to_virt(pa);
	/* No rights until zeroed. SDM 28.4.1: nothing is cached from a not-present EPT entry, so granting
	 * them later needs no INVEPT. */
	return ept_map(&p->ept, 0, p->ram_hpa, p->ram_size, 0);
}

static bool chunk_ready(const void *arg)
{
	return __atomic_load_n((const u8 *)arg, __ATOMIC_ACQUIRE) == CHUNK_READY;
}

static void chunk_make_ready(struct partition *p, u64 i)
{
	u8 *state = &p->ram_chunks[i];
	if (__atomic_load_n(state, __ATOMIC_ACQUIRE) == CHUNK_READY)
		return;
	u8 expect = CHUNK_UNTOUCHED;
	if (!__atomic_compare_exchange_n(state, &expect, CHUNK_ZEROING, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		/* Another CPU is zeroing it: the wait is short; should it expire, say so and go on (the caller
		 * then sees zeroes being written, never old contents: those go first). */
		if (!wait_until(chunk_ready, state, WAIT_CHUNK_MS))
			pr_warn("minihv: partition %s: waited %u ms for another CPU to zero RAM chunk at GPA %#lx", p->name,
				WAIT_CHUNK_MS, i * CHUNK);
		return;
	}
	u64 gpa = i * CHUNK, len = MIN(CHUNK, p->ram_size - gpa);
	memset(phys_to_virt(p->ram_hpa + gpa), 0, len);
	/* The chunk is whole here: the hypercall overlay (hv/hyperv.c) splits only chunks made ready. */
	ept_map(&p->ept, gpa, p->ram_hpa + gpa, len, EPT_RWX);
	__atomic_store_n(state, CHUNK_READY, __ATOMIC_RELEASE);
}

void *gpa_to_hva(struct partition *p, u64 gpa, u64 len)
{
	if (gpa >= p->ram_size || len > p->ram_size - gpa)
		return NULL;
	if (p->ram_chunks)
		for (u64 i = gpa / CHUNK; i < chunk_count(p) && i * CHUNK < gpa + MAX(len, 1); i++)
			chunk_make_ready(p, i);
	return phys_to_virt(p->ram_hpa + gpa);
}

void *guest_ram_map(void *ctx, u64 gpa, u64 size)
{
	return gpa_to_hva(ctx, gpa, size);
}

bool guest_ram_fault(struct partition *p, u64 gpa)
{
	if (gpa >= p->ram_size || !p->ram_chunks)
		return false;
	/* Zeroed by now, here or on another CPU since the access (a stale violation): RAM has all rights
	 * once ready, and the overlay page's write fault is answered before this (hv_ept_violation). */
	chunk_make_ready(p, gpa / CHUNK);
	return true;
}
