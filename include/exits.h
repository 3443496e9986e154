/* VM-exit handling (vmx/exit.c and its helpers). */
#ifndef MINIHV_EXITS_H
#define MINIHV_EXITS_H

#include "partition.h"

enum exit_action {
	EXIT_CONTINUE,   /* re-enter the same VP (unless a block reason now holds) */
	EXIT_RESCHEDULE, /* its time slice is over: let the scheduler pick */
};

enum exit_action vmx_handle_exit(struct vp *vp);

/* Helpers for handlers. */
void vmx_advance_rip(void);
void vmx_inject_exception(u8 vector, bool has_error, u32 error_code);
static inline void vmx_inject_ud(void) { vmx_inject_exception(6, false, 0); }
static inline void vmx_inject_gp(void) { vmx_inject_exception(13, true, 0); }
/* Current privilege level and mode of the guest. */
u32 vmx_guest_cpl(void);
bool vmx_guest_protected_mode(void);
bool vmx_guest_64bit(void);

enum exit_action vmx_handle_cpuid(struct vp *vp);
enum exit_action vmx_handle_io(struct vp *vp);
enum exit_action vmx_handle_rdmsr(struct vp *vp);
enum exit_action vmx_handle_wrmsr(struct vp *vp);
/* Host-side CPUID table so every VP sees the same values (vmx/cpuid.c). */
void vmx_cpuid_init(void);

/* Injects pending interrupts or asks for an interrupt window; called right before each VM entry. */
void vmx_prepare_interrupts(struct vp *vp);
enum exit_action vmx_handle_window(struct vp *vp); /* interrupt- and NMI-window exits (vmx/inject.c) */

/* The SDM's name of a basic exit reason, for log lines. */
const char *vmx_exit_name(u32 reason);

#endif
