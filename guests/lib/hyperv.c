/* Hyper-V enlightenments for test guests: discovery and the hypercall page as a Linux guest sets them up
 * (TLFS "Feature Discovery", "Establishing the Hypercall Interface"; Linux hv_init.c / mshyperv.c), and the
 * four remote-TLB-flush calls in memory, fast and XMM fast form (Linux arch/x86/hyperv/mmu.c), issued
 * through the page by hypercall.c's wrappers. */
#include "guest.h"

#define HV_PROBE_CODE 0x0000 /* no TLFS call has code 0: a working page answers INVALID_HYPERCALL_CODE */

static struct hv_features features;
static void *input_pages[MINIHV_MAX_VPS];
static volatile u32 hv_state;           /* 0 not started, 1 in progress, 2 ready, 3 failed */
volatile u64 hv_flush_reissues;

const char *hv_status_name(u16 status)
{
	switch (status) {
	case HV_STATUS_SUCCESS: return "SUCCESS";
	case HV_STATUS_INVALID_HYPERCALL_CODE: return "INVALID_HYPERCALL_CODE";
	case HV_STATUS_INVALID_HYPERCALL_INPUT: return "INVALID_HYPERCALL_INPUT";
	case HV_STATUS_INVALID_ALIGNMENT: return "INVALID_ALIGNMENT";
	case HV_STATUS_INVALID_PARAMETER: return "INVALID_PARAMETER";
	case HV_STATUS_ACCESS_DENIED: return "ACCESS_DENIED";
	case HV_STATUS_INVALID_PARTITION_STATE: return "INVALID_PARTITION_STATE";
	case HV_STATUS_OPERATION_DENIED: return "OPERATION_DENIED";
	case HV_STATUS_INSUFFICIENT_MEMORY: return "INSUFFICIENT_MEMORY";
	case HV_STATUS_INVALID_PARTITION_ID: return "INVALID_PARTITION_ID";
	case HV_STATUS_INVALID_VP_INDEX: return "INVALID_VP_INDEX";
	case HV_STATUS_INSUFFICIENT_BUFFERS: return "INSUFFICIENT_BUFFERS";
	case HV_STATUS_INVALID_VP_STATE: return "INVALID_VP_STATE";
	default: return "unknown status";
	}
}

/* ---- setup ---- */

static char setup_msg[160];

/* Returns NULL on success, else what failed. Runs on one VP. */
static const char *setup(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	if (!(r.ecx & BIT(31)))
		return "CPUID.1:ECX[31] (hypervisor present) is clear";

	r = cpuid(HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS, 0);
	if (r.ebx != HYPERV_CPUID_VENDOR_EBX || r.ecx != HYPERV_CPUID_VENDOR_ECX || r.edx != HYPERV_CPUID_VENDOR_EDX) {
		char vendor[13];
		memcpy(vendor, &r.ebx, 4);
		memcpy(vendor + 4, &r.ecx, 4);
		memcpy(vendor + 8, &r.edx, 4);
		vendor[12] = 0;
		snprintf(setup_msg, sizeof(setup_msg), "CPUID 0x40000000 vendor is \"%s\", not \"Microsoft Hv\"", vendor);
		return setup_msg;
	}
	if (r.eax < HYPERV_CPUID_MIN || r.eax > HYPERV_CPUID_MAX) {
		snprintf(setup_msg, sizeof(setup_msg), "CPUID 0x40000000 EAX (max leaf) = 0x%x, outside [0x%x, 0x%x]",
			 r.eax, HYPERV_CPUID_MIN, HYPERV_CPUID_MAX);
		return setup_msg;
	}
	features.max_leaf = r.eax;

	r = cpuid(HYPERV_CPUID_INTERFACE, 0);
	if (r.eax != HYPERV_CPUID_SIGNATURE_EAX) {
		snprintf(setup_msg, sizeof(setup_msg), "CPUID 0x40000001 EAX = 0x%x, not \"Hv#1\" (0x%x)", r.eax,
			 HYPERV_CPUID_SIGNATURE_EAX);
		return setup_msg;
	}

	r = cpuid(HYPERV_CPUID_FEATURES, 0);
	features.privileges_lo = r.eax;
	features.privileges_hi = r.ebx;
	features.features = r.edx;
	/* Linux's ms_hyperv_platform() needs both, or it does not use Hyper-V at all. */
	if ((r.eax & (HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_VP_INDEX_AVAILABLE)) !=
	    (HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_VP_INDEX_AVAILABLE)) {
		snprintf(setup_msg, sizeof(setup_msg),
			 "CPUID 0x40000003 EAX = 0x%x lacks AccessHypercallMsrs (bit 5) or AccessVpIndex (bit 6)", r.eax);
		return setup_msg;
	}

	r = cpuid(HYPERV_CPUID_ENLIGHTMENT_INFO, 0);
	features.recommendations = r.eax;
	/* Linux uses the flush hypercalls only with this recommendation. */
	if (!(r.eax & HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED)) {
		snprintf(setup_msg, sizeof(setup_msg),
			 "CPUID 0x40000004 EAX = 0x%x lacks HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED (bit 2)", r.eax);
		return setup_msg;
	}

	r = cpuid(HYPERV_CPUID_IMPLEMENT_LIMITS, 0);
	features.max_vps = r.eax;
	if (r.eax < vp_count()) {
		snprintf(setup_msg, sizeof(setup_msg), "CPUID 0x40000005 EAX (max VPs) = %u, below this partition's %u VPs",
			 r.eax, vp_count());
		return setup_msg;
	}

	/* TLFS: the guest identifies itself before it enables the hypercall page. */
	if (rdmsr(HV_X64_MSR_GUEST_OS_ID) != HV_GUEST_OS_ID_LINUX)
		wrmsr(HV_X64_MSR_GUEST_OS_ID, HV_GUEST_OS_ID_LINUX);
	features.guest_os_id = rdmsr(HV_X64_MSR_GUEST_OS_ID);
	if (features.guest_os_id != HV_GUEST_OS_ID_LINUX) {
		snprintf(setup_msg, sizeof(setup_msg), "HV_X64_MSR_GUEST_OS_ID reads 0x%lx after writing 0x%llx",
			 features.guest_os_id, HV_GUEST_OS_ID_LINUX);
		return setup_msg;
	}

	/* TLFS: if the page is already enabled, use it where it is. */
	u64 msr = rdmsr(HV_X64_MSR_HYPERCALL);
	u64 gpa = msr & HV_X64_MSR_HYPERCALL_PAGE_ADDRESS_MASK;
	if (!(msr & HV_X64_MSR_HYPERCALL_ENABLE)) {
		void *page = page_alloc(1);
		if (!page)
			return "no free page for the hypercall page";
		gpa = (u64)(uintptr_t)page;
		wrmsr(HV_X64_MSR_HYPERCALL, gpa | HV_X64_MSR_HYPERCALL_ENABLE);
		msr = rdmsr(HV_X64_MSR_HYPERCALL);
		if (!(msr & HV_X64_MSR_HYPERCALL_ENABLE) || (msr & HV_X64_MSR_HYPERCALL_PAGE_ADDRESS_MASK) != gpa) {
			snprintf(setup_msg, sizeof(setup_msg),
				 "HV_X64_MSR_HYPERCALL reads 0x%lx after writing 0x%lx (enable at GPA 0x%lx)", msr,
				 (u64)(gpa | HV_X64_MSR_HYPERCALL_ENABLE), gpa);
			return setup_msg;
		}
	}
	features.hypercall_gpa = gpa;
	hv_hypercall_page = (void *)(uintptr_t)gpa;

	u64 rax = hv_do_fast_hypercall(HV_PROBE_CODE, 0, 0);
	if (HV_HYPERCALL_STATUS(rax) != HV_STATUS_INVALID_HYPERCALL_CODE) {
		snprintf(setup_msg, sizeof(setup_msg),
			 "a call of code 0 through the hypercall page returned RAX 0x%lx, not INVALID_HYPERCALL_CODE", rax);
		return setup_msg;
	}

	for (u32 i = 0; i < vp_count() && i < MINIHV_MAX_VPS; i++) {
		input_pages[i] = page_alloc(1);
		if (!input_pages[i])
			return "no free pages for the per-VP hypercall input pages";
	}
	return NULL;
}

const struct hv_features *hv_setup(void)
{
	if (atomic_cas_u32(&hv_state, 0, 1)) {
		const char *why = setup();
		if (why) {
			atomic_store_u32(&hv_state, 3);
			guest_fail("hv_setup: %s", why);
		}
		atomic_store_u32(&hv_state, 2);
	}
	u32 s;
	while ((s = atomic_load_u32(&hv_state)) == 1)
		cpu_relax();
	if (s != 2)
		guest_fail("hv_setup failed on another VP");
	return &features;
}

const struct hv_features *hv_features(void)
{
	return atomic_load_u32(&hv_state) == 2 ? &features : NULL;
}

u32 hv_vp_index(void)
{
	return (u32)rdmsr(HV_X64_MSR_VP_INDEX);
}

void *hv_input_page(void)
{
	void *p = input_pages[this_vp()];
	if (!p)
		guest_fail("hyperv: no input page for vp %u (call hv_setup() first)", this_vp());
	return p;
}

/* ---- VP sets ---- */

void hv_vpset_all(struct hv_vpset *set)
{
	set->format = HV_GENERIC_SET_ALL;
	set->valid_bank_mask = 0;
}

void hv_vpset_sparse(struct hv_vpset *set, const u32 *vps, u32 count)
{
	u64 banks[HV_MAX_SPARSE_VCPU_BANKS];
	memset(banks, 0, sizeof(banks));
	u64 valid = 0;
	for (u32 i = 0; i < count; i++) {
		u32 bank = vps[i] / HV_VCPUS_PER_SPARSE_BANK;
		if (bank >= HV_MAX_SPARSE_VCPU_BANKS)
			guest_fail("hv_vpset_sparse: VP %u is beyond the 64 banks of an HV_VP_SET", vps[i]);
		banks[bank] |= BIT(vps[i] % HV_VCPUS_PER_SPARSE_BANK);
		valid |= BIT(bank);
	}
	/* TLFS HV_VP_SET: one BankContents element per set bit of ValidBanksMask, ascending. */
	set->format = HV_GENERIC_SET_SPARSE_4K;
	set->valid_bank_mask = valid;
	u32 n = 0;
	for (u32 b = 0; b < HV_MAX_SPARSE_VCPU_BANKS; b++)
		if (valid & BIT(b))
			set->bank_contents[n++] = banks[b];
}

u32 hv_vpset_banks(const struct hv_vpset *set)
{
	if (set->format != HV_GENERIC_SET_SPARSE_4K)
		return 0;
	u32 n = 0;
	for (u64 m = set->valid_bank_mask; m; m &= m - 1) /* no libgcc __popcountdi2 in guests */
		n++;
	return n;
}

/* ---- the flush calls ---- */

/* Sends the input block q[0..n) in the chosen form. q is the calling VP's input page. */
static u64 issue(enum hv_form form, u64 control, const u64 *q, u32 n)
{
	if (form == HV_FORM_MEMORY)
		return hv_do_hypercall(control, (u64)(uintptr_t)q, 0);
	if (n > 2 + 2 * HV_HYPERCALL_MAX_XMM_REGISTERS)
		guest_fail("hyperv: a %u-qword input does not fit the fast form's RDX, R8 and XMM0-XMM5", n);
	u64 x[2 * HV_HYPERCALL_MAX_XMM_REGISTERS];
	if (form == HV_FORM_FAST)
		xmm_save(x); /* registers the input does not reach keep what they held */
	else
		memset(x, 0, sizeof(x));
	for (u32 i = 2; i < n; i++)
		x[i - 2] = q[i];
	return hv_do_xmm_fast_hypercall(control, n > 0 ? q[0] : 0, n > 1 ? q[1] : 0, x);
}

/* Issues a call and, for a rep call, re-issues it from the reps completed while it makes progress
 * (Linux hv_do_rep_hypercall). */
static u64 call(enum hv_form form, u16 code, u32 var_header, u32 reps, const u64 *q, u32 n)
{
	u64 control = hv_control(code, var_header, reps);
	u32 start = 0;
	for (;;) {
		u64 rax = issue(form, control, q, n);
		if (!reps || HV_HYPERCALL_STATUS(rax) != HV_STATUS_SUCCESS)
			return rax;
		u32 done = HV_REPS_COMPLETED(rax);
		if (done >= reps || done <= start)
			return rax; /* finished, or no progress: the caller sees the RAX */
		start = done;
		hv_flush_reissues++;
		control = (control & ~HV_HYPERCALL_REP_START_MASK) | ((u64)start << HV_HYPERCALL_REP_START_OFFSET);
	}
}

static u64 *flush_header(u64 address_space, u64 flags)
{
	u64 *q = hv_input_page();
	q[0] = address_space;
	q[1] = flags;
	return q;
}

static void check_room(u32 n)
{
	if (n * 8 > PAGE_SIZE)
		guest_fail("hyperv: a %u-byte flush input does not fit the 4 KiB input page", n * 8);
}

u64 hv_flush_virtual_address_space(enum hv_form form, u64 address_space, u64 flags, u64 processor_mask)
{
	u64 *q = flush_header(address_space, flags);
	q[2] = processor_mask;
	return call(form, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0, 0, q, 3);
}

u64 hv_flush_virtual_address_list(enum hv_form form, u64 address_space, u64 flags, u64 processor_mask,
				  const u64 *gva_list, u32 count)
{
	check_room(3 + count);
	u64 *q = flush_header(address_space, flags);
	q[2] = processor_mask;
	memcpy(&q[3], gva_list, count * sizeof(u64));
	return call(form, HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, count, q, 3 + count);
}

/* Ex header: AddressSpace, Flags, Format, ValidBanksMask, then the banks (the variable header). */
static u32 put_vpset(u64 *q, const struct hv_vpset *set)
{
	u32 banks = hv_vpset_banks(set);
	q[2] = set->format;
	q[3] = set->valid_bank_mask;
	memcpy(&q[4], set->bank_contents, banks * sizeof(u64));
	return banks;
}

u64 hv_flush_virtual_address_space_ex(enum hv_form form, u64 address_space, u64 flags, const struct hv_vpset *set)
{
	u64 *q = flush_header(address_space, flags);
	u32 banks = put_vpset(q, set);
	return call(form, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, banks, 0, q, 4 + banks);
}

u64 hv_flush_virtual_address_list_ex(enum hv_form form, u64 address_space, u64 flags, const struct hv_vpset *set,
				     const u64 *gva_list, u32 count)
{
	u64 *q = flush_header(address_space, flags);
	u32 banks = hv_vpset_banks(set);
	check_room(4 + banks + count);
	put_vpset(q, set);
	/* TLFS: rep elements follow the fixed and the variable header. */
	memcpy(&q[4 + banks], gva_list, count * sizeof(u64));
	return call(form, HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, banks, count, q, 4 + banks + count);
}
