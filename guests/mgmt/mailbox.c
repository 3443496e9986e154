/* The flusher's side of the scenarios: commands posted to its mailbox (guests/flusher/mailbox.h) with
 * MINIHV_CALL_WRITE_MEMORY, progress read back with MINIHV_CALL_READ_MEMORY.
 *
 *   fl V idle | read | exit [all-vps]
 *   fl V flush [call=space|list|space-ex|list-ex] [form=mem|fast] [targets=0,2,64-65] [all] [set-all]
 *              [flags=N] [format=N] [count=N] [swap] [verify] [verify-all] [sti] [random [seed=N]] [nowait]
 *   fl V ipi to=W vector=N
 *   fl V hvcall code=N [vp=W]
 *
 * flags defaults to HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES (as the KVM selftest); `all` adds
 * HV_FLUSH_ALL_PROCESSORS; count defaults to 1 (0: until the next command). The command waits until the
 * VP has taken it (ack), unless nowait. */
#include "mgmt.h"

#define ACK_TIMEOUT_MS 3000

static bool mb_read(u32 pid, u64 gpa, void *buf, u32 size)
{
	if (mg_read(pid, gpa, buf, size))
		return fail("MINIHV_CALL_READ_MEMORY of the mailbox failed: HV_STATUS_%s", hv_status_name(mg_status));
	return true;
}

static bool mb_write(u32 pid, u64 gpa, const void *buf, u32 size)
{
	if (mg_write(pid, gpa, buf, size))
		return fail("MINIHV_CALL_WRITE_MEMORY to the mailbox failed: HV_STATUS_%s", hv_status_name(mg_status));
	return true;
}

/* "0,2,64-65" → bits */
bool parse_targets(const char *s, u64 t[2])
{
	t[0] = t[1] = 0;
	while (*s) {
		char num[12];
		u64 a, b;
		size_t n = 0;
		while (s[n] && s[n] != ',' && s[n] != '-' && n < sizeof(num) - 1)
			num[n] = s[n], n++;
		num[n] = 0;
		if (!arg_u64(num, "target VP", &a))
			return false;
		s += n;
		b = a;
		if (*s == '-') {
			s++;
			n = 0;
			while (s[n] && s[n] != ',' && n < sizeof(num) - 1)
				num[n] = s[n], n++;
			num[n] = 0;
			if (!arg_u64(num, "target VP", &b))
				return false;
			s += n;
		}
		if (a > b || b >= MINIHV_MAX_VPS)
			return fail("target VPs %lu-%lu: VP indices are 0..%u", a, b, MINIHV_MAX_VPS - 1);
		for (u64 v = a; v <= b; v++)
			t[v / 64] |= BIT(v % 64);
		if (*s == ',')
			s++;
	}
	return true;
}

static bool parse_call(const char *s, u32 *call)
{
	static const struct {
		const char *name;
		u32 code;
	} calls[] = {
		{ "space", HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE },
		{ "list", HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST },
		{ "space-ex", HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX },
		{ "list-ex", HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX },
	};
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++)
		if (!strcmp(s, calls[i].name)) {
			*call = calls[i].code;
			return true;
		}
	return fail("call=%s: space, list, space-ex or list-ex", s);
}

static bool kv_u64(int argc, char **argv, const char *key, u64 *v)
{
	const char *s = arg_kv(argc, argv, key);
	return !s || arg_u64(s, key, v);
}

/* Fills the command half of a slot from the arguments (argv[0] is the command). */
static bool build_command(int argc, char **argv, struct mailbox_slot *c)
{
	const char *cmd = argv[0], *s;
	memset(c, 0, sizeof(*c));
	c->flags = HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES;
	c->count = 1;
	if (!strcmp(cmd, "idle")) {
		c->cmd = MB_CMD_IDLE;
	} else if (!strcmp(cmd, "read")) {
		c->cmd = MB_CMD_READ;
	} else if (!strcmp(cmd, "exit")) {
		c->cmd = MB_CMD_EXIT;
		c->arg0 = arg_flag(argc, argv, "all-vps");
	} else if (!strcmp(cmd, "ipi")) {
		c->cmd = MB_CMD_IPI;
		if (!arg_kv(argc, argv, "to") || !arg_kv(argc, argv, "vector"))
			return fail("usage: fl V ipi to=W vector=N");
		if (!kv_u64(argc, argv, "to", &c->arg0) || !kv_u64(argc, argv, "vector", &c->arg1))
			return false;
		if (c->arg1 < 32 || c->arg1 > 255)
			return fail("vector %lu: 32..255", c->arg1);
	} else if (!strcmp(cmd, "hvcall")) {
		c->cmd = MB_CMD_HVCALL;
		if (!(s = arg_kv(argc, argv, "code")) || !arg_u64(s, "code", &c->arg0) || !kv_u64(argc, argv, "vp", &c->arg1))
			return mg_err[0] ? false : fail("usage: fl V hvcall code=N [vp=W]");
	} else if (!strcmp(cmd, "flush")) {
		c->cmd = MB_CMD_FLUSH;
		c->call = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE;
		if ((s = arg_kv(argc, argv, "call")) && !parse_call(s, &c->call))
			return false;
		if ((s = arg_kv(argc, argv, "form")) && strcmp(s, "mem") && strcmp(s, "fast"))
			return fail("form=%s: mem or fast", s);
		c->form = s && !strcmp(s, "fast") ? MB_FORM_FAST : MB_FORM_MEMORY;
		if ((s = arg_kv(argc, argv, "targets")) && !parse_targets(s, c->targets))
			return false;
		if (!kv_u64(argc, argv, "flags", &c->flags) || !kv_u64(argc, argv, "count", &c->count) ||
		    !kv_u64(argc, argv, "format", &c->arg1) || !kv_u64(argc, argv, "seed", &c->arg0))
			return false;
		if (arg_flag(argc, argv, "all"))
			c->flags |= HV_FLUSH_ALL_PROCESSORS;
		c->opts = (arg_flag(argc, argv, "swap") ? MB_OPT_SWAP : 0) | (arg_flag(argc, argv, "verify") ? MB_OPT_VERIFY : 0) |
			  (arg_flag(argc, argv, "verify-all") ? MB_OPT_VERIFY | MB_OPT_VERIFY_ALL : 0) |
			  (arg_flag(argc, argv, "sti") ? MB_OPT_STI : 0) | (arg_flag(argc, argv, "set-all") ? MB_OPT_SET_ALL : 0) |
			  (arg_flag(argc, argv, "random") ? MB_OPT_RANDOM : 0);
	} else {
		return fail("unknown flusher command '%s' (idle, read, flush, ipi, hvcall, exit)", cmd);
	}
	return true;
}

/* Posts c to slot vp of partition pid; waits for the VP to take it unless nowait. */
bool mb_post(u32 pid, u32 vp, struct mailbox_slot *c, bool nowait)
{
	u64 gpa = MAILBOX_SLOT_GPA(vp);
	u32 seq;
	if (!mb_read(pid, gpa, &seq, sizeof(seq)))
		return false;
	/* Everything but seq first, then seq: the VP starts when it sees the new seq. */
	if (!mb_write(pid, gpa + 4, (const u8 *)c + 4, __builtin_offsetof(struct mailbox_slot, ack) - 4))
		return false;
	seq++;
	if (!mb_write(pid, gpa, &seq, sizeof(seq)))
		return false;
	if (nowait)
		return true;
	u64 start = rdtsc();
	for (;;) {
		u32 ack;
		if (!mb_read(pid, gpa + __builtin_offsetof(struct mailbox_slot, ack), &ack, sizeof(ack)))
			return false;
		if (ack == seq)
			return true;
		if (rdtsc() - start > ms_to_tsc(ACK_TIMEOUT_MS))
			return fail("flusher vp %u did not take the command within %u ms (busy or suspended?)", vp,
				    ACK_TIMEOUT_MS);
		delay_us(200);
	}
}

bool cmd_fl(int argc, char **argv)
{
	u32 vp;
	struct mailbox_slot c;
	if (!arg_vp(mg_target, argv[0], &vp) || !build_command(argc - 1, argv + 1, &c))
		return false;
	return mb_post(mg_target, vp, &c, arg_flag(argc, argv, "nowait"));
}

static bool header(struct mailbox_header *h)
{
	return mb_read(mg_target, MAILBOX_GPA, h, sizeof(*h));
}

bool cmd_ready(int argc, char **argv)
{
	u64 ms = 20000;
	struct mailbox_header h;
	if (argc && !arg_u64(argv[0], "timeout (ms)", &ms))
		return false;
	u64 start = rdtsc();
	for (u32 vp = 0;;) {
		if (rdtsc() - start > ms_to_tsc(ms))
			return fail("the flusher in partition %u was not ready within %lu ms (magic or VP %u missing)",
				    mg_target, ms, vp);
		if (!header(&h))
			return false;
		u32 state = MB_STATE_BOOT;
		if (h.magic == MAILBOX_MAGIC && !mb_read(mg_target, MAILBOX_SLOT_GPA(vp) + __builtin_offsetof(struct mailbox_slot, state), &state, 4))
			return false;
		if (h.magic == MAILBOX_MAGIC && state != MB_STATE_BOOT && ++vp == h.active)
			return true;
		if (h.magic != MAILBOX_MAGIC || state == MB_STATE_BOOT)
			delay_us(1000);
	}
}

bool cmd_reset(int argc, char **argv)
{
	struct mailbox_header h;
	struct mailbox_slot idle;
	if (!header(&h))
		return false;
	if (h.magic != MAILBOX_MAGIC)
		return fail("partition %u has no flusher mailbox (run ready first)", mg_target);
	for (u32 vp = 0; vp < mg_parts[mg_target].info.vp_count; vp++) {
		struct minihv_vp_info v;
		if (mg_get_vp(mg_target, vp, &v))
			return fail("MINIHV_CALL_GET_VP failed: HV_STATUS_%s", hv_status_name(mg_status));
		if (v.tlb_flush_inhibit && mg_set_inhibit(mg_target, vp, false))
			return fail("uninhibit of vp %u failed: HV_STATUS_%s", vp, hv_status_name(mg_status));
		if (v.explicit_suspend && mg_set_reg(mg_target, vp, HvRegisterExplicitSuspend, 0))
			return fail("resume of vp %u failed: HV_STATUS_%s", vp, hv_status_name(mg_status));
	}
	memset(&idle, 0, sizeof(idle));
	for (u32 vp = 0; vp < h.active; vp++)
		if (!mb_post(mg_target, vp, &idle, false))
			return false;
	/* One flush of every VP, so that no TLB keeps a translation of the test page older than the last
	 * swap: a VP that starts reading again must not count what an earlier step left behind. */
	struct mailbox_slot all;
	u64 done0, done;
	memset(&all, 0, sizeof(all));
	all.cmd = MB_CMD_FLUSH;
	all.call = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE;
	all.flags = HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES;
	all.count = 1;
	u64 done_gpa = MAILBOX_SLOT_GPA(0) + __builtin_offsetof(struct mailbox_slot, done);
	if (!mb_read(mg_target, done_gpa, &done0, 8) || !mb_post(mg_target, 0, &all, false))
		return false;
	for (u64 start = rdtsc();; delay_us(200)) {
		if (!mb_read(mg_target, done_gpa, &done, 8))
			return false;
		if (done != done0)
			break;
		if (rdtsc() - start > ms_to_tsc(ACK_TIMEOUT_MS))
			return fail("flusher vp 0 did not finish the reset flush within %u ms", ACK_TIMEOUT_MS);
	}
	return mb_post(mg_target, 0, &idle, false);
}

bool mb_present(u32 pid)
{
	struct mailbox_header h;
	return mg_read(pid, MAILBOX_GPA, &h, sizeof(h)) == HV_STATUS_SUCCESS && h.magic == MAILBOX_MAGIC;
}

bool mb_finish(u32 pid, u64 timeout_ms)
{
	struct mailbox_header h;
	struct mailbox_slot c;
	if (!mb_read(pid, MAILBOX_GPA, &h, sizeof(h)))
		return false;
	if (h.magic != MAILBOX_MAGIC)
		return fail("partition %u has no flusher mailbox", pid);
	/* VP 0 last: it also wakes the halted VPs so that they end too. */
	for (u32 vp = h.active; vp-- > 0;) {
		memset(&c, 0, sizeof(c));
		c.cmd = MB_CMD_EXIT;
		c.arg0 = vp == 0;
		if (!mb_post(pid, vp, &c, true))
			return false;
	}
	u64 start = rdtsc();
	for (;;) {
		struct minihv_partition_info p;
		if (mg_get_partition(pid, &p))
			return fail("MINIHV_CALL_GET_PARTITION failed: HV_STATUS_%s", hv_status_name(mg_status));
		if (p.state != MINIHV_PARTITION_RUNNING)
			return p.state == MINIHV_PARTITION_FINISHED ? true : fail("partition %u was stopped", pid);
		if (rdtsc() - start > ms_to_tsc(timeout_ms))
			return fail("partition %u did not finish within %lu ms of the exit commands", pid, timeout_ms);
		delay_us(1000);
	}
}
