/* Thin wrappers for x86 instructions and architectural constants (Intel SDM names). */
#ifndef MINIHV_X86_H
#define MINIHV_X86_H

#include "types.h"

#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)

#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_PGE BIT(7)
#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_LA57 BIT(12)
#define CR4_VMXE BIT(13)
#define CR4_PCIDE BIT(17)
#define CR4_OSXSAVE BIT(18)
#define CR4_SMEP BIT(20)
#define CR4_SMAP BIT(21)

#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)

#define RFLAGS_CF BIT(0)
#define RFLAGS_ZF BIT(6)
#define RFLAGS_IF BIT(9)
#define RFLAGS_DF BIT(10)
#define RFLAGS_RESERVED1 BIT(1)

#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_TSC 0x10
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_DEBUGCTL 0x1d9
#define MSR_IA32_PAT 0x277
#define MSR_IA32_MTRRCAP 0xfe
#define MSR_IA32_MTRR_DEF_TYPE 0x2ff
#define MSR_IA32_EFER 0xc0000080
#define MSR_IA32_STAR 0xc0000081
#define MSR_IA32_LSTAR 0xc0000082
#define MSR_IA32_CSTAR 0xc0000083
#define MSR_IA32_FMASK 0xc0000084
#define MSR_IA32_FS_BASE 0xc0000100
#define MSR_IA32_GS_BASE 0xc0000101
#define MSR_IA32_KERNEL_GS_BASE 0xc0000102
#define MSR_IA32_TSC_AUX 0xc0000103

#define FEATURE_CONTROL_LOCKED BIT(0)
#define FEATURE_CONTROL_VMXON_INSIDE_SMX BIT(1)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX BIT(2)

#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_EXTD BIT(10) /* x2APIC mode */
#define APIC_BASE_EN BIT(11)

/* Page-table entry bits (4-level paging; EPT has its own, include/ept.h). */
#define PTE_P BIT(0)
#define PTE_W BIT(1)
#define PTE_U BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_A BIT(5)
#define PTE_D BIT(6)
#define PTE_PS BIT(7)
#define PTE_G BIT(8)
#define PTE_NX BIT(63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u16 inw(u16 port)
{
	u16 v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define DEFINE_CR(n)                                                              \
	static inline u64 read_cr##n(void)                                        \
	{                                                                         \
		u64 v;                                                            \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                 \
		return v;                                                         \
	}                                                                         \
	static inline void write_cr##n(u64 v) { __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline u64 read_rflags(void)
{
	u64 v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* sti takes effect after the next instruction, so no interrupt is lost between the two. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void mfence(void) { __asm__ volatile("mfence" ::: "memory"); }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

static inline u16 read_cs(void) { u16 v; __asm__ volatile("mov %%cs, %0" : "=r"(v)); return v; }
static inline u16 read_ss(void) { u16 v; __asm__ volatile("mov %%ss, %0" : "=r"(v)); return v; }
static inline u16 read_ds(void) { u16 v; __asm__ volatile("mov %%ds, %0" : "=r"(v)); return v; }
static inline u16 read_es(void) { u16 v; __asm__ volatile("mov %%es, %0" : "=r"(v)); return v; }
static inline u16 read_fs(void) { u16 v; __asm__ volatile("mov %%fs, %0" : "=r"(v)); return v; }
static inline u16 read_gs(void) { u16 v; __asm__ volatile("mov %%gs, %0" : "=r"(v)); return v; }
static inline u16 read_tr(void) { u16 v; __asm__ volatile("str %0" : "=r"(v)); return v; }

/* A 64-bit IDT gate (SDM 6.14.1). */
struct PACKED idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
};

/* "#GP general protection" and the like for vectors 0-31 (lib/lib.c); "reserved" for the others. */
const char *x86_exception_name(unsigned vector);

/* The 64-bit task-state segment (SDM 7.7). */
struct PACKED tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
};

struct PACKED desc_ptr {
	u16 limit;
	u64 base;
};

static inline void lgdt(const struct desc_ptr *p) { __asm__ volatile("lgdt %0" ::"m"(*p)); }
static inline void lidt(const struct desc_ptr *p) { __asm__ volatile("lidt %0" ::"m"(*p)); }
static inline void sgdt(struct desc_ptr *p) { __asm__ volatile("sgdt %0" : "=m"(*p)); }
static inline void sidt(struct desc_ptr *p) { __asm__ volatile("sidt %0" : "=m"(*p)); }
static inline void ltr(u16 sel) { __asm__ volatile("ltr %0" ::"r"(sel)); }

static inline u32 atomic_fetch_add32(volatile u32 *p, u32 v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }

#endif
