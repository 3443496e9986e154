/* The virtual local APIC's register file and rules, x2APIC mode (SDM vol. 3 ch. 11). Pure logic: no
 * hardware access, host unit tests link this file (tests/unit/test_vlapic.c). */
#include "vlapic.h"
#include "lib.h"

#define ESR_ERRORS 0xefu  /* bits 0-3, 5-7 */
/* Writable bits (x2APIC: a 1 in any other bit is #GP, SDM 11.12.1.2). */
#define TPR_BITS 0xffu
#define SVR_BITS 0x3ffu   /* vector, software enable, focus check; no EOI-broadcast suppression */
#define LVT_TIMER_BITS 0x300ffu /* vector, mask, periodic; TSC-deadline mode is not offered */
#define LVT_DM_BITS 0x107ffu    /* thermal, PMI: vector, delivery mode, mask */
#define LVT_LINT_BITS 0x1a7ffu  /* vector, delivery mode, polarity, trigger, mask (remote IRR is RO) */
#define LVT_ERROR_BITS 0x100ffu
#define TDCR_BITS 0xbu
#define ICR_BITS 0xffffffff000ccfffull

bool vlapic_enabled(const struct vlapic *l)
{
	return (l->apic_base & APIC_BASE_EN) && (l->svr & APIC_SVR_ENABLE);
}

bool vlapic_x2apic_mode(const struct vlapic *l)
{
	return (l->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD);
}

static void reset_registers(struct vlapic *l)
{
	l->tpr = 0;
	l->svr = l->auto_eoi ? APIC_SVR_ENABLE | 0xff : 0xff;
	l->esr = 0;
	__atomic_store_n(&l->esr_pending, 0, __ATOMIC_RELAXED);
	l->icr = 0;
	for (int i = 0; i < LVT_COUNT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	l->tmict = l->tdcr = 0;
	l->timer_start = l->timer_deadline = 0;
	for (int i = 0; i < 8; i++) {
		__atomic_store_n(&l->irr[i], 0, __ATOMIC_RELAXED);
		l->isr[i] = l->tmr[i] = 0;
	}
	__atomic_store_n(&l->nmi_pending, 0, __ATOMIC_RELAXED);
}

void vlapic_reset(struct vlapic *l, u32 id, bool bsp, bool auto_eoi)
{
	l->id = id;
	l->auto_eoi = auto_eoi;
	l->apic_base = APIC_BASE_ADDR | APIC_BASE_EN | APIC_BASE_EXTD | (bsp ? APIC_BASE_BSP : 0);
	reset_registers(l);
	/* The BSP's LINT0 as firmware leaves it (and KVM resets it): ExtINT, unmasked, so the 8259 reaches
	 * the boot processor before the OS programs its APIC (virtual-wire mode). */
	if (bsp && !auto_eoi)
		l->lvt[LVT_LINT0] = APIC_DM_EXTINT << APIC_LVT_DM_SHIFT;
}

void vlapic_virtual_wire(struct vlapic *l)
{
	/* What a PC BIOS leaves on the boot CPU (MP spec 3.6.2.2, virtual-wire mode): APIC enabled, the
	 * 8259's INT on LINT0 as ExtINT, NMI on LINT1. Linux keeps LINT0 as ExtINT only when it finds it
	 * unmasked and there is no IO-APIC to route the legacy IRQs. */
	l->svr = APIC_SVR_ENABLE | 0xff;
	l->lvt[LVT_LINT0] = APIC_DM_EXTINT << APIC_LVT_DM_SHIFT;
	l->lvt[LVT_LINT1] = APIC_DM_NMI << APIC_LVT_DM_SHIFT;
}

void vlapic_init_signal(struct vlapic *l)
{
	reset_registers(l);
}

u32 vlapic_ldr(const struct vlapic *l)
{
	/* SDM 11.12.10.2: cluster id = id[19:4] in 31:16, one bit per id[3:0] in 15:0. */
	return ((l->id >> 4) << 16) | (1u << (l->id & 0xf));
}

int vlapic_highest(const volatile u32 reg[8])
{
	for (int i = 7; i >= 0; i--) {
		u32 w = __atomic_load_n(&reg[i], __ATOMIC_ACQUIRE);
		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

u32 vlapic_ppr(const struct vlapic *l)
{
	/* SDM 11.8.3.1: PPR[7:4] = max(TPR[7:4], ISRV[7:4]); PPR[3:0] = TPR[3:0] when TPR's class wins. */
	int isrv = vlapic_highest(l->isr);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;
	return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

void vlapic_error(struct vlapic *l, u32 esr_bits)
{
	u32 old = __atomic_fetch_or(&l->esr_pending, esr_bits, __ATOMIC_SEQ_CST);
	u32 lvt = __atomic_load_n(&l->lvt[LVT_ERROR], __ATOMIC_RELAXED);
	/* An illegal error vector would report itself forever: it raises nothing (SDM leaves it undefined). */
	if ((old & esr_bits) != esr_bits && !(lvt & APIC_LVT_MASKED) && (lvt & 0xff) >= 16)
		vlapic_accept(l, (u8)lvt);
}

bool vlapic_accept(struct vlapic *l, u8 vector)
{
	if (vector < 16) {
		vlapic_error(l, APIC_ESR_RECV_ILLEGAL_VECTOR);
		return false;
	}
	/* A software-disabled APIC keeps what is pending but takes no new fixed interrupts (as KVM does). */
	if (!l->auto_eoi && !vlapic_enabled(l))
		return false;
	__atomic_fetch_or(&l->irr[vector / 32], 1u << (vector % 32), __ATOMIC_SEQ_CST);
	return true;
}

int vlapic_pending(const struct vlapic *l)
{
	/* Before every VM entry: an empty IRR must cost little (one OR chain, no loop). */
	const volatile u32 *r = l->irr;
	if (!(r[0] | r[1] | r[2] | r[3] | r[4] | r[5] | r[6] | r[7]))
		return -1;
	int v = vlapic_highest(l->irr);
	if (v < 0 || (u32)(v & 0xf0) <= (vlapic_ppr(l) & 0xf0))
		return -1;
	return v;
}

int vlapic_ack(struct vlapic *l)
{
	int v = vlapic_pending(l);
	if (v < 0)
		return -1;
	__atomic_fetch_and(&l->irr[v / 32], ~(1u << (v % 32)), __ATOMIC_SEQ_CST);
	if (!l->auto_eoi)
		l->isr[v / 32] |= 1u << (v % 32);
	return v;
}

int vlapic_eoi(struct vlapic *l)
{
	int v = vlapic_highest(l->isr);
	if (v >= 0)
		l->isr[v / 32] &= ~(1u << (v % 32));
	return v;
}

struct vlapic_icr vlapic_icr_decode(u64 icr)
{
	return (struct vlapic_icr){
		.vector = (u8)icr,
		.mode = (icr >> 8) & 7,
		.logical = icr & BIT(11),
		.assert = icr & BIT(14),
		.level = icr & BIT(15),
		.shorthand = (icr >> 18) & 3,
		.dest = (u32)(icr >> 32),
	};
}

bool vlapic_icr_targets(const struct vlapic_icr *ipi, u32 self, u32 target_id, u32 target_ldr)
{
	switch (ipi->shorthand) {
	case 1:
		return target_id == self;
	case 2:
		return true;
	case 3:
		return target_id != self;
	}
	if (ipi->dest == APIC_DEST_BROADCAST)
		return true;
	if (!ipi->logical)
		return ipi->dest == target_id;
	/* x2APIC logical: same cluster, and the destination's bit for this APIC. */
	return (ipi->dest >> 16) == (target_ldr >> 16) && (ipi->dest & target_ldr & 0xffff);
}

/* ---- timer ---- */

u32 vlapic_timer_divide(u32 tdcr)
{
	/* SDM 11.5.4: bits 3,1,0; 111b divides by 1, n otherwise by 2^(n+1). */
	u32 n = ((tdcr & 8) >> 1) | (tdcr & 3);
	return n == 7 ? 1 : 2u << n;
}

static bool timer_periodic(const struct vlapic *l)
{
	return l->lvt[LVT_TIMER] & APIC_LVT_TIMER_PERIODIC;
}

u32 vlapic_timer_current(const struct vlapic *l, u64 now)
{
	if (!l->timer_deadline || !l->tmict)
		return 0;
	u64 div = vlapic_timer_divide(l->tdcr);
	u64 elapsed = (s64)(now - l->timer_start) > 0 ? (now - l->timer_start) / div : 0; /* wraps like the TSC */
	if (timer_periodic(l))
		return l->tmict - (u32)(elapsed % l->tmict);
	return elapsed >= l->tmict ? 0 : l->tmict - (u32)elapsed;
}

static void timer_start(struct vlapic *l, u64 now, u32 count)
{
	u64 div = vlapic_timer_divide(l->tdcr);
	if (!count || !l->tmict) {
		l->timer_deadline = 0;
		return;
	}
	/* Counting from tmict down: the period started (tmict - count) input clocks ago. */
	l->timer_start = now - (u64)(l->tmict - count) * div;
	l->timer_deadline = l->timer_start + (u64)l->tmict * div;
}

bool vlapic_timer_poll(struct vlapic *l, u64 now)
{
	if (!l->timer_deadline || now < l->timer_deadline)
		return false;
	if (timer_periodic(l)) {
		/* As KVM does, a period shorter than min_period is stretched: expiries every few TSC ticks
		 * would cut every VP on this CPU down to nothing (the preemption timer follows them). */
		u64 period = MAX((u64)l->tmict * vlapic_timer_divide(l->tdcr), MAX(l->min_period, 1ull));
		u64 missed = (now - l->timer_deadline) / period;
		l->timer_start = l->timer_deadline + missed * period;
		l->timer_deadline = l->timer_start + period;
	} else {
		l->timer_deadline = 0;
	}
	u32 lvt = l->lvt[LVT_TIMER];
	if (lvt & APIC_LVT_MASKED)
		return false;
	return vlapic_accept(l, (u8)lvt);
}

u64 vlapic_timer_next(const struct vlapic *l)
{
	if (l->lvt[LVT_TIMER] & APIC_LVT_MASKED)
		return 0;
	return l->timer_deadline;
}

bool vlapic_lint0_extint(const struct vlapic *l)
{
	/* A hardware-disabled APIC passes INTR straight to the processor (SDM 11.4.3). The software enable
	 * is not looked at: LINT0 keeps its reset programming until the OS takes over (KVM does the same). */
	if (l->auto_eoi)
		return l->id == 0; /* no visible APIC: the 8259's INTR goes to the boot processor directly */
	if (!(l->apic_base & APIC_BASE_EN))
		return true;
	u32 lvt = __atomic_load_n(&l->lvt[LVT_LINT0], __ATOMIC_RELAXED);
	return !(lvt & APIC_LVT_MASKED) && ((lvt >> APIC_LVT_DM_SHIFT) & 7) == APIC_DM_EXTINT;
}

/* ---- MSR interface ---- */

bool vlapic_rdmsr(struct vlapic *l, u32 msr, u64 now, u64 *v)
{
	if (!vlapic_x2apic_mode(l))
		return false;
	switch (msr) {
	case X2APIC_ID:
		*v = l->id;
		return true;
	case X2APIC_VERSION:
		*v = VLAPIC_VERSION;
		return true;
	case X2APIC_TPR:
		*v = l->tpr;
		return true;
	case X2APIC_PPR:
		*v = vlapic_ppr(l);
		return true;
	case X2APIC_LDR:
		*v = vlapic_ldr(l);
		return true;
	case X2APIC_SVR:
		*v = l->svr;
		return true;
	case X2APIC_ESR:
		*v = l->esr;
		return true;
	case X2APIC_ICR:
		*v = l->icr; /* x2APIC has no delivery-status bit: an IPI is sent when written */
		return true;
	case X2APIC_LVT_TIMER ... X2APIC_LVT_ERROR:
		*v = l->lvt[msr - X2APIC_LVT_TIMER];
		return true;
	case X2APIC_TIMER_ICR:
		*v = l->tmict;
		return true;
	case X2APIC_TIMER_CCR:
		*v = vlapic_timer_current(l, now);
		return true;
	case X2APIC_TIMER_DCR:
		*v = l->tdcr;
		return true;
	case X2APIC_ISR0 ... X2APIC_ISR0 + 7:
		*v = l->isr[msr - X2APIC_ISR0];
		return true;
	case X2APIC_TMR0 ... X2APIC_TMR0 + 7:
		*v = l->tmr[msr - X2APIC_TMR0];
		return true;
	case X2APIC_IRR0 ... X2APIC_IRR0 + 7:
		*v = __atomic_load_n(&l->irr[msr - X2APIC_IRR0], __ATOMIC_ACQUIRE);
		return true;
	}
	return false; /* EOI and SELF_IPI are write-only; the rest is reserved */
}

static const u32 lvt_bits[LVT_COUNT] = { LVT_TIMER_BITS, LVT_DM_BITS, LVT_DM_BITS,
					 LVT_LINT_BITS, LVT_LINT_BITS, LVT_ERROR_BITS };

static bool write_lvt(struct vlapic *l, enum vlapic_lvt n, u32 v, struct vlapic_effect *fx)
{
	/* Delivery status and remote IRR are read-only, not reserved: writes ignore them (Linux's
	 * disconnect_bsp_APIC writes both set). */
	v &= ~(BIT(12) | BIT(14));
	if (v & ~lvt_bits[n])
		return false;
	/* SDM 11.4.7.2: while software-disabled, every LVT stays masked. LINT's remote IRR is kept. */
	if (!(l->svr & APIC_SVR_ENABLE))
		v |= APIC_LVT_MASKED;
	/* A mode change while counting lets the current count run on; the new mode applies at expiry. */
	if (n == LVT_TIMER && ((v ^ l->lvt[n]) & (APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC)))
		fx->timer_changed = true;
	l->lvt[n] = (l->lvt[n] & BIT(14)) | v;
	return true;
}

bool vlapic_wrmsr(struct vlapic *l, u32 msr, u64 v, u64 now, struct vlapic_effect *fx)
{
	*fx = (struct vlapic_effect){ 0 };
	if (!vlapic_x2apic_mode(l))
		return false;
	if (msr != X2APIC_ICR && (v >> 32))
		return false;
	u32 lo = (u32)v;
	switch (msr) {
	case X2APIC_TPR:
		if (lo & ~TPR_BITS)
			return false;
		l->tpr = lo;
		return true;
	case X2APIC_EOI:
		if (lo)
			return false; /* SDM 11.12.1.2: a non-zero EOI write is #GP in x2APIC mode */
		vlapic_eoi(l);
		return true;
	case X2APIC_SVR:
		if (lo & ~SVR_BITS)
			return false;
		if (l->auto_eoi)
			lo |= APIC_SVR_ENABLE;
		l->svr = lo;
		if (!(lo & APIC_SVR_ENABLE)) {
			for (int i = 0; i < LVT_COUNT; i++)
				l->lvt[i] |= APIC_LVT_MASKED;
			fx->timer_changed = true;
		}
		return true;
	case X2APIC_ESR:
		if (lo)
			return false; /* x2APIC: ESR is written with 0 */
		l->esr = __atomic_exchange_n(&l->esr_pending, 0, __ATOMIC_SEQ_CST) & ESR_ERRORS;
		return true;
	case X2APIC_ICR: {
		if (v & ~ICR_BITS)
			return false;
		l->icr = v;
		struct vlapic_icr ipi = vlapic_icr_decode(v);
		if ((ipi.mode == APIC_DM_FIXED || ipi.mode == APIC_DM_LOWEST) && ipi.vector < 16) {
			vlapic_error(l, APIC_ESR_SEND_ILLEGAL_VECTOR); /* not sent */
			return true;
		}
		fx->send_ipi = true;
		fx->ipi = ipi;
		return true;
	}
	case X2APIC_LVT_TIMER ... X2APIC_LVT_ERROR:
		return write_lvt(l, msr - X2APIC_LVT_TIMER, lo, fx);
	case X2APIC_TIMER_ICR:
		/* SDM 11.5.4: writing the initial count starts counting from it; 0 stops the timer. */
		l->tmict = lo;
		timer_start(l, now, lo);
		fx->timer_changed = true;
		return true;
	case X2APIC_TIMER_DCR: {
		if (lo & ~TDCR_BITS)
			return false;
		u32 cur = vlapic_timer_current(l, now);
		l->tdcr = lo;
		if (l->timer_deadline) {
			timer_start(l, now, cur); /* the current count continues at the new rate */
			fx->timer_changed = true;
		}
		return true;
	}
	case X2APIC_SELF_IPI:
		if (lo & ~0xffu)
			return false;
		if (lo < 16)
			vlapic_error(l, APIC_ESR_SEND_ILLEGAL_VECTOR);
		else
			vlapic_accept(l, (u8)lo);
		return true;
	}
	return false; /* read-only (ID, version, PPR, LDR, ISR, TMR, IRR, current count) or reserved */
}

bool vlapic_write_apic_base(struct vlapic *l, u64 v)
{
	u64 allowed = APIC_BASE_ADDR | APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP;
	if (v & ~allowed || (v & ~0xfffull) != APIC_BASE_ADDR)
		return false; /* reserved bits, or a relocated base (not emulated) */
	v = (v & ~APIC_BASE_BSP) | (l->apic_base & APIC_BASE_BSP); /* BSP is the processor's, not software's */
	bool en = v & APIC_BASE_EN, extd = v & APIC_BASE_EXTD;
	bool was_x2 = vlapic_x2apic_mode(l), was_en = l->apic_base & APIC_BASE_EN;
	/* SDM 11.12.5: EXTD without EN is invalid; x2APIC → xAPIC and disabled → x2APIC are illegal. */
	if (extd && !en)
		return false;
	if ((was_x2 && en && !extd) || (!was_en && extd))
		return false;
	if (was_en && !en) {
		reset_registers(l); /* disabling loses the state; re-enabling starts from power-up values */
	}
	l->apic_base = v;
	return true;
}
