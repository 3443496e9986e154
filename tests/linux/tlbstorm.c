/*
 * tlbstorm: a TLB-shootdown workload for the Linux scenarios (runs as a static program in the initramfs).
 *
 * One thread per online CPU, each pinned to its CPU. Every iteration, for each of SLOTS page groups:
 * the slot's owner maps fresh pages at the slot's fixed address (MAP_FIXED) and fills them with values
 * that depend only on (slot, iteration, word); every thread touches them (so the translation sits in
 * every CPU's TLB); the slot's reader (another thread when there is one) verifies every word; then the
 * owner write-protects and unmaps them. mprotect and munmap of pages that other CPUs running this mm
 * may cache are exactly what makes Linux shoot down remote TLBs (by IPI, or by Hyper-V flush hypercalls).
 * A stale translation on the reader would show the previous iteration's values: the program says so
 * and exits 1. The checksum depends only on the iteration count, never on timing or the CPU count.
 * Threads meet at a spinning barrier so that they stay on their CPUs (a sleeping thread's CPU would
 * be idle: 6.1 leaves idle CPUs out of its IPI shootdowns, and 6.12 skips them when it shoots down). TLBSTORM_BARRIER=futex (the /init's
 * `barrier=futex`) makes a waiting thread spin briefly and then sleep in FUTEX_WAIT, as real programs
 * wait: under overcommit its VP halts instead of spinning out its slice (docs/performance.md).
 * `tlbstorm N cpus=A,B,...` runs one thread on each listed CPU instead: Linux picks the Ex flush calls by
 * the VP indexes of the target CPUs (docs/linux.md §7), so a partition of 65 VPs shows them with threads
 * on CPUs 0 and 64 only.
 * `tlbstorm tsc` prints the TSC instead (the /init's boot-time marker).
 * `tlbstorm ITERATIONS NAME` also prints `BENCH NAME median=... min=... max=... n=...` (tools/bench): each
 * thread reads the TSC at the start of every iteration and after its last barrier, so n = iterations x
 * threads samples of "TSC ticks one iteration took as seen by one thread" (docs/performance.md); two more
 * lines give the same statistics of the parts spent waiting at the barriers and in mprotect + munmap
 * (the latter as `BENCH linux_shootdown_...`).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SLOTS 4
#define SLOT_PAGES 4
#define PAGE 4096
#define WORDS (SLOT_PAGES * PAGE / 8)
#define MAX_THREADS 64
#define FUTEX_SPINS 1000 /* PAUSEs before a futex-mode waiter sleeps: a few microseconds on hardware */

static unsigned nthreads;
static unsigned cpu_of[MAX_THREADS]; /* thread i runs on CPU cpu_of[i] */
static long iters;
static uint8_t *area;             /* SLOTS * SLOT_PAGES pages, reserved once */
static uint64_t slot_sum[SLOTS];  /* written by the slot's reader only */
static volatile int failed;
/* When benchmarking, per [thread * iters + iteration]: the whole iteration, its barrier waits, its
 * mprotect + munmap calls (the shootdowns). NULL otherwise. */
static uint64_t *iter_ticks, *wait_ticks, *unmap_ticks;

static struct {
	volatile unsigned count, sense, sleepers;
} bar;
static int futex_barrier; /* TLBSTORM_BARRIER=futex */

static void barrier(unsigned *local_sense)
{
	*local_sense ^= 1;
	if (__atomic_add_fetch(&bar.count, 1, __ATOMIC_ACQ_REL) == nthreads) {
		__atomic_store_n(&bar.count, 0, __ATOMIC_RELAXED);
		/* SEQ_CST pairs with the sleeper's: either it sees the new sense or we see it counted. */
		__atomic_store_n(&bar.sense, *local_sense, __ATOMIC_SEQ_CST);
		if (futex_barrier && __atomic_load_n(&bar.sleepers, __ATOMIC_SEQ_CST))
			syscall(SYS_futex, &bar.sense, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
		return;
	}
	for (unsigned spins = 0; __atomic_load_n(&bar.sense, __ATOMIC_ACQUIRE) != *local_sense; spins++) {
		if (!futex_barrier || spins < FUTEX_SPINS) {
			__builtin_ia32_pause();
			continue;
		}
		__atomic_add_fetch(&bar.sleepers, 1, __ATOMIC_SEQ_CST);
		/* Sleeps only while the sense is still the old one (the kernel compares atomically). */
		syscall(SYS_futex, &bar.sense, FUTEX_WAIT_PRIVATE, *local_sense ^ 1, NULL, NULL, 0);
		__atomic_sub_fetch(&bar.sleepers, 1, __ATOMIC_SEQ_CST);
	}
}

static uint64_t timed_barrier(unsigned *local_sense)
{
	uint64_t t0 = __builtin_ia32_rdtsc();
	barrier(local_sense);
	return __builtin_ia32_rdtsc() - t0;
}

static uint64_t value(unsigned slot, long it, unsigned w)
{
	uint64_t x = ((uint64_t)slot << 48) ^ ((uint64_t)it << 20) ^ w;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static uint64_t *slot_addr(unsigned s)
{
	return (uint64_t *)(area + (size_t)s * SLOT_PAGES * PAGE);
}

static void *worker(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg, sense = 0;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu_of[me], &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "tlbstorm: thread %u: cannot pin to CPU %u\n", me, cpu_of[me]);
	for (long it = 0; it < iters && !failed; it++) {
		uint64_t t0 = __builtin_ia32_rdtsc(), waited = 0, unmapping;
		for (unsigned s = 0; s < SLOTS; s++) {
			if (s % nthreads != me)
				continue;
			void *p = mmap(slot_addr(s), SLOT_PAGES * PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			if (p != slot_addr(s)) {
				perror("tlbstorm: mmap");
				failed = 1;
			}
			uint64_t *d = slot_addr(s);
			for (unsigned w = 0; w < WORDS; w++)
				d[w] = value(s, it, w);
		}
		waited += timed_barrier(&sense);
		volatile uint64_t sink = 0;
		for (unsigned s = 0; s < SLOTS && !failed; s++) {
			uint64_t *d = slot_addr(s);
			for (unsigned pg = 0; pg < SLOT_PAGES; pg++)
				sink += d[pg * PAGE / 8]; /* every CPU now caches every page's translation */
			if ((s + 1) % nthreads != me)
				continue;
			uint64_t sum = 0;
			for (unsigned w = 0; w < WORDS; w++) {
				if (d[w] != value(s, it, w)) {
					fprintf(stderr, "tlbstorm: FAIL: CPU %u read %#llx at slot %u word %u, iteration %ld "
						"(expected %#llx): a stale translation?\n", me, (unsigned long long)d[w], s,
						w, it, (unsigned long long)value(s, it, w));
					failed = 1;
					break;
				}
				sum += d[w] * (w | 1);
			}
			slot_sum[s] = slot_sum[s] * 31 + sum;
		}
		(void)sink;
		waited += timed_barrier(&sense);
		unmapping = __builtin_ia32_rdtsc();
		for (unsigned s = 0; s < SLOTS; s++) {
			if (s % nthreads != me)
				continue;
			if (mprotect(slot_addr(s), SLOT_PAGES * PAGE, PROT_READ) ||
			    munmap(slot_addr(s), SLOT_PAGES * PAGE)) {
				perror("tlbstorm: mprotect/munmap");
				failed = 1;
			}
		}
		unmapping = __builtin_ia32_rdtsc() - unmapping;
		waited += timed_barrier(&sense);
		if (iter_ticks) {
			iter_ticks[me * iters + it] = __builtin_ia32_rdtsc() - t0;
			wait_ticks[me * iters + it] = waited;
			unmap_ticks[me * iters + it] = unmapping;
		}
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* "median=… min=… max=… n=…" of n samples; the upper median for an even n, as guests/bench. */
static void print_stats(const char *prefix, uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("%s median=%llu min=%llu max=%llu n=%zu\n", prefix, (unsigned long long)v[n / 2],
	       (unsigned long long)v[0], (unsigned long long)v[n - 1], n);
}

static void print_bench(const char *name)
{
	size_t n = (size_t)iters * nthreads;
	char prefix[160];
	snprintf(prefix, sizeof(prefix), "BENCH %s", name);
	print_stats(prefix, iter_ticks, n);
	/* Where the iteration's ticks went (docs/performance.md, "The Linux figures"). The shootdowns are a
	 * figure of their own: linux_iter_X -> linux_shootdown_X. */
	print_stats("tlbstorm: of which at barriers", wait_ticks, n);
	if (!strncmp(name, "linux_iter_", 11))
		snprintf(prefix, sizeof(prefix), "BENCH linux_shootdown_%s", name + 11);
	else
		snprintf(prefix, sizeof(prefix), "BENCH %s_shootdown", name);
	print_stats(prefix, unmap_ticks, n);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "tsc")) {
		/* minihv gives guests the host's TSC unchanged: under Bochs, the ticks since the emulator started. */
		printf("%llu\n", (unsigned long long)__builtin_ia32_rdtsc());
		return 0;
	}
	iters = argc > 1 ? atol(argv[1]) : 200;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	nthreads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
	for (unsigned i = 0; i < MAX_THREADS; i++)
		cpu_of[i] = i;
	const char *bench = NULL;
	for (int a = 2; a < argc; a++) {
		if (strncmp(argv[a], "cpus=", 5)) {
			bench = argv[a];
			continue;
		}
		nthreads = 0;
		for (char *s = argv[a] + 5, *end; *s && nthreads < MAX_THREADS; s = *end ? end + 1 : end) {
			cpu_of[nthreads++] = (unsigned)strtoul(s, &end, 10);
			if (end == s || (*end && *end != ',')) {
				fprintf(stderr, "tlbstorm: bad CPU list '%s' (expected e.g. cpus=0,64)\n", argv[a]);
				return 2;
			}
		}
	}
	if (iters < 1) {
		fprintf(stderr, "usage: tlbstorm [ITERATIONS >= 1 [BENCH-NAME] [cpus=CPU,CPU,...]]\n");
		return 2;
	}
	const char *mode = getenv("TLBSTORM_BARRIER");
	if (mode && strcmp(mode, "spin") && !(futex_barrier = !strcmp(mode, "futex"))) {
		fprintf(stderr, "tlbstorm: TLBSTORM_BARRIER=%s: expected spin or futex\n", mode);
		return 2;
	}
	if (bench) {
		size_t n = (size_t)iters * nthreads;
		if (!(iter_ticks = calloc(3 * n, sizeof(*iter_ticks)))) {
			fprintf(stderr, "tlbstorm: no memory for %ld x %u samples\n", iters, nthreads);
			return 1;
		}
		wait_ticks = iter_ticks + n;
		unmap_ticks = wait_ticks + n;
	}
	area = mmap(NULL, SLOTS * SLOT_PAGES * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		perror("tlbstorm: mmap");
		return 1;
	}
	printf("tlbstorm: %u threads, %ld iterations, %d slots of %d pages, %s barrier\n", nthreads, iters, SLOTS,
	       SLOT_PAGES, futex_barrier ? "futex" : "spin");
	fflush(stdout);
	pthread_t t[MAX_THREADS];
	for (unsigned i = 1; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i)) {
			fprintf(stderr, "tlbstorm: cannot start thread %u\n", i);
			return 1;
		}
	worker((void *)0);
	for (unsigned i = 1; i < nthreads; i++)
		pthread_join(t[i], NULL);
	uint32_t ck = 0x811c9dc5u;
	for (unsigned s = 0; s < SLOTS; s++)
		ck = (ck ^ (uint32_t)(slot_sum[s] ^ slot_sum[s] >> 32)) * 0x01000193u;
	if (failed) {
		printf("tlbstorm: FAILED\n");
		return 1;
	}
	printf("tlbstorm: checksum %08x\n", ck);
	if (bench)
		print_bench(bench);
	return 0;
}
