/*
 * The modelled machine of test_tlb_model.c, included by it once (a fragment with its static state, not a
 * shared header): the VPID-tagged TLB and PTEs, the baton that lets one CPU thread run at a time, and the
 * stubs hv/flush.c, hv/inhibit.c and hv/wait.c call (INVVPID, kicks, waits, the clock). The including file
 * defines NCPU, NVP, NPAGE, NGLOBAL, SLICE and enum mutation first. docs/tlb-model.md describes the model.
 */
#ifndef TLB_MODEL_MACHINE_H
#define TLB_MODEL_MACHINE_H

/* ---- the modelled machine ---- */

struct pte { u64 version; };                 /* a translation is named by the PTE version it read */
struct tlb_entry { bool valid, global; u64 version; };

static struct pte pt[NPAGE];
static u64 pte_version;
static struct tlb_entry tlb[NCPU][NVP + 2][NPAGE]; /* [CPU][VPID][page]: VPIDs are 1..NVP */
static u64 required[NVP][NPAGE];             /* least version a use may see, from completed flushes */
static volatile int kick_pending[NCPU];
/* Really executing guest code: vp->in_guest is set earlier, before the last processing (as in sched.c). */
static bool guest_mode[NVP];

static struct partition part;
static struct vp vps[NVP];
static struct vp *vp_ptrs[NVP];
struct cpu cpus[MAX_CPUS];
u32 cpu_count;
static struct vp *cpu_vps[NCPU][NVP];
struct vmx_msrs vmx_caps; /* vmx/vmxon.c in the hypervisor: only its VPID capabilities matter here */

static enum mutation mutation;
static u64 rng;
static u32 flushes_left;
static int violations;
static char first_violation[256];
static struct {
	u64 invvpid[4], invept, queue_fallback, prefer_full, self, kicks, waits_timed_out, descheduled;
	u64 mask_calls, ex_calls, bank1_calls;
} seen;
/* Single-threaded cases (the local flush): no other CPU to hand on to, and each INVVPID logged. */
static bool solo;
struct invvpid_call { u64 type; u16 vpid; u64 gva; int cpu; };
static struct invvpid_call invvpid_log[64];
static u32 invvpid_logged;

static u64 rand64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static u32 below(u32 n) { return (u32)(rand64() % n); }

/* TLB_MODEL_TRACE=1 in the environment prints each modelled event, to replay a seed. */
static bool tracing;
#define TRACE(...) do { if (tracing) fprintf(stderr, __VA_ARGS__); } while (0)

static void violation(const char *fmt, ...)
{
	if (!violations++) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(first_violation, sizeof(first_violation), fmt, ap);
		va_end(ap);
	}
}

/* ---- one CPU at a time: the baton ---- */

static pthread_mutex_t baton_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t baton_cv = PTHREAD_COND_INITIALIZER;
static int baton;              /* the CPU allowed to run */
static bool alive[NCPU];
static __thread int self;      /* this thread's CPU */

static int pick_cpu(void)
{
	int n = 0, live[NCPU];
	for (int i = 0; i < NCPU; i++)
		if (alive[i])
			live[n++] = i;
	return n ? live[below((u32)n)] : -1;
}

static void hand_to(int next)
{
	pthread_mutex_lock(&baton_mu);
	baton = next;
	pthread_cond_broadcast(&baton_cv);
	while (alive[self] && baton != self)
		pthread_cond_wait(&baton_cv, &baton_mu);
	pthread_mutex_unlock(&baton_mu);
}

/* A point where another CPU may run: the interleavings are the sequences of these choices. */
static void yield(void)
{
	if (solo)
		return;
	int next = pick_cpu();
	if (next != self)
		hand_to(next);
}

/* ---- what flush.c, inhibit.c and wait.c call ---- */

void tlb_invvpid(u64 type, u16 vpid, u64 gva)
{
	if (type > INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS || (type != INVVPID_ALL_CONTEXT && (vpid == 0 || vpid > NVP))) {
		violation("INVVPID type %lu with VPID %u fails (VMfailValid)", (unsigned long)type, vpid);
		return;
	}
	seen.invvpid[type]++;
	if (invvpid_logged < ARRAY_SIZE(invvpid_log))
		invvpid_log[invvpid_logged++] = (struct invvpid_call){ type, vpid, gva, self };
	TRACE("cpu%d INVVPID %lu vpid %u gva %#lx\n", self, (unsigned long)type, vpid, (unsigned long)gva);
	if (mutation == MUT_DROP_INVVPID)
		return;
	if (mutation == MUT_WRONG_VPID)
		vpid = (u16)(vpid % NVP + 1);
	struct tlb_entry (*t)[NPAGE] = tlb[self];
	/* SDM Vol. 3 "INVVPID": which cached linear and combined mappings each type invalidates */
	switch (type) {
	case INVVPID_INDIVIDUAL_ADDRESS:
		if ((u64)((s64)(gva << 16) >> 16) != gva) {
			violation("INVVPID individual-address with non-canonical %#lx fails", (unsigned long)gva);
			return;
		}
		if (gva >= GVA_BASE && gva < GVA_BASE + NPAGE * 4096ull)
			t[vpid][(gva - GVA_BASE) / 4096].valid = false; /* global ones too */
		break;
	case INVVPID_SINGLE_CONTEXT:
		for (int p = 0; p < NPAGE; p++)
			t[vpid][p].valid = false;
		break;
	case INVVPID_ALL_CONTEXT:
		memset(tlb[self], 0, sizeof(tlb[self])); /* every VPID but 0, which no VP uses */
		break;
	case INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS:
		for (int p = 0; p < NPAGE; p++)
			if (!t[vpid][p].global)
				t[vpid][p].valid = false;
		break;
	}
	yield();
}

void tlb_invept(u64 type, u64 eptp)
{
	/* Every modelled translation is a combined mapping of the one EPT: single- and all-context alike. */
	seen.invept++;
	if (eptp != part.eptp && type == INVEPT_SINGLE_CONTEXT)
		return;
	memset(tlb[self], 0, sizeof(tlb[self]));
	yield();
}

void vp_kick(struct vp *vp)
{
	seen.kicks++;
	if (vp->home != &cpus[self])
		__atomic_store_n(&kick_pending[vp->home->index], 1, __ATOMIC_SEQ_CST);
	yield();
}

void vp_block(struct vp *vp, u32 reason) { __atomic_fetch_or(&vp->blocked, reason, __ATOMIC_SEQ_CST); }
void vp_unblock(struct vp *vp, u32 reason) { __atomic_fetch_and(&vp->blocked, ~reason, __ATOMIC_SEQ_CST); }
void trace_event(enum trace_type type, struct vp *vp, u32 a, u64 b) { (void)type, (void)vp, (void)a, (void)b; }
void partition_stop(struct partition *p, struct vp *culprit, const char *why, ...)
{
	seen.waits_timed_out++;
	violation("partition stopped: a flush wait timed out");
}
void log_msg(enum log_level level, const char *fmt, ...) { (void)level, (void)fmt; }

u64 tsc_khz = 1;    /* one model tick per "ms": a wait gives up after WAIT_*_MS polls */
static u64 model_clock;
u64 wait_clock(void) { return model_clock; }
void wait_relax(void)
{
	model_clock++;
	yield();
}

#endif
