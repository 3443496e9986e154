/* hv/flush_input.c: the four flush hypercalls' input, memory and fast forms (docs/tlfs-cases.md §3,
 * §8 cases 14, 16-18, 20, 23-28, 32), plus the GVA range and single-context-flush helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/hv_hypercall.h"
#include "tests/vp_bitmap_count.h"

#define SPACE HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE
#define LIST HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST
#define SPACE_EX HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX
#define LIST_EX HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX

#define VPS 8          /* default partition VP count */
#define MAXPHYADDR 46
#define CR3 0x1234000ull

static const u16 all_codes[] = { SPACE, LIST, SPACE_EX, LIST_EX };

static bool is_ex(u16 code)
{
	return code == SPACE_EX || code == LIST_EX;
}

static bool is_list(u16 code)
{
	return code == LIST || code == LIST_EX;
}

/* Decodes RCX as the exit handler does; the test fails if the decoder refuses it. */
static struct hv_hypercall_input input(u16 code, bool fast, u16 var_header, u16 rep_count, u16 rep_start)
{
	u64 rcx = (u64)code | (fast ? HV_HYPERCALL_FAST_BIT : 0) |
		  ((u64)var_header << HV_HYPERCALL_VARHEAD_OFFSET) |
		  ((u64)rep_count << HV_HYPERCALL_REP_COMP_OFFSET) |
		  ((u64)rep_start << HV_HYPERCALL_REP_START_OFFSET);
	struct hv_hypercall_input in;
	assert_int_equal(hv_hypercall_decode(rcx, &in), HV_STATUS_SUCCESS);
	return in;
}

/* The smallest valid input of each call (one target, VP 1; one GVA entry for List), memory form:
 * fills q and returns the decoded input value. */
static struct hv_hypercall_input minimal(u16 code, u64 *q, u32 *n)
{
	q[0] = CR3;
	q[1] = 0;
	if (is_ex(code)) {
		q[2] = HV_GENERIC_SET_SPARSE_4K;
		q[3] = 0x1;
		q[4] = 0x2;
		q[5] = 0x7000;
		*n = is_list(code) ? 6 : 5;
		return input(code, false, 1, is_list(code) ? 1 : 0, 0);
	}
	q[2] = 0x2;
	q[3] = 0x7000;
	*n = is_list(code) ? 4 : 3;
	return input(code, false, 0, is_list(code) ? 1 : 0, 0);
}

static u16 parse(const struct hv_hypercall_input *in, const u64 *q, u32 n, struct hv_flush_request *req)
{
	return hv_flush_parse(in, q, n, identity_map(VPS), MAXPHYADDR, req);
}

static void test_space(void **state)
{
	u64 q[] = { CR3, 0, 0x5 };
	struct hv_hypercall_input in = input(SPACE, false, 0, 0, 0);
	struct hv_flush_request req;
	assert_int_equal(parse(&in, q, 3, &req), HV_STATUS_SUCCESS);
	assert_int_equal(req.code, SPACE);
	assert_int_equal(req.address_space, CR3);
	assert_int_equal(req.flags, 0);
	assert_false(req.all_processors);
	assert_int_equal(hv_vp_bitmap_weight(&req.targets), 2);
	assert_true(hv_vp_bitmap_test(&req.targets, 0) && hv_vp_bitmap_test(&req.targets, 2));
	assert_int_equal(req.gva_count, 0);

	/* NON_GLOBAL_MAPPINGS_ONLY is fine on Space (Linux's full flush uses it) */
	q[1] = HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES;
	assert_int_equal(parse(&in, q, 3, &req), HV_STATUS_SUCCESS);
	assert_int_equal(req.flags, q[1]);
}

/* §8 case 25: ALL_PROCESSORS targets every VP (the caller included) and ignores the mask. */
static void test_all_processors(void **state)
{
	u64 q[] = { 0, HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, 0, 0x7000 };
	struct hv_flush_request req;
	struct hv_hypercall_input in = input(SPACE, false, 0, 0, 0);
	assert_int_equal(parse(&in, q, 3, &req), HV_STATUS_SUCCESS);
	assert_true(req.all_processors);
	assert_int_equal(hv_vp_bitmap_weight(&req.targets), VPS);
	in = input(LIST, false, 0, 1, 0);
	q[2] = 0x1;
	assert_int_equal(parse(&in, q, 4, &req), HV_STATUS_SUCCESS);
	assert_true(req.all_processors);
	assert_int_equal(hv_vp_bitmap_weight(&req.targets), VPS);
	assert_int_equal(req.gva_count, 1);
	assert_int_equal(req.gva_index, 3);

	/* on an Ex call the flag wins over a sparse set, which must still be well formed */
	u64 e[] = { 0, HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, HV_GENERIC_SET_SPARSE_4K, 0x1, 0x2 };
	in = input(SPACE_EX, false, 1, 0, 0);
	assert_int_equal(parse(&in, e, 5, &req), HV_STATUS_SUCCESS);
	assert_true(req.all_processors);
	assert_int_equal(hv_vp_bitmap_weight(&req.targets), VPS);
	e[2] = 7;
	assert_int_equal(parse(&in, e, 5, &req), HV_STATUS_INVALID_PARAMETER);
}

/* §8 case 16: reserved flag bits (63:4), and bit 3 (extended ranges, not advertised) -> 0x0005. */
static void test_reserved_flags(void **state)
{
	for (size_t c = 0; c < ARRAY_SIZE(all_codes); c++) {
		for (unsigned bit = 3; bit < 64; bit++) {
			u64 q[8];
			u32 n;
			struct hv_hypercall_input in = minimal(all_codes[c], q, &n);
			struct hv_flush_request req;
			assert_int_equal(parse(&in, q, n, &req), HV_STATUS_SUCCESS);
			q[1] = 1ull << bit;
			assert_int_equal(parse(&in, q, n, &req), HV_STATUS_INVALID_PARAMETER);
		}
	}
}

/* §8 case 17: NON_GLOBAL_MAPPINGS_ONLY on List / ListEx -> 0x0005 (TLFS). */
static void test_non_global_on_list(void **state)
{
	for (size_t c = 0; c < ARRAY_SIZE(all_codes); c++) {
		u64 q[8];
		u32 n;
		struct hv_hypercall_input in = minimal(all_codes[c], q, &n);
		struct hv_flush_request req;
		q[1] = HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY;
		assert_int_equal(parse(&in, q, n, &req),
				 is_list(all_codes[c]) ? HV_STATUS_INVALID_PARAMETER : HV_STATUS_SUCCESS);
	}
}

/* §8 case 18: ProcessorMask 0 without ALL_PROCESSORS -> minihv follows the TLFS: 0x0005. */
static void test_mask_zero(void **state)
{
	struct hv_flush_request req;
	u64 q[] = { CR3, 0, 0, 0x7000 };
	struct hv_hypercall_input in = input(SPACE, false, 0, 0, 0);
	assert_int_equal(parse(&in, q, 3, &req), HV_STATUS_INVALID_PARAMETER);
	in = input(LIST, false, 0, 1, 0);
	assert_int_equal(parse(&in, q, 4, &req), HV_STATUS_INVALID_PARAMETER);
	in = input(LIST, true, 0, 1, 0);
	assert_int_equal(parse(&in, q, 14, &req), HV_STATUS_INVALID_PARAMETER);

	/* a non-zero mask naming only VPs that do not exist: valid, nobody to flush */
	q[2] = 1ull << 40;
	assert_int_equal(parse(&in, q, 14, &req), HV_STATUS_SUCCESS);
	assert_true(hv_vp_bitmap_empty(&req.targets));
	assert_false(req.all_processors);
}

/* TLFS: reserved CR3 bits set while ALL_VIRTUAL_ADDRESS_SPACES is clear -> 0x0005. */
static void test_address_space(void **state)
{
	for (size_t c = 0; c < ARRAY_SIZE(all_codes); c++) {
		u64 q[8];
		u32 n;
		struct hv_hypercall_input in = minimal(all_codes[c], q, &n);
		struct hv_flush_request req;
		/* PCID / PWT / PCD bits are not reserved */
		q[0] = (1ull << MAXPHYADDR) - 1;
		assert_int_equal(parse(&in, q, n, &req), HV_STATUS_SUCCESS);
		for (unsigned bit = MAXPHYADDR; bit < 64; bit++) {
			q[0] = CR3 | (1ull << bit);
			q[1] = 0;
			assert_int_equal(parse(&in, q, n, &req), HV_STATUS_INVALID_PARAMETER);
			q[1] = HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES; /* AddressSpace ignored */
			assert_int_equal(parse(&in, q, n, &req), HV_STATUS_SUCCESS);
		}
	}
	/* the reserved range follows the guest's MAXPHYADDR */
	u64 q[] = { 1ull << 46, 0, 1 };
	struct hv_hypercall_input in = input(SPACE, false, 0, 0, 0);
	struct hv_flush_request req;
	assert_int_equal(hv_flush_parse(&in, q, 3, identity_map(VPS), 52, &req), HV_STATUS_SUCCESS);
	assert_int_equal(hv_flush_parse(&in, q, 3, identity_map(VPS), 46, &req), HV_STATUS_INVALID_PARAMETER);
}

/* §8 cases 26 and 14: Ex sparse sets, GVA entries after the banks, varhead == popcount. */
static void test_ex_sparse(void **state)
{
	struct hv_flush_request req;
	/* {VP65}: ValidBanksMask 0x2, varhead 1 */
	u64 q[] = { CR3, 0, HV_GENERIC_SET_SPARSE_4K, 0x2, 0x2, 0xa000, 0xb000 };
	struct hv_hypercall_input in = input(SPACE_EX, false, 1, 0, 0);
	assert_int_equal(hv_flush_parse(&in, q, 5, identity_map(128), MAXPHYADDR, &req), HV_STATUS_SUCCESS);
	assert_int_equal(hv_vp_bitmap_weight(&req.targets), 1);
	assert_true(hv_vp_bitmap_test(&req.targets, 65));

	/* {VP2, VP65}: varhead 2, ListEx entries at qword 6 */
	u64 r[] = { CR3, 0, HV_GENERIC_SET_SPARSE_4K, 0x3, 1ull << 2, 1ull << 1, 0xa000, 0xb000 };
	in = input(LIST_EX, false, 2, 2, 0);
	assert_int_equal(hv_flush_parse(&in, r, 8, identity_map(128), MAXPHYADDR, &req), HV_STATUS_SUCCESS);
	assert_int_equal(hv_vp_bitmap_weight(&req.targets), 2);
	assert_true(hv_vp_bitmap_test(&req.targets, 2) && hv_vp_bitmap_test(&req.targets, 65));
	assert_int_equal(req.gva_index, 6);
	assert_int_equal(req.gva_count, 2);
	assert_int_equal(r[req.gva_index], 0xa000);

	/* varhead != popcount(ValidBanksMask) -> 0x0003 */
	in = input(LIST_EX, false, 1, 2, 0);
	assert_int_equal(hv_flush_parse(&in, r, 8, identity_map(128), MAXPHYADDR, &req), HV_STATUS_INVALID_HYPERCALL_INPUT);
	in = input(SPACE_EX, false, 3, 0, 0);
	assert_int_equal(hv_flush_parse(&in, r, 8, identity_map(128), MAXPHYADDR, &req), HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* more than 64 banks -> 0x0005 */
	u64 big[4 + 65 + 1] = { CR3, 0, HV_GENERIC_SET_SPARSE_4K, ~0ull };
	in = input(LIST_EX, false, 65, 1, 0);
	assert_int_equal(hv_flush_parse(&in, big, 70, identity_map(128), MAXPHYADDR, &req), HV_STATUS_INVALID_PARAMETER);

	/* §8 case 28: a valid bank with no VP in it -> SUCCESS, no target */
	u64 z[] = { CR3, 0, HV_GENERIC_SET_SPARSE_4K, 0x1, 0 };
	in = input(SPACE_EX, false, 1, 0, 0);
	assert_int_equal(hv_flush_parse(&in, z, 5, identity_map(128), MAXPHYADDR, &req), HV_STATUS_SUCCESS);
	assert_true(hv_vp_bitmap_empty(&req.targets));
	assert_false(req.all_processors);
}

/* §8 case 27: Format ALL with varhead 0, and with varhead > 0 (the GVA list skips the banks). */
static void test_ex_all(void **state)
{
	struct hv_flush_request req;
	u64 q[] = { CR3, 0, HV_GENERIC_SET_ALL, 0, 0xa000 };
	struct hv_hypercall_input in = input(LIST_EX, false, 0, 1, 0);
	assert_int_equal(parse(&in, q, 5, &req), HV_STATUS_SUCCESS);
	assert_true(req.all_processors);
	assert_int_equal(hv_vp_bitmap_weight(&req.targets), VPS);
	assert_int_equal(req.gva_index, 4);

	u64 r[] = { CR3, 0, HV_GENERIC_SET_ALL, 0x3, 0x11, 0x22, 0xa000, 0xb000 };
	in = input(LIST_EX, false, 2, 2, 0);
	assert_int_equal(parse(&in, r, 8, &req), HV_STATUS_SUCCESS);
	assert_true(req.all_processors);
	assert_int_equal(req.gva_index, 6);
	assert_int_equal(req.gva_count, 2);
	/* with ALL the bank count need not match ValidBanksMask */
	in = input(LIST_EX, false, 1, 2, 0);
	assert_int_equal(parse(&in, r, 7, &req), HV_STATUS_SUCCESS);
	assert_int_equal(req.gva_index, 5);
	in = input(SPACE_EX, false, 0, 0, 0);
	assert_int_equal(parse(&in, r, 4, &req), HV_STATUS_SUCCESS);
	assert_true(req.all_processors);
}

/* §8 case 20: Ex Format not in {0, 1} -> 0x0005. */
static void test_ex_format(void **state)
{
	static const u64 formats[] = { 2, 3, 0xffffffff, ~0ull };
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		u64 q[] = { CR3, 0, formats[i], 0x1, 0x1, 0xa000 };
		struct hv_flush_request req;
		struct hv_hypercall_input in = input(SPACE_EX, false, 1, 0, 0);
		assert_int_equal(parse(&in, q, 5, &req), HV_STATUS_INVALID_PARAMETER);
		in = input(LIST_EX, true, 1, 1, 0);
		assert_int_equal(parse(&in, q, 14, &req), HV_STATUS_INVALID_PARAMETER);
	}
}

/* Fast form, as KVM decodes it: RDX = AddressSpace, R8 = Flags, then XMM0.lo, XMM0.hi, ... */
static void test_fast_layout(void **state)
{
	struct hv_flush_request req;
	/* Space: ProcessorMask in XMM0.lo */
	u64 regs[HV_FAST_INPUT_MAX_QWORDS] = { CR3, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, 0x6 };
	struct hv_hypercall_input in = input(SPACE, true, 0, 0, 0);
	assert_int_equal(parse(&in, regs, HV_FAST_INPUT_MAX_QWORDS, &req), HV_STATUS_SUCCESS);
	assert_true(hv_vp_bitmap_test(&req.targets, 1) && hv_vp_bitmap_test(&req.targets, 2));

	/* List: entries from XMM0.hi */
	regs[3] = 0xa000;
	regs[4] = 0xb003;
	in = input(LIST, true, 0, 2, 0);
	assert_int_equal(parse(&in, regs, HV_FAST_INPUT_MAX_QWORDS, &req), HV_STATUS_SUCCESS);
	assert_int_equal(req.gva_index, 3);
	assert_int_equal(req.gva_count, 2);

	/* Ex: {Format, ValidBanksMask} in XMM0, banks from XMM1.lo, then entries */
	u64 ex[HV_FAST_INPUT_MAX_QWORDS] = { CR3, 0, HV_GENERIC_SET_SPARSE_4K, 0x3, 0x1, 0x1, 0xa000 };
	in = input(LIST_EX, true, 2, 1, 0);
	assert_int_equal(hv_flush_parse(&in, ex, HV_FAST_INPUT_MAX_QWORDS, identity_map(128), MAXPHYADDR, &req), HV_STATUS_SUCCESS);
	assert_true(hv_vp_bitmap_test(&req.targets, 0) && hv_vp_bitmap_test(&req.targets, 64));
	assert_int_equal(hv_vp_bitmap_weight(&req.targets), 2);
	assert_int_equal(req.gva_index, 6);
	assert_int_equal(ex[req.gva_index], 0xa000);

	/* without XMM input only RDX and R8 exist: no flush fits */
	in = input(SPACE, true, 0, 0, 0);
	assert_int_equal(parse(&in, regs, HV_FAST_GPR_INPUT_QWORDS, &req), HV_STATUS_INVALID_HYPERCALL_INPUT);
}

/* More input than RDX, R8 and XMM0..XMM5 can hold (14 qwords) -> 0x0003 (as KVM). */
static void test_fast_capacity(void **state)
{
	u64 regs[64] = { CR3, 0, 0x1 };
	struct hv_flush_request req;
	/* List: 3 + 11 entries = 14 */
	struct hv_hypercall_input in = input(LIST, true, 0, 11, 0);
	assert_int_equal(parse(&in, regs, 14, &req), HV_STATUS_SUCCESS);
	assert_int_equal(req.gva_count, 11);
	in = input(LIST, true, 0, 12, 0);
	assert_int_equal(parse(&in, regs, 64, &req), HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* ...even when the start index leaves fewer than 11 to do: the entries are still positioned */
	in = input(LIST, true, 0, 12, 10);
	assert_int_equal(parse(&in, regs, 64, &req), HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* the same 12 entries in memory form are fine */
	in = input(LIST, false, 0, 12, 0);
	assert_int_equal(parse(&in, regs, 15, &req), HV_STATUS_SUCCESS);

	/* ListEx: 4 + 2 banks + 8 entries = 14 */
	u64 ex[64] = { CR3, 0, HV_GENERIC_SET_SPARSE_4K, 0x3, 0x1, 0x1 };
	in = input(LIST_EX, true, 2, 8, 0);
	assert_int_equal(parse(&in, ex, 14, &req), HV_STATUS_SUCCESS);
	in = input(LIST_EX, true, 2, 9, 0);
	assert_int_equal(parse(&in, ex, 64, &req), HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* SpaceEx: 4 + 10 banks = 14 */
	u64 sx[64] = { CR3, 0, HV_GENERIC_SET_SPARSE_4K, 0x3ff };
	in = input(SPACE_EX, true, 10, 0, 0);
	assert_int_equal(parse(&in, sx, 14, &req), HV_STATUS_SUCCESS);
	sx[3] = 0x7ff;
	in = input(SPACE_EX, true, 11, 0, 0);
	assert_int_equal(parse(&in, sx, 64, &req), HV_STATUS_INVALID_HYPERCALL_INPUT);
}

/* The qword array must hold the whole input: a caller bug, or a short copy, is refused. */
static void test_short_input(void **state)
{
	for (size_t c = 0; c < ARRAY_SIZE(all_codes); c++) {
		u64 q[8];
		u32 n;
		struct hv_hypercall_input in = minimal(all_codes[c], q, &n);
		struct hv_flush_request req;
		assert_int_equal(parse(&in, q, n, &req), HV_STATUS_SUCCESS);
		assert_int_equal(parse(&in, q, n - 1, &req), HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
}

/* §8 case 32 / TLFS continuation: entries rep_start .. rep_count - 1 are the ones to do. */
static void test_rep_start(void **state)
{
	u64 q[3 + 10] = { CR3, 0, 0x1 };
	for (int i = 0; i < 10; i++)
		q[3 + i] = 0x100000ull * (u64)(i + 1);
	struct hv_flush_request req;
	struct hv_hypercall_input in = input(LIST, false, 0, 10, 4);
	assert_int_equal(parse(&in, q, 13, &req), HV_STATUS_SUCCESS);
	assert_int_equal(req.gva_index, 3 + 4);
	assert_int_equal(req.gva_count, 6);
	assert_int_equal(q[req.gva_index], 0x500000);
	in = input(LIST, false, 0, 10, 9);
	assert_int_equal(parse(&in, q, 13, &req), HV_STATUS_SUCCESS);
	assert_int_equal(req.gva_count, 1);
	assert_int_equal(q[req.gva_index], 0xa00000);

	u64 e[4 + 1 + 5] = { CR3, 0, HV_GENERIC_SET_SPARSE_4K, 0x1, 0x1, 0xa000, 0xb000, 0xc000, 0xd000, 0xe000 };
	in = input(LIST_EX, false, 1, 5, 3);
	assert_int_equal(parse(&in, e, 10, &req), HV_STATUS_SUCCESS);
	assert_int_equal(req.gva_index, 4 + 1 + 3);
	assert_int_equal(req.gva_count, 2);
	assert_int_equal(e[req.gva_index], 0xd000);

	/* refused here too when the decoder was bypassed */
	in.rep_start = 5;
	assert_int_equal(parse(&in, e, 10, &req), HV_STATUS_INVALID_HYPERCALL_INPUT);
	in = input(SPACE, false, 0, 0, 0);
	in.rep_count = 1;
	assert_int_equal(parse(&in, e, 10, &req), HV_STATUS_INVALID_HYPERCALL_INPUT);
}

/* §8 case 24: lists of 1, 15, 16 and 509 entries (509 = a full page after the 24-byte header). */
static void test_list_lengths(void **state)
{
	static u64 page[512];
	static const u16 lengths[] = { 1, 15, 16, 509 };
	page[0] = CR3;
	page[1] = 0;
	page[2] = 0x3;
	for (size_t i = 0; i < ARRAY_SIZE(lengths); i++) {
		u16 n = lengths[i];
		for (u32 e = 0; e < n; e++)
			page[3 + e] = 0x400000ull + 0x1000ull * e;
		struct hv_hypercall_input in = input(LIST, false, 0, n, 0);
		assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0, MiB(64)), HV_STATUS_SUCCESS);
		assert_int_equal(hv_hypercall_input_size(&in) / 8, 3u + n);
		struct hv_flush_request req;
		assert_int_equal(parse(&in, page, 3u + n, &req), HV_STATUS_SUCCESS);
		assert_int_equal(req.gva_count, n);
		assert_int_equal(req.gva_index, 3);
		assert_int_equal(page[req.gva_index + n - 1], 0x400000ull + 0x1000ull * (n - 1));
		/* single pages: at most 33 go page by page */
		assert_int_equal(hv_flush_list_prefers_full(&page[req.gva_index], req.gva_count),
				 n > HV_FLUSH_GVA_PAGES_CEILING);
		/* fast: up to 11 entries fit */
		in = input(LIST, true, 0, n, 0);
		assert_int_equal(parse(&in, page, HV_FAST_INPUT_MAX_QWORDS, &req),
				 3u + n <= HV_FAST_INPUT_MAX_QWORDS ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	/* 510 entries no longer fit the page */
	struct hv_hypercall_input in = input(LIST, false, 0, 510, 0);
	assert_int_equal(hv_hypercall_check_gpas(&in, 0x5000, 0, MiB(64)), HV_STATUS_INVALID_ALIGNMENT);
}

static void test_gva_range(void **state)
{
	struct hv_gva_range r = hv_gva_range_decode(0x7000);
	assert_int_equal(r.gva, 0x7000);
	assert_int_equal(r.pages, 1);
	/* TLFS: bits 11:0 = additional pages, 0..4095 -> 1..4096 pages */
	r = hv_gva_range_decode(0x7fff);
	assert_int_equal(r.gva, 0x7000);
	assert_int_equal(r.pages, 4096);
	r = hv_gva_range_decode(0xffff800000001004ull);
	assert_int_equal(r.gva, 0xffff800000001000ull);
	assert_int_equal(r.pages, 5);
	/* cut at the top of the address space: GVAs beyond it are ignored */
	r = hv_gva_range_decode(0xfffffffffffff005ull);
	assert_int_equal(r.gva, 0xfffffffffffff000ull);
	assert_int_equal(r.pages, 1);
	r = hv_gva_range_decode(0xffffffffffffe0ffull);
	assert_int_equal(r.pages, 2);
	r = hv_gva_range_decode(0xfffffffffffff000ull);
	assert_int_equal(r.pages, 1);
}

static void test_prefers_full(void **state)
{
	u64 gva[40];
	for (int i = 0; i < 40; i++)
		gva[i] = 0x100000ull * (u64)i;
	assert_false(hv_flush_list_prefers_full(gva, 0));
	assert_false(hv_flush_list_prefers_full(gva, 1));
	assert_false(hv_flush_list_prefers_full(gva, 33));
	assert_true(hv_flush_list_prefers_full(gva, 34));
	/* pages count, not entries: one entry of 33 pages, then of 34 */
	u64 one = 0x200000 | 32;
	assert_false(hv_flush_list_prefers_full(&one, 1));
	one = 0x200000 | 33;
	assert_true(hv_flush_list_prefers_full(&one, 1));
	/* Linux's biggest entry (4096 pages) */
	one = 0x200000 | 0xfff;
	assert_true(hv_flush_list_prefers_full(&one, 1));
}

static void test_not_a_flush(void **state)
{
	u64 q[4] = { 0 };
	struct hv_hypercall_input in = input(HVCALL_SET_VP_REGISTERS, false, 0, 1, 0);
	struct hv_flush_request req;
	assert_int_equal(parse(&in, q, 4, &req), HV_STATUS_INVALID_HYPERCALL_CODE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_space),
		cmocka_unit_test(test_all_processors),
		cmocka_unit_test(test_reserved_flags),
		cmocka_unit_test(test_non_global_on_list),
		cmocka_unit_test(test_mask_zero),
		cmocka_unit_test(test_address_space),
		cmocka_unit_test(test_ex_sparse),
		cmocka_unit_test(test_ex_all),
		cmocka_unit_test(test_ex_format),
		cmocka_unit_test(test_fast_layout),
		cmocka_unit_test(test_fast_capacity),
		cmocka_unit_test(test_short_input),
		cmocka_unit_test(test_rep_start),
		cmocka_unit_test(test_list_lengths),
		cmocka_unit_test(test_gva_range),
		cmocka_unit_test(test_prefers_full),
		cmocka_unit_test(test_not_a_flush),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
