/*
 * The guest-visible Hyper-V interface minihv implements (Microsoft Hypervisor Top Level Functional
 * Specification, "TLFS"), spelled as Linux's hyperv-tlfs.h spells it. Shared by the hypervisor and by
 * guests, so it depends on nothing but <stdint.h> and <stddef.h>.
 * Facts and rules: docs/tlfs-cases.md (cited below as "ref §n").
 */
#ifndef MINIHV_HYPERV_TLFS_H
#define MINIHV_HYPERV_TLFS_H

#include <stddef.h>
#include <stdint.h>

/* ---- CPUID (TLFS feature-discovery.md; ref §1.1) ---- */

#define HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS 0x40000000u
#define HYPERV_CPUID_INTERFACE 0x40000001u
#define HYPERV_CPUID_VERSION 0x40000002u
#define HYPERV_CPUID_FEATURES 0x40000003u
#define HYPERV_CPUID_ENLIGHTMENT_INFO 0x40000004u
#define HYPERV_CPUID_IMPLEMENT_LIMITS 0x40000005u
#define HYPERV_CPUID_HARDWARE_FEATURES 0x40000006u

/* Linux accepts a max leaf only in [HYPERV_CPUID_MIN, HYPERV_CPUID_MAX]. */
#define HYPERV_CPUID_MIN 0x40000005u
#define HYPERV_CPUID_MAX 0x4000ffffu

/* Leaf 0x40000000 EBX/ECX/EDX: "Microsoft Hv" (Linux memcmp()s exactly this). */
#define HYPERV_CPUID_VENDOR_EBX 0x7263694Du /* "Micr" */
#define HYPERV_CPUID_VENDOR_ECX 0x666F736Fu /* "osof" */
#define HYPERV_CPUID_VENDOR_EDX 0x76482074u /* "t Hv" */
/* Leaf 0x40000001 EAX: "Hv#1", implies GUEST_OS_ID, HYPERCALL and VP_INDEX MSRs. */
#define HYPERV_CPUID_SIGNATURE_EAX 0x31237648u

/* Leaf 0x40000003 EAX: partition privilege mask bits 31:0 (hv_partition_privilege_mask.md). */
#define HV_MSR_VP_RUNTIME_AVAILABLE (1u << 0)
#define HV_MSR_TIME_REF_COUNT_AVAILABLE (1u << 1)
#define HV_MSR_SYNIC_AVAILABLE (1u << 2)
#define HV_MSR_SYNTIMER_AVAILABLE (1u << 3)
#define HV_MSR_APIC_ACCESS_AVAILABLE (1u << 4)
#define HV_MSR_HYPERCALL_AVAILABLE (1u << 5)        /* AccessHypercallMsrs; mandatory for Linux */
#define HV_MSR_VP_INDEX_AVAILABLE (1u << 6)         /* AccessVpIndex; mandatory for Linux */
#define HV_MSR_RESET_AVAILABLE (1u << 7)
#define HV_MSR_STAT_PAGES_AVAILABLE (1u << 8)
#define HV_MSR_REFERENCE_TSC_AVAILABLE (1u << 9)
#define HV_MSR_GUEST_IDLE_AVAILABLE (1u << 10)
#define HV_ACCESS_FREQUENCY_MSRS (1u << 11)         /* TSC_FREQUENCY / APIC_FREQUENCY readable */
#define HV_ACCESS_REENLIGHTENMENT (1u << 13)
#define HV_ACCESS_TSC_INVARIANT (1u << 15)

/* Leaf 0x40000003 EBX: privilege mask bits 63:32. */
#define HV_CREATE_PARTITIONS (1u << 0)
#define HV_ACCESS_PARTITION_ID (1u << 1)  /* Linux then calls HvCallGetPartitionId and BUG()s on failure */
#define HV_ACCESS_MEMORY_POOL (1u << 2)
#define HV_ADJUST_MESSAGE_BUFFERS (1u << 3)
#define HV_POST_MESSAGES (1u << 4)
#define HV_SIGNAL_EVENTS (1u << 5)
#define HV_CREATE_PORT (1u << 6)
#define HV_CONNECT_PORT (1u << 7)
#define HV_ACCESS_STATS (1u << 8)
#define HV_DEBUGGING (1u << 11)
#define HV_CPU_MANAGEMENT (1u << 12)
#define HV_ACCESS_VSM (1u << 16)
#define HV_ACCESS_VP_REGISTERS (1u << 17)  /* AccessVpRegisters: HvCall{Get,Set}VpRegisters on self */
#define HV_ENABLE_EXTENDED_HYPERCALLS (1u << 20)
#define HV_START_VIRTUAL_PROCESSOR (1u << 21)

/* Leaf 0x40000003 EDX: feature identification. */
#define HV_X64_MWAIT_AVAILABLE (1u << 0)
#define HV_X64_GUEST_DEBUGGING_AVAILABLE (1u << 1)
#define HV_X64_PERF_MONITOR_AVAILABLE (1u << 2)
#define HV_X64_CPU_DYNAMIC_PARTITIONING_AVAILABLE (1u << 3)
#define HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE (1u << 4)  /* TLFS: XMM input without it -> #UD */
#define HV_X64_GUEST_IDLE_STATE_AVAILABLE (1u << 5)
#define HV_FEATURE_FREQUENCY_MSRS_AVAILABLE (1u << 8)
#define HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE (1u << 10)
#define HV_FEATURE_DEBUG_MSRS_AVAILABLE (1u << 11)
#define HV_FEATURE_EXT_GVA_RANGES_FLUSH (1u << 14)      /* minihv does not advertise it (ref §7) */
#define HV_X64_HYPERCALL_XMM_OUTPUT_AVAILABLE (1u << 15)
#define HV_X64_HYPERCALL_MSR_LOCK_AVAILABLE (1u << 18)

/* Leaf 0x40000004 EAX: implementation recommendations. */
#define HV_X64_AS_SWITCH_RECOMMENDED (1u << 0)
#define HV_X64_LOCAL_TLB_FLUSH_RECOMMENDED (1u << 1)
#define HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED (1u << 2)   /* Linux uses the flush hypercalls only with it */
#define HV_X64_APIC_ACCESS_RECOMMENDED (1u << 3)
#define HV_X64_SYSTEM_RESET_RECOMMENDED (1u << 4)
#define HV_X64_RELAXED_TIMING_RECOMMENDED (1u << 5)
#define HV_X64_CLUSTER_IPI_RECOMMENDED (1u << 10)
#define HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED (1u << 11) /* gates the *_EX flush calls */

/* ---- Synthetic MSRs (TLFS-6b App. C; ref §1.2) ---- */

#define HV_X64_MSR_GUEST_OS_ID 0x40000000u
#define HV_X64_MSR_HYPERCALL 0x40000001u
#define HV_X64_MSR_VP_INDEX 0x40000002u
#define HV_X64_MSR_TSC_FREQUENCY 0x40000022u
#define HV_X64_MSR_APIC_FREQUENCY 0x40000023u
#define HV_X64_MSR_VP_ASSIST_PAGE 0x40000073u       /* Linux writes it on every CPU, advertised or not */
#define HV_X64_MSR_TSC_INVARIANT_CONTROL 0x40000118u /* bit 0: the guest relies on an invariant TSC */

/* HV_X64_MSR_HYPERCALL: 63:12 GPFN, 11:2 RsvdP, 1 Locked, 0 Enable. */
#define HV_X64_MSR_HYPERCALL_ENABLE 0x0000000000000001ull
#define HV_X64_MSR_HYPERCALL_LOCKED 0x0000000000000002ull /* TLFS: only a reset clears it */
#define HV_X64_MSR_HYPERCALL_RSVDP_MASK 0x0000000000000ffcull
#define HV_X64_MSR_HYPERCALL_PAGE_ADDRESS_SHIFT 12
#define HV_X64_MSR_HYPERCALL_PAGE_ADDRESS_MASK (~((1ull << HV_X64_MSR_HYPERCALL_PAGE_ADDRESS_SHIFT) - 1))

/* HV_X64_MSR_GUEST_OS_ID, open-source encoding: 63 open source, 62:56 OS type. */
#define HV_GUEST_OS_ID_OPEN_SOURCE (1ull << 63)
#define HV_GUEST_OS_ID_OS_TYPE_SHIFT 56
#define HV_LINUX_VENDOR_ID 0x8100u /* bits 63:48 of a Linux guest's ID */

/* ---- Hypercall input value, RCX (TLFS-md "Hypercall Inputs"; Linux layout; ref §2.1) ---- */

#define HV_HYPERCALL_CODE_MASK 0x000000000000ffffull           /* 15:0 call code */
#define HV_HYPERCALL_FAST_BIT (1ull << 16)                     /* 1 = register-based */
#define HV_HYPERCALL_VARHEAD_OFFSET 17
#define HV_HYPERCALL_VARHEAD_MASK 0x0000000007fe0000ull        /* 26:17, in QWORDs */
#define HV_HYPERCALL_RSVD0_MASK 0x0000000078000000ull          /* 30:27 RsvdZ */
#define HV_HYPERCALL_NESTED (1ull << 31)                       /* Is Nested: for L0 */
#define HV_HYPERCALL_REP_COMP_OFFSET 32
#define HV_HYPERCALL_REP_COMP_1 (1ull << 32)
#define HV_HYPERCALL_REP_COMP_MASK 0x00000fff00000000ull       /* 43:32 rep count */
#define HV_HYPERCALL_RSVD1_MASK 0x0000f00000000000ull          /* 47:44 RsvdZ */
#define HV_HYPERCALL_REP_START_OFFSET 48
#define HV_HYPERCALL_REP_START_MASK 0x0fff000000000000ull      /* 59:48 rep start index */
#define HV_HYPERCALL_RSVD2_MASK 0xf000000000000000ull          /* 63:60 RsvdZ */
/* Note: Linux's HV_HYPERCALL_RSVD0_MASK is GENMASK(31,27) and so also covers Is Nested; ours does not,
 * so a decoder can tell the two apart. Both are rejected by a non-nested hypervisor. */
#define HV_HYPERCALL_RSVD_MASK (HV_HYPERCALL_RSVD0_MASK | HV_HYPERCALL_RSVD1_MASK | HV_HYPERCALL_RSVD2_MASK)

/* Fast calls: RDX, R8, then XMM0..XMM5 (TLFS "XMM Fast Hypercall Input": up to 112 bytes). */
#define HV_HYPERCALL_MAX_XMM_REGISTERS 6

/* ---- Hypercall result value, RAX (ref §2.3) ---- */

#define HV_HYPERCALL_RESULT_MASK 0x000000000000ffffull         /* 15:0 HV_STATUS */
/* 43:32 reps completed (the total, not relative to the start index): HV_HYPERCALL_REP_COMP_*. */

/* ---- HV_STATUS (TLFS-6b App. B; ref §2.5) ---- */

#define HV_STATUS_SUCCESS 0x0000
#define HV_STATUS_INVALID_HYPERCALL_CODE 0x0002
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x0003
#define HV_STATUS_INVALID_ALIGNMENT 0x0004
#define HV_STATUS_INVALID_PARAMETER 0x0005
#define HV_STATUS_ACCESS_DENIED 0x0006
#define HV_STATUS_INVALID_PARTITION_STATE 0x0007
#define HV_STATUS_OPERATION_DENIED 0x0008
#define HV_STATUS_INSUFFICIENT_MEMORY 0x000B
#define HV_STATUS_INVALID_PARTITION_ID 0x000D
#define HV_STATUS_INVALID_VP_INDEX 0x000E
#define HV_STATUS_INSUFFICIENT_BUFFERS 0x0013 /* Linux's value; the 6.0b PDF's "0x0033" is a typo */
#define HV_STATUS_INVALID_VP_STATE 0x0015

/* ---- Call codes ---- */

#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE 0x0002    /* simple */
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST 0x0003     /* rep */
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX 0x0013 /* simple, variable header */
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX 0x0014  /* rep, variable header */
#define HVCALL_GET_VP_REGISTERS 0x0050               /* rep */
#define HVCALL_SET_VP_REGISTERS 0x0051               /* rep */
#define HVCALL_TRANSLATE_VIRTUAL_ADDRESS 0x0052      /* simple */
#define HVCALL_TRANSLATE_VIRTUAL_ADDRESS_EX 0x00ac   /* simple */

/* ---- HV_FLUSH_FLAGS (TLFS-6b §9.3; ref §3.1) ---- */

#define HV_FLUSH_ALL_PROCESSORS (1ull << 0)            /* ignore ProcessorMask / ProcessorSet */
#define HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES (1ull << 1) /* ignore AddressSpace */
#define HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY (1ull << 2)  /* TLFS: invalid on the List calls */
#define HV_FLUSH_USE_EXTENDED_RANGE_FORMAT (1ull << 3) /* entry layout undocumented (ref §7) */

/* GVA range entry: 63:12 GVA page, 11:0 number of *additional* pages (1..4096 pages per entry). */
#define HV_GVA_RANGE_PAGE_MASK 0xfffffffffffff000ull
#define HV_GVA_RANGE_ADDITIONAL_PAGES_MASK 0x0000000000000fffull

/* ---- HV_VP_SET (datatypes/hv_vp_set.md; ref §3.1) ---- */

enum HV_GENERIC_SET_FORMAT {
	HV_GENERIC_SET_SPARSE_4K = 0, /* ValidBanksMask + one BankContents per set bit, ascending */
	HV_GENERIC_SET_ALL = 1,       /* every VP of the partition */
};

#define HV_VCPUS_PER_SPARSE_BANK 64 /* bank = VP index / 64 */
#define HV_MAX_SPARSE_VCPU_BANKS 64 /* ValidBanksMask is 64 bits */

/* ---- Registers (datatypes/hv_register_name.md; layouts TLFS-2a §10.3.1; ref §4.2) ---- */

enum hv_register_name {
	HvRegisterExplicitSuspend = 0x00000000,
	HvRegisterInterceptSuspend = 0x00000001,
	HvX64RegisterRsp = 0x00020004,
	HvX64RegisterRip = 0x00020010,
};

/* HvRegisterExplicitSuspend: UINT64 Suspended:1; Reserved:63. */
#define HV_EXPLICIT_SUSPEND_SUSPENDED (1ull << 0)
#define HV_EXPLICIT_SUSPEND_RESERVED_MASK (~1ull)
/* HvRegisterInterceptSuspend: UINT64 Suspended:1; TlbFlushInhibit:1; Reserved:62.
 * TLFS-2a: set bits may be cleared with HvSetVpRegisters; only the hypervisor sets them. */
#define HV_INTERCEPT_SUSPEND_SUSPENDED (1ull << 0)
#define HV_INTERCEPT_SUSPEND_TLB_FLUSH_INHIBIT (1ull << 1)
#define HV_INTERCEPT_SUSPEND_RESERVED_MASK (~3ull)

/* ---- Partition / VP identifiers (LNX-tlfs) ---- */

#define HV_PARTITION_ID_SELF ((uint64_t)-1)
#define HV_VP_INDEX_SELF 0xfffffffeu
#define HV_ANY_VP 0xffffffffu

/* HV_INPUT_VTL: TargetVtl:4, UseTargetVtl:1, RsvdZ:3. */
#define HV_INPUT_VTL_TARGET_VTL_MASK 0x0fu
#define HV_INPUT_VTL_USE_TARGET_VTL 0x10u
#define HV_INPUT_VTL_RSVDZ_MASK 0xe0u

/* ---- Input structures, memory form (ref §3.1, §4.4); all little-endian ---- */

/* HvCallFlushVirtualAddressSpace / List (24 bytes, then List's GvaRange[rep count]). */
struct hv_tlb_flush {
	uint64_t address_space; /* @0  CR3 value */
	uint64_t flags;         /* @8  HV_FLUSH_* */
	uint64_t processor_mask; /* @16 bit n = VP n */
	uint64_t gva_list[];    /* @24 List only */
};

/* HV_VP_SET: 16 fixed bytes, then popcount(ValidBanksMask) banks, which the Ex calls pass as their
 * variable header. Room for the maximum is declared (a flexible array could not be nested in
 * hv_tlb_flush_ex in ISO C); only the first popcount(valid_bank_mask) elements are sent. */
struct hv_vpset {
	uint64_t format;          /* @0  enum HV_GENERIC_SET_FORMAT */
	uint64_t valid_bank_mask; /* @8 */
	uint64_t bank_contents[HV_MAX_SPARSE_VCPU_BANKS]; /* @16 */
};

/* HvCallFlushVirtualAddressSpaceEx / ListEx: 32 fixed bytes, the banks, then ListEx's GvaRange[].
 * The GVA list starts at qword 4 + variable header size, not at a fixed member. */
struct hv_tlb_flush_ex {
	uint64_t address_space; /* @0 */
	uint64_t flags;         /* @8 */
	struct hv_vpset hv_vp_set; /* @16 format, @24 valid_bank_mask, @32 bank_contents[] */
};

/* HV_REGISTER_VALUE: 128 bits. */
union hv_register_value {
	uint64_t reg64;
	uint32_t reg32;
	struct {
		uint64_t low_part;
		uint64_t high_part;
	} reg128;
};

/* HvCallGetVpRegisters input: 16-byte header, then RegisterName (u32) per rep;
 * output: one HV_REGISTER_VALUE (16 bytes) per rep. */
struct hv_input_get_vp_registers {
	uint64_t partition_id; /* @0  HV_PARTITION_ID_SELF or a child */
	uint32_t vp_index;     /* @8  or HV_VP_INDEX_SELF */
	uint8_t input_vtl;     /* @12 HV_INPUT_VTL */
	uint8_t rsvd_z8;       /* @13 RsvdZ */
	uint16_t rsvd_z16;     /* @14 RsvdZ */
	uint32_t names[];      /* @16 enum hv_register_name */
};

/* HvCallSetVpRegisters element (32 bytes). */
struct hv_register_assoc {
	uint32_t name;      /* @0 */
	uint32_t reserved1; /* @4  RsvdZ */
	uint64_t reserved2; /* @8  RsvdZ */
	union hv_register_value value; /* @16 */
};

/* HvCallSetVpRegisters input: the same 16-byte header, then one hv_register_assoc per rep. */
struct hv_input_set_vp_registers {
	uint64_t partition_id;
	uint32_t vp_index;
	uint8_t input_vtl;
	uint8_t rsvd_z8;
	uint16_t rsvd_z16;
	struct hv_register_assoc elements[];
};

_Static_assert(sizeof(struct hv_tlb_flush) == 24 && offsetof(struct hv_tlb_flush, gva_list) == 24,
	       "TLFS HV_INPUT_FLUSH_VIRTUAL_ADDRESS_*: 24-byte header");
_Static_assert(offsetof(struct hv_vpset, bank_contents) == 16, "TLFS HV_VP_SET: 16 fixed bytes");
_Static_assert(offsetof(struct hv_tlb_flush_ex, hv_vp_set) == 16 &&
		       offsetof(struct hv_tlb_flush_ex, hv_vp_set.bank_contents) == 32,
	       "TLFS Ex flush: VP set at byte 16, banks at byte 32");
_Static_assert(sizeof(union hv_register_value) == 16, "TLFS HV_REGISTER_VALUE is 128 bits");
_Static_assert(sizeof(struct hv_register_assoc) == 32 && offsetof(struct hv_register_assoc, value) == 16,
	       "TLFS HvCallSetVpRegisters element: 32 bytes, value at 16");
_Static_assert(sizeof(struct hv_input_get_vp_registers) == 16 &&
		       offsetof(struct hv_input_get_vp_registers, input_vtl) == 12,
	       "TLFS HvCallGetVpRegisters header: 16 bytes, TargetVtl at 12");
_Static_assert(sizeof(struct hv_input_set_vp_registers) == 16 &&
		       offsetof(struct hv_input_set_vp_registers, elements) == 16,
	       "TLFS HvCallSetVpRegisters header: 16 bytes");

/* ---- HvCallTranslateVirtualAddress(Ex) (TLFS-6b; docs/api.md "Translating a guest virtual address") ---- */

/* ControlFlags. TLFS-6b's mask is 0x3f; the newer bits (0x40..0x400) are not offered. */
#define HV_TRANSLATE_GVA_VALIDATE_READ 0x0001ull
#define HV_TRANSLATE_GVA_VALIDATE_WRITE 0x0002ull
#define HV_TRANSLATE_GVA_VALIDATE_EXECUTE 0x0004ull
#define HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT 0x0008ull    /* check as at CPL 0, SMEP/SMAP off */
#define HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS 0x0010ull /* set A (and D on the leaf for a write) */
#define HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT 0x0020ull   /* on success, set the VP's TlbFlushInhibit */
#define HV_TRANSLATE_GVA_CONTROL_MASK 0x003full
#define HV_TRANSLATE_GVA_VALIDATE_MASK 0x0007ull
#define HV_TRANSLATE_GVA_INPUT_VTL_SHIFT 56             /* HV_INPUT_VTL in ControlFlags 63:56 */

/* TranslationResult.ResultCode (HV_TRANSLATE_GVA_RESULT_CODE) */
enum hv_translate_gva_result_code {
	HV_TRANSLATE_GVA_SUCCESS = 0,
	HV_TRANSLATE_GVA_PAGE_NOT_PRESENT = 1,
	HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION = 2,
	HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS = 3,
	HV_TRANSLATE_GVA_GPA_UNMAPPED = 4,
	HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS = 5,
	HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS = 6,
	HV_TRANSLATE_GVA_GPA_ILLEGAL_OVERLAY_ACCESS = 7,
	HV_TRANSLATE_GVA_INTERCEPT = 8,
};

/* CacheType (HV_CACHE_TYPE, the x86 memory types) */
#define HV_CACHE_TYPE_X64_UC 0
#define HV_CACHE_TYPE_X64_WC 1
#define HV_CACHE_TYPE_X64_WT 4
#define HV_CACHE_TYPE_X64_WP 5
#define HV_CACHE_TYPE_X64_WB 6

/* TranslationResult: ResultCode 31:0, CacheType 39:32, OverlayPage 40, reserved 63:41. */
#define HV_TRANSLATE_GVA_RESULT_CODE_MASK 0xffffffffull
#define HV_TRANSLATE_GVA_CACHE_TYPE_SHIFT 32
#define HV_TRANSLATE_GVA_OVERLAY_PAGE (1ull << 40)

struct hv_input_translate_virtual_address {
	uint64_t partition_id; /* @0 */
	uint32_t vp_index;     /* @8 */
	uint32_t reserved;     /* @12 must be 0 */
	uint64_t control_flags; /* @16 HV_TRANSLATE_GVA_*, HV_INPUT_VTL in 63:56 */
	uint64_t gva_page;     /* @24 GVA >> 12 */
};

struct hv_output_translate_virtual_address {
	uint64_t translation_result; /* @0 */
	uint64_t gpa_page;           /* @8 */
};

/* The Ex output as OpenVMM lays it out (0x40 bytes); minihv leaves EventInfo zero. */
struct hv_output_translate_virtual_address_ex {
	uint64_t translation_result; /* @0 */
	uint64_t reserved1;          /* @8 */
	uint64_t event_info[4];      /* @16 HV_X64_PENDING_EVENT */
	uint64_t gpa_page;           /* @48 */
	uint64_t reserved2;          /* @56 */
};

_Static_assert(sizeof(struct hv_input_translate_virtual_address) == 32 &&
		       offsetof(struct hv_input_translate_virtual_address, gva_page) == 24,
	       "TLFS HvCallTranslateVirtualAddress input: 32 bytes");
_Static_assert(sizeof(struct hv_output_translate_virtual_address) == 16, "TLFS translate output: 16 bytes");
_Static_assert(sizeof(struct hv_output_translate_virtual_address_ex) == 0x40 &&
		       offsetof(struct hv_output_translate_virtual_address_ex, gpa_page) == 0x30,
	       "translate Ex output: 0x40 bytes, GpaPage at 0x30");

#endif
