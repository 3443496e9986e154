/* CPUID for guests: the boot CPU's values, read once and filtered, so every VP on every CPU sees the
 * same processor; leaves 0x40000000+ belong to hv/. Features minihv does not virtualize are hidden. */
#include "exits.h"
#include "hv.h"
#include "lib.h"
#include "partition.h"
#include "vmcs.h"
#include "x86.h"

#define MAX_BASIC 0x20
#define MAX_SUB 4
#define EXT_BASE 0x80000000u
#define MAX_EXT 9

static struct cpuid_regs basic[MAX_BASIC + 1][MAX_SUB], ext[MAX_EXT];
static u32 max_basic, max_ext;

void vmx_cpuid_init(void)
{
	max_basic = MIN(cpuid(0, 0).eax, (u32)MAX_BASIC);
	for (u32 l = 0; l <= max_basic; l++)
		for (u32 s = 0; s < MAX_SUB; s++)
			basic[l][s] = cpuid(l, s);
	max_ext = MIN(cpuid(EXT_BASE, 0).eax, EXT_BASE + MAX_EXT - 1);
	for (u32 l = EXT_BASE; l <= max_ext; l++)
		ext[l - EXT_BASE] = cpuid(l, 0);
}

/* A partition with the virtual x2APIC (every Linux partition) sees the platform of docs/linux.md, "CPUID". */
static bool has_vapic(struct vp *vp)
{
	return vp->part->cfg && vp->part->cfg->x2apic;
}

static u32 ceil_log2(u32 n)
{
	u32 s = 0;
	while ((1u << s) < n)
		s++;
	return s;
}

static void filter(struct vp *vp, u32 leaf, u32 sub, struct cpuid_regs *r)
{
	switch (leaf) {
	case 0:
		r->eax = max_basic;
		break;
	case 1:
		/* EBX: initial APIC id = VP index, logical processor count = VP count. */
		r->ebx = (r->ebx & 0xffff) | (MIN(vp->part->vp_count, 255u) << 16) | (vp->index << 24);
		r->ecx &= ~(BIT(3) /* MONITOR */ | BIT(5) /* VMX */ | BIT(6) /* SMX */ | BIT(7) /* EIST */ |
			    BIT(8) /* TM2 */ | BIT(18) /* DCA */ | BIT(21) /* x2APIC: only with apic = x2apic */ |
			    BIT(24) /* TSC deadline */ | BIT(26) /* XSAVE */ | BIT(27) /* OSXSAVE */ |
			    BIT(28) /* AVX */ | BIT(12) /* FMA */ | BIT(29) /* F16C */);
		r->ecx |= BIT(31); /* hypervisor present */
		r->edx &= ~(BIT(9) /* APIC */ | BIT(22) /* ACPI thermal */ | BIT(29) /* TM */ | BIT(27) /* SS */);
		if (has_vapic(vp)) {
			/* x2APIC and APIC; no debug store or perfmon capabilities behind PDCM. */
			r->ecx &= ~(BIT(2) /* DTES64 */ | BIT(4) /* DS-CPL */ | BIT(15) /* PDCM */);
			r->ecx |= BIT(21);
			r->edx &= ~BIT(21) /* DS */;
			r->edx |= BIT(9);
		}
		break;
	case 6: /* thermal and power: only ARAT (the APIC timer keeps running in deep C-states) */
		r->eax = has_vapic(vp) ? BIT(2) : 0;
		r->ebx = r->ecx = r->edx = 0;
		break;
	case 5: /* MONITOR/MWAIT */
	case 0xa: /* performance monitoring */
	case 0xd: /* XSAVE */
		r->eax = r->ebx = r->ecx = r->edx = 0;
		break;
	case 7:
		if (sub == 0) {
			/* Keep plain instruction-set extensions; drop what needs XSAVE state or host support. */
			u32 keep_ebx = BIT(0) /* FSGSBASE */ | BIT(3) /* BMI1 */ | BIT(7) /* SMEP */ | BIT(8) /* BMI2 */ |
				       BIT(9) /* ERMS */ | BIT(18) /* RDSEED */ | BIT(19) /* ADX */ | BIT(20) /* SMAP */ |
				       BIT(23) /* CLFLUSHOPT */ | BIT(24) /* CLWB */ | BIT(29) /* SHA */;
			if (vmread(VMCS_SECONDARY_VM_EXEC_CONTROL) & CPU2_ENABLE_INVPCID)
				keep_ebx |= BIT(10);
			r->eax = 0;
			r->ebx &= keep_ebx;
			r->ecx &= BIT(22) /* RDPID */;
			r->edx = 0;
		} else {
			r->eax = r->ebx = r->ecx = r->edx = 0;
		}
		break;
	case 0xb:
	case 0x1f:
		/* One thread per core, one core per VP: x2APIC id = VP index. EAX: how far to shift the id
		 * to get the next level's id (SDM CPUID leaf 0BH). */
		r->eax = sub == 1 ? ceil_log2(vp->part->vp_count) : 0;
		r->ebx = sub == 0 ? 1 : (sub == 1 ? MIN(vp->part->vp_count, 0xffffu) : 0);
		r->ecx = sub < 2 ? (sub | ((sub + 1) << 8)) : sub;
		r->edx = vp->index;
		break;
	case 0x80000007: /* advanced power management: a Linux partition sees the invariant TSC only */
		if (has_vapic(vp)) {
			r->eax = r->ebx = r->ecx = 0;
			r->edx = BIT(8);
		}
		break;
	case 0x80000001:
		if (!(vmread(VMCS_SECONDARY_VM_EXEC_CONTROL) & CPU2_ENABLE_RDTSCP))
			r->edx &= ~BIT(27);
		break;
	}
}

enum exit_action vmx_handle_cpuid(struct vp *vp)
{
	u32 leaf = (u32)vp->regs.rax, sub = (u32)vp->regs.rcx;
	struct cpuid_regs r = { 0, 0, 0, 0 };
	if (leaf >= 0x40000000 && leaf <= 0x4fffffff) {
		u32 out[4] = { 0, 0, 0, 0 };
		hv_cpuid(vp, leaf, sub, out);
		r = (struct cpuid_regs){ out[0], out[1], out[2], out[3] };
	} else if (leaf <= max_basic) {
		r = basic[leaf][sub < MAX_SUB ? sub : MAX_SUB - 1];
		if (sub >= MAX_SUB && (leaf == 4 || leaf == 7 || leaf == 0xb || leaf == 0xd || leaf == 0x1f))
			r = (struct cpuid_regs){ 0, 0, 0, 0 };
		filter(vp, leaf, sub, &r);
	} else if (leaf >= EXT_BASE && leaf <= max_ext) {
		r = ext[leaf - EXT_BASE];
		if (leaf == EXT_BASE)
			r.eax = max_ext;
		filter(vp, leaf, sub, &r);
	}
	vp->regs.rax = r.eax;
	vp->regs.rbx = r.ebx;
	vp->regs.rcx = r.ecx;
	vp->regs.rdx = r.edx;
	vmx_advance_rip();
	return EXIT_CONTINUE;
}
