/* Building a VP's VMCS (vmx/vmcs.c) and the shared bitmaps it points at. */
#ifndef MINIHV_VMCS_H
#define MINIHV_VMCS_H

#include "partition.h"

/* Allocates the MSR and I/O bitmaps and computes the control values from the capability MSRs.
 * Called once on the boot CPU; returns false (with a logged reason) when a required control is missing. */
bool vmcs_global_init(void);
/* Creates and loads the VMCS of vp on the calling CPU (its home), guest state at the ABI entry state. */
bool vmcs_setup(struct vp *vp, u64 entry_rip, u64 entry_rsp, u64 entry_rdi);
/* Saves the loaded VMCS's paging state (CR0, CR3, CR4, EFER, PAT, SS.DPL) into *s. */
void vmcs_save_paging_state(struct gva_paging_state *s);
/* Resets the guest state of vp (its VMCS current) to the INIT state, started by a SIPI with vector. */
bool vmcs_init_state(struct vp *vp, u8 vector);
/* Logs the fields that explain a failed VM entry. */
void vmcs_dump(struct vp *vp);

/* MSR bitmap helpers: the bitmap intercepts everything except what vmcs_global_init lets through. */
void msr_bitmap_passthrough(u32 msr, bool read, bool write);

/* Control values chosen at init; vmx/exit.c toggles interrupt-window exiting. */
extern u32 vmcs_proc_ctls;
extern u64 vmx_preemption_rate; /* the timer counts down once every 2^rate TSC ticks */
extern bool vmx_nmi_window;     /* virtual NMIs and NMI-window exiting are on */
extern u64 vmx_cr4_allowed;     /* CR4 bits a guest may set (vmx/cr_rules.c checks against it) */

#endif
