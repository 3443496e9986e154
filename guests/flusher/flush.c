/* MB_CMD_FLUSH: builds the flush hypercall input (memory or XMM fast form, plain or Ex) from the
 * command, swaps the test PTE before a call and checks after it that the reading targets see the new
 * page (the PTE-swap check of docs/tlfs-cases.md §5: a target that still reads the old page after the
 * call returned kept a stale TLB entry). */
#include "flusher.h"

#define VERIFY_TIMEOUT_MS 500

volatile u32 in_call[MINIHV_MAX_VPS];
static u64 input_pages[MINIHV_MAX_VPS]; /* one memory-form input page per VP */
static u64 *test_pte;

void flush_setup(void)
{
	struct mailbox_header *h = mb_header();
	u64 *pages[MAILBOX_TEST_PAGES];
	for (u32 i = 0; i < MAILBOX_TEST_PAGES; i++) {
		pages[i] = page_alloc(1);
		guest_check(pages[i] != NULL, "flusher: out of pages for the test pages");
		*pages[i] = i ? 0 : MAILBOX_SWAP_VALUE_BASE;
		h->page_gpa[i] = (u64)(uintptr_t)pages[i];
	}
	guest_check(pt_map_4k(MAILBOX_TEST_GVA, h->page_gpa[0], PTE_W), "flusher: cannot map the test GVA");
	test_pte = pt_pte_4k(MAILBOX_TEST_GVA);
	guest_check(test_pte != NULL, "flusher: no PTE for the test GVA");
	h->pte_gpa = (u64)(uintptr_t)test_pte;
	h->expected = MAILBOX_SWAP_VALUE_BASE;
	h->swaps = 0;
	for (u32 i = 0; i < vp_count(); i++) {
		u64 *p = page_alloc(1);
		guest_check(p != NULL, "flusher: out of pages for the input pages");
		input_pages[i] = (u64)(uintptr_t)p;
	}
	/* page_alloc is a bump allocator from free_start: everything must have stayed below the mailbox. */
	guest_check(input_pages[vp_count() - 1] + PAGE_SIZE <= MAILBOX_GPA, "flusher: allocations reached the mailbox");
}

void order_log(struct mailbox_slot *s, u64 ev)
{
	u64 o = s->order;
	unsigned n = 0;
	while (n < 16 && (o >> (4 * n)) & 0xf)
		n++;
	if (n < 16)
		atomic_store_u64(&s->order, o | ev << (4 * n));
}

/* Maps the other test page at MAILBOX_TEST_GVA with a fresh value and returns that value. The
 * expectation is 0 ("don't check") while the PTE changes. Only one VP swaps at a time. */
static u64 swap_test_page(void)
{
	struct mailbox_header *h = mb_header();
	atomic_store_u64(&h->expected, 0);
	u64 n = h->swaps + 1;
	u64 v = MAILBOX_SWAP_VALUE_BASE | n;
	u64 *page = (u64 *)(uintptr_t)h->page_gpa[n % MAILBOX_TEST_PAGES];
	atomic_store_u64(page, v);
	__atomic_store_n(test_pte, h->page_gpa[n % MAILBOX_TEST_PAGES] | PTE_P | PTE_W, __ATOMIC_SEQ_CST);
	pt_invlpg(MAILBOX_TEST_GVA); /* this VP; the others are the hypercall's job */
	atomic_store_u64(&h->swaps, n);
	return v;
}

static bool targets_vp(const struct mailbox_slot *c, u32 vp)
{
	if ((c->flags & HV_FLUSH_ALL_PROCESSORS) || (c->opts & MB_OPT_SET_ALL))
		return true;
	return vp < 128 && (c->targets[vp / 64] >> (vp % 64)) & 1;
}

/* Waits until every reading target (every reader, with MB_OPT_VERIFY_ALL) has verified value v, or
 * counted a stale read. */
static bool verify(struct mailbox_slot *me, const struct mailbox_slot *c, u64 v)
{
	u64 deadline = rdtsc() + VERIFY_TIMEOUT_MS * tsc_khz();
	for (u32 t = 0; t < vp_count(); t++) {
		struct mailbox_slot *r = mb_slot(t);
		bool wanted = targets_vp(c, t) || (c->opts & MB_OPT_VERIFY_ALL);
		if (r == me || !wanted || atomic_load_u32(&r->state) != MB_STATE_READING)
			continue;
		u64 stale = atomic_load_u64(&r->stale);
		while (atomic_load_u64(&r->seen) != v) {
			if (atomic_load_u64(&r->stale) != stale)
				return false; /* the reader counted it and says so */
			if (rdtsc() > deadline) {
				printf("flusher: vp %u: vp %u did not see value %#lx within %u ms after the flush\n", this_vp(), t,
				       v, VERIFY_TIMEOUT_MS);
				return false;
			}
			cpu_relax();
		}
	}
	return true;
}

struct flush_input {
	u64 control, rdx, r8;
	bool fast;
	u64 xmm[12] __attribute__((aligned(16)));
};

/* The TLFS input of the command (docs/tlfs-cases.md §3.1, §3.3): AddressSpace, Flags, then the mask or the
 * HV_VP_SET, then (List) one GVA range entry for the test page. */
static void build_input(const struct mailbox_slot *c, u64 *page, struct flush_input *in)
{
	u64 q[2 + 2 + 2 + 1];
	u32 n = 0, varhead = 0;
	bool ex = c->call == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX || c->call == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
	bool list = c->call == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST || c->call == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
	q[n++] = read_cr3() & PTE_ADDR_MASK;
	q[n++] = c->flags;
	if (!ex) {
		q[n++] = c->targets[0];
	} else if (c->opts & MB_OPT_SET_ALL) {
		q[n++] = HV_GENERIC_SET_ALL;
		q[n++] = 0;
	} else {
		/* arg1 overrides the format (0 = sparse), for the invalid-input cases */
		q[n++] = c->arg1 ? c->arg1 : HV_GENERIC_SET_SPARSE_4K;
		q[n++] = (c->targets[0] ? 1 : 0) | (c->targets[1] ? 2 : 0);
		for (u32 b = 0; b < 2; b++)
			if (c->targets[b]) {
				q[n++] = c->targets[b];
				varhead++;
			}
	}
	if (list)
		q[n++] = MAILBOX_TEST_GVA; /* one page: 0 additional pages */
	in->control = c->call | (u64)varhead << HV_HYPERCALL_VARHEAD_OFFSET | (list ? HV_HYPERCALL_REP_COMP_1 : 0);
	in->fast = c->form == MB_FORM_FAST;
	if (in->fast) {
		in->control |= HV_HYPERCALL_FAST_BIT;
		in->rdx = q[0];
		in->r8 = q[1];
		memset(in->xmm, 0, sizeof(in->xmm));
		memcpy(in->xmm, &q[2], (n - 2) * sizeof(u64));
	} else {
		memcpy(page, q, n * sizeof(u64));
		in->rdx = (u64)(uintptr_t)page;
		in->r8 = 0;
	}
}

/* Without -mpopcnt __builtin_popcountll is a libgcc call, and guests link without libgcc. */
static u64 popcount128(const u64 t[2])
{
	u64 n = 0;
	for (u32 w = 0; w < 2; w++)
		for (u64 x = t[w]; x; x &= x - 1)
			n++;
	return n;
}

/* xorshift64: the random target sets of MB_OPT_RANDOM, reproducible from the seed. */
static u64 next_random(u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A random non-empty subset of the command's targets (the plain ProcessorMask / the first Ex bank). */
static void random_targets(const struct mailbox_slot *cmd, struct mailbox_slot *c, u64 *rng)
{
	u64 all = cmd->targets[0];
	do
		c->targets[0] = next_random(rng) & all;
	while (!c->targets[0] && all);
	c->targets[1] = 0;
}

void flush_run(struct mailbox_slot *s)
{
	u32 me = this_vp();
	struct mailbox_slot c = *s; /* the command half; mgmt may post the next one meanwhile */
	struct flush_input in;
	u64 *page = (u64 *)(uintptr_t)input_pages[me];
	struct mailbox_slot cmd = c;
	u64 rng = (c.arg0 ^ 0x9e3779b97f4a7c15ull) * (me + 1) | 1;
	sse_enable();
	for (u64 i = 0; !c.count || i < c.count; i++) {
		if (mb_new_command(s))
			return;
		if (c.opts & MB_OPT_RANDOM)
			random_targets(&cmd, &c, &rng);
		u64 v = 0;
		if (c.opts & MB_OPT_SWAP)
			v = swap_test_page();
		build_input(&c, page, &in);
		u64 rax_in = 0xa5a5000000000000ull | (u64)me << 32 | (u32)s->entered;
		atomic_store_u64(&s->order, 0);
		order_log(s, MB_EV_CALL);
		atomic_store_u64(&s->rax_in, rax_in);
		atomic_store_u64(&s->iteration, i + 1);
		atomic_store_u32(&in_call[me], 1);
		atomic_add_u64(&s->entered, 1);
		if (c.opts & MB_OPT_STI)
			sti();
		if (in.fast)
			xmm_load(in.xmm);
		u64 rdx = in.rdx, r8 = in.r8;
		u64 rax = hypercall_raw(in.control, &rdx, &r8, rax_in); /* at hypercall_insn, RAX = rax_in */
		cli();
		atomic_store_u32(&in_call[me], 0);
		order_log(s, MB_EV_RETURN);
		atomic_store_u64(&s->status, rax);
		if (HV_HYPERCALL_STATUS(rax) == HV_STATUS_SUCCESS)
			atomic_add_u64(&s->posted, popcount128(c.targets));
		else
			atomic_add_u64(&s->failed, 1);
		atomic_add_u64(&s->done, 1);
		if (!(c.opts & MB_OPT_STI)) {
			/* Take what is pending now that the call is over: with IF = 0 nothing could arrive during it. */
			order_log(s, MB_EV_STI);
			sti();
			__asm__ volatile("nop; nop; nop" ::: "memory");
			cli();
		}
		if (c.opts & MB_OPT_SWAP) {
			atomic_store_u64(&mb_header()->expected, v);
			if ((c.opts & MB_OPT_VERIFY) && HV_HYPERCALL_STATUS(rax) == HV_STATUS_SUCCESS && verify(s, &c, v))
				atomic_add_u64(&s->verified, 1);
		}
	}
}
