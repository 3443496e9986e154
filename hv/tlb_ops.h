/* The two TLB-invalidating instructions the flush path executes (hv/flush.c), behind a seam: the
 * hypervisor's definitions (vmx/tlb_ops.c) execute INVVPID and INVEPT on the calling CPU; the host TLB
 * model (tests/unit/test_tlb_model.c, docs/tlb-model.md) links the same flush code against a model of
 * a VPID-tagged TLB instead. Types: INVVPID_* and INVEPT_* in vmx.h (SDM Vol. 3, "INVVPID", "INVEPT"). */
#ifndef MINIHV_TLB_OPS_H
#define MINIHV_TLB_OPS_H

#include "types.h"

void tlb_invvpid(u64 type, u16 vpid, u64 gva);
void tlb_invept(u64 type, u64 eptp);

#endif
