/* pictest: the PC platform of docs/platform.md as a driver sees it. Initialises the 8259 pair as
 * Linux's init_8259A does, takes COM1 interrupts on IRQ 4 (THRE-driven output, RDA-driven input of a
 * typed line), checks every documented legacy-port answer, and moves data with INS/OUTS (REP, DF,
 * 32-bit addresses, a REP longer than one exit, a #PF in the middle). VP 0 only.
 * Command line: "minimal" for a partition with platform = minimal (the legacy ports must be an empty
 * bus there; COM1 and string I/O still work); "noinput" skips the typed line; "x2apic" (with
 * apic = x2apic) also checks that masking VP 0's LINT0 cuts the 8259 off. */
#include "guest.h"

#define COM1 0x3f8
#define IRQ4_VECTOR 0x34 /* master base 0x30, as Linux programs it */
#define PF_VECTOR 14

#define MSR_X2APIC_SVR 0x80f
#define MSR_X2APIC_LVT_LINT0 0x835
#define SVR_APIC_ENABLE BIT(8)
#define LVT_MASKED BIT(16)
#define LVT_DM_EXTINT (7u << 8)

static bool minimal, x2apic;
static u32 failures;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	if (ok)
		return;
	va_list ap;
	va_start(ap, fmt);
	guest_vline("FAIL: pictest: ", fmt, ap);
	va_end(ap);
	failures++;
}

static u8 cmos(u8 index)
{
	outb(0x70, index);
	return inb(0x71);
}

/* ---- 8259 ---- */

static void pic_init(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	outb(0x20, 0x11);
	outb(0x21, 0x30);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0xa0, 0x11);
	outb(0xa1, 0x38);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static u8 pic_irr(void)
{
	outb(0x20, 0x0a);
	return inb(0x20);
}

static u8 pic_isr(void)
{
	outb(0x20, 0x0b);
	u8 v = inb(0x20);
	outb(0x20, 0x0a);
	return v;
}

static void test_pic_probe(void)
{
	outb(0x21, 0xfb); /* probe_8259A */
	u8 v = inb(0x21);
	if (minimal) {
		check(v == 0xff, "minimal: port 0x21 read %#x, expected 0xff (empty bus)", v);
		return;
	}
	check(v == 0xfb, "probe_8259A: port 0x21 read back %#x, expected 0xfb", v);
	pic_init();
	check(inb(0x21) == 0xff && inb(0xa1) == 0xff, "IMRs after init: %#x %#x", inb(0x21), inb(0xa1));
	check(pic_irr() == 0 && pic_isr() == 0, "IRR %#x ISR %#x after init", pic_irr(), pic_isr());
	outb(0x4d0, 0xff);
	check(inb(0x4d0) == 0xf8, "ELCR 0x4d0 read %#x, expected 0xf8", inb(0x4d0));
	outb(0x4d0, 0);
	puts("PASS 8259 probe and init");
}

/* ---- COM1 interrupts ---- */

static const char thre_msg[] = "pictest: this line went out one THRE interrupt at a time\n";
static volatile u32 thre_idx, thre_irqs, other_irqs, rda_irqs;
static volatile bool thre_done;
static char rx_line[64];
static volatile u32 rx_len;
static volatile bool rx_done;

/* One IIR read per interrupt for THRE: each character then needs an interrupt of its own, which
 * only comes if the THR write made a new edge on IRQ 4 (latched while IRQ 4 was in service). */
static void on_irq4(struct irq_frame *f)
{
	(void)f;
	u8 iir = inb(COM1 + 2);
	switch (iir & 0x0f) {
	case 0x02:
		thre_irqs++;
		if (thre_msg[thre_idx]) {
			outb(COM1, (u8)thre_msg[thre_idx++]);
		} else {
			outb(COM1 + 1, inb(COM1 + 1) & ~0x02); /* stop_tx */
			thre_done = true;
		}
		break;
	case 0x04:
		rda_irqs++;
		while (inb(COM1 + 5) & 1) {
			char c = (char)inb(COM1);
			if (c == '\r' || c == '\n')
				rx_done = true;
			else if (rx_len < sizeof(rx_line) - 1)
				rx_line[rx_len++] = c;
		}
		break;
	case 0x01:
		break; /* nothing pending (a request latched before its source was served) */
	default:
		other_irqs++;
		outb(COM1 + 1, 0);
		break;
	}
	outb(0x20, 0x20); /* non-specific EOI */
}

static bool wait_for(volatile bool *flag, u64 ms)
{
	u64 end = rdtsc() + ms * (tsc_khz() ? tsc_khz() : 1000000);
	cli();
	while (!*flag && rdtsc() < end) {
		sti_hlt(); /* an interrupt ends the HLT; a lost one would hang here until the bound */
		cli();
	}
	return *flag;
}

static void test_uart_irqs(bool typed_input)
{
	console_flush();
	idt_set_handler(IRQ4_VECTOR, on_irq4);
	outb(COM1 + 2, 0x07);                  /* FIFO on, both cleared */
	/* Negative control: THRE pending but OUT2 off keeps IRQ 4 low. */
	outb(COM1 + 4, 0x03);                  /* DTR | RTS */
	outb(COM1 + 1, 0x02);                  /* ETBEI */
	check((pic_irr() & 0x10) == 0, "IRQ 4 requested with MCR.OUT2 clear (IRR %#x)", pic_irr());
	check((inb(COM1 + 2) & 0x0f) == 0x02, "IIR does not report THRE");
	check((inb(COM1 + 2) & 0x0f) == 0x01, "IIR still reports an interrupt after the THRE read");
	outb(COM1 + 1, 0);
	/* THRE with OUT2, IRQ 4 masked: latched in IRR, nothing delivered. */
	outb(COM1 + 4, 0x0b);                  /* DTR | RTS | OUT2 */
	outb(COM1 + 1, 0x02);
	sti();
	delay_us(2000);
	cli();
	check(thre_irqs == 0, "THRE interrupt delivered while IRQ 4 was masked");
	check(pic_irr() & 0x10, "IRQ 4 not in IRR while masked (IRR %#x)", pic_irr());
	if (x2apic) {
		/* The wire goes through the local APIC: with LINT0 masked the 8259's INT reaches nobody. */
		u64 lint0 = rdmsr(MSR_X2APIC_LVT_LINT0);
		check(lint0 == LVT_DM_EXTINT, "VP 0's LINT0 is %#lx at start, expected ExtINT unmasked", lint0);
		/* Software-enable the APIC first, as Linux does: a disabled one keeps every LVT masked. */
		wrmsr(MSR_X2APIC_SVR, SVR_APIC_ENABLE | 0xff);
		wrmsr(MSR_X2APIC_LVT_LINT0, LVT_MASKED | LVT_DM_EXTINT);
		outb(0x21, 0xef);
		sti();
		delay_us(2000);
		cli();
		check(thre_irqs == 0, "THRE interrupt delivered while LINT0 was masked");
		wrmsr(MSR_X2APIC_LVT_LINT0, LVT_DM_EXTINT);
	}
	/* Unmask: the latched request arrives, then the line goes out interrupt by interrupt. */
	outb(0x21, 0xef);
	bool ok = wait_for(&thre_done, 2000);
	check(ok, "THRE-driven output stopped after %u of %u characters (%u interrupts)", thre_idx,
	      (u32)sizeof(thre_msg) - 1, thre_irqs);
	check(thre_irqs == sizeof(thre_msg), "%u THRE interrupts for %u characters", thre_irqs, (u32)sizeof(thre_msg) - 1);
	check(other_irqs == 0, "%u interrupts with an unexpected IIR", other_irqs);
	check(pic_isr() == 0, "ISR %#x after EOIs", pic_isr());
	if (ok)
		printf("PASS COM1 THRE interrupts through the 8259 (%u interrupts)\n", thre_irqs);
	if (!typed_input)
		return;
	/* RDA: a typed line arrives by interrupts only (the guest never polls LSR while waiting). */
	puts("pictest: type a line");
	outb(COM1 + 1, 0x01);                  /* ERBFI */
	ok = wait_for(&rx_done, 20000);
	outb(COM1 + 1, 0);
	rx_line[rx_len] = 0;
	check(ok, "no line typed (got '%s' from %u RDA interrupts)", rx_line, rda_irqs);
	if (ok)
		printf("PASS COM1 RDA interrupts: got '%s'\n", rx_line);
}

/* ---- legacy ports ---- */

static void test_legacy_ports(void)
{
	u32 pci = 0;
	outl(0xcf8, 0x80000000);
	pci = inl(0xcf8);
	check(pci != 0x80000000, "0xcf8 reads back 0x80000000: PCI would be probed");
	check(inl(0xcfc) == 0xffffffff, "0xcfc read %#x", inl(0xcfc));
	for (u16 port = 0x2f8; port <= 0x2ff; port++)
		check(inb(port) == 0xff, "COM2 port %#x read %#x", port, inb(port));
	if (minimal) {
		u16 ports[] = { 0x20, 0xa0, 0x40, 0x43, 0x61, 0x70, 0x71, 0x60, 0x64, 0x4d0 };
		for (u32 i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
			check(inb(ports[i]) == 0xff, "minimal: port %#x read %#x, expected 0xff", ports[i], inb(ports[i]));
		puts("PASS legacy ports are an empty bus");
		return;
	}
	/* PIT: counter 0, mode 2, LSB then MSB, counts down */
	outb(0x43, 0x34);
	outb(0x40, 0x00);
	outb(0x40, 0x00);                     /* 65536 */
	outb(0x43, 0xe2);                     /* read-back: status of counter 0 */
	u8 status = inb(0x40);
	check((status & 0x3f) == 0x34, "PIT read-back status %#x", status);
	outb(0x43, 0x00);                     /* latch */
	u16 a = inb(0x40);
	a |= (u16)(inb(0x40) << 8);
	delay_us(2000);                        /* about 2400 PIT clocks */
	outb(0x43, 0x00);
	u16 b = inb(0x40);
	b |= (u16)(inb(0x40) << 8);
	u16 moved = (u16)(a - b);
	check(moved > 100 && moved < 30000, "PIT counter 0 went from %u to %u in 2 ms", a, b);
	/* port 0x61: writable low bits, refresh toggle */
	outb(0x61, 0x01);
	check((inb(0x61) & 0x0f) == 0x01, "port 0x61 read %#x", inb(0x61));
	u8 first = inb(0x61) & 0x10;
	bool toggled = false;
	for (int i = 0; i < 1000 && !toggled; i++)
		toggled = (inb(0x61) & 0x10) != first;
	check(toggled, "port 0x61 bit 4 (refresh) never toggles");
	outb(0x61, 0);
	/* CMOS / RTC */
	check((cmos(0x0a) & 0x80) == 0, "RTC update in progress");
	check(cmos(0x0a) == 0x26, "status A %#x", cmos(0x0a));
	check(cmos(0x0b) == 0x02, "status B %#x", cmos(0x0b));
	check(cmos(0x0c) == 0, "status C %#x", cmos(0x0c));
	check(cmos(0x0d) == 0x80, "status D %#x", cmos(0x0d));
	check(cmos(0x32) == 0x20 && cmos(0x09) == 0x26, "century %#x year %#x, expected 20 26", cmos(0x32), cmos(0x09));
	check(cmos(0x08) == 0x01 && cmos(0x07) >= 0x01 && cmos(0x07) <= 0x02, "month %#x day %#x", cmos(0x08), cmos(0x07));
	check(cmos(0x00) <= 0x59 && (cmos(0x00) & 0x0f) <= 9, "seconds %#x not BCD", cmos(0x00));
	outb(0x70, 0x0f);
	outb(0x71, 0x0a);                     /* warm-reset shutdown status, as Linux before AP start-up */
	check(cmos(0x0f) == 0x0a, "CMOS 0x0f read %#x after writing 0x0a", cmos(0x0f));
	outb(0x70, 0x00);
	u8 sec = inb(0x71);
	outb(0x71, 0x42);                     /* the clock cannot be set */
	check(cmos(0x00) != 0x42 || sec == 0x42, "RTC seconds took a write");
	/* keyboard controller: no data; port 0x80 */
	check(inb(0x64) == 0x00 && inb(0x60) == 0x00, "KBC status %#x data %#x", inb(0x64), inb(0x60));
	outb(0x80, 0x55);
	check(inb(0x80) == 0xff, "port 0x80 read %#x", inb(0x80));
	puts("PASS legacy ports answer as documented");
}

/* ---- string I/O ---- */

static volatile u64 pf_cr2, pf_error, pf_count;
static u64 pf_page;

static void on_pf(struct irq_frame *f)
{
	__asm__ volatile("mov %%cr2, %0" : "=r"(pf_cr2));
	pf_error = f->error_code;
	pf_count++;
	guest_check(pf_count == 1 && pf_page, "unexpected page fault at %#lx", pf_cr2);
	pt_map_4k(pf_page, pf_page, PTE_W); /* map it back: the REP resumes where it stopped */
}

static void rep_outsb(const void *p, u64 n, u64 *rsi_after, u64 *rcx_after)
{
	u64 si = (u64)p, cx = n;
	__asm__ volatile("cld; rep outsb" : "+S"(si), "+c"(cx) : "d"((u16)COM1) : "memory");
	*rsi_after = si;
	*rcx_after = cx;
}

static void test_string_io(void)
{
	console_flush();
	u64 si, cx;
	static const char fwd[] = "pictest: rep outsb line\n";
	rep_outsb(fwd, sizeof(fwd) - 1, &si, &cx);
	check(si == (u64)fwd + sizeof(fwd) - 1 && cx == 0, "rep outsb left RSI %#lx RCX %#lx", si, cx);

	/* DF = 1: from the last byte down */
	static const char back[] = "\nenil sdrawkcab bstuo per :tsetcip";
	si = (u64)back + sizeof(back) - 2;
	cx = sizeof(back) - 1;
	__asm__ volatile("std; rep outsb; cld" : "+S"(si), "+c"(cx) : "d"((u16)COM1) : "memory");
	check(si == (u64)back - 1 && cx == 0, "std; rep outsb left RSI %#lx RCX %#lx", si, cx);

	/* INS from the scratch register, 32-bit addresses: only EDI/ECX count, and they zero-extend. */
	u8 *buf = page_alloc(4);
	guest_check(buf, "out of pages");
	outb(COM1 + 7, 0x5a);
	u64 di = 0xbeef000000000000ull | (u64)buf;
	cx = 0xdead000000000010ull;
	__asm__ volatile(".byte 0x67; rep insb" : "+D"(di), "+c"(cx) : "d"((u16)(COM1 + 7)) : "memory");
	check(cx == 0 && di == (u64)buf + 16, "addr32 rep insb left RDI %#lx RCX %#lx", di, cx);
	for (u32 i = 0; i < 16; i++)
		check(buf[i] == 0x5a, "addr32 rep insb: byte %u is %#x", i, buf[i]);
	check(buf[16] == 0, "addr32 rep insb wrote past its count");

	/* A REP longer than one exit moves (4096 elements): it must resume and finish. */
	outb(COM1 + 7, 0xa5);
	di = (u64)buf;
	cx = 3 * 4096 + 7;
	__asm__ volatile("cld; rep insb" : "+D"(di), "+c"(cx) : "d"((u16)(COM1 + 7)) : "memory");
	u32 bad = 0;
	for (u32 i = 0; i < 3 * 4096 + 7; i++)
		bad += buf[i] != 0xa5;
	check(cx == 0 && bad == 0 && buf[3 * 4096 + 7] == 0, "long rep insb: RCX %#lx, %u bytes wrong", cx, bad);

	/* insw / outsw: 16-bit elements through the scratch register (its low byte) */
	u16 words[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };
	si = (u64)words;
	cx = 4;
	__asm__ volatile("cld; rep outsw" : "+S"(si), "+c"(cx) : "d"((u16)(COM1 + 7)) : "memory");
	check(inb(COM1 + 7) == 0x44, "rep outsw: scratch register %#x, expected the last word's low byte",
	      inb(COM1 + 7));

	/* A #PF in the middle: the second half of the line lies on a page that is not mapped. The fault
	 * comes with RSI/RCX of the bytes done; the handler maps the page and the REP completes. */
	static const char tail[] = "pictest: this line crossed a page fault\n";
	u32 n = sizeof(tail) - 1, half = n / 2;
	u8 *two = buf + PAGE_SIZE;            /* two pages: the line straddles their boundary */
	memcpy(two + PAGE_SIZE - half, tail, n);
	pf_page = (u64)two + PAGE_SIZE;
	guest_check(pt_unmap(pf_page), "could not unmap the test page");
	pt_invlpg(pf_page);
	idt_set_handler(PF_VECTOR, on_pf);
	rep_outsb(two + PAGE_SIZE - half, n, &si, &cx);
	idt_set_handler(PF_VECTOR, NULL);
	check(pf_count == 1, "%lu page faults, expected 1", pf_count);
	check(pf_cr2 == pf_page, "CR2 %#lx, expected %#lx", pf_cr2, pf_page);
	check(pf_error == 0, "#PF error code %#lx, expected 0 (not present, read, supervisor)", pf_error);
	check(si == (u64)two + PAGE_SIZE - half + n && cx == 0, "after the fault: RSI %#lx RCX %#lx", si, cx);
	if (!failures)
		puts("PASS string I/O (rep outsb/insb/outsw, DF, addr32, long REP, #PF resume)");
}

/* Typed after "type": bytes for rep insb from COM1 itself. */
static void test_insb_com1(void)
{
	puts("pictest: type xyz");
	while (!(inb(COM1 + 5) & 1))
		cpu_relax();
	delay_us(100000); /* the rest of the burst */
	char got[4] = { 0 };
	u64 di = (u64)got, cx = 3;
	__asm__ volatile("cld; rep insb" : "+D"(di), "+c"(cx) : "d"((u16)COM1) : "memory");
	check(got[0] == 'x' && got[1] == 'y' && got[2] == 'z', "rep insb from COM1 got '%s'", got);
	if (!memcmp(got, "xyz", 3))
		puts("PASS rep insb from COM1: xyz");
}

int guest_main(const struct minihv_boot_info *bi)
{
	if (bi->vp_index != 0)
		return 0;
	minimal = guest_option("minimal", NULL, 0);
	x2apic = guest_option("x2apic", NULL, 0);
	bool input = !guest_option("noinput", NULL, 0);
	idt_init();
	test_pic_probe();
	test_legacy_ports();
	if (!minimal)
		test_uart_irqs(input);
	test_string_io();
	if (!minimal && input)
		test_insb_com1();
	if (failures) {
		printf("FAIL: pictest: %u checks failed\n", failures);
		return 1;
	}
	puts("pictest: all passed");
	return 0;
}
