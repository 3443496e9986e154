/* The offsets vmx/entry.asm uses into C structures, taken from the compiler: the Makefile compiles this
 * file to assembly and turns each "->NAME value" marker into "%define NAME value" in
 * build/gen/asm_offsets.inc, which entry.asm includes. Not linked into anything. */
#include <stddef.h>
#include "partition.h"

#define DEFINE(name, value) __asm__ volatile("\n.ascii \"->" #name " %c0\"" ::"i"(value))
#define GUEST_REG(name, field) DEFINE(name, offsetof(struct guest_regs, field))

void asm_offsets(void);
void asm_offsets(void)
{
	GUEST_REG(G_RAX, rax);
	GUEST_REG(G_RBX, rbx);
	GUEST_REG(G_RCX, rcx);
	GUEST_REG(G_RDX, rdx);
	GUEST_REG(G_RSI, rsi);
	GUEST_REG(G_RDI, rdi);
	GUEST_REG(G_RBP, rbp);
	GUEST_REG(G_R8, r8);
	GUEST_REG(G_R9, r9);
	GUEST_REG(G_R10, r10);
	GUEST_REG(G_R11, r11);
	GUEST_REG(G_R12, r12);
	GUEST_REG(G_R13, r13);
	GUEST_REG(G_R14, r14);
	GUEST_REG(G_R15, r15);
}
