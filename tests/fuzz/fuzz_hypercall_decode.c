/* libFuzzer harness: hv/hypercall_decode.c (the hypercall input value, the call table, the GPA rules).
 * Input: control (RCX), input GPA, output GPA, partition RAM size; 8 bytes each, little-endian. */
#include "fuzz.h"
#include "hv/hv_hypercall.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	u64 control, in_gpa, out_gpa, ram;
	fuzz_take(&data, &size, &control, 8);
	fuzz_take(&data, &size, &in_gpa, 8);
	fuzz_take(&data, &size, &out_gpa, 8);
	fuzz_take(&data, &size, &ram, 8);

	struct hv_hypercall_input in;
	u16 status = hv_hypercall_decode(control, &in);
	FUZZ_CHECK(status == HV_STATUS_SUCCESS || status == HV_STATUS_INVALID_HYPERCALL_INPUT ||
		   status == HV_STATUS_INVALID_HYPERCALL_CODE);
	if (status != HV_STATUS_SUCCESS)
		return 0;
	/* A successful decode names an implemented call and satisfies the TLFS rep rules. */
	FUZZ_CHECK(in.call && in.call->code == in.code);
	FUZZ_CHECK(!(control & HV_HYPERCALL_RSVD_MASK));
	if (in.call->rep)
		FUZZ_CHECK(in.rep_count && in.rep_start < in.rep_count);
	else
		FUZZ_CHECK(!in.rep_count && !in.rep_start);
	FUZZ_CHECK(!in.fast || in.call->fast);

	u32 in_size = hv_hypercall_input_size(&in), out_size = hv_hypercall_output_size(&in);
	FUZZ_CHECK(in_size % 8 == 0 && out_size % 8 == 0);
	status = hv_hypercall_check_gpas(&in, in_gpa, out_gpa, ram);
	if (status != HV_STATUS_SUCCESS || in.fast)
		return 0;
	/* Accepted lists lie in RAM, in one page, 8-aligned, and do not overlap. */
	if (in_size) {
		FUZZ_CHECK(in_gpa % 8 == 0 && in_gpa < ram && in_size <= ram - in_gpa);
		FUZZ_CHECK((in_gpa & 4095) + in_size <= 4096);
	}
	if (out_size) {
		FUZZ_CHECK(out_gpa % 8 == 0 && out_gpa < ram && out_size <= ram - out_gpa);
		FUZZ_CHECK((out_gpa & 4095) + out_size <= 4096);
	}
	if (in_size && out_size)
		FUZZ_CHECK(in_gpa + in_size <= out_gpa || out_gpa + out_size <= in_gpa);
	return 0;
}
