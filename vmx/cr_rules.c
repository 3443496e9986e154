/* Checks on CR0/CR4/EFER writes (vmx/cr_rules.h). Pure logic. */
#include "cr_rules.h"
#include "x86.h"

bool cr0_write_check(const struct cr_state *s, u64 v, u64 *out)
{
	if (v >> 32)
		return false; /* 64-bit mode: bits 63:32 are reserved */
	if ((v & CR0_PG) && !(v & CR0_PE))
		return false;
	if ((v & CR0_NW) && !(v & CR0_CD))
		return false;
	bool pg_on = (v & CR0_PG) && !(s->cr0 & CR0_PG);
	bool pg_off = !(v & CR0_PG) && (s->cr0 & CR0_PG);
	/* Entering IA-32e mode needs PAE paging. */
	if (pg_on && (s->efer & EFER_LME) && !(s->cr4 & CR4_PAE))
		return false;
	/* Leaving IA-32e mode is allowed from compatibility mode only (SDM 9.8.5.4), and not with PCIDs on. */
	if (pg_off && (s->efer & EFER_LMA) && s->cs_l)
		return false;
	if (pg_off && (s->cr4 & CR4_PCIDE))
		return false;
	*out = (v & CR0_DEFINED) | CR0_ET;
	return true;
}

bool cr4_write_check(const struct cr_state *s, u64 v)
{
	if (v & ~s->cr4_allowed)
		return false; /* reserved, not offered, or VMXE (no nested VMX) */
	if ((s->efer & EFER_LMA) && !(v & CR4_PAE))
		return false; /* IA-32e mode cannot drop PAE */
	if ((v & CR4_PCIDE) && !(s->cr4 & CR4_PCIDE) && (!(s->efer & EFER_LMA) || (s->cr3 & 0xfff)))
		return false; /* SDM 4.10.1: PCIDE only in IA-32e mode, with PCID 0 current */
	return true;
}

bool efer_write_check(const struct cr_state *s, u64 v)
{
	if (v & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
		return false;
	if (((v ^ s->efer) & EFER_LME) && (s->cr0 & CR0_PG))
		return false; /* LME changes only with paging off */
	return true;
}

u64 efer_after_cr0(u64 efer, u64 old_cr0, u64 new_cr0)
{
	if ((new_cr0 & CR0_PG) && !(old_cr0 & CR0_PG) && (efer & EFER_LME))
		return efer | EFER_LMA;
	if (!(new_cr0 & CR0_PG))
		return efer & ~EFER_LMA;
	return efer;
}
