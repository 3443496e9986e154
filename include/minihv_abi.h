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
};

/*
 * minihv's own hypercalls. They use the Hyper-V calling convention (VMCALL, RCX = input value with the
 * call code in bits 15:0 and the fast bit 16, parameters in RDX and R8, status in RAX) in a call-code
 * range the TLFS does not use.
 */
#define MINIHV_CALL_EXIT 0x7f01            /* fast; RDX = status. The VP ends; does not return. */
#define MINIHV_CALL_SEND_IPI 0x7f02        /* fast; RDX = target VP index, R8 = vector (32..255) */

#endif
