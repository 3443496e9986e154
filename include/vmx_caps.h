/* VMX capability MSRs and the check of everything minihv relies on. The check is pure (host-tested). */
#ifndef MINIHV_VMX_CAPS_H
#define MINIHV_VMX_CAPS_H

#include "types.h"

#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_VMCS_ENUM 0x48a
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490

#define VMX_BASIC_REVISION(b) ((u32)(b) & 0x7fffffff)
#define VMX_BASIC_VMCS_SIZE(b) (((b) >> 32) & 0x1fff)
#define VMX_BASIC_MEMTYPE(b) (((b) >> 50) & 0xf)
#define VMX_BASIC_INS_OUTS_INFO BIT(54) /* instruction information reported for INS/OUTS exits */
#define VMX_BASIC_TRUE_CTLS BIT(55)

/* Pin-based controls */
#define PIN_EXTERNAL_INTERRUPT_EXITING BIT(0)
#define PIN_NMI_EXITING BIT(3)
#define PIN_VIRTUAL_NMIS BIT(5)
#define PIN_VMX_PREEMPTION_TIMER BIT(6)
/* Primary processor-based controls */
#define CPU_INTERRUPT_WINDOW_EXITING BIT(2)
#define CPU_USE_TSC_OFFSETTING BIT(3)
#define CPU_HLT_EXITING BIT(7)
#define CPU_INVLPG_EXITING BIT(9)
#define CPU_MWAIT_EXITING BIT(10)
#define CPU_RDPMC_EXITING BIT(11)
#define CPU_RDTSC_EXITING BIT(12)
#define CPU_CR3_LOAD_EXITING BIT(15)
#define CPU_CR3_STORE_EXITING BIT(16)
#define CPU_CR8_LOAD_EXITING BIT(19)
#define CPU_CR8_STORE_EXITING BIT(20)
#define CPU_USE_TPR_SHADOW BIT(21)
#define CPU_NMI_WINDOW_EXITING BIT(22)
#define CPU_MOV_DR_EXITING BIT(23)
#define CPU_UNCONDITIONAL_IO_EXITING BIT(24)
#define CPU_USE_IO_BITMAPS BIT(25)
#define CPU_MONITOR_TRAP_FLAG BIT(27)
#define CPU_USE_MSR_BITMAPS BIT(28)
#define CPU_MONITOR_EXITING BIT(29)
#define CPU_PAUSE_EXITING BIT(30)
#define CPU_ACTIVATE_SECONDARY_CONTROLS BIT(31)
/* Secondary processor-based controls */
#define CPU2_ENABLE_EPT BIT(1)
#define CPU2_DESCRIPTOR_TABLE_EXITING BIT(2)
#define CPU2_ENABLE_RDTSCP BIT(3)
#define CPU2_ENABLE_VPID BIT(5)
#define CPU2_WBINVD_EXITING BIT(6)
#define CPU2_UNRESTRICTED_GUEST BIT(7)
#define CPU2_ENABLE_INVPCID BIT(12)
#define CPU2_ENABLE_XSAVES BIT(20)
/* VM-exit controls */
#define EXIT_SAVE_DEBUG_CONTROLS BIT(2)
#define EXIT_HOST_ADDRESS_SPACE_SIZE BIT(9)
#define EXIT_ACK_INTERRUPT_ON_EXIT BIT(15)
#define EXIT_SAVE_IA32_PAT BIT(18)
#define EXIT_LOAD_IA32_PAT BIT(19)
#define EXIT_SAVE_IA32_EFER BIT(20)
#define EXIT_LOAD_IA32_EFER BIT(21)
#define EXIT_SAVE_VMX_PREEMPTION_TIMER BIT(22)
/* VM-entry controls */
#define ENTRY_LOAD_DEBUG_CONTROLS BIT(2)
#define ENTRY_IA32E_MODE_GUEST BIT(9)
#define ENTRY_LOAD_IA32_PAT BIT(14)
#define ENTRY_LOAD_IA32_EFER BIT(15)

/* IA32_VMX_EPT_VPID_CAP */
#define EPT_CAP_EXECUTE_ONLY BIT(0)
#define EPT_CAP_PAGE_WALK_4 BIT(6)
#define EPT_CAP_MEMTYPE_UC BIT(8)
#define EPT_CAP_MEMTYPE_WB BIT(14)
#define EPT_CAP_2MB_PAGE BIT(16)
#define EPT_CAP_1GB_PAGE BIT(17)
#define EPT_CAP_INVEPT BIT(20)
#define EPT_CAP_AD BIT(21)
#define EPT_CAP_INVEPT_SINGLE_CONTEXT BIT(25)
#define EPT_CAP_INVEPT_ALL_CONTEXT BIT(26)
#define VPID_CAP_INVVPID BIT(32)
#define VPID_CAP_INVVPID_INDIVIDUAL_ADDRESS BIT(40)
#define VPID_CAP_INVVPID_SINGLE_CONTEXT BIT(41)
#define VPID_CAP_INVVPID_ALL_CONTEXT BIT(42)
#define VPID_CAP_INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS BIT(43)

/* Everything read from one CPU. has_* say which optional MSRs existed (reading an absent one #GPs). */
struct vmx_msrs {
	u32 cpuid1_ecx;
	u64 feature_control;
	u64 basic, misc;
	u64 pin, proc, exit, entry;   /* TRUE_* when BASIC[55], else the legacy MSRs */
	u64 proc2;
	u64 ept_vpid;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool has_proc2, has_ept_vpid;
};

/* What to do with IA32_FEATURE_CONTROL. */
enum feature_control_action {
	FC_OK,          /* locked with VMXON outside SMX */
	FC_SET_AND_LOCK, /* unlocked (OVMF leaves it 0): we set bit 2 and lock */
	FC_REFUSE,      /* locked without VMXON outside SMX: firmware disabled VMX */
};

enum feature_control_action vmx_feature_control_action(u64 feature_control);

/* Writes a comma-separated list of the missing features into buf (empty when nothing is missing).
 * Returns true when the CPU can run minihv. */
bool vmx_caps_check(const struct vmx_msrs *m, char *buf, size_t size);

/* Control value from an allowed-0/allowed-1 capability MSR: required bits forced to 1, unsupported cleared. */
static inline u32 vmx_adjust_controls(u64 cap, u32 want)
{
	return (want | (u32)cap) & (u32)(cap >> 32);
}

static inline bool vmx_control_allowed(u64 cap, u32 bits)
{
	return ((u32)(cap >> 32) & bits) == bits;
}

#endif
