/* Per-CPU state of the hypervisor. Reached through GS base, which VM exits restore from the VMCS host area. */
#ifndef MINIHV_CPU_H
#define MINIHV_CPU_H

#include "types.h"
#include "x86.h"

#define MAX_CPUS 64
#define HOST_STACK_SIZE KiB(32)
#define IST_STACK_SIZE KiB(8)

#define GDT_NULL 0x00
#define GDT_CODE64 0x08
#define GDT_DATA 0x10
#define GDT_TSS 0x18
#define GDT_ENTRIES 5

/* Host interrupt vectors. */
#define VECTOR_KICK 0xf0     /* "leave guest mode and look at your pending work" */
#define VECTOR_CONSOLE 0xe0  /* COM1 received data (boot CPU only; core/main.c routes it) */
#define VECTOR_SPURIOUS 0xff

struct vp;

struct cpu {
	struct cpu *self;        /* gs:0 */
	u32 index;               /* 0 = boot CPU, dense */
	u32 apic_id;
	volatile bool online;    /* reached core code on its own stack */
	volatile bool vmx_on;    /* in VMX root operation */
	volatile const char *failure; /* why this CPU cannot run, or NULL */
	u64 stack_top;
	u64 gdt[GDT_ENTRIES + 1] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	u64 idt_pa;
	u64 vmxon_pa;
	u64 apic_base_msr;       /* IA32_APIC_BASE as this CPU's LAPIC was set up */
	/* scheduler state (vmx/sched.c) */
	struct vp *loaded;       /* VP whose VMCS is current on this CPU */
	u32 vp_count;
	struct vp **vps;         /* VPs homed here */
	u32 rr_next;
	u64 *hc_buf;             /* one page: a hypercall's input, copied from the guest */
	volatile u64 flush_epoch; /* odd while this CPU carries out a flush hypercall (hv/inhibit.c) */
	u64 idle_tsc;            /* TSC ticks spent halted with nothing to run */
};

extern struct cpu cpus[MAX_CPUS];
extern u32 cpu_count;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/* GDT, TSS and IDT for the calling CPU; sets GS base. */
void cpu_init_tables(struct cpu *c);
/* Exception and interrupt setup shared by all CPUs (core/trap.c). */
void idt_build(u64 idt_pa);
/* Stops the calling CPU forever (interrupts off). */
NORETURN void cpu_halt_forever(void);

#endif
