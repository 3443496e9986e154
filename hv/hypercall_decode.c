/* Hypercall input value decoding, the call table and the memory-form GPA rules. Pure logic: host
 * tests link this file (tests/unit/test_hypercall_decode.c). */
#include "hv_hypercall.h"

/*
 * Every call minihv implements. Sizes are the TLFS memory-form layouts (hypercalls/HvCall*.md).
 * Keep one line per call; minihv's private calls (MINIHV_CALL_*, 0x7f01..) and management calls
 * go here too.
 */
static const struct hv_call_info hv_calls[] = {
	/* code, name, rep, var_header, fast, management_only, in, in_rep, out, out_rep */
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, "HvCallFlushVirtualAddressSpace",
	  false, false, true, false, 24, 0, 0, 0 },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, "HvCallFlushVirtualAddressList",
	  true, false, true, false, 24, 8, 0, 0 },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, "HvCallFlushVirtualAddressSpaceEx",
	  false, true, true, false, 32, 0, 0, 0 },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, "HvCallFlushVirtualAddressListEx",
	  true, true, true, false, 32, 8, 0, 0 },
	/* TLFS: the caller must be the parent, or self with AccessVpRegisters. minihv grants that
	 * privilege to no guest, so only the management partition (the "parent") may call these. */
	{ HVCALL_GET_VP_REGISTERS, "HvCallGetVpRegisters",
	  true, false, false, true, 16, 4, 0, 16 },
	{ HVCALL_SET_VP_REGISTERS, "HvCallSetVpRegisters",
	  true, false, false, true, 16, 32, 0, 0 },
	/* TLFS: the caller must be the target's parent: the management partition (docs/api.md). The Ex
	 * output is OpenVMM's 0x40-byte layout with EventInfo zero. */
	{ HVCALL_TRANSLATE_VIRTUAL_ADDRESS, "HvCallTranslateVirtualAddress",
	  false, false, false, true, 32, 0, 16, 0 },
	{ HVCALL_TRANSLATE_VIRTUAL_ADDRESS_EX, "HvCallTranslateVirtualAddressEx",
	  false, false, false, true, 32, 0, 64, 0 },
	/* minihv's own calls (include/abi/minihv_abi.h). Outputs of variable size (memory, trace) are
	 * declared 0 here and checked by the call itself. */
	{ MINIHV_CALL_EXIT, "MinihvExit", false, false, true, false, 0, 0, 0, 0 },
	{ MINIHV_CALL_SEND_IPI, "MinihvSendIpi", false, false, true, false, 0, 0, 0, 0 },
	{ MINIHV_CALL_SET_TLB_FLUSH_INHIBIT, "MinihvSetTlbFlushInhibit", false, false, false, true, 24, 0, 0, 0 },
	{ MINIHV_CALL_GET_PARTITION, "MinihvGetPartition", false, false, false, true, 16, 0, 0, 0 },
	{ MINIHV_CALL_GET_VP, "MinihvGetVp", false, false, false, true, 16, 0, 0, 0 },
	{ MINIHV_CALL_READ_MEMORY, "MinihvReadMemory", false, false, false, true, 24, 0, 0, 0 },
	{ MINIHV_CALL_WRITE_MEMORY, "MinihvWriteMemory", false, false, false, true, 24, 0, 0, 0 },
	{ MINIHV_CALL_READ_TRACE, "MinihvReadTrace", false, false, false, true, 16, 0, 0, 0 },
	{ MINIHV_CALL_SHUTDOWN, "MinihvShutdown", false, false, true, true, 0, 0, 0, 0 },
};

const struct hv_call_info *hv_call_lookup(u16 code)
{
	for (size_t i = 0; i < ARRAY_SIZE(hv_calls); i++)
		if (hv_calls[i].code == code)
			return &hv_calls[i];
	return NULL;
}

u16 hv_hypercall_decode(u64 control, struct hv_hypercall_input *in)
{
	in->code = (u16)(control & HV_HYPERCALL_CODE_MASK);
	in->fast = control & HV_HYPERCALL_FAST_BIT;
	in->is_nested = control & HV_HYPERCALL_NESTED;
	in->var_header_qwords = (u16)((control & HV_HYPERCALL_VARHEAD_MASK) >> HV_HYPERCALL_VARHEAD_OFFSET);
	in->rep_count = (u16)((control & HV_HYPERCALL_REP_COMP_MASK) >> HV_HYPERCALL_REP_COMP_OFFSET);
	in->rep_start = (u16)((control & HV_HYPERCALL_REP_START_MASK) >> HV_HYPERCALL_REP_START_OFFSET);
	in->call = hv_call_lookup(in->code);

	/* TLFS: a reserved bit in the hypercall input value is non-zero -> INVALID_HYPERCALL_INPUT */
	if (control & HV_HYPERCALL_RSVD_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* Is Nested asks for the L0 hypervisor; minihv is L0 and not nested, so the bit is as
	 * unsupported as a reserved one (KVM answers the same). */
	if (in->is_nested)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;

	const struct hv_call_info *call = in->call;
	/* TLFS: the hypercall code is not recognized -> INVALID_HYPERCALL_CODE */
	if (!call)
		return HV_STATUS_INVALID_HYPERCALL_CODE;

	if (call->rep) {
		/* TLFS: a zero rep count is passed to a rep call -> INVALID_HYPERCALL_INPUT */
		if (in->rep_count == 0)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		/* TLFS: rep start index >= rep count is invalid */
		if (in->rep_start >= in->rep_count)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
	} else {
		/* TLFS: Rep Count and Rep Start Index "must be zero otherwise" (simple call) */
		if (in->rep_count != 0 || in->rep_start != 0)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	/* TLFS: a non-zero variable header size on a call not documented to accept one is illegal */
	if (in->var_header_qwords && !call->var_header)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* The register-based convention exists for "a subset of hypercalls" (TLFS); for the others the
	 * encoding of the input value is not supported, which is what INVALID_HYPERCALL_INPUT means. */
	if (in->fast && !call->fast)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return HV_STATUS_SUCCESS;
}

u32 hv_hypercall_input_size(const struct hv_hypercall_input *in)
{
	const struct hv_call_info *call = in->call;
	if (!call)
		return 0;
	/* TLFS: the rep elements lie after the fixed + variable header; structures are padded to 8 */
	u32 size = call->input_size + 8u * in->var_header_qwords + (u32)call->input_rep_size * in->rep_count;
	return (u32)ALIGN_UP(size, 8);
}

u32 hv_hypercall_output_size(const struct hv_hypercall_input *in)
{
	const struct hv_call_info *call = in->call;
	if (!call)
		return 0;
	u32 size = call->output_size + (u32)call->output_rep_size * in->rep_count;
	return (u32)ALIGN_UP(size, 8);
}

/* One parameter list: TLFS-md "Alignment Requirements" + "Common Hypercall Status Codes". */
static u16 check_list(u64 gpa, u32 size, u64 ram_size)
{
	/* TLFS: GPA pointers must be 8-byte aligned -> INVALID_ALIGNMENT */
	if (!IS_ALIGNED(gpa, 8))
		return HV_STATUS_INVALID_ALIGNMENT;
	/* TLFS: the parameter lists cannot cross page boundaries -> INVALID_ALIGNMENT */
	if ((gpa & (PAGE_SIZE - 1)) + size > PAGE_SIZE)
		return HV_STATUS_INVALID_ALIGNMENT;
	/* TLFS: a GPA pointer not within the bounds of the GPA space -> INVALID_ALIGNMENT */
	if (gpa >= ram_size || size > ram_size - gpa)
		return HV_STATUS_INVALID_ALIGNMENT;
	return HV_STATUS_SUCCESS;
}

u16 hv_hypercall_check_gpas(const struct hv_hypercall_input *in, u64 input_gpa, u64 output_gpa,
			    u64 ram_size)
{
	if (in->fast || !in->call)
		return HV_STATUS_SUCCESS;
	u32 in_size = hv_hypercall_input_size(in);
	u32 out_size = hv_hypercall_output_size(in);
	u16 status;

	/* TLFS: a call without input (output) parameters ignores the corresponding GPA */
	if (in_size && (status = check_list(input_gpa, in_size, ram_size)) != HV_STATUS_SUCCESS)
		return status;
	if (out_size && (status = check_list(output_gpa, out_size, ram_size)) != HV_STATUS_SUCCESS)
		return status;
	/* TLFS: the input and output parameter lists cannot overlap. No status is documented for it;
	 * INVALID_PARAMETER is the generic "an invalid parameter was specified". Both lists lie within
	 * RAM (checked above), so the sums do not wrap. */
	if (in_size && out_size && input_gpa < output_gpa + out_size && output_gpa < input_gpa + in_size)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}
