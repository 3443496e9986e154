/* The guest ABI of minihv: what a guest image can rely on. Stable; documented in docs/guest-abi.md.
 * Shared by the hypervisor and guests; depends on nothing but <stdint.h>. */
#ifndef MINIHV_ABI_H
#define MINIHV_ABI_H

#include <stdint.h>

#define MINIHV_ABI_VERSION 1

/* Guest-physical layout of every partition (RAM starts at GPA 0 and is identity-mapped at entry). */
#define MINIHV_GPA_PML4 0x1000ull          /* initial page tables: PML4, PDPT, then PDs */
#define MINIHV_GPA_PDPT 0x2000ull
#define MINIHV_GPA_PD 0x3000ull            /* 4 pages: up to 4 GiB of RAM */
#define MINIHV_GPA_GDT 0x7000ull           /* a GDT: null, 64-bit code, data, 64-bit TSS */
#define MINIHV_GPA_TSS 0x7800ull           /* the TSS the initial TR points at */
#define MINIHV_GDT_SIZE 0x28
#define MINIHV_GUEST_SEL_CODE 0x08         /* selectors loaded at entry */
#define MINIHV_GUEST_SEL_DATA 0x10
#define MINIHV_GUEST_SEL_TSS 0x18
#define MINIHV_GPA_BOOT_INFO 0x10000ull    /* one 4 KiB boot-info page per VP */
#define MINIHV_GPA_IMAGE_MIN 0x200000ull   /* ELF segments must start at or above this */
#define MINIHV_VP_STACK_SIZE 0x4000ull     /* VP i's stack ends at ram_size - i * MINIHV_VP_STACK_SIZE */
#define MINIHV_MAX_VPS 128                 /* per partition */

static inline uint64_t minihv_boot_info_gpa(uint32_t vp_index)
{
	return MINIHV_GPA_BOOT_INFO + (uint64_t)vp_index * 0x1000;
}

#define MINIHV_BOOT_INFO_MAGIC 0x4256484d /* "MHVB" */
#define MINIHV_BOOT_FLAG_MANAGEMENT (1u << 0)

/* RDI points here when a VP starts. */
struct minihv_boot_info {
	uint32_t magic;
	uint32_t abi_version;
	uint32_t partition_id;
	uint32_t vp_index;
	uint32_t vp_count;
	uint32_t flags;            /* MINIHV_BOOT_FLAG_* */
	uint64_t ram_size;         /* bytes; RAM is GPA [0, ram_size) */
	uint64_t image_start;      /* GPA range taken by the loaded image */
	uint64_t image_end;
	uint64_t free_start;       /* GPA range no one else uses: the guest's to allocate from */
	uint64_t free_end;
	uint64_t tsc_khz;          /* TSC frequency as measured by minihv */
	char partition_name[32];
	char cmdline[256];
	/* The file named by the partition's `module = FILE` key (docs/config.md), copied into RAM just after
	 * the image, page aligned; free_start lies after it. Both 0 when the partition has no module. */
	uint64_t module_start;
	uint64_t module_size;
};

/*
 * minihv's own hypercalls. They use the Hyper-V calling convention (VMCALL, RCX = input value with the
 * call code in bits 15:0 and the fast bit 16, parameters in RDX and R8, status in RAX) in a call-code
 * range the TLFS does not use.
 */
#define MINIHV_CALL_EXIT 0x7f01            /* fast; RDX = status. The VP ends; does not return. */
#define MINIHV_CALL_SEND_IPI 0x7f02        /* fast; RDX = target VP number (boot-info vp_index), R8 = vector (32..255) */

/*
 * Management calls: accepted only from the management partition (others get HV_STATUS_ACCESS_DENIED).
 * Memory form: RDX = input GPA, R8 = output GPA (8-byte aligned, not crossing a page). docs/api.md.
 */
#define MINIHV_CALL_SET_TLB_FLUSH_INHIBIT 0x7f10 /* in: struct minihv_tlb_flush_inhibit_input */
#define MINIHV_CALL_GET_PARTITION 0x7f11         /* in: struct minihv_target; out: struct minihv_partition_info */
#define MINIHV_CALL_GET_VP 0x7f12                /* in: struct minihv_target; out: struct minihv_vp_info */
#define MINIHV_CALL_READ_MEMORY 0x7f13           /* in: struct minihv_memory_input; out: the bytes */
#define MINIHV_CALL_WRITE_MEMORY 0x7f14          /* in: struct minihv_memory_input followed by the bytes */
#define MINIHV_CALL_READ_TRACE 0x7f15            /* in: struct minihv_trace_input; out: struct minihv_trace_output */
#define MINIHV_CALL_SHUTDOWN 0x7f16              /* fast; RDX = 0: power off after printing the summary */

/* KVM's struct kvm_hyperv_tlb_flush_inhibit, unchanged, after the target. */
struct minihv_tlb_flush_inhibit {
	uint16_t flags;       /* must be 0 */
	uint8_t inhibit;      /* 0 = uninhibit, 1 = inhibit */
	uint8_t padding[5];   /* must be 0 */
};
#define MINIHV_UNINHIBIT_TLB_FLUSH 0
#define MINIHV_INHIBIT_TLB_FLUSH 1

struct minihv_target {
	uint64_t partition_id;
	uint32_t vp_index;
	uint32_t reserved;    /* must be 0 */
};

struct minihv_tlb_flush_inhibit_input {
	struct minihv_target target;
	struct minihv_tlb_flush_inhibit inhibit;
};

#define MINIHV_PARTITION_RUNNING 0
#define MINIHV_PARTITION_FINISHED 1
#define MINIHV_PARTITION_STOPPED 2

struct minihv_partition_info {
	uint32_t id;
	uint32_t vp_count;
	uint32_t role;        /* 0 guest, 1 management */
	uint32_t state;       /* MINIHV_PARTITION_* */
	uint64_t ram_size;
	char name[32];
	/* The Hyper-V VP indexes of its VPs (HV_X64_MSR_VP_INDEX, the `vp_index` config key): bit n of
	 * vp_indexes[n / 64] is set when a VP has index n. Every call that names a VP takes one of these. */
	uint64_t vp_indexes[(MINIHV_MAX_VPS + 63) / 64];
};

/* VP run state, from the most to the least specific reason. */
#define MINIHV_VP_RUNNING 0       /* in guest mode now */
#define MINIHV_VP_RUNNABLE 1      /* waiting for its CPU */
#define MINIHV_VP_HALTED 2
#define MINIHV_VP_SUSPENDED 3     /* waiting on another VP's TLB-flush inhibit: see waiting_on */
#define MINIHV_VP_EXPLICIT 4      /* explicitly suspended (possibly also flush-suspended) */
#define MINIHV_VP_STOPPED 5
#define MINIHV_VP_ENDED 6
#define MINIHV_VP_WAIT_SIPI 7     /* waiting for INIT/SIPI from another VP (ap_start = sipi) */

struct minihv_vp_info {
	uint32_t state;            /* MINIHV_VP_* */
	uint32_t block_reasons;    /* bit set of every reason that holds (hypervisor's own encoding) */
	uint32_t waiting_on;       /* Hyper-V VP index of the VP this one is suspended on, or 0xffffffff */
	uint32_t home_cpu;
	uint8_t tlb_flush_inhibit;
	uint8_t explicit_suspend;
	uint8_t reserved[2];
	int32_t exit_status;
	uint64_t exits;
	uint64_t hypercalls;
	uint64_t hypercalls_flush[4]; /* Space, List, SpaceEx, ListEx */
	uint64_t flushes_requested;   /* flush calls this VP completed */
	uint64_t flushes_received;    /* flush requests posted to this VP */
	uint64_t flushes_completed;   /* carried out on this VP */
	uint64_t invvpid;
	uint64_t invept;
	uint64_t suspensions;
	uint64_t suspended_tsc;       /* total, including a suspension still running */
	uint64_t guest_tsc;           /* time in guest mode */
	uint64_t resumes;             /* releases from a suspension; == suspensions while not suspended */
	uint32_t vp_number;           /* minihv's VP number (config order, x2APIC ID, boot-info vp_index, logs) */
	uint32_t reserved2;
};

struct minihv_memory_input {
	uint64_t partition_id;
	uint64_t gpa;
	uint32_t size;        /* bytes: at most 4096 - 24 to write, 4096 to read; no page crossing needed */
	uint32_t reserved;
};

struct minihv_trace_input {
	uint64_t since_tsc;   /* only events newer than this */
	uint32_t max;         /* at most MINIHV_TRACE_MAX_PER_CALL */
	uint32_t reserved;
};

struct minihv_trace_event {
	uint64_t tsc;
	uint16_t type;        /* 1 hypercall, 2 hypercall-done, 3 suspend, 4 resume, 5 inhibit, 6 uninhibit,
			       * 7 explicit-suspend, 8 explicit-resume, 9 halt, 10 wake, 11 end */
	uint16_t partition;
	uint16_t vp;
	uint16_t cpu;
	uint32_t a;           /* per type: call code, or the VP index waited on / released by */
	uint32_t pad;
	uint64_t b;
};

#define MINIHV_TRACE_MAX_PER_CALL 127
struct minihv_trace_output {
	uint32_t count;
	uint32_t lost;        /* events that were overwritten before they could be read */
	struct minihv_trace_event events[];
};

#endif
