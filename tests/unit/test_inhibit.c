/* hv/inhibit.c: the inhibit/suspend state machine, single-threaded cases and a multi-threaded race
 * (threads stand in for CPUs; vp_block/vp_unblock are the real bit operations without IPIs). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/inhibit.h"
#include "trace.h"

struct cpu cpus[MAX_CPUS];
u32 cpu_count;

void vp_block(struct vp *vp, u32 reason) { __atomic_fetch_or(&vp->blocked, reason, __ATOMIC_SEQ_CST); }
void vp_unblock(struct vp *vp, u32 reason) { __atomic_fetch_and(&vp->blocked, ~reason, __ATOMIC_SEQ_CST); }
void trace_event(enum trace_type type, struct vp *vp, u32 a, u64 b) { (void)type; (void)vp; (void)a; (void)b; }

#define NVP 8
static struct partition part;
static struct vp vps[NVP];
static struct vp *vp_ptrs[NVP];

static void reset(void)
{
	memset(&part, 0, sizeof(part));
	memset(vps, 0, sizeof(vps));
	memset(cpus, 0, sizeof(cpus));
	cpu_count = 4;
	part.vp_count = NVP;
	part.vps = vp_ptrs;
	for (int i = 0; i < NVP; i++) {
		vps[i].index = i;
		vps[i].part = &part;
		vp_ptrs[i] = &vps[i];
	}
}

static struct hv_vp_bitmap set_of(u64 mask)
{
	struct hv_vp_bitmap s;
	hv_vp_bitmap_from_mask(&s, mask, NVP);
	return s;
}

/* A flush attempt as hv/flush.c makes it: inside the CPU's epoch, check, then (if not suspended) done. */
static bool attempt(struct cpu *c, struct vp *caller, u64 mask)
{
	struct hv_vp_bitmap s = set_of(mask);
	inhibit_flush_begin(c);
	bool suspended = inhibit_check_targets(caller, &s);
	inhibit_flush_end(c);
	return suspended;
}

static void test_no_inhibit_no_suspend(void **state)
{
	reset();
	assert_false(attempt(&cpus[0], &vps[0], 0x7));
	assert_int_equal(vps[0].blocked, 0);
}

static void test_inhibited_target_suspends_caller(void **state)
{
	reset();
	inhibit_set(&vps[1], true, &cpus[0]);
	assert_true(attempt(&cpus[1], &vps[0], 0x7));
	assert_int_equal(vps[0].blocked, VP_BLOCK_FLUSH_WAIT);
	assert_ptr_equal(vps[0].waiting_on, &vps[1]);
	assert_ptr_equal(vps[1].waiters, &vps[0]);
	assert_int_equal(vps[0].count.suspensions, 1);
	inhibit_set(&vps[1], false, &cpus[0]);
	assert_int_equal(vps[0].blocked, 0);
	assert_null(vps[0].waiting_on);
	assert_null(vps[1].waiters);
	assert_false(attempt(&cpus[1], &vps[0], 0x7)); /* the retry goes through */
}

static void test_target_outside_set_never_suspends(void **state)
{
	reset();
	inhibit_set(&vps[5], true, &cpus[0]);
	assert_false(attempt(&cpus[1], &vps[0], 0x1f)); /* {0..4} */
	assert_true(attempt(&cpus[1], &vps[0], 0x20));
}

static void test_one_clear_releases_every_waiter(void **state)
{
	reset();
	inhibit_set(&vps[1], true, &cpus[0]);
	assert_true(attempt(&cpus[1], &vps[0], 0x2));
	assert_true(attempt(&cpus[2], &vps[2], 0x2));
	assert_true(attempt(&cpus[3], &vps[3], 0xff));
	inhibit_set(&vps[1], false, &cpus[0]);
	for (int i = 0; i < 4; i++)
		assert_int_equal(vps[i].blocked, 0);
}

static void test_two_inhibitors_both_orders(void **state)
{
	for (int order = 0; order < 2; order++) {
		reset();
		inhibit_set(&vps[1], true, &cpus[0]);
		inhibit_set(&vps[2], true, &cpus[0]);
		assert_true(attempt(&cpus[1], &vps[0], 0x7));
		struct vp *first = vps[0].waiting_on, *other = first == &vps[1] ? &vps[2] : &vps[1];
		struct vp *clear1 = order ? other : first, *clear2 = order ? first : other;
		inhibit_set(clear1, false, &cpus[0]);
		if (clear1 == first) {
			/* released, but the retry meets the other one */
			assert_int_equal(vps[0].blocked, 0);
			assert_true(attempt(&cpus[1], &vps[0], 0x7));
			assert_ptr_equal(vps[0].waiting_on, other);
		} else {
			assert_int_equal(vps[0].blocked, VP_BLOCK_FLUSH_WAIT); /* still waiting on the first */
		}
		inhibit_set(clear2, false, &cpus[0]);
		assert_int_equal(vps[0].blocked, 0);
		assert_false(attempt(&cpus[1], &vps[0], 0x7));
	}
}

static void test_self_inhibit_suspends_until_clear(void **state)
{
	reset();
	inhibit_set(&vps[0], true, &cpus[1]);
	assert_true(attempt(&cpus[0], &vps[0], 0x1));
	assert_ptr_equal(vps[0].waiting_on, &vps[0]);
	inhibit_set(&vps[0], false, &cpus[1]);
	assert_int_equal(vps[0].blocked, 0);
}

static void test_other_block_reasons_survive_release(void **state)
{
	reset();
	inhibit_set(&vps[1], true, &cpus[0]);
	assert_true(attempt(&cpus[1], &vps[0], 0x2));
	vp_block(&vps[0], VP_BLOCK_EXPLICIT_SUSPEND);
	inhibit_set(&vps[1], false, &cpus[0]);
	assert_int_equal(vps[0].blocked, VP_BLOCK_EXPLICIT_SUSPEND); /* explicit suspend still holds */
}

/* ---- set waits for in-flight flushes ---- */

static volatile int phase;

static void *inflight_flusher(void *arg)
{
	(void)arg;
	struct hv_vp_bitmap s = set_of(0x2);
	inhibit_flush_begin(&cpus[1]);
	assert_false(inhibit_check_targets(&vps[0], &s)); /* passed before the flag was set */
	__atomic_store_n(&phase, 1, __ATOMIC_SEQ_CST);
	for (volatile long i = 0; i < 20000000; i++)
		;
	__atomic_store_n(&phase, 2, __ATOMIC_SEQ_CST); /* the flush "completes" */
	inhibit_flush_end(&cpus[1]);
	return NULL;
}

static void test_set_waits_for_inflight_flush(void **state)
{
	reset();
	phase = 0;
	pthread_t t;
	pthread_create(&t, NULL, inflight_flusher, NULL);
	while (!__atomic_load_n(&phase, __ATOMIC_SEQ_CST))
		;
	inhibit_set(&vps[1], true, &cpus[0]);
	assert_int_equal(__atomic_load_n(&phase, __ATOMIC_SEQ_CST), 2);
	pthread_join(t, NULL);
}

/* ---- race: flushers against set/clear cycles ---- */

#define RACE_CYCLES 20000
static volatile int stop_race, violation;
static volatile int set_returned; /* 1 between inhibit_set(1) returning and the clear */

static void *race_flusher(void *arg)
{
	struct vp *me = &vps[(long)arg];
	struct cpu *c = &cpus[(long)arg];
	struct hv_vp_bitmap s = set_of(0x1); /* target VP 0 */
	while (!__atomic_load_n(&stop_race, __ATOMIC_SEQ_CST)) {
		if (__atomic_load_n(&me->blocked, __ATOMIC_SEQ_CST))
			continue; /* suspended: not entered */
		inhibit_flush_begin(c);
		if (!inhibit_check_targets(me, &s)) {
			/* A flush of VP 0 is completing: the set must not have returned meanwhile. */
			if (__atomic_load_n(&set_returned, __ATOMIC_SEQ_CST) && __atomic_load_n(&vps[0].tlb_flush_inhibit, __ATOMIC_SEQ_CST))
				violation = 1;
		}
		inhibit_flush_end(c);
	}
	return NULL;
}

static void test_race_no_lost_wakeup(void **state)
{
	reset();
	stop_race = violation = set_returned = 0;
	pthread_t t[3];
	for (long i = 1; i <= 3; i++)
		pthread_create(&t[i - 1], NULL, race_flusher, (void *)i);
	long stuck = 0;
	for (int n = 0; n < RACE_CYCLES; n++) {
		inhibit_set(&vps[0], true, &cpus[0]);
		__atomic_store_n(&set_returned, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&set_returned, 0, __ATOMIC_SEQ_CST);
		inhibit_set(&vps[0], false, &cpus[0]);
		/* watchdog: right after a clear nobody may still wait on VP 0 */
		for (int i = 1; i <= 3; i++)
			if (__atomic_load_n(&vps[i].waiting_on, __ATOMIC_SEQ_CST) == &vps[0] &&
			    __atomic_load_n(&vps[0].tlb_flush_inhibit, __ATOMIC_SEQ_CST) == 0 && !vps[0].waiters)
				stuck++;
	}
	__atomic_store_n(&stop_race, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(violation, 0);
	assert_int_equal(stuck, 0);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(vps[i].blocked, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_inhibit_no_suspend),
		cmocka_unit_test(test_inhibited_target_suspends_caller),
		cmocka_unit_test(test_target_outside_set_never_suspends),
		cmocka_unit_test(test_one_clear_releases_every_waiter),
		cmocka_unit_test(test_two_inhibitors_both_orders),
		cmocka_unit_test(test_self_inhibit_suspends_until_clear),
		cmocka_unit_test(test_other_block_reasons_survive_release),
		cmocka_unit_test(test_set_waits_for_inflight_flush),
		cmocka_unit_test(test_race_no_lost_wakeup),
	};
	return cmocka_run_group_tests_name("inhibit", tests, NULL, NULL);
}
