/* release_latency: from the management partition's clear of an inhibit flag to the return of the flush
 * that waited on it. Two partitions run this image: the management partition (mode=release-mgmt) and
 * the partition `bench` (mode=release), whose VP 0 flushes VP 1 while the management partition holds
 * VP 1's flag. minihv homes VPs on CPUs round-robin in config order, so with 2 CPUs the flusher (bench
 * VP 0) has CPU 1 to itself and the inhibited VP 1 halts on CPU 0 beside the management VP. Both sides
 * read the same TSC; the image sits at the same GPAs in both partitions, so the management side reaches
 * the flusher's variables at their own addresses (MINIHV_CALL_READ/WRITE_MEMORY).
 * Iteration i: mgmt sets the flag and writes go = i + 2; the flusher's call is suspended; mgmt sees bench
 * VP 0 suspended, takes t0 and clears the flag; the call returns, the flusher stores t1[i], done = i + 1. */
#include "bench.h"

static volatile u64 rel_go, rel_done, rel_stop;
static u64 rel_t1[BENCH_MAX_ITERS] __attribute__((aligned(4096)));
static u8 *in_page, *out_page;

static u16 mcall(u64 code, const void *in, u32 size)
{
	memcpy(in_page, in, size);
	return HV_HYPERCALL_STATUS(hypercall(code, (u64)(uintptr_t)in_page, (u64)(uintptr_t)out_page));
}

static void must(const char *what, u16 st)
{
	if (st != HV_STATUS_SUCCESS)
		guest_fail("bench: %s failed: %s", what, hv_status_name(st));
}

static void inhibit(u64 pid, bool on)
{
	struct minihv_tlb_flush_inhibit_input in = {
		.target = { .partition_id = pid, .vp_index = 1 },
		.inhibit = { .inhibit = on ? MINIHV_INHIBIT_TLB_FLUSH : MINIHV_UNINHIBIT_TLB_FLUSH },
	};
	must("MINIHV_CALL_SET_TLB_FLUSH_INHIBIT", mcall(MINIHV_CALL_SET_TLB_FLUSH_INHIBIT, &in, sizeof(in)));
}

static void mem(u64 pid, u32 code, volatile void *gpa, void *buf, u32 size)
{
	struct minihv_memory_input in = { .partition_id = pid, .gpa = (u64)(uintptr_t)gpa, .size = size };
	if (code == MINIHV_CALL_WRITE_MEMORY)
		memcpy(in_page + sizeof(in), buf, size);
	must("memory call", mcall(code, &in, sizeof(in)));
	if (code == MINIHV_CALL_READ_MEMORY)
		memcpy(buf, out_page, size);
}

static u64 peek(u64 pid, volatile u64 *gpa)
{
	u64 v;
	mem(pid, MINIHV_CALL_READ_MEMORY, gpa, &v, sizeof(v));
	return v;
}

static void poke(u64 pid, volatile u64 *gpa, u64 v)
{
	mem(pid, MINIHV_CALL_WRITE_MEMORY, gpa, &v, sizeof(v));
}

static u64 find_partition(const char *name)
{
	for (u64 pid = 0; pid < 16; pid++) {
		struct minihv_target t = { .partition_id = pid };
		if (mcall(MINIHV_CALL_GET_PARTITION, &t, sizeof(t)) != HV_STATUS_SUCCESS)
			continue;
		const struct minihv_partition_info *p = (const void *)out_page;
		if (!strcmp(p->name, name))
			return pid;
	}
	guest_fail("bench: no partition named %s", name);
}

static u32 vp_state(u64 pid, u32 vp)
{
	struct minihv_target t = { .partition_id = pid, .vp_index = vp };
	must("MINIHV_CALL_GET_VP", mcall(MINIHV_CALL_GET_VP, &t, sizeof(t)));
	return ((const struct minihv_vp_info *)out_page)->state;
}

/* Bounded poll: one second of TSC time is far beyond any figure here. */
#define POLL(cond, what)                                                                  \
	do {                                                                              \
		u64 t_ = rdtsc();                                                        \
		while (!(cond))                                                           \
			guest_check(rdtsc() - t_ < tsc_khz() * 1000, "bench: no %s", what); \
	} while (0)

int bench_release_mgmt(void)
{
	in_page = page_alloc(1);
	out_page = page_alloc(1);
	guest_check(in_page && out_page, "bench: out of pages");
	u64 pid = find_partition("bench");
	static u64 t0[BENCH_MAX_ITERS];
	POLL(peek(pid, &rel_go) == 1, "flusher ready (go = 1)");
	for (u32 i = 0; i < bench_iters; i++) {
		inhibit(pid, true);
		poke(pid, &rel_go, i + 2);
		POLL(vp_state(pid, 0) == MINIHV_VP_SUSPENDED, "suspension of the flusher");
		t0[i] = rdtsc();
		inhibit(pid, false);
		POLL(peek(pid, &rel_done) == i + 1, "return of the flusher's call");
	}
	u64 *s = bench_samples();
	for (u32 i = 0; i < bench_iters; i += 512) {
		u32 n = bench_iters - i < 512 ? bench_iters - i : 512;
		mem(pid, MINIHV_CALL_READ_MEMORY, &rel_t1[i], &s[i], n * 8);
	}
	for (u32 i = 0; i < bench_iters; i++)
		s[i] -= t0[i];
	bench_report("release_latency", s, bench_iters);
	poke(pid, &rel_stop, 1);
	return 0;
}

int bench_release_guest(const struct minihv_boot_info *bi)
{
	if (bi->vp_index == 1) {
		bench_target_setup();
		bench_target_halt();
		return 0;
	}
	if (bi->vp_index != 0)
		return 0;
	static u64 xmm[12] __attribute__((aligned(16)));
	idt_init();
	wrmsr(X2APIC_SVR, 0x1ff);
	atomic_store_u64(&rel_go, 1);
	for (u32 i = 0; i < bench_iters; i++) {
		u64 t0 = rdtsc();
		while (atomic_load_u64(&rel_go) != i + 2)
			guest_check(rdtsc() - t0 < tsc_khz() * 1000, "bench: no go from the management partition");
		xmm[0] = 1 << 1; /* VP 1, inhibited */
		u64 r = hypercall_xmm_fast(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, xmm);
		rel_t1[i] = rdtsc();
		guest_check(HV_HYPERCALL_STATUS(r) == HV_STATUS_SUCCESS, "bench: the flush returned %#lx", r);
		atomic_store_u64(&rel_done, i + 1);
	}
	u64 t0 = rdtsc();
	while (!atomic_load_u64(&rel_stop))
		guest_check(rdtsc() - t0 < tsc_khz() * 1000, "bench: no stop from the management partition");
	bench_stop_targets(1, 1);
	printf("BENCH done\n");
	return 0;
}
