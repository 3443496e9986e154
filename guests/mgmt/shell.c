/* The management partition: start-up, the interpreter shared by the shell and the scenarios, and the
 * interactive shell on the partition's console (`mgmt> `). The command line (`scenario=NAME`, a list of
 * the module, or `steps=...`, docs/api.md) selects the unattended mode instead. */
#include "mgmt.h"

struct mg_partition mg_parts[MGMT_MAX_PARTITIONS];
u32 mg_self, mg_target;
char mg_err[256];

bool fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(mg_err, sizeof(mg_err), fmt, ap);
	va_end(ap);
	return false;
}

u64 ms_to_tsc(u64 ms)
{
	return ms * (tsc_khz() ? tsc_khz() : 1000000);
}

u64 tsc_to_us(u64 ticks)
{
	return ticks * 1000 / (tsc_khz() ? tsc_khz() : 1000000);
}

const char *vp_state_name(u32 state)
{
	static const char *const names[] = {
		[MINIHV_VP_RUNNING] = "running", [MINIHV_VP_RUNNABLE] = "runnable", [MINIHV_VP_HALTED] = "halted",
		[MINIHV_VP_SUSPENDED] = "suspended", [MINIHV_VP_EXPLICIT] = "explicit", [MINIHV_VP_STOPPED] = "stopped",
		[MINIHV_VP_ENDED] = "ended", [MINIHV_VP_WAIT_SIPI] = "wait-sipi",
	};
	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

/* ---- argument checks ---- */

bool arg_u64(const char *s, const char *what, u64 *v)
{
	if (!parse_u64(s, strlen(s), v, false))
		return fail("bad number '%s' for %s (decimal or 0x hex)", s, what);
	return true;
}

bool arg_partition(const char *s, bool guest_only, u32 *pid)
{
	u64 v;
	if (!arg_u64(s, "partition", &v))
		return false;
	if (v >= MGMT_MAX_PARTITIONS || !mg_parts[v].present)
		return fail("no partition %s (see list)", s);
	if (guest_only && mg_parts[v].info.role)
		return fail("partition %lu is the management partition; the target must be a guest partition", v);
	*pid = (u32)v;
	return true;
}

u32 mg_vp_next(u32 pid, u32 from)
{
	const u64 *set = mg_parts[pid].info.vp_indexes;
	for (u32 x = from; x < MINIHV_MAX_VPS; x++)
		if ((set[x / 64] >> (x % 64)) & 1)
			return x;
	return MG_VP_NONE;
}

bool arg_vp(u32 pid, const char *s, u32 *vp)
{
	u64 v;
	if (!arg_u64(s, "VP", &v))
		return false;
	if (v >= MINIHV_MAX_VPS || mg_vp_next(pid, (u32)v) != v) {
		u32 lo = mg_vp_next(pid, 0), n = mg_parts[pid].info.vp_count, hi = lo;
		for (u32 x = lo; x != MG_VP_NONE; x = mg_vp_next(pid, x + 1))
			hi = x;
		if (hi - lo + 1 == n)
			return fail("partition %u has no VP %s (VPs %u..%u)", pid, s, lo, hi);
		return fail("partition %u has no VP %s (its %u VPs have VP indexes %u..%u: see list)", pid, s, n, lo, hi);
	}
	*vp = (u32)v;
	return true;
}

const char *arg_kv(int argc, char **argv, const char *key)
{
	size_t n = strlen(key);
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

bool arg_flag(int argc, char **argv, const char *flag)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], flag))
			return true;
	return false;
}

/* ---- the interpreter ---- */

static const struct command *find_command(const char *name)
{
	const struct command *sets[] = { console_commands, script_commands };
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++)
		for (const struct command *c = sets[s]; c->name; c++)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

static int tokenize(char *line, char **argv)
{
	int argc = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (argc == MGMT_MAX_ARGS)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		if (*p)
			*p++ = 0;
	}
	return argc;
}

bool run_line(char *line)
{
	char *argv[MGMT_MAX_ARGS];
	mg_err[0] = 0;
	int argc = tokenize(line, argv);
	if (argc < 0)
		return fail("too many words (at most %d)", MGMT_MAX_ARGS);
	if (argc == 0)
		return true;
	/* "!cmd ...": the command is expected to fail (negative tests); its error is printed, not raised. */
	bool expect_failure = argv[0][0] == '!';
	if (expect_failure)
		argv[0]++;
	const struct command *c = find_command(argv[0]);
	bool ok = false;
	if (!c) {
		fail("unknown command '%s' (try help)", argv[0]);
		goto done;
	}
	/* A word that is just $NAME becomes the variable's value (inhibit $F 1); values inside words
	 * ($d+1, v:$F:0.state) are eval()'s business. */
	static char subst[MGMT_MAX_ARGS][24];
	for (int i = 1; i < argc; i++) {
		u64 v;
		if (argv[i][0] != '$' || strchr(argv[i], '+') || strchr(argv[i], '-') || strchr(argv[i], '&'))
			continue;
		if (!eval(argv[i], &v))
			goto done;
		snprintf(subst[i], sizeof(subst[i]), "%lu", v);
		argv[i] = subst[i];
	}
	int n = argc - 1;
	if (n < c->min_args || (c->max_args >= 0 && n > c->max_args))
		fail("usage: %s %s", c->name, c->usage);
	else
		ok = c->fn(n, argv + 1);
done:
	if (!expect_failure)
		return ok;
	if (ok)
		return fail("'%s' succeeded but was expected to fail", argv[0]);
	printf("  (expected error: %s)\n", mg_err);
	return true;
}

/* ---- the shell ---- */

/* minihv prints a partition's console output a whole line at a time, so nothing typed would show before
 * Enter anyway: the prompt waits in the line buffer, and Enter completes it with the line as typed
 * ("mgmt> list"), which is also what a log of the session shows. Backspace edits, Ctrl-C drops the line. */
static void shell(void)
{
	char line[160];
	size_t len = 0;
	bool after_cr = false;
	printf("mgmt: management shell; type help. Console input goes to this partition (Ctrl-A three times "
	       "switches).\n");
	printf("mgmt> ");
	for (;;) {
		int c = console_getc();
		if (c < 0) {
			delay_us(1000); /* each poll is a VM exit: do not spin on it */
			continue;
		}
		bool lf_of_crlf = c == '\n' && after_cr;
		after_cr = c == '\r';
		if (lf_of_crlf)
			continue;
		if (c == '\r' || c == '\n') {
			line[len] = 0;
			printf("%s\n", line);
			len = 0;
			if (!run_line(line))
				printf("error: %s\n", mg_err);
			printf("mgmt> ");
		} else if (c == 0x7f || c == 0x08) {
			if (len)
				len--;
		} else if (c == 0x03) {
			len = 0;
			printf("^C\nmgmt> ");
		} else if (c >= 0x20 && c < 0x7f && len + 1 < sizeof(line)) {
			line[len++] = (char)c;
		}
	}
}

static void find_partitions(void)
{
	bool have_guest = false;
	for (u32 id = 0; id < MGMT_MAX_PARTITIONS; id++) {
		if (mg_get_partition(id, &mg_parts[id].info) != HV_STATUS_SUCCESS)
			break; /* ids are dense: the first unknown one ends the list */
		mg_parts[id].present = true;
		if (mg_parts[id].info.role == 0 && !have_guest) {
			mg_target = id;
			have_guest = true;
		}
	}
	/* The scenarios' partition: the guest named "flusher" if there is one. */
	for (u32 id = 0; id < MGMT_MAX_PARTITIONS; id++)
		if (mg_parts[id].present && !strcmp(mg_parts[id].info.name, "flusher"))
			mg_target = id;
}

/* The word of s that starts with prefix, or NULL. */
static const char *find_word(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == ' ') && !strncmp(p, prefix, n))
			return p;
	return NULL;
}

int guest_main(const struct minihv_boot_info *bi)
{
	if (!(bi->flags & MINIHV_BOOT_FLAG_MANAGEMENT)) {
		printf("mgmt: partition %s is not the management partition (role = management in minihv.cfg); the "
		       "management calls would all be refused\n", guest_partition_name());
		return 1;
	}
	if (bi->vp_index != 0)
		return 0;
	mg_self = bi->partition_id;
	mg_calls_init();
	scenario_init(bi);
	find_partitions();
	var_set("F", mg_target);
	var_set("M", mg_self);
	/* steps= takes the rest of the command line, spaces included; steps are separated by ';'. */
	const char *steps = find_word(guest_cmdline(), "steps=");
	char name[48];
	bool ok;
	if (steps) {
		if (!guest_option("name", name, sizeof(name)))
			strlcpy(name, "steps", sizeof(name));
		ok = scenario_run_steps(name, steps + 6);
	} else if (guest_option("scenario", name, sizeof(name))) {
		ok = scenario_run(name);
	} else {
		shell();
		return 0;
	}
	if (guest_option("shell", NULL, 0)) {
		shell(); /* scenario=NAME shell: run it, then stay */
		return 0;
	}
	/* Passed: end the flusher (if the scenario ran against one), then this VP; minihv powers off when
	 * every partition has finished, with "all ok". Failed: the machine may be stuck (a VP suspended for
	 * good), so shut it down. */
	if (ok && mb_present(mg_target) && !mb_finish(mg_target, 10000)) {
		printf("FAIL scenario %s: passed, but then %s\n", name, mg_err);
		ok = false;
	}
	if (ok)
		return 0;
	mg_shutdown();
}
