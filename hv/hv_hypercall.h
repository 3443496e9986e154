/*
 * The pure part of minihv's Hyper-V hypercall path: decoding the hypercall input value (RCX), the
 * per-call table, the memory-form GPA rules, VP sets, and the four remote-TLB-flush inputs.
 * No hardware access: hv/hypercall_decode.c, hv/vp_set.c and hv/flush_input.c are linked unchanged
 * into host unit tests (tests/unit/test_{hypercall_decode,vp_set,flush_input}.c).
 *
 * Flow in hv_hypercall() (hv/hypercall.c):
 *   hv_hypercall_decode(rcx)          -> status, or a decoded input + its hv_call_info
 *   a management-only call from a guest partition -> HV_STATUS_ACCESS_DENIED
 *   memory form: hv_hypercall_check_gpas(), then copy hv_hypercall_input_size() bytes of the input
 *   fast form:   qwords = { RDX, R8, XMM0.lo, XMM0.hi, ..., XMM5.hi } (XMM input is always advertised)
 *   hv_flush_parse(qwords)            -> struct hv_flush_request
 */
#ifndef MINIHV_HV_HYPERCALL_H
#define MINIHV_HV_HYPERCALL_H

#include "types.h"
#include "hyperv_tlfs.h"
#include "minihv_abi.h"
#include "vp_index.h"

/* ---- Hypercall input value ---- */

/* RCX, decoded (TLFS-md "Hypercall Inputs"). */
struct hv_hypercall_input {
	u16 code;
	bool fast;                 /* register-based calling convention */
	bool is_nested;            /* bit 31; minihv is not nested, so it is always rejected */
	u16 var_header_qwords;     /* variable header size, bits 26:17 */
	u16 rep_count;             /* bits 43:32 */
	u16 rep_start;             /* bits 59:48 */
	const struct hv_call_info *call; /* table entry; NULL when the code is unknown */
};

/*
 * One entry per call minihv implements. To add a call (TLFS, minihv's private 0x7f01.. codes from
 * minihv_abi.h, or management calls), add one line to hv_calls[] in hv/hypercall_decode.c; the
 * decoder and the GPA checks then apply the generic TLFS rules to it.
 */
struct hv_call_info {
	u16 code;
	const char *name;          /* TLFS name, for logs */
	bool rep;                  /* rep call: rep count must be != 0; simple: rep fields must be 0 */
	bool var_header;           /* a non-zero variable header size is allowed */
	bool fast;                 /* the register-based (fast / XMM) form is allowed */
	bool management_only;      /* only the management partition may call it (caller's check) */
	u16 input_size;            /* fixed input header, bytes (memory form) */
	u16 input_rep_size;        /* bytes per input rep element (0 for a simple call) */
	u16 output_size;           /* fixed output, bytes */
	u16 output_rep_size;       /* bytes per output rep element */
};

/* Looks a call code up in the table; NULL when minihv does not implement it. */
const struct hv_call_info *hv_call_lookup(u16 code);

/* The per-VP hypercall counter a call code counts in (struct vp_counters.hypercalls_by_code[32]): the
 * TLFS codes below 32 (the flush calls among them) have their own slot; every other code (minihv's
 * 0x7fxx calls, HvCall{Get,Set}VpRegisters) shares slot 0, which no call uses. */
static inline u32 hv_counter_slot(u16 code)
{
	return code < 32 ? code : 0;
}

/*
 * Decodes the hypercall input value. Always fills *in as far as the fields go; returns
 *   HV_STATUS_INVALID_HYPERCALL_INPUT  reserved bits 30:27, 47:44, 63:60 set; Is Nested set;
 *                                      rep count 0 on a rep call / != 0 on a simple call;
 *                                      rep start >= rep count (or != 0 on a simple call);
 *                                      variable header on a call without one; fast form not allowed
 *   HV_STATUS_INVALID_HYPERCALL_CODE   unknown call code (checked after the reserved bits, as KVM)
 *   HV_STATUS_SUCCESS                  otherwise; in->call is set.
 */
u16 hv_hypercall_decode(u64 control, struct hv_hypercall_input *in);

/* Size in bytes of the call's whole input block: fixed + variable header + every rep element
 * (from element 0, whatever the start index), padded to 8 (TLFS: structures are padded to 8). */
u32 hv_hypercall_input_size(const struct hv_hypercall_input *in);
/* Same for the output block; 0 when the call has no output. */
u32 hv_hypercall_output_size(const struct hv_hypercall_input *in);

/* Fast form capacity (TLFS "XMM Fast Hypercall Input"): RDX and R8, plus XMM0..XMM5 when
 * HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE is advertised: 14 qwords = 112 bytes. */
#define HV_FAST_GPR_INPUT_QWORDS 2u
#define HV_FAST_INPUT_MAX_QWORDS (HV_FAST_GPR_INPUT_QWORDS + 2u * HV_HYPERCALL_MAX_XMM_REGISTERS)

/*
 * The memory-form GPA rules (TLFS-md "Alignment Requirements" and "Common Hypercall Status Codes").
 * Input and output lists are checked only when the call has one ("If the hypercall involves no input
 * or output parameters, the hypervisor ignores the corresponding GPA pointer"); fast calls have none.
 *   HV_STATUS_INVALID_ALIGNMENT  a GPA not 8-byte aligned; a list that spans pages; a list not within
 *                                the partition's GPA space [0, ram_size)
 *   HV_STATUS_INVALID_PARAMETER  input and output overlap (forbidden by the TLFS, which names no
 *                                status for it; INVALID_ALIGNMENT's documented conditions do not
 *                                cover it)
 * Readability and writability (memory intercepts) are the caller's business.
 */
u16 hv_hypercall_check_gpas(const struct hv_hypercall_input *in, u64 input_gpa, u64 output_gpa,
			    u64 ram_size);

/* RAX on return: status in 15:0, reps completed (the total, TLFS) in 43:32. */
static inline u64 hv_hypercall_result(u16 status, u16 reps_completed)
{
	return (u64)status | (((u64)reps_completed << HV_HYPERCALL_REP_COMP_OFFSET) & HV_HYPERCALL_REP_COMP_MASK);
}

/* RCX for a continuation: the same input value with a new rep start index (TLFS "Hypercall
 * Continuation": RIP is not advanced and the guest re-executes the call). */
static inline u64 hv_hypercall_set_rep_start(u64 control, u16 rep_start)
{
	return (control & ~HV_HYPERCALL_REP_START_MASK) |
	       (((u64)rep_start << HV_HYPERCALL_REP_START_OFFSET) & HV_HYPERCALL_REP_START_MASK);
}

/* ---- VP bitmaps and HV_VP_SET (hv/vp_set.c) ---- */

#define HV_VP_BITMAP_WORDS ((MINIHV_MAX_VPS + 63) / 64)

/* A set of VPs by minihv VP number (< MINIHV_MAX_VPS); bit n of bits[n / 64] is VP n. Decoding turns the
 * guest's Hyper-V VP indexes into VP numbers through the partition's hv_vp_index_map (vp_index.h). */
struct hv_vp_bitmap {
	u64 bits[HV_VP_BITMAP_WORDS];
};

/* The small operations are inline: the flush path runs them once or twice per named VP, and a call to
 * vp_set.c for each would cost more than the operation (docs/performance.md). */
static inline void hv_vp_bitmap_clear(struct hv_vp_bitmap *set)
{
	for (u32 i = 0; i < HV_VP_BITMAP_WORDS; i++)
		set->bits[i] = 0;
}

/* Every VP 0 .. vp_count - 1 (vp_count is clamped to MINIHV_MAX_VPS). */
void hv_vp_bitmap_fill(struct hv_vp_bitmap *set, u32 vp_count);

static inline void hv_vp_bitmap_set(struct hv_vp_bitmap *set, u32 vp) /* ignores vp >= MINIHV_MAX_VPS */
{
	if (vp < MINIHV_MAX_VPS)
		set->bits[vp / 64] |= 1ull << (vp % 64);
}

static inline void hv_vp_bitmap_remove(struct hv_vp_bitmap *set, u32 vp) /* ignores vp >= MINIHV_MAX_VPS */
{
	if (vp < MINIHV_MAX_VPS)
		set->bits[vp / 64] &= ~(1ull << (vp % 64));
}

static inline bool hv_vp_bitmap_test(const struct hv_vp_bitmap *set, u32 vp)
{
	return vp < MINIHV_MAX_VPS && (set->bits[vp / 64] >> (vp % 64)) & 1;
}

/* True when vp is the one member of set: the local flush's test (hv/flush.c), two words compared. */
static inline bool hv_vp_bitmap_is_only(const struct hv_vp_bitmap *set, u32 vp)
{
	if (vp >= MINIHV_MAX_VPS)
		return false;
	for (u32 i = 0; i < HV_VP_BITMAP_WORDS; i++)
		if (set->bits[i] != (i == vp / 64 ? 1ull << (vp % 64) : 0))
			return false;
	return true;
}

/* The lowest member >= from, or HV_VP_NONE. */
static inline u32 hv_vp_bitmap_next(const struct hv_vp_bitmap *set, u32 from)
{
	while (from < MINIHV_MAX_VPS) {
		u64 word = set->bits[from / 64] >> (from % 64);
		if (word)
			return from + (u32)__builtin_ctzll(word);
		from = ALIGN_UP(from + 1, 64);
	}
	return HV_VP_NONE;
}

/* Visits each member of set in ascending order: for_each_vp_in(i, &targets) { ... p->vps[i] ... } */
#define for_each_vp_in(i, set) \
	for (u32 i = hv_vp_bitmap_next((set), 0); i != HV_VP_NONE; i = hv_vp_bitmap_next((set), i + 1))

/*
 * A VP index that no VP of the partition has (map: its hv_vp_index_map) is ignored, both here and in
 * hv_vp_set_decode(): there is no TLB to flush, and the TLFS defines no error for it in the flush calls
 * (their only documented failure about targets is an empty non-Ex mask). Guests also build masks from
 * cpumasks (Linux) that may name absent VPs. KVM likewise skips unknown VP indexes.
 */
static inline u64 hv_vp_bank_existing_mask(u32 bank, u32 vp_count) /* the VPs < vp_count of a bank */
{
	u32 first = bank * 64;
	if (vp_count <= first)
		return 0;
	return vp_count - first >= 64 ? ~0ull : (1ull << (vp_count - first)) - 1;
}

/* Adds the VPs whose VP indexes are the members of bank `bank` (indexes bank * 64 ..) of a VP set. */
void hv_vp_bitmap_add_bank(struct hv_vp_bitmap *set, u64 bank_contents, u32 bank, const struct hv_vp_index_map *map);

/* The non-Ex ProcessorMask as a set. Inline: with the identity map (no vp_index key) the local flush's
 * parse then stores one word once; other maps go index by index (hv/vp_set.c). */
static inline void hv_vp_bitmap_from_mask(struct hv_vp_bitmap *set, u64 processor_mask,
					  const struct hv_vp_index_map *map)
{
	hv_vp_bitmap_clear(set);
	if (map->identity)
		set->bits[0] = processor_mask & hv_vp_bank_existing_mask(0, map->vp_count);
	else
		hv_vp_bitmap_add_bank(set, processor_mask, 0, map);
}

/*
 * Decodes an HV_VP_SET. vpset[0] = Format, vpset[1] = ValidBanksMask, vpset[2..] = BankContents;
 * avail = qwords readable from vpset[0]; bank_qwords = the call's variable header size (the number
 * of BankContents the caller declared); map turns VP indexes into VP numbers. Fills *set (VP numbers) and
 * *all (true for HV_GENERIC_SET_ALL: every VP of the map).
 *   HV_STATUS_INVALID_PARAMETER        Format not in {0, 1}; bank_qwords > HV_MAX_SPARSE_VCPU_BANKS
 *   HV_STATUS_INVALID_HYPERCALL_INPUT  sparse and bank_qwords != popcount(ValidBanksMask) (as KVM);
 *                                      avail < 2 + bank_qwords
 * With HV_GENERIC_SET_ALL, ValidBanksMask and the bank_qwords banks are skipped unread (KVM does the
 * same: the GVA list of ListEx still starts after them).
 */
u16 hv_vp_set_decode(const u64 *vpset, u32 avail, u32 bank_qwords, const struct hv_vp_index_map *map,
		     struct hv_vp_bitmap *set, bool *all);

/* ---- The four flush calls (hv/flush_input.c) ---- */

/* Which of the four a call code is: the one place that says so (parser and executor both ask). */
static inline bool hv_flush_code_is_list(u16 code)
{
	return code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST || code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
}

static inline bool hv_flush_code_is_ex(u16 code)
{
	return code == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX || code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
}

static inline bool hv_flush_code_valid(u16 code)
{
	return code == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE || code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST ||
	       code == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX || code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
}

struct hv_flush_request {
	u16 code;                  /* HVCALL_FLUSH_VIRTUAL_ADDRESS_{SPACE,LIST}[_EX] */
	u64 address_space;         /* CR3; meaningless with HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES */
	u64 flags;                 /* HV_FLUSH_* */
	bool all_processors;       /* HV_FLUSH_ALL_PROCESSORS or HV_GENERIC_SET_ALL */
	struct hv_vp_bitmap targets; /* VP numbers to flush, filled here for all_processors too (the
				      * executor never widens it); may include the caller, which is then
				      * flushed too */
	u32 gva_count;             /* List calls: entries rep_start .. rep_count - 1; 0 for Space */
	u32 gva_index;             /* index in the qword array of entry rep_start */
};

/*
 * Parses a flush call's input. qwords[] is the input block as qwords: for the memory form the
 * hv_hypercall_input_size() bytes copied from the input GPA; for the fast form RDX, R8, XMM0.lo,
 * XMM0.hi, ... XMM5.hi (nqwords = HV_FAST_INPUT_MAX_QWORDS, or 2 without XMM input).
 * in must come from a successful hv_hypercall_decode(). map is the partition's VP index mapping;
 * maxphyaddr the guest's physical-address width (CPUID 0x80000008 EAX[7:0]), for the CR3 check.
 * Returns, checked in this order:
 *   HV_STATUS_INVALID_HYPERCALL_CODE   in->code is not one of the four flush calls
 *   HV_STATUS_INVALID_PARAMETER        Ex: variable header > HV_MAX_SPARSE_VCPU_BANKS
 *   HV_STATUS_INVALID_HYPERCALL_INPUT  fast and the input needs more than 14 qwords (as KVM);
 *                                      input needs more than nqwords
 *   HV_STATUS_INVALID_PARAMETER        reserved flag bits, incl. HV_FLUSH_USE_EXTENDED_RANGE_FORMAT;
 *                                      NON_GLOBAL_MAPPINGS_ONLY on a List call;
 *                                      reserved CR3 bits (63:maxphyaddr) without ALL_VA_SPACES;
 *                                      non-Ex ProcessorMask 0 without ALL_PROCESSORS;
 *                                      Ex: Format not in {0, 1}
 *   HV_STATUS_INVALID_HYPERCALL_INPUT  Ex sparse: variable header != popcount(ValidBanksMask)
 *   HV_STATUS_SUCCESS                  *req filled
 */
u16 hv_flush_parse(const struct hv_hypercall_input *in, const u64 *qwords, u32 nqwords,
		   const struct hv_vp_index_map *map, u8 maxphyaddr, struct hv_flush_request *req);

/* Flag bits minihv accepts; everything else is reserved (TLFS) or not advertised (extended ranges). */
#define HV_FLUSH_VALID_FLAGS \
	(HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES | HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY)

/* One GVA range entry: the first page's GVA (bits 63:12) and the page count, 1 .. 4096 (bits 11:0 are
 * the *additional* pages). A range that would run past the top of the 64-bit space is cut there:
 * TLFS, GVAs beyond the end of the GVA space are ignored. */
struct hv_gva_range {
	u64 gva;
	u32 pages;
};
/* Inline: the List path decodes each entry twice (page count, then flush). */
static inline struct hv_gva_range hv_gva_range_decode(u64 entry)
{
	struct hv_gva_range range = {
		.gva = entry & HV_GVA_RANGE_PAGE_MASK,
		/* TLFS: bits 11:0 are the number of additional pages beyond the first */
		.pages = (u32)(entry & HV_GVA_RANGE_ADDITIONAL_PAGES_MASK) + 1,
	};
	/* Pages left up to 2^64; TLFS: GVAs beyond the end of the GVA space are ignored */
	u64 room = (~range.gva >> 12) + 1;
	if (range.pages > room)
		range.pages = (u32)room;
	return range;
}

/*
 * Above this many pages in one list, one single-context flush (INVVPID type 1) is cheaper than
 * flushing page by page (INVVPID type 0 / INVLPG per page). 33 is Linux's measured
 * tlb_single_page_flush_ceiling (arch/x86/mm/tlb.c) for the same trade-off on bare metal; a
 * per-address INVVPID costs at least an INVLPG, so the bare-metal break-even is an upper bound.
 * KVM makes the same choice by entry count (more than 15 entries -> flush all).
 */
#define HV_FLUSH_GVA_PAGES_CEILING 33u

/* True when the entries gva[0 .. count - 1] cover more than HV_FLUSH_GVA_PAGES_CEILING pages. */
bool hv_flush_list_prefers_full(const u64 *gva, u32 count);

/* The management partition's calls (hv/mgmt.c), after the generic decode and input fetch. q holds the
 * input block (n qwords); input_gpa/output_gpa are the caller's GPAs; *reps gets the reps completed. */
struct vp;
struct partition;
u16 hv_management_call(struct vp *vp, const struct hv_hypercall_input *in, const u64 *q, u32 n, u64 input_gpa,
		       u64 output_gpa, u16 *reps, bool *suspended);
/* HvCallTranslateVirtualAddress(Ex) (hv/translate.c), from hv_management_call. */
u16 hv_translate_virtual_address(struct vp *vp, const struct hv_hypercall_input *in, const u64 *q, u64 output_gpa);
/* A parked VP's paging state and, when rip_rsp is not NULL, its RIP and RSP (rip_rsp[0], [1]) as of its
 * last exit (hv/translate.c); false when the VP is running or not parked. */
struct gva_paging_state;
bool vp_parked_state(struct vp *t, struct gva_paging_state *out, u64 *rip_rsp);
/* Resolves a (partition, VP) target in a guest partition (hv/mgmt.c): INVALID_PARTITION_ID, INVALID_VP_INDEX. */
u16 mgmt_target_vp(u64 pid, u32 vpi, struct vp **out);
/* len bytes at gpa as the partition's guests read them (the hypercall overlay where it is mapped, RAM
 * elsewhere), or NULL outside its RAM. For hypercall input lists; len must not cross a page (hv/hyperv.c). */
const void *hv_guest_read_view(struct partition *p, u64 gpa, u64 len);

#endif
