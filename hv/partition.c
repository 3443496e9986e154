/* Partitions: built from the config at boot. */
#include "core.h"
#include "log.h"
#include "power.h"

void core_start_partitions(const struct boot_info *bi)
{
	(void)bi;
	pr_info("minihv: no partitions configured; powering off");
	power_off(POWER_OK);
}
