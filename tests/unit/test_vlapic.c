/* vdev/vlapic_regs.c: the x2APIC register file, priority and acceptance (SDM 11.8), EOI, ESR, ICR
 * decoding and destinations, the timer's arithmetic, IA32_APIC_BASE transitions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/vlapic.h"

static struct vlapic l;
static struct vlapic_effect fx;

static void fresh(bool bsp)
{
	memset(&l, 0, sizeof(l));
	vlapic_reset(&l, 3, bsp, false);
}

static u64 rd(u32 msr)
{
	u64 v = 0xdead;
	assert_true(vlapic_rdmsr(&l, msr, 0, &v));
	return v;
}

static void wr(u32 msr, u64 v)
{
	assert_true(vlapic_wrmsr(&l, msr, v, 0, &fx));
}

static void enable(void)
{
	wr(X2APIC_SVR, APIC_SVR_ENABLE | 0xff);
}

static void test_reset_state(void **state)
{
	fresh(true);
	assert_int_equal(l.apic_base, 0xfee00d00);
	fresh(false);
	assert_int_equal(l.apic_base, 0xfee00c00);
	/* Readable before the guest has touched anything (Linux 6.12 APs read 0x802 without an IDT). */
	assert_int_equal(rd(X2APIC_ID), 3);
	assert_int_equal(rd(X2APIC_VERSION), 0x50014);
	assert_true(((rd(X2APIC_VERSION) >> 16) & 0xff) > 3); /* maxlvt > 3: Linux sends SIPIs */
	assert_int_equal(rd(X2APIC_SVR), 0xff);
	assert_int_equal(rd(X2APIC_LVT_TIMER), APIC_LVT_MASKED);
	assert_int_equal(rd(X2APIC_LDR), (0u << 16) | BIT(3));
	assert_int_equal(rd(X2APIC_PPR), 0);
	assert_int_equal(rd(X2APIC_ESR), 0);
}

static void test_write_only_and_read_only(void **state)
{
	u64 v;
	fresh(false);
	assert_false(vlapic_rdmsr(&l, X2APIC_EOI, 0, &v));
	assert_false(vlapic_rdmsr(&l, X2APIC_SELF_IPI, 0, &v));
	assert_false(vlapic_rdmsr(&l, 0x831, 0, &v)); /* ICR high half does not exist in x2APIC */
	assert_false(vlapic_rdmsr(&l, X2APIC_LVT_CMCI, 0, &v)); /* maxlvt 5: no CMCI */
	assert_false(vlapic_rdmsr(&l, 0x8ff, 0, &v));
	assert_false(vlapic_wrmsr(&l, X2APIC_ID, 7, 0, &fx));
	assert_false(vlapic_wrmsr(&l, X2APIC_VERSION, 0, 0, &fx));
	assert_false(vlapic_wrmsr(&l, X2APIC_PPR, 0, 0, &fx));
	assert_false(vlapic_wrmsr(&l, X2APIC_LDR, 0, 0, &fx));
	assert_false(vlapic_wrmsr(&l, X2APIC_ISR0, 0, 0, &fx));
	assert_false(vlapic_wrmsr(&l, X2APIC_IRR0 + 7, 0, 0, &fx));
	assert_false(vlapic_wrmsr(&l, X2APIC_TIMER_CCR, 0, 0, &fx));
	assert_int_equal(rd(X2APIC_ID), 3);
}

static void test_reserved_bits_gp(void **state)
{
	fresh(false);
	enable();
	assert_false(vlapic_wrmsr(&l, X2APIC_TPR, 0x100, 0, &fx));
	assert_false(vlapic_wrmsr(&l, X2APIC_TPR, 1ull << 32, 0, &fx));
	assert_false(vlapic_wrmsr(&l, X2APIC_EOI, 1, 0, &fx));
	assert_false(vlapic_wrmsr(&l, X2APIC_ESR, 1, 0, &fx));
	assert_false(vlapic_wrmsr(&l, X2APIC_SVR, BIT(12) | 0x1ff, 0, &fx)); /* no EOI-broadcast suppression */
	assert_false(vlapic_wrmsr(&l, X2APIC_LVT_TIMER, BIT(18) | 0x40, 0, &fx)); /* no TSC-deadline mode */
	assert_false(vlapic_wrmsr(&l, X2APIC_TIMER_DCR, 4, 0, &fx));
	assert_false(vlapic_wrmsr(&l, X2APIC_ICR, BIT(12) | 0x40, 0, &fx)); /* delivery status is gone */
	assert_false(vlapic_wrmsr(&l, X2APIC_SELF_IPI, 0x140, 0, &fx));
	assert_int_equal(rd(X2APIC_TPR), 0);
	assert_int_equal(rd(X2APIC_SVR), 0x1ff);
}

static void test_x2apic_off_gp(void **state)
{
	u64 v;
	fresh(false);
	assert_true(vlapic_write_apic_base(&l, 0xfee00000)); /* x2APIC → disabled is legal */
	assert_false(vlapic_rdmsr(&l, X2APIC_ID, 0, &v));
	assert_false(vlapic_write_apic_base(&l, 0xfee00c00)); /* disabled → x2APIC directly: illegal */
	assert_true(vlapic_write_apic_base(&l, 0xfee00800));  /* → xAPIC */
	assert_false(vlapic_rdmsr(&l, X2APIC_ID, 0, &v));     /* x2APIC MSRs need EXTD */
	assert_true(vlapic_write_apic_base(&l, 0xfee00c00));  /* xAPIC → x2APIC */
	assert_int_equal(rd(X2APIC_ID), 3);
}

static void test_apic_base_rules(void **state)
{
	fresh(true);
	assert_true(vlapic_write_apic_base(&l, 0xfee00c00)); /* Linux sets EXTD again: accepted, BSP stays */
	assert_int_equal(l.apic_base, 0xfee00d00);
	assert_false(vlapic_write_apic_base(&l, 0xfee00800)); /* x2APIC → xAPIC */
	assert_false(vlapic_write_apic_base(&l, 0xfee00400)); /* EXTD without EN */
	assert_false(vlapic_write_apic_base(&l, 0xfed00c00)); /* relocation */
	assert_false(vlapic_write_apic_base(&l, 0xfee00c01)); /* reserved */
	assert_int_equal(l.apic_base, 0xfee00d00);
}

static void test_priority_and_acceptance(void **state)
{
	fresh(false);
	enable();
	assert_true(vlapic_accept(&l, 0x41));
	assert_true(vlapic_accept(&l, 0x62));
	assert_true(vlapic_accept(&l, 0x35));
	assert_int_equal(rd(X2APIC_IRR0 + 2), BIT(1)); /* 0x41 */
	assert_int_equal(vlapic_pending(&l), 0x62);
	assert_int_equal(vlapic_ack(&l), 0x62);
	assert_int_equal(rd(X2APIC_ISR0 + 3), BIT(2));
	assert_int_equal(rd(X2APIC_PPR), 0x60);
	/* 0x41 and 0x35 are below the in-service class: held. */
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(vlapic_ack(&l), -1);
	/* A higher class nests. */
	assert_true(vlapic_accept(&l, 0x71));
	assert_int_equal(vlapic_ack(&l), 0x71);
	assert_int_equal(rd(X2APIC_PPR), 0x70);
	/* Same class as the in-service one: not deliverable (strictly above PPR's class). */
	assert_true(vlapic_accept(&l, 0x7f));
	assert_int_equal(vlapic_pending(&l), -1);
	wr(X2APIC_EOI, 0); /* ends 0x71, the highest in service */
	assert_int_equal(rd(X2APIC_ISR0 + 3), BIT(2));
	assert_int_equal(vlapic_ack(&l), 0x7f);
	wr(X2APIC_EOI, 0);
	wr(X2APIC_EOI, 0); /* ends 0x62 */
	assert_int_equal(rd(X2APIC_PPR), 0);
	assert_int_equal(vlapic_ack(&l), 0x41);
	wr(X2APIC_EOI, 0);
	assert_int_equal(vlapic_ack(&l), 0x35);
	wr(X2APIC_EOI, 0);
	assert_int_equal(vlapic_ack(&l), -1);
	wr(X2APIC_EOI, 0); /* EOI with nothing in service is harmless */
	assert_int_equal(vlapic_highest(l.isr), -1);
}

static void test_tpr_blocks_classes(void **state)
{
	fresh(false);
	enable();
	wr(X2APIC_TPR, 0x55);
	assert_int_equal(rd(X2APIC_PPR), 0x55);
	vlapic_accept(&l, 0x50);
	vlapic_accept(&l, 0x5f);
	assert_int_equal(vlapic_pending(&l), -1); /* class 5 is not above TPR's class 5 */
	vlapic_accept(&l, 0x60);
	assert_int_equal(vlapic_ack(&l), 0x60);
	/* ISR class 6 above TPR class 5: PPR = 0x60, TPR's low bits drop. */
	assert_int_equal(rd(X2APIC_PPR), 0x60);
	wr(X2APIC_EOI, 0);
	wr(X2APIC_TPR, 0x40);
	assert_int_equal(vlapic_ack(&l), 0x5f);
}

static void test_illegal_vectors_and_esr(void **state)
{
	fresh(false);
	enable();
	assert_false(vlapic_accept(&l, 15));
	assert_int_equal(vlapic_highest(l.irr), -1);
	assert_int_equal(rd(X2APIC_ESR), 0); /* latched only by an ESR write */
	wr(X2APIC_ESR, 0);
	assert_int_equal(rd(X2APIC_ESR), APIC_ESR_RECV_ILLEGAL_VECTOR);
	wr(X2APIC_ESR, 0);
	assert_int_equal(rd(X2APIC_ESR), 0);
	/* Sending an illegal fixed vector: send error, nothing sent. */
	wr(X2APIC_ICR, 0x0000000200000005ull);
	assert_false(fx.send_ipi);
	wr(X2APIC_SELF_IPI, 3);
	assert_int_equal(vlapic_highest(l.irr), -1);
	wr(X2APIC_ESR, 0);
	assert_int_equal(rd(X2APIC_ESR), APIC_ESR_SEND_ILLEGAL_VECTOR);
	/* Errors accumulate; an unmasked error LVT raises its vector. */
	wr(X2APIC_LVT_ERROR, 0xee);
	assert_false(vlapic_accept(&l, 1));
	wr(X2APIC_SELF_IPI, 2);
	assert_int_equal(vlapic_pending(&l), 0xee);
	wr(X2APIC_ESR, 0);
	assert_int_equal(rd(X2APIC_ESR), APIC_ESR_RECV_ILLEGAL_VECTOR | APIC_ESR_SEND_ILLEGAL_VECTOR);
	/* An INIT/SIPI sequence's ESR write and read give 0 (Linux checks). */
	wr(X2APIC_ICR, 0x000000010000c500ull);
	wr(X2APIC_ESR, 0);
	assert_int_equal(rd(X2APIC_ESR), 0);
}

static void test_software_disable(void **state)
{
	fresh(false);
	/* Power-up: software-disabled, fixed interrupts are not taken, LVTs stay masked. */
	assert_false(vlapic_accept(&l, 0x40));
	wr(X2APIC_LVT_TIMER, 0x40);
	assert_int_equal(rd(X2APIC_LVT_TIMER), APIC_LVT_MASKED | 0x40);
	enable();
	wr(X2APIC_LVT_TIMER, 0x40);
	assert_int_equal(rd(X2APIC_LVT_TIMER), 0x40);
	assert_true(vlapic_accept(&l, 0x40));
	wr(X2APIC_SVR, 0xff); /* disable: every LVT masked again, what is pending stays */
	assert_int_equal(rd(X2APIC_LVT_TIMER), APIC_LVT_MASKED | 0x40);
	assert_int_equal(vlapic_highest(l.irr), 0x40);
}

static void test_auto_eoi_mode(void **state)
{
	/* Partitions without a guest-visible APIC: always accepted, nothing stays in service. */
	memset(&l, 0, sizeof(l));
	vlapic_reset(&l, 0, true, true);
	assert_true(vlapic_accept(&l, 0x40));
	assert_true(vlapic_accept(&l, 0x30));
	assert_int_equal(vlapic_ack(&l), 0x40);
	assert_int_equal(vlapic_ack(&l), 0x30);
	assert_int_equal(vlapic_highest(l.isr), -1);
	assert_true(vlapic_accept(&l, 0x40));
	assert_int_equal(vlapic_ack(&l), 0x40);
}

static void test_icr_decode_and_targets(void **state)
{
	fresh(false);
	enable();
	wr(X2APIC_ICR, 0x0000000500004041ull);
	assert_true(fx.send_ipi);
	assert_int_equal(fx.ipi.vector, 0x41);
	assert_int_equal(fx.ipi.mode, APIC_DM_FIXED);
	assert_int_equal(fx.ipi.dest, 5);
	assert_int_equal(rd(X2APIC_ICR), 0x0000000500004041ull);
	assert_true(vlapic_icr_targets(&fx.ipi, 3, 5, 0));
	assert_false(vlapic_icr_targets(&fx.ipi, 3, 4, 0));
	struct vlapic_icr b = vlapic_icr_decode(0xffffffff00004041ull);
	assert_true(vlapic_icr_targets(&b, 3, 0, 0) && vlapic_icr_targets(&b, 3, 3, 0));
	struct vlapic_icr s = vlapic_icr_decode(0x44041ull); /* self */
	assert_true(vlapic_icr_targets(&s, 3, 3, 0));
	assert_false(vlapic_icr_targets(&s, 3, 0, 0));
	struct vlapic_icr all = vlapic_icr_decode(0x84041ull);
	assert_true(vlapic_icr_targets(&all, 3, 3, 0) && vlapic_icr_targets(&all, 3, 9, 0));
	struct vlapic_icr others = vlapic_icr_decode(0xc4041ull);
	assert_false(vlapic_icr_targets(&others, 3, 3, 0));
	assert_true(vlapic_icr_targets(&others, 3, 0, 0));
	/* Logical x2APIC: cluster 1, ids 16 and 18. */
	struct vlapic_icr lg = vlapic_icr_decode(0x0001000500004841ull);
	assert_true(lg.logical);
	assert_true(vlapic_icr_targets(&lg, 0, 16, (1u << 16) | BIT(0)));
	assert_true(vlapic_icr_targets(&lg, 0, 18, (1u << 16) | BIT(2)));
	assert_false(vlapic_icr_targets(&lg, 0, 17, (1u << 16) | BIT(1)));
	assert_false(vlapic_icr_targets(&lg, 0, 0, BIT(0))); /* cluster 0 */
	struct vlapic_icr init = vlapic_icr_decode(0x000000010000c500ull);
	assert_int_equal(init.mode, APIC_DM_INIT);
	assert_true(init.assert && init.level);
	struct vlapic_icr deassert = vlapic_icr_decode(0x0000000100008500ull);
	assert_false(deassert.assert);
	struct vlapic_icr sipi = vlapic_icr_decode(0x0000000100000699ull);
	assert_int_equal(sipi.mode, APIC_DM_STARTUP);
	assert_int_equal(sipi.vector, 0x99);
}

static void test_self_ipi(void **state)
{
	fresh(false);
	enable();
	wr(X2APIC_SELF_IPI, 0x91);
	assert_int_equal(vlapic_pending(&l), 0x91);
}

static void test_timer_divide(void **state)
{
	static const u32 expect[16] = { [0] = 2, [1] = 4, [2] = 8, [3] = 16, [8] = 32, [9] = 64, [10] = 128, [11] = 1 };
	for (u32 d = 0; d < 16; d++)
		if (!(d & 4))
			assert_int_equal(vlapic_timer_divide(d), expect[d]);
}

static void test_timer_oneshot(void **state)
{
	fresh(false);
	enable();
	wr(X2APIC_TIMER_DCR, 3);        /* divide by 16, as Linux uses */
	wr(X2APIC_LVT_TIMER, 0xec);
	assert_true(vlapic_wrmsr(&l, X2APIC_TIMER_ICR, 1000, 5000, &fx));
	assert_true(fx.timer_changed);
	assert_int_equal(vlapic_timer_next(&l), 5000 + 16000);
	u64 v;
	assert_true(vlapic_rdmsr(&l, X2APIC_TIMER_CCR, 5000 + 160, &v));
	assert_int_equal(v, 990);
	assert_false(vlapic_timer_poll(&l, 5000 + 15999));
	assert_int_equal(vlapic_highest(l.irr), -1);
	assert_true(vlapic_timer_poll(&l, 5000 + 16000));
	assert_int_equal(vlapic_pending(&l), 0xec);
	assert_int_equal(vlapic_timer_current(&l, 30000), 0);
	assert_int_equal(vlapic_timer_next(&l), 0);
	assert_false(vlapic_timer_poll(&l, 1000000)); /* one-shot: once */
	/* Writing 0 stops it. */
	assert_true(vlapic_wrmsr(&l, X2APIC_TIMER_ICR, 100, 0, &fx));
	assert_true(vlapic_wrmsr(&l, X2APIC_TIMER_ICR, 0, 10, &fx));
	assert_false(vlapic_timer_poll(&l, 1u << 30));
}

static void test_timer_periodic(void **state)
{
	fresh(false);
	enable();
	wr(X2APIC_TIMER_DCR, 0xb); /* divide by 1 */
	wr(X2APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | 0xed);
	assert_true(vlapic_wrmsr(&l, X2APIC_TIMER_ICR, 100, 0, &fx));
	int fired = 0;
	for (u64 t = 0; t <= 1000; t += 10) {
		if (vlapic_timer_poll(&l, t)) {
			fired++;
			vlapic_ack(&l);
			vlapic_eoi(&l);
		}
	}
	assert_int_equal(fired, 10);
	assert_int_equal(vlapic_timer_next(&l), 1100);
	assert_int_equal(vlapic_timer_current(&l, 1030), 70);
	/* Missed periods coalesce into one interrupt; the phase is kept. */
	assert_true(vlapic_timer_poll(&l, 1555));
	assert_int_equal(vlapic_timer_next(&l), 1600);
	assert_false(vlapic_timer_poll(&l, 1599));
	/* Masked: counts on, raises nothing, and wants no wake-up. */
	wr(X2APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC | 0xed);
	assert_int_equal(vlapic_timer_next(&l), 0);
	vlapic_ack(&l);
	vlapic_eoi(&l);
	assert_false(vlapic_timer_poll(&l, 1700));
	assert_int_equal(vlapic_highest(l.irr), -1);
}

static void test_timer_min_period(void **state)
{
	fresh(false);
	l.min_period = 1000;
	enable();
	wr(X2APIC_TIMER_DCR, 0xb);
	wr(X2APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | 0x60);
	assert_true(vlapic_wrmsr(&l, X2APIC_TIMER_ICR, 1, 0, &fx)); /* a period of one tick */
	assert_true(vlapic_timer_poll(&l, 1));
	assert_int_equal(vlapic_timer_next(&l), 1001); /* stretched to min_period */
	vlapic_ack(&l);
	vlapic_eoi(&l);
	assert_false(vlapic_timer_poll(&l, 1000));
}

static void test_timer_divide_change_keeps_count(void **state)
{
	fresh(false);
	enable();
	wr(X2APIC_TIMER_DCR, 0xb);
	wr(X2APIC_LVT_TIMER, 0x50);
	assert_true(vlapic_wrmsr(&l, X2APIC_TIMER_ICR, 1000, 0, &fx));
	assert_true(vlapic_wrmsr(&l, X2APIC_TIMER_DCR, 0, 400, &fx)); /* by 2 from now on, 600 counts left */
	assert_int_equal(vlapic_timer_current(&l, 400), 600);
	assert_int_equal(vlapic_timer_next(&l), 400 + 1200);
}

static void test_init_keeps_id_and_base(void **state)
{
	fresh(true);
	enable();
	wr(X2APIC_TPR, 0x20);
	vlapic_accept(&l, 0x80);
	vlapic_init_signal(&l);
	assert_int_equal(rd(X2APIC_ID), 3);
	assert_int_equal(l.apic_base, 0xfee00d00);
	assert_int_equal(rd(X2APIC_TPR), 0);
	assert_int_equal(rd(X2APIC_SVR), 0xff);
	assert_int_equal(vlapic_highest(l.irr), -1);
}

static void test_lint0_extint(void **state)
{
	fresh(false);
	assert_false(vlapic_lint0_extint(&l)); /* an AP's LINT0 starts masked */
	fresh(true);
	assert_true(vlapic_lint0_extint(&l)); /* the BSP's starts as virtual wire, before SVR is set */
	assert_int_equal(rd(X2APIC_LVT_LINT0), APIC_DM_EXTINT << APIC_LVT_DM_SHIFT);
	enable();
	wr(X2APIC_LVT_LINT0, APIC_DM_EXTINT << APIC_LVT_DM_SHIFT);
	assert_true(vlapic_lint0_extint(&l));
	wr(X2APIC_LVT_LINT0, APIC_LVT_MASKED | (APIC_DM_EXTINT << APIC_LVT_DM_SHIFT));
	assert_false(vlapic_lint0_extint(&l));
	wr(X2APIC_LVT_LINT0, APIC_DM_NMI << APIC_LVT_DM_SHIFT);
	assert_false(vlapic_lint0_extint(&l));
	/* Hardware-disabled: INTR goes straight through. */
	assert_true(vlapic_write_apic_base(&l, 0xfee00100));
	assert_true(vlapic_lint0_extint(&l));
	/* Partitions without a visible APIC: the 8259 reaches VP 0 directly, no other VP. */
	memset(&l, 0, sizeof(l));
	vlapic_reset(&l, 0, true, true);
	assert_true(vlapic_lint0_extint(&l));
	vlapic_reset(&l, 1, false, true);
	assert_false(vlapic_lint0_extint(&l));
}

/* Firmware hand-off on a Linux partition's VP 0; Linux's disconnect_bsp_APIC write at power-off. */
static void test_virtual_wire(void **state)
{
	fresh(true);
	vlapic_virtual_wire(&l);
	assert_true(vlapic_lint0_extint(&l));
	assert_int_equal(rd(X2APIC_LVT_LINT0) & APIC_LVT_MASKED, 0); /* what Linux tests to keep ExtINT */
	assert_int_equal(rd(X2APIC_LVT_LINT1), APIC_DM_NMI << APIC_LVT_DM_SHIFT);
	assert_true(rd(X2APIC_SVR) & APIC_SVR_ENABLE);
	wr(X2APIC_LVT_LINT0, 0x5700); /* remote IRR and delivery status set: read-only, ignored */
	assert_int_equal(rd(X2APIC_LVT_LINT0), 0x700);
	fresh(false); /* an AP: masked, as after reset (negative control) */
	assert_int_not_equal(rd(X2APIC_LVT_LINT0) & APIC_LVT_MASKED, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_state),
		cmocka_unit_test(test_write_only_and_read_only),
		cmocka_unit_test(test_reserved_bits_gp),
		cmocka_unit_test(test_x2apic_off_gp),
		cmocka_unit_test(test_apic_base_rules),
		cmocka_unit_test(test_priority_and_acceptance),
		cmocka_unit_test(test_tpr_blocks_classes),
		cmocka_unit_test(test_illegal_vectors_and_esr),
		cmocka_unit_test(test_software_disable),
		cmocka_unit_test(test_auto_eoi_mode),
		cmocka_unit_test(test_icr_decode_and_targets),
		cmocka_unit_test(test_self_ipi),
		cmocka_unit_test(test_timer_divide),
		cmocka_unit_test(test_timer_oneshot),
		cmocka_unit_test(test_timer_periodic),
		cmocka_unit_test(test_timer_min_period),
		cmocka_unit_test(test_timer_divide_change_keeps_count),
		cmocka_unit_test(test_init_keeps_id_and_base),
		cmocka_unit_test(test_lint0_extint),
		cmocka_unit_test(test_virtual_wire),
	};
	return cmocka_run_group_tests_name("vlapic", tests, NULL, NULL);
}
