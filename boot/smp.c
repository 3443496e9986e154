/* AP start-up with INIT-SIPI-SIPI (SDM 8.4.4.1 / MP spec B.4): the hypervisor owns the machine, so no
 * firmware MP service is used. APs are started one by one because they share the trampoline page. */
#include "acpi.h"
#include "apic.h"
#include "cpu.h"
#include "lib.h"
#include "log.h"
#include "paging.h"
#include "pmm.h"
#include "smp.h"
#include "timer.h"
#include "x86.h"

extern char ap_trampoline_start[], ap_trampoline_end[];

#define AP_PARAMS 0xf00
struct ap_params {
	u32 cr3;
	u32 pad;
	u64 stack;
	u64 entry;
	u64 arg;
};

static bool wait_online(struct cpu *c, u64 us)
{
	u64 end = rdtsc() + us * tsc_khz / 1000;
	while (rdtsc() < end) {
		if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			return true;
		cpu_relax();
	}
	return __atomic_load_n(&c->online, __ATOMIC_ACQUIRE);
}

u32 smp_start_aps(u64 tramp, void (*entry)(struct cpu *))
{
	u32 self = apic_id(), started = 0;
	memcpy(phys_to_virt(tramp), ap_trampoline_start, ap_trampoline_end - ap_trampoline_start);
	struct ap_params *p = (struct ap_params *)phys_to_virt(tramp + AP_PARAMS);
	for (u32 i = 0; i < acpi.cpu_count; i++) {
		u32 id = acpi.apic_ids[i];
		if (id == self)
			continue;
		if (cpu_count == MAX_CPUS) {
			pr_warn("more than %u CPUs; APIC id %u and later are left alone", MAX_CPUS, id);
			break;
		}
		struct cpu *c = &cpus[cpu_count];
		c->index = cpu_count;
		c->apic_id = id;
		u64 stack = pmm_alloc(HOST_STACK_SIZE, PAGE_SIZE, PMM_ANY);
		if (!stack) {
			pr_err("out of memory for the stack of APIC id %u", id);
			break;
		}
		c->stack_top = stack + HOST_STACK_SIZE;
		cpu_count++;
		p->cr3 = (u32)paging_root();
		p->stack = c->stack_top;
		p->entry = (u64)(uintptr_t)entry;
		p->arg = (u64)(uintptr_t)c;
		mfence();
		apic_send_ipi(id, APIC_ICR_INIT);
		udelay(10000);
		apic_send_ipi(id, APIC_ICR_STARTUP | (u32)(tramp >> 12));
		if (!wait_online(c, 200)) {
			apic_send_ipi(id, APIC_ICR_STARTUP | (u32)(tramp >> 12));
			wait_online(c, 100000);
		}
		if (c->online)
			started++;
		else
			c->failure = "did not answer INIT-SIPI-SIPI";
	}
	return started;
}
