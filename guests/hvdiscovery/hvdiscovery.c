/*
 * hvdiscovery: the discovery and hypercall-page cases A1-A10 of docs/tlfs-cases.md §8, as a guest sees them.
 * VP 0 runs A1-A9 in order (A3 needs a partition that has not enabled anything yet, A7 last among the
 * HYPERCALL MSR cases because only a reset clears Locked); every VP takes part in A10. Prints
 * "PASS A<n> ..." per case and exits 0, or "FAIL: A<n> ..." lines and exits 1.
 */
#include "guest.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA (0x18 | 3)
#define SEL_UCODE (0x20 | 3)
#define SEL_TSS 0x28
#define USER_CODE 0x0000700000000000ull /* its own PML4 slot, so every level can carry PTE_U */
#define USER_STACK (USER_CODE + 0x10000)
#define NO_FAULT 0xffu
#define RAM_PATTERN 0x5a
#define UNKNOWN_CODE 0x0102 /* no TLFS or minihv call: a working page answers INVALID_HYPERCALL_CODE */

static u32 failures;
static struct vp_barrier all_vps;
static volatile u32 vp_index_of[MINIHV_MAX_VPS];
static volatile u32 vp_index_write_vector[MINIHV_MAX_VPS];

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	guest_vline("FAIL: ", fmt, ap);
	va_end(ap);
	failures++;
}

#define CHECK(cond, ...)                  \
	do {                              \
		if (!(cond)) {            \
			fail(__VA_ARGS__); \
			ok = false;       \
		}                         \
	} while (0)

/* ---- expected faults: the handler resumes at the per-VP fixup address and records the vector ---- */

static volatile u64 fixup_rip[MINIHV_MAX_VPS];
static volatile u64 fault_vector[MINIHV_MAX_VPS];
static volatile u64 fault_rip[MINIHV_MAX_VPS];
static u64 ring3_rsp; /* the kernel RSP to return to from ring 3 */
extern char ring3_return[];

static void on_fault(struct irq_frame *f)
{
	u32 me = this_vp();
	if ((f->cs & 3) == 3) {
		/* From ring 3 (A9): back to ring 0 where enter_ring3() left off, on its stack. */
		fault_vector[me] = f->vector;
		fault_rip[me] = f->rip;
		f->rip = (u64)(uintptr_t)ring3_return;
		f->cs = SEL_KCODE;
		f->ss = SEL_KDATA;
		f->rsp = ring3_rsp;
		f->rflags = 0x2;
		return;
	}
	if (!fixup_rip[me]) {
		printf("FAIL: hvdiscovery: unexpected exception %lu at rip 0x%lx (error code 0x%lx) on vp %u\n", f->vector,
		       f->rip, f->error_code, me);
		guest_exit(1);
	}
	fault_vector[me] = f->vector;
	fault_rip[me] = f->rip;
	f->rip = fixup_rip[me];
	fixup_rip[me] = 0;
}

/* Each returns the vector of the fault it raised, or NO_FAULT. */
static u32 wrmsr_safe(u32 msr, u64 v)
{
	u32 me = this_vp();
	fault_vector[me] = NO_FAULT;
	__asm__ volatile("leaq 1f(%%rip), %%r11\n\t"
			 "movq %%r11, %[fx]\n\t"
			 "wrmsr\n"
			 "1:\n\t"
			 "movq $0, %[fx]"
			 : [fx] "+m"(fixup_rip[me])
			 : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
			 : "r11", "memory");
	return (u32)fault_vector[me];
}

static u32 write8_safe(volatile u8 *p, u8 v)
{
	u32 me = this_vp();
	fault_vector[me] = NO_FAULT;
	__asm__ volatile("leaq 1f(%%rip), %%r11\n\t"
			 "movq %%r11, %[fx]\n\t"
			 "movb %[v], (%[p])\n"
			 "1:\n\t"
			 "movq $0, %[fx]"
			 : [fx] "+m"(fixup_rip[me])
			 : [p] "r"(p), [v] "q"(v)
			 : "r11", "memory");
	return (u32)fault_vector[me];
}

static const char *vector_name(u32 v)
{
	switch (v) {
	case NO_FAULT: return "no fault";
	case 6: return "#UD";
	case 13: return "#GP";
	case 14: return "#PF";
	default: return "another exception";
	}
}

/* ---- A1, A2: CPUID ---- */

static void a1_cpuid(void)
{
	bool ok = true;
	struct cpuid_regs r = cpuid(1, 0);
	CHECK(r.ecx & BIT(31), "A1: CPUID.1:ECX[31] (hypervisor present) is clear (ECX 0x%x)", r.ecx);
	r = cpuid(HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS, 0);
	CHECK(r.eax >= HYPERV_CPUID_MIN && r.eax <= HYPERV_CPUID_MAX, "A1: CPUID 0x40000000 EAX = 0x%x, not in [0x%x, 0x%x]",
	      r.eax, HYPERV_CPUID_MIN, HYPERV_CPUID_MAX);
	CHECK(r.ebx == HYPERV_CPUID_VENDOR_EBX && r.ecx == HYPERV_CPUID_VENDOR_ECX && r.edx == HYPERV_CPUID_VENDOR_EDX,
	      "A1: CPUID 0x40000000 EBX/ECX/EDX = 0x%x/0x%x/0x%x, not \"Microsoft Hv\"", r.ebx, r.ecx, r.edx);
	u32 max = r.eax;
	r = cpuid(HYPERV_CPUID_INTERFACE, 0);
	CHECK(r.eax == HYPERV_CPUID_SIGNATURE_EAX, "A1: CPUID 0x40000001 EAX = 0x%x, not \"Hv#1\"", r.eax);
	if (ok)
		guest_pass("A1 CPUID: hypervisor bit, \"Microsoft Hv\" with max leaf 0x%x, \"Hv#1\"", max);
}

static void a2_features(void)
{
	bool ok = true;
	struct cpuid_regs f = cpuid(HYPERV_CPUID_FEATURES, 0), e = cpuid(HYPERV_CPUID_ENLIGHTMENT_INFO, 0);
	CHECK((f.eax & HV_MSR_HYPERCALL_AVAILABLE) && (f.eax & HV_MSR_VP_INDEX_AVAILABLE),
	      "A2: CPUID 0x40000003 EAX = 0x%x lacks bit 5 or bit 6", f.eax);
	CHECK(!(f.ebx & HV_ACCESS_PARTITION_ID), "A2: AccessPartitionId is advertised (Linux would call "
	      "HvCallGetPartitionId, which minihv does not implement)");
	CHECK(e.eax & HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED, "A2: CPUID 0x40000004 EAX = 0x%x lacks bit 2", e.eax);
	CHECK(!(f.edx & HV_FEATURE_EXT_GVA_RANGES_FLUSH), "A2: EDX bit 14 (extended GVA ranges) is advertised");
	/* "bit 11 iff Ex is implemented", "EDX bit 4 iff XMM input is implemented": the calls must work. */
	struct hv_vpset all;
	hv_vpset_all(&all);
	u64 rax = hv_flush_virtual_address_space_ex(HV_FORM_MEMORY, 0, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, &all);
	bool ex_works = HV_HYPERCALL_STATUS(rax) == HV_STATUS_SUCCESS;
	CHECK(!!(e.eax & HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED) == ex_works,
	      "A2: CPUID 0x40000004 EAX bit 11 = %u but HvCallFlushVirtualAddressSpaceEx returned RAX 0x%lx",
	      !!(e.eax & HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED), rax);
	rax = hv_flush_virtual_address_space(HV_FORM_XMM, 0, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, BIT(0));
	bool xmm_works = HV_HYPERCALL_STATUS(rax) == HV_STATUS_SUCCESS;
	CHECK(!!(f.edx & HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE) == xmm_works,
	      "A2: CPUID 0x40000003 EDX bit 4 = %u but an XMM fast HvCallFlushVirtualAddressSpace returned RAX 0x%lx",
	      !!(f.edx & HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE), rax);
	if (ok)
		guest_pass("A2 features: EAX bits 5+6, remote flush (bit 2), Ex (bit 11) %s and working, XMM input "
			   "(EDX bit 4) %s and working; privileges 0x%x:%x, EDX 0x%x, recommendations 0x%x",
			   ex_works ? "set" : "clear", xmm_works ? "set" : "clear", f.ebx, f.eax, f.edx, e.eax);
}

/* ---- A3-A8: GUEST_OS_ID and the hypercall page ---- */

static u8 *page;

static void a3_enable_without_id(void)
{
	bool ok = true;
	u64 id = rdmsr(HV_X64_MSR_GUEST_OS_ID), hc = rdmsr(HV_X64_MSR_HYPERCALL);
	CHECK(id == 0, "A3: HV_X64_MSR_GUEST_OS_ID is 0x%lx at start, not 0", id);
	CHECK(hc == 0, "A3: HV_X64_MSR_HYPERCALL is 0x%lx at start, not 0", hc);
	u32 v = wrmsr_safe(HV_X64_MSR_HYPERCALL, (u64)(uintptr_t)page | HV_X64_MSR_HYPERCALL_ENABLE);
	CHECK(v == NO_FAULT, "A3: WRMSR HYPERCALL raised %s", vector_name(v));
	hc = rdmsr(HV_X64_MSR_HYPERCALL);
	CHECK(!(hc & HV_X64_MSR_HYPERCALL_ENABLE), "A3: with GUEST_OS_ID 0, HYPERCALL reads 0x%lx: Enable is set", hc);
	CHECK(page[0] == RAM_PATTERN, "A3: the page reads 0x%02x, not its RAM contents 0x%02x: it was overlaid anyway",
	      page[0], RAM_PATTERN);
	if (ok)
		guest_pass("A3 HYPERCALL = GPA|Enable while GUEST_OS_ID = 0 reads back 0x%lx (Enable 0)", hc);
}

static void a4_enable(void)
{
	bool ok = true;
	wrmsr(HV_X64_MSR_GUEST_OS_ID, HV_GUEST_OS_ID_LINUX);
	u64 id = rdmsr(HV_X64_MSR_GUEST_OS_ID);
	CHECK(id == HV_GUEST_OS_ID_LINUX, "A4: GUEST_OS_ID reads 0x%lx after writing 0x%llx", id, HV_GUEST_OS_ID_LINUX);
	u64 gpa = (u64)(uintptr_t)page;
	wrmsr(HV_X64_MSR_HYPERCALL, gpa | HV_X64_MSR_HYPERCALL_ENABLE);
	u64 hc = rdmsr(HV_X64_MSR_HYPERCALL);
	CHECK((hc & HV_X64_MSR_HYPERCALL_ENABLE) && (hc & HV_X64_MSR_HYPERCALL_PAGE_ADDRESS_MASK) == gpa,
	      "A4: HYPERCALL reads 0x%lx after writing 0x%llx", hc, gpa | HV_X64_MSR_HYPERCALL_ENABLE);
	if (!ok)
		return;
	/* hv_setup() finds the page enabled, uses it where it is and makes a call through it. */
	const struct hv_features *hv = hv_setup();
	CHECK(hv->hypercall_gpa == gpa, "A4: hv_setup() uses GPA 0x%lx, not 0x%lx", hv->hypercall_gpa, gpa);
	u64 rax = hv_do_fast_hypercall(UNKNOWN_CODE, 0, 0);
	CHECK(HV_HYPERCALL_STATUS(rax) == HV_STATUS_INVALID_HYPERCALL_CODE,
	      "A4: a call of the unknown code 0x0102 through the page returned RAX 0x%lx", rax);
	rax = hv_flush_virtual_address_space(HV_FORM_MEMORY, 0, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, BIT(0));
	CHECK(HV_HYPERCALL_STATUS(rax) == HV_STATUS_SUCCESS, "A4: HvCallFlushVirtualAddressSpace through the page "
	      "returned RAX 0x%lx", rax);
	if (ok)
		guest_pass("A4 GUEST_OS_ID set, HYPERCALL = 0x%lx enabled; CALLs into the page return with the status "
			   "(page starts %02x %02x %02x %02x)", hc, page[0], page[1], page[2], page[3]);
}

static void a5_disable_by_os_id(void)
{
	bool ok = true;
	wrmsr(HV_X64_MSR_GUEST_OS_ID, 0);
	u64 hc = rdmsr(HV_X64_MSR_HYPERCALL);
	CHECK(!(hc & HV_X64_MSR_HYPERCALL_ENABLE), "A5: GUEST_OS_ID := 0 left HYPERCALL at 0x%lx (Enable set)", hc);
	CHECK(page[0] == RAM_PATTERN, "A5: after the disable the page reads 0x%02x, not its RAM contents 0x%02x",
	      page[0], RAM_PATTERN);
	/* Back to working order for the rest. */
	wrmsr(HV_X64_MSR_GUEST_OS_ID, HV_GUEST_OS_ID_LINUX);
	wrmsr(HV_X64_MSR_HYPERCALL, (u64)(uintptr_t)page | HV_X64_MSR_HYPERCALL_ENABLE);
	u64 again = rdmsr(HV_X64_MSR_HYPERCALL);
	CHECK(again & HV_X64_MSR_HYPERCALL_ENABLE, "A5: re-enabling gives HYPERCALL 0x%lx", again);
	u64 rax = hv_do_fast_hypercall(UNKNOWN_CODE, 0, 0);
	CHECK(HV_HYPERCALL_STATUS(rax) == HV_STATUS_INVALID_HYPERCALL_CODE, "A5: the re-enabled page returned RAX 0x%lx",
	      rax);
	if (ok)
		guest_pass("A5 GUEST_OS_ID := 0 disables the page (HYPERCALL 0x%lx, RAM visible again); re-enabled", hc);
}

static void a6_write_page(void)
{
	bool ok = true;
	u8 before = page[0];
	u32 v = write8_safe(page, 0x90);
	CHECK(v == 13, "A6: a write to the hypercall page raised %s, not #GP", vector_name(v));
	CHECK(page[0] == before, "A6: the page's first byte changed from 0x%02x to 0x%02x", before, page[0]);
	u64 rax = hv_do_fast_hypercall(UNKNOWN_CODE, 0, 0);
	CHECK(HV_HYPERCALL_STATUS(rax) == HV_STATUS_INVALID_HYPERCALL_CODE, "A6: the page no longer works: RAX 0x%lx",
	      rax);
	if (ok)
		guest_pass("A6 a write to the hypercall page raises #GP and changes nothing");
}

static void a8_beyond_ram(const struct minihv_boot_info *bi)
{
	bool ok = true;
	u64 before = rdmsr(HV_X64_MSR_HYPERCALL);
	u64 gpas[2] = { bi->ram_size, 1ull << 39 };
	for (int i = 0; i < 2; i++) {
		u32 v = wrmsr_safe(HV_X64_MSR_HYPERCALL, gpas[i] | HV_X64_MSR_HYPERCALL_ENABLE);
		CHECK(v == 13, "A8: WRMSR HYPERCALL with GPA 0x%lx beyond RAM raised %s, not #GP", gpas[i], vector_name(v));
		u64 after = rdmsr(HV_X64_MSR_HYPERCALL);
		CHECK(after == before, "A8: HYPERCALL changed from 0x%lx to 0x%lx", before, after);
	}
	if (ok)
		guest_pass("A8 a hypercall page GPA beyond RAM (0x%lx, 0x%lx) raises #GP on WRMSR", gpas[0], gpas[1]);
}

static void a7_locked(void)
{
	bool ok = true;
	struct cpuid_regs f = cpuid(HYPERV_CPUID_FEATURES, 0);
	if (!(f.edx & HV_X64_HYPERCALL_MSR_LOCK_AVAILABLE)) {
		guest_pass("A7 skipped: HV_X64_HYPERCALL_MSR_LOCK_AVAILABLE (EDX bit 18) is not advertised");
		return;
	}
	u64 gpa = (u64)(uintptr_t)page;
	wrmsr(HV_X64_MSR_HYPERCALL, gpa | HV_X64_MSR_HYPERCALL_ENABLE | HV_X64_MSR_HYPERCALL_LOCKED);
	u64 hc = rdmsr(HV_X64_MSR_HYPERCALL);
	CHECK((hc & HV_X64_MSR_HYPERCALL_LOCKED) && (hc & HV_X64_MSR_HYPERCALL_ENABLE),
	      "A7: HYPERCALL reads 0x%lx after setting Locked", hc);
	u8 *other = page_alloc(1);
	guest_check(other, "hvdiscovery: out of pages");
	other[0] = RAM_PATTERN;
	u32 v = wrmsr_safe(HV_X64_MSR_HYPERCALL, (u64)(uintptr_t)other | HV_X64_MSR_HYPERCALL_ENABLE);
	u64 moved = rdmsr(HV_X64_MSR_HYPERCALL);
	CHECK(moved == hc, "A7: a relocation while Locked changed HYPERCALL from 0x%lx to 0x%lx (WRMSR: %s)", hc, moved,
	      vector_name(v));
	CHECK(other[0] == RAM_PATTERN, "A7: the relocation target was overlaid (reads 0x%02x)", other[0]);
	v = wrmsr_safe(HV_X64_MSR_HYPERCALL, 0);
	u64 cleared = rdmsr(HV_X64_MSR_HYPERCALL);
	CHECK(cleared == hc, "A7: writing 0 while Locked changed HYPERCALL from 0x%lx to 0x%lx", hc, cleared);
	u64 rax = hv_do_fast_hypercall(UNKNOWN_CODE, 0, 0);
	CHECK(HV_HYPERCALL_STATUS(rax) == HV_STATUS_INVALID_HYPERCALL_CODE, "A7: the locked page returned RAX 0x%lx",
	      rax);
	if (ok)
		guest_pass("A7 Locked: HYPERCALL stays 0x%lx across a relocation and a disable", hc);
}

/* ---- A9: VMCALL at CPL 3 ---- */


/* iretq to USER_CODE at CPL 3; the fault handler brings us back to ring3_return on this stack. */
static __attribute__((noinline, noclone)) void enter_ring3(void)
{
	__asm__ volatile("movq %%rsp, %[ksp]\n\t"
			 "pushq %[ss]\n\t"
			 "pushq %[usp]\n\t"
			 "pushq $0x2\n\t"
			 "pushq %[cs]\n\t"
			 "pushq %[uip]\n\t"
			 "iretq\n"
			 ".globl ring3_return\n"
			 "ring3_return:"
			 : [ksp] "=m"(ring3_rsp)
			 : [ss] "i"(SEL_UDATA), [usp] "r"(USER_STACK + PAGE_SIZE), [cs] "i"(SEL_UCODE),
			   [uip] "r"(USER_CODE)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
}

static void a9_vmcall_cpl3(void)
{
	bool ok = true;
	u8 *code = page_alloc(1), *stack = page_alloc(1);
	guest_check(code && stack, "hvdiscovery: out of pages");
	/* VMCALL (RAX = RCX = 0); then UD2, so a VMCALL that returned is told apart by the #UD's RIP. */
	static const u8 blob[] = { 0x31, 0xc0, 0x31, 0xc9, 0x0f, 0x01, 0xc1, 0x0f, 0x0b };
	memcpy(code, blob, sizeof(blob));
	guest_check(pt_map_4k(USER_CODE, (u64)(uintptr_t)code, PTE_U), "hvdiscovery: cannot map the user code");
	guest_check(pt_map_4k(USER_STACK, (u64)(uintptr_t)stack, PTE_U | PTE_W), "hvdiscovery: cannot map the user stack");
	gdt_load_ring3();
	u32 me = this_vp();
	fault_vector[me] = NO_FAULT;
	cli();
	enter_ring3();
	u64 v = fault_vector[me], rip = fault_rip[me];
	CHECK(v == 6 && rip == USER_CODE + 4, "A9: VMCALL at CPL 3 gave %s at RIP 0x%lx (the VMCALL is at 0x%llx)",
	      vector_name((u32)v), rip, USER_CODE + 4);
	if (ok)
		guest_pass("A9 VMCALL at CPL 3 raises #UD at the VMCALL (real mode: not tested)");
}

/* ---- A10: VP_INDEX, on every VP ---- */

static void a10_vp_index_this_vp(void)
{
	u32 me = this_vp();
	vp_index_of[me] = (u32)rdmsr(HV_X64_MSR_VP_INDEX);
	vp_index_write_vector[me] = wrmsr_safe(HV_X64_MSR_VP_INDEX, vp_index_of[me] ^ 1);
}

static void a10_check(u32 n)
{
	bool ok = true;
	u32 max = cpuid(HYPERV_CPUID_IMPLEMENT_LIMITS, 0).eax;
	for (u32 i = 0; i < n; i++) {
		CHECK(vp_index_of[i] < max, "A10: vp %u has VP_INDEX %u, not below CPUID 0x40000005 EAX %u", i,
		      vp_index_of[i], max);
		for (u32 j = 0; j < i; j++)
			CHECK(vp_index_of[i] != vp_index_of[j], "A10: vps %u and %u both have VP_INDEX %u", j, i,
			      vp_index_of[i]);
		CHECK(vp_index_write_vector[i] == 13, "A10: WRMSR VP_INDEX on vp %u raised %s, not #GP", i,
		      vector_name(vp_index_write_vector[i]));
	}
	if (ok)
		guest_pass("A10 VP_INDEX unique on all %u VPs and below %u; WRMSR VP_INDEX raises #GP", n, max);
}

int guest_main(const struct minihv_boot_info *bi)
{
	idt_init();
	for (int v = 0; v < 32; v++)
		idt_set_handler((u8)v, on_fault);
	if (bi->vp_index != 0) {
		a10_vp_index_this_vp();
		vp_barrier_wait(&all_vps, bi->vp_count);
		return 0;
	}
	page = page_alloc(1);
	guest_check(page, "hvdiscovery: out of pages");
	memset(page, RAM_PATTERN, PAGE_SIZE);

	a1_cpuid();
	a3_enable_without_id();
	a4_enable();
	if (!hv_features())
		guest_fail("A4 failed: the hypercall page is not working, the remaining cases need it");
	a2_features();
	a5_disable_by_os_id();
	a6_write_page();
	a8_beyond_ram(bi);
	a7_locked();
	a9_vmcall_cpl3();
	a10_vp_index_this_vp();
	vp_barrier_wait(&all_vps, bi->vp_count);
	a10_check(bi->vp_count);
	if (failures)
		guest_fail("hvdiscovery: %u check(s) failed", failures);
	return 0;
}
