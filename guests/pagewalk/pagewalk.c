/* pagewalk: VPs parked in every paging mode, for HvCallTranslateVirtualAddress (tests/scenarios/pagewalk.scn).
 *   VP 0: 4-level paging, HLT with IF = 1 (a halted VP is walked as it is)
 *   VP 1: 32-bit paging with 4 MiB pages (CR4.PSE)   } spin until the management partition writes go;
 *   VP 2: PAE paging                                 } it suspends them explicitly to walk them
 *   VP 3: protected mode, paging off                 }
 * VP 0 builds every table at the fixed GPAs of pagewalk.h and maps the hypercall overlay page; the
 * others wait for it, park, and on go return to long mode and wake VP 0. */
#include "pagewalk.h"

#define WAKE_VECTOR 0x40

static struct vp_barrier built;
static struct pw_ctx ctx[4];

static u64 *q(u64 gpa) { return (u64 *)(uintptr_t)gpa; }
static u32 *d(u64 gpa) { return (u32 *)(uintptr_t)gpa; }

static void frame(u64 gpa)
{
	memset(q(gpa), 0, PAGE_SIZE);
	*q(gpa) = PW_MARK | gpa;
}

/* VP 1: identity 4 MiB pages over the first 32 MiB, then the test entries from GVA 0x80000000. */
static void build_32bit(void)
{
	for (u32 i = 0; i < 8; i++)
		*d(PW_PD32 + i * 4) = i * 0x400000u | PTE_PS | PTE_P | PTE_W;
	*d(PW_PD32 + 512 * 4) = (u32)PW_PT32 | PTE_P | PTE_W | PTE_U;
	*d(PW_PT32 + 0 * 4) = (u32)PW_F0 | PTE_P | PTE_W | PTE_U;
	*d(PW_PT32 + 1 * 4) = (u32)PW_F1 | PTE_P | PTE_U;                 /* read-only */
	*d(PW_PT32 + 2 * 4) = (u32)PW_F2 | PTE_P | PTE_W | PTE_U | PTE_PCD; /* PAT index 2: UC */
	*d(PW_PD32 + 513 * 4) = (u32)PW_4M | PTE_PS | PTE_P | PTE_W | PTE_U;
	*d(PW_PD32 + 514 * 4) = (u32)PW_4M | BIT(21) | PTE_PS | PTE_P;      /* reserved bit 21 */
	*d(PW_PD32 + 515 * 4) = (u32)PW_OUTSIDE | PTE_P | PTE_W;           /* page table beyond RAM */
	*d(PW_PD32 + 516 * 4) = (u32)PW_HYPERCALL | PTE_P | PTE_W;         /* page table on the overlay */
}

/* VP 2: PDPTE 0 identity 2 MiB pages, PDPTE 2 the test entries (PDPTEs 1 and 3 not present: a PDPTE with
 * a reserved bit would make the VP's own MOV to CR0 fault). */
static void build_pae(void)
{
	*q(PW_PDPT + 0 * 8) = PW_PD_PAE0 | PTE_P;
	*q(PW_PDPT + 2 * 8) = PW_PD_PAE2 | PTE_P;
	for (u32 i = 0; i < 16; i++)
		*q(PW_PD_PAE0 + i * 8) = i * 0x200000ull | PTE_PS | PTE_P | PTE_W;
	*q(PW_PD_PAE2 + 0 * 8) = PW_PT_PAE | PTE_P | PTE_W | PTE_U;
	*q(PW_PT_PAE + 0 * 8) = PW_F0 | PTE_P | PTE_W | PTE_U;
	*q(PW_PT_PAE + 1 * 8) = PW_F1 | PTE_P | PTE_W | PTE_U | PTE_NX;
	*q(PW_PT_PAE + 2 * 8) = PW_F2 | PTE_P | PTE_W | PTE_U | PTE_PWT;   /* PAT index 1: WT */
	*q(PW_PT_PAE + 3 * 8) = PW_F0 | PTE_P | PTE_W | PTE_U | BIT(52);   /* reserved under PAE paging */
	*q(PW_PD_PAE2 + 1 * 8) = PW_2M | PTE_PS | PTE_P | PTE_W | PTE_U;
	*q(PW_PD_PAE2 + 2 * 8) = PW_2M | BIT(13) | PTE_PS | PTE_P | PTE_W; /* reserved bit 13 */
	*q(PW_PD_PAE2 + 3 * 8) = PW_OUTSIDE | PTE_P | PTE_W;
}

/* VP 0: PML4 slots 2 and 3 of the runtime's own tables. */
static void build_4level(bool gbpages)
{
	u64 *pml4 = q(read_cr3() & PTE_ADDR_MASK);
	pml4[2] = PW_PDPT64 | PTE_P | PTE_W | PTE_U;
	pml4[3] = PW_PDPT64 | PTE_PS | PTE_P | PTE_W; /* PS is reserved in a PML4E */
	*q(PW_PDPT64 + 0 * 8) = PW_PD64 | PTE_P | PTE_W | PTE_U;
	if (gbpages)
		*q(PW_PDPT64 + 1 * 8) = PW_OUTSIDE | PTE_PS | PTE_P | PTE_W | PTE_U;
	*q(PW_PD64 + 0 * 8) = PW_PT64 | PTE_P | PTE_W | PTE_U;
	*q(PW_PT64 + 0 * 8) = PW_F0 | PTE_P | PTE_W;                       /* supervisor */
	*q(PW_PT64 + 1 * 8) = PW_F1 | PTE_P | PTE_U;                       /* read-only */
	*q(PW_PT64 + 2 * 8) = PW_F2 | PTE_P | PTE_W | PTE_U | PTE_NX;
	*q(PW_PT64 + 4 * 8) = PW_F4 | PTE_P | PTE_W | PTE_U | PTE_PCD | PTE_PWT; /* PAT index 3: UC */
	*q(PW_PT64 + 5 * 8) = PW_F5 | PTE_P | PTE_W | PTE_U | PTE_PWT;     /* WT */
	*q(PW_PT64 + 6 * 8) = PW_HYPERCALL | PTE_P | PTE_W | PTE_U;         /* the overlay */
	*q(PW_PT64 + 7 * 8) = PW_F0 | PTE_P | PTE_W | PTE_U | BIT(51);      /* above MAXPHYADDR */
	*q(PW_PT64 + 8 * 8) = PW_F5 | PTE_P | PTE_W | PTE_U;                /* for SET_PAGE_TABLE_BITS */
	*q(PW_PD64 + 1 * 8) = PW_2M | PTE_PS | PTE_P | PTE_W | PTE_U;
	*q(PW_PD64 + 2 * 8) = PW_OUTSIDE | PTE_P | PTE_W;
	*q(PW_PD64 + 3 * 8) = PW_HYPERCALL | PTE_P | PTE_W;
}

static void build(const struct minihv_boot_info *bi)
{
	guest_check(bi->ram_size >= PW_RAM_MIN && bi->free_start <= PW_CTL && PW_2M + MiB(2) <= bi->free_end,
		    "pagewalk: the fixed layout [%#llx, %#llx) does not fit the free range [%#lx, %#lx): give it 32M",
		    PW_CTL, PW_2M + MiB(2), bi->free_start, bi->free_end);
	memset(q(PW_CTL), 0, PW_F5 + PAGE_SIZE - PW_CTL);
	bool gbpages = cpuid(0x80000001, 0).edx & BIT(26);
	*d(PW_CTL + 8) = gbpages;
	for (u64 f = PW_F0; f <= PW_F5; f += PAGE_SIZE)
		frame(f);
	frame(PW_4M);
	frame(PW_2M);
	build_32bit();
	build_pae();
	build_4level(gbpages);
	/* The overlay hides the RAM page at PW_HYPERCALL from here on. */
	wrmsr(HV_X64_MSR_GUEST_OS_ID, 0x8100000000000001ull);
	wrmsr(HV_X64_MSR_HYPERCALL, PW_HYPERCALL | HV_X64_MSR_HYPERCALL_ENABLE);
}

static void on_wake(struct irq_frame *f)
{
	(void)f;
}

int guest_main(const struct minihv_boot_info *bi)
{
	u32 me = bi->vp_index;
	volatile u32 *go = d(PW_CTL), *ready = d(PW_CTL + 0x10);
	guest_check(bi->vp_count == 4, "pagewalk: needs exactly 4 VPs (vps = 4), has %u", bi->vp_count);
	idt_init();
	idt_set_handler(WAKE_VECTOR, on_wake);
	if (me == 0)
		build(bi);
	vp_barrier_wait(&built, bi->vp_count);
	if (me == 0) {
		printf("pagewalk: tables built; VP 0 halts in 4-level paging, VPs 1-3 park in 32-bit, PAE and no paging\n");
		atomic_store_u32(&ready[0], 1);
		cli();
		while (!atomic_load_u32(go)) {
			sti_hlt();
			cli();
		}
		printf("pagewalk: VP 0 woke up\n");
		return 0;
	}
	static const u32 cr3[4] = { 0, PW_PD32, PW_PDPT, 0 };
	static const u32 cr4[4] = { 0, CR4_PSE, CR4_PAE, 0 };
	struct pw_ctx *c = &ctx[me];
	c->cr3 = cr3[me];
	c->cr4 = cr4[me];
	c->ready = (u64)(uintptr_t)&ready[me];
	c->go = (u64)(uintptr_t)go;
	cli();
	pw_park(c);
	idt_init(); /* the runtime's GDT again (modes.asm loaded its own) */
	send_ipi(0, WAKE_VECTOR);
	printf("pagewalk: VP %u back in long mode\n", me);
	return 0;
}
