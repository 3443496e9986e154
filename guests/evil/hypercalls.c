/* evil: malformed hypercalls (H1, H2), management calls (H5), hostile GPAs (H6) and MinihvSendIpi abuse
 * (H11). Every call must come back with its documented status (docs/hyperv.md "Validation order"):
 * a call that hung or was not completed would re-execute forever and the scenario times out. */
#include "evil.h"

#define UNKNOWN_CODE 0x0001 /* HvCallSwitchVirtualAddressSpace: TLFS, not implemented by minihv */
#define REP_START(n) ((u64)(n) << HV_HYPERCALL_REP_START_OFFSET)
#define SPACE HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE
#define LIST HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST
#define SPACE_EX HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX
#define LIST_EX HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX

/* An input of up to 8 qwords (missing ones are 0) and the call that must answer want. */
struct bad_call {
	const char *what;
	u64 control;
	u64 q[8];
	u16 want;
};

#define CR3 0xc3c3c3c3c3c3c3c3ull      /* placeholder: replaced by the VP's CR3 */
#define CR3_BIT62 0xc4c4c4c4c4c4c4c4ull /* placeholder: the VP's CR3 with reserved bit 62 set */

static const struct bad_call memory_calls[] = {
	/* B11: unknown codes */
	{ "unknown code 0x0001", UNKNOWN_CODE, { CR3, 0, 1 }, HV_STATUS_INVALID_HYPERCALL_CODE },
	{ "unknown code 0xffff", 0xffff, { CR3, 0, 1 }, HV_STATUS_INVALID_HYPERCALL_CODE },
	{ "unknown code 0x7f00", 0x7f00, { CR3, 0, 1 }, HV_STATUS_INVALID_HYPERCALL_CODE },
	/* B12: reserved input-value bits, Is Nested */
	{ "Space with bit 27", SPACE | BIT(27), { CR3, 0, 1 }, HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "Space with bit 31 (Is Nested)", SPACE | BIT(31), { CR3, 0, 1 }, HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "Space with bit 44", SPACE | BIT(44), { CR3, 0, 1 }, HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "Space with bit 63", SPACE | BIT(63), { CR3, 0, 1 }, HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "unknown code with bit 60", UNKNOWN_CODE | BIT(60), { 0 }, HV_STATUS_INVALID_HYPERCALL_INPUT },
	/* B13: rep rules */
	{ "Space with rep count 1", SPACE | (1ull << 32), { CR3, 0, 1 }, HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "Space with rep start 1", SPACE | REP_START(1), { CR3, 0, 1 }, HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "List with rep count 0", LIST, { CR3, 0, 1, 0x1000 }, HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "List with rep start = rep count", LIST | (2ull << 32) | REP_START(2), { CR3, 0, 1, 0x1000, 0x2000 },
	  HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "List with rep start 4095 > rep count 1", LIST | (1ull << 32) | REP_START(4095), { CR3, 0, 1, 0x1000 },
	  HV_STATUS_INVALID_HYPERCALL_INPUT },
	/* B14: variable header */
	{ "Space with variable header 1", SPACE | (1ull << 17), { CR3, 0, 1 }, HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "SpaceEx, 1 bank, variable header 0", SPACE_EX, { CR3, 0, 0, 1, 1 }, HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "SpaceEx, 1 bank, variable header 3", SPACE_EX | (3ull << 17), { CR3, 0, 0, 1, 1 },
	  HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "SpaceEx with variable header 1023", SPACE_EX | (1023ull << 17), { CR3, 0, 0, 1, 1 },
	  HV_STATUS_INVALID_ALIGNMENT /* 8 KiB of header cannot lie in one page */ },
	/* B16, B17: flags and AddressSpace */
	{ "Space with flag bit 3 (extended ranges)", SPACE, { CR3, BIT(3), 1 }, HV_STATUS_INVALID_PARAMETER },
	{ "Space with flag bit 63", SPACE, { CR3, BIT(63), 1 }, HV_STATUS_INVALID_PARAMETER },
	{ "Space with AddressSpace bit 62", SPACE, { CR3_BIT62, 0, 1 }, HV_STATUS_INVALID_PARAMETER },
	{ "List with NON_GLOBAL_MAPPINGS_ONLY", LIST | (1ull << 32), { CR3, HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY, 1, 0x1000 },
	  HV_STATUS_INVALID_PARAMETER },
	/* B18, B20: targets */
	{ "Space with ProcessorMask 0", SPACE, { CR3, 0, 0 }, HV_STATUS_INVALID_PARAMETER },
	{ "SpaceEx with Format 2", SPACE_EX | (1ull << 17), { CR3, 0, 2, 1, 1 }, HV_STATUS_INVALID_PARAMETER },
	{ "SpaceEx with Format ~0", SPACE_EX, { CR3, 0, ~0ull, 0 }, HV_STATUS_INVALID_PARAMETER },
	/* Well-formed but odd: accepted */
	{ "Space naming only VP 63 (none such)", SPACE, { CR3, 0, BIT(63) }, HV_STATUS_SUCCESS },
	{ "ListEx, all VPs, one 4096-page range at the top of the address space", LIST_EX | (1ull << 32),
	  { CR3, 0, HV_GENERIC_SET_ALL, 0, 0xfffffffffffff000ull | 0xfff }, HV_STATUS_SUCCESS },
};

static u64 *input;
static u64 input_gpa;

static void load(const u64 *q, u64 cr3)
{
	for (u32 i = 0; i < 8; i++)
		input[i] = q[i] == CR3 ? cr3 : q[i] == CR3_BIT62 ? cr3 | BIT(62) : q[i];
}

void h1_malformed(u64 cr3)
{
	case_begin();
	input = hv_input_page();
	input_gpa = (u64)(uintptr_t)input;
	for (u32 i = 0; i < ARRAY_SIZE(memory_calls); i++) {
		const struct bad_call *c = &memory_calls[i];
		char what[112];
		load(c->q, cr3);
		snprintf(what, sizeof(what), "H1 %s", c->what);
		check_status(what, hv_do_hypercall(c->control, input_gpa, 0), c->want);
	}
	case_end("H1 %u malformed or odd memory-form calls (B11-B20) -> their documented status",
		 (u32)ARRAY_SIZE(memory_calls));
}

void h2_fast_malformed(u64 cr3)
{
	case_begin();
	check_status("H2 fast unknown code", hv_do_fast_hypercall(UNKNOWN_CODE, 0, 0), HV_STATUS_INVALID_HYPERCALL_CODE);
	check_status("H2 fast HvCallGetVpRegisters (no fast form)",
		     hv_do_fast_hypercall(HVCALL_GET_VP_REGISTERS | (1ull << 32), 0, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	u64 xmm[12] = { 0 };
	check_status("H2 XMM fast Space with ProcessorMask 0", hv_do_xmm_fast_hypercall(SPACE, cr3, 0, xmm),
		     HV_STATUS_INVALID_PARAMETER);
	/* 15 qwords of List: more than RDX, R8 and XMM0-5 can hold. */
	check_status("H2 XMM fast List of 13 entries", hv_do_xmm_fast_hypercall(LIST | (13ull << 32), cr3, 0, xmm),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	check_status("H2 fast ListEx with variable header 64 (> 14 qwords)",
		     hv_do_fast_hypercall(LIST_EX | (64ull << 17) | (1ull << 32), cr3, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	check_status("H2 fast ListEx with variable header 65 (> 64 banks)",
		     hv_do_fast_hypercall(LIST_EX | (65ull << 17) | (1ull << 32), cr3, 0), HV_STATUS_INVALID_PARAMETER);
	case_end("H2 malformed fast and XMM-fast calls -> their documented status");
}

void h5_management_calls(void)
{
	case_begin();
	/* Aimed at partition 0 (the management partition in the scenarios) and at partition 1. */
	for (u64 pid = 0; pid < 2; pid++) {
		char what[96];
		memset(input, 0, PAGE_SIZE);
		struct minihv_memory_input *m = (struct minihv_memory_input *)input;
		m->partition_id = pid;
		m->gpa = 0x200000;
		m->size = 64;
		snprintf(what, sizeof(what), "H5 MinihvReadMemory of partition %lu", pid);
		check_status(what, hv_do_hypercall(MINIHV_CALL_READ_MEMORY, input_gpa, input_gpa + 2048),
			     HV_STATUS_ACCESS_DENIED);
		snprintf(what, sizeof(what), "H5 MinihvWriteMemory into partition %lu", pid);
		check_status(what, hv_do_hypercall(MINIHV_CALL_WRITE_MEMORY, input_gpa, 0), HV_STATUS_ACCESS_DENIED);
		snprintf(what, sizeof(what), "H5 MinihvGetPartition %lu", pid);
		check_status(what, hv_do_hypercall(MINIHV_CALL_GET_PARTITION, input_gpa, input_gpa + 2048),
			     HV_STATUS_ACCESS_DENIED);
		snprintf(what, sizeof(what), "H5 MinihvGetVp %lu:0", pid);
		check_status(what, hv_do_hypercall(MINIHV_CALL_GET_VP, input_gpa, input_gpa + 2048), HV_STATUS_ACCESS_DENIED);
		struct minihv_tlb_flush_inhibit_input *ii = (struct minihv_tlb_flush_inhibit_input *)input;
		memset(ii, 0, sizeof(*ii));
		ii->target.partition_id = pid;
		ii->inhibit.inhibit = MINIHV_INHIBIT_TLB_FLUSH;
		snprintf(what, sizeof(what), "H5 MinihvSetTlbFlushInhibit on %lu:0", pid);
		check_status(what, hv_do_hypercall(MINIHV_CALL_SET_TLB_FLUSH_INHIBIT, input_gpa, 0), HV_STATUS_ACCESS_DENIED);
		/* HvCallSetVpRegisters: explicit suspend of another partition's VP 0 */
		memset(input, 0, 64);
		input[0] = pid;
		input[1] = 0;
		input[2] = HvRegisterExplicitSuspend;
		input[4] = 1;
		snprintf(what, sizeof(what), "H5 HvCallSetVpRegisters ExplicitSuspend on %lu:0", pid);
		check_status(what, hv_do_hypercall(HVCALL_SET_VP_REGISTERS | (1ull << 32), input_gpa, 0),
			     HV_STATUS_ACCESS_DENIED);
		snprintf(what, sizeof(what), "H5 HvCallGetVpRegisters on %lu:0", pid);
		check_status(what, hv_do_hypercall(HVCALL_GET_VP_REGISTERS | (1ull << 32), input_gpa, input_gpa + 2048),
			     HV_STATUS_ACCESS_DENIED);
		/* Walking another partition's page tables (or its own, through the parent's call) */
		struct hv_input_translate_virtual_address *t = (struct hv_input_translate_virtual_address *)input;
		memset(t, 0, sizeof(*t));
		t->partition_id = pid;
		t->control_flags = HV_TRANSLATE_GVA_VALIDATE_READ;
		t->gva_page = 0x200;
		snprintf(what, sizeof(what), "H5 HvCallTranslateVirtualAddress on %lu:0", pid);
		check_status(what, hv_do_hypercall(HVCALL_TRANSLATE_VIRTUAL_ADDRESS, input_gpa, input_gpa + 2048),
			     HV_STATUS_ACCESS_DENIED);
		snprintf(what, sizeof(what), "H5 HvCallTranslateVirtualAddressEx on %lu:0", pid);
		check_status(what, hv_do_hypercall(HVCALL_TRANSLATE_VIRTUAL_ADDRESS_EX, input_gpa, input_gpa + 2048),
			     HV_STATUS_ACCESS_DENIED);
	}
	memset(input, 0, 16);
	check_status("H5 MinihvReadTrace", hv_do_hypercall(MINIHV_CALL_READ_TRACE, input_gpa, input_gpa + 2048),
		     HV_STATUS_ACCESS_DENIED);
	check_status("H5 MinihvShutdown", hv_do_fast_hypercall(MINIHV_CALL_SHUTDOWN, 0, 0), HV_STATUS_ACCESS_DENIED);
	/* Denied before the input is looked at: even an input GPA outside RAM gets ACCESS_DENIED. */
	check_status("H5 MinihvWriteMemory with its input outside RAM",
		     hv_do_hypercall(MINIHV_CALL_WRITE_MEMORY, 1ull << 40, 0), HV_STATUS_ACCESS_DENIED);
	case_end("H5 every management call from a guest partition -> ACCESS_DENIED (aimed at partitions 0 and 1)");
}

void h6_gpas(const struct minihv_boot_info *bi, u64 cr3)
{
	case_begin();
	u64 good[3] = { cr3, HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, 0 };
	memcpy(input, good, sizeof(good));
	check_status("H6 Space, valid input", hv_do_hypercall(SPACE, input_gpa, 0), HV_STATUS_SUCCESS);
	/* Outside RAM: just past it, ending past it, far above it, at the top of the 64-bit space. */
	u64 outside[] = { bi->ram_size, bi->ram_size - 16, 1ull << 40, 1ull << 52, 0xfffffffffffffff8ull };
	for (u32 i = 0; i < ARRAY_SIZE(outside); i++) {
		char what[80];
		snprintf(what, sizeof(what), "H6 Space input at GPA 0x%lx", outside[i]);
		check_status(what, hv_do_hypercall(SPACE, outside[i], 0), HV_STATUS_INVALID_ALIGNMENT);
	}
	/* A call without output ignores the output GPA, whatever it is (TLFS). */
	check_status("H6 Space with output GPA 2^63+4 (no output: ignored)", hv_do_hypercall(SPACE, input_gpa, BIT(63) | 4),
		     HV_STATUS_SUCCESS);
	/* Across a page boundary: the list starts 8 bytes before a page end. */
	u8 *two = page_alloc(2);
	guest_check(two, "evil: out of pages");
	memcpy(two + PAGE_SIZE - 8, good, sizeof(good));
	check_status("H6 Space input across a page boundary",
		     hv_do_hypercall(SPACE, (u64)(uintptr_t)two + PAGE_SIZE - 8, 0), HV_STATUS_INVALID_ALIGNMENT);
	/* On the hypercall page: the input is what the guest sees there (VMCALL; RET; INT3...), whose
	 * "flags" qword 0xcccc... is reserved -> INVALID_PARAMETER. */
	u64 page = hv_features()->hypercall_gpa;
	check_status("H6 Space input on the hypercall page", hv_do_hypercall(SPACE, page, 0), HV_STATUS_INVALID_PARAMETER);
	check_status("H6 Space input at the hypercall page's last 8 bytes (crosses out of it)",
		     hv_do_hypercall(SPACE, page + PAGE_SIZE - 8, 0), HV_STATUS_INVALID_ALIGNMENT);
	/* Move the page over RAM that holds a valid input: the overlay, not the RAM it hides, is read.
	 * (Plain VMCALLs: the old page address is RAM again while the page is elsewhere.) */
	u64 *q = page_alloc(1);
	guest_check(q, "evil: out of pages");
	memcpy(q, good, sizeof(good));
	u64 qgpa = (u64)(uintptr_t)q;
	check_status("H6 Space input at a RAM page holding a valid input", hypercall(SPACE, qgpa, 0), HV_STATUS_SUCCESS);
	u64 hc;
	rdmsr_safe(HV_X64_MSR_HYPERCALL, &hc);
	check(wrmsr_safe(HV_X64_MSR_HYPERCALL, qgpa | HV_X64_MSR_HYPERCALL_ENABLE) == NO_FAULT,
	      "H6 moving the hypercall page to 0x%lx faulted", qgpa);
	check_status("H6 the same input GPA once the hypercall page covers it", hypercall(SPACE, qgpa, 0),
		     HV_STATUS_INVALID_PARAMETER);
	check(wrmsr_safe(HV_X64_MSR_HYPERCALL, hc) == NO_FAULT, "H6 moving the hypercall page back faulted");
	check(q[1] == good[1], "H6 the RAM under the moved page changed (flags qword 0x%lx)", q[1]);
	check_status("H6 the same input GPA with the page moved away again", hypercall(SPACE, qgpa, 0),
		     HV_STATUS_SUCCESS);
	check_status("H6 the hypercall page answers at its old place", hv_do_fast_hypercall(UNKNOWN_CODE, 0, 0),
		     HV_STATUS_INVALID_HYPERCALL_CODE);
	case_end("H6 input GPAs outside RAM or across a page -> INVALID_ALIGNMENT; output GPA of a call without "
		 "output ignored; input on the hypercall page reads the page as the guest sees it");
}

void h11_send_ipi(void)
{
	case_begin();
	u32 n = vp_count();
	check_status("H11 MinihvSendIpi vector 0", hv_do_fast_hypercall(MINIHV_CALL_SEND_IPI, 0, 0),
		     HV_STATUS_INVALID_PARAMETER);
	check_status("H11 MinihvSendIpi vector 31", hv_do_fast_hypercall(MINIHV_CALL_SEND_IPI, 0, 31),
		     HV_STATUS_INVALID_PARAMETER);
	check_status("H11 MinihvSendIpi vector 256", hv_do_fast_hypercall(MINIHV_CALL_SEND_IPI, 0, 256),
		     HV_STATUS_INVALID_PARAMETER);
	check_status("H11 MinihvSendIpi to VP count", hv_do_fast_hypercall(MINIHV_CALL_SEND_IPI, n, 0x40),
		     HV_STATUS_INVALID_PARAMETER);
	check_status("H11 MinihvSendIpi to VP 2^32", hv_do_fast_hypercall(MINIHV_CALL_SEND_IPI, 1ull << 32, 0x40),
		     HV_STATUS_INVALID_PARAMETER);
	case_end("H11 MinihvSendIpi with vectors 0, 31, 256 or a VP it does not have -> INVALID_PARAMETER");
}
