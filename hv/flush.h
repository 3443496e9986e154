/* Carrying out TLB flushes on VPs: requests posted to targets, processed by each target's home CPU
 * before its next VM entry, with an IPI and a wait for targets that are in guest mode (hv/flush.c). */
#ifndef MINIHV_FLUSH_H
#define MINIHV_FLUSH_H

#include "hv.h"
#include "hv_hypercall.h"
#include "partition.h"

/* Result of a flush hypercall's execution. */
enum flush_outcome {
	FLUSH_DONE,       /* every target flushed (or will be before it next runs) */
	FLUSH_SUSPENDED,  /* a target is inhibited: the caller is suspended, nothing was flushed */
	FLUSH_STOPPED,    /* a target did not acknowledge in time (hv/wait.h): the caller's partition is stopped */
};

/* Carries out a validated flush request for caller. gva points at the request's GVA list. */
enum flush_outcome hv_flush_execute(struct vp *caller, const struct hv_flush_request *req, const u64 *gva);
/* INVEPT on every VP of p before it next runs, waiting for the running ones (EPT entries removed);
 * p is stopped when one does not acknowledge in time. */
void hv_flush_ept(struct partition *p, struct vp *self);

#endif
