/* Host exceptions: a register dump and this CPU stops; never a silent triple fault. */
#include "apic.h"
#include "cpu.h"
#include "lib.h"
#include "log.h"
#include "trap.h"
#include "x86.h"

extern u64 isr_stub_table[];

static void set_gate(struct idt_gate *idt, unsigned vec, u64 handler, u8 ist)
{
	idt[vec] = (struct idt_gate){
		.offset_lo = (u16)handler,
		.selector = GDT_CODE64,
		.ist = ist,
		.type_attr = 0x8e, /* present, DPL0, 64-bit interrupt gate */
		.offset_mid = (u16)(handler >> 16),
		.offset_hi = (u32)(handler >> 32),
	};
}

void idt_build(u64 idt_pa)
{
	struct idt_gate *idt = (struct idt_gate *)(uintptr_t)idt_pa;
	for (unsigned v = 0; v < 32; v++) {
		/* NMI, #DF and #MC run on their own stack: the faulting stack may be the problem. */
		u8 ist = (v == 2 || v == 8 || v == 18) ? 1 : 0;
		set_gate(idt, v, isr_stub_table[v], ist);
	}
	for (unsigned v = 32; v < 256; v++)
		set_gate(idt, v, isr_stub_table[v], 0);
}

static void dump(const struct trap_frame *f)
{
	char buf[1024];
	snprintf(buf, sizeof(buf),
		 "  rip=%016lx cs=%04lx rflags=%016lx rsp=%016lx ss=%04lx err=%lx cr2=%016lx\n"
		 "  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n"
		 "  rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx\n"
		 "  r9 =%016lx r10=%016lx r11=%016lx r12=%016lx\n"
		 "  r13=%016lx r14=%016lx r15=%016lx cr0=%016lx cr3=%016lx cr4=%016lx\n",
		 f->rip, f->cs, f->rflags, f->rsp, f->ss, f->error_code, read_cr2(), f->rax, f->rbx, f->rcx, f->rdx,
		 f->rsi, f->rdi, f->rbp, f->r8, f->r9, f->r10, f->r11, f->r12, f->r13, f->r14, f->r15, read_cr0(),
		 read_cr3(), read_cr4());
	console_puts(buf);
}

void isr_dispatch(struct trap_frame *f)
{
	if (f->vector == VECTOR_KICK) {
		apic_eoi();
		kick_interrupt();
		return;
	}
	if (f->vector == VECTOR_CONSOLE) {
		console_rx_interrupt(); /* drained before the EOI: an edge-triggered line can rise again */
		apic_eoi();
		return;
	}
	if (f->vector == VECTOR_SPURIOUS)
		return;
	if (f->vector >= 32) {
		/* Nothing else should interrupt the host (the PICs are masked, the I/O APIC routes only COM1). */
		apic_eoi();
		pr_warn("unexpected interrupt vector %lu in the hypervisor, ignored", f->vector);
		return;
	}
	if (f->vector == 2) {
		/* NMIs are not used by minihv; note it and carry on. */
		pr_warn("NMI in the hypervisor at rip %016lx, ignored", f->rip);
		return;
	}
	pr_err("PANIC: exception %s (vector %lu) in the hypervisor", x86_exception_name((unsigned)f->vector),
	       f->vector);
	dump(f);
	pr_err("PANIC: this CPU stops here; the other CPUs carry on");
	cpu_halt_forever();
}

NORETURN void cpu_halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}
