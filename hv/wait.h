/*
 * Bounded waits, after NOVA's Wait::until: every spin-wait of the hypervisor on another CPU (flush
 * acknowledgements, the inhibit setter's epoch wait, the management partition's explicit suspend) goes
 * through wait_until(), which gives up after a timeout measured on the calibrated TSC instead of
 * hanging its CPU. The waiter then prints one line (wait_expired) naming its CPU, the VP it waited for
 * and that VP's state, and answers in a way that keeps the system running (docs/design.md, "Waits").
 */
#ifndef MINIHV_WAIT_H
#define MINIHV_WAIT_H

#include "partition.h"
#include "types.h"

/* Generous: a kicked VP leaves guest mode within microseconds. The epoch wait outlasts the flush wait,
 * so that a flush stuck on its acknowledgements times out (and ends its epoch) first. */
#define WAIT_FLUSH_ACK_MS 1000u
#define WAIT_FLUSH_EPOCH_MS 2000u
#define WAIT_EXPLICIT_SUSPEND_MS 1000u

typedef bool (*wait_cond_fn)(const void *arg);

/* Polls cond(arg) until it holds (true) or timeout_ms of TSC time have passed (false). */
bool wait_until(wait_cond_fn cond, const void *arg, u32 timeout_ms);

/* The one line for an expired wait: "CPU n: <what>: gave up after MS ms waiting for VP i of P (home
 * CPU h): <state>". t may be NULL when no VP is known. */
void wait_expired(const struct cpu *self, const char *what, const struct vp *t, u32 timeout_ms);
/* A VP's run state in words, for that line. */
const char *wait_vp_state(const struct vp *t);

/* The clock (TSC ticks; tsc_khz per millisecond) and the pause between polls. The hypervisor's are in
 * core/timer.c; host tests supply their own (a fake clock, or a scheduler step). */
u64 wait_clock(void);
void wait_relax(void);

#endif
