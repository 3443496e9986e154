/* The common core: everything after the boot entries. Takes the machine, brings every CPU into VMX root,
 * then hands over to the partitions. */
#include "acpi.h"
#include "apic.h"
#include "boot_info.h"
#include "cpu.h"
#include "lib.h"
#include "log.h"
#include "paging.h"
#include "pmm.h"
#include "power.h"
#include "smp.h"
#include "timer.h"
#include "vmx.h"
#include "x86.h"
#include "core.h"
#include "ioapic.h"
#include "serial.h"

static char options[BOOT_CMDLINE_MAX * 2];
static volatile u32 cpus_done;

const char *core_options(void)
{
	return options;
}

/* Console input by the UART's receive interrupt on the boot CPU, routed through the I/O APIC; without
 * one (or with the option console_irq=off) the scheduler polls the UART fast enough instead. */
static void console_rx_setup(u32 boot_apic_id)
{
	char v[16];
	u64 every;
	if (option_get(options, "test-console-drop", v, sizeof(v)) && parse_u64(v, strlen(v), &every, false) &&
	    every && every <= 0xffffffffull) {
		serial_test_drop((u32)every);
		pr_warn("test-console-drop=%lu: one typed byte in %lu is thrown away", every, every);
	}
	const char *why = "option console_irq=off";
	bool off = option_get(options, "console_irq", v, sizeof(v)) && (!strcmp(v, "off") || !strcmp(v, "0"));
	if (!off && ioapic_route_isa_irq(COM1_IRQ, VECTOR_CONSOLE, boot_apic_id, &why)) {
		serial_enable_rx_interrupt();
		pr_info("console: COM1 input by its receive interrupt (ISA IRQ %u, GSI %u, vector %#x on CPU 0)",
			COM1_IRQ, acpi.isa_gsi[COM1_IRQ], VECTOR_CONSOLE);
		return;
	}
	pr_info("console: COM1 input polled by CPU 0 every %u us (%s)", CONSOLE_POLL_NO_IRQ_US, why);
}

/* One line, naming the CPU and the feature, then leave: to the emulator's exit device or a clean halt. */
static NORETURN void cannot_run(void)
{
	power_emulator_exit(POWER_CANNOT_RUN);
	pr_info("halting: minihv cannot run on this machine");
	cpu_halt_forever();
}

static void vmx_bring_up_this_cpu(struct cpu *c)
{
	char missing[512];
	if (!vmx_check_this_cpu(missing, sizeof(missing))) {
		static char reasons[MAX_CPUS][512];
		strlcpy(reasons[c->index], missing, sizeof(reasons[0]));
		c->failure = reasons[c->index];
	} else {
		c->failure = vmx_enable_this_cpu(c);
	}
	__atomic_fetch_add(&cpus_done, 1, __ATOMIC_RELEASE);
}

static NORETURN void ap_main(struct cpu *c)
{
	cpu_init_tables(c);
	apic_init_cpu();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	vmx_bring_up_this_cpu(c);
	sched_cpu_loop(c);
}

static void build_options(const struct boot_info *bi)
{
	/* Config-file options first, the boot command line after them: the command line wins. */
	options[0] = 0;
	const struct boot_module *cfg = boot_module_find(bi, CONFIG_FILE_NAME);
	if (cfg)
		config_hypervisor_options((const char *)phys_to_virt(cfg->base), cfg->size, options, sizeof(options));
	size_t n = strlen(options);
	if (bi->cmdline[0])
		snprintf(options + n, sizeof(options) - n, "%s%s", n ? " " : "", bi->cmdline);
}

NORETURN void core_main(struct boot_info *bi)
{
	console_init();
	build_options(bi);
	power_configure(options);
	/* Emulator configurations mirror the console to port 0xE9 unless told otherwise. */
	console_configure(power_emulator_configured() ? "e9" : "");
	console_configure(options);

	struct cpu *bsp = &cpus[0];
	cpu_count = 1;
	bsp->index = 0;
	pmm_init(bi);
	u64 stack = pmm_alloc(IST_STACK_SIZE, PAGE_SIZE, PMM_ANY);
	bsp->stack_top = stack + IST_STACK_SIZE; /* only for TSS.RSP0; the BSP keeps its boot stack */
	cpu_init_tables(bsp);
	console_cpu_ready();
	pr_info("minihv starting (booted by %s), options: %s", bi->loader, options[0] ? options : "(none)");
	pr_info("memory: %lu MiB free, largest block %lu MiB", pmm_free_bytes() >> 20, pmm_largest_free() >> 20);

	if (!acpi_init(bi->rsdp)) {
		pr_err("minihv: cannot run: no usable ACPI tables (RSDP/MADT) to find the CPUs");
		cannot_run();
	}
	paging_init(pmm_top_of_ram());
	/* minihv takes no legacy interrupts: mask both 8259s so none reaches the host's IDT. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	apic_init_cpu();
	bsp->apic_id = apic_id();
	timer_calibrate();

	char missing[512];
	if (!vmx_check_this_cpu(missing, sizeof(missing))) {
		pr_err("minihv: cannot run: CPU 0 (APIC id %u) lacks %s", bsp->apic_id, missing);
		cannot_run();
	}
	vmx_read_msrs(&vmx_caps);

	u32 expected = acpi.cpu_count;
	u32 started = smp_start_aps(bi->ap_trampoline, ap_main);
	pr_info("%u CPUs in the MADT, %u application processors started", expected, started);
	vmx_bring_up_this_cpu(bsp);

	/* Every CPU that came online reports once; those that did not start already have a failure. */
	u64 deadline = rdtsc() + 2000000 * tsc_khz / 1000;
	while (__atomic_load_n(&cpus_done, __ATOMIC_ACQUIRE) < started + 1 && rdtsc() < deadline)
		cpu_relax();

	u32 in_root = 0;
	for (u32 i = 0; i < cpu_count; i++) {
		struct cpu *c = &cpus[i];
		if (c->vmx_on)
			in_root++;
		else
			pr_err("minihv: cannot run: CPU %u (APIC id %u): %s", i, c->apic_id,
			       c->failure ? c->failure : "did not report back");
	}
	if (in_root != expected || in_root != cpu_count) {
		if (cpu_count < expected)
			pr_err("minihv: cannot run: only %u of the %u CPUs in the MADT could be used", cpu_count, expected);
		cannot_run();
	}
	pr_info("minihv: %u/%u CPUs in VMX root", in_root, expected);
	if (!vmx_global_init())
		power_off(POWER_CANNOT_RUN);
	console_rx_setup(bsp->apic_id);
	partition_start_all(bi);
	sched_cpu_loop(bsp);
}
