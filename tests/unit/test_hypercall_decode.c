/* hv/hypercall_decode.c: the hypercall input value, the call table and the memory-form GPA rules.
 * Cases 11-15 of docs/tlfs-cases.md §8 (B, input validation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/hv_hypercall.h"

#define RAM_SIZE MiB(64)

static u64 control(u16 code, bool fast, u16 var_header, u16 rep_count, u16 rep_start)
{
	return (u64)code | (fast ? HV_HYPERCALL_FAST_BIT : 0) |
	       ((u64)var_header << HV_HYPERCALL_VARHEAD_OFFSET) |
	       ((u64)rep_count << HV_HYPERCALL_REP_COMP_OFFSET) |
	       ((u64)rep_start << HV_HYPERCALL_REP_START_OFFSET);
}

static u16 decode(u64 rcx)
{
	struct hv_hypercall_input in;
	return hv_hypercall_decode(rcx, &in);
}

static void test_fields(void **state)
{
	struct hv_hypercall_input in;
	u64 rcx = control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, true, 3, 10, 4);
	assert_int_equal(hv_hypercall_decode(rcx, &in), HV_STATUS_SUCCESS);
	assert_int_equal(in.code, HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX);
	assert_true(in.fast);
	assert_false(in.is_nested);
	assert_int_equal(in.var_header_qwords, 3);
	assert_int_equal(in.rep_count, 10);
	assert_int_equal(in.rep_start, 4);
	assert_non_null(in.call);
	assert_string_equal(in.call->name, "HvCallFlushVirtualAddressListEx");

	/* Field extremes: 10-bit variable header, 12-bit rep count and start. */
	rcx = control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, false, 1023, 4095, 4094);
	assert_int_equal(hv_hypercall_decode(rcx, &in), HV_STATUS_SUCCESS);
	assert_false(in.fast);
	assert_int_equal(in.var_header_qwords, 1023);
	assert_int_equal(in.rep_count, 4095);
	assert_int_equal(in.rep_start, 4094);
}

static void test_table(void **state)
{
	const struct hv_call_info *c = hv_call_lookup(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE);
	assert_non_null(c);
	assert_false(c->rep);
	assert_false(c->var_header);
	assert_true(c->fast);
	assert_false(c->management_only);
	assert_int_equal(c->input_size, 24);

	c = hv_call_lookup(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST);
	assert_true(c->rep && !c->var_header && c->input_size == 24 && c->input_rep_size == 8);
	c = hv_call_lookup(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX);
	assert_true(!c->rep && c->var_header && c->input_size == 32);
	c = hv_call_lookup(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX);
	assert_true(c->rep && c->var_header && c->input_size == 32 && c->input_rep_size == 8);
	c = hv_call_lookup(HVCALL_GET_VP_REGISTERS);
	assert_true(c->rep && c->management_only && c->input_size == 16 && c->input_rep_size == 4 &&
		    c->output_rep_size == 16);
	c = hv_call_lookup(HVCALL_SET_VP_REGISTERS);
	assert_true(c->rep && c->management_only && c->input_rep_size == 32 && c->output_rep_size == 0);
	c = hv_call_lookup(HVCALL_TRANSLATE_VIRTUAL_ADDRESS);
	assert_true(!c->rep && !c->fast && c->management_only && c->input_size == 32 && c->output_size == 16);
	c = hv_call_lookup(HVCALL_TRANSLATE_VIRTUAL_ADDRESS_EX);
	assert_true(!c->rep && !c->fast && c->management_only && c->input_size == 32 && c->output_size == 0x40);
	assert_null(hv_call_lookup(0x0000));
	assert_null(hv_call_lookup(0xffff));
}

/* §8 case 11: an unknown call code -> 0x0002. */
static void test_unknown_code(void **state)
{
	static const u16 codes[] = { 0x0000, 0x0001, 0x0004, 0x0012, 0x0015, 0x0046, 0x004f, 0x0053,
				     0x8001, 0xffff };
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		struct hv_hypercall_input in;
		assert_int_equal(hv_hypercall_decode(control(codes[i], false, 0, 0, 0), &in),
				 HV_STATUS_INVALID_HYPERCALL_CODE);
		assert_null(in.call);
		/* rep fields do not change the answer for an unknown code */
		assert_int_equal(decode(control(codes[i], true, 1, 5, 1)), HV_STATUS_INVALID_HYPERCALL_CODE);
	}
}

/* §8 case 12: reserved input bits 30:27, 47:44, 63:60 -> 0x0003; Is Nested (31) too. */
static void test_reserved_bits(void **state)
{
	static const unsigned bits[] = { 27, 28, 29, 30, 44, 45, 46, 47, 60, 61, 62, 63 };
	for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
		u64 rcx = control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0, 0, 0) | BIT(bits[i]);
		assert_int_equal(decode(rcx), HV_STATUS_INVALID_HYPERCALL_INPUT);
		rcx = control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, true, 0, 1, 0) | BIT(bits[i]);
		assert_int_equal(decode(rcx), HV_STATUS_INVALID_HYPERCALL_INPUT);
		/* checked before the call code, as KVM does */
		assert_int_equal(decode(control(0x0099, false, 0, 0, 0) | BIT(bits[i])),
				 HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	assert_int_equal(HV_HYPERCALL_RSVD_MASK, 0xf000f00078000000ull);

	struct hv_hypercall_input in;
	u64 rcx = control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0, 0, 0) | HV_HYPERCALL_NESTED;
	assert_int_equal(hv_hypercall_decode(rcx, &in), HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_true(in.is_nested);
}

/* §8 case 13: rep count / rep start rules. */
static void test_rep_rules(void **state)
{
	/* simple calls: any rep field -> 0x0003 */
	assert_int_equal(decode(control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0, 1, 0)),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0, 0, 1)),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, false, 1, 2, 0)),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0, 0, 0)), HV_STATUS_SUCCESS);

	static const u16 rep_codes[] = { HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX,
					 HVCALL_GET_VP_REGISTERS, HVCALL_SET_VP_REGISTERS };
	for (size_t i = 0; i < ARRAY_SIZE(rep_codes); i++) {
		u16 code = rep_codes[i];
		/* rep call with rep count 0 */
		assert_int_equal(decode(control(code, false, 0, 0, 0)), HV_STATUS_INVALID_HYPERCALL_INPUT);
		/* rep start >= rep count */
		assert_int_equal(decode(control(code, false, 0, 5, 5)), HV_STATUS_INVALID_HYPERCALL_INPUT);
		assert_int_equal(decode(control(code, false, 0, 5, 6)), HV_STATUS_INVALID_HYPERCALL_INPUT);
		assert_int_equal(decode(control(code, false, 0, 0, 1)), HV_STATUS_INVALID_HYPERCALL_INPUT);
		/* a continuation (start < count) is valid: KVM refuses it, the TLFS does not */
		assert_int_equal(decode(control(code, false, 0, 5, 4)), HV_STATUS_SUCCESS);
		assert_int_equal(decode(control(code, false, 0, 5, 0)), HV_STATUS_SUCCESS);
		assert_int_equal(decode(control(code, false, 0, 4095, 4094)), HV_STATUS_SUCCESS);
	}
}

/* §8 case 14, decoder part: a variable header on a call that has none -> 0x0003. */
static void test_var_header(void **state)
{
	assert_int_equal(decode(control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 1, 0, 0)),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false, 1, 1, 0)),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, true, 1023, 1, 0)),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(control(HVCALL_SET_VP_REGISTERS, false, 2, 1, 0)),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, false, 2, 0, 0)), HV_STATUS_SUCCESS);
	assert_int_equal(decode(control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, false, 2, 1, 0)), HV_STATUS_SUCCESS);
}

static void test_fast_allowed(void **state)
{
	assert_int_equal(decode(control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, true, 0, 0, 0)), HV_STATUS_SUCCESS);
	assert_int_equal(decode(control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, true, 1, 2, 0)), HV_STATUS_SUCCESS);
	assert_int_equal(decode(control(HVCALL_GET_VP_REGISTERS, true, 0, 1, 0)), HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(control(HVCALL_SET_VP_REGISTERS, true, 0, 1, 0)), HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static struct hv_hypercall_input decoded(u16 code, bool fast, u16 var_header, u16 rep_count, u16 rep_start)
{
	struct hv_hypercall_input in;
	assert_int_equal(hv_hypercall_decode(control(code, fast, var_header, rep_count, rep_start), &in),
			 HV_STATUS_SUCCESS);
	return in;
}

static void test_sizes(void **state)
{
	struct hv_hypercall_input in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0, 0, 0);
	assert_int_equal(hv_hypercall_input_size(&in), 24);
	assert_int_equal(hv_hypercall_output_size(&in), 0);
	in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false, 0, 509, 0);
	assert_int_equal(hv_hypercall_input_size(&in), 4096);
	/* every rep counts, whatever the start index: the list stays where it was */
	in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false, 0, 10, 7);
	assert_int_equal(hv_hypercall_input_size(&in), 24 + 80);
	in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, false, 2, 3, 0);
	assert_int_equal(hv_hypercall_input_size(&in), 32 + 16 + 24);
	in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, false, 0, 0, 0);
	assert_int_equal(hv_hypercall_input_size(&in), 32);
	/* 4-byte register names, padded to 8 */
	in = decoded(HVCALL_GET_VP_REGISTERS, false, 0, 3, 0);
	assert_int_equal(hv_hypercall_input_size(&in), 32);
	assert_int_equal(hv_hypercall_output_size(&in), 48);
	in = decoded(HVCALL_SET_VP_REGISTERS, false, 0, 2, 0);
	assert_int_equal(hv_hypercall_input_size(&in), 16 + 64);
	assert_int_equal(hv_hypercall_output_size(&in), 0);
}

/* §8 case 15: an input GPA not 8-byte aligned, or a list that crosses a 4 KiB page -> 0x0004. */
static void test_gpa_alignment(void **state)
{
	struct hv_hypercall_input in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0, 0, 0);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0, RAM_SIZE), HV_STATUS_SUCCESS);
	for (u64 off = 1; off < 8; off++)
		assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000 + off, 0, RAM_SIZE), HV_STATUS_INVALID_ALIGNMENT);
	/* 24 bytes: the last offset that fits is 4096 - 24 */
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000 + 4096 - 24, 0, RAM_SIZE), HV_STATUS_SUCCESS);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000 + 4096 - 16, 0, RAM_SIZE), HV_STATUS_INVALID_ALIGNMENT);

	/* 509 GVA entries fill a page exactly (Linux's limit); 510 cross it */
	in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false, 0, 509, 0);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0, RAM_SIZE), HV_STATUS_SUCCESS);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5008, 0, RAM_SIZE), HV_STATUS_INVALID_ALIGNMENT);
	in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false, 0, 510, 0);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0, RAM_SIZE), HV_STATUS_INVALID_ALIGNMENT);
	/* one entry at the end of a page: 32 bytes */
	in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false, 0, 1, 0);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5fe0, 0, RAM_SIZE), HV_STATUS_SUCCESS);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5fe8, 0, RAM_SIZE), HV_STATUS_INVALID_ALIGNMENT);
	/* the variable header counts: Ex, 32 + 64 banks + 444 entries = 4096 bytes */
	in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, false, 64, 444, 0);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0, RAM_SIZE), HV_STATUS_SUCCESS);
	in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, false, 64, 445, 0);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0, RAM_SIZE), HV_STATUS_INVALID_ALIGNMENT);
}

static void test_gpa_bounds(void **state)
{
	struct hv_hypercall_input in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0, 0, 0);
	/* TLFS: not within the GPA space -> INVALID_ALIGNMENT */
	assert_int_equal(hv_hypercall_check_gpas(&in, RAM_SIZE - 4096, 0, RAM_SIZE), HV_STATUS_SUCCESS);
	assert_int_equal(hv_hypercall_check_gpas(&in, RAM_SIZE, 0, RAM_SIZE), HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(hv_hypercall_check_gpas(&in, RAM_SIZE + 0x10000, 0, RAM_SIZE), HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0xfffffffffffff000ull, 0, RAM_SIZE),
			 HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0xffffffffffffffd0ull, 0, ~0ull), HV_STATUS_SUCCESS);
	/* a RAM size that is not a page multiple: the list must still end inside it */
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x1000, 0, 0x1010), HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x1000, 0, 0x1018), HV_STATUS_SUCCESS);
}

static void test_gpa_output_and_overlap(void **state)
{
	/* Flush calls have no output: the output GPA is ignored (TLFS), whatever it holds. */
	struct hv_hypercall_input in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false, 0, 4, 0);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0x5003, RAM_SIZE), HV_STATUS_SUCCESS);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0x5000, RAM_SIZE), HV_STATUS_SUCCESS);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, ~0ull, RAM_SIZE), HV_STATUS_SUCCESS);

	/* HvCallGetVpRegisters, 2 reps: input 16 + 8 = 24 bytes, output 32 bytes */
	in = decoded(HVCALL_GET_VP_REGISTERS, false, 0, 2, 0);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0x6000, RAM_SIZE), HV_STATUS_SUCCESS);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0x6004, RAM_SIZE), HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0x6fe8, RAM_SIZE), HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, RAM_SIZE, RAM_SIZE), HV_STATUS_INVALID_ALIGNMENT);
	/* same page, adjacent: fine; overlapping: INVALID_PARAMETER */
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0x5018, RAM_SIZE), HV_STATUS_SUCCESS);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5020, 0x5000, RAM_SIZE), HV_STATUS_SUCCESS);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0x5010, RAM_SIZE), HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5018, 0x5000, RAM_SIZE), HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0x5000, RAM_SIZE), HV_STATUS_INVALID_PARAMETER);

	/* fast calls pass no GPAs */
	in = decoded(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, true, 0, 0, 0);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x1234567, 0x7, RAM_SIZE), HV_STATUS_SUCCESS);
}

static void test_result_helpers(void **state)
{
	assert_int_equal(hv_hypercall_result(HV_STATUS_SUCCESS, 10), 10ull << 32);
	assert_int_equal(hv_hypercall_result(HV_STATUS_INVALID_PARAMETER, 0), 5);
	assert_int_equal(hv_hypercall_result(HV_STATUS_SUCCESS, 4095) & ~HV_HYPERCALL_REP_COMP_MASK, 0);

	u64 rcx = control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false, 0, 25, 0);
	u64 next = hv_hypercall_set_rep_start(rcx, 20);
	struct hv_hypercall_input in;
	assert_int_equal(hv_hypercall_decode(next, &in), HV_STATUS_SUCCESS);
	assert_int_equal(in.rep_start, 20);
	assert_int_equal(in.rep_count, 25);
	assert_int_equal(next & ~HV_HYPERCALL_REP_START_MASK, rcx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_unknown_code),
		cmocka_unit_test(test_reserved_bits),
		cmocka_unit_test(test_rep_rules),
		cmocka_unit_test(test_var_header),
		cmocka_unit_test(test_fast_allowed),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_gpa_alignment),
		cmocka_unit_test(test_gpa_bounds),
		cmocka_unit_test(test_gpa_output_and_overlap),
		cmocka_unit_test(test_result_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
