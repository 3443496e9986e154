/* The hypercall figures: the floor, local and remote flushes. The register forms are the ones a Linux
 * guest uses (XMM fast when the input fits); the lists use the memory form, which any length needs. */
#include "bench.h"

static u64 xmm[12] __attribute__((aligned(16)));

static void check(const char *name, u64 rax)
{
	if (HV_HYPERCALL_STATUS(rax) != HV_STATUS_SUCCESS)
		guest_fail("bench: %s returned %#lx", name, rax);
}

void bench_floor(void)
{
	u64 *s = bench_samples();
	for (u32 i = 0; i < bench_iters; i++) {
		u64 t0 = rdtsc();
		hypercall_fast(0x00ff, 0, 0); /* no such call code: decode and return */
		s[i] = rdtsc() - t0;
	}
	bench_report("floor", s, bench_iters);
}

/* HvFlushVirtualAddressSpace, XMM fast: AddressSpace in RDX, Flags in R8, ProcessorMask in XMM0. */
void bench_flush_space(const char *name, u64 mask, u64 flags)
{
	u64 *s = bench_samples();
	flags |= HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES;
	for (u32 i = 0; i < bench_iters; i++) {
		xmm[0] = mask;
		u64 t0 = rdtsc();
		u64 r = hypercall_xmm_fast(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0, flags, xmm);
		s[i] = rdtsc() - t0;
		check(name, r);
	}
	bench_report(name, s, bench_iters);
}

void bench_flush_self(void)
{
	bench_flush_space("flush_space_self", 1, 0);
}

/* HvFlushVirtualAddressList with n single-page entries, memory form; the input page is built once. A
 * call that returns early (a rep call may) is re-issued from the reps completed. */
static void list_self(const char *name, u64 *page, u32 n)
{
	u64 *s = bench_samples();
	page[0] = read_cr3();
	page[1] = 0;
	page[2] = 1; /* ProcessorMask: VP 0, the caller */
	for (u32 k = 0; k < n; k++)
		page[3 + k] = hv_gva_range(BENCH_PAGE + (u64)k * PAGE_SIZE, 1);
	for (u32 i = 0; i < bench_iters; i++) {
		u64 t0 = rdtsc(), r;
		u32 start = 0;
		for (;;) {
			r = hypercall(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, n) |
						 ((u64)start << HV_HYPERCALL_REP_START_OFFSET),
					 (u64)(uintptr_t)page, 0);
			u32 done = HV_REPS_COMPLETED(r);
			if (HV_HYPERCALL_STATUS(r) != HV_STATUS_SUCCESS || done >= n || done <= start)
				break;
			start = done;
		}
		s[i] = rdtsc() - t0;
		check(name, r);
	}
	bench_report(name, s, bench_iters);
}

void bench_flush_list_self(void)
{
	static const u32 counts[] = { 1, 16, 64, 509 }; /* 509: a full 4 KiB input page */
	u64 *page = page_alloc(1);
	guest_check(page, "bench: out of pages");
	char name[32];
	for (u32 i = 0; i < ARRAY_SIZE(counts); i++) {
		snprintf(name, sizeof(name), "flush_list_self_%u", counts[i]);
		list_self(name, page, counts[i]);
	}
}

/* HvFlushVirtualAddressSpaceEx to the sparse set {1..64}: banks 0 (VPs 1-63) and 1 (VP 64), XMM fast:
 * Format and ValidBanksMask in XMM0, the two banks in XMM1. */
void bench_flush_sparse64(void)
{
	u64 *s = bench_samples();
	for (u32 i = 0; i < bench_iters; i++) {
		xmm[0] = HV_GENERIC_SET_SPARSE_4K;
		xmm[1] = 3;
		xmm[2] = ~1ull;
		xmm[3] = 1;
		u64 t0 = rdtsc();
		u64 r = hypercall_xmm_fast(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 2, 0), 0,
					      HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, xmm);
		s[i] = rdtsc() - t0;
		check("flush_space_ex_sparse64", r);
	}
	bench_report("flush_space_ex_sparse64", s, bench_iters);
}
