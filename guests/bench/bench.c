/* bench: the cost of the flush path in TSC ticks per operation. Under Bochs with clock sync=none the TSC
 * counts emulated instructions, so the figures are deterministic (tools/bench runs this).
 * VP 0 measures; VP 1 spins in guest mode with interrupts on (a running target); VP 2 sits in HLT (a halted
 * target); VP 3 spins with interrupts off. Bochs 2.7 takes no external-interrupt VM exit while the guest
 * has IF=0 (hardware does), so a kick to VP 3 waits for its time slice to end there: the VP 3 figure
 * shows that worst case, the VP 1 figure the normal one. */
#include "guest.h"
#include "hyperv_tlfs.h"

#define ITERATIONS 500

static volatile u32 stop, ready;

static void on_wake(struct irq_frame *f)
{
	(void)f;
}

static u64 fast(u16 code, u64 rdx, u64 r8)
{
	return hypercall_fast(code, rdx, r8);
}

static void report(const char *name, u64 ticks)
{
	printf("BENCH %-28s %8lu ticks/op\n", name, ticks / ITERATIONS);
}

int guest_main(const struct minihv_boot_info *bi)
{
	if (bi->vp_index == 1 || bi->vp_index == 3) {
		idt_init();
		if (bi->vp_index == 1)
			sti();
		atomic_add_u32((volatile u32 *)&ready, 1);
		while (!atomic_load_u32((volatile u32 *)&stop))
			cpu_relax();
		return 0;
	}
	if (bi->vp_index == 2) {
		idt_init();
		idt_set_handler(0x40, on_wake);
		atomic_add_u32((volatile u32 *)&ready, 1);
		while (!atomic_load_u32((volatile u32 *)&stop))
			sti_hlt();
		return 0;
	}
	if (bi->vp_index != 0)
		return 0;
	idt_init();
	while (atomic_load_u32((volatile u32 *)&ready) < 3)
		cpu_relax();
	delay_tsc(200000); /* let VP 2 reach its HLT */

	u64 t0 = rdtsc();
	for (int i = 0; i < ITERATIONS; i++)
		fast(0x00ff, 0, 0); /* unknown code: decode and return */
	report("null hypercall", rdtsc() - t0);

	/* The fast non-Ex form carries the processor mask in XMM0, so use XMM-fast for targets. */
	static u64 xmm[12] __attribute__((aligned(16)));
	struct {
		const char *name;
		u64 mask;
	} cases[] = {
		{ "flush space {self}", 1 << 0 },
		{ "flush space {running VP}", 1 << 1 },
		{ "flush space {halted VP}", 1 << 2 },
		{ "flush space {self,running,halted}", 7 },
		{ "flush space {running VP, IF=0}", 1 << 3 },
	};
	for (unsigned c = 0; c < ARRAY_SIZE(cases); c++) {
		t0 = rdtsc();
		for (int i = 0; i < ITERATIONS; i++) {
			xmm[0] = cases[c].mask;
			u64 r = hypercall_xmm_fast(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, xmm);
			if (HV_HYPERCALL_STATUS(r) != HV_STATUS_SUCCESS)
				guest_fail("%s returned %#lx", cases[c].name, r);
		}
		report(cases[c].name, rdtsc() - t0);
	}
	/* One-entry list to the running VP: INVVPID individual-address on its CPU. */
	t0 = rdtsc();
	for (int i = 0; i < ITERATIONS; i++) {
		xmm[0] = 1 << 1;
		xmm[1] = 0x300000; /* one page */
		u64 r = hypercall_xmm_fast(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST | (1ull << 32), 0, 0, xmm);
		if (HV_HYPERCALL_STATUS(r) != HV_STATUS_SUCCESS)
			guest_fail("list returned %#lx", r);
	}
	report("flush list 1 GVA {running VP}", rdtsc() - t0);
	atomic_store_u32((volatile u32 *)&stop, 1);
	send_ipi(2, 0x40);
	printf("BENCH done\n");
	return 0;
}
