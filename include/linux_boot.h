/* Linux partitions (image = linux): checking the images before anything is allocated, loading them per
 * the 64-bit boot protocol, and the ACPI PM1 ports through which Linux powers off (hv/linux_boot.c). */
#ifndef MINIHV_LINUX_BOOT_H
#define MINIHV_LINUX_BOOT_H

#include "boot_info.h"
#include "config.h"
#include "partition.h"

/* Whether the kernel (and initrd) of pc can be loaded; false with one line in err. */
bool linux_check(const struct boot_info *bi, const struct partition_config *pc, char *err, size_t errlen);
/* Loads kernel, initrd, command line, ACPI tables and boot_params into p's RAM and builds the entry
 * page tables and GDT. Returns the entry GPA (0 on failure, with err filled). */
u64 linux_load(const struct boot_info *bi, struct partition *p, char *err, size_t errlen);
/* The ACPI PM1a event and control ports of a Linux partition; false for any other port. */
bool linux_pm_io(struct vp *vp, u16 port, bool in, u32 *value);
/* Log lines with each VP's exits by reason and hypercall/flush counters (when the partition finishes). */
void linux_partition_report(struct partition *p);

#endif
