/* Loading an unmodified Linux bzImage into a partition (64-bit boot protocol, docs/linux.md) and the
 * ACPI PM1 ports its power-off writes. The parsing and table building are pure (bzimage.c, guest_acpi.c). */
#include "bzimage.h"
#include "core.h"
#include "exits.h"
#include "hyperv_tlfs.h"
#include "guest_acpi.h"
#include "hv.h"
#include "lib.h"
#include "linux_boot.h"
#include "log.h"
#include "minihv_abi.h"
#include "paging.h"
#include "pmm.h"

static const struct boot_module *initrd_of(const struct boot_info *bi, const struct partition_config *pc)
{
	return pc->initrd[0] ? boot_module_find(bi, pc->initrd) : NULL;
}

bool linux_check(const struct boot_info *bi, const struct partition_config *pc, char *err, size_t errlen)
{
	const struct boot_module *k = boot_module_find(bi, pc->image), *rd = initrd_of(bi, pc);
	if (pc->initrd[0] && !rd) {
		snprintf(err, errlen, "initrd '%s' not found (a GRUB module or a file next to minihv.efi)", pc->initrd);
		return false;
	}
	struct bzimage_info info;
	struct linux_layout l;
	return bzimage_parse(phys_to_virt(k->base), k->size, &info, err, errlen) &&
	       linux_plan(&info, pc->memory, rd ? rd->size : 0, strlen(pc->cmdline), &l, err, errlen);
}

u64 linux_load(const struct boot_info *bi, struct partition *p, char *err, size_t errlen)
{
	const struct partition_config *pc = p->cfg;
	const struct boot_module *k = boot_module_find(bi, pc->image), *rd = initrd_of(bi, pc);
	const u8 *img = phys_to_virt(k->base);
	struct bzimage_info info;
	struct linux_layout l;
	u64 cmdlen = strlen(pc->cmdline);
	if (!bzimage_parse(img, k->size, &info, err, errlen) ||
	    !linux_plan(&info, p->ram_size, rd ? rd->size : 0, cmdlen, &l, err, errlen))
		return 0;
	/* The boot protocol's flat __BOOT_CS and __BOOT_DS, plus a TSS; the same places as for ELF guests. */
	partition_entry_tables(p, LINUX_SEL_CODE, LINUX_SEL_DATA, LINUX_SEL_TSS);
	memcpy(gpa_to_hva(p, l.kernel, info.payload_size), img + info.payload_offset, info.payload_size);
	if (rd)
		memcpy(gpa_to_hva(p, l.initrd, rd->size), phys_to_virt(rd->base), rd->size);
	memcpy(gpa_to_hva(p, l.cmdline, cmdlen + 1), pc->cmdline, cmdlen + 1);
	u64 rsdp = guest_acpi_build(gpa_to_hva(p, LINUX_GPA_ACPI, GUEST_ACPI_SIZE), LINUX_GPA_ACPI, p->vp_count);
	if (!rsdp) {
		snprintf(err, errlen, "no ACPI tables for %u VPs", p->vp_count);
		return 0;
	}
	struct e820_entry e820[4];
	u32 n = linux_e820(e820, ARRAY_SIZE(e820), p->ram_size);
	linux_boot_params(gpa_to_hva(p, l.boot_params, BP_SIZE), img, &info, &l, e820, n, rsdp);
	pr_info("minihv: partition %s: Linux boot protocol %u.%02u, kernel %lu KiB at %#lx (needs %lu MiB), initrd %lu KiB at "
		"%#lx, cmdline \"%s\"", p->name, info.version >> 8, info.version & 0xff, (u64)info.payload_size >> 10,
		l.kernel, ((u64)info.init_size + MiB(1) - 1) >> 20, l.initrd_size >> 10, l.initrd, pc->cmdline);
	return l.entry;
}

/* Ends every VP of the partition: Linux's poweroff, a clean end (status 0). */
static void linux_power_off(struct vp *vp)
{
	struct partition *p = vp->part;
	pr_info("minihv: partition %s powered off (ACPI S5 from VP %u)", p->name, vp->index);
	for (u32 i = 0; i < p->vp_count; i++)
		vp_end(p->vps[i], 0);
}

bool linux_pm_io(struct vp *vp, u16 port, bool in, u32 *value)
{
	struct partition *p = vp->part;
	if (!p->cfg || p->cfg->image_kind != IMAGE_LINUX || port < GUEST_ACPI_PM1A_EVT || port >= GUEST_ACPI_PM1A_CNT + 2)
		return false;
	if (port >= GUEST_ACPI_PM1A_CNT) {
		/* PM1_CNT: SCI_EN (bit 0) reads as set: the platform is in ACPI mode from the start. */
		if (in) {
			*value = port == GUEST_ACPI_PM1A_CNT ? (p->pm1_cnt | 1) : (p->pm1_cnt | 1) >> 8;
			return true;
		}
		if (port == GUEST_ACPI_PM1A_CNT) {
			p->pm1_cnt = (u16)(*value & ~ACPI_PM1_SLP_EN);
			if ((*value & ACPI_PM1_SLP_EN) && ACPI_PM1_SLP_TYP(*value) == GUEST_ACPI_SLP_TYP_S5)
				linux_power_off(vp);
		}
		return true;
	}
	/* PM1 status and enable: nothing ever raises an event; status reads 0, enable keeps what was written. */
	if (port >= GUEST_ACPI_PM1A_EVT + 2) {
		if (in)
			*value = p->pm1_en >> ((port - GUEST_ACPI_PM1A_EVT - 2) * 8);
		else if (port == GUEST_ACPI_PM1A_EVT + 2)
			p->pm1_en = (u16)*value;
		return true;
	}
	if (in)
		*value = 0;
	return true;
}

void linux_partition_report(struct partition *p)
{
	u64 calls[4] = { 0 }, failed = 0, completed = 0;
	static const u16 codes[4] = { HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,
				      HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX };
	for (u32 i = 0; i < p->vp_count; i++) {
		for (u32 k = 0; k < 4; k++)
			calls[k] += p->vps[i]->count.hypercalls_by_code[codes[k]];
		failed += p->vps[i]->count.hypercalls_failed;
		completed += p->vps[i]->count.flushes_completed;
	}
	boot_profile_report(p);
	/* The line the Linux scenarios judge: Linux falls back to IPIs silently on any failed flush call. */
	pr_info("minihv: partition %s: %lu flush hypercalls (space %lu, list %lu, space-ex %lu, list-ex %lu), %lu failed "
		"hypercalls, %lu flush requests carried out", p->name, calls[0] + calls[1] + calls[2] + calls[3], calls[0],
		calls[1], calls[2], calls[3], failed, completed);
	for (u32 i = 0; i < p->vp_count; i++) {
		const struct vp_counters *c = &p->vps[i]->count;
		char line[400];
		int n = snprintf(line, sizeof(line), "minihv: partition %s VP %u: %lu exits:", p->name, i, c->exits);
		for (u32 r = 0; r < EXIT_REASON_MAX; r++)
			if (c->exits_by_reason[r] && n < (int)sizeof(line))
				n += snprintf(line + n, sizeof(line) - (size_t)n, " %s %lu,", vmx_exit_name(r), c->exits_by_reason[r]);
		if (n > 0 && n < (int)sizeof(line) && line[n - 1] == ',')
			line[n - 1] = 0;
		pr_info("%s", line);
		pr_info("minihv: partition %s VP %u (VP index %u): %lu hypercalls, %lu failed; flush calls: space %lu, list %lu, "
			"space-ex %lu, list-ex %lu; flushes requested %lu, received %lu, completed %lu; suspensions %lu",
			p->name, i, hv_vp_index_of(&p->vp_map, i), c->hypercalls, c->hypercalls_failed,
			c->hypercalls_by_code[HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE], c->hypercalls_by_code[HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST],
			c->hypercalls_by_code[HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX],
			c->hypercalls_by_code[HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX], c->flushes_requested, c->flushes_received,
			c->flushes_completed, c->suspensions);
	}
}
