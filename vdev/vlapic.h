/* The virtual local APIC of a VP, x2APIC mode only (SDM vol. 3 ch. 11; docs/vlapic.md).
 *
 * vdev/vlapic_regs.c is the register file and its rules (IRR/ISR/PPR, EOI, ESR, LVTs, ICR decoding,
 * timer arithmetic) with no hardware access: host unit tests link it. vdev/vlapic.c wires it to VPs:
 * MSR exits, IPI delivery, injection before VM entry, the timer's deadline, INIT/SIPI.
 *
 * Ownership: the IRR, nmi_pending and esr_pending are set by any CPU with atomic operations; everything
 * else belongs to the VP's home CPU (MSR exits, injection, timer polling all run there). */
#ifndef MINIHV_VLAPIC_H
#define MINIHV_VLAPIC_H

#include "types.h"
#include "x86.h" /* APIC_BASE_* */

/* x2APIC MSRs (xAPIC offset >> 4, plus 0x800). */
#define X2APIC_MSR_BASE 0x800
#define X2APIC_MSR_LAST 0x8ff
#define X2APIC_ID 0x802
#define X2APIC_VERSION 0x803
#define X2APIC_TPR 0x808
#define X2APIC_PPR 0x80a
#define X2APIC_EOI 0x80b
#define X2APIC_LDR 0x80d
#define X2APIC_SVR 0x80f
#define X2APIC_ISR0 0x810
#define X2APIC_TMR0 0x818
#define X2APIC_IRR0 0x820
#define X2APIC_ESR 0x828
#define X2APIC_LVT_CMCI 0x82f
#define X2APIC_ICR 0x830
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_LVT_THERMAL 0x833
#define X2APIC_LVT_PMI 0x834
#define X2APIC_LVT_LINT0 0x835
#define X2APIC_LVT_LINT1 0x836
#define X2APIC_LVT_ERROR 0x837
#define X2APIC_TIMER_ICR 0x838 /* initial count */
#define X2APIC_TIMER_CCR 0x839 /* current count */
#define X2APIC_TIMER_DCR 0x83e /* divide configuration */
#define X2APIC_SELF_IPI 0x83f

/* Integrated APIC (0x14), max LVT entry 5 (six LVTs, no CMCI), no EOI-broadcast suppression. Linux sends
 * SIPIs only to an integrated APIC with maxlvt > 3. */
#define VLAPIC_VERSION 0x00050014u

#define APIC_BASE_ADDR 0xfee00000ull
#define APIC_SVR_ENABLE BIT(8)
#define APIC_LVT_MASKED BIT(16)
#define APIC_LVT_TIMER_PERIODIC BIT(17)
#define APIC_LVT_DM_SHIFT 8
#define APIC_DM_FIXED 0
#define APIC_DM_LOWEST 1
#define APIC_DM_SMI 2
#define APIC_DM_NMI 4
#define APIC_DM_INIT 5
#define APIC_DM_STARTUP 6
#define APIC_DM_EXTINT 7
/* ESR bits (SDM 11.5.3). */
#define APIC_ESR_SEND_ILLEGAL_VECTOR BIT(5)
#define APIC_ESR_RECV_ILLEGAL_VECTOR BIT(6)

enum vlapic_lvt { LVT_TIMER, LVT_THERMAL, LVT_PMI, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

struct vlapic {
	u32 id;               /* x2APIC id = VP index */
	u64 apic_base;        /* IA32_APIC_BASE */
	bool auto_eoi;        /* no guest-visible APIC (apic = none): vectors need no EOI, always accepted */
	u32 tpr, svr;
	u32 esr;              /* what the last ESR write latched */
	volatile u32 esr_pending; /* errors since then (atomic: remote senders record receive errors) */
	u64 icr;
	u32 lvt[LVT_COUNT];
	u32 tmict, tdcr;
	u64 timer_start;      /* TSC when the current count was last tmict */
	u64 timer_deadline;   /* TSC of the next expiry; 0: not counting */
	u64 min_period;       /* shortest periodic reload in TSC ticks: a guest cannot flood its CPU */
	volatile u32 irr[8];  /* set atomically by any CPU */
	u32 isr[8], tmr[8];
	volatile u32 nmi_pending;
};

/* Reset to the power-up state (SDM Table 11-? "local APIC state after power-up"); keeps nothing but id.
 * bsp sets IA32_APIC_BASE.BSP; every VP starts enabled in x2APIC mode. */
void vlapic_reset(struct vlapic *l, u32 id, bool bsp, bool auto_eoi);
/* The boot CPU's APIC as firmware hands it over on a PC: enabled, LINT0 ExtINT, LINT1 NMI. */
void vlapic_virtual_wire(struct vlapic *l);
/* INIT: the registers return to their power-up values; id and IA32_APIC_BASE stay (SDM 11.4.7.3). */
void vlapic_init_signal(struct vlapic *l);

bool vlapic_enabled(const struct vlapic *l);      /* IA32_APIC_BASE.EN and SVR software enable */
bool vlapic_x2apic_mode(const struct vlapic *l);  /* EN and EXTD */
u32 vlapic_ldr(const struct vlapic *l);           /* x2APIC logical id, derived from the id */
u32 vlapic_ppr(const struct vlapic *l);
/* Highest vector set in a 256-bit register, or -1. */
int vlapic_highest(const volatile u32 reg[8]);

/* A fixed interrupt arrives (IPI, timer, LVT): sets IRR. Any CPU. False when it was not accepted
 * (illegal vector: receive-illegal-vector error; APIC disabled: dropped). */
bool vlapic_accept(struct vlapic *l, u8 vector);
/* Records errors in ESR (any CPU) and raises the error LVT's interrupt. */
void vlapic_error(struct vlapic *l, u32 esr_bits);
/* The vector the CPU would take now (highest IRR above PPR's class), or -1. */
int vlapic_pending(const struct vlapic *l);
/* Interrupt acknowledge: moves the pending vector from IRR to ISR (auto_eoi: clears it only). */
int vlapic_ack(struct vlapic *l);
/* EOI: clears the highest ISR bit; returns its vector or -1. */
int vlapic_eoi(struct vlapic *l);

/* An ICR write decoded (SDM 11.6.1, x2APIC form: destination in 63:32). */
struct vlapic_icr {
	u8 vector;
	u8 mode;          /* APIC_DM_* */
	bool logical;     /* destination mode */
	bool assert;      /* level: 0 is INIT level de-assert */
	bool level;       /* trigger mode */
	u8 shorthand;     /* 0 none, 1 self, 2 all including self, 3 all excluding self */
	u32 dest;
};
#define APIC_DEST_BROADCAST 0xffffffffu
struct vlapic_icr vlapic_icr_decode(u64 icr);
/* Whether an IPI from the APIC with id self reaches the one with target_id (physical id or logical id
 * ldr; 0xFFFFFFFF broadcasts in both modes). */
bool vlapic_icr_targets(const struct vlapic_icr *ipi, u32 self, u32 target_id, u32 target_ldr);

/* Register access through the x2APIC MSRs. What a write leaves for the caller to do. */
struct vlapic_effect {
	bool send_ipi;          /* ICR written: deliver ipi */
	struct vlapic_icr ipi;
	bool timer_changed;     /* the deadline moved: the caller re-arms whatever waits for it */
};
/* false: #GP (reserved register, write-only / read-only register, reserved bits, x2APIC off). now is
 * the TSC, for the timer. */
bool vlapic_rdmsr(struct vlapic *l, u32 msr, u64 now, u64 *value);
bool vlapic_wrmsr(struct vlapic *l, u32 msr, u64 value, u64 now, struct vlapic_effect *fx);
/* IA32_APIC_BASE write: false on a reserved bit, a moved base or an illegal mode change (SDM 11.12.5). */
bool vlapic_write_apic_base(struct vlapic *l, u64 value);

/* Timer. The input clock is the TSC (the rate HV_X64_MSR_APIC_FREQUENCY reports), divided by TDCR. */
u32 vlapic_timer_divide(u32 tdcr);
u32 vlapic_timer_current(const struct vlapic *l, u64 now);
/* Fires the timer if its deadline has passed (one-shot: stops; periodic: next period, missed periods
 * coalesce like a real IRR bit). True when an interrupt was raised into IRR. */
bool vlapic_timer_poll(struct vlapic *l, u64 now);
/* TSC of the next expiry that raises an interrupt, or 0 when none will. */
u64 vlapic_timer_next(const struct vlapic *l);

/* LINT0 programmed for ExtINT and not masked: the 8259's INT output reaches this VP (virtual wire). */
bool vlapic_lint0_extint(const struct vlapic *l);

/* ---- vdev/vlapic.c: the APIC of a VP (struct vp holds it, include/partition.h) ---- */
struct vp;
struct partition;
struct cpu;

/* Sets up every VP's APIC when its partition is built: id = VP index, VP 0 the BSP. Partitions without
 * apic = x2apic get an invisible one (auto_eoi). ap_start = sipi leaves VPs > 0 waiting for SIPI. */
void vlapic_vp_init(struct vp *vp);
/* IA32_APIC_BASE and the x2APIC MSRs 0x800-0x8FF. False: not an APIC MSR of this partition (the
 * caller decides); *fault: #GP. Runs on the VP's home CPU. */
bool vlapic_msr_read(struct vp *vp, u32 msr, u64 *value, bool *fault);
bool vlapic_msr_write(struct vp *vp, u32 msr, u64 value, bool *fault);
/* An interrupt message for vp (APIC_DM_FIXED, _NMI, _INIT, _STARTUP), from any CPU: records it and
 * wakes or kicks the VP. vp_queue_interrupt(vp, v) is vlapic_deliver(vp, APIC_DM_FIXED, v). */
void vlapic_deliver(struct vp *vp, u8 mode, u8 vector);
/* Sends what an ICR write asked for to the matching VPs of the sender's partition. */
void vlapic_send_ipi(struct vp *from, const struct vlapic_icr *ipi);
/* Home CPU, the VP's VMCS current, right before entry: a posted SIPI resets it to the INIT state. */
void vlapic_before_entry(struct vp *vp);
/* Whether vp would take an interrupt or NMI now, or a SIPI reset it (HLT ends), ignoring RFLAGS.IF. */
bool vlapic_has_event(struct vp *vp);
/* Home CPU: fires the expired timers of the VPs homed on c (waking them) and returns the earliest
 * deadline still ahead, or 0. *woke: a VP other than running became runnable. */
u64 vlapic_cpu_timers(struct cpu *c, struct vp *running, u64 now, bool *woke);

/*
 * ExtINT from the 8259 pair through LINT0 (virtual-wire mode), for vdev/vpic.c:
 *  - vlapic_set_extint_source(p, &ops, ctx) once when the partition's PIC is created;
 *  - ops->pending(ctx): the PIC's INT output is high (an unmasked request waits); called from any CPU;
 *  - ops->ack(ctx): the INTA cycle on the home CPU of the receiving VP right before injection:
 *    returns the vector (the request moves to the PIC's ISR; the spurious IRQ 7/15 vector when the
 *    request went away) — the local APIC's IRR/ISR are not involved, as on hardware;
 *  - vlapic_extint_changed(p) whenever INT may have risen: every VP whose LINT0 is an unmasked ExtINT
 *    entry (Linux: VP 0 only) is woken from HLT or kicked out of guest mode to look.
 * ExtINT is delivered before the APIC's own vectors and, like them, only when RFLAGS.IF = 1.
 */
struct vlapic_extint_ops {
	bool (*pending)(void *ctx);
	u8 (*ack)(void *ctx);
};
void vlapic_set_extint_source(struct partition *p, const struct vlapic_extint_ops *ops, void *ctx);
void vlapic_extint_changed(struct partition *p);
/* For the injection code (vmx/inject.c): an ExtINT request reaches vp now / take it (INTA). */
bool vlapic_extint_pending(struct vp *vp);
u8 vlapic_extint_ack(struct vp *vp);

#endif
