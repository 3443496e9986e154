/* Scenario steps: values read from the hypervisor and the guest, variables, checks and waits, and the
 * flusher's mailbox (guests/flusher/mailbox.h). A value is one word:
 *   123, 0x7b, $name, $name+1      numbers and variables (+, - and & with a second value) ($F: the flusher partition, $status: the
 *                                  status of the last hypercall, $value: of the last getreg/peek)
 *   running ... ended, none        VP states (MINIHV_VP_*), none = no VP (0xffffffff)
 *   mb_idle, mb_reading, mb_done.. mailbox slot states (MB_STATE_*)
 *   SUCCESS, INVALID_PARAMETER ... HV_STATUS_* names
 *   v:[P:]V.field                  MINIHV_CALL_GET_VP field (state, waiting_on, exits, guest_tsc, ...)
 *   m:[P:]V.field                  the VP's mailbox slot (entered, done, status, reads, stale, ...)
 *   h:[P:]field                    the mailbox header (expected, swaps, vmcall_rip, ...)
 *   mem:[P:]GPA                    a 64-bit word of guest memory
 *   reg:[P:]V.explicit|intercept   HvCallGetVpRegisters
 * P defaults to the target partition (`target`, initially the flusher). */
#include "mgmt.h"

#define FIELD(s, f) { #f, __builtin_offsetof(struct s, f), sizeof(((struct s *)0)->f) }
struct field {
	const char *name;
	u32 offset, size;
};

static const struct field slot_fields[] = {
	FIELD(mailbox_slot, seq), FIELD(mailbox_slot, cmd), FIELD(mailbox_slot, ack), FIELD(mailbox_slot, state),
	FIELD(mailbox_slot, entered), FIELD(mailbox_slot, done), FIELD(mailbox_slot, status),
	FIELD(mailbox_slot, rax_in), FIELD(mailbox_slot, reads), FIELD(mailbox_slot, checked),
	FIELD(mailbox_slot, stale), FIELD(mailbox_slot, seen), FIELD(mailbox_slot, verified),
	FIELD(mailbox_slot, irqs), FIELD(mailbox_slot, irq_rip), FIELD(mailbox_slot, irq_rax),
	FIELD(mailbox_slot, irq_rcx), FIELD(mailbox_slot, irq_done), FIELD(mailbox_slot, order),
	FIELD(mailbox_slot, iteration), FIELD(mailbox_slot, posted), FIELD(mailbox_slot, failed),
	{ 0 },
};

static const struct field header_fields[] = {
	FIELD(mailbox_header, magic), FIELD(mailbox_header, vp_count), FIELD(mailbox_header, active),
	FIELD(mailbox_header, expected), FIELD(mailbox_header, swaps), FIELD(mailbox_header, pte_gpa),
	FIELD(mailbox_header, vmcall_rip), FIELD(mailbox_header, exit_all),
	{ 0 },
};

static const struct field vp_fields[] = {
	FIELD(minihv_vp_info, state), FIELD(minihv_vp_info, block_reasons), FIELD(minihv_vp_info, waiting_on),
	FIELD(minihv_vp_info, home_cpu), FIELD(minihv_vp_info, tlb_flush_inhibit),
	FIELD(minihv_vp_info, explicit_suspend), FIELD(minihv_vp_info, exit_status), FIELD(minihv_vp_info, exits),
	FIELD(minihv_vp_info, hypercalls), FIELD(minihv_vp_info, flushes_requested),
	FIELD(minihv_vp_info, flushes_received), FIELD(minihv_vp_info, flushes_completed),
	FIELD(minihv_vp_info, invvpid), FIELD(minihv_vp_info, invept), FIELD(minihv_vp_info, suspensions),
	FIELD(minihv_vp_info, suspended_tsc), FIELD(minihv_vp_info, guest_tsc), FIELD(minihv_vp_info, resumes),
	{ "flush_space", __builtin_offsetof(struct minihv_vp_info, hypercalls_flush[0]), 8 },
	{ "flush_list", __builtin_offsetof(struct minihv_vp_info, hypercalls_flush[1]), 8 },
	{ "flush_space_ex", __builtin_offsetof(struct minihv_vp_info, hypercalls_flush[2]), 8 },
	{ "flush_list_ex", __builtin_offsetof(struct minihv_vp_info, hypercalls_flush[3]), 8 },
	{ 0 },
};

static u64 field_value(const void *base, const struct field *f)
{
	const u8 *p = (const u8 *)base + f->offset;
	switch (f->size) {
	case 1: return *p;
	case 4: return *(const u32 *)p;
	default: return *(const u64 *)p;
	}
}

static const struct field *find_field(const struct field *t, const char *name)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	fail("unknown field '%s'", name);
	return NULL;
}

/* ---- variables ---- */

static struct {
	char name[16];
	u64 value;
} vars[32];

bool var_set(const char *name, u64 v)
{
	size_t free_slot = ARRAY_SIZE(vars);
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		if (!strcmp(vars[i].name, name)) {
			vars[i].value = v;
			return true;
		}
		if (!vars[i].name[0] && free_slot == ARRAY_SIZE(vars))
			free_slot = i;
	}
	if (free_slot == ARRAY_SIZE(vars) || strlen(name) >= sizeof(vars[0].name))
		return fail("no room for variable '%s'", name);
	strlcpy(vars[free_slot].name, name, sizeof(vars[0].name));
	vars[free_slot].value = v;
	return true;
}

static bool var_get(const char *name, u64 *v)
{
	if (!strcmp(name, "status")) {
		*v = mg_status;
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++)
		if (vars[i].name[0] && !strcmp(vars[i].name, name)) {
			*v = vars[i].value;
			return true;
		}
	return fail("no variable $%s", name);
}

/* ---- values ---- */

/* "[P:]rest": the partition (default: the target) and what follows it. */
static bool split_partition(const char *s, bool guest_only, u32 *pid, const char **rest)
{
	const char *colon = strchr(s, ':');
	*pid = mg_target;
	*rest = s;
	if (!colon)
		return true;
	char num[16];
	size_t n = (size_t)(colon - s);
	if (n >= sizeof(num))
		return fail("bad partition in '%s'", s);
	memcpy(num, s, n);
	num[n] = 0;
	*rest = colon + 1;
	if (num[0] == '$') {
		u64 v;
		if (!var_get(num + 1, &v))
			return false;
		snprintf(num, sizeof(num), "%lu", v);
	}
	return arg_partition(num, guest_only, pid);
}

/* "V.field" */
static bool split_vp(u32 pid, const char *s, u32 *vp, const char **field)
{
	const char *dot = strchr(s, '.');
	char num[16];
	size_t n = dot ? (size_t)(dot - s) : 0;
	if (!dot || !n || n >= sizeof(num))
		return fail("expected V.field in '%s'", s);
	memcpy(num, s, n);
	num[n] = 0;
	*field = dot + 1;
	return arg_vp(pid, num, vp);
}

static bool read_word(u32 pid, u64 gpa, u32 size, u64 *v)
{
	*v = 0;
	if (mg_read(pid, gpa, v, size))
		return fail("MINIHV_CALL_READ_MEMORY at %#lx failed: HV_STATUS_%s", gpa, hv_status_name(mg_status));
	return true;
}

static bool eval_source(const char *kind, const char *s, u64 *out)
{
	u32 pid, vp;
	const char *rest, *fname = NULL;
	const struct field *f;
	if (!split_partition(s, strcmp(kind, "v") != 0, &pid, &rest))
		return false;
	if (!strcmp(kind, "mem")) {
		u64 gpa;
		return arg_u64(rest, "GPA", &gpa) && read_word(pid, gpa, 8, out);
	}
	if (!strcmp(kind, "h"))
		return (f = find_field(header_fields, rest)) && read_word(pid, MAILBOX_GPA + f->offset, f->size, out);
	if (!split_vp(pid, rest, &vp, &fname))
		return false;
	if (!strcmp(kind, "m"))
		return (f = find_field(slot_fields, fname)) && read_word(pid, MAILBOX_SLOT_GPA(vp) + f->offset, f->size, out);
	if (!strcmp(kind, "v")) {
		struct minihv_vp_info info;
		if (!(f = find_field(vp_fields, fname)))
			return false;
		if (mg_get_vp(pid, vp, &info))
			return fail("MINIHV_CALL_GET_VP failed: HV_STATUS_%s", hv_status_name(mg_status));
		*out = field_value(&info, f);
		return true;
	}
	if (!strcmp(kind, "reg")) {
		u32 name = !strcmp(fname, "explicit") ? HvRegisterExplicitSuspend : HvRegisterInterceptSuspend;
		if (strcmp(fname, "explicit") && strcmp(fname, "intercept"))
			return fail("register '%s': explicit or intercept", fname);
		if (mg_get_reg(pid, vp, name, out))
			return fail("HvCallGetVpRegisters failed: HV_STATUS_%s", hv_status_name(mg_status));
		return true;
	}
	return fail("unknown value kind '%s:'", kind);
}

bool eval(const char *tok, u64 *out)
{
	static const char *const states[] = { "running", "runnable", "halted", "suspended", "explicit", "stopped", "ended",
						    "wait_sipi" };
	static const char *const mb_states[] = { [MB_STATE_BOOT] = "mb_boot", [MB_STATE_IDLE] = "mb_idle",
		[MB_STATE_READING] = "mb_reading", [MB_STATE_FLUSHING] = "mb_flushing", [MB_STATE_DONE] = "mb_done",
		[MB_STATE_FAILED] = "mb_failed", [MB_STATE_HALTED] = "mb_halted", [MB_STATE_BUSY] = "mb_busy" };
	/* a+b, a-b, a&b: the last operator not at the start, evaluated left to right */
	for (const char *p = tok + strlen(tok); p-- > tok + 1;) {
		if (*p != '+' && *p != '-' && *p != '&')
			continue;
		char left[64];
		u64 a, b;
		size_t n = (size_t)(p - tok);
		if (n >= sizeof(left))
			return fail("value '%s' too long", tok);
		memcpy(left, tok, n);
		left[n] = 0;
		if (!eval(left, &a) || !eval(p + 1, &b))
			return false;
		*out = *p == '+' ? a + b : *p == '-' ? a - b : a & b;
		return true;
	}
	if (tok[0] == '$')
		return var_get(tok + 1, out);
	if (tok[0] >= '0' && tok[0] <= '9')
		return arg_u64(tok, "value", out);
	for (size_t i = 0; i < ARRAY_SIZE(states); i++)
		if (!strcmp(tok, states[i])) {
			*out = i;
			return true;
		}
	if (!strcmp(tok, "none")) {
		*out = 0xffffffffu;
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(mb_states); i++)
		if (!strcmp(tok, mb_states[i])) {
			*out = i;
			return true;
		}
	if (hv_status_parse(tok, out) || translate_value(tok, out))
		return true;
	const char *colon = strchr(tok, ':');
	if (colon && colon - tok < 8) {
		char kind[8];
		memcpy(kind, tok, (size_t)(colon - tok));
		kind[colon - tok] = 0;
		return eval_source(kind, colon + 1, out);
	}
	return fail("bad value '%s'", tok);
}

/* ---- checks ---- */

static bool compare(u64 a, const char *op, u64 b, bool *result)
{
	if (!strcmp(op, "=="))
		*result = a == b;
	else if (!strcmp(op, "!="))
		*result = a != b;
	else if (!strcmp(op, "<"))
		*result = a < b;
	else if (!strcmp(op, "<="))
		*result = a <= b;
	else if (!strcmp(op, ">"))
		*result = a > b;
	else if (!strcmp(op, ">="))
		*result = a >= b;
	else
		return fail("bad operator '%s' (== != < <= > >=)", op);
	return true;
}

static bool check(char **argv, bool *result, u64 *a, u64 *b)
{
	return eval(argv[0], a) && eval(argv[2], b) && compare(*a, argv[1], *b, result);
}

static bool cmd_expect(int argc, char **argv)
{
	u64 a, b;
	bool r;
	if (!check(argv, &r, &a, &b))
		return false;
	if (!r)
		return fail("expected %s %s %s, but %s = %#lx (%lu) and %s = %#lx (%lu)", argv[0], argv[1], argv[2], argv[0],
			    a, a, argv[2], b, b);
	return true;
}

static bool cmd_wait(int argc, char **argv)
{
	u64 ms = 5000, a, b;
	bool r;
	if (argc > 3 && !arg_u64(argv[3], "timeout (ms)", &ms))
		return false;
	u64 start = rdtsc(), limit = ms_to_tsc(ms);
	for (;;) {
		if (!check(argv, &r, &a, &b))
			return false;
		if (r)
			return true;
		if (rdtsc() - start > limit)
			return fail("waited %lu ms for %s %s %s; %s = %#lx (%lu), %s = %#lx (%lu)", ms, argv[0], argv[1],
				    argv[2], argv[0], a, a, argv[2], b, b);
		delay_us(500); /* a poll is a hypercall (and two trace events): keep them rare */
	}
}

static bool cmd_set(int argc, char **argv)
{
	u64 v;
	return eval(argv[1], &v) && var_set(argv[0], v);
}

static bool cmd_sleep(int argc, char **argv)
{
	u64 ms;
	if (!arg_u64(argv[0], "ms", &ms))
		return false;
	delay_tsc(ms_to_tsc(ms));
	return true;
}

static bool cmd_echo(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		printf("%s%s", i ? " " : "", argv[i]);
	printf("\n");
	return true;
}

/* state V NAME [W]: VP V of the target is in state NAME (and suspended waiting on VP W). */
static bool cmd_state(int argc, char **argv)
{
	u32 vp;
	u64 want, w;
	struct minihv_vp_info v;
	if (!arg_vp(mg_target, argv[0], &vp) || !eval(argv[1], &want))
		return false;
	if (argc > 2 && !eval(argv[2], &w))
		return false;
	if (mg_get_vp(mg_target, vp, &v))
		return fail("MINIHV_CALL_GET_VP failed: HV_STATUS_%s", hv_status_name(mg_status));
	if (v.state != want)
		return fail("vp %u is %s, not %s (block reasons %#x, waiting on %d)", vp, vp_state_name(v.state), argv[1],
			    v.block_reasons, (int)v.waiting_on);
	if (argc > 2 && v.waiting_on != w)
		return fail("vp %u is %s but waiting on VP %d, not %s", vp, vp_state_name(v.state), (int)v.waiting_on, argv[2]);
	return true;
}

static bool cmd_require_vps(int argc, char **argv)
{
	u64 n;
	if (!arg_u64(argv[0], "VP count", &n))
		return false;
	if (mg_parts[mg_target].info.vp_count < n)
		return fail("this scenario needs a flusher partition with at least %lu VPs; partition %u has %u "
			    "(vps = in the config)", n, mg_target, mg_parts[mg_target].info.vp_count);
	return true;
}

static bool cmd_target(int argc, char **argv)
{
	u32 pid;
	if (!arg_partition(argv[0], true, &pid))
		return false;
	mg_target = pid;
	return var_set("F", pid);
}

const struct command script_commands[] = {
	{ "expect", "A OP B", "fail unless A OP B (OP: == != < <= > >=; values: see docs/api.md)", 3, 3, cmd_expect },
	{ "wait", "A OP B [MS]", "poll until A OP B, fail after MS ms (default 5000)", 3, 4, cmd_wait },
	{ "set", "NAME A", "remember a value as $NAME", 2, 2, cmd_set },
	{ "sleep", "MS", "busy-wait MS ms of TSC time", 1, 1, cmd_sleep },
	{ "echo", "TEXT...", "print a line", 0, -1, cmd_echo },
	{ "state", "V STATE [W]", "fail unless VP V is in STATE (and waits on VP W)", 2, 3, cmd_state },
	{ "require-vps", "N", "fail unless the target partition has at least N VPs", 1, 1, cmd_require_vps },
	{ "target", "P", "the partition of V, m:, v:, h:, mem: and fl (default: the flusher)", 1, 1, cmd_target },
	{ "ready", "[MS]", "wait until the flusher's mailbox is up and its active VPs idle", 0, 1, cmd_ready },
	{ "reset", "", "uninhibit and resume every VP of the target, idle the active ones, flush them all", 0, 0,
	  cmd_reset },
	{ "fl", "V CMD [key=value ...]", "post a command to flusher VP V (docs/api.md)", 2, -1, cmd_fl },
	{ "expect-translate", "P V GVA FLAGS CODE [GPA [CACHE [OVERLAY]]]",
	  "translate and fail unless every given field matches (CODE: Success, PageNotPresent, ...; CACHE: UC WC WT WP WB)",
	  5, 8, cmd_expect_translate },
	{ "translate-race", "[cycles=N] [control [delay=US]]", "translate/flush/clear race with a watchdog (control: the unsafe order)",
	  0, -1, cmd_translate_race },
	{ "race", "[cycles=N] [flushers=LIST] [targets=LIST]", "set/flush/clear race with a watchdog", 0, -1, cmd_race },
	{ "stress", "[ops=N] [seed=N] [total=N]", "random flushes vs. random inhibits and explicit suspends, counters checked",
	  0, -1, cmd_stress },
	{ 0 },
};
