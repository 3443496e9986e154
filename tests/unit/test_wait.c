/* hv/wait.c: the bounded wait every cross-CPU spin uses, against a fake TSC (one tick per poll). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "log.h"
#include "hv/wait.h"

u64 tsc_khz;
static u64 fake_tsc, relaxes;
static char last_line[512];
static int lines;

u64 wait_clock(void) { return fake_tsc; }
void wait_relax(void) { relaxes++; fake_tsc += 1000; }

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_line, sizeof(last_line), fmt, ap);
	va_end(ap);
	lines++;
	(void)level;
}

static void reset(void)
{
	tsc_khz = 1000; /* 1000 ticks per ms: each poll is 1 ms */
	fake_tsc = 5000;
	relaxes = 0;
	lines = 0;
	last_line[0] = 0;
}

static bool never(const void *arg) { (void)arg; return false; }
static bool after_polls(const void *arg) { return relaxes >= *(const u64 *)arg; }

static void test_done_at_once_never_relaxes(void **state)
{
	reset();
	u64 n = 0;
	assert_true(wait_until(after_polls, &n, 10));
	assert_int_equal(relaxes, 0);
}

static void test_done_before_timeout(void **state)
{
	reset();
	u64 n = 7;
	assert_true(wait_until(after_polls, &n, 10));
	assert_int_equal(relaxes, 7);
}

static void test_times_out_after_the_limit(void **state)
{
	reset();
	assert_false(wait_until(never, NULL, 10));
	/* 10 ms at 1000 ticks/ms, one ms per poll: gives up at the 10th poll, never much later */
	assert_int_equal(relaxes, 10);
	assert_int_equal(lines, 0); /* the helper itself prints nothing: its caller names what it waited for */
}

static void test_condition_true_at_the_deadline_counts(void **state)
{
	reset();
	u64 n = 10;
	assert_true(wait_until(after_polls, &n, 10));
}

static void test_uncalibrated_clock_still_ends(void **state)
{
	reset();
	tsc_khz = 0;
	fake_tsc = 0;
	/* 1e6 ticks per ms assumed: 1 ms = 1000 polls of 1000 ticks */
	assert_false(wait_until(never, NULL, 1));
	assert_int_equal(relaxes, 1000);
}

static void test_clock_wrap(void **state)
{
	reset();
	fake_tsc = ~0ull - 3500; /* the TSC wraps during the wait: unsigned differences still count */
	assert_false(wait_until(never, NULL, 10));
	assert_int_equal(relaxes, 10);
}

static void test_expired_line_names_cpu_vp_and_state(void **state)
{
	reset();
	struct cpu waiter = { .index = 3 }, home = { .index = 1 };
	struct partition p = { .name = "guest1" };
	struct vp t = { .index = 5, .part = &p, .home = &home, .in_guest = 1, .requests = VP_REQ_FLUSH_ALL,
			.req_gen = 9, .done_gen = 8 };
	wait_expired(&waiter, "flush acknowledgement", &t, 1000);
	assert_int_equal(lines, 1);
	assert_non_null(strstr(last_line, "CPU 3: flush acknowledgement: gave up after 1000 ms"));
	assert_non_null(strstr(last_line, "VP 5 of guest1 (home CPU 1): in guest mode"));
	assert_non_null(strstr(last_line, "req_gen 9, done_gen 8"));
	wait_expired(&waiter, "inhibit set", NULL, 2000);
	assert_int_equal(lines, 2);
	assert_string_equal(last_line, "CPU 3: inhibit set: gave up after 2000 ms");
}

static void test_state_names(void **state)
{
	struct vp t = { 0 };
	assert_string_equal(wait_vp_state(&t), "runnable, not in guest mode");
	t.blocked = VP_BLOCK_HALTED;
	assert_string_equal(wait_vp_state(&t), "halted");
	t.blocked = VP_BLOCK_FLUSH_WAIT | VP_BLOCK_HALTED;
	assert_string_equal(wait_vp_state(&t), "suspended on a flush inhibit");
	t.blocked = VP_BLOCK_EXPLICIT_SUSPEND;
	assert_string_equal(wait_vp_state(&t), "explicitly suspended");
	t.in_guest = 1;
	assert_string_equal(wait_vp_state(&t), "in guest mode, blocked but not yet out");
	t.blocked = VP_BLOCK_STOPPED;
	assert_string_equal(wait_vp_state(&t), "stopped");
	t.blocked = VP_BLOCK_ENDED;
	assert_string_equal(wait_vp_state(&t), "ended");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_done_at_once_never_relaxes),
		cmocka_unit_test(test_done_before_timeout),
		cmocka_unit_test(test_times_out_after_the_limit),
		cmocka_unit_test(test_condition_true_at_the_deadline_counts),
		cmocka_unit_test(test_uncalibrated_clock_still_ends),
		cmocka_unit_test(test_clock_wrap),
		cmocka_unit_test(test_expired_line_names_cpu_vp_and_state),
		cmocka_unit_test(test_state_names),
	};
	return cmocka_run_group_tests_name("wait", tests, NULL, NULL);
}
