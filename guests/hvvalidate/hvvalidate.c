/*
 * hvvalidate: the input-validation cases B11-B20 of docs/tlfs-cases.md §8 end to end, through the hypercall
 * page: each malformed call must come back (RIP advanced past the VMCALL: a call that is not completed
 * re-executes forever and the scenario times out) with the documented status in RAX[15:0]. Also: a minihv
 * management call from a guest partition -> HV_STATUS_ACCESS_DENIED, an all-zero sparse bank (C28), the
 * List continuation and reps completed (C32), and a 32-bit compatibility-mode caller (C31, EDX:EAX).
 * Where the TLFS and KVM differ, the expected value is minihv's documented choice (docs/hyperv.md).
 * Prints "PASS B<n> ..." per case and exits 0, or "FAIL: ..." per failed check and exits 1.
 */
#include "guest.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_CODE32 0x18
#define UNKNOWN_CODE 0x0001 /* HvCallSwitchVirtualAddressSpace: TLFS, not implemented by minihv */

static u32 failures, case_failures;
static u64 *in;       /* the VP's input page, identity mapped */
static u64 in_gpa;
static u64 cr3;

/* One check: the call's RAX status must be want. */
static void expect(const char *what, u64 rax, u16 want)
{
	u16 got = HV_HYPERCALL_STATUS(rax);
	if (got == want)
		return;
	printf("FAIL: %s: RAX 0x%lx (%s), expected %s (0x%x)\n", what, rax, hv_status_name(got), hv_status_name(want),
	       want);
	failures++;
	case_failures++;
}

static void begin_case(void)
{
	case_failures = 0;
}

static void end_case(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void end_case(const char *fmt, ...)
{
	if (case_failures)
		return;
	va_list ap;
	va_start(ap, fmt);
	guest_vline("PASS ", fmt, ap);
	va_end(ap);
}

/* A valid Space / List input at q: AddressSpace = CR3, flags 0, ProcessorMask = {VP 0}, entries after. */
static void space_input(u64 *q)
{
	q[0] = cr3;
	q[1] = 0;
	q[2] = BIT(0);
}

static void list_input(u64 *q, u32 n)
{
	space_input(q);
	for (u32 i = 0; i < n; i++)
		q[3 + i] = hv_gva_range(0x0000009000000000ull + i * PAGE_SIZE, 1);
}

/* A valid Ex input: sparse {VP 0} (one bank), then n entries. */
static void ex_input(u64 *q, u32 n)
{
	q[0] = cr3;
	q[1] = 0;
	q[2] = HV_GENERIC_SET_SPARSE_4K;
	q[3] = 0x1;
	q[4] = BIT(0);
	for (u32 i = 0; i < n; i++)
		q[5 + i] = hv_gva_range(0x0000009000000000ull + i * PAGE_SIZE, 1);
}

static u64 mem(u64 control)
{
	return hv_do_hypercall(control, in_gpa, 0);
}

static void b11_unknown_code(void)
{
	begin_case();
	space_input(in);
	u16 codes[] = { UNKNOWN_CODE, 0x0000, 0x00ff, 0x7f00, 0x7fff, 0xffff };
	for (u32 i = 0; i < ARRAY_SIZE(codes); i++) {
		char what[64];
		snprintf(what, sizeof(what), "B11 call code 0x%04x (memory form)", codes[i]);
		expect(what, mem(codes[i]), HV_STATUS_INVALID_HYPERCALL_CODE);
		snprintf(what, sizeof(what), "B11 call code 0x%04x (fast form)", codes[i]);
		expect(what, hv_do_fast_hypercall(codes[i], 0, 0), HV_STATUS_INVALID_HYPERCALL_CODE);
	}
	end_case("B11 unknown call codes -> INVALID_HYPERCALL_CODE (%u codes, memory and fast)", (u32)ARRAY_SIZE(codes));
}

static void b12_reserved_input_bits(void)
{
	begin_case();
	u32 bits[] = { 27, 28, 29, 30, 31 /* Is Nested: minihv is not nested */, 44, 45, 46, 47, 60, 61, 62, 63 };
	for (u32 i = 0; i < ARRAY_SIZE(bits); i++) {
		char what[80];
		space_input(in);
		snprintf(what, sizeof(what), "B12 HvCallFlushVirtualAddressSpace with input value bit %u", bits[i]);
		expect(what, mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE | BIT(bits[i])), HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	/* Reserved bits win over an unknown code (minihv's order, as KVM). */
	expect("B12 unknown code with bit 60", mem(UNKNOWN_CODE | BIT(60)), HV_STATUS_INVALID_HYPERCALL_INPUT);
	space_input(in);
	expect("B12 the same call without reserved bits", mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE), HV_STATUS_SUCCESS);
	end_case("B12 reserved input bits 30:27, 31 (Is Nested), 47:44, 63:60 -> INVALID_HYPERCALL_INPUT (%u bits)",
		 (u32)ARRAY_SIZE(bits));
}

static void b13_rep_rules(void)
{
	begin_case();
	space_input(in);
	expect("B13 Space (simple) with rep count 1", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0, 1)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	expect("B13 Space (simple) with rep start 1",
	       mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE | (1ull << HV_HYPERCALL_REP_START_OFFSET)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	expect("B13 SpaceEx (simple) with rep count 2", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 1, 2)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	list_input(in, 4);
	expect("B13 List (rep) with rep count 0", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 0)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	expect("B13 List with rep start 2 = rep count 2",
	       mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 2) | (2ull << HV_HYPERCALL_REP_START_OFFSET)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	expect("B13 List with rep start 3 > rep count 2",
	       mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 2) | (3ull << HV_HYPERCALL_REP_START_OFFSET)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	ex_input(in, 2);
	expect("B13 ListEx with rep count 0", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 1, 0)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	end_case("B13 rep count on a simple call, rep count 0 on a rep call, rep start >= rep count -> "
		 "INVALID_HYPERCALL_INPUT");
}

static void b14_var_header(void)
{
	begin_case();
	space_input(in);
	expect("B14 Space with variable header 1", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 1, 0)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	list_input(in, 2);
	expect("B14 List with variable header 1", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 1, 1)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	ex_input(in, 2);
	expect("B14 SpaceEx, 1 valid bank, variable header 0", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 0, 0)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	expect("B14 SpaceEx, 1 valid bank, variable header 2", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 2, 0)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	expect("B14 ListEx, 1 valid bank, variable header 0", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 0, 1)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	expect("B14 SpaceEx, 1 valid bank, variable header 1 (valid)",
	       mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 1, 0)), HV_STATUS_SUCCESS);
	in[3] = 0x3; /* banks 0 and 1, two BankContents */
	in[5] = 0;
	expect("B14 SpaceEx, 2 valid banks, variable header 1", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 1, 0)),
	       HV_STATUS_INVALID_HYPERCALL_INPUT);
	expect("B14 SpaceEx, 2 valid banks, variable header 2 (valid)",
	       mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 2, 0)), HV_STATUS_SUCCESS);
	end_case("B14 variable header on Space/List, or != popcount(ValidBanksMask) on Ex -> INVALID_HYPERCALL_INPUT");
}

static void b15_gpa_rules(const struct minihv_boot_info *bi)
{
	begin_case();
	u8 *pages = page_alloc(2);
	guest_check(pages, "hvvalidate: out of pages");
	u64 base = (u64)(uintptr_t)pages;
	space_input((u64 *)(pages + 4));
	expect("B15 Space input at GPA page+4 (not 8-byte aligned)",
	       hv_do_hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, base + 4, 0), HV_STATUS_INVALID_ALIGNMENT);
	expect("B15 Space input at GPA page+1", hv_do_hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, base + 1, 0),
	       HV_STATUS_INVALID_ALIGNMENT);
	/* A List of 3 entries starting 16 bytes before a page end: header and entries cross into the next page. */
	u64 *q = (u64 *)(pages + PAGE_SIZE - 16);
	list_input(q, 3);
	expect("B15 List input crossing a page boundary",
	       hv_do_hypercall(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 3), base + PAGE_SIZE - 16, 0),
	       HV_STATUS_INVALID_ALIGNMENT);
	/* A Space input (24 bytes) ending exactly at the page end is fine. */
	q = (u64 *)(pages + PAGE_SIZE - 24);
	space_input(q);
	expect("B15 Space input ending at a page end (valid)",
	       hv_do_hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, base + PAGE_SIZE - 24, 0), HV_STATUS_SUCCESS);
	expect("B15 Space input GPA beyond RAM", hv_do_hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, bi->ram_size, 0),
	       HV_STATUS_INVALID_ALIGNMENT);
	expect("B15 Space input GPA 2^40", hv_do_hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 1ull << 40, 0),
	       HV_STATUS_INVALID_ALIGNMENT);
	end_case("B15 input GPA not 8-byte aligned, crossing a page, or beyond RAM -> INVALID_ALIGNMENT");
}

static void b16_reserved_flags(void)
{
	begin_case();
	u64 flags[] = { BIT(3) /* HV_FLUSH_USE_EXTENDED_RANGE_FORMAT: not advertised */, BIT(4), BIT(31), BIT(63) };
	for (u32 i = 0; i < ARRAY_SIZE(flags); i++) {
		char what[80];
		space_input(in);
		in[1] = flags[i];
		snprintf(what, sizeof(what), "B16 Space with flags 0x%lx", flags[i]);
		expect(what, mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE), HV_STATUS_INVALID_PARAMETER);
		ex_input(in, 1);
		in[1] = flags[i];
		snprintf(what, sizeof(what), "B16 ListEx with flags 0x%lx", flags[i]);
		expect(what, mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 1, 1)), HV_STATUS_INVALID_PARAMETER);
	}
	/* Reserved CR3 bits (63:MAXPHYADDR) without ALL_VIRTUAL_ADDRESS_SPACES (TLFS; minihv checks them). */
	space_input(in);
	in[0] = cr3 | BIT(62);
	expect("B16 Space with AddressSpace bit 62 set", mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE), HV_STATUS_INVALID_PARAMETER);
	in[1] = HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES;
	expect("B16 the same with ALL_VIRTUAL_ADDRESS_SPACES (AddressSpace ignored)", mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE),
	       HV_STATUS_SUCCESS);
	end_case("B16 reserved flag bits (3, 4, 31, 63) and reserved CR3 bits -> INVALID_PARAMETER");
}

static void b17_nonglobal_on_list(void)
{
	begin_case();
	list_input(in, 1);
	in[1] = HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY;
	expect("B17 List with NON_GLOBAL_MAPPINGS_ONLY", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 1)),
	       HV_STATUS_INVALID_PARAMETER);
	ex_input(in, 1);
	in[1] = HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY;
	expect("B17 ListEx with NON_GLOBAL_MAPPINGS_ONLY", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 1, 1)),
	       HV_STATUS_INVALID_PARAMETER);
	space_input(in);
	in[1] = HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY;
	expect("B17 Space with NON_GLOBAL_MAPPINGS_ONLY (valid)", mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE), HV_STATUS_SUCCESS);
	end_case("B17 NON_GLOBAL_MAPPINGS_ONLY on List/ListEx -> INVALID_PARAMETER (valid on Space)");
}

static void b18_mask_zero(void)
{
	begin_case();
	space_input(in);
	in[2] = 0;
	expect("B18 Space with ProcessorMask 0", mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE), HV_STATUS_INVALID_PARAMETER);
	expect("B18 Space with ProcessorMask 0 (XMM fast)",
	       hv_flush_virtual_address_space(HV_FORM_XMM, cr3, 0, 0), HV_STATUS_INVALID_PARAMETER);
	list_input(in, 1);
	in[2] = 0;
	expect("B18 List with ProcessorMask 0", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 1)),
	       HV_STATUS_INVALID_PARAMETER);
	space_input(in);
	in[1] = HV_FLUSH_ALL_PROCESSORS;
	in[2] = 0;
	expect("B18 Space with ProcessorMask 0 and ALL_PROCESSORS (valid)", mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE),
	       HV_STATUS_SUCCESS);
	/* A mask naming only VPs the partition does not have is not empty: accepted, nobody to flush. */
	space_input(in);
	in[2] = BIT(40);
	expect("B18 Space with ProcessorMask {40} in a 2-VP partition", mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE),
	       HV_STATUS_SUCCESS);
	end_case("B18 ProcessorMask 0 without ALL_PROCESSORS -> INVALID_PARAMETER (TLFS, minihv's choice; KVM "
		 "flushes all)");
}

static void b19_not_applicable(void)
{
	/* minihv always advertises 0x40000004 bits 2 and 11: there is no partition without them to ask. */
	struct cpuid_regs e = cpuid(HYPERV_CPUID_ENLIGHTMENT_INFO, 0);
	guest_pass("B19 not applicable: CPUID 0x40000004 EAX = 0x%x advertises bits 2 and 11 in every partition", e.eax);
}

static void b20_ex_format(void)
{
	begin_case();
	u64 formats[] = { 2, 3, 0xffffffffffffffffull };
	for (u32 i = 0; i < ARRAY_SIZE(formats); i++) {
		char what[80];
		ex_input(in, 1);
		in[2] = formats[i];
		snprintf(what, sizeof(what), "B20 SpaceEx with Format 0x%lx", formats[i]);
		expect(what, mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 1, 0)), HV_STATUS_INVALID_PARAMETER);
		snprintf(what, sizeof(what), "B20 ListEx with Format 0x%lx", formats[i]);
		expect(what, mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 1, 1)), HV_STATUS_INVALID_PARAMETER);
	}
	end_case("B20 Ex HV_VP_SET Format not in {0, 1} -> INVALID_PARAMETER");
}

static void management_denied(void)
{
	begin_case();
	struct minihv_target *t = (struct minihv_target *)in;
	t->partition_id = 0;
	t->vp_index = 0;
	t->reserved = 0;
	expect("MinihvGetPartition from a guest partition", mem(MINIHV_CALL_GET_PARTITION), HV_STATUS_ACCESS_DENIED);
	expect("MinihvGetVp from a guest partition", mem(MINIHV_CALL_GET_VP), HV_STATUS_ACCESS_DENIED);
	struct minihv_tlb_flush_inhibit_input *ii = (struct minihv_tlb_flush_inhibit_input *)in;
	memset(ii, 0, sizeof(*ii));
	ii->inhibit.inhibit = MINIHV_INHIBIT_TLB_FLUSH;
	expect("MinihvSetTlbFlushInhibit from a guest partition", mem(MINIHV_CALL_SET_TLB_FLUSH_INHIBIT),
	       HV_STATUS_ACCESS_DENIED);
	expect("MinihvShutdown from a guest partition", hv_do_fast_hypercall(MINIHV_CALL_SHUTDOWN, 0, 0),
	       HV_STATUS_ACCESS_DENIED);
	struct hv_input_get_vp_registers *g = (struct hv_input_get_vp_registers *)in;
	memset(g, 0, 32);
	g->partition_id = HV_PARTITION_ID_SELF;
	g->vp_index = HV_VP_INDEX_SELF;
	g->names[0] = HvRegisterInterceptSuspend;
	expect("HvCallGetVpRegisters without AccessVpRegisters",
	       hv_do_hypercall(hv_control(HVCALL_GET_VP_REGISTERS, 0, 1), in_gpa, in_gpa + 2048), HV_STATUS_ACCESS_DENIED);
	end_case("B mgmt: minihv management calls and HvCallGetVpRegisters from a guest partition -> ACCESS_DENIED");
}

static void c28_zero_bank(void)
{
	begin_case();
	ex_input(in, 1);
	in[3] = 0x2; /* bank 1 only, and it names no VP */
	in[4] = 0;
	expect("C28 SpaceEx with ValidBanksMask 0x2 and an all-zero bank", mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 1, 0)),
	       HV_STATUS_SUCCESS);
	end_case("C28 an Ex sparse set with an all-zero bank -> SUCCESS");
}

static void c32_reps(void)
{
	begin_case();
	list_input(in, 5);
	u64 rax = mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 5));
	expect("C32 List of 5", rax, HV_STATUS_SUCCESS);
	if (HV_REPS_COMPLETED(rax) != 5) {
		printf("FAIL: C32 List of 5: RAX 0x%lx reports %u reps completed\n", rax, HV_REPS_COMPLETED(rax));
		failures++, case_failures++;
	}
	/* A continuation (rep start 3 of 5): TLFS valid, minihv's choice; reps completed is the total. */
	rax = mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 5) | (3ull << HV_HYPERCALL_REP_START_OFFSET));
	expect("C32 List of 5 from rep start 3", rax, HV_STATUS_SUCCESS);
	if (HV_REPS_COMPLETED(rax) != 5) {
		printf("FAIL: C32 List of 5 from rep start 3: RAX 0x%lx reports %u reps completed, not 5 (the total)\n", rax,
		       HV_REPS_COMPLETED(rax));
		failures++, case_failures++;
	}
	ex_input(in, 7);
	rax = mem(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 1, 7));
	expect("C32 ListEx of 7", rax, HV_STATUS_SUCCESS);
	if (HV_REPS_COMPLETED(rax) != 7) {
		printf("FAIL: C32 ListEx of 7: RAX 0x%lx reports %u reps completed\n", rax, HV_REPS_COMPLETED(rax));
		failures++, case_failures++;
	}
	end_case("C32 List/ListEx: SUCCESS with reps completed = rep count, also from a rep start index");
}

/* ---- C31: a caller in 32-bit compatibility mode ---- */

static u64 gdt[4] __attribute__((aligned(16)));
u32 hvvalidate_page32; /* the hypercall page's address, read by 32-bit code as an absolute operand */

static void load_gdt_with_code32(void)
{
	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffull; /* 0x08 64-bit code */
	gdt[2] = 0x00cf93000000ffffull; /* 0x10 data */
	gdt[3] = 0x00cf9b000000ffffull; /* 0x18 32-bit code: compatibility mode under EFER.LMA */
	gdt_load_table(gdt, sizeof(gdt), SEL_KCODE, SEL_KDATA);
}

/* Far-returns into the 32-bit segment, CALLs the hypercall page with EDX:EAX = control, EBX:ECX =
 * input GPA, EDI:ESI = output GPA (TLFS), and far-returns to 64-bit mode. Returns EDX:EAX. The stack and
 * this code are below 4 GiB (identity map), as compatibility mode needs. */
static __attribute__((noinline, noclone)) u64 call32(u64 control, u64 input, u64 output)
{
	u64 rax = (u32)control, rdx = control >> 32, rbx = input >> 32, rcx = (u32)input, rdi = output >> 32,
	    rsi = (u32)output;
	__asm__ volatile("pushq %[cs32]\n\t"
			 "leaq 1f(%%rip), %%r11\n\t"
			 "pushq %%r11\n\t"
			 "lretq\n"
			 ".code32\n"
			 "1:\n\t"
			 "call *hvvalidate_page32\n\t"
			 "pushl %[cs64]\n\t"
			 "pushl $2f\n\t"
			 "lretl\n"
			 ".code64\n"
			 "2:"
			 : "+a"(rax), "+d"(rdx), "+b"(rbx), "+c"(rcx), "+D"(rdi), "+S"(rsi)
			 : [cs32] "i"(SEL_CODE32), [cs64] "i"(SEL_KCODE)
			 : "r11", "memory", "cc");
	return ((u64)(u32)rdx << 32) | (u32)rax;
}

static void c31_compat_mode(void)
{
	begin_case();
	u64 rsp;
	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	if (rsp >= (1ull << 32) || in_gpa >= (1ull << 32)) {
		guest_pass("C31 skipped: the stack or input page is above 4 GiB");
		return;
	}
	hvvalidate_page32 = (u32)hv_features()->hypercall_gpa;
	load_gdt_with_code32();
	cli();
	list_input(in, 3);
	u64 r = call32(hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 3), in_gpa, 0);
	expect("C31 32-bit List of 3 (EDX:EAX result)", r, HV_STATUS_SUCCESS);
	if (HV_REPS_COMPLETED(r) != 3) {
		printf("FAIL: C31 32-bit List of 3: EDX:EAX = 0x%lx, EDX should hold reps completed 3\n", r);
		failures++, case_failures++;
	}
	r = call32(UNKNOWN_CODE, 0, 0);
	expect("C31 32-bit unknown code", r, HV_STATUS_INVALID_HYPERCALL_CODE);
	space_input(in);
	r = call32(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, in_gpa + 4, 0);
	expect("C31 32-bit Space with EBX:ECX = a misaligned GPA", r, HV_STATUS_INVALID_ALIGNMENT);
	r = call32(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE | BIT(60), in_gpa, 0);
	expect("C31 32-bit Space with bit 60 (EDX bit 28) set", r, HV_STATUS_INVALID_HYPERCALL_INPUT);
	sti();
	end_case("C31 a compatibility-mode caller: control in EDX:EAX, input GPA in EBX:ECX, result in EDX:EAX");
}

int guest_main(const struct minihv_boot_info *bi)
{
	if (bi->vp_index != 0)
		return 0;
	idt_init();
	hv_setup();
	in = hv_input_page();
	in_gpa = (u64)(uintptr_t)in;
	cr3 = read_cr3() & PTE_ADDR_MASK;

	b11_unknown_code();
	b12_reserved_input_bits();
	b13_rep_rules();
	b14_var_header();
	b15_gpa_rules(bi);
	b16_reserved_flags();
	b17_nonglobal_on_list();
	b18_mask_zero();
	b19_not_applicable();
	b20_ex_format();
	management_denied();
	c28_zero_bank();
	c32_reps();
	c31_compat_mode();
	if (failures)
		guest_fail("hvvalidate: %u check(s) failed", failures);
	return 0;
}
