/* evil: abuse of the virtual x2APIC (cases H15-H20, docs/security.md; the rules are docs/vlapic.md's).
 * Needs `apic = x2apic` and at least two VPs: VP 1 counts in a loop (x2apic_vp1) while VP 0 attacks. */
#include "evil.h"

#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_EXTD BIT(10)
#define X2APIC_ID 0x802
#define X2APIC_TPR 0x808
#define X2APIC_EOI 0x80b
#define X2APIC_SVR 0x80f
#define X2APIC_IRR0 0x820
#define X2APIC_ESR 0x828
#define X2APIC_ICR 0x830
#define X2APIC_RESERVED 0x831
#define X2APIC_SELF_IPI 0x83f
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_TIMER_ICR 0x838
#define X2APIC_TIMER_DCR 0x83e
#define LVT_MASKED BIT(16)
#define LVT_PERIODIC BIT(17)
#define TIMER_VECTOR 0x41
#define MIN_PERIOD_US 50 /* docs/vlapic.md: periodic reloads at least 50 us apart */
#define ESR_SEND_ILLEGAL_VECTOR BIT(5)
#define ICR_MODE(m) ((u64)(m) << 8)
#define ICR_ASSERT BIT(14)
#define ICR_SELF (1ull << 18)
#define ICR_ALL_BUT_SELF (3ull << 18)
#define ICR_DEST(id) ((u64)(id) << 32)
#define DM_FIXED 0
#define DM_SMI 2
#define DM_RESERVED3 3
#define DM_INIT 5
#define DM_STARTUP 6
#define DM_RESERVED7 7
#define SIPI_PAGE 0xa000 /* below 1 MiB, clear of the real-mode blob at 0x8000 */
#define SIPI_MARK 0xa100

static volatile u64 vp1_count;
static volatile u32 vp1_stop;

bool x2apic_present(void)
{
	return cpuid(1, 0).ecx & BIT(21);
}

int x2apic_vp1(void)
{
	while (!atomic_load_u32(&vp1_stop))
		atomic_add_u64(&vp1_count, 1);
	return 0;
}

/* True when VP 1 still counts (it was neither reset nor stopped). */
static bool vp1_alive(void)
{
	u64 c = atomic_load_u64(&vp1_count);
	u64 deadline = rdtsc() + 2000 * (tsc_khz() ? tsc_khz() : 1000000);
	while (atomic_load_u64(&vp1_count) == c)
		if (rdtsc() > deadline)
			return false;
	return true;
}

static u64 esr_after(u32 msr, u64 v)
{
	wrmsr_safe(X2APIC_ESR, 0);
	u32 f = wrmsr_safe(msr, v);
	check(f == NO_FAULT, "write 0x%lx to MSR 0x%x raised %s", v, msr, vector_name(f));
	wrmsr_safe(X2APIC_ESR, 0);
	u64 esr = 0;
	rdmsr_safe(X2APIC_ESR, &esr);
	return esr;
}

static void h15_reserved(void)
{
	case_begin();
	u64 base, v;
	rdmsr_safe(MSR_IA32_APIC_BASE, &base);
	struct {
		u32 msr;
		bool write;
		u64 value;
		const char *what;
	} bad[] = {
		{ X2APIC_ICR, true, ICR_SELF | BIT(12) | 0x40, "ICR with bit 12" },
		{ X2APIC_ICR, true, ICR_SELF | BIT(13) | 0x40, "ICR with bit 13" },
		{ X2APIC_ICR, true, ICR_SELF | BIT(31) | 0x40, "ICR with bit 31" },
		{ X2APIC_EOI, true, 1, "a non-zero EOI" },
		{ X2APIC_EOI, false, 0, "reading EOI" },
		{ X2APIC_SELF_IPI, false, 0, "reading SELF_IPI" },
		{ X2APIC_RESERVED, false, 0, "reading MSR 0x831" },
		{ X2APIC_ID, true, 5, "writing the (read-only) ID" },
		{ X2APIC_TPR, true, 0x100, "TPR bit 8" },
		{ X2APIC_SVR, true, BIT(32) | 0x1ff, "SVR bit 32" },
		{ MSR_IA32_APIC_BASE, true, base & ~APIC_BASE_EXTD, "IA32_APIC_BASE x2APIC -> xAPIC" },
		{ MSR_IA32_APIC_BASE, true, (base & 0xfff) | 0xfed00000ull, "IA32_APIC_BASE moved" },
	};
	for (u32 i = 0; i < ARRAY_SIZE(bad); i++) {
		u32 f = bad[i].write ? wrmsr_safe(bad[i].msr, bad[i].value) : rdmsr_safe(bad[i].msr, &v);
		check(f == 13, "H15 %s raised %s, not #GP", bad[i].what, vector_name(f));
	}
	rdmsr_safe(MSR_IA32_APIC_BASE, &v);
	check(v == base, "H15 IA32_APIC_BASE changed from 0x%lx to 0x%lx", base, v);
	case_end("H15 reserved ICR bits, EOI/SELF_IPI reads, reserved and read-only registers, illegal "
		 "IA32_APIC_BASE changes -> #GP (%u writes/reads)", (u32)ARRAY_SIZE(bad));
}

static void h16_reserved_modes(void)
{
	case_begin();
	u32 modes[] = { DM_SMI, DM_RESERVED3, DM_RESERVED7 };
	for (u32 i = 0; i < ARRAY_SIZE(modes); i++) {
		u64 icrs[] = { ICR_SELF, ICR_DEST(1), ICR_ALL_BUT_SELF };
		for (u32 j = 0; j < ARRAY_SIZE(icrs); j++) {
			u32 f = wrmsr_safe(X2APIC_ICR, icrs[j] | ICR_MODE(modes[i]) | ICR_ASSERT | 0x40);
			check(f == NO_FAULT, "H16 ICR delivery mode %u raised %s", modes[i], vector_name(f));
		}
	}
	/* Fixed IPIs to ids nobody has are lost. */
	check(wrmsr_safe(X2APIC_ICR, ICR_DEST(77) | 0x40) == NO_FAULT, "H16 a fixed IPI to id 77 faulted");
	u64 irr;
	rdmsr_safe(X2APIC_IRR0 + 2, &irr); /* vectors 64..95 */
	check(!(irr & 1), "H16 vector 0x40 is pending on VP 0 (IRR2 0x%lx)", irr);
	check(vp1_alive(), "H16 VP 1 stopped counting");
	case_end("H16 reserved delivery modes (SMI, 3, 7) and IPIs to absent ids -> dropped, no fault");
}

static void h17_illegal_vectors(void)
{
	case_begin();
	u64 esr = esr_after(X2APIC_ICR, ICR_SELF | 3);
	check(esr & ESR_SEND_ILLEGAL_VECTOR, "H17 fixed self-IPI vector 3: ESR 0x%lx lacks send-illegal-vector", esr);
	esr = esr_after(X2APIC_ICR, ICR_DEST(1) | 15);
	check(esr & ESR_SEND_ILLEGAL_VECTOR, "H17 fixed IPI vector 15 to VP 1: ESR 0x%lx lacks send-illegal-vector", esr);
	esr = esr_after(X2APIC_SELF_IPI, 0);
	check(esr & ESR_SEND_ILLEGAL_VECTOR, "H17 SELF_IPI vector 0: ESR 0x%lx lacks send-illegal-vector", esr);
	check(vp1_alive(), "H17 VP 1 stopped counting");
	case_end("H17 vectors 0-15 in ICR or SELF_IPI -> ESR send-illegal-vector, nothing sent");
}

static void h18_self_init(void)
{
	case_begin();
	u32 me = (u32)hv_vp_index();
	check(wrmsr_safe(X2APIC_ICR, ICR_DEST(me) | ICR_MODE(DM_INIT) | ICR_ASSERT) == NO_FAULT, "H18 self-INIT faulted");
	check(wrmsr_safe(X2APIC_ICR, ICR_SELF | ICR_MODE(DM_INIT) | ICR_ASSERT) == NO_FAULT,
	      "H18 INIT with the self shorthand faulted");
	check(wrmsr_safe(X2APIC_ICR, ICR_DEST(me) | ICR_MODE(DM_STARTUP) | 0x0a) == NO_FAULT, "H18 self-SIPI faulted");
	/* Still here, in long mode, with its state: */
	check(hv_vp_index() == me && (read_cr0() & CR0_PG), "H18 VP 0 was reset");
	case_end("H18 INIT and SIPI to itself -> ignored, the VP runs on");
}

static void h19_sipi_storm(void)
{
	case_begin();
	for (u32 i = 0; i < 1000; i++)
		wrmsr_safe(X2APIC_ICR, ICR_DEST(1) | ICR_MODE(DM_STARTUP) | (SIPI_PAGE >> 12));
	check(vp1_alive(), "H19 VP 1 stopped counting after 1000 SIPIs while it ran");
	/* After INIT, the first SIPI starts VP 1 in real mode at SIPI_PAGE; the rest of the storm is ignored.
	 * The stub counts its starts and halts with IF = 0, which ends VP 1. */
	static const u8 stub[] = { 0xf0, 0xff, 0x06, SIPI_MARK & 0xff, SIPI_MARK >> 8, /* lock inc word [SIPI_MARK] */
				   0xfa, 0xf4, 0xeb, 0xfd };                          /* cli; hlt; jmp $-1 */
	memcpy((void *)(uintptr_t)SIPI_PAGE, stub, sizeof(stub));
	*(volatile u16 *)(uintptr_t)SIPI_MARK = 0;
	wrmsr_safe(X2APIC_ICR, ICR_DEST(1) | ICR_MODE(DM_INIT) | ICR_ASSERT);
	for (u32 i = 0; i < 1000; i++)
		wrmsr_safe(X2APIC_ICR, ICR_DEST(1) | ICR_MODE(DM_STARTUP) | (SIPI_PAGE >> 12));
	delay_us(200000);
	u16 starts = *(volatile u16 *)(uintptr_t)SIPI_MARK;
	check(starts == 1, "H19 after INIT and 1000 SIPIs VP 1 started %u times, not once", starts);
	check(!vp1_alive(), "H19 VP 1 still counts after INIT");
	case_end("H19 SIPI storms: ignored while the target runs; after INIT only the first starts it");
}

static volatile u64 timer_irqs;

static void on_timer(struct irq_frame *f)
{
	(void)f;
	timer_irqs++;
	wrmsr(X2APIC_EOI, 0);
}

static void h20_timer_storm(void)
{
	case_begin();
	idt_set_handler(TIMER_VECTOR, on_timer);
	wrmsr(X2APIC_TIMER_DCR, 0xb); /* divide by 1 */
	wrmsr(X2APIC_LVT_TIMER, LVT_PERIODIC | TIMER_VECTOR);
	timer_irqs = 0;
	u64 t0 = rdtsc();
	wrmsr(X2APIC_TIMER_ICR, 1); /* a period of one TSC tick */
	sti();
	delay_us(100000);
	cli();
	wrmsr(X2APIC_TIMER_ICR, 0);
	wrmsr(X2APIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
	u64 us = (rdtsc() - t0) * 1000 / (tsc_khz() ? tsc_khz() : 1000000);
	u64 n = timer_irqs, most = us / MIN_PERIOD_US + 2;
	check(n > 0, "H20 a periodic timer with a 1-tick period raised no interrupt in %lu us", us);
	check(n <= most, "H20 a periodic timer with a 1-tick period raised %lu interrupts in %lu us: more than one per "
	      "%u us (%lu)", n, us, MIN_PERIOD_US, most);
	idt_set_handler(TIMER_VECTOR, NULL);
	case_end("H20 a periodic APIC timer with a 1-tick period -> at most one interrupt per %u us (%lu in %lu us)",
		 MIN_PERIOD_US, n, us);
}

void x2apic_cases(void)
{
	if (!x2apic_present() || vp_count() < 2) {
		printf("evil: H15-H20 not run: they need apic = x2apic and 2 VPs\n");
		return;
	}
	check(wrmsr_safe(X2APIC_SVR, 0x1ff) == NO_FAULT, "evil: enabling the APIC (SVR) faulted");
	h15_reserved();
	h16_reserved_modes();
	h17_illegal_vectors();
	h18_self_init();
	h19_sipi_storm();
	h20_timer_storm();
	atomic_store_u32(&vp1_stop, 1);
}
