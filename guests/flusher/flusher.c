/* flusher: the guest partition the management partition's scenarios drive (docs/api.md, "Scenarios").
 * Every active VP polls its mailbox slot (guests/flusher/mailbox.h) and runs what it finds there: read the
 * test GVA and check it against the expected value (a flush target), make flush hypercalls (a caller),
 * send an IPI, try a management call. VPs at or above `active=N` (cmdline; default all) halt until the
 * end, so that a partition with more than 64 VPs (sparse VP sets) costs no CPU time. */
#include "flusher.h"

static struct vp_barrier started;

static void on_irq(struct irq_frame *f)
{
	u32 me = this_vp();
	struct mailbox_slot *s = mb_slot(me);
	atomic_add_u64(&s->irqs, 1);
	order_log(s, MB_EV_IRQ);
	if (atomic_load_u32(&in_call[me]) && !s->irq_rip) {
		/* Inside a flush call: this is the VMCALL boundary if RIP is the VMCALL itself. */
		s->irq_rax = f->rax;
		s->irq_rcx = f->rcx;
		s->irq_done = s->done;
		atomic_store_u64(&s->irq_rip, f->rip);
	}
}

/* MB_CMD_READ: the flush target's side of the PTE-swap check. The expected value is read before and
 * after the load; only a load bracketed by the same non-zero value is checked (the values never repeat,
 * so the mapping did not change in between). */
static void read_loop(struct mailbox_slot *s)
{
	struct mailbox_header *h = mb_header();
	const volatile u64 *test = (const volatile u64 *)(uintptr_t)MAILBOX_TEST_GVA;
	bool said = false;
	while (!mb_new_command(s)) {
		u64 e1 = atomic_load_u64(&h->expected);
		u64 v = *test;
		u64 e2 = atomic_load_u64(&h->expected);
		atomic_store_u64(&s->reads, s->reads + 1);
		if (!e1 || e1 != e2)
			continue;
		atomic_store_u64(&s->checked, s->checked + 1);
		if (v == e1) {
			if (s->seen != v)
				atomic_store_u64(&s->seen, v);
			continue;
		}
		atomic_store_u64(&s->stale, s->stale + 1);
		if (!said)
			printf("flusher: vp %u: stale TLB entry: read %#lx at the test GVA, expected %#lx\n", this_vp(), v, e1);
		said = true;
	}
}

static void hvcall(struct mailbox_slot *s, u64 code, u64 arg)
{
	/* A management call as a guest would make it; minihv must refuse it (HV_STATUS_ACCESS_DENIED). */
	static u64 buf[MINIHV_MAX_VPS][8] __attribute__((aligned(64)));
	u64 *in = buf[this_vp()];
	struct minihv_tlb_flush_inhibit_input *q = (void *)in;
	memset(in, 0, sizeof(buf[0]));
	q->target.partition_id = guest_boot_info()->partition_id;
	q->target.vp_index = (u32)arg;
	q->inhibit.inhibit = MINIHV_INHIBIT_TLB_FLUSH;
	u64 out = (u64)(uintptr_t)(in + 4);
	atomic_store_u64(&s->status, hypercall(code, (u64)(uintptr_t)in, out));
}

static void halt_until_exit(struct mailbox_slot *s)
{
	atomic_store_u32(&s->state, MB_STATE_HALTED);
	cli();
	while (!atomic_load_u32(&mb_header()->exit_all)) {
		sti_hlt();
		cli();
	}
}

static int command_loop(struct mailbox_slot *s)
{
	atomic_store_u32(&s->state, MB_STATE_IDLE);
	for (;;) {
		sti();
		while (!mb_new_command(s))
			cpu_relax();
		cli();
		u32 seq = atomic_load_u32(&s->seq);
		u32 cmd = s->cmd;
		u64 arg0 = s->arg0, arg1 = s->arg1;
		if (cmd == MB_CMD_FLUSH) {
			s->irqs = s->irq_rip = s->irq_rax = s->irq_rcx = s->irq_done = 0;
			s->verified = s->iteration = 0;
		}
		atomic_store_u32(&s->state, MB_STATE_BUSY);
		atomic_store_u32(&s->ack, seq);
		switch (cmd) {
		case MB_CMD_IDLE:
			atomic_store_u32(&s->state, MB_STATE_IDLE);
			break;
		case MB_CMD_READ:
			atomic_store_u32(&s->state, MB_STATE_READING);
			sti(); /* a reader takes interrupts while it reads */
			read_loop(s);
			cli();
			atomic_store_u32(&s->state, MB_STATE_IDLE);
			break;
		case MB_CMD_FLUSH:
			atomic_store_u32(&s->state, MB_STATE_FLUSHING);
			flush_run(s);
			atomic_store_u32(&s->state, MB_STATE_DONE);
			break;
		case MB_CMD_IPI:
			atomic_store_u64(&s->status, send_ipi((u32)arg0, (u8)arg1));
			atomic_store_u32(&s->state, MB_STATE_DONE);
			break;
		case MB_CMD_HVCALL:
			hvcall(s, arg0, arg1);
			atomic_store_u32(&s->state, MB_STATE_DONE);
			break;
		case MB_CMD_EXIT:
			if (arg0) {
				atomic_store_u32(&mb_header()->exit_all, 1);
				for (u32 v = mb_header()->active; v < vp_count(); v++)
					send_ipi(v, FLUSHER_WAKE_VECTOR);
			}
			atomic_store_u32(&s->state, MB_STATE_DONE);
			return 0;
		default:
			printf("flusher: vp %u: unknown command %u\n", this_vp(), cmd);
			atomic_store_u32(&s->state, MB_STATE_FAILED);
			break;
		}
	}
}

int guest_main(const struct minihv_boot_info *bi)
{
	u32 me = bi->vp_index;
	struct mailbox_header *h = mb_header();
	idt_init();
	for (u32 v = FLUSHER_IPI_FIRST; v <= FLUSHER_IPI_LAST; v++)
		idt_set_handler((u8)v, on_irq);
	if (me == 0) {
		guest_check(bi->free_start <= MAILBOX_GPA && MAILBOX_GPA + MAILBOX_SIZE <= bi->free_end,
			    "flusher: the mailbox at %#llx does not fit the free range [%#lx, %#lx): give the partition "
			    "at least 32M",
			    MAILBOX_GPA, bi->free_start, bi->free_end);
		memset(h, 0, MAILBOX_SIZE);
		char val[16];
		u64 active = bi->vp_count;
		if (guest_option("active", val, sizeof(val)) &&
		    (!parse_u64(val, strlen(val), &active, false) || !active || active > bi->vp_count))
			guest_fail("flusher: active=%s: expected 1..%u", val, bi->vp_count);
		h->vp_count = bi->vp_count;
		h->active = (u32)active;
		h->vmcall_rip = (u64)(uintptr_t)hypercall_insn;
		flush_setup();
		/* Every VP must have the test mapping in its TLB path before anyone swaps: done below. */
	}
	vp_barrier_wait(&started, bi->vp_count);
	(void)*(const volatile u64 *)(uintptr_t)MAILBOX_TEST_GVA;
	vp_barrier_wait(&started, bi->vp_count);
	if (me == 0) {
		atomic_store_u64(&h->magic, MAILBOX_MAGIC);
		printf("flusher: %u VPs (%u active), mailbox at %#llx, test GVA %#llx, flush VMCALL at %#lx\n",
		       bi->vp_count, h->active, MAILBOX_GPA, MAILBOX_TEST_GVA, h->vmcall_rip);
	}
	struct mailbox_slot *s = mb_slot(me);
	if (me >= h->active) {
		halt_until_exit(s);
		return 0;
	}
	return command_loop(s);
}
