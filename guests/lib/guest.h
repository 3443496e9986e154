/* The runtime for minihv experiment guests (guests/lib, docs/guest-abi.md). One header; the code is split
 * by concern: entry.asm/start.c, console.c, sync.c, hypercall.c, mem.c, pt.c, idt.c/isr.asm, check.c.
 * All VPs of a partition run the same image, so every global here is shared by the partition's VPs. */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
/* What a guest sees: the ABI (include/abi/) and the freestanding helpers it shares with the hypervisor
 * (lib/); never the hypervisor's own headers. */
#include "types.h"
#include "lib.h"         /* lib/lib.c: mem*, str*, snprintf, vsnprintf, parse_u64, option_get */
#include "x86.h"         /* rdtsc, inb/outb, read_cr3/write_cr3/read_cr4, cli/sti/hlt/sti_hlt, cpu_relax, PTE_* */
#include "spinlock.h"    /* spinlock_t, SPINLOCK_INIT, spin_lock, spin_trylock, spin_unlock */
#include "minihv_abi.h"
#include "hyperv_tlfs.h"  /* HV_HYPERCALL_FAST_BIT, HV_STATUS_*, call codes */

/* ---- entry (entry.asm, start.c) ---- */

/* Every guest defines this. It runs on every VP; its return value is the VP's exit status. */
int guest_main(const struct minihv_boot_info *bi);

/* Called by _start before guest_main: checks the boot-info page and waits until the partition-wide
 * runtime state is set up. */
void guest_rt_init(const struct minihv_boot_info *bi);

/* The calling VP's index, derived from RSP: valid only while a VP runs on its ABI stack. */
u32 this_vp(void);
u32 vp_count(void);
const struct minihv_boot_info *guest_boot_info(void);       /* the calling VP's page */
const char *guest_partition_name(void);                     /* NUL-terminated copies */
const char *guest_cmdline(void);
/* option_get() over the partition's command line ("key=value" or a bare "key"). */
bool guest_option(const char *key, char *val, size_t val_size);

/* ---- console (console.c): COM1, whole lines under a partition-wide lock ---- */

#define CONSOLE_LINE_MAX 512

/* Output is collected per VP and written when a line ends (or the buffer fills), so lines from VPs of
 * one partition never interleave. Standard names and semantics: puts appends '\n'. */
int putchar(int c);
int puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
void console_flush(void);    /* writes the calling VP's unfinished line, e.g. a prompt */
int console_getc(void);      /* next input byte, or -1 when none is waiting (never blocks) */

/* ---- synchronisation (sync.c) ---- */

/* Spinlocks: lib/spinlock.h's ticket locks, the same implementation as the hypervisor's. */

#define DEFINE_ATOMICS(T)                                                                                 \
	static inline T atomic_load_##T(const volatile T *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); } \
	static inline void atomic_store_##T(volatile T *p, T v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); } \
	static inline T atomic_add_##T(volatile T *p, T v) { return __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST); } \
	static inline T atomic_xchg_##T(volatile T *p, T v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); } \
	static inline bool atomic_cas_##T(volatile T *p, T expected, T desired)                             \
	{                                                                                                     \
		return __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST,          \
						   __ATOMIC_SEQ_CST);                                       \
	}
DEFINE_ATOMICS(u32)
DEFINE_ATOMICS(u64)
#undef DEFINE_ATOMICS

/* Sense-reversing barrier. Zero-initialised storage is ready to use; every round must be entered by
 * exactly n VPs, which all pass the same n. */
struct vp_barrier {
	volatile u32 arrived;
	volatile u32 sense;
};
void vp_barrier_wait(struct vp_barrier *b, u32 n);

u64 tsc_khz(void);               /* from the boot-info page; 0 if minihv could not measure it */
void delay_tsc(u64 ticks);       /* busy wait */
void delay_us(u64 us);           /* busy wait; assumes 1 GHz when tsc_khz is 0 */

/* ---- hypercalls (hypercall.c): Hyper-V convention, VMCALL or the hypercall page ---- */

#define HV_HYPERCALL_STATUS(rax) ((u16)(rax))

/* Direct VMCALL (the runtime has one VMCALL instruction, at hypercall_insn). Each returns RAX. */
/* Every register chosen: RCX = control, RDX and R8 in and out, RAX as the VMCALL sees it (an interrupt
 * delivered at the VMCALL boundary finds it unchanged in its frame). */
u64 hypercall_raw(u64 control, u64 *rdx, u64 *r8, u64 rax);
extern const u8 hypercall_insn[];
/* Memory form: RDX = input GPA, R8 = output GPA. */
u64 hypercall(u64 control, u64 input, u64 output);
/* Fast call (sets the fast bit): parameters in RDX and R8. */
u64 hypercall_fast(u64 control, u64 rdx, u64 r8);
/* Fast call that also returns what the hypervisor left in RDX and R8. */
u64 hypercall_fast_io(u64 control, u64 *rdx, u64 *r8);
/* XMM fast call: RDX, R8, then XMM0..XMM5 loaded from xmm (96 bytes) — the TLFS's 112-byte fast input.
 * XMM0..XMM5 are stored back to xmm afterwards (XMM fast output). */
u64 hypercall_xmm_fast(u64 control, u64 rdx, u64 r8, void *xmm);

/* Sets CR4.OSFXSR (and CR0.MP, clears CR0.EM) on the calling VP, so SSE instructions do not #UD. */
void sse_enable(void);
/* XMM0..XMM5 from / to 96 bytes at x (enables SSE first). */
void xmm_load(const void *x);
void xmm_save(void *x);

NORETURN void guest_exit(u32 status);   /* MINIHV_CALL_EXIT; flushes the console line first */
u16 send_ipi(u32 vp, u8 vector);        /* MINIHV_CALL_SEND_IPI; returns the HV status */

/* ---- Hyper-V enlightenments (hyperv.c): discovery, the hypercall page, typed flush calls ---- */

/* What hv_setup() found (TLFS "Feature Discovery"). */
struct hv_features {
	u32 max_leaf;          /* CPUID 0x40000000 EAX */
	u32 privileges_lo;     /* 0x40000003 EAX: partition privilege mask 31:0 */
	u32 privileges_hi;     /* 0x40000003 EBX: partition privilege mask 63:32 */
	u32 features;          /* 0x40000003 EDX: HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE, ... */
	u32 recommendations;   /* 0x40000004 EAX: HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED, ... */
	u32 max_vps;           /* 0x40000005 EAX */
	u64 guest_os_id;       /* what hv_setup() wrote to HV_X64_MSR_GUEST_OS_ID */
	u64 hypercall_gpa;     /* the hypercall page (identity mapped) */
};

/* A Linux-style HV_X64_MSR_GUEST_OS_ID: vendor 0x8100 in 63:48, a kernel version in 47:16. */
#define HV_GUEST_OS_ID_LINUX (((u64)HV_LINUX_VENDOR_ID << 48) | (0x060600ull << 16))

/*
 * Partition-wide, done once (other VPs wait for the first): checks CPUID.1:ECX[31], "Microsoft Hv" with a
 * max leaf >= 0x40000005, "Hv#1", AccessHypercallMsrs + AccessVpIndex and the remote-flush
 * recommendation; writes HV_X64_MSR_GUEST_OS_ID = HV_GUEST_OS_ID_LINUX; enables the hypercall page at a
 * page_alloc() page and checks that HV_X64_MSR_HYPERCALL reads back enabled there and that a call through
 * it answers. Allocates one input page per VP. Any failure: a FAIL line naming the check, exit 1.
 */
const struct hv_features *hv_setup(void);
const struct hv_features *hv_features(void); /* NULL before hv_setup() */
u32 hv_vp_index(void);                       /* RDMSR HV_X64_MSR_VP_INDEX */
void *hv_input_page(void);                   /* the calling VP's input page (GVA = GPA) */

/* Calls through the hypercall page (CALL into it, as Linux does; hypercall.c). Each returns the full RAX. */
extern void *hv_hypercall_page;    /* NULL until hv_setup() enabled it; called, never written (TLFS) */
u64 hv_do_hypercall(u64 control, u64 input_gpa, u64 output_gpa);   /* memory form */
u64 hv_do_fast_hypercall(u64 control, u64 rdx, u64 r8);           /* fast: RDX, R8 */
/* XMM fast: RDX, R8, then XMM0..XMM5 loaded from xmm[0..11] (qword order XMM0.lo, XMM0.hi, ...). */
u64 hv_do_xmm_fast_hypercall(u64 control, u64 rdx, u64 r8, const u64 xmm[12]);

const char *hv_status_name(u16 status);      /* "SUCCESS", "INVALID_PARAMETER", ... */
#define HV_REPS_COMPLETED(rax) ((u32)(((rax) & HV_HYPERCALL_REP_COMP_MASK) >> HV_HYPERCALL_REP_COMP_OFFSET))
static inline u64 hv_control(u16 code, u32 var_header_qwords, u32 rep_count)
{
	return code | ((u64)var_header_qwords << HV_HYPERCALL_VARHEAD_OFFSET) |
	       ((u64)rep_count << HV_HYPERCALL_REP_COMP_OFFSET);
}

/*
 * How a flush wrapper passes its input. A flush input is at least 24 bytes, so a register-based flush
 * always carries part of it in XMM registers (TLFS "XMM Fast Hypercall Input"):
 *   HV_FORM_MEMORY  the calling VP's input page; RDX = its GPA
 *   HV_FORM_FAST    RDX, R8 and only the XMM registers the input reaches; the others keep whatever
 *                   they held (the hypervisor must ignore them)
 *   HV_FORM_XMM     RDX, R8 and all of XMM0..XMM5, zero past the input
 * The register forms hold at most 14 qwords (non-Ex List: 11 GVAs; Ex: 10 - banks GVAs).
 */
enum hv_form { HV_FORM_MEMORY, HV_FORM_FAST, HV_FORM_XMM };

/* HV_VP_SET builders: all VPs (HV_GENERIC_SET_ALL), or sparse 4K banks from VP indexes. */
void hv_vpset_all(struct hv_vpset *set);
void hv_vpset_sparse(struct hv_vpset *set, const u32 *vps, u32 count);
u32 hv_vpset_banks(const struct hv_vpset *set); /* BankContents sent: popcount(ValidBanksMask), 0 for ALL */

/* A GvaRange entry: the page of gva, pages (1..4096) long. */
static inline u64 hv_gva_range(u64 gva, u32 pages)
{
	return (gva & HV_GVA_RANGE_PAGE_MASK) | ((pages - 1) & HV_GVA_RANGE_ADDITIONAL_PAGES_MASK);
}

/*
 * The four flush calls (TLFS HvCallFlushVirtualAddress{Space,List}[Ex]). The rep calls re-issue a
 * partially completed call from the reps completed, as Linux's hv_do_rep_hypercall does
 * (hv_flush_reissues counts that). Each returns the last RAX. An input the chosen form cannot carry
 * is a FAIL (a test bug), not a hypercall.
 */
u64 hv_flush_virtual_address_space(enum hv_form form, u64 address_space, u64 flags, u64 processor_mask);
u64 hv_flush_virtual_address_list(enum hv_form form, u64 address_space, u64 flags, u64 processor_mask,
				  const u64 *gva_list, u32 count);
u64 hv_flush_virtual_address_space_ex(enum hv_form form, u64 address_space, u64 flags, const struct hv_vpset *set);
u64 hv_flush_virtual_address_list_ex(enum hv_form form, u64 address_space, u64 flags, const struct hv_vpset *set,
				     const u64 *gva_list, u32 count);
extern volatile u64 hv_flush_reissues;

/* ---- memory (mem.c): bump allocator over the boot info's [free_start, free_end), partition-wide ---- */

void *page_alloc(u64 n);         /* n zeroed, contiguous 4 KiB pages (identity mapped), NULL when out */
u64 page_free_count(void);       /* pages left */

/* ---- page tables (pt.c): 4-level tables of the current CR3, edited under a partition-wide lock ---- */

#define PT_LEVEL_4K 1
#define PT_LEVEL_2M 2
#define PT_LEVEL_1G 3

/* The leaf entry that maps gva and its level (PT_LEVEL_*), or NULL when gva is not mapped. No changes. */
u64 *pt_get_pte(u64 gva, int *level);
/* The 4 KiB leaf entry for gva, creating tables or splitting a 2 MiB / 1 GiB page (same mappings and
 * attributes) as needed; it may be not present. NULL when out of pages or gva is not canonical.
 * Writing through the pointer does not flush any TLB. */
u64 *pt_pte_4k(u64 gva);
/* Writes the 4 KiB leaf entry for gva and invalidates it on the calling VP only. */
u64 *pt_set_pte(u64 gva, u64 pte);
/* Maps the 4 KiB page at gva to gpa with flags (PTE_W, PTE_U, PTE_NX, ...; PTE_P is implied). */
bool pt_map_4k(u64 gva, u64 gpa, u64 flags);
/* Clears the 4 KiB mapping of gva (splitting a large page first); false when it was not mapped. */
bool pt_unmap(u64 gva);

/* TLB maintenance of the calling VP only; other VPs need their own (or a hypercall). */
static inline void pt_invlpg(u64 gva) { __asm__ volatile("invlpg (%0)" ::"r"(gva) : "memory"); }
static inline void pt_flush_tlb(void) { write_cr3(read_cr3()); } /* non-global entries */

/* ---- interrupts (idt.c, isr.asm) ---- */

/* What the ISR stubs save; a handler may change it (e.g. rip to skip a faulting instruction). */
struct irq_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code; /* error_code is 0 for vectors without one */
	u64 rip, cs, rflags, rsp, ss;
};
typedef void (*irq_handler_t)(struct irq_frame *f);

/* Loads the runtime's GDT (flat 64-bit code 0x08, data 0x10) and its IDT on the calling VP; the IDT is
 * built once per partition. Every vector has a stub: exceptions without a handler print a FAIL line
 * with the frame and exit 1; other vectors without a handler do the same. Interrupts stay as they are. */
void idt_init(void);
/* Loads another GDT (bytes long) and reloads CS, DS, ES and SS with the given selectors. */
void gdt_load_table(const u64 *table, u32 bytes, u16 code_sel, u16 data_sel);
/* Loads a GDT with user segments (data 0x18|3, code 0x20|3) and a TSS (0x28) for running code at CPL 3. */
void gdt_load_ring3(void);
/* Installs fn for vector (any of 0..255, exceptions included) for all VPs of the partition; NULL
 * restores the default. Handlers run with interrupts off; interrupts need no EOI. */
void idt_set_handler(u8 vector, irq_handler_t fn);

/* ---- tests (check.c) ---- */

/* Prints "FAIL: <message>" and exits with status 1. */
NORETURN void guest_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
NORETURN void guest_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints prefix, the formatted message and a newline as one console line (for tests that count
 * failures instead of exiting at the first). */
void guest_vline(const char *prefix, const char *fmt, va_list ap);
/* Prints "PASS <what>". A guest that passes prints its PASS lines and returns 0 from guest_main. */
void guest_pass(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* guest_check(cond, fmt, ...): when cond is false prints "FAIL: <message> (vp I, file:line)", exits 1. */
#define guest_check(cond, ...)                                         \
	do {                                                           \
		if (!(cond))                                           \
			guest_fail_at(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

#endif
