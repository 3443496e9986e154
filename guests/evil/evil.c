/*
 * evil: a hostile guest (docs/security.md, cases H1-H20). VP 0 tries what a guest must not be able to
 * do and checks each documented answer: a TLFS status, an injected fault, or (last) the partition
 * stopped with one line. Prints "PASS H<n> ..." per case or "FAIL: H<n> ..." per failed check.
 * Command line:
 *   last=triple-fault   (default) end with a triple fault (H14)
 *   last=unmapped       end by reading guest-physical memory outside RAM (H12)
 *   last=string-io      string I/O on an unknown port, then from memory outside RAM (H13)
 *   last=exit           end normally (for trying the cases alone)
 *   cases=none          skip H1-H11, H15-H20: straight to the last act
 *   delay_ms=N          wait N ms first (so that a neighbour has filled its memory before the attack)
 */
#include "evil.h"

u32 evil_failures;
static u32 case_failures;

void case_begin(void)
{
	case_failures = 0;
}

void case_end(const char *fmt, ...)
{
	if (case_failures)
		return;
	va_list ap;
	va_start(ap, fmt);
	guest_vline("PASS ", fmt, ap);
	va_end(ap);
}

void check(bool ok, const char *fmt, ...)
{
	if (ok)
		return;
	va_list ap;
	va_start(ap, fmt);
	guest_vline("FAIL: ", fmt, ap);
	va_end(ap);
	evil_failures++;
	case_failures++;
}

void check_status(const char *what, u64 rax, u16 want)
{
	u16 got = HV_HYPERCALL_STATUS(rax);
	check(got == want, "%s: RAX 0x%lx (%s), expected %s", what, rax, hv_status_name(got), hv_status_name(want));
}

/* ---- expected faults: the handler resumes at fixup_rip and records the vector ---- */

static volatile u64 fixup_rip;
volatile u64 fault_vector, fault_rip;
extern u64 ring3_rsp;
extern char ring3_return[];

static void on_fault(struct irq_frame *f)
{
	if ((f->cs & 3) == 3) {
		/* From ring 3: back to ring 0 where enter_ring3() left off, on its stack. */
		fault_vector = f->vector;
		fault_rip = f->rip;
		f->rip = (u64)(uintptr_t)ring3_return;
		f->cs = 0x08;
		f->ss = 0x10;
		f->rsp = ring3_rsp;
		f->rflags = 0x2;
		return;
	}
	if (!fixup_rip) {
		printf("FAIL: evil: unexpected exception %lu at rip 0x%lx (error code 0x%lx)\n", f->vector, f->rip,
		       f->error_code);
		guest_exit(1);
	}
	fault_vector = f->vector;
	fault_rip = f->rip;
	f->rip = fixup_rip;
	fixup_rip = 0;
}

void faults_init(void)
{
	idt_init();
	for (u8 v = 0; v < 32; v++)
		idt_set_handler(v, on_fault);
}

/* Each runs one instruction with fixup_rip set to the label after it. */
#define SAFE(insn, ...)                                                          \
	__asm__ volatile("leaq 1f(%%rip), %%r11\n\t"                             \
			 "movq %%r11, %[fx]\n\t" insn "\n"                       \
			 "1:\n\t"                                                \
			 "movq $0, %[fx]"                                        \
			 : [fx] "+m"(fixup_rip)__VA_ARGS__)

u32 rdmsr_safe(u32 msr, u64 *v)
{
	u32 lo = 0, hi = 0;
	fault_vector = NO_FAULT;
	SAFE("rdmsr", , "+a"(lo), "+d"(hi) : "c"(msr) : "r11", "memory");
	*v = ((u64)hi << 32) | lo;
	return (u32)fault_vector;
}

u32 wrmsr_safe(u32 msr, u64 v)
{
	fault_vector = NO_FAULT;
	SAFE("wrmsr", : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "r11", "memory");
	return (u32)fault_vector;
}

u32 write8_safe(volatile u8 *p, u8 v)
{
	fault_vector = NO_FAULT;
	SAFE("movb %[v], (%[p])", : [p] "r"(p), [v] "q"(v) : "r11", "memory");
	return (u32)fault_vector;
}

const char *vector_name(u32 v)
{
	switch (v) {
	case NO_FAULT: return "no fault";
	case 6: return "#UD";
	case 13: return "#GP";
	case 14: return "#PF";
	default: return "another exception";
	}
}

/* ---- H3, H4: hypercalls outside CPL 0 / protected mode ---- */

static void h3_cpl3(void)
{
	case_begin();
	/* xor eax,eax; xor ecx,ecx; VMCALL; UD2: a VMCALL that returned shows as a #UD 3 bytes later. */
	static const u8 vmcall[] = { 0x31, 0xc0, 0x31, 0xc9, 0x0f, 0x01, 0xc1, 0x0f, 0x0b };
	u64 rip;
	u32 v = ring3_run(vmcall, sizeof(vmcall), &rip);
	check(v == 6 && rip == RING3_CODE + 4, "H3 VMCALL at CPL 3 gave %s at RIP 0x%lx (the VMCALL is at 0x%llx)",
	      vector_name(v), rip, RING3_CODE + 4);
	/* The same with a management call's code in RCX: still #UD, never ACCESS_DENIED or a call. */
	static const u8 mgmt[] = { 0xb9, 0x16, 0x7f, 0x01, 0x00, 0x0f, 0x01, 0xc1, 0x0f, 0x0b };
	v = ring3_run(mgmt, sizeof(mgmt), &rip);
	check(v == 6 && rip == RING3_CODE + 5, "H3 VMCALL MinihvShutdown (fast) at CPL 3 gave %s at RIP 0x%lx",
	      vector_name(v), rip);
	case_end("H3 VMCALL at CPL 3 -> #UD at the VMCALL (also with a management call code)");
}

extern const u8 realmode_blob[], realmode_blob_end[];
extern const u64 realmode_entry_offset;
#define REALMODE_BASE 0x8000

static void h4_real_mode(void)
{
	case_begin();
	u64 size = (u64)(realmode_blob_end - realmode_blob);
	guest_check(size < 0x8000, "evil: real-mode blob too large (%lu bytes)", size);
	memcpy((void *)(uintptr_t)REALMODE_BASE, realmode_blob, size);
	u32 (*enter)(void) = (u32(*)(void))(uintptr_t)(REALMODE_BASE + realmode_entry_offset);
	u64 flags = read_rflags();
	cli();
	u32 ud = enter();
	faults_init(); /* the runtime's GDT and IDT again */
	if (flags & RFLAGS_IF)
		sti();
	check(ud == 1, "H4 VMCALL in real mode raised %u #UD (expected 1)", ud);
	case_end("H4 VMCALL in real mode -> #UD; the VP goes back to long mode");
}

/* ---- H7-H10: the hypercall page, synthetic and unknown MSRs, unknown ports ---- */

static void h7_hypercall_page_write(void)
{
	case_begin();
	volatile u8 *page = (volatile u8 *)(uintptr_t)hv_features()->hypercall_gpa;
	u32 v = write8_safe(page, 0x90);
	check(v == 13, "H7 a write to the hypercall page raised %s, not #GP", vector_name(v));
	v = write8_safe(page + 0x800, 0xc3);
	check(v == 13, "H7 a write to the hypercall page + 0x800 raised %s, not #GP", vector_name(v));
	check(page[0] == 0x0f && page[1] == 0x01 && page[2] == 0xc1 && page[3] == 0xc3,
	      "H7 the page reads %02x %02x %02x %02x after the writes, not VMCALL; RET", page[0], page[1], page[2],
	      page[3]);
	check_status("H7 a call through the page afterwards", hv_do_fast_hypercall(0x0001, 0, 0),
		     HV_STATUS_INVALID_HYPERCALL_CODE);
	case_end("H7 writes to the hypercall page -> #GP; the page is unchanged and still works");
}

static void h8_synthetic_msrs(const struct minihv_boot_info *bi)
{
	case_begin();
	u64 before, after;
	check(rdmsr_safe(HV_X64_MSR_VP_INDEX, &before) == NO_FAULT, "H8 RDMSR VP_INDEX faulted");
	u32 v = wrmsr_safe(HV_X64_MSR_VP_INDEX, before + 1);
	check(v == 13, "H8 WRMSR VP_INDEX raised %s, not #GP", vector_name(v));
	rdmsr_safe(HV_X64_MSR_VP_INDEX, &after);
	check(after == before, "H8 VP_INDEX changed from %lu to %lu", before, after);
	v = wrmsr_safe(HV_X64_MSR_TSC_FREQUENCY, 1);
	check(v == 13, "H8 WRMSR TSC_FREQUENCY raised %s, not #GP", vector_name(v));
	u64 hc;
	rdmsr_safe(HV_X64_MSR_HYPERCALL, &hc);
	u64 beyond[] = { bi->ram_size, 1ull << 40, 0xfffffffffffff000ull };
	for (u32 i = 0; i < ARRAY_SIZE(beyond); i++) {
		v = wrmsr_safe(HV_X64_MSR_HYPERCALL, beyond[i] | HV_X64_MSR_HYPERCALL_ENABLE);
		check(v == 13, "H8 WRMSR HYPERCALL = 0x%lx (beyond RAM) raised %s, not #GP", beyond[i], vector_name(v));
	}
	u64 hc2;
	rdmsr_safe(HV_X64_MSR_HYPERCALL, &hc2);
	check(hc2 == hc, "H8 HYPERCALL changed from 0x%lx to 0x%lx", hc, hc2);
	case_end("H8 WRMSR VP_INDEX / TSC_FREQUENCY, HYPERCALL beyond RAM -> #GP, nothing changes");
}

static void h9_unknown_msrs(void)
{
	case_begin();
	/* An unimplemented synthetic MSR, MSRs nobody implements, VMX capability MSRs (no nested VMX). */
	u32 msrs[] = { 0x40000010, 0x400000ff, 0x40000123, 0x12345678, 0xdeadbeef, 0xc0011234, 0x480, 0x48b };
	for (u32 i = 0; i < ARRAY_SIZE(msrs); i++) {
		u64 val;
		u32 r = rdmsr_safe(msrs[i], &val), w = wrmsr_safe(msrs[i], 0x5a5a);
		check(r == 13 && w == 13, "H9 MSR 0x%x: RDMSR raised %s, WRMSR raised %s; expected #GP for both", msrs[i],
		      vector_name(r), vector_name(w));
	}
	case_end("H9 RDMSR/WRMSR of %u unknown MSRs -> #GP", (u32)ARRAY_SIZE(msrs));
}

static void h10_unknown_ports(void)
{
	case_begin();
	u16 ports[] = { 0x1234, 0xbeef, 0xfff0, 0x0ee0 };
	for (u32 i = 0; i < ARRAY_SIZE(ports); i++) {
		outb(ports[i], 0x12);
		outw(ports[i], 0x3456);
		outl(ports[i], 0x789abcde);
		u8 b = inb(ports[i]);
		u16 w = inw(ports[i]);
		u32 l = inl(ports[i]);
		check(b == 0xff && w == 0xffff && l == 0xffffffffu, "H10 port 0x%x reads %02x/%04x/%08x, not all ones",
		      ports[i], b, w, l);
	}
	case_end("H10 IN/OUT on %u unknown ports: reads all ones, writes dropped, no fault", (u32)ARRAY_SIZE(ports));
}

/* ---- the last act: the partition is stopped with one line ---- */

static NORETURN void h12_unmapped(const struct minihv_boot_info *bi)
{
	/* Far above RAM, where other partitions' RAM or minihv may lie in host memory. */
	u64 gpa = ALIGN_UP(bi->ram_size, GiB(1)) + GiB(1);
	guest_check(pt_map_4k(gpa, gpa, PTE_W), "evil: cannot map GPA 0x%lx", gpa);
	printf("H12 reading GPA 0x%lx outside RAM: minihv must stop this partition\n", gpa);
	volatile u64 *p = (volatile u64 *)(uintptr_t)gpa;
	u64 v = *p;
	*p = ~v;
	guest_fail("H12 a read outside RAM succeeded (GPA 0x%lx read 0x%lx)", gpa, v);
}

/* String I/O is emulated through the guest's paging (docs/platform.md): on a port nothing decodes it
 * reads all ones; a source that the identity map places outside RAM stops the partition. */
static NORETURN void h13_string_io(void)
{
	u8 buf[8] = { 0 };
	u64 n = sizeof(buf);
	u8 *dst = buf;
	__asm__ volatile("rep insb" : "+D"(dst), "+c"(n) : "d"(0x1234) : "memory");
	for (u32 i = 0; i < sizeof(buf); i++)
		guest_check(buf[i] == 0xff, "H13 rep insb from port 0x1234: byte %u is 0x%x, expected 0xff", i, buf[i]);
	guest_check(n == 0 && dst == buf + sizeof(buf), "H13 rep insb left RCX %lu", n);
	const u8 *src = (const u8 *)0xc0000000ull; /* a page the guest maps to itself, far above its RAM */
	guest_check(pt_map_4k((u64)src, (u64)src, 0), "H13 could not map GVA 0x%lx", (u64)src);
	printf("H13 REP OUTSB from GVA 0x%lx (outside RAM) to port 0x1234: minihv must stop this partition\n",
	       (u64)src);
	n = 4;
	__asm__ volatile("rep outsb" : "+S"(src), "+c"(n) : "d"(0x1234) : "memory");
	guest_fail("H13 string I/O from outside RAM came back (%lu bytes left)", n);
}

static NORETURN void h14_triple_fault(void)
{
	/* No IDT: #UD cannot be delivered -> #GP -> #DF -> shutdown (a triple fault). */
	printf("H14 triple fault: minihv must stop this partition\n");
	struct desc_ptr none = { 0, 0 };
	lidt(&none);
	__asm__ volatile("ud2");
	guest_fail("H14 the triple fault came back");
}

int guest_main(const struct minihv_boot_info *bi)
{
	if (bi->vp_index == 1 && x2apic_present())
		return x2apic_vp1();
	if (bi->vp_index != 0)
		return 0;
	char last[16] = "triple-fault", cases[8] = "all";
	guest_option("last", last, sizeof(last));
	guest_option("cases", cases, sizeof(cases));
	char delay[16];
	u64 ms = 0;
	if (guest_option("delay_ms", delay, sizeof(delay)))
		guest_check(parse_u64(delay, strlen(delay), &ms, false), "evil: bad delay_ms=%s", delay);
	delay_us(ms * 1000);
	faults_init();
	hv_setup();
	u64 cr3 = read_cr3() & PTE_ADDR_MASK;

	if (strcmp(cases, "none")) {
		h1_malformed(cr3);
		h2_fast_malformed(cr3);
		h3_cpl3();
		h4_real_mode();
		h5_management_calls();
		h6_gpas(bi, cr3);
		h7_hypercall_page_write();
		h8_synthetic_msrs(bi);
		h9_unknown_msrs();
		h10_unknown_ports();
		h11_send_ipi();
		x2apic_cases();
		printf("evil: H1-H11, H15-H20 done, %u check(s) failed\n", evil_failures);
	}
	if (!strcmp(last, "unmapped"))
		h12_unmapped(bi);
	if (!strcmp(last, "string-io"))
		h13_string_io();
	if (!strcmp(last, "triple-fault"))
		h14_triple_fault();
	return evil_failures ? 1 : 0;
}
