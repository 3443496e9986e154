/* The seams between vmx/ (exits) and hv/ (Hyper-V interface, partitions, devices). */
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
/* Work a VP must do before it next enters guest mode (pending flushes and the like). Runs on its
 * home CPU with its VMCS loaded. */
void hv_before_entry(struct vp *vp);
/* len bytes at gpa as the partition's guests read them (the hypercall overlay where it is mapped, RAM
 * elsewhere), or NULL outside its RAM. For hypercall input lists; len must not cross a page. */
const void *hv_guest_read_view(struct partition *p, u64 gpa, u64 len);
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

#endif
