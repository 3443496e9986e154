/* Every call vmx/ makes into hv/: the exits that hv/ answers (Hyper-V interface, EPT overlay), the work
 * a VP's home CPU does for hv/ before each entry, and the run-state changes an exit causes. hv/ uses from
 * vmx/ only the exit helpers in exits.h (vmx_inject_exception, vmx_guest_64bit), vmx_caps and the
 * INVVPID/INVEPT wrappers of vmx.h. Calls into the emulated devices are in vdev/ (vuart.h, vlapic.h). */
#ifndef MINIHV_HV_H
#define MINIHV_HV_H

#include "partition.h"

/* VMCALL from a guest at CPL0 in protected mode. Returns true when RIP must be advanced past the
 * VMCALL (false: the call is re-executed, e.g. a suspended flush). */
bool hv_hypercall(struct vp *vp);
/* CPUID leaves 0x40000000-0x4fffffff. */
void hv_cpuid(struct vp *vp, u32 leaf, u32 subleaf, u32 regs[4]);
/* Synthetic MSRs. Return false when the MSR is not one of hv's (the caller then decides). */
bool hv_rdmsr(struct vp *vp, u32 msr, u64 *value, bool *fault);
bool hv_wrmsr(struct vp *vp, u32 msr, u64 value, bool *fault);
/* EPT violation hook: true when hv/ handled it (e.g. a write to the hypercall overlay page). */
bool hv_ept_violation(struct vp *vp, u64 gpa, u64 qualification);
/* The management partition's calls (hv/mgmt.c), after the generic decode and input fetch. q holds the
 * input block (n qwords); input_gpa/output_gpa are the caller's GPAs; *reps gets the reps completed. */
struct hv_hypercall_input;
u16 hv_management_call(struct vp *vp, const struct hv_hypercall_input *in, const u64 *q, u32 n, u64 input_gpa,
		       u64 output_gpa, u16 *reps, bool *suspended);
/* Emulated devices: vdev/vuart.h (COM1), vdev/vpic.h (8259 pair), vdev/legacy_io.h (other ports). */
/* HvCallTranslateVirtualAddress(Ex) (hv/translate.c), from hv_management_call. */
u16 hv_translate_virtual_address(struct vp *vp, const struct hv_hypercall_input *in, const u64 *q, u64 output_gpa);
/* Resolves a (partition, VP) target in a guest partition (hv/mgmt.c): INVALID_PARTITION_ID, INVALID_VP_INDEX. */
u16 mgmt_target_vp(u64 pid, u32 vpi, struct vp **out);
/* Carries out the flush requests posted to vp (INVVPID/INVEPT, hv/flush.c). Runs on its home CPU with
 * its VMCS loaded, before each VM entry. */
void hv_flush_process(struct vp *vp);

/* Run state (hv/vp.c, hv/partition.c). */
/* HLT with interrupts on: blocks vp until an interrupt is queued for it. */
void vp_halt(struct vp *vp, u64 rip);
/* Before entering a VP that left by HLT: false when no event it takes is pending any more (an ExtINT
 * request may have gone away since it was woken), and it halted again. */
bool vp_halt_ends(struct vp *vp);
/* Ends a VP for good (MINIHV_CALL_EXIT, HLT with interrupts off). */
void vp_end(struct vp *vp, int status);
/* Stops every VP of p with one log line naming the culprit VP and why. */
void partition_stop(struct partition *p, struct vp *culprit, const char *why, ...)
	__attribute__((format(printf, 3, 4)));

#endif
