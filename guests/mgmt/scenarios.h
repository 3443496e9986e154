/* The built-in scenarios (sc_inhibit.c, sc_more.c, sc_linux.c): a name, one line of description and the steps,
 * each a command line for run_line(). */
#ifndef MGMT_SCENARIOS_H
#define MGMT_SCENARIOS_H

struct scenario {
	const char *name;
	const char *desc;
	const char *const *steps; /* NULL-terminated */
};

extern const struct scenario sc_inhibit_single, sc_inhibit_multi_flusher, sc_inhibit_multi_inhibitor,
	sc_inhibit_sets, sc_inhibit_sparse, sc_inhibit_all_or_nothing, sc_inhibit_irq, sc_inhibit_suspend_regs,
	sc_inhibit_mgmt_api, sc_inhibit_self, sc_inhibit_race, sc_pte_swap_control, sc_mgmt_shell, sc_linux_inhibit;

/* Every scenario starts from a known state: the flusher is up, nothing is inhibited or suspended, the
 * active VPs are idle. */
#define SC_START "ready", "reset"

#endif
