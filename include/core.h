/* The seams between the core (core/), the partitions (hv/) and the scheduler (vmx/). */
#ifndef MINIHV_CORE_H
#define MINIHV_CORE_H

#include "boot_info.h"
#include "cpu.h"

#define CONFIG_FILE_NAME "minihv.cfg"

/* All hypervisor options: the config file's [hypervisor] options, then the boot command line. */
const char *core_options(void);

/* Copies the "options" value of the [hypervisor] section of a config text into out (hv/config.c). */
void config_hypervisor_options(const char *text, size_t len, char *out, size_t size);

/* Builds the partitions from the config (hv/partition.c). Called once on the boot CPU, after
 * vmx_global_init(). */
void partition_start_all(const struct boot_info *bi);

/* Every CPU ends here: run the VPs homed on it, or sleep until there are some (vmx/sched.c). */
NORETURN void sched_cpu_loop(struct cpu *c);

#endif
