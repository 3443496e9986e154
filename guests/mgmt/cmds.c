/* The console commands: looking at partitions and VPs, the TLB-flush inhibit, explicit suspend, the VP
 * registers, guest memory, and ending the machine. Arguments are checked before any hypercall; a failed
 * call is reported with its status by name. */
#include "mgmt.h"

static bool hv_failed(const char *what)
{
	return fail("%s failed: HV_STATUS_%s (%#x)", what, hv_status_name(mg_status), mg_status);
}

static bool target_args(char **argv, u32 *pid, u32 *vp)
{
	return arg_partition(argv[0], true, pid) && arg_vp(*pid, argv[1], vp);
}

/* "suspended waiting on VP 1", "running, TLB flushes inhibited", ... */
static void describe_vp(u32 pid, u32 vp, const struct minihv_vp_info *v, char *buf, size_t size)
{
	int n;
	if (pid == mg_self && vp == this_vp())
		n = snprintf(buf, size, "running (this shell)");
	else if (v->state == MINIHV_VP_SUSPENDED)
		n = snprintf(buf, size, "suspended waiting on VP %u", v->waiting_on);
	else if (v->state == MINIHV_VP_EXPLICIT && v->waiting_on != 0xffffffffu)
		n = snprintf(buf, size, "explicitly suspended, and suspended waiting on VP %u", v->waiting_on);
	else if (v->state == MINIHV_VP_EXPLICIT)
		n = snprintf(buf, size, "explicitly suspended");
	else if (v->state == MINIHV_VP_ENDED)
		n = snprintf(buf, size, "ended (status %d)", v->exit_status);
	else
		n = snprintf(buf, size, "%s", vp_state_name(v->state));
	if (v->tlb_flush_inhibit && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - n, ", TLB flushes inhibited");
}

static bool cmd_list(int argc, char **argv)
{
	static const char *const pstate[] = { "running", "finished", "stopped" };
	for (u32 pid = 0; pid < MGMT_MAX_PARTITIONS; pid++) {
		if (!mg_parts[pid].present)
			continue;
		struct minihv_partition_info p;
		if (mg_get_partition(pid, &p))
			return hv_failed("MINIHV_CALL_GET_PARTITION");
		printf("partition %u %s: %s, %u VP%s, %lu MiB, %s\n", pid, p.name, p.role ? "management" : "guest",
		       p.vp_count, p.vp_count == 1 ? "" : "s", p.ram_size >> 20, p.state < 3 ? pstate[p.state] : "?");
		for_each_vp(pid, vp) {
			struct minihv_vp_info v;
			char desc[96], num[24] = "";
			if (mg_get_vp(pid, vp, &v))
				return hv_failed("MINIHV_CALL_GET_VP");
			describe_vp(pid, vp, &v, desc, sizeof(desc));
			if (v.vp_number != vp) /* a vp_index key: say which VP of the config and the log it is */
				snprintf(num, sizeof(num), " (minihv VP %u)", v.vp_number);
			printf("  vp %u%s: %s (cpu %u)\n", vp, num, desc, v.home_cpu);
		}
	}
	return true;
}

static bool inhibit_common(char **argv, bool inhibit)
{
	u32 pid, vp;
	if (!target_args(argv, &pid, &vp))
		return false;
	if (mg_set_inhibit(pid, vp, inhibit))
		return hv_failed("MINIHV_CALL_SET_TLB_FLUSH_INHIBIT");
	printf("partition %u vp %u: TLB flushes %s\n", pid, vp, inhibit ? "inhibited" : "allowed");
	return true;
}

static bool cmd_inhibit(int argc, char **argv)
{
	return inhibit_common(argv, true);
}

static bool cmd_uninhibit(int argc, char **argv)
{
	return inhibit_common(argv, false);
}

/* The KVM structure as given, unchecked: for the hypervisor's own checks (bad structures). */
static bool cmd_raw_inhibit(int argc, char **argv)
{
	struct minihv_tlb_flush_inhibit_input in;
	memset(&in, 0, sizeof(in));
	u64 pid, vp, v;
	if (!arg_u64(argv[0], "partition", &pid) || !arg_u64(argv[1], "VP", &vp))
		return false;
	in.target.partition_id = pid;
	in.target.vp_index = (u32)vp;
	in.inhibit.inhibit = MINIHV_INHIBIT_TLB_FLUSH;
	const char *s;
	static const char *const pads[] = { "pad0", "pad1", "pad2", "pad3", "pad4" };
	if ((s = arg_kv(argc, argv, "flags")) && arg_u64(s, "flags", &v))
		in.inhibit.flags = (u16)v;
	if ((s = arg_kv(argc, argv, "inhibit")) && arg_u64(s, "inhibit", &v))
		in.inhibit.inhibit = (u8)v;
	if ((s = arg_kv(argc, argv, "reserved")) && arg_u64(s, "reserved", &v))
		in.target.reserved = (u32)v;
	for (int i = 0; i < 5; i++)
		if ((s = arg_kv(argc, argv, pads[i])) && arg_u64(s, pads[i], &v))
			in.inhibit.padding[i] = (u8)v;
	if (mg_err[0])
		return false;
	if (mg_set_inhibit_raw(&in))
		return hv_failed("MINIHV_CALL_SET_TLB_FLUSH_INHIBIT");
	printf("raw inhibit: SUCCESS\n");
	return true;
}

static bool reg_name(const char *s, u32 *name)
{
	u64 v;
	if (!strcmp(s, "explicit"))
		*name = HvRegisterExplicitSuspend;
	else if (!strcmp(s, "intercept"))
		*name = HvRegisterInterceptSuspend;
	else if (!strcmp(s, "rip"))
		*name = HvX64RegisterRip;
	else if (!strcmp(s, "rsp"))
		*name = HvX64RegisterRsp;
	else if (parse_u64(s, strlen(s), &v, false) && v <= 0xffffffffu)
		*name = (u32)v;
	else
		return fail("bad register '%s' (explicit, intercept, rip, rsp or a number)", s);
	return true;
}

static bool suspend_common(char **argv, bool suspend)
{
	u32 pid, vp;
	if (!target_args(argv, &pid, &vp))
		return false;
	if (mg_set_reg(pid, vp, HvRegisterExplicitSuspend, suspend ? HV_EXPLICIT_SUSPEND_SUSPENDED : 0))
		return hv_failed("HvCallSetVpRegisters(HvRegisterExplicitSuspend)");
	printf("partition %u vp %u: %s\n", pid, vp, suspend ? "explicitly suspended" : "explicit suspend cleared");
	return true;
}

static bool cmd_suspend(int argc, char **argv)
{
	return suspend_common(argv, true);
}

static bool cmd_resume(int argc, char **argv)
{
	return suspend_common(argv, false);
}

static bool cmd_setreg(int argc, char **argv)
{
	u32 pid, vp, name;
	u64 value;
	if (!target_args(argv, &pid, &vp) || !reg_name(argv[2], &name) || !arg_u64(argv[3], "value", &value))
		return false;
	if (mg_set_reg(pid, vp, name, value))
		return hv_failed("HvCallSetVpRegisters");
	printf("partition %u vp %u: register %#x = %#lx\n", pid, vp, name, value);
	return true;
}

static bool cmd_getreg(int argc, char **argv)
{
	u32 pid, vp, name;
	u64 value;
	if (!target_args(argv, &pid, &vp) || !reg_name(argv[2], &name))
		return false;
	if (mg_get_reg(pid, vp, name, &value))
		return hv_failed("HvCallGetVpRegisters");
	var_set("value", value);
	printf("partition %u vp %u: register %#x = %#lx\n", pid, vp, name, value);
	return true;
}

static bool stats_partition(u32 pid)
{
	const struct minihv_partition_info *p = &mg_parts[pid].info;
	printf("partition %u %s: per VP: exits hypercalls flush-calls(space/list/space-ex/list-ex) requested "
	       "received completed invvpid invept suspensions suspended-us guest-us\n", pid, p->name);
	for_each_vp(pid, vp) {
		struct minihv_vp_info v;
		if (mg_get_vp(pid, vp, &v))
			return hv_failed("MINIHV_CALL_GET_VP");
		printf("  vp %u: %lu %lu %lu/%lu/%lu/%lu %lu %lu %lu %lu %lu %lu %lu %lu\n", vp, v.exits, v.hypercalls,
		       v.hypercalls_flush[0], v.hypercalls_flush[1], v.hypercalls_flush[2], v.hypercalls_flush[3],
		       v.flushes_requested, v.flushes_received, v.flushes_completed, v.invvpid, v.invept, v.suspensions,
		       tsc_to_us(v.suspended_tsc), tsc_to_us(v.guest_tsc));
	}
	return true;
}

static bool cmd_stats(int argc, char **argv)
{
	if (argc) {
		u32 pid;
		return arg_partition(argv[0], false, &pid) && stats_partition(pid);
	}
	for (u32 pid = 0; pid < MGMT_MAX_PARTITIONS; pid++)
		if (mg_parts[pid].present && !stats_partition(pid))
			return false;
	return true;
}

/* Guest memory: GPA checked against the partition's RAM here, so only real errors reach minihv. */
static bool gpa_args(char **argv, u64 bytes, u32 *pid, u64 *gpa)
{
	if (!arg_partition(argv[0], true, pid) || !arg_u64(argv[1], "GPA", gpa))
		return false;
	u64 ram = mg_parts[*pid].info.ram_size;
	if (*gpa >= ram || bytes > ram - *gpa)
		return fail("GPA range %#lx+%#lx is outside partition %u's RAM [0, %#lx)", *gpa, bytes, *pid, ram);
	return true;
}

static bool cmd_peek(int argc, char **argv)
{
	u64 n = 1, gpa, words[4];
	u32 pid;
	if (argc > 2 && !arg_u64(argv[2], "count", &n))
		return false;
	if (!n || n > 512)
		return fail("count %lu: 1 to 512 words", n);
	if (!gpa_args(argv, n * 8, &pid, &gpa))
		return false;
	for (u64 i = 0; i < n; i += 4) {
		u32 k = (u32)MIN(4, n - i);
		if (mg_read(pid, gpa + i * 8, words, k * 8))
			return hv_failed("MINIHV_CALL_READ_MEMORY");
		printf("%#010lx:", gpa + i * 8);
		for (u32 j = 0; j < k; j++)
			printf(" %016lx", words[j]);
		printf("\n");
	}
	if (n == 1)
		var_set("value", words[0]);
	return true;
}

static bool cmd_poke(int argc, char **argv)
{
	u64 gpa, v;
	u32 pid;
	if (!gpa_args(argv, 8, &pid, &gpa) || !arg_u64(argv[2], "value", &v))
		return false;
	if (mg_write(pid, gpa, &v, 8))
		return hv_failed("MINIHV_CALL_WRITE_MEMORY");
	printf("%#010lx: %016lx\n", gpa, v);
	return true;
}

/* raw-peek / raw-poke P GPA [SIZE]: the memory calls with any partition id, GPA and size, without the
 * shell's checks (tests the hypervisor's). raw-poke writes SIZE zero bytes. */
static bool raw_memory(int argc, char **argv, bool write)
{
	static u8 buf[PAGE_SIZE];
	u64 pid, gpa, size = 8;
	if (!arg_u64(argv[0], "partition", &pid) || !arg_u64(argv[1], "GPA", &gpa) ||
	    (argc > 2 && !arg_u64(argv[2], "size", &size)))
		return false;
	if (size > PAGE_SIZE - sizeof(struct minihv_memory_input))
		return fail("size %lu: at most %lu", size, (u64)(PAGE_SIZE - sizeof(struct minihv_memory_input)));
	memset(buf, 0, sizeof(buf));
	if (write ? mg_write(pid, gpa, buf, (u32)size) : mg_read(pid, gpa, buf, (u32)size))
		return hv_failed(write ? "MINIHV_CALL_WRITE_MEMORY" : "MINIHV_CALL_READ_MEMORY");
	printf("raw %s: SUCCESS\n", write ? "poke" : "peek");
	return true;
}

static bool cmd_raw_peek(int argc, char **argv)
{
	return raw_memory(argc, argv, false);
}

static bool cmd_raw_poke(int argc, char **argv)
{
	return raw_memory(argc, argv, true);
}

static bool cmd_run(int argc, char **argv)
{
	return scenario_run(argv[0]);
}

static bool cmd_scenarios(int argc, char **argv)
{
	scenario_list();
	return true;
}

static bool cmd_shutdown(int argc, char **argv)
{
	mg_shutdown();
}

static bool cmd_help(int argc, char **argv)
{
	const struct command *sets[] = { console_commands, script_commands };
	const char *titles[] = { "commands:", "scenario steps (also usable here; V is a VP of the target partition):" };
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		if (!argc)
			printf("%s\n", titles[s]);
		for (const struct command *c = sets[s]; c->name; c++)
			if (!argc || !strcmp(argv[0], c->name))
				printf("  %s%s%s\n      %s\n", c->name, *c->usage ? " " : "", c->usage, c->help);
	}
	return true;
}

const struct command console_commands[] = {
	{ "help", "[COMMAND]", "this list", 0, 1, cmd_help },
	{ "list", "", "partitions and VPs with their run state", 0, 0, cmd_list },
	{ "inhibit", "P V", "inhibit TLB flushes of VP V (MINIHV_CALL_SET_TLB_FLUSH_INHIBIT, inhibit = 1)", 2, 2,
	  cmd_inhibit },
	{ "uninhibit", "P V", "allow them again and release the VPs suspended on V (inhibit = 0)", 2, 2,
	  cmd_uninhibit },
	{ "suspend", "P V", "explicit suspend (HvCallSetVpRegisters, HvRegisterExplicitSuspend = 1)", 2, 2,
	  cmd_suspend },
	{ "resume", "P V", "clear the explicit suspend (HvRegisterExplicitSuspend = 0)", 2, 2, cmd_resume },
	{ "setreg", "P V explicit|intercept|NAME VALUE", "HvCallSetVpRegisters on one register", 4, 4, cmd_setreg },
	{ "getreg", "P V explicit|intercept|rip|rsp|NAME", "HvCallGetVpRegisters on one register (sets $value)", 3, 3,
	  cmd_getreg },
	{ "stats", "[P]", "per-VP counters (MINIHV_CALL_GET_VP)", 0, 1, cmd_stats },
	{ "trace", "[all] [guests]", "new trace events (all: from the start; guests: not this partition's), one line each",
	  0, 2, cmd_trace },
	{ "peek", "P GPA [N]", "N 64-bit words of guest memory (MINIHV_CALL_READ_MEMORY)", 2, 3, cmd_peek },
	{ "poke", "P GPA VALUE", "write one 64-bit word (MINIHV_CALL_WRITE_MEMORY)", 3, 3, cmd_poke },
	{ "translate", "P V GVA [r,w,x,exempt,setbits,inhibit|N] [ex] [reserved=N]",
	  "HvCallTranslateVirtualAddress (default flags r): result code, GPA, cache type, overlay (sets $code $gpa "
	  "$cache $overlay)", 3, 6, cmd_translate },
	{ "vpeek", "P V GVA [N]", "N 64-bit words through VP V's page tables (translate, then read the GPA)", 3, 4,
	  cmd_vpeek },
	{ "raw-inhibit", "P V [flags=N] [inhibit=N] [pad0..pad4=N] [reserved=N]",
	  "send the inhibit structure unchecked (tests the hypervisor's checks)", 2, -1, cmd_raw_inhibit },
	{ "raw-peek", "P GPA [SIZE]", "MINIHV_CALL_READ_MEMORY unchecked (tests the hypervisor's checks)", 2, 3,
	  cmd_raw_peek },
	{ "raw-poke", "P GPA [SIZE]", "MINIHV_CALL_WRITE_MEMORY of SIZE zero bytes, unchecked", 2, 3, cmd_raw_poke },
	{ "run", "SCENARIO", "run a scenario of the module (see scenarios)", 1, 1, cmd_run },
	{ "scenarios", "", "the scenarios ([steps NAME] lists) in this partition's module", 0, 0, cmd_scenarios },
	{ "shutdown", "", "power off (MINIHV_CALL_SHUTDOWN)", 0, 0, cmd_shutdown },
	{ 0 },
};
