/*
 * The real flush code (hv/flush.c: post, request processing, the GVA queue and its full-flush
 * fallback, NON_GLOBAL handling, the self-flush; hv/inhibit.c's epoch bracket; hv/wait.c) against a
 * model of a VPID-tagged TLB, through the seam of hv/tlb_ops.h. docs/tlb-model.md describes the model.
 *
 * Threads stand in for CPUs, but only one runs at a time: it hands the CPU on at the yield points
 * (the stubs below, and the modelled guest's steps) to a CPU picked by a seeded PRNG, so every run is
 * one reproducible interleaving. The property: after a flush call returns, no target uses (or, in
 * guest mode, even holds) a translation older than a PTE change its caller made before the call.
 * The negative controls break one link each and must make the property fail.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/flush.h"
#include "hv/inhibit.h"
#include "log.h"
#include "hv/tlb_ops.h"
#include "trace.h"
#include "vmx_caps.h"
#include "hv/wait.h"
#include "tests/flush_encode.h"

#define NCPU 3
#define NVP 5         /* homed round-robin: CPUs 0 and 1 each run two VPs, so targets get descheduled */
#define NPAGE 48      /* modelled GVAs: GVA_BASE + n * 4 KiB */
#define NGLOBAL 4     /* pages 0..3 are global (G=1), the rest are not; a page never changes kind */
#define GVA_BASE 0x40000000ull
#define SLICE 6       /* guest steps per entry at most */

enum mutation { MUT_NONE, MUT_DROP_INVVPID, MUT_WRONG_VPID, MUT_SKIP_QUEUED, MUT_LOST_REQUEST, MUT_IDENTITY_DECODE };

/* Hyper-V VP indexes of VPs 0..NVP-1 in the sparse runs (config key vp_index): two in bank 1, one at the
 * top, and VP 3 keeps its number, so that a decoder that ignores the map goes wrong for some targets only. */
static const u16 sparse_vp_index[NVP] = { 0, 64, 65, 3, 127 };

/* The modelled machine: TLBs, PTEs, the baton, the stubs the flush code calls. */
#include "tests/unit/tlb_model_machine.h"

/* ---- the modelled guest ---- */

static void guest_read(struct vp *vp, u32 page)
{
	struct tlb_entry *e = &tlb[self][vp->vpid][page];
	TRACE("cpu%d VP %u reads page %u: %s v%lu\n", self, vp->index, page, e->valid ? "hit" : "fill",
	      (unsigned long)(e->valid ? e->version : pt[page].version));
	if (e->valid) {
		if (e->version < required[vp->index][page])
			violation("VP %u used translation v%lu of page %u after a flush of v%lu completed", vp->index,
				  (unsigned long)e->version, page, (unsigned long)required[vp->index][page]);
		return;
	}
	*e = (struct tlb_entry){ true, page < NGLOBAL, pt[page].version };
}

/* The guest's side of the call (tests/flush_encode.h), then the real decoder through the partition's map
 * (or, for the negative control, the identity). */
static u16 encode_and_parse(const struct hv_flush_request *want, bool all, const u64 *gva, u64 *q,
			    struct hv_flush_request *out)
{
	u32 kind;
	u64 rcx;
	u32 n = flush_encode(&part.vp_map, want, all, gva, q, &rcx, &kind);
	seen.mask_calls += kind == FLUSH_ENCODED_MASK;
	seen.ex_calls += kind != FLUSH_ENCODED_MASK;
	seen.bank1_calls += kind == FLUSH_ENCODED_EX_BANK1;
	struct hv_hypercall_input in;
	u16 st = hv_hypercall_decode(rcx, &in);
	if (st != HV_STATUS_SUCCESS)
		return st;
	struct hv_vp_index_map identity;
	hv_vp_index_map_init(&identity, NVP, NULL);
	return hv_flush_parse(&in, q, n, mutation == MUT_IDENTITY_DECODE ? &identity : &part.vp_map, 46, out);
}

/* The modelled guest changes PTEs and asks for a flush: Space (all or non-global), or List. */
static void guest_flush(struct vp *vp)
{
	struct hv_flush_request req = { .code = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE };
	u64 gva[24];
	u32 changed[24], nchanged = 0;
	u64 version = ++pte_version;
	u32 kind = below(4);
	if (kind == 0) {
		/* A List of 1..20 entries: beyond VP_GVA_QUEUE (16) the call itself flushes everything. */
		req.code = below(2) ? HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST : HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
		req.gva_count = 1 + below(below(4) ? 4 : 20);
		for (u32 i = 0; i < req.gva_count; i++) {
			u32 page = below(NPAGE);
			gva[i] = GVA_BASE + page * 4096ull;
			changed[nchanged++] = page;
		}
		if (below(4) == 0) /* a TLFS range: more pages, sometimes more than the per-page ceiling */
			gva[0] |= below(2) ? 3 : 40;
		if (below(8) == 0 && req.gva_count < 24) /* outside the GVA space: ignored, never INVVPIDed */
			gva[req.gva_count++] = 0x8000000000000000ull;
	} else {
		if (kind == 1) {
			req.flags = HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY; /* then only non-global pages are changed */
			changed[nchanged++] = NGLOBAL + below(NPAGE - NGLOBAL);
		} else {
			for (u32 i = 0, n = 1 + below(3); i < n; i++)
				changed[nchanged++] = below(NPAGE);
		}
	}
	for (u32 i = 0; i < nchanged; i++)
		pt[changed[i]].version = version;
	if (hv_flush_code_is_list(req.code) && hv_flush_list_prefers_full(gva, req.gva_count))
		seen.prefer_full++;

	/* Targets: one, several, everyone (ALL_PROCESSORS is a full set once parsed), with or without self. */
	u32 shape = below(4);
	if (shape == 0)
		hv_vp_bitmap_fill(&req.targets, NVP); /* encoded as ALL_PROCESSORS / HV_GENERIC_SET_ALL */
	else if (shape == 1)
		hv_vp_bitmap_set(&req.targets, vp->index);
	else
		for (u32 i = 0, n = 1 + below(NVP); i < n; i++)
			hv_vp_bitmap_set(&req.targets, below(NVP));
	if (hv_vp_bitmap_test(&req.targets, vp->index))
		seen.self++;
	for_each_vp_in(t, &req.targets)
		if (vps[t].home != vp->home && !vps[t].in_guest)
			seen.descheduled++;

	TRACE("cpu%d VP %u flush code %u flags %lu targets %#lx v%lu pages", self, vp->index, req.code,
	      (unsigned long)req.flags, (unsigned long)req.targets.bits[0], (unsigned long)version);
	for (u32 i = 0; i < nchanged; i++)
		TRACE(" %u", changed[i]);
	TRACE("\n");
	/* VMCALL: out of guest mode, then the hypercall on this CPU. */
	guest_mode[vp->index] = false;
	__atomic_store_n(&vp->in_guest, 0, __ATOMIC_SEQ_CST);
	u64 q[8 + 24];
	struct hv_flush_request parsed;
	u16 st = encode_and_parse(&req, shape == 0, gva, q, &parsed);
	if (st != HV_STATUS_SUCCESS) {
		violation("flush input refused with status %#x", st);
		return;
	}
	/* The promise is about the VPs the guest meant (req.targets), whatever the decoder made of them. */
	if (hv_flush_execute(vp, &parsed, q + parsed.gva_index) != FLUSH_DONE) {
		violation("flush did not complete");
		return;
	}
	TRACE("cpu%d VP %u flush v%lu returned\n", self, vp->index, (unsigned long)version);
	/* Returned: the TLFS promise holds from now on for every changed page and every target. */
	for_each_vp_in(t, &req.targets) {
		struct vp *tv = &vps[t];
		for (u32 i = 0; i < nchanged; i++) {
			u32 page = changed[i];
			if (required[t][page] < version)
				required[t][page] = version;
			struct tlb_entry *e = &tlb[tv->home->index][tv->vpid][page];
			if (guest_mode[t] && e->valid && e->version < version)
				violation("flush by VP %u returned while VP %u in guest mode holds v%lu of page %u (< v%lu)",
					  vp->index, t, (unsigned long)e->version, page, (unsigned long)version);
		}
	}
	if (flushes_left)
		flushes_left--;
}

/* The negative controls that break the request itself, applied where the target takes it. */
static void mutate_requests(struct vp *vp)
{
	if (mutation == MUT_SKIP_QUEUED && vp->gva_count > 0) {
		spin_lock(&vp->gva_lock);
		vp->gva_count--; /* the last queued address is never flushed */
		spin_unlock(&vp->gva_lock);
	}
	if (mutation == MUT_LOST_REQUEST && vp->requests && below(2))
		__atomic_and_fetch(&vp->requests, ~(u32)(VP_REQ_FLUSH_ALL | VP_REQ_FLUSH_NONGLOBAL | VP_REQ_FLUSH_GVA),
				   __ATOMIC_SEQ_CST);
}

static void note_requests(struct vp *vp)
{
	if ((vp->requests & (VP_REQ_FLUSH_ALL | VP_REQ_FLUSH_GVA)) == (VP_REQ_FLUSH_ALL | VP_REQ_FLUSH_GVA))
		seen.queue_fallback++; /* a list met a full queue (or a full flush) and became a full flush */
}

/* vmx/sched.c's run_vp, step for step: process, in_guest = 1, re-check blocked, process again, enter. */
static void run_vp(struct vp *vp)
{
	TRACE("cpu%d VP %u entry: requests %#x queue %u\n", self, vp->index, vp->requests, vp->gva_count);
	note_requests(vp);
	mutate_requests(vp);
	hv_flush_process(vp);
	yield();
	__atomic_store_n(&vp->in_guest, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vp->blocked, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&vp->in_guest, 0, __ATOMIC_SEQ_CST);
		return;
	}
	note_requests(vp);
	mutate_requests(vp);
	hv_flush_process(vp);
	guest_mode[vp->index] = true; /* VMLAUNCH/VMRESUME */
	yield();
	for (u32 step = 0; step < SLICE; step++) {
		/* The kick IPI, or the end of the test, makes the VP exit. */
		if (__atomic_exchange_n(&kick_pending[self], 0, __ATOMIC_SEQ_CST) || !flushes_left) {
			TRACE("cpu%d VP %u exits (kick)\n", self, vp->index);
			break;
		}
		if (below(5) == 0) {
			guest_flush(vp);
			return; /* left guest mode for the hypercall; re-entry goes through processing */
		}
		guest_read(vp, below(NPAGE));
		yield();
	}
	guest_mode[vp->index] = false;
	__atomic_store_n(&vp->in_guest, 0, __ATOMIC_SEQ_CST);
}

static void *cpu_thread(void *arg)
{
	self = (int)(intptr_t)arg;
	pthread_mutex_lock(&baton_mu);
	while (baton != self)
		pthread_cond_wait(&baton_cv, &baton_mu);
	pthread_mutex_unlock(&baton_mu);
	struct cpu *c = &cpus[self];
	for (u32 rr = 0; flushes_left; rr++) {
		run_vp(c->vps[rr % c->vp_count]);
		yield();
	}
	pthread_mutex_lock(&baton_mu);
	alive[self] = false;
	pthread_mutex_unlock(&baton_mu);
	int next = pick_cpu();
	pthread_mutex_lock(&baton_mu);
	if (next >= 0)
		baton = next;
	pthread_cond_broadcast(&baton_cv);
	pthread_mutex_unlock(&baton_mu);
	return NULL;
}

/* The modelled machine as a run starts: empty TLBs, NVP VPs homed round-robin on NCPU CPUs. */
static void model_reset(u64 seed, u32 flushes, enum mutation m, bool keep_globals_cap)
{
	memset(pt, 0, sizeof(pt));
	memset(tlb, 0, sizeof(tlb));
	memset(required, 0, sizeof(required));
	memset(guest_mode, 0, sizeof(guest_mode));
	memset((void *)kick_pending, 0, sizeof(kick_pending));
	memset(&part, 0, sizeof(part));
	memset(vps, 0, sizeof(vps));
	memset(cpus, 0, sizeof(cpus));
	memset(&seen, 0, sizeof(seen));
	invvpid_logged = 0;
	pte_version = 0;
	violations = 0;
	first_violation[0] = 0;
	model_clock = 0;
	mutation = m;
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	flushes_left = flushes;
	tracing = getenv("TLB_MODEL_TRACE") != NULL;
	vmx_caps.ept_vpid = keep_globals_cap ? VPID_CAP_INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS : 0;
	cpu_count = NCPU;
	part.vp_count = NVP;
	hv_vp_index_map_init(&part.vp_map, NVP, NULL);
	part.vps = vp_ptrs;
	part.eptp = 0x1234000;
	snprintf(part.name, sizeof(part.name), "model");
	for (int i = 0; i < NCPU; i++) {
		cpus[i].index = (u32)i;
		cpus[i].vps = cpu_vps[i];
		alive[i] = true;
	}
	for (int i = 0; i < NVP; i++) {
		struct cpu *home = &cpus[i % NCPU];
		vps[i] = (struct vp){ .index = (u32)i, .vpid = (u16)(i + 1), .part = &part, .home = home };
		vp_ptrs[i] = &vps[i];
		home->vps[home->vp_count++] = &vps[i];
	}
}

/* One seeded run of `flushes` flush calls; returns the number of violations. */
static int run_model(u64 seed, u32 flushes, enum mutation m, bool keep_globals_cap, bool sparse)
{
	model_reset(seed, flushes, m, keep_globals_cap);
	if (sparse)
		hv_vp_index_map_init(&part.vp_map, NVP, sparse_vp_index);
	solo = false;
	baton = 0;
	pthread_t t[NCPU];
	for (int i = 0; i < NCPU; i++)
		pthread_create(&t[i], NULL, cpu_thread, (void *)(intptr_t)i);
	for (int i = 0; i < NCPU; i++)
		pthread_join(t[i], NULL);
	return violations;
}

/* The model may report a seed's first violation, to replay it. */
static void report(u64 seed)
{
	if (violations)
		print_message("seed %lu: %d violation(s), first: %s\n", (unsigned long)seed, violations, first_violation);
}

#ifndef SEEDS
#define SEEDS 12
#endif
#define FLUSHES 400

static void test_real_code_keeps_the_promise(void **state)
{
	u64 total[4] = { 0 }, fallback = 0, full = 0, self_flush = 0, kicks = 0, desched = 0, mask = 0, ex = 0, bank1 = 0;
	for (u64 seed = 1; seed <= SEEDS; seed++) {
		int v = run_model(seed, FLUSHES, MUT_NONE, seed & 1, seed & 2);
		report(seed);
		assert_int_equal(v, 0);
		for (int i = 0; i < 4; i++)
			total[i] += seen.invvpid[i];
		fallback += seen.queue_fallback;
		full += seen.prefer_full;
		self_flush += seen.self;
		kicks += seen.kicks;
		desched += seen.descheduled;
		mask += seen.mask_calls;
		ex += seen.ex_calls;
		bank1 += seen.bank1_calls;
	}
	/* The runs went through every path the property is about. */
	assert_true(total[INVVPID_INDIVIDUAL_ADDRESS] > 0);
	assert_true(total[INVVPID_SINGLE_CONTEXT] > 0);
	assert_true(total[INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS] > 0);
	assert_true(fallback > 0);
	assert_true(full > 0);
	assert_true(self_flush > 0);
	assert_true(kicks > 0);
	assert_true(desched > 0);
	assert_true(mask > 0);
	assert_true(ex > 0);
	assert_true(bank1 > 0);
}

static void test_same_seed_same_run(void **state)
{
	run_model(7, 100, MUT_NONE, true, true);
	u64 a = seen.invvpid[0] + 1000 * seen.invvpid[1] + 1000000 * seen.kicks, clock_a = model_clock;
	run_model(7, 100, MUT_NONE, true, true);
	assert_int_equal(seen.invvpid[0] + 1000 * seen.invvpid[1] + 1000000 * seen.kicks, a);
	assert_int_equal(model_clock, clock_a);
}

/* A negative control passes when some seed makes the model see the breakage. */
static void expect_caught(enum mutation m)
{
	int found = 0;
	for (u64 seed = 1; seed <= SEEDS && !found; seed++) {
		found = run_model(seed, FLUSHES, m, seed & 1, m == MUT_IDENTITY_DECODE || (seed & 2));
		if (found)
			print_message("negative control %d caught (seed %lu): %s\n", m, (unsigned long)seed, first_violation);
	}
	assert_true(found > 0);
}

static void test_negative_dropped_invvpid(void **state) { expect_caught(MUT_DROP_INVVPID); }
static void test_negative_wrong_vpid(void **state) { expect_caught(MUT_WRONG_VPID); }
static void test_negative_skipped_queued_address(void **state) { expect_caught(MUT_SKIP_QUEUED); }
static void test_negative_lost_request_bit(void **state) { expect_caught(MUT_LOST_REQUEST); }
/* The decoder reads the guest's VP indexes as VP numbers (no vp_index map): targets with indexes 64, 65
 * and 127 are never flushed. */
static void test_negative_identity_decode(void **state) { expect_caught(MUT_IDENTITY_DECODE); }

/* ---- the local flush: the caller alone, carried out in place (hv/flush.c's fast path) ---- */

struct local_case {
	const char *what;
	u16 code;
	u64 flags;
	u32 n;
	u64 gva[3];
	u64 type;       /* the INVVPID type expected */
	u32 pages[4];   /* individual-address: the pages expected, in order; else unused */
	u32 npages;
};

/* One local flush by VP 1 (VPID 2, home CPU 1) with every TLB full. Returns the number of expectations
 * it broke, with the first one described: 0 when the call flushed exactly the caller's translations on
 * its CPU with the expected INVVPIDs, counted them, and posted nothing (no request, no queue, no kick). */
static int local_flush_errors(const struct local_case *c, enum mutation m, bool keep_globals_cap)
{
	model_reset(1, 0, m, keep_globals_cap);
	solo = true;
	self = 1;
	struct vp *me = &vps[1];
	for (int cpu = 0; cpu < NCPU; cpu++)
		for (int vpid = 1; vpid <= NVP; vpid++)
			for (int pg = 0; pg < NPAGE; pg++)
				tlb[cpu][vpid][pg] = (struct tlb_entry){ true, pg < NGLOBAL, 0 };
	struct hv_flush_request req = { .code = c->code, .flags = c->flags, .gva_count = c->n };
	hv_vp_bitmap_set(&req.targets, me->index);
	if (hv_flush_execute(me, &req, c->gva) != FLUSH_DONE)
		violation("%s: the local flush did not complete", c->what);

	bool single = c->type != INVVPID_INDIVIDUAL_ADDRESS;
	u32 want_calls = single ? 1 : c->npages;
	if (invvpid_logged != want_calls)
		violation("%s: %u INVVPIDs, expected %u", c->what, invvpid_logged, want_calls);
	for (u32 i = 0; i < invvpid_logged && i < want_calls; i++) {
		struct invvpid_call *k = &invvpid_log[i];
		u64 gva = single ? 0 : GVA_BASE + c->pages[i] * 4096ull;
		if (k->type != c->type || k->vpid != me->vpid || k->cpu != (int)me->home->index || (!single && k->gva != gva))
			violation("%s: INVVPID %u was type %lu VPID %u GVA %#lx on CPU %d, expected type %lu VPID %u GVA %#lx on CPU %u",
				  c->what, i, (unsigned long)k->type, k->vpid, (unsigned long)k->gva, k->cpu,
				  (unsigned long)c->type, me->vpid, (unsigned long)gva, me->home->index);
	}
	/* The TLB afterwards: the caller's flushed pages gone on its CPU, everything else kept. */
	for (int cpu = 0; cpu < NCPU; cpu++)
		for (int vpid = 1; vpid <= NVP; vpid++)
			for (u32 pg = 0; pg < NPAGE; pg++) {
				bool gone = false;
				if (cpu == (int)me->home->index && vpid == me->vpid) {
					if (c->type == INVVPID_SINGLE_CONTEXT)
						gone = true;
					else if (c->type == INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS)
						gone = pg >= NGLOBAL;
					else
						for (u32 i = 0; i < c->npages; i++)
							gone = gone || c->pages[i] == pg;
				}
				if (tlb[cpu][vpid][pg].valid == gone)
					violation("%s: CPU %d VPID %d page %u %s", c->what, cpu, vpid, pg,
						  gone ? "still cached after the flush" : "flushed though not asked for");
			}
	if (me->count.flushes_requested != 1 || me->count.flushes_received != 1 || me->count.flushes_completed != 1 ||
	    me->count.invvpid != want_calls)
		violation("%s: counters requested %lu received %lu completed %lu invvpid %lu, expected 1 1 1 %u", c->what,
			  (unsigned long)me->count.flushes_requested, (unsigned long)me->count.flushes_received,
			  (unsigned long)me->count.flushes_completed, (unsigned long)me->count.invvpid, want_calls);
	if (me->requests || me->gva_count || me->req_gen || seen.kicks)
		violation("%s: posted (requests %#x, queue %u, generation %lu, kicks %lu) instead of flushing in place",
			  c->what, me->requests, me->gva_count, (unsigned long)me->req_gen, (unsigned long)seen.kicks);
	for (int i = 0; i < NVP; i++)
		if (i != 1 && (vps[i].requests || vps[i].count.flushes_received))
			violation("%s: VP %d was sent a request", c->what, i);
	solo = false;
	return violations;
}

/* Space, Space NON_GLOBAL (with and without the retaining-globals INVVPID), a List flushed page by page
 * (a non-canonical entry skipped) and a List long enough for one single-context INVVPID. */
static const struct local_case local_cases[] = {
	{ "Space", HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0, 0, { 0 }, INVVPID_SINGLE_CONTEXT, { 0 }, 0 },
	{ "Space NON_GLOBAL", HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY, 0, { 0 },
	  INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS, { 0 }, 0 },
	{ "List of 3 pages", HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 3,
	  { GVA_BASE + 2 * 4096ull, GVA_BASE + 9 * 4096ull + 1, 0x8000000000000000ull },
	  INVVPID_INDIVIDUAL_ADDRESS, { 2, 9, 10 }, 3 },
	{ "ListEx of 41 pages", HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 0, 1, { GVA_BASE + 40 }, INVVPID_SINGLE_CONTEXT,
	  { 0 }, 0 },
};

static void check_local_cases(enum mutation m, bool expect_caught)
{
	for (u32 i = 0; i < ARRAY_SIZE(local_cases); i++) {
		for (int caps = 0; caps < 2; caps++) {
			struct local_case c = local_cases[i];
			if (c.type == INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS && !caps)
				c.type = INVVPID_SINGLE_CONTEXT; /* without the capability: a full single-context flush */
			int v = local_flush_errors(&c, m, caps);
			if (v)
				print_message("local flush %s (caps %d, mutation %d): %d error(s), first: %s\n", c.what, caps, m,
					      v, first_violation);
			if (expect_caught)
				assert_true(v > 0);
			else
				assert_int_equal(v, 0);
		}
	}
}

static void test_local_flush_in_place(void **state) { check_local_cases(MUT_NONE, false); }
/* The check itself sees a dropped INVVPID and one on the wrong VPID. */
static void test_negative_local_dropped_invvpid(void **state) { check_local_cases(MUT_DROP_INVVPID, true); }
static void test_negative_local_wrong_vpid(void **state) { check_local_cases(MUT_WRONG_VPID, true); }

#ifdef MUTANT_NOSELFFLUSH
/* Built against hv/flush.c with the caller's own flush left out (tests/unit/mutate): both checks must see it. */
static void test_mutant_local_flush_caught(void **state) { check_local_cases(MUT_NONE, true); }
static void test_mutant_model_sees_stale_self(void **state) { expect_caught(MUT_NONE); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutant_local_flush_caught),
		cmocka_unit_test(test_mutant_model_sees_stale_self),
	};
	return cmocka_run_group_tests_name("tlb_model_mutant_noselfflush", tests, NULL, NULL);
}
#else
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_code_keeps_the_promise),
		cmocka_unit_test(test_same_seed_same_run),
		cmocka_unit_test(test_negative_dropped_invvpid),
		cmocka_unit_test(test_negative_wrong_vpid),
		cmocka_unit_test(test_negative_skipped_queued_address),
		cmocka_unit_test(test_negative_lost_request_bit),
		cmocka_unit_test(test_negative_identity_decode),
		cmocka_unit_test(test_local_flush_in_place),
		cmocka_unit_test(test_negative_local_dropped_invvpid),
		cmocka_unit_test(test_negative_local_wrong_vpid),
	};
	return cmocka_run_group_tests_name("tlb_model", tests, NULL, NULL);
}
#endif
