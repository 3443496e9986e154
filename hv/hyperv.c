/* The Hyper-V discovery interface minihv offers (TLFS "Feature Discovery", docs/tlfs-cases.md §1): CPUID
 * leaves 0x40000000-0x40000006, the synthetic MSRs, and the hypercall page. Only what is implemented
 * is advertised. */
#include "exits.h"
#include "flush.h"
#include "hv.h"
#include "hyperv_tlfs.h"
#include "lib.h"
#include "log.h"
#include "pmm.h"
#include "timer.h"
#include "vmx.h"
#include "x86.h"

static u64 hypercall_overlay_hpa;

/* The page a guest CALLs: VMCALL; RET (Intel), then INT3 so a stray jump into it traps. */
static bool overlay_init(void)
{
	if (hypercall_overlay_hpa)
		return true;
	u64 pa = pmm_alloc_page();
	if (!pa)
		return false;
	u8 *page = phys_to_virt(pa);
	memset(page, 0xcc, PAGE_SIZE);
	page[0] = 0x0f, page[1] = 0x01, page[2] = 0xc1, page[3] = 0xc3;
	hypercall_overlay_hpa = pa;
	return true;
}

void hv_cpuid(struct vp *vp, u32 leaf, u32 subleaf, u32 r[4])
{
	(void)subleaf;
	bool mgmt = vp->part->role == ROLE_MANAGEMENT;
	u32 enl = vp->part->cfg ? vp->part->cfg->enlightenments : HV_ENL_ALL;
	r[0] = r[1] = r[2] = r[3] = 0;
	switch (leaf) {
	case HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS:
		r[0] = HYPERV_CPUID_HARDWARE_FEATURES;
		r[1] = HYPERV_CPUID_VENDOR_EBX;
		r[2] = HYPERV_CPUID_VENDOR_ECX;
		r[3] = HYPERV_CPUID_VENDOR_EDX;
		break;
	case HYPERV_CPUID_INTERFACE:
		r[0] = HYPERV_CPUID_SIGNATURE_EAX; /* "Hv#1": GUEST_OS_ID, HYPERCALL and VP_INDEX exist */
		break;
	case HYPERV_CPUID_VERSION:
		r[0] = 1;          /* build */
		r[1] = 0x00010000; /* minihv 1.0 */
		break;
	case HYPERV_CPUID_FEATURES:
		/* Each bit only with its enlightenment (config key 'enlightenments'). Never AccessPartitionId
		 * (EBX bit 1): Linux then asks for the partition id and BUG()s when a guest cannot have it. */
		r[0] = HV_MSR_HYPERCALL_AVAILABLE;
		if (enl & HV_ENL_VPINDEX)
			r[0] |= HV_MSR_VP_INDEX_AVAILABLE;
		if (enl & HV_ENL_FREQUENCIES) {
			r[0] |= HV_ACCESS_FREQUENCY_MSRS | HV_ACCESS_TSC_INVARIANT;
			r[3] |= HV_FEATURE_FREQUENCY_MSRS_AVAILABLE;
		}
		/* AccessVpRegisters (Get/SetVpRegisters on other partitions' VPs) belongs to management. */
		r[1] = mgmt ? HV_ACCESS_VP_REGISTERS : 0;
		r[3] |= HV_X64_HYPERCALL_MSR_LOCK_AVAILABLE;
		if (enl & HV_ENL_XMM_INPUT)
			r[3] |= HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE;
		break;
	case HYPERV_CPUID_ENLIGHTMENT_INFO:
		if (enl & HV_ENL_TLBFLUSH)
			r[0] |= HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED;
		if (enl & HV_ENL_TLBFLUSH_EX)
			r[0] |= HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED;
		r[1] = 0xffffffff; /* never retry spinlocks */
		break;
	case HYPERV_CPUID_IMPLEMENT_LIMITS:
		r[0] = MINIHV_MAX_VPS;
		r[1] = MINIHV_MAX_VPS;
		break;
	}
}

/* Maps (or unmaps) the overlay page; RAM below it is hidden while it is there. Caller holds hv_lock. */
static bool hypercall_page_move(struct vp *vp, u64 new_gpa)
{
	struct partition *p = vp->part;
	if (p->hypercall_gpa == new_gpa)
		return true;
	if (p->hypercall_gpa != ~0ull) {
		/* Give the RAM page back (this reduces rights: the old overlay must leave every TLB). */
		ept_map(&p->ept, p->hypercall_gpa, p->ram_hpa + p->hypercall_gpa, PAGE_SIZE, EPT_RWX);
		p->hypercall_gpa = ~0ull;
		hv_flush_ept(p, vp);
	}
	if (new_gpa != ~0ull) {
		gpa_to_hva(p, new_gpa, PAGE_SIZE); /* the RAM chunk it splits is zeroed first (guest_ram.c) */
		if (!overlay_init() || !ept_map(&p->ept, new_gpa, hypercall_overlay_hpa, PAGE_SIZE, EPT_READ | EPT_EXEC))
			return false;
		p->hypercall_gpa = new_gpa;
		hv_flush_ept(p, vp);
	}
	return true;
}

/* Whether the partition was offered enlightenment e (an MSR of one it was not offered raises #GP). */
static bool offered(struct vp *vp, u32 e)
{
	return (vp->part->cfg ? vp->part->cfg->enlightenments : HV_ENL_ALL) & e;
}

bool hv_rdmsr(struct vp *vp, u32 msr, u64 *value, bool *fault)
{
	struct partition *p = vp->part;
	switch (msr) {
	case HV_X64_MSR_VP_ASSIST_PAGE:
		*value = vp->vp_assist_msr;
		return true;
	case HV_X64_MSR_TSC_INVARIANT_CONTROL:
		if (!offered(vp, HV_ENL_FREQUENCIES))
			return false;
		*value = p->tsc_invariant_control;
		return true;
	case HV_X64_MSR_GUEST_OS_ID:
		*value = p->guest_os_id;
		return true;
	case HV_X64_MSR_HYPERCALL:
		*value = p->hypercall_msr;
		return true;
	case HV_X64_MSR_VP_INDEX:
		if (!offered(vp, HV_ENL_VPINDEX))
			return false;
		*value = hv_vp_index_of(&p->vp_map, vp->index);
		return true;
	case HV_X64_MSR_TSC_FREQUENCY:
		if (!offered(vp, HV_ENL_FREQUENCIES))
			return false;
		*value = tsc_khz * 1000; /* measured at boot: right under Bochs too, where CPUID.16h is not */
		return true;
	case HV_X64_MSR_APIC_FREQUENCY:
		if (!offered(vp, HV_ENL_FREQUENCIES))
			return false;
		*value = tsc_khz * 1000; /* the virtual APIC timer counts at the TSC rate (vdev/vlapic.c) */
		return true;
	}
	(void)fault;
	return false;
}

bool hv_wrmsr(struct vp *vp, u32 msr, u64 v, bool *fault)
{
	struct partition *p = vp->part;
	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
		spin_lock(&p->hv_lock);
		p->guest_os_id = v;
		if (!v && (p->hypercall_msr & HV_X64_MSR_HYPERCALL_ENABLE)) {
			/* TLFS: writing 0 to the guest OS ID disables the hypercall page. */
			p->hypercall_msr &= ~HV_X64_MSR_HYPERCALL_ENABLE;
			hypercall_page_move(vp, ~0ull);
		}
		spin_unlock(&p->hv_lock);
		return true;
	case HV_X64_MSR_HYPERCALL: {
		u64 gpa = v & HV_X64_MSR_HYPERCALL_PAGE_ADDRESS_MASK;
		spin_lock(&p->hv_lock);
		if (p->hypercall_msr & HV_X64_MSR_HYPERCALL_LOCKED) {
			spin_unlock(&p->hv_lock); /* TLFS: only a reset clears Locked; the write has no effect */
			return true;
		}
		if (gpa >= p->ram_size) {
			spin_unlock(&p->hv_lock);
			*fault = true; /* TLFS: a GPA beyond the partition's GPA space → #GP */
			return true;
		}
		/* TLFS: Enable stays 0 until the guest has identified itself. */
		if (!p->guest_os_id)
			v &= ~HV_X64_MSR_HYPERCALL_ENABLE;
		v &= ~HV_X64_MSR_HYPERCALL_RSVDP_MASK;
		if (!hypercall_page_move(vp, (v & HV_X64_MSR_HYPERCALL_ENABLE) ? gpa : ~0ull)) {
			spin_unlock(&p->hv_lock);
			*fault = true;
			return true;
		}
		p->hypercall_msr = v;
		spin_unlock(&p->hv_lock);
		return true;
	}
	case HV_X64_MSR_VP_ASSIST_PAGE:
		/* Stored, not acted on: no VP assist features are advertised, but Linux writes it anyway. */
		vp->vp_assist_msr = v;
		return true;
	case HV_X64_MSR_TSC_INVARIANT_CONTROL:
		if (!offered(vp, HV_ENL_FREQUENCIES))
			return false;
		if (v & ~1ull) {
			*fault = true;
			return true;
		}
		p->tsc_invariant_control = v; /* minihv never migrates: the TSC is invariant either way */
		return true;
	case HV_X64_MSR_VP_INDEX:
	case HV_X64_MSR_TSC_FREQUENCY:
	case HV_X64_MSR_APIC_FREQUENCY:
		*fault = true; /* read-only for the guest */
		return true;
	}
	return false;
}

const void *hv_guest_read_view(struct partition *p, u64 gpa, u64 len)
{
	/* A hypercall input list must come from what the guest sees at its GPA: on the hypercall page
	 * that is the overlay, not the RAM it hides. Read once: another VP may move the page meanwhile,
	 * and either answer is one the guest could have seen (the overlay page itself never goes away). */
	u64 page = __atomic_load_n(&p->hypercall_gpa, __ATOMIC_ACQUIRE);
	if (page != ~0ull && ALIGN_DOWN(gpa, PAGE_SIZE) == page && (gpa & (PAGE_SIZE - 1)) + len <= PAGE_SIZE)
		return (const u8 *)phys_to_virt(hypercall_overlay_hpa) + (gpa & (PAGE_SIZE - 1));
	return gpa_to_hva(p, gpa, len);
}

bool hv_ept_violation(struct vp *vp, u64 gpa, u64 qual)
{
	struct partition *p = vp->part;
	if (p->hypercall_gpa != ~0ull && ALIGN_DOWN(gpa, PAGE_SIZE) == p->hypercall_gpa && (qual & 2)) {
		/* TLFS: the hypercall page is an overlay the guest may read and execute; writes → #GP. */
		vmx_inject_gp();
		return true;
	}
	return guest_ram_fault(p, gpa);
}
