/* evil: running a few bytes at CPL 3. Flat kernel and user segments plus a TSS whose RSP0 takes the
 * exception from ring 3; the fault handler (evil.c) returns to ring3_return on the kernel stack. */
#include "evil.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA (0x18 | 3)
#define SEL_UCODE (0x20 | 3)
#define SEL_TSS 0x28
#define RING3_STACK (RING3_CODE + 0x10000)

u64 ring3_rsp; /* the kernel RSP to come back to (read by the fault handler) */
extern char ring3_return[];

static __attribute__((noinline, noclone)) void enter_ring3(void)
{
	__asm__ volatile("movq %%rsp, %[ksp]\n\t"
			 "pushq %[ss]\n\t"
			 "pushq %[usp]\n\t"
			 "pushq $0x2\n\t"
			 "pushq %[cs]\n\t"
			 "pushq %[uip]\n\t"
			 "iretq\n"
			 ".globl ring3_return\n"
			 "ring3_return:"
			 : [ksp] "=m"(ring3_rsp)
			 : [ss] "i"(SEL_UDATA), [usp] "r"(RING3_STACK + PAGE_SIZE), [cs] "i"(SEL_UCODE),
			   [uip] "r"(RING3_CODE)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
}

extern volatile u64 fault_vector, fault_rip;

u32 ring3_run(const u8 *code, u32 len, u64 *rip)
{
	static u8 *page, *stack;
	if (!page) {
		page = page_alloc(1);
		stack = page_alloc(1);
		guest_check(page && stack, "evil: out of pages");
		guest_check(pt_map_4k(RING3_CODE, (u64)(uintptr_t)page, PTE_U), "evil: cannot map the user code");
		guest_check(pt_map_4k(RING3_STACK, (u64)(uintptr_t)stack, PTE_U | PTE_W), "evil: cannot map the user stack");
		gdt_load_ring3();
	}
	memcpy(page, code, len);
	pt_invlpg(RING3_CODE);
	fault_vector = NO_FAULT;
	u64 flags = read_rflags();
	cli();
	enter_ring3();
	if (flags & RFLAGS_IF)
		sti();
	*rip = fault_rip;
	return (u32)fault_vector;
}
