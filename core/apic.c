/* Local APIC access. The mode (xAPIC or x2APIC) is the firmware's choice; we follow it. */
#include "apic.h"
#include "cpu.h"
#include "timer.h"
#include "x86.h"

#define XAPIC_ID 0x20
#define XAPIC_EOI 0xb0
#define XAPIC_SVR 0xf0
#define XAPIC_LVT_TIMER 0x320
#define XAPIC_LVT_LINT0 0x350
#define XAPIC_TIMER_ICR 0x380
#define XAPIC_TIMER_DCR 0x3e0
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define XAPIC_ICR_LO 0x300
#define XAPIC_ICR_HI 0x310
#define X2APIC_MSR(reg) (0x800 + ((reg) >> 4))
#define ICR_DELIVERY_PENDING BIT(12)

/* The mode and base, read once per CPU: an RDMSR on every EOI or IPI would cost a VM exit when minihv
 * itself runs nested. Every CPU stays in the mode the firmware chose for it. */
static u64 apic_base_msr(void)
{
	struct cpu *c = this_cpu();
	if (!c->apic_base_msr)
		c->apic_base_msr = rdmsr(MSR_IA32_APIC_BASE);
	return c->apic_base_msr;
}

static volatile u32 *xapic_reg(u32 reg)
{
	u64 base = apic_base_msr() & ~0xfffull & ((1ull << 52) - 1);
	return (volatile u32 *)(uintptr_t)(base + reg);
}

bool apic_x2apic_mode(void)
{
	return apic_base_msr() & APIC_BASE_EXTD;
}

void apic_init_cpu(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	if (!(base & APIC_BASE_EN))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN);
	this_cpu()->apic_base_msr = base | APIC_BASE_EN;
	u32 svr = BIT(8) | VECTOR_SPURIOUS; /* software enable */
	/* The firmware's timer and LINT0 (ExtINT) must not interrupt the hypervisor: mask them. */
	u32 masked = BIT(16);
	if (apic_x2apic_mode()) {
		wrmsr(X2APIC_MSR(XAPIC_SVR), svr);
		wrmsr(X2APIC_MSR(XAPIC_LVT_TIMER), masked);
		wrmsr(X2APIC_MSR(XAPIC_LVT_LINT0), masked);
	} else {
		*xapic_reg(XAPIC_SVR) = svr;
		*xapic_reg(XAPIC_LVT_TIMER) = masked;
		*xapic_reg(XAPIC_LVT_LINT0) = masked;
	}
}

u32 apic_id(void)
{
	if (apic_x2apic_mode())
		return (u32)rdmsr(X2APIC_MSR(XAPIC_ID));
	return *xapic_reg(XAPIC_ID) >> 24;
}

void apic_send_ipi(u32 dest, u32 icr_low)
{
	if (apic_x2apic_mode()) {
		wrmsr(X2APIC_MSR(XAPIC_ICR_LO), ((u64)dest << 32) | icr_low);
		return;
	}
	volatile u32 *hi = xapic_reg(XAPIC_ICR_HI), *lo = xapic_reg(XAPIC_ICR_LO);
	while (*lo & ICR_DELIVERY_PENDING)
		cpu_relax();
	*hi = dest << 24;
	*lo = icr_low;
	while (*lo & ICR_DELIVERY_PENDING)
		cpu_relax();
}

void apic_oneshot(u8 vector, u64 us)
{
	/* TSC-deadline mode needs no calibration of the APIC clock; otherwise a rough count suffices
	 * (this only paces polling). */
	bool deadline = cpuid(1, 0).ecx & BIT(24);
	u32 lvt = vector | (deadline ? (2u << 17) : 0);
	if (apic_x2apic_mode())
		wrmsr(X2APIC_MSR(XAPIC_LVT_TIMER), lvt);
	else
		*xapic_reg(XAPIC_LVT_TIMER) = lvt;
	if (deadline) {
		mfence(); /* SDM 10.5.4.1: the LVT write must be visible before IA32_TSC_DEADLINE */
		wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + us * tsc_khz / 1000);
		return;
	}
	u32 count = (u32)MIN(us * 100, 0xffffffffull); /* ~100 MHz bus, divide by 1 */
	if (apic_x2apic_mode()) {
		wrmsr(X2APIC_MSR(XAPIC_TIMER_DCR), 0xb);
		wrmsr(X2APIC_MSR(XAPIC_TIMER_ICR), count);
	} else {
		*xapic_reg(XAPIC_TIMER_DCR) = 0xb;
		*xapic_reg(XAPIC_TIMER_ICR) = count;
	}
}

static bool tsc_deadline_mode(void)
{
	static int has = -1; /* CPUID in VMX root exits when minihv runs nested: ask once */
	if (has < 0)
		has = !!(cpuid(1, 0).ecx & BIT(24));
	return has;
}

void apic_oneshot_at(u8 vector, u64 tsc)
{
	if (tsc_deadline_mode()) {
		u32 lvt = vector | (2u << 17);
		if (apic_x2apic_mode())
			wrmsr(X2APIC_MSR(XAPIC_LVT_TIMER), lvt);
		else
			*xapic_reg(XAPIC_LVT_TIMER) = lvt;
		mfence(); /* SDM 10.5.4.1: the LVT write must be visible before IA32_TSC_DEADLINE */
		wrmsr(MSR_IA32_TSC_DEADLINE, tsc);
		return;
	}
	/* No deadline mode: a count; waking early only costs another look. */
	u64 now = rdtsc();
	apic_oneshot(vector, tsc > now ? (tsc - now) * 1000 / (tsc_khz ? tsc_khz : 1) + 1 : 1);
}

void apic_eoi(void)
{
	if (apic_x2apic_mode())
		wrmsr(X2APIC_MSR(XAPIC_EOI), 0);
	else
		*xapic_reg(XAPIC_EOI) = 0;
}
