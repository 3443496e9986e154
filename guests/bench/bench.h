/* bench: the cost of the flush path, of IPI shootdown and of an inhibit release, in guest TSC ticks
 * (tools/bench, docs/performance.md). Shared by the files of this guest. */
#ifndef BENCH_H
#define BENCH_H

#include "guest.h"

#define BENCH_MAX_ITERS 1024
#define BENCH_VECTOR 0xf0     /* the shootdown IPI and the final wake-up */
#define BENCH_PAGE 0x600000ull /* the page a shootdown target INVLPGs */
#define X2APIC_SVR 0x80f
#define X2APIC_EOI 0x80b
#define X2APIC_ICR 0x830

extern u32 bench_iters;

/* One acknowledgement slot per VP, each in its own cache line. */
struct bench_ack {
	volatile u32 seq;
	u32 pad[15];
};
extern struct bench_ack bench_acks[MINIHV_MAX_VPS];
extern volatile u32 bench_seq, bench_stop;

/* samples[0..n) sorted; prints "BENCH name median=M min=A max=B n=N" (the line tools/bench reads). */
void bench_report(const char *name, u64 *samples, u32 n);
u64 *bench_samples(void);

/* Target side: software-enables the virtual x2APIC and installs the shootdown handler (INVLPG, ack,
 * EOI). Then the VP spins with interrupts on, or halts, until bench_stop. */
void bench_target_setup(void);
void bench_target_spin(void);
void bench_target_halt(void);
void bench_wake(u32 vp);                   /* an ICR IPI that ends a halted target's HLT */
void bench_stop_targets(u32 first, u32 last); /* bench_stop, then wake [first, last] */

/* Figures (flush.c, ipi.c, release.c). */
void bench_floor(void);
void bench_flush_self(void);
void bench_flush_list_self(void);
void bench_flush_space(const char *name, u64 mask, u64 flags);
void bench_flush_sparse64(void);
void bench_ipi_shootdown(const char *name, u32 first, u32 last);
int bench_release_mgmt(void);
int bench_release_guest(const struct minihv_boot_info *bi);

#endif
