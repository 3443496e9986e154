/* Per-CPU descriptor tables: a GDT with a 64-bit TSS (VM exits need a non-null host TR), an IDT, GS base. */
#include "cpu.h"
#include "lib.h"
#include "log.h"
#include "pmm.h"
#include "x86.h"

struct cpu cpus[MAX_CPUS];
u32 cpu_count;

static void reload_segments(void)
{
	/* Far return into the new CS, then the data selectors. */
	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
			 "pushq %0\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w1, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movw %%ax, %%fs\n\t"
			 "movw %%ax, %%gs\n\t"
			 :
			 : "i"((u64)GDT_CODE64), "i"(GDT_DATA)
			 : "rax", "memory");
}

void cpu_init_tables(struct cpu *c)
{
	c->self = c;
	c->gdt[0] = 0;
	c->gdt[1] = 0x00af9a000000ffffull; /* code: L=1, DPL0 */
	c->gdt[2] = 0x00cf92000000ffffull; /* data */
	u64 tss = (u64)(uintptr_t)&c->tss;
	u64 limit = sizeof(c->tss) - 1;
	c->gdt[3] = (limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
		    (((tss >> 24) & 0xff) << 56);
	c->gdt[4] = tss >> 32;
	memset(&c->tss, 0, sizeof(c->tss));
	c->tss.iomap_base = sizeof(c->tss); /* no I/O bitmap */
	u64 ist = pmm_alloc(IST_STACK_SIZE, PAGE_SIZE, PMM_ANY);
	if (!ist)
		panic("out of memory for the IST stack of CPU %u", c->index);
	c->tss.ist[0] = ist + IST_STACK_SIZE;
	c->tss.rsp[0] = c->stack_top;

	struct desc_ptr gdtr = { sizeof(u64) * GDT_ENTRIES - 1, (u64)(uintptr_t)c->gdt };
	lgdt(&gdtr);
	reload_segments();
	ltr(GDT_TSS);
	wrmsr(MSR_IA32_GS_BASE, (u64)(uintptr_t)c);

	if (!c->idt_pa) {
		c->idt_pa = pmm_alloc_page();
		if (!c->idt_pa)
			panic("out of memory for the IDT of CPU %u", c->index);
		idt_build(c->idt_pa);
	}
	struct desc_ptr idtr = { 256 * 16 - 1, c->idt_pa };
	lidt(&idtr);

	/* FXSAVE/FXRSTOR of guest state needs OSFXSR; the host itself never touches SSE. */
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	write_cr0((read_cr0() | CR0_NE | CR0_MP | CR0_WP) & ~(CR0_CD | CR0_NW | BIT(2) | BIT(3))); /* EM, TS */
}
