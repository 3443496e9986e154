/* Partitions: built from minihv.cfg at boot, all or nothing, and taken down when they finish. */
#include "apic.h"
#include "config.h"
#include "core.h"
#include "elf_load.h"
#include "ept.h"
#include "hv.h"
#include "lib.h"
#include "bzimage.h"
#include "linux_boot.h"
#include "log.h"
#include "paging.h"
#include "partition.h"
#include "pmm.h"
#include "power.h"
#include "timer.h"
#include "trace.h"
#include "vlapic.h"
#include "x86.h"

struct partition partitions[MAX_PARTITIONS];
u32 partition_count;
static struct config config;
static volatile u32 partitions_running;
static u16 next_vpid = 1;
static u32 next_cpu;

static u64 ept_page(void *ctx)
{
	(void)ctx;
	return pmm_alloc_page();
}

static NORETURN void config_failed(void)
{
	pr_err("minihv: nothing starts because of the configuration error above");
	power_off(POWER_FAILED);
}

/* The module must be on the boot medium and fit between the image and the VP stacks. */
static bool validate_module(const struct boot_info *bi, const struct partition_config *pc,
			    const struct elf_image_info *info, u64 stacks)
{
	const struct boot_module *mod = boot_module_find(bi, pc->module);
	if (!mod) {
		pr_err("minihv: config error: %s:%u: module '%s' of partition '%s' not found (a GRUB module or a file "
		       "next to minihv.efi)", CONFIG_FILE_NAME, pc->line_module, pc->module, pc->name);
		return false;
	}
	u64 start = ALIGN_UP(info->highest, PAGE_SIZE);
	if (mod->size > pc->memory - stacks - start) {
		pr_err("minihv: config error: %s:%u: module '%s' (%lu bytes) does not fit in partition '%s' after its "
		       "image", CONFIG_FILE_NAME, pc->line_module, pc->module, mod->size, pc->name);
		return false;
	}
	return true;
}

/* Everything that can be checked before a byte is allocated: the config, the images, the memory. */
static bool validate(const struct boot_info *bi, const struct config *cfg)
{
	u64 total = 0;
	for (u32 i = 0; i < cfg->partition_count; i++) {
		const struct partition_config *pc = &cfg->partitions[i];
		const struct boot_module *m = boot_module_find(bi, pc->image);
		if (!m) {
			pr_err("minihv: config error: %s:%u: image '%s' of partition '%s' not found (a GRUB module or a "
			       "file next to minihv.efi)", CONFIG_FILE_NAME, pc->line_image, pc->image, pc->name);
			return false;
		}
		if (pc->image_kind == IMAGE_LINUX) {
			char err[160];
			if (!linux_check(bi, pc, err, sizeof(err))) {
				pr_err("minihv: config error: %s:%u: Linux partition '%s' cannot be loaded: %s", CONFIG_FILE_NAME,
				       err[0] == 'i' && !strncmp(err, "initrd", 6) ? pc->line_initrd : pc->line_image, pc->name,
				       err);
				return false;
			}
			total += pc->memory;
			continue;
		}
		if (pc->memory > GiB(4)) {
			pr_err("minihv: config error: %s:%u: partition '%s' asks for %lu MiB; at most 4096 MiB per partition",
			       CONFIG_FILE_NAME, pc->line_memory, pc->name, pc->memory >> 20);
			return false;
		}
		u64 stacks = (u64)pc->vps * MINIHV_VP_STACK_SIZE;
		if (pc->memory <= MINIHV_GPA_IMAGE_MIN + stacks) {
			pr_err("minihv: config error: %s:%u: partition '%s' has too little memory for %u VPs", CONFIG_FILE_NAME,
			       pc->line_memory, pc->name, pc->vps);
			return false;
		}
		struct elf_image_info info;
		char err[160];
		if (!elf_check(phys_to_virt(m->base), m->size, MINIHV_GPA_IMAGE_MIN, pc->memory - stacks, &info, err,
			       sizeof(err))) {
			pr_err("minihv: config error: %s:%u: image '%s' of partition '%s' cannot be loaded: %s",
			       CONFIG_FILE_NAME, pc->line_image, pc->image, pc->name, err);
			return false;
		}
		if (pc->module[0] && !validate_module(bi, pc, &info, stacks))
			return false;
		total += pc->memory;
	}
	/* Partition RAM must be contiguous; leave room for VMCSs, EPTs and VP state. */
	u64 free = pmm_free_bytes(), reserve = MiB(2) + (u64)cfg->partition_count * MiB(1);
	if (total + reserve > free) {
		const struct partition_config *last = &cfg->partitions[cfg->partition_count - 1];
		pr_err("minihv: config error: %s:%u: the partitions need %lu MiB of RAM but only %lu MiB are free",
		       CONFIG_FILE_NAME, last->line_memory, total >> 20, (free - MIN(free, reserve)) >> 20);
		return false;
	}
	return true;
}

/* The 64-bit entry state lives in guest RAM at the ABI's places: page tables (identity, 2 MiB pages) and a
 * GDT with flat 64-bit code and data descriptors and a TSS (VM entry needs a usable TR), at the given
 * selectors (ELF guests: MINIHV_GUEST_SEL_*; Linux: the boot protocol's __BOOT_CS/__BOOT_DS). */
void partition_entry_tables(struct partition *p, u16 code_sel, u16 data_sel, u16 tss_sel)
{
	u64 *pml4 = gpa_to_hva(p, MINIHV_GPA_PML4, PAGE_SIZE);
	u64 *pdpt = gpa_to_hva(p, MINIHV_GPA_PDPT, PAGE_SIZE);
	pml4[0] = MINIHV_GPA_PDPT | 0x3;
	for (u64 gb = 0; gb < ALIGN_UP(p->ram_size, GiB(1)) / GiB(1); gb++) {
		u64 pd_gpa = MINIHV_GPA_PD + gb * PAGE_SIZE;
		u64 *pd = gpa_to_hva(p, pd_gpa, PAGE_SIZE);
		pdpt[gb] = pd_gpa | 0x3;
		for (u64 i = 0; i < 512; i++) {
			u64 addr = gb * GiB(1) + i * MiB(2);
			if (addr < p->ram_size)
				pd[i] = addr | 0x83; /* present, writable, 2 MiB */
		}
	}
	u64 gdt_size = tss_sel + 16u;
	u64 *gdt = gpa_to_hva(p, MINIHV_GPA_GDT, gdt_size);
	memset(gdt, 0, gdt_size);
	gdt[code_sel / 8] = 0x00af9b000000ffffull; /* 64-bit code, accessed */
	gdt[data_sel / 8] = 0x00cf93000000ffffull; /* data, accessed */
	u64 tss = MINIHV_GPA_TSS, limit = 0x67;
	gdt[tss_sel / 8] = (limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x8bull << 40) | (((tss >> 24) & 0xff) << 56);
	gdt[tss_sel / 8 + 1] = tss >> 32;
}

static bool assign_cpu(struct vp *vp)
{
	struct cpu *c = &cpus[next_cpu++ % cpu_count];
	if (!c->vps) {
		u64 pa = pmm_alloc(sizeof(struct vp *) * MAX_PARTITIONS * MINIHV_MAX_VPS, PAGE_SIZE, PMM_ANY);
		if (!pa)
			return false;
		c->vps = phys_to_virt(pa);
	}
	vp->home = c;
	c->vps[c->vp_count] = vp;
	__atomic_store_n(&c->vp_count, c->vp_count + 1, __ATOMIC_RELEASE);
	return true;
}

static bool build_partition(const struct boot_info *bi, struct partition *p, const struct partition_config *pc, u32 id)
{
	p->id = id;
	p->cfg = pc;
	strlcpy(p->name, pc->name, sizeof(p->name));
	p->role = pc->role;
	p->ram_size = pc->memory;
	p->vp_count = pc->vps;
	if (!hv_vp_index_map_init(&p->vp_map, p->vp_count, pc->vp_index_set ? pc->vp_index : NULL)) {
		pr_err("minihv: partition %s: bad vp_index list (the config parser should have refused it)", p->name);
		return false;
	}
	if (!p->vp_map.identity) {
		char line[400]; /* cut short past ~90 VPs: the list is also in the config */
		int n = snprintf(line, sizeof(line), "minihv: partition %s: Hyper-V VP index of VP 0, 1, ...:", p->name);
		for (u32 i = 0; i < p->vp_count && n > 0 && n < (int)sizeof(line); i++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %u", hv_vp_index_of(&p->vp_map, i));
		pr_info("%s", line);
	}
	p->ram_hpa = pmm_alloc_unzeroed(p->ram_size, MiB(2), PMM_ANY); /* zeroed on first use (guest_ram.c) */
	if (!p->ram_hpa) {
		pr_err("minihv: partition %s: no contiguous block of %lu MiB", p->name, p->ram_size >> 20);
		return false;
	}
	struct ept *ept = &p->ept;
	if (!ept_init(ept, ept_page, NULL) || !guest_ram_init(p)) {
		pr_err("minihv: partition %s: out of memory for its EPT", p->name);
		return false;
	}
	p->eptp = ept_pointer(ept);
	p->hypercall_gpa = ~0ull;
	vuart_init(p);
	vpic_init(p);
	legacy_io_init(p);

	const struct boot_module *m = boot_module_find(bi, pc->image);
	u64 stacks = (u64)p->vp_count * MINIHV_VP_STACK_SIZE;
	struct elf_image_info info = { 0 };
	char err[160];
	bool linux = pc->image_kind == IMAGE_LINUX;
	if (linux) {
		info.entry = linux_load(bi, p, err, sizeof(err));
		if (!info.entry) {
			pr_err("minihv: partition %s: %s", p->name, err);
			return false;
		}
	} else {
		partition_entry_tables(p, MINIHV_GUEST_SEL_CODE, MINIHV_GUEST_SEL_DATA, MINIHV_GUEST_SEL_TSS);
		if (!elf_load(phys_to_virt(m->base), m->size, gpa_to_hva(p, 0, p->ram_size), p->ram_size,
			      MINIHV_GPA_IMAGE_MIN, p->ram_size - stacks, &info, err, sizeof(err))) {
			pr_err("minihv: partition %s: %s", p->name, err);
			return false;
		}
	}

	/* The module goes right after the image; validate() checked that it fits. */
	u64 module_start = 0, module_size = 0, free_start = ALIGN_UP(info.highest, PAGE_SIZE);
	if (pc->module[0]) {
		const struct boot_module *mod = boot_module_find(bi, pc->module);
		module_start = free_start;
		module_size = mod->size;
		memcpy(gpa_to_hva(p, module_start, module_size), phys_to_virt(mod->base), module_size);
		free_start = ALIGN_UP(module_start + module_size, PAGE_SIZE);
	}

	u64 vps_pa = pmm_alloc(sizeof(struct vp *) * p->vp_count, 8, PMM_ANY);
	if (!vps_pa)
		return false;
	p->vps = phys_to_virt(vps_pa);
	for (u32 i = 0; i < p->vp_count; i++) {
		u64 pa = pmm_alloc(sizeof(struct vp), PAGE_SIZE, PMM_ANY);
		if (!pa)
			return false;
		struct vp *vp = phys_to_virt(pa);
		p->vps[i] = vp;
		vp->part = p;
		vp->index = i;
		vp->vpid = next_vpid++;
		vlapic_vp_init(vp); /* before anything can send it an interrupt */
		vp->entry_rip = info.entry;
		vlapic_vp_init(vp); /* a Linux partition's VPs >= 1 wait for INIT/SIPI (ap_start = sipi) */
		if (linux) {
			vp->regs.rsi = LINUX_GPA_BOOT_PARAMS; /* 64-bit boot protocol */
			if (i == 0 && pc->platform == PLATFORM_PC)
				vlapic_virtual_wire(&vp->lapic); /* minihv is the firmware: the 8259 reaches VP 0 */
			continue;
		}
		vp->entry_rsp = p->ram_size - (u64)i * MINIHV_VP_STACK_SIZE;
		vp->entry_rdi = minihv_boot_info_gpa(i);
		struct minihv_boot_info *b = gpa_to_hva(p, vp->entry_rdi, PAGE_SIZE);
		b->magic = MINIHV_BOOT_INFO_MAGIC;
		b->abi_version = MINIHV_ABI_VERSION;
		b->partition_id = id;
		b->vp_index = i;
		b->vp_count = p->vp_count;
		b->flags = p->role == ROLE_MANAGEMENT ? MINIHV_BOOT_FLAG_MANAGEMENT : 0;
		b->ram_size = p->ram_size;
		b->image_start = info.lowest;
		b->image_end = info.highest;
		b->free_start = free_start;
		b->module_start = module_start;
		b->module_size = module_size;
		b->free_end = p->ram_size - stacks;
		b->tsc_khz = tsc_khz;
		strlcpy(b->partition_name, p->name, sizeof(b->partition_name));
		strlcpy(b->cmdline, pc->cmdline, sizeof(b->cmdline));
	}
	for (u32 i = 0; i < p->vp_count; i++)
		if (!assign_cpu(p->vps[i]))
			return false;
	pr_info("minihv: partition %s (id %u, %s): %lu MiB RAM at HPA %#lx, %u VP%s, image %s entry %#lx, EPT %u 2M + %u 4K pages",
		p->name, id, p->role == ROLE_MANAGEMENT ? "management" : "guest", p->ram_size >> 20, p->ram_hpa, p->vp_count,
		p->vp_count == 1 ? "" : "s", pc->image, info.entry, ept->pages_2m, ept->pages_4k);
	return true;
}

void partition_start_all(const struct boot_info *bi)
{
	const struct boot_module *m = boot_module_find(bi, CONFIG_FILE_NAME);
	if (!m) {
		pr_warn("minihv: no %s was given (GRUB module or file next to minihv.efi): nothing to run", CONFIG_FILE_NAME);
		power_off(POWER_OK);
	}
	struct config_error err;
	if (!config_parse(phys_to_virt(m->base), m->size, &config, &err)) {
		if (err.line)
			pr_err("minihv: config error: %s:%u: %s", CONFIG_FILE_NAME, err.line, err.message);
		else
			pr_err("minihv: config error: %s: %s", CONFIG_FILE_NAME, err.message);
		config_failed();
	}
	if (!config.partition_count) {
		pr_info("minihv: no partitions configured; powering off");
		power_off(POWER_OK);
	}
	if (!validate(bi, &config))
		config_failed();
	for (u32 i = 0; i < cpu_count; i++) {
		cpus[i].hc_buf = phys_to_virt(pmm_alloc_page());
		trace_init_cpu(&cpus[i]);
	}
	for (u32 i = 0; i < config.partition_count; i++) {
		if (!build_partition(bi, &partitions[i], &config.partitions[i], i)) {
			pr_err("minihv: could not build partition %s; nothing starts", config.partitions[i].name);
			power_off(POWER_FAILED);
		}
	}
	partition_count = config.partition_count;
	boot_profile_started_tsc = rdtsc();
	partitions_running = partition_count;
	mfence();
	for (u32 i = 1; i < cpu_count; i++)
		apic_send_ipi(cpus[i].apic_id, APIC_ICR_FIXED | VECTOR_KICK);
	pr_info("minihv: %u partition%s started", partition_count, partition_count == 1 ? "" : "s");
}

static const char *partition_verdict(struct partition *p, int *status)
{
	*status = 0;
	if (p->stopped)
		return "STOPPED";
	for (u32 i = 0; i < p->vp_count; i++)
		if (p->vps[i]->exit_status && !*status)
			*status = p->vps[i]->exit_status;
	return *status ? "FAILED" : "ok";
}

void partition_finished(struct partition *p)
{
	int status;
	const char *v = partition_verdict(p, &status);
	if (p->cfg->image_kind == IMAGE_LINUX)
		linux_partition_report(p);
	pr_info("minihv: partition %s finished: %s (status %d)", p->name, v, status);
	vuart_partition_finished(p);
	if (__atomic_sub_fetch(&partitions_running, 1, __ATOMIC_SEQ_CST))
		return;
	partitions_summary_and_power_off();
}

NORETURN void partitions_summary_and_power_off(void)
{
	static volatile u32 once;
	if (__atomic_exchange_n(&once, 1, __ATOMIC_SEQ_CST))
		cpu_halt_forever(); /* another CPU is already powering off */
	int status;
	bool all_ok = true;
	char line[512];
	int n = snprintf(line, sizeof(line), "minihv: summary:");
	for (u32 i = 0; i < partition_count; i++) {
		const char *pv = partition_verdict(&partitions[i], &status);
		if (!partitions[i].finished && !partitions[i].stopped)
			pv = "running"; /* shut down while it ran: not a failure of its own */
		all_ok &= !strcmp(pv, "ok") || !strcmp(pv, "running");
		n += snprintf(line + n, sizeof(line) - MIN((size_t)n, sizeof(line)), " %s=%s", partitions[i].name, pv);
	}
	pr_info("%s", line);
	pr_info("minihv: %s (%s); powering off", partitions_running ? "shutting down" : "all partitions finished",
		all_ok ? "all ok" : "some failed");
	power_off(all_ok ? POWER_OK : POWER_FAILED);
}

void partition_stop(struct partition *p, struct vp *culprit, const char *why, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, why);
	vsnprintf(msg, sizeof(msg), why, ap);
	va_end(ap);
	if (__atomic_exchange_n(&p->stopped, true, __ATOMIC_SEQ_CST)) {
		pr_warn("minihv: partition %s VP %u also: %s", p->name, culprit ? culprit->index : 0, msg);
		return;
	}
	pr_err("minihv: partition %s stopped: VP %u: %s", p->name, culprit ? culprit->index : 0, msg);
	for (u32 i = 0; i < p->vp_count; i++)
		vp_finish(p->vps[i], VP_BLOCK_STOPPED);
}
