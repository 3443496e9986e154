/* The management partition's control interface (docs/api.md). */
#include "hv.h"
#include "hv_hypercall.h"

u16 hv_management_call(struct vp *vp, const struct hv_hypercall_input *in, const u64 *q, u32 n, u64 output_gpa,
		       bool *suspended)
{
	(void)vp, (void)in, (void)q, (void)n, (void)output_gpa, (void)suspended;
	return HV_STATUS_INVALID_HYPERCALL_CODE;
}
