/* bench: figures for tools/bench (docs/performance.md). Under Bochs with clock sync=none the TSC counts
 * emulated instructions, so every figure repeats exactly. Each figure is measured per iteration (rdtsc
 * around one operation) and printed as the median, min and max of `iters` iterations.
 *
 * cmdline: mode=NAME [iters=N]
 *   micro       VP 0 measures; VPs 1..vp_count-2 spin with interrupts on (running targets); the last VP
 *               sits in HLT (a halted target; it shares CPU 0 with VP 0 when vps = cpus + 1)
 *   overcommit  vps = 4 on one CPU: VPs 1..3 spin, so while VP 0 measures they are descheduled
 *   sparse      66 VPs: VP 0 flushes the sparse set {1..64}; the others halt
 *   release     the flushed partition of the release-latency figure (release.c)
 *   release-mgmt  the management partition that clears the inhibit (release.c)
 * Every partition has apic = x2apic: the shootdown IPIs go through the virtual x2APIC's ICR. */
#include "bench.h"

u32 bench_iters = 1000;
struct bench_ack bench_acks[MINIHV_MAX_VPS] __attribute__((aligned(64)));
volatile u32 bench_seq, bench_stop;
static volatile u32 ready;
static u64 samples[BENCH_MAX_ITERS];

u64 *bench_samples(void)
{
	return samples;
}

void bench_report(const char *name, u64 *s, u32 n)
{
	/* Insertion sort: n <= 1024 and the input is mostly sorted already. */
	for (u32 i = 1; i < n; i++) {
		u64 v = s[i];
		u32 j = i;
		for (; j > 0 && s[j - 1] > v; j--)
			s[j] = s[j - 1];
		s[j] = v;
	}
	printf("BENCH %s median=%lu min=%lu max=%lu n=%u\n", name, s[n / 2], s[0], s[n - 1], n);
}

/* EOI first, then the work and the acknowledgement, as Linux's call-function IPI does: the sender's next
 * IPI may come as soon as it sees the acknowledgement, and it must not find this VP still inside the
 * handler with interrupts off (Bochs takes no kick VM exit then, so it would wait for the slice end). */
static void on_ipi(struct irq_frame *f)
{
	(void)f;
	wrmsr(X2APIC_EOI, 0);
	pt_invlpg(BENCH_PAGE);
	atomic_store_u32(&bench_acks[this_vp()].seq, atomic_load_u32(&bench_seq));
}

void bench_target_setup(void)
{
	idt_init();
	idt_set_handler(BENCH_VECTOR, on_ipi);
	wrmsr(X2APIC_SVR, 0x1ff);
	atomic_add_u32(&ready, 1);
}

void bench_target_spin(void)
{
	sti();
	while (!atomic_load_u32(&bench_stop))
		cpu_relax();
	cli();
}

void bench_target_halt(void)
{
	while (!atomic_load_u32(&bench_stop))
		sti_hlt(), cli();
}

void bench_wake(u32 vp)
{
	wrmsr(X2APIC_ICR, ((u64)vp << 32) | 0x4000 | BENCH_VECTOR);
}

void bench_stop_targets(u32 first, u32 last)
{
	atomic_store_u32(&bench_stop, 1);
	for (u32 vp = first; vp <= last; vp++)
		bench_wake(vp);
}

/* VP 0 waits until the other n VPs are set up, then lets halted ones reach their HLT. */
static void wait_ready(u32 n)
{
	u64 t0 = rdtsc();
	while (atomic_load_u32(&ready) < n)
		guest_check(rdtsc() - t0 < tsc_khz() * 5000, "bench: %u of %u VPs set up after 5 s", ready, n);
	delay_tsc(200000);
}

static void micro(u32 vps)
{
	guest_check(vps >= 3, "bench: mode=micro needs at least 3 VPs, has %u", vps);
	u32 halted = vps - 1, running = vps - 2;
	wait_ready(vps - 1);
	bench_floor();
	bench_flush_self();
	bench_flush_list_self();
	static const u32 ks[] = { 1, 3, 7 };
	char name[48];
	for (u32 i = 0; i < ARRAY_SIZE(ks); i++) {
		if (ks[i] > running)
			continue;
		snprintf(name, sizeof(name), "flush_space_running_%u", ks[i]);
		bench_flush_space(name, ((1ull << ks[i]) - 1) << 1, 0);
	}
	bench_flush_space("flush_space_halted_1", 1ull << halted, 0);
	bench_flush_space("flush_space_all", 0, HV_FLUSH_ALL_PROCESSORS);
	for (u32 i = 0; i < ARRAY_SIZE(ks); i++) {
		if (ks[i] > running)
			continue;
		snprintf(name, sizeof(name), "ipi_shootdown_%u", ks[i]);
		bench_ipi_shootdown(name, 1, ks[i]);
	}
	bench_stop_targets(1, halted);
}

static void overcommit(u32 vps)
{
	guest_check(vps == 4, "bench: mode=overcommit needs 4 VPs, has %u", vps);
	wait_ready(3);
	bench_flush_space("flush_space_descheduled_1", 1ull << 1, 0);
	bench_flush_space("flush_hypercall_4to1", 0xe, 0);
	bench_ipi_shootdown("ipi_shootdown_4to1", 1, 3);
	bench_stop_targets(1, 3);
}

static void sparse(u32 vps)
{
	guest_check(vps >= 65, "bench: mode=sparse needs at least 65 VPs, has %u", vps);
	wait_ready(vps - 1);
	bench_flush_sparse64();
	bench_stop_targets(1, vps - 1);
}

int guest_main(const struct minihv_boot_info *bi)
{
	char mode[24] = "micro", v[16];
	guest_option("mode", mode, sizeof(mode));
	if (guest_option("iters", v, sizeof(v))) {
		u64 n = 0;
		guest_check(parse_u64(v, strlen(v), &n, false) && n >= 1 && n <= BENCH_MAX_ITERS, "bench: iters=%s is not 1..%u", v,
			    BENCH_MAX_ITERS);
		bench_iters = (u32)n;
	}
	if (!strcmp(mode, "release-mgmt"))
		return bi->vp_index == 0 ? bench_release_mgmt() : 0;
	if (!strcmp(mode, "release"))
		return bench_release_guest(bi);
	u32 vps = bi->vp_count;
	if (bi->vp_index != 0) {
		bench_target_setup();
		bool halts = (!strcmp(mode, "micro") && bi->vp_index == vps - 1) || !strcmp(mode, "sparse");
		if (halts)
			bench_target_halt();
		else
			bench_target_spin();
		return 0;
	}
	idt_init();
	idt_set_handler(BENCH_VECTOR, on_ipi);
	wrmsr(X2APIC_SVR, 0x1ff);
	if (!strcmp(mode, "micro"))
		micro(vps);
	else if (!strcmp(mode, "overcommit"))
		overcommit(vps);
	else if (!strcmp(mode, "sparse"))
		sparse(vps);
	else
		guest_fail("bench: unknown mode=%s", mode);
	printf("BENCH done\n");
	return 0;
}
