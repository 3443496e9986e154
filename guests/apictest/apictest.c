/* apictest: the virtual x2APIC seen from a guest (apic = x2apic, ap_start = sipi; docs/vlapic.md).
 * VP 0 checks its own APIC (registers, self-IPIs with priorities and EOI, TPR, ESR, #GP on bad
 * accesses and bad CR0/CR4 writes, the timer one-shot and periodic, waking from HLT on it), then starts
 * VP 1 and VP 2 with INIT, SIPI, SIPI into sipi.asm, which goes real → protected → long mode and into
 * the runtime. Then IPIs between VPs: fixed with priorities, all-excluding-self, logical, NMI.
 * cmdline "bsp-only": VP 0 checks its registers and ends; VPs 1 and 2 are never started. */
#include "guest.h"

#define SIPI_BASE 0x9000
#define SIPI_VECTOR (SIPI_BASE >> 12)
#define STUB_PAGE 0xa000 /* a real-mode stub that counts its starts at STUB_MARK and ends the VP */
#define STUB_MARK 0xa100

#define X2APIC_ID 0x802
#define X2APIC_VERSION 0x803
#define X2APIC_TPR 0x808
#define X2APIC_PPR 0x80a
#define X2APIC_EOI 0x80b
#define X2APIC_LDR 0x80d
#define X2APIC_SVR 0x80f
#define X2APIC_ISR0 0x810
#define X2APIC_IRR0 0x820
#define X2APIC_ESR 0x828
#define X2APIC_ICR 0x830
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_LVT_ERROR 0x837
#define X2APIC_TMICT 0x838
#define X2APIC_TMCCT 0x839
#define X2APIC_TDCR 0x83e
#define X2APIC_SELF_IPI 0x83f

#define V_LOW 0x40
#define V_MID 0x50
#define V_HIGH 0x80
#define V_NEST 0x90
#define V_TIMER 0xe0
#define V_ALL 0x70
#define V_LOGICAL 0x72
#define V_BACK 0x52
#define V_ERROR 0xfe

struct sipi_mailbox {
	u64 entry, ram_size;
	u32 count, rm_cs, pm_cr0, lm_efer;
	u64 apic_base[4];
};

extern const u8 sipi_blob[], sipi_blob_end[];
extern void _start(void);

static volatile u32 order[3][8], norder[3];
static volatile u32 nmis[3], timer_ticks;
static volatile u64 timer_tsc;
static volatile u32 stage; /* VP 0 → APs: what to do next */
static volatile u32 ap_ready[3], ap_done[3];
static volatile bool gp_expected;
static volatile u32 gp_seen;

static void eoi(void)
{
	wrmsr(X2APIC_EOI, 0);
}

static void record(struct irq_frame *f)
{
	u32 vp = this_vp();
	u32 n = norder[vp];
	if (n < 8)
		order[vp][n] = (u32)f->vector;
	norder[vp] = n + 1;
}

static void on_fixed(struct irq_frame *f)
{
	record(f);
	eoi();
}

/* While V_LOW is in service: a higher class nests, a lower one waits for the EOI. */
static void on_low(struct irq_frame *f)
{
	record(f);
	wrmsr(X2APIC_SELF_IPI, 0x30);
	wrmsr(X2APIC_SELF_IPI, V_NEST);
	sti();
	__asm__ volatile("nop; nop");
	cli();
	eoi();
}

static void on_timer(struct irq_frame *f)
{
	(void)f;
	timer_tsc = rdtsc();
	timer_ticks++;
	eoi();
}

static void on_nmi(struct irq_frame *f)
{
	(void)f;
	nmis[this_vp()]++;
}

/* #GP from an access the test expects to fault: skip the instruction (len bytes, in r11 by convention:
 * every probe below is RDMSR/WRMSR (2 bytes) or MOV to CR (3 bytes)). */
static void on_gp(struct irq_frame *f)
{
	guest_check(gp_expected, "apictest: unexpected #GP at RIP %#lx", f->rip);
	gp_expected = false;
	gp_seen++;
	f->rip += f->r11;
}

static bool rdmsr_faults(u32 msr)
{
	u32 lo, hi;
	u32 before = gp_seen;
	gp_expected = true;
	__asm__ volatile("mov $2, %%r11; rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "r11", "memory");
	gp_expected = false;
	return gp_seen != before;
}

static bool wrmsr_faults(u32 msr, u64 v)
{
	u32 before = gp_seen;
	gp_expected = true;
	__asm__ volatile("mov $2, %%r11; wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "r11", "memory");
	gp_expected = false;
	return gp_seen != before;
}

static bool cr0_faults(u64 v)
{
	u32 before = gp_seen;
	gp_expected = true;
	__asm__ volatile("mov $3, %%r11; mov %0, %%cr0" ::"a"(v) : "r11", "memory"); /* 0F 22 C0 */
	gp_expected = false;
	return gp_seen != before;
}

static bool cr4_faults(u64 v)
{
	u32 before = gp_seen;
	gp_expected = true;
	__asm__ volatile("mov $3, %%r11; mov %0, %%cr4" ::"a"(v) : "r11", "memory"); /* 0F 22 E0 */
	gp_expected = false;
	return gp_seen != before;
}

static u64 read_cr0_(void)
{
	u64 v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static u32 esr(void)
{
	wrmsr(X2APIC_ESR, 0);
	return (u32)rdmsr(X2APIC_ESR);
}

static void send(u32 dest, u32 icr_low)
{
	wrmsr(X2APIC_ICR, ((u64)dest << 32) | icr_low);
}

static void expect_order(u32 vp, const u32 *want, u32 n, const char *what)
{
	guest_check(norder[vp] == n, "apictest: %s: vp %u took %u interrupts, expected %u", what, vp, norder[vp], n);
	for (u32 i = 0; i < n; i++)
		guest_check(order[vp][i] == want[i], "apictest: %s: interrupt %u on vp %u was %#x, expected %#x", what,
			    i, vp, order[vp][i], want[i]);
	norder[vp] = 0;
}

static void registers(void)
{
	guest_check(cpuid(1, 0).ecx & BIT(21), "apictest: CPUID.1:ECX.x2APIC is clear");
	guest_check(rdmsr(MSR_IA32_APIC_BASE) == 0xfee00d00, "apictest: IA32_APIC_BASE of VP 0 is %#lx",
		    rdmsr(MSR_IA32_APIC_BASE));
	guest_check(rdmsr(X2APIC_ID) == 0, "apictest: x2APIC id %lu", rdmsr(X2APIC_ID));
	guest_check(rdmsr(X2APIC_VERSION) == 0x50014, "apictest: version %#lx", rdmsr(X2APIC_VERSION));
	guest_check(rdmsr(X2APIC_LDR) == 1, "apictest: LDR %#lx", rdmsr(X2APIC_LDR));
	wrmsr(X2APIC_SVR, 0x1ff);
	guest_check(rdmsr(X2APIC_SVR) == 0x1ff, "apictest: SVR %#lx", rdmsr(X2APIC_SVR));
	/* Architectural faults: write-only, read-only, reserved bits, a reserved register. */
	guest_check(rdmsr_faults(X2APIC_EOI), "apictest: RDMSR of EOI did not #GP");
	guest_check(rdmsr_faults(0x831), "apictest: RDMSR 0x831 did not #GP");
	guest_check(wrmsr_faults(X2APIC_ID, 5), "apictest: WRMSR to the id did not #GP");
	guest_check(wrmsr_faults(X2APIC_TPR, 0x100), "apictest: TPR reserved bits did not #GP");
	guest_check(wrmsr_faults(X2APIC_EOI, 1), "apictest: a non-zero EOI did not #GP");
	guest_check(wrmsr_faults(MSR_IA32_APIC_BASE, 0xfee00800), "apictest: x2APIC → xAPIC did not #GP");
	guest_check(!rdmsr_faults(X2APIC_PPR), "apictest: RDMSR of PPR faulted");
	guest_pass("x2APIC registers: id, version, LDR, SVR; #GP on write-only, read-only and reserved bits");
}

static void control_registers(void)
{
	u64 cr0 = read_cr0_();
	/* Changing NE makes the write exit, so minihv's checks decide (vmx/cr_rules.c). */
	guest_check(cr0_faults((cr0 & ~CR0_PG) ^ CR0_NE), "apictest: clearing CR0.PG in 64-bit mode did not #GP");
	guest_check(cr0_faults((cr0 | CR0_NW) ^ CR0_NE), "apictest: CR0.NW without CD did not #GP");
	guest_check(cr0_faults(cr0 | BIT(32)), "apictest: CR0 bit 32 did not #GP");
	guest_check(cr4_faults(read_cr4() | CR4_VMXE), "apictest: CR4.VMXE did not #GP");
	guest_check(cr4_faults(read_cr4() | CR4_OSXSAVE), "apictest: CR4.OSXSAVE (XSAVE hidden) did not #GP");
	guest_check(cr4_faults(read_cr4() & ~CR4_PAE), "apictest: clearing CR4.PAE in IA-32e mode did not #GP");
	guest_check(read_cr0_() == cr0, "apictest: CR0 changed to %#lx", read_cr0_());
	guest_pass("bad CR0/CR4 writes raise #GP(0) and change nothing");
}

static void self_ipis(void)
{
	cli();
	wrmsr(X2APIC_SELF_IPI, V_LOW);
	wrmsr(X2APIC_SELF_IPI, V_HIGH);
	send(0, 0x00044000 | V_MID); /* ICR shorthand self */
	guest_check(rdmsr(X2APIC_IRR0 + V_MID / 32) & BIT(V_MID % 32), "apictest: vector %#x not in IRR", V_MID);
	sti();
	__asm__ volatile("nop");
	cli();
	/* 0x80, 0x50, then 0x40 whose handler sees 0x90 nest and 0x30 wait for its EOI. */
	static const u32 want[] = { V_HIGH, V_MID, V_LOW, V_NEST, 0x30 };
	expect_order(0, want, 5, "self-IPIs");
	guest_check(rdmsr(X2APIC_PPR) == 0 && rdmsr(X2APIC_ISR0 + 2) == 0, "apictest: ISR not empty after EOIs");
	/* TPR holds a class back until it is lowered. */
	wrmsr(X2APIC_TPR, 0x60);
	wrmsr(X2APIC_SELF_IPI, V_MID);
	sti();
	__asm__ volatile("nop");
	cli();
	guest_check(norder[0] == 0, "apictest: vector %#x delivered through TPR 0x60", V_MID);
	guest_check(rdmsr(X2APIC_PPR) == 0x60, "apictest: PPR %#lx", rdmsr(X2APIC_PPR));
	wrmsr(X2APIC_TPR, 0);
	sti();
	__asm__ volatile("nop");
	cli();
	static const u32 one[] = { V_MID };
	expect_order(0, one, 1, "TPR");
	/* ESR: an illegal vector is an error, latched by the ESR write; an unmasked error LVT interrupts. */
	guest_check(esr() == 0, "apictest: ESR not 0");
	wrmsr(X2APIC_LVT_ERROR, V_ERROR);
	wrmsr(X2APIC_SELF_IPI, 3);
	guest_check(esr() == BIT(5), "apictest: ESR after an illegal self-IPI is %#x", esr());
	guest_check(esr() == 0, "apictest: ESR did not clear");
	sti();
	__asm__ volatile("nop");
	cli();
	static const u32 err[] = { V_ERROR };
	expect_order(0, err, 1, "error LVT");
	guest_pass("self-IPIs by priority class, nesting, EOI, TPR, ESR and the error LVT");
}

static void timer(void)
{
	u64 khz = tsc_khz();
	guest_check(khz, "apictest: no TSC rate");
	guest_check(rdmsr(HV_X64_MSR_APIC_FREQUENCY) == khz * 1000, "apictest: APIC frequency %lu, TSC %lu kHz",
		    rdmsr(HV_X64_MSR_APIC_FREQUENCY), khz);
	/* One-shot, divide by 16 as Linux does, 2 ms: the VP halts and its timer must wake it. */
	wrmsr(X2APIC_TDCR, 3);
	wrmsr(X2APIC_LVT_TIMER, V_TIMER);
	u64 count = khz * 2 / 16;
	u64 t0 = rdtsc();
	wrmsr(X2APIC_TMICT, count);
	u64 c1 = rdmsr(X2APIC_TMCCT), c2 = rdmsr(X2APIC_TMCCT);
	guest_check(c1 <= count && c2 < c1, "apictest: current count %lu then %lu of %lu", c1, c2, count);
	while (!timer_ticks)
		sti_hlt(), cli();
	u64 late = timer_tsc - t0;
	guest_check(late >= khz * 2 && late < khz * 4, "apictest: 2 ms one-shot fired after %lu us", late * 1000 / khz);
	guest_check(rdmsr(X2APIC_TMCCT) == 0, "apictest: one-shot current count %lu after expiry", rdmsr(X2APIC_TMCCT));
	guest_pass("timer one-shot woke the halted VP after %lu us (2000 asked)", late * 1000 / khz);
	/* A running VP: its timer cuts the 2 ms time slice short. */
	timer_ticks = 0;
	wrmsr(X2APIC_TDCR, 0xb);
	t0 = rdtsc();
	wrmsr(X2APIC_TMICT, khz / 4);
	sti();
	while (!timer_ticks && rdtsc() - t0 < khz * 10)
		cpu_relax();
	cli();
	late = timer_tsc - t0;
	guest_check(timer_ticks == 1, "apictest: the 250 us one-shot did not fire while the VP spun");
	guest_check(late < khz, "apictest: the 250 us one-shot fired after %lu us while the VP spun", late * 1000 / khz);
	guest_pass("timer one-shot interrupted the spinning VP after %lu us (250 asked)", late * 1000 / khz);
	/* Periodic, 500 us, ten periods in HLT. */
	timer_ticks = 0;
	wrmsr(X2APIC_TDCR, 3);
	wrmsr(X2APIC_LVT_TIMER, BIT(17) | V_TIMER);
	t0 = rdtsc();
	wrmsr(X2APIC_TMICT, khz / 2 / 16);
	while (timer_ticks < 10)
		sti_hlt(), cli();
	u64 took = rdtsc() - t0;
	wrmsr(X2APIC_TMICT, 0);
	guest_check(took >= khz * 5 && took < khz * 8, "apictest: 10 periods of 500 us took %lu us", took * 1000 / khz);
	u32 ticks = timer_ticks;
	delay_us(2000);
	guest_check(timer_ticks == ticks, "apictest: the stopped timer still ticks");
	wrmsr(X2APIC_LVT_TIMER, BIT(16));
	guest_pass("timer periodic: 10 periods of 500 us in %lu us", took * 1000 / khz);
}

static void start_ap(u32 vp, struct sipi_mailbox *mb)
{
	send(vp, 0xc500); /* INIT, level assert */
	send(vp, 0x8500); /* INIT de-assert: harmless */
	for (int i = 0; i < 2; i++) {
		send(vp, 0x0600 | SIPI_VECTOR);
		guest_check(esr() == 0, "apictest: ESR after SIPI %d to vp %u", i, vp);
	}
	u64 t0 = rdtsc();
	while (!ap_ready[vp])
		guest_check(rdtsc() - t0 < tsc_khz() * 5000, "apictest: vp %u did not come up in 5 s after SIPI", vp);
	guest_check(mb->rm_cs == SIPI_VECTOR << 8, "apictest: vp %u started with CS %#x", vp, mb->rm_cs);
	guest_check((mb->pm_cr0 & 0x80000001) == 1,
		    "apictest: CR0 in protected mode %#x", mb->pm_cr0);
	guest_check(mb->lm_efer & BIT(10), "apictest: EFER.LMA clear in long mode (%#x)", mb->lm_efer);
	guest_check(mb->apic_base[vp] == 0xfee00c00, "apictest: vp %u IA32_APIC_BASE %#lx", vp, mb->apic_base[vp]);
}

static int bsp(void)
{
	registers();
	if (guest_option("bsp-only", NULL, 0))
		return 0; /* the APs are never started: minihv must end them with VP 0 */
	control_registers();
	self_ipis();
	timer();

	struct sipi_mailbox *mb = (struct sipi_mailbox *)(uintptr_t)(SIPI_BASE + 8);
	u64 size = (u64)(sipi_blob_end - sipi_blob);
	memcpy((void *)(uintptr_t)SIPI_BASE, sipi_blob, size);
	mb->entry = (u64)(uintptr_t)_start;
	mb->ram_size = guest_boot_info()->ram_size;
	start_ap(1, mb);
	start_ap(2, mb);
	guest_check(mb->count == 2, "apictest: %u real-mode entries for 2 APs", mb->count);
	send(1, 0x0600 | SIPI_VECTOR); /* a SIPI without INIT: ignored */
	delay_us(5000);
	guest_check(mb->count == 2, "apictest: a SIPI to a running VP restarted it");
	guest_pass("INIT, SIPI, SIPI started vp 1 and vp 2 at CS %#x: real → protected → long mode", mb->rm_cs);

	/* Fixed IPIs to vp 1 while it has interrupts off: taken by priority once it enables them. */
	while (!atomic_load_u32(&ap_ready[1]) || stage != 0)
		cpu_relax();
	send(1, 0x4000 | V_LOW);
	send(1, 0x4000 | V_HIGH);
	atomic_store_u32(&stage, 1);
	while (atomic_load_u32(&stage) != 2)
		cpu_relax();
	/* All excluding self, logical (cluster 0, bit 2 = vp 2), NMI to vp 2; vp 1 answers, waking us. */
	send(0, 0x000c4000 | V_ALL);
	send(BIT(2), 0x4800 | V_LOGICAL);
	send(2, 0x4400);
	atomic_store_u32(&stage, 3);
	while (!norder[0])
		sti_hlt(), cli();
	static const u32 back[] = { V_BACK };
	expect_order(0, back, 1, "IPI from vp 1");
	while (!atomic_load_u32(&ap_done[1]) || !atomic_load_u32(&ap_done[2]))
		cpu_relax();
	guest_pass("IPIs between VPs: fixed by priority, all-excluding-self, logical, NMI, and back to a halted VP");

	/* INIT and SIPI to a VP in HLT: INIT ends the halt; the stub counts its start and ends vp 2 (HLT, IF = 0). */
	static const u8 stub[] = { 0xf0, 0xff, 0x06, STUB_MARK & 0xff, STUB_MARK >> 8, /* lock inc word [STUB_MARK] */
				   0xfa, 0xf4, 0xeb, 0xfd };                          /* cli; hlt; jmp $-1 */
	memcpy((void *)(uintptr_t)STUB_PAGE, stub, sizeof(stub));
	*(volatile u16 *)(uintptr_t)STUB_MARK = 0;
	delay_us(1000); /* vp 2 is in HLT by now */
	send(2, 0xc500);
	send(2, 0x0600 | (STUB_PAGE >> 12));
	u64 t0 = rdtsc();
	while (!*(volatile u16 *)(uintptr_t)STUB_MARK)
		guest_check(rdtsc() - t0 < tsc_khz() * 2000, "apictest: INIT + SIPI did not restart the halted vp 2");
	guest_pass("INIT + SIPI restarted a halted VP in real mode");
	return 0;
}

static int ap(u32 vp)
{
	idt_init();
	wrmsr(X2APIC_SVR, 0x1ff);
	cli();
	atomic_store_u32(&ap_ready[vp], 1);
	if (vp == 1) {
		while (atomic_load_u32(&stage) != 1)
			cpu_relax();
		guest_check((rdmsr(X2APIC_IRR0 + V_LOW / 32) & BIT(V_LOW % 32)) &&
				    (rdmsr(X2APIC_IRR0 + V_HIGH / 32) & BIT(V_HIGH % 32)),
			    "apictest: vp 1 IRR lacks the IPIs sent with its interrupts off");
		sti();
		__asm__ volatile("nop");
		cli();
		/* 0x80 before 0x40; on_low's self-IPIs come along: 0x90 nested inside 0x40, 0x30 after it. */
		static const u32 want[] = { V_HIGH, V_LOW, V_NEST, 0x30 };
		expect_order(1, want, 4, "IPIs to vp 1");
		atomic_store_u32(&stage, 2);
	}
	while (atomic_load_u32(&stage) != 3)
		cpu_relax();
	u32 want_n = vp == 2 ? 2 : 1;
	while (norder[vp] < want_n)
		sti_hlt(), cli();
	if (vp == 2) {
		static const u32 w2[] = { V_LOGICAL, V_ALL };
		expect_order(2, w2, 2, "IPIs to vp 2");
		u64 t0 = rdtsc();
		while (!nmis[2])
			guest_check(rdtsc() - t0 < tsc_khz() * 2000, "apictest: no NMI on vp 2");
		atomic_store_u32(&ap_done[vp], 1);
		for (;;)
			sti_hlt(); /* until INIT + SIPI from vp 0 */
	} else {
		static const u32 w1[] = { V_ALL };
		expect_order(1, w1, 1, "broadcast to vp 1");
		send(0, 0x4000 | V_BACK);
	}
	atomic_store_u32(&ap_done[vp], 1);
	return 0;
}

int guest_main(const struct minihv_boot_info *bi)
{
	guest_check(bi->vp_count == 3, "apictest: needs 3 VPs, has %u", bi->vp_count);
	if (bi->vp_index == 0) {
		idt_init();
		for (u32 v = 0x30; v < 0x100; v += 1)
			idt_set_handler((u8)v, on_fixed);
		idt_set_handler(V_LOW, on_low);
		idt_set_handler(V_TIMER, on_timer);
		idt_set_handler(2, on_nmi);
		idt_set_handler(13, on_gp);
		return bsp();
	}
	return ap(bi->vp_index);
}
