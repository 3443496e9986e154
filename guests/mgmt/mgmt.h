/* mgmt: the management partition's console shell and scenario runner (docs/api.md, "The management
 * shell"). One VP; every command goes through run_line(), interactively or as a scenario step. */
#ifndef MGMT_H
#define MGMT_H

#include "guest.h"
#include "../flusher/mailbox.h" /* the protocol between mgmt and the flusher */

#define MGMT_MAX_PARTITIONS 16 /* CONFIG_MAX_PARTITIONS */
#define MGMT_MAX_ARGS 24

/* ---- hypercalls (calls.c). Each returns the HV status and records it in mg_status. ---- */

extern u16 mg_status;  /* status of the last hypercall */
void mg_calls_init(void);
bool hv_status_parse(const char *s, u64 *st);
u16 mg_get_partition(u64 pid, struct minihv_partition_info *out);
u16 mg_get_vp(u64 pid, u32 vp, struct minihv_vp_info *out);
u16 mg_set_inhibit_raw(const struct minihv_tlb_flush_inhibit_input *in);
u16 mg_set_inhibit(u64 pid, u32 vp, bool inhibit);
u16 mg_set_reg(u64 pid, u32 vp, u32 name, u64 value);
u16 mg_get_reg(u64 pid, u32 vp, u32 name, u64 *value);
u16 mg_read(u64 pid, u64 gpa, void *buf, u32 size);
u16 mg_write(u64 pid, u64 gpa, const void *buf, u32 size);
/* HvCallTranslateVirtualAddress(Ex): TranslationResult and GpaPage of the output. */
u16 mg_translate(u64 pid, u32 vp, u64 gva, u64 flags, u32 reserved, bool ex, u64 *result, u64 *gpa_page);
u16 mg_read_trace(u64 since, u32 max, const struct minihv_trace_output **out);
NORETURN void mg_shutdown(void);

/* ---- partitions as seen at start-up (shell.c) ---- */

struct mg_partition {
	bool present;
	struct minihv_partition_info info;
};
extern struct mg_partition mg_parts[MGMT_MAX_PARTITIONS];
extern u32 mg_self;      /* this partition's id */
extern u32 mg_target;    /* default partition of the scenario helpers: the flusher */

/* ---- the interpreter (shell.c) ---- */

/* Sets the error of the running command (printed by the caller) and returns false. */
bool fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern char mg_err[256];
/* Runs one command line (modified in place). Returns false with mg_err set when it failed. */
bool run_line(char *line);

/* Argument checks, done before any hypercall; each sets mg_err on failure. */
bool arg_u64(const char *s, const char *what, u64 *v);
bool arg_partition(const char *s, bool guest_only, u32 *pid);
bool arg_vp(u32 pid, const char *s, u32 *vp); /* a VP index the partition has */
/* VPs are named by their Hyper-V VP index (docs/api.md): the lowest index >= from that a VP of partition
 * pid has, or MG_VP_NONE. for_each_vp(pid, vp) visits them all. */
#define MG_VP_NONE 0xffffffffu
u32 mg_vp_next(u32 pid, u32 from);
#define for_each_vp(pid, vp) for (u32 vp = mg_vp_next((pid), 0); vp != MG_VP_NONE; vp = mg_vp_next((pid), vp + 1))
/* key=value arguments: the value of key among argv, or NULL. */
const char *arg_kv(int argc, char **argv, const char *key);
bool arg_flag(int argc, char **argv, const char *flag);

const char *vp_state_name(u32 state);
u64 ms_to_tsc(u64 ms);
u64 tsc_to_us(u64 ticks);

/* ---- command sets ---- */

struct command {
	const char *name;
	const char *usage;
	const char *help;
	int min_args, max_args; /* not counting the name; max -1 = any */
	bool (*fn)(int argc, char **argv);
};

extern const struct command console_commands[];  /* cmds.c: list, inhibit, suspend, stats, ... */
extern const struct command script_commands[];   /* script.c: expect, wait, set, fl, race, ... */

/* ---- values and variables (script.c) ---- */

bool eval(const char *tok, u64 *out);
bool var_set(const char *name, u64 v);

/* ---- the flusher's mailbox (mailbox.c) ---- */

bool parse_targets(const char *s, u64 t[2]); /* "0,2,64-65" -> VP bitmap */
bool cmd_fl(int argc, char **argv);
bool cmd_ready(int argc, char **argv);
bool cmd_reset(int argc, char **argv);
bool mb_post(u32 pid, u32 vp, struct mailbox_slot *c, bool nowait);
bool mb_present(u32 pid);                /* the partition's RAM holds a ready flusher mailbox */
bool mb_finish(u32 pid, u64 timeout_ms); /* ends the flusher's VPs and waits until it finished */

/* ---- scenarios (scenarios.c): [steps NAME] lists in the partition's module ---- */

void scenario_init(const struct minihv_boot_info *bi);
bool scenario_run(const char *name);
bool scenario_run_steps(const char *name, const char *steps); /* steps separated by ';' */
void scenario_list(void);

bool cmd_race(int argc, char **argv); /* race.c */
bool cmd_stress(int argc, char **argv); /* stress.c */

/* ---- guest virtual addresses (translate.c) ---- */

bool translate_value(const char *tok, u64 *out); /* Success, PageNotPresent, ..., UC, WB, ... */
bool cmd_translate(int argc, char **argv);
bool cmd_vpeek(int argc, char **argv);
bool cmd_expect_translate(int argc, char **argv);
bool cmd_translate_race(int argc, char **argv); /* translate_race.c */

/* ---- trace (trace.c) ---- */

bool cmd_trace(int argc, char **argv);

#endif
