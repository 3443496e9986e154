/* The hardware side of hv/tlb_ops.h: INVVPID and INVEPT on this CPU. */
#include "../hv/tlb_ops.h"
#include "vmx.h"

void tlb_invvpid(u64 type, u16 vpid, u64 gva)
{
	invvpid(type, vpid, gva);
}

void tlb_invept(u64 type, u64 eptp)
{
	invept(type, eptp);
}
