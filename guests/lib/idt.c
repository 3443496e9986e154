/* GDT and IDT for the guest. minihv promises no descriptor tables at entry, and delivering an interrupt
 * reads the GDT entry of the gate's selector, so the runtime brings its own flat GDT. */
#include "guest.h"

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate: IF is cleared on entry */

/* Accessed bits preset, so loading a selector never makes the CPU write the table. */
static const u64 gdt[] __attribute__((aligned(16))) = {
	0,
	0x00af9b000000ffffull, /* SEL_CODE: 64-bit code, DPL 0 */
	0x00cf93000000ffffull, /* SEL_DATA: data, writable */
};

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_t handlers[256];
static volatile u32 idt_state; /* 0: not built, 1: a VP is building it, 2: built */

extern const u64 isr_stub_table[256]; /* isr.asm */
void isr_dispatch(struct irq_frame *f);

static void idt_build(void)
{
	for (int v = 0; v < 256; v++) {
		u64 a = isr_stub_table[v];
		idt[v] = (struct idt_gate){
			.offset_lo = (u16)a,
			.selector = SEL_CODE,
			.type_attr = GATE_INTERRUPT,
			.offset_mid = (u16)(a >> 16),
			.offset_hi = (u32)(a >> 32),
		};
	}
}

void gdt_load_table(const u64 *table, u32 bytes, u16 code_sel, u16 data_sel)
{
	struct desc_ptr p = { (u16)(bytes - 1), (u64)(uintptr_t)table };
	lgdt(&p);
	/* A far return reloads CS; the data selectors are plain moves. FS/GS keep their bases. */
	__asm__ volatile("pushq %q[cs]\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w[ds], %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss"
			 :
			 : [cs] "r"((u64)code_sel), [ds] "r"((u64)data_sel)
			 : "rax", "memory");
}

/* Flat kernel (0x08 code, 0x10 data) and user (0x18|3 data, 0x20|3 code) segments plus a TSS at 0x28
 * whose RSP0 (a fresh 2-page stack) takes exceptions from ring 3. One table: VPs that enter ring 3 must
 * not call this concurrently. */
void gdt_load_ring3(void)
{
	static u64 gdt3[7] __attribute__((aligned(16)));
	static struct tss64 tss __attribute__((aligned(16)));
	u8 *kstack = page_alloc(2);
	guest_check(kstack, "gdt_load_ring3: out of pages");
	tss.rsp[0] = (u64)(uintptr_t)kstack + 2 * PAGE_SIZE;
	tss.iomap_base = sizeof(tss);
	u64 base = (u64)(uintptr_t)&tss, limit = sizeof(tss) - 1;
	gdt3[0] = 0;
	gdt3[1] = 0x00af9b000000ffffull; /* 0x08 64-bit code, DPL 0 */
	gdt3[2] = 0x00cf93000000ffffull; /* 0x10 data, DPL 0 */
	gdt3[3] = 0x00cff3000000ffffull; /* 0x18 data, DPL 3 */
	gdt3[4] = 0x00affb000000ffffull; /* 0x20 64-bit code, DPL 3 */
	gdt3[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) | (((base >> 24) & 0xff) << 56);
	gdt3[6] = base >> 32;            /* 0x28 available 64-bit TSS */
	gdt_load_table(gdt3, sizeof(gdt3), 0x08, 0x10);
	ltr(0x28);
}

static void gdt_load(void)
{
	gdt_load_table(gdt, sizeof(gdt), SEL_CODE, SEL_DATA);
}

void idt_init(void)
{
	if (atomic_cas_u32(&idt_state, 0, 1)) {
		idt_build();
		atomic_store_u32(&idt_state, 2);
	}
	while (atomic_load_u32(&idt_state) != 2)
		cpu_relax();
	gdt_load();
	struct desc_ptr p = { sizeof(idt) - 1, (u64)(uintptr_t)idt };
	lidt(&p);
}

void idt_set_handler(u8 vector, irq_handler_t fn)
{
	__atomic_store_n(&handlers[vector], fn, __ATOMIC_RELEASE);
}

void isr_dispatch(struct irq_frame *f)
{
	irq_handler_t fn = __atomic_load_n(&handlers[f->vector & 255], __ATOMIC_ACQUIRE);
	if (fn) {
		fn(f);
		return;
	}
	if (f->vector < 32) {
		const char *name = x86_exception_name((unsigned)f->vector);
		printf("FAIL: unexpected exception %lu (%s) on vp %u, error code 0x%lx\n", f->vector, name, this_vp(),
		       f->error_code);
	} else {
		printf("FAIL: unexpected interrupt vector 0x%lx on vp %u (no handler installed)\n", f->vector,
		       this_vp());
	}
	printf("  rip %016lx rsp %016lx rflags %016lx cr2 %016lx cr3 %016lx\n", f->rip, f->rsp, f->rflags,
	       read_cr2(), read_cr3());
	printf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	printf("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
	guest_exit(1);
}
