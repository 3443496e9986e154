/* Partitions and their virtual processors. A partition owns its RAM (one contiguous block), its EPT and
 * its VPs; a VP owns its VMCS and VPID and is homed on one physical CPU for its whole life. */
#ifndef MINIHV_PARTITION_H
#define MINIHV_PARTITION_H

#include "config.h"
#include "ept.h"
#include "gva_walk.h"
#include "cpu.h"
#include "minihv_abi.h"
#include "spinlock.h"
#include "types.h"
#include "vmx.h"
#include "legacy_io.h"
#include "vpic.h"
#include "vlapic.h"
#include "vuart.h"
#include "vp_index.h"

#define MAX_PARTITIONS CONFIG_MAX_PARTITIONS

/* Guest GPRs as vmx/entry.asm saves them (it gets the offsets from vmx/asm_offsets.c). */
struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/*
 * Why a VP is not running. A VP is entered only when no reason holds; each reason is set and cleared
 * by whoever owns it, atomically, so later reasons need no scheduler change.
 */
enum vp_block {
	VP_BLOCK_HALTED = BIT(0),         /* HLT with IF=1: waits for an interrupt */
	VP_BLOCK_EXPLICIT_SUSPEND = BIT(1), /* HvRegisterExplicitSuspend (management) */
	VP_BLOCK_FLUSH_WAIT = BIT(2),     /* suspended on another VP's TLB-flush inhibit */
	VP_BLOCK_STOPPED = BIT(3),        /* stopped by minihv: fault, bad access, unhandled exit */
	VP_BLOCK_ENDED = BIT(4),          /* ended itself (MINIHV_CALL_EXIT, HLT with IF=0) */
	VP_BLOCK_WAIT_SIPI = BIT(5),      /* INIT received (or ap_start = sipi): waits for a start-up IPI */
};
#define VP_BLOCK_FINAL (VP_BLOCK_STOPPED | VP_BLOCK_ENDED)

/* MSRs the guest owns that no VMCS field holds; switched when another VP takes the CPU. */
enum { VP_MSR_KERNEL_GS_BASE, VP_MSR_STAR, VP_MSR_LSTAR, VP_MSR_CSTAR, VP_MSR_FMASK, VP_MSR_TSC_AUX, VP_MSR_COUNT };

struct partition;

/* Work a VP's home CPU must do before the VP next enters guest mode (hv/flush.c). */
enum vp_request {
	VP_REQ_FLUSH_ALL = BIT(0),        /* INVVPID single-context */
	VP_REQ_FLUSH_NONGLOBAL = BIT(1),  /* INVVPID single-context retaining globals */
	VP_REQ_FLUSH_GVA = BIT(2),        /* INVVPID individual-address for the queued GVAs */
	VP_REQ_INVEPT = BIT(3),           /* INVEPT single-context: the partition's EPT changed */
};
#define VP_GVA_QUEUE 16

struct vp_counters {
	u64 exits;
	u64 exits_by_reason[EXIT_REASON_MAX];
	u64 entries;
	u64 guest_tsc;          /* TSC ticks spent in guest mode */
	u64 slices;             /* preemption-timer expiries */
	u64 hypercalls;
	u64 hypercalls_by_code[32]; /* index: hv_counter_slot(code) */
	u64 hypercalls_failed;  /* hypercalls answered with a status other than HV_STATUS_SUCCESS */
	u64 flushes_requested;  /* flush hypercalls this VP made that succeeded */
	u64 flushes_received;   /* flush requests other VPs (or itself) posted to this VP */
	u64 flushes_completed;  /* requests carried out before an entry */
	u64 invvpid, invept;    /* instructions executed for this VP */
	u64 suspensions;        /* times suspended on an inhibited target */
	u64 resumes;            /* times released from such a suspension (by a clear) */
	u64 suspended_tsc;      /* total TSC ticks spent suspended */
	u64 first_entry_tsc;    /* boot profile (hv/boot_profile.c): the VP's first VM entry */
	u64 sipi_tsc;           /* the start-up IPI that started it was accepted */
	u64 sipi_entry_tsc;     /* its first entry after that SIPI */
};

struct vp {
	struct guest_regs regs;  /* first: vmx/entry.asm takes its address */
	u64 cr2;
	struct partition *part;
	u32 index;               /* VP number in the partition (config order, x2APIC ID); its Hyper-V VP index
				  * is hv_vp_index_of(&part->vp_map, index) */
	u16 vpid;
	struct cpu *home;
	u64 vmcs_pa;
	bool vmcs_ready, launched;
	u64 entry_rip, entry_rsp, entry_rdi; /* ABI entry state, applied when the home CPU builds the VMCS */
	volatile u32 blocked;    /* enum vp_block bits */
	volatile u32 in_guest;   /* set by the home CPU around VM entry, for remote requests */
	/* virtual local APIC and start-up (vdev/vlapic.c) */
	struct vlapic lapic;     /* its IRR is the one pending-interrupt path (vp_queue_interrupt) */
	bool in_hlt;             /* left by HLT: enter again only for an interrupt it would take */
	volatile u32 wait_sipi;  /* INIT seen: the next SIPI starts the VP, later ones are ignored */
	volatile u32 sipi_pending; /* 0x100 | vector, posted by a SIPI for the home CPU */
	u64 msrs[VP_MSR_COUNT];
	/* remote requests (hv/flush.c) */
	volatile u32 requests;   /* enum vp_request */
	volatile u64 req_gen;    /* bumped after each posted request */
	volatile u64 done_gen;   /* req_gen as seen by the last pre-entry processing */
	spinlock_t gva_lock;
	u32 gva_count;
	u64 gva_queue[VP_GVA_QUEUE];
	/* TLB-flush inhibit (hv/inhibit.c) */
	volatile u8 tlb_flush_inhibit;
	spinlock_t inhibit_lock;   /* guards tlb_flush_inhibit changes and the waiter list */
	struct vp *waiters;        /* VPs suspended on this one */
	struct vp *wait_next;
	struct vp *volatile waiting_on;
	u64 suspended_since;
	u64 vp_assist_msr;         /* HV_X64_MSR_VP_ASSIST_PAGE, stored only */
	/* Paging state as of the VP's last exit, for HvCallTranslateVirtualAddress (hv/translate.c): only
	 * the home CPU can VMREAD it, so it saves it when the VP leaves the CPU (vmx/sched.c). A sequence
	 * count: odd while the VP is on its CPU, even once the state is saved, 0 before its first stay. */
	struct gva_paging_state paging;
	u64 parked_rip, parked_rsp; /* saved with paging, under paging_seq (HvCallGetVpRegisters) */
	volatile u32 paging_seq;
	int exit_status;
	const char *stop_reason;
	struct vp_counters count;
	u8 fxsave[512] __attribute__((aligned(16)));
};

struct partition {
	u32 id;
	char name[CONFIG_NAME_MAX];
	enum partition_role role;
	u64 ram_hpa, ram_size;
	u8 *ram_chunks;            /* per 2 MiB of RAM: zeroed yet? (hv/guest_ram.c) */
	struct ept ept;
	u64 eptp;
	u32 vp_count;
	struct vp **vps;           /* by VP number */
	struct hv_vp_index_map vp_map; /* VP number <-> Hyper-V VP index: the one place they meet */
	struct vuart uart;
	struct vpic pic;           /* PC platform only */
	struct legacy_io legacy;   /* PC platform only */
	volatile u32 vps_finished;
	volatile bool finished;
	volatile bool stopped;
	const struct partition_config *cfg;
	/* Hyper-V state (hv/hyperv.c) */
	spinlock_t hv_lock;
	u64 guest_os_id;
	u64 hypercall_msr;
	u64 hypercall_gpa;         /* GPA where the overlay page is mapped, or ~0 */
	u64 tsc_invariant_control; /* HV_X64_MSR_TSC_INVARIANT_CONTROL */
	/* Linux partitions: ACPI PM1a registers (hv/linux_boot.c) */
	u16 pm1_cnt, pm1_en;
	/* The 8259 pair's INT output on LINT0 (vdev/vlapic.h: vlapic_set_extint_source) */
	const struct vlapic_extint_ops *extint;
	void *extint_ctx;
	/* Boot profile (hv/boot_profile.c): the first exit from user mode (CPL 3) ends the boot, e.g. a
	 * Linux /init; the exits by reason up to it, summed over the VPs. */
	volatile u32 user_seen;
	u64 user_tsc;
	u64 boot_exits[EXIT_REASON_MAX];
};

extern struct partition partitions[MAX_PARTITIONS];
extern u32 partition_count;

/* GPA → host pointer for len bytes of the partition's RAM; NULL when any byte is outside it. The RAM is
 * zeroed on first use (hv/guest_ram.c): the chunks under the range are zeroed first if they were not. */
void *gpa_to_hva(struct partition *p, u64 gpa, u64 len);
/* gpa_to_hva for struct gva_space's map (ctx: the partition). */
void *guest_ram_map(void *ctx, u64 gpa, u64 size);
/* Sets up zero-on-first-use for p's RAM: its chunks get EPT rights once zeroed. */
bool guest_ram_init(struct partition *p);
/* EPT violation at gpa: true when gpa is RAM (a chunk now zeroed, or a stale violation): retry. */
bool guest_ram_fault(struct partition *p, u64 gpa);

/* Identity page tables of p's RAM and a GDT (64-bit code, data, TSS at these selectors) at the ABI's places
 * in guest RAM: the state a 64-bit entry needs (hv/partition.c). */
void partition_entry_tables(struct partition *p, u16 code_sel, u16 data_sel, u16 tss_sel);

/* Run-state changes (hv/vp.c). block/unblock are safe from any CPU. vp_halt, vp_end and partition_stop,
 * which vmx/ calls, are in hv.h. */
void vp_block(struct vp *vp, u32 reason);
void vp_unblock(struct vp *vp, u32 reason);
/* Makes a VP that may be in guest mode on another CPU leave it soon (IPI to its home CPU). */
void vp_kick(struct vp *vp);
/* Queues an interrupt for a VP and wakes it if it halted. */
void vp_queue_interrupt(struct vp *vp, u8 vector);
/* Blocks a VP for good with VP_BLOCK_ENDED or VP_BLOCK_STOPPED; the last one finishes the partition. */
void vp_finish(struct vp *vp, u32 reason);

/* Boot profile (hv/boot_profile.c). boot_profile_user_exit: vp exited from CPL 3 for the first time in its
 * partition; boot_profile_report: the partition's phase stamps and boot exits, one log line each. */
extern u64 boot_profile_core_tsc, boot_profile_started_tsc;
void boot_profile_user_exit(struct vp *vp);
void boot_profile_report(struct partition *p);

/* Called once per partition when its last VP has ended or stopped (hv/partition.c). */
void partition_finished(struct partition *p);
/* Prints the summary line of every partition and powers off (status from the partitions). */
NORETURN void partitions_summary_and_power_off(void);

#endif
