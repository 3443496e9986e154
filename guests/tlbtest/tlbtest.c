/*
 * tlbtest: proves Hyper-V remote TLB flushes with the PTE swap of KVM's hyperv_tlb_flush selftest
 * (docs/tlfs-cases.md §5). A test GVA is mapped by a 4 KiB PTE of the partition's shared page tables to one
 * of two pages filled with different values. Worker VPs keep reading it, so their TLBs cache the
 * translation, and compare with the value the sender (VP 0) publishes. Per iteration the sender marks
 * the expectation "in transition", swaps the PTE without INVLPG, issues the flush hypercall for the
 * workers, checks its result, then publishes the new expectation and waits until every worker has
 * checked it. A worker that reads the old page after the flush returned prints FAIL and exits 1.
 *
 * Command line:
 *   tests=T;T;...   the tests, in order (default "space/mem/1;space/xmm/1;control")
 *   iters=N         iterations per test (default 100)
 *   workers=a,b,..  VPs that read the test page (default: every VP but 0); the other VPs sit in HLT
 * A test T is CALL/FORM/TARGETS[/OPTION...]:
 *   CALL     space | list | space-ex | list-ex (HvCallFlushVirtualAddress{Space,List}[Ex])
 *   FORM     mem | fast | xmm (enum hv_form in guest.h)
 *   TARGETS  all (HV_FLUSH_ALL_PROCESSORS, or HV_GENERIC_SET_ALL for Ex) or VPs a,b,...; the
 *            workers among them check; when VP 0 (the caller) is a target it checks itself too
 *   OPTION   N (list: N GvaRange entries, default 1), xP (list: P pages per entry, default 1),
 *            halted (workers wait in HLT with IF=1 across the flush and are woken by send_ipi after it),
 *            allas (HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES instead of AddressSpace = CR3),
 *            nonglobal (HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY, Space calls)
 * or the negative control control[/TARGETS][/halted]: the same swaps without any flush. It must see
 * at least one stale read ("PASS control: stale translation observed (N of M)"), which shows that the
 * test can fail; otherwise it FAILs.
 * Each passing test prints "PASS T (...)"; the guest exits 0 when all passed.
 * VPs are named by their boot-info number (0 .. vp_count - 1) here; the flush calls name each target by
 * the Hyper-V VP index that VP read from HV_X64_MSR_VP_INDEX, as Linux does: with the partition's
 * vp_index key (docs/config.md) the two differ, and a target set reaches bank 1 with two VPs.
 *
 * What a run under Bochs can show: Bochs empties its whole TLB on every VM entry and exit
 * (handleCpuContextChange), so a stale translation survives only on a target that stays in guest mode.
 * The test catches a running target that is not interrupted before the call returns (no kick, a wrong
 * target set) and wrong statuses, hangs or crashes for every state; it cannot catch a missing or wrong
 * INVVPID, nor a halted or descheduled target that re-enters unflushed: on hardware with VPIDs it can.
 */
#include "guest.h"

#define TEST_GVA 0x0000009000155000ull /* its own PML4 slot: nothing else maps near it */
#define WAKE_VECTOR 0x40
#define MAX_LIST 509                    /* (4096 - 24) / 8: Linux's most entries per input page */
#define MAX_TESTS 24
#define HALT_SETTLE_US 20               /* a worker that announced its HLT reaches it in a few instructions */
#define ACK_TIMEOUT_S 30                /* emulated seconds a worker may take to check one iteration */

static const u64 page_value[2] = { 0x1111111111111111ull, 0x2222222222222222ull };

enum call_kind { CALL_NONE, CALL_SPACE, CALL_LIST, CALL_SPACE_EX, CALL_LIST_EX };

struct test {
	char name[64];
	enum call_kind call;
	enum hv_form form;
	bool all;
	u32 targets[MINIHV_MAX_VPS];
	u32 ntargets;
	u32 list_len, entry_pages;
	bool halted, allas, nonglobal;
	bool workers_only; /* control without targets: every worker, not the caller */
};

/* Shared by all VPs of the partition. */
static u64 *test_pte;
static u64 page_gpa[2];
static volatile u64 seq;                        /* even: stable, odd: the sender is swapping */
static volatile u64 acked[MINIHV_MAX_VPS];      /* the last even seq a worker checked */
static volatile u32 active[MINIHV_MAX_VPS];
static volatile u32 halting[MINIHV_MAX_VPS];    /* set (with IF=0) right before the worker's HLT */
static volatile u64 stale[MINIHV_MAX_VPS];      /* control: iterations with a stale read */
static volatile u64 stale_seq[MINIHV_MAX_VPS];
static volatile u32 halt_mode, control_mode, quit, failed;
static volatile u32 ready;
static volatile u32 hv_index_plus1[MINIHV_MAX_VPS]; /* each VP's HV_X64_MSR_VP_INDEX + 1; 0: not read yet */
static bool is_worker[MINIHV_MAX_VPS];
static char current_test[64];
static u64 gva_list[MAX_LIST];

static u32 page_of(u64 s)
{
	return (s >> 1) & 1;
}

static void on_wake(struct irq_frame *f)
{
	(void)f;
}

/* Ends every VP: a stuck partition would only show up as the scenario's timeout. */
static NORETURN void abort_all(const char *fmt, ...)
{
	char msg[CONSOLE_LINE_MAX - 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	atomic_store_u32(&failed, this_vp() + 1);
	atomic_store_u32(&quit, 1);
	for (u32 v = 0; v < vp_count(); v++)
		if (v != this_vp())
			send_ipi(v, WAKE_VECTOR);
	guest_fail("%s", msg);
}

static u64 read_test_page(void)
{
	barrier();
	u64 v = *(volatile u64 *)(uintptr_t)TEST_GVA;
	barrier();
	return v;
}

/* One check: the value must be the published one whenever the publication did not change around it. */
static void check_once(u32 me)
{
	u64 s1 = atomic_load_u64(&seq);
	if (s1 & 1)
		return;
	u64 v = read_test_page();
	u64 s2 = atomic_load_u64(&seq);
	if (s1 != s2)
		return;
	u64 want = page_value[page_of(s1)];
	if (v != want) {
		if (!atomic_load_u32(&control_mode))
			abort_all("%s: vp %u read 0x%lx at GVA 0x%llx after the flush returned, expected 0x%lx: "
				  "a stale translation survived the flush (iteration seq %lu)",
				  current_test, me, v, TEST_GVA, want, s1);
		if (stale_seq[me] != s1) {
			stale_seq[me] = s1;
			stale[me]++;
		}
	}
	atomic_store_u64(&acked[me], s1);
}

static int worker(u32 me)
{
	idt_init();
	idt_set_handler(WAKE_VECTOR, on_wake);
	atomic_add_u32(&ready, 1);
	for (;;) {
		cli();
		if (atomic_load_u32(&quit)) {
			sti();
			return atomic_load_u32(&failed) == me + 1;
		}
		bool idle = !atomic_load_u32(&active[me]) ||
			    (atomic_load_u32(&halt_mode) && atomic_load_u64(&acked[me]) == atomic_load_u64(&seq));
		if (idle) {
			/* Checked with IF=0; STI's shadow covers the HLT, so a wake-up sent after the check
			 * still ends it. */
			atomic_store_u32(&halting[me], 1);
			sti_hlt();
			atomic_store_u32(&halting[me], 0);
			continue;
		}
		sti();
		check_once(me);
	}
}

static int idler(void)
{
	idt_init();
	idt_set_handler(WAKE_VECTOR, on_wake);
	atomic_add_u32(&ready, 1);
	cli();
	while (!atomic_load_u32(&quit)) {
		sti_hlt();
		cli();
	}
	sti();
	return 0;
}

/* ---- the sender (VP 0) ---- */

static u64 deadline(void)
{
	u64 khz = tsc_khz() ? tsc_khz() : 1000000;
	return rdtsc() + khz * 1000 * ACK_TIMEOUT_S;
}

static void wait_acks(const u32 *w, u32 n, u64 s, bool need_halting)
{
	for (u32 i = 0; i < n; i++) {
		u64 end = deadline();
		while (atomic_load_u64(&acked[w[i]]) < s || (need_halting && !atomic_load_u32(&halting[w[i]]))) {
			if (atomic_load_u32(&failed))
				guest_fail("%s: stopped: vp %u failed", current_test, atomic_load_u32(&failed) - 1);
			if (rdtsc() > end)
				abort_all("%s: vp %u did not check the test page within %u s (acked seq %lu, want %lu)",
					  current_test, w[i], ACK_TIMEOUT_S, acked[w[i]], s);
			cpu_relax();
		}
	}
}

/* Entry i covers P pages; the test page lies in entry pos, which moves with the iteration so that
 * every position of the list is exercised. */
static u32 build_list(const struct test *t, u32 it)
{
	u32 n = t->list_len, p = t->entry_pages;
	u32 pos = (it * 7) % n;
	for (u32 i = 0; i < n; i++) {
		s64 first = ((s64)i - (s64)pos) * (s64)p - (s64)(p / 2);
		gva_list[i] = hv_gva_range(TEST_GVA + (u64)(first * (s64)PAGE_SIZE), p);
	}
	return n;
}

/* The targets as the guest names them to the hypervisor: their Hyper-V VP indexes. */
static u32 target_indexes(const struct test *t, u32 *idx)
{
	for (u32 i = 0; i < t->ntargets; i++)
		idx[i] = hv_index_plus1[t->targets[i]] - 1;
	return t->ntargets;
}

static u64 flush(const struct test *t, u32 it)
{
	u64 as = t->allas ? 0 : (read_cr3() & PTE_ADDR_MASK);
	u64 flags = (t->allas ? HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES : 0) |
		    (t->nonglobal ? HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY : 0);
	u64 mask = 0;
	struct hv_vpset set;
	if (t->all) {
		flags |= (t->call == CALL_SPACE || t->call == CALL_LIST) ? HV_FLUSH_ALL_PROCESSORS : 0;
		hv_vpset_all(&set);
	} else {
		u32 idx[MINIHV_MAX_VPS], n = target_indexes(t, idx);
		for (u32 i = 0; i < n; i++)
			mask |= idx[i] < 64 ? BIT(idx[i]) : 0;
		hv_vpset_sparse(&set, idx, n);
	}
	u32 n = (t->call == CALL_LIST || t->call == CALL_LIST_EX) ? build_list(t, it) : 0;
	switch (t->call) {
	case CALL_SPACE: return hv_flush_virtual_address_space(t->form, as, flags, mask);
	case CALL_LIST: return hv_flush_virtual_address_list(t->form, as, flags, mask, gva_list, n);
	case CALL_SPACE_EX: return hv_flush_virtual_address_space_ex(t->form, as, flags, &set);
	case CALL_LIST_EX: return hv_flush_virtual_address_list_ex(t->form, as, flags, &set, gva_list, n);
	case CALL_NONE: break;
	}
	return 0;
}

static void run_test(const struct test *t, u32 iters)
{
	u32 w[MINIHV_MAX_VPS], nw = 0;
	bool self = t->all && !t->workers_only;
	for (u32 v = 1; v < vp_count(); v++) {
		bool target = t->all;
		for (u32 i = 0; i < t->ntargets; i++)
			target |= t->targets[i] == v;
		if (target && is_worker[v])
			w[nw++] = v;
	}
	for (u32 i = 0; i < t->ntargets; i++)
		self |= t->targets[i] == 0;
	if (!nw && !self)
		abort_all("%s: no worker and not the caller among the targets: nothing would check", t->name);
	strlcpy(current_test, t->name, sizeof(current_test));
	bool control = t->call == CALL_NONE;
	atomic_store_u32(&control_mode, control);
	atomic_store_u32(&halt_mode, t->halted);
	for (u32 i = 0; i < nw; i++) {
		stale[w[i]] = 0;
		atomic_store_u32(&active[w[i]], 1);
		send_ipi(w[i], WAKE_VECTOR);
	}
	wait_acks(w, nw, atomic_load_u64(&seq), false);

	u64 self_stale = 0, reissues0 = hv_flush_reissues;
	for (u32 it = 0; it < iters; it++) {
		u64 s = atomic_load_u64(&seq);
		if (t->halted)
			wait_acks(w, nw, s, true);
		if (t->halted)
			delay_us(HALT_SETTLE_US);
		if (self && read_test_page() != page_value[page_of(s)] && !control)
			abort_all("%s: the caller read a stale value before iteration %u", t->name, it);
		atomic_store_u64(&seq, s + 1);
		/* The swap: no INVLPG, so every TLB that cached the old translation keeps it until flushed. */
		__atomic_store_n(test_pte, page_gpa[page_of(s + 2)] | PTE_P | PTE_W, __ATOMIC_SEQ_CST);
		if (!control) {
			u64 rax = flush(t, it);
			u16 st = HV_HYPERCALL_STATUS(rax);
			if (st != HV_STATUS_SUCCESS)
				abort_all("%s: iteration %u: the flush returned RAX 0x%lx (%s)", t->name, it, rax,
					  hv_status_name(st));
			if ((t->call == CALL_LIST || t->call == CALL_LIST_EX) && HV_REPS_COMPLETED(rax) != t->list_len)
				abort_all("%s: iteration %u: RAX 0x%lx reports %u reps completed, not %u", t->name, it,
					  rax, HV_REPS_COMPLETED(rax), t->list_len);
		}
		atomic_store_u64(&seq, s + 2);
		if (self) {
			u64 v = read_test_page();
			if (v != page_value[page_of(s + 2)]) {
				if (!control)
					abort_all("%s: the caller (a target) read 0x%lx after its own flush returned, "
						  "expected 0x%lx: its TLB was not flushed (iteration %u)",
						  t->name, v, page_value[page_of(s + 2)], it);
				self_stale++;
			}
		}
		if (t->halted)
			for (u32 i = 0; i < nw; i++)
				send_ipi(w[i], WAKE_VECTOR);
		wait_acks(w, nw, s + 2, false);
	}
	for (u32 i = 0; i < nw; i++)
		atomic_store_u32(&active[w[i]], 0);
	atomic_store_u32(&halt_mode, 0);

	char who[96];
	size_t len = 0;
	who[0] = 0;
	for (u32 i = 0; i < nw && len + 8 < sizeof(who); i++)
		len += snprintf(who + len, sizeof(who) - len, "%s%u", i ? "," : "", w[i]);
	if (control) {
		u64 n = self_stale, m = (u64)iters * (nw + (self ? 1 : 0));
		for (u32 i = 0; i < nw; i++)
			n += stale[w[i]];
		/* Put every TLB back in step before the next test. */
		u64 rax = hv_flush_virtual_address_space(HV_FORM_MEMORY, 0,
							 HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, 0);
		if (HV_HYPERCALL_STATUS(rax) != HV_STATUS_SUCCESS)
			abort_all("%s: the clean-up flush returned RAX 0x%lx", t->name, rax);
		if (!n)
			abort_all("%s: no stale translation in %lu checks without a flush: this test cannot tell a "
				   "flush from none here", t->name, m);
		guest_pass("%s: stale translation observed (%lu of %lu)", t->name, n, m);
		return;
	}
	guest_pass("%s (%u iterations, workers %s%s%s, rep re-issues %lu)", t->name, iters, nw ? who : "none",
		   self ? ", caller checked" : "", t->halted ? ", halted" : "", hv_flush_reissues - reissues0);
}

/* ---- command line ---- */

static bool parse_num(const char *s, u64 *v)
{
	return *s && parse_u64(s, strlen(s), v, false);
}

/* "a,b,c" into vps[]; false on junk or an index outside the partition. */
static bool parse_vps(char *s, u32 *vps, u32 *n)
{
	*n = 0;
	while (*s) {
		char *comma = strchr(s, ',');
		if (comma)
			*comma = 0;
		u64 v;
		if (!parse_num(s, &v) || v >= vp_count() || *n >= MINIHV_MAX_VPS)
			return false;
		vps[(*n)++] = (u32)v;
		if (!comma)
			break;
		s = comma + 1;
	}
	return *n > 0;
}

static void parse_test(char *tok, struct test *t)
{
	memset(t, 0, sizeof(*t));
	strlcpy(t->name, tok, sizeof(t->name));
	t->list_len = 1;
	t->entry_pages = 1;
	char *part[12];
	u32 np = 0;
	for (char *s = tok; s && np < ARRAY_SIZE(part);) {
		part[np++] = s;
		s = strchr(s, '/');
		if (s)
			*s++ = 0;
	}
	u32 first_opt;
	if (!strcmp(part[0], "control")) {
		t->call = CALL_NONE;
		first_opt = 1;
		if (np > 1 && strcmp(part[1], "halted")) {
			if (!strcmp(part[1], "all"))
				t->all = true;
			else if (!parse_vps(part[1], t->targets, &t->ntargets))
				abort_all("tlbtest: test '%s': bad targets '%s'", t->name, part[1]);
			first_opt = 2;
		}
		if (first_opt == 1)
			t->all = t->workers_only = true;
	} else {
		if (np < 3)
			abort_all("tlbtest: test '%s': expected CALL/FORM/TARGETS[/OPTION...]", t->name);
		if (!strcmp(part[0], "space"))
			t->call = CALL_SPACE;
		else if (!strcmp(part[0], "list"))
			t->call = CALL_LIST;
		else if (!strcmp(part[0], "space-ex"))
			t->call = CALL_SPACE_EX;
		else if (!strcmp(part[0], "list-ex"))
			t->call = CALL_LIST_EX;
		else
			abort_all("tlbtest: test '%s': unknown call '%s' (space, list, space-ex, list-ex, control)",
				   t->name, part[0]);
		if (!strcmp(part[1], "mem"))
			t->form = HV_FORM_MEMORY;
		else if (!strcmp(part[1], "fast"))
			t->form = HV_FORM_FAST;
		else if (!strcmp(part[1], "xmm"))
			t->form = HV_FORM_XMM;
		else
			abort_all("tlbtest: test '%s': unknown form '%s' (mem, fast, xmm)", t->name, part[1]);
		if (!strcmp(part[2], "all"))
			t->all = true;
		else if (!parse_vps(part[2], t->targets, &t->ntargets))
			abort_all("tlbtest: test '%s': bad targets '%s'", t->name, part[2]);
		first_opt = 3;
	}
	for (u32 i = first_opt; i < np; i++) {
		u64 v;
		if (!strcmp(part[i], "halted"))
			t->halted = true;
		else if (!strcmp(part[i], "allas"))
			t->allas = true;
		else if (!strcmp(part[i], "nonglobal"))
			t->nonglobal = true;
		else if (part[i][0] == 'x' && parse_num(part[i] + 1, &v) && v >= 1 && v <= 4096)
			t->entry_pages = (u32)v;
		else if (parse_num(part[i], &v) && v >= 1 && v <= MAX_LIST)
			t->list_len = (u32)v;
		else
			abort_all("tlbtest: test '%s': bad option '%s'", t->name, part[i]);
	}
	if (t->list_len > 1 && t->call != CALL_LIST && t->call != CALL_LIST_EX)
		abort_all("tlbtest: test '%s': a list length needs list or list-ex", t->name);
	/* What the form can carry (the wrappers would FAIL on this VP only, mid-test). */
	bool ex = t->call == CALL_SPACE_EX || t->call == CALL_LIST_EX;
	struct hv_vpset set;
	u32 idx[MINIHV_MAX_VPS], n = target_indexes(t, idx);
	hv_vpset_sparse(&set, idx, t->all ? 0 : n);
	u32 qwords = (ex ? 4 + hv_vpset_banks(&set) : 3) +
		     ((t->call == CALL_LIST || t->call == CALL_LIST_EX) ? t->list_len : 0);
	u32 room = t->form == HV_FORM_MEMORY ? PAGE_SIZE / 8 : 2 + 2 * HV_HYPERCALL_MAX_XMM_REGISTERS;
	if (t->call != CALL_NONE && qwords > room)
		abort_all("tlbtest: test '%s': its %u-qword input exceeds the %u qwords of the %s form", t->name, qwords,
			  room, t->form == HV_FORM_MEMORY ? "memory" : "register");
}

static int sender(const struct minihv_boot_info *bi)
{
	/* Every VP's VP index, before a test names one (each VP reads it first thing). */
	u64 deadline = rdtsc() + (tsc_khz() ? tsc_khz() : 1000000) * 1000 * ACK_TIMEOUT_S;
	for (u32 v = 0; v < vp_count(); v++)
		while (!atomic_load_u32(&hv_index_plus1[v]))
			if (rdtsc() > deadline)
				abort_all("tlbtest: VP %u did not report its VP index within %u s", v, ACK_TIMEOUT_S);
	char val[256];
	u64 iters = 100;
	if (guest_option("iters", val, sizeof(val)) && (!parse_num(val, &iters) || !iters))
		abort_all("tlbtest: bad iters=%s", val);

	static struct test tests[MAX_TESTS];
	u32 ntests = 0;
	if (!guest_option("tests", val, sizeof(val)))
		strlcpy(val, "space/mem/1;space/xmm/1;control", sizeof(val));
	for (char *s = val; s && *s && ntests < MAX_TESTS;) {
		char *semi = strchr(s, ';');
		if (semi)
			*semi = 0;
		if (*s)
			parse_test(s, &tests[ntests++]);
		s = semi ? semi + 1 : NULL;
	}

	/* The test pages and the PTE, before any worker starts reading. */
	for (int i = 0; i < 2; i++) {
		u64 *p = page_alloc(1);
		if (!p)
			abort_all("tlbtest: out of pages");
		for (u32 j = 0; j < PAGE_SIZE / 8; j++)
			p[j] = page_value[i];
		page_gpa[i] = (u64)(uintptr_t)p;
	}
	test_pte = pt_pte_4k(TEST_GVA);
	if (!test_pte)
		abort_all("tlbtest: cannot map the test GVA 0x%llx", TEST_GVA);
	atomic_store_u64(&seq, 2);
	pt_set_pte(TEST_GVA, page_gpa[page_of(2)] | PTE_P | PTE_W);

	u32 others = vp_count() - 1;
	printf("tlbtest: %u VPs, %u tests x %lu iterations; test GVA 0x%llx -> GPA 0x%lx / 0x%lx; hypercall page "
	       "at GPA 0x%lx\n", bi->vp_count, ntests, iters, TEST_GVA, page_gpa[0], page_gpa[1],
	       hv_features()->hypercall_gpa);
	char idx[CONSOLE_LINE_MAX / 2];
	int k = 0;
	for (u32 v = 0; v < vp_count() && k >= 0 && k < (int)sizeof(idx) - 8; v++)
		k += snprintf(idx + k, sizeof(idx) - (size_t)k, " %u", hv_index_plus1[v] - 1);
	printf("tlbtest: Hyper-V VP index of VP 0, 1, ...:%s\n", idx);
	atomic_store_u32(&ready, 1); /* releases the other VPs */
	while (atomic_load_u32(&ready) < 1 + others)
		cpu_relax();

	for (u32 i = 0; i < ntests; i++)
		run_test(&tests[i], (u32)iters);

	atomic_store_u32(&quit, 1);
	for (u32 v = 1; v < vp_count(); v++)
		send_ipi(v, WAKE_VECTOR);
	return 0;
}

int guest_main(const struct minihv_boot_info *bi)
{
	hv_setup();
	u32 me = bi->vp_index;
	u32 index = hv_vp_index();
	guest_check(index < MINIHV_MAX_VPS, "tlbtest: HV_X64_MSR_VP_INDEX reads %u on VP %u", index, me);
	atomic_store_u32(&hv_index_plus1[me], index + 1);

	char val[256];
	if (guest_option("workers", val, sizeof(val))) {
		u32 vps[MINIHV_MAX_VPS], n;
		guest_check(parse_vps(val, vps, &n), "tlbtest: bad workers=%s", val);
		for (u32 i = 0; i < n; i++)
			is_worker[vps[i]] = vps[i] != 0;
	} else {
		for (u32 v = 1; v < bi->vp_count; v++)
			is_worker[v] = true;
	}
	if (me == 0) {
		idt_init();
		idt_set_handler(WAKE_VECTOR, on_wake);
		return sender(bi);
	}
	/* Wait until VP 0 has built the test mapping (ready = 1), then count in. */
	while (atomic_load_u32(&ready) == 0 && !atomic_load_u32(&quit))
		cpu_relax();
	if (atomic_load_u32(&quit))
		return 0;
	return is_worker[me] ? worker(me) : idler();
}
