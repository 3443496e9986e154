/* VMCALL dispatch. minihv's own calls (include/minihv_abi.h) live here; the Hyper-V calls join them. */
#include "hv.h"
#include "lib.h"
#include "log.h"
#include "minihv_abi.h"

#define HV_STATUS_SUCCESS 0x0000
#define HV_STATUS_INVALID_HYPERCALL_CODE 0x0002
#define HV_STATUS_INVALID_PARAMETER 0x0005

static u64 minihv_send_ipi(struct vp *vp)
{
	u64 target = vp->regs.rdx, vector = vp->regs.r8;
	if (target >= vp->part->vp_count || vector < 32 || vector > 255)
		return HV_STATUS_INVALID_PARAMETER;
	vp_queue_interrupt(vp->part->vps[target], (u8)vector);
	return HV_STATUS_SUCCESS;
}

bool hv_hypercall(struct vp *vp)
{
	u64 input = vp->regs.rcx;
	u16 code = (u16)input;
	vp->count.hypercalls++;
	switch (code) {
	case MINIHV_CALL_EXIT:
		vp_end(vp, (int)vp->regs.rdx);
		return true;
	case MINIHV_CALL_SEND_IPI:
		vp->regs.rax = minihv_send_ipi(vp);
		return true;
	default:
		vp->regs.rax = HV_STATUS_INVALID_HYPERCALL_CODE;
		return true;
	}
}

void hv_cpuid(struct vp *vp, u32 leaf, u32 subleaf, u32 regs[4])
{
	(void)vp;
	(void)subleaf;
	(void)leaf;
	regs[0] = regs[1] = regs[2] = regs[3] = 0;
}

bool hv_rdmsr(struct vp *vp, u32 msr, u64 *value, bool *fault)
{
	(void)vp, (void)msr, (void)value, (void)fault;
	return false;
}

bool hv_wrmsr(struct vp *vp, u32 msr, u64 value, bool *fault)
{
	(void)vp, (void)msr, (void)value, (void)fault;
	return false;
}

void hv_before_entry(struct vp *vp)
{
	(void)vp;
}
