/* Port I/O exits (every port is intercepted): COM1 goes to the partition's emulated UART; a PC
 * partition also has the 8259 pair and the legacy ports of vdev/legacy_io.c; any other port behaves
 * like an empty bus (reads all ones, writes dropped). docs/platform.md lists the answers. INS/OUTS
 * (with REP) are carried out here through the guest's own paging. */
#include "exits.h"
#include "gva_walk.h"
#include "hv.h"
#include "hyperv_tlfs.h"
#include "io_decode.h"
#include "legacy_io.h"
#include "lib.h"
#include "linux_boot.h"
#include "log.h"
#include "vmcs.h"
#include "vmx_caps.h"
#include "vpic.h"
#include "vuart.h"
#include "x86.h"

/* Elements one exit moves; a longer REP goes on at the next entry (RIP unchanged, RCX counted down),
 * which is how the CPU itself interrupts a REP string instruction. */
#define IO_STRING_MAX_PER_EXIT 4096

#define PF_P BIT(0)
#define PF_W BIT(1)
#define PF_U BIT(2)
#define PF_RSVD BIT(3)
#define VECTOR_SS 12
#define VECTOR_PF 14

/* One access to an emulated device; false when nothing decodes the port. */
static bool port_io(struct vp *vp, u16 port, bool in, u32 size, u32 *val)
{
	struct partition *p = vp->part;
	return vuart_io(p, port, in, val) || vpic_io(p, port, in, size, val) || linux_pm_io(vp, port, in, val) ||
	       legacy_io(p, port, in, size, val);
}

static u32 size_mask(u32 size)
{
	return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* Host pointers to the (at most two, across a page boundary) pieces of a guest-linear range. */
struct guest_span {
	u8 *piece[2];
	u32 len[2];
};

enum span_result { SPAN_OK, SPAN_FAULT, SPAN_STOPPED };

static enum span_result span_fault(struct vp *vp, u64 lin, u32 error_code)
{
	vmx_inject_exception(VECTOR_PF, true, error_code);
	write_cr2(lin); /* the VP owns this CPU's CR2 until it is switched out (vmx/sched.c) */
	vp->cr2 = lin;
	return SPAN_FAULT;
}

/* Translates [lin, lin + len) for a read (OUTS) or a write (INS) as the guest's paging allows it at its
 * CPL, setting A/D bits as the CPU would. A fault the guest caused is injected (#PF); memory outside
 * the partition's RAM stops it. */
static enum span_result guest_span(struct vp *vp, u64 lin, u32 len, bool write, struct guest_span *s)
{
	static u8 maxphyaddr;
	if (!maxphyaddr)
		maxphyaddr = (u8)cpuid(0x80000008, 0).eax;
	struct partition *p = vp->part;
	u32 cpl = vmx_guest_cpl();
	struct gva_paging_state ps = {
		.cr0 = vmread(VMCS_GUEST_CR0), .cr3 = vmread(VMCS_GUEST_CR3), .cr4 = vmread(VMCS_GUEST_CR4),
		.efer = vmread(VMCS_GUEST_IA32_EFER), .pat = 0x0007040600070406ull, .cpl = (u8)cpl,
	};
	struct gva_space m = {
		.map = guest_ram_map, .ctx = p, .ram_size = p->ram_size, .overlay_gpa = p->hypercall_gpa,
		.maxphyaddr = maxphyaddr, .gbpages = cpuid(0x80000001, 0).edx & BIT(26),
	};
	u64 flags = (write ? HV_TRANSLATE_GVA_VALIDATE_WRITE : HV_TRANSLATE_GVA_VALIDATE_READ) |
		    HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS;
	u32 done = 0;
	for (int i = 0; i < 2; i++) {
		s->piece[i] = NULL;
		s->len[i] = 0;
		if (done == len)
			continue;
		u64 addr = lin + done;
		u32 chunk = (u32)MIN((u64)(len - done), PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
		struct gva_result r;
		gva_translate(&ps, &m, addr, flags, &r);
		u32 err = (write ? PF_W : 0) | (cpl == 3 ? PF_U : 0);
		switch (r.result_code) {
		case HV_TRANSLATE_GVA_SUCCESS:
			break;
		case HV_TRANSLATE_GVA_PAGE_NOT_PRESENT:
			return span_fault(vp, addr, err);
		case HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION:
			return span_fault(vp, addr, err | PF_P);
		case HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS:
			return span_fault(vp, addr, err | PF_P | PF_RSVD);
		default:
			partition_stop(p, vp, "string I/O at GVA %#lx: its page tables reach GPA %#lx outside its RAM "
				       "(RIP %#lx)", addr, r.gpa, vmread(VMCS_GUEST_RIP));
			return SPAN_STOPPED;
		}
		s->piece[i] = r.overlay ? NULL : gpa_to_hva(p, r.gpa, chunk);
		if (!s->piece[i]) {
			partition_stop(p, vp, "string I/O at GVA %#lx: GPA %#lx is outside its RAM (RIP %#lx)", addr,
				       r.gpa, vmread(VMCS_GUEST_RIP));
			return SPAN_STOPPED;
		}
		s->len[i] = chunk;
		done += chunk;
	}
	return SPAN_OK;
}

static void span_copy(const struct guest_span *s, u8 *buf, bool to_guest)
{
	for (int i = 0, off = 0; i < 2; off += s->len[i], i++)
		if (to_guest)
			memcpy(s->piece[i], buf + off, s->len[i]);
		else
			memcpy(buf + off, s->piece[i], s->len[i]);
}

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

/* INS/OUTS, with or without REP, element by element as the SDM describes them: the memory operand is
 * ES:rDI (INS) or seg:rSI (OUTS), rDI/rSI step by the size (backwards with RFLAGS.DF), rCX counts down
 * under REP. A fault ends the exit with the registers of the elements done and RIP on the instruction. */
static enum exit_action string_io(struct vp *vp, const struct io_exit *e)
{
	struct guest_regs *r = &vp->regs;
	bool mode64 = vmx_guest_64bit();
	u64 count = io_string_count(e, r->rcx);
	u64 base = (mode64 && e->seg < IO_SEG_FS) ? 0 : vmread(VMCS_GUEST_ES_BASE + 2 * e->seg);
	s64 step = (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_DF) ? -(s64)e->size : (s64)e->size;
	u64 n = MIN(count, IO_STRING_MAX_PER_EXIT);
	for (u64 i = 0; i < n; i++) {
		u64 lin = io_string_linear(base, io_string_offset(e, r->rsi, r->rdi), mode64);
		if (mode64 && (!canonical(lin) || !canonical(lin + e->size - 1))) {
			/* SDM: a non-canonical memory operand is #SS(0) through SS, #GP(0) otherwise. */
			vmx_inject_exception(e->seg == IO_SEG_SS ? VECTOR_SS : 13, true, 0);
			return EXIT_CONTINUE;
		}
		struct guest_span s;
		enum span_result sr = guest_span(vp, lin, e->size, e->in, &s);
		if (sr != SPAN_OK)
			return EXIT_CONTINUE;
		u32 val = 0;
		if (e->in) {
			/* The memory is known to be writable before the port is read: a read may consume data. */
			if (!port_io(vp, e->port, true, e->size, &val))
				val = size_mask(e->size);
			span_copy(&s, (u8 *)&val, true);
			r->rdi = io_reg_add(r->rdi, e->addr_size, step);
		} else {
			span_copy(&s, (u8 *)&val, false);
			port_io(vp, e->port, false, e->size, &val);
			r->rsi = io_reg_add(r->rsi, e->addr_size, step);
		}
		if (e->rep)
			r->rcx = io_reg_add(r->rcx, e->addr_size, -1);
	}
	if (n == count)
		vmx_advance_rip();
	return EXIT_CONTINUE;
}

enum exit_action vmx_handle_io(struct vp *vp)
{
	u64 q = vmread(VMCS_EXIT_QUALIFICATION);
	bool string = q & BIT(4);
	if (string && !(vmx_caps.basic & VMX_BASIC_INS_OUTS_INFO)) {
		partition_stop(vp->part, vp, "string I/O (INS/OUTS) on port %#lx: this CPU does not describe it in the "
			       "VM-exit instruction information (IA32_VMX_BASIC[54] clear); RIP %#lx", (q >> 16) & 0xffff,
			       vmread(VMCS_GUEST_RIP));
		return EXIT_CONTINUE;
	}
	struct io_exit e;
	if (!io_exit_decode(q, string ? (u32)vmread(VMCS_VM_EXIT_INSTRUCTION_INFO) : 0, &e)) {
		partition_stop(vp->part, vp, "I/O exit with an undefined encoding: qualification %#lx, instruction "
			       "information %#lx, RIP %#lx", q, vmread(VMCS_VM_EXIT_INSTRUCTION_INFO),
			       vmread(VMCS_GUEST_RIP));
		return EXIT_CONTINUE;
	}
	if (e.string)
		return string_io(vp, &e);
	u32 mask = size_mask(e.size);
	u32 val = e.in ? mask : (u32)(vp->regs.rax & mask);
	if (!port_io(vp, e.port, e.in, e.size, &val) && e.in)
		val = mask;
	if (e.in) {
		/* 32-bit IN zero-extends into RAX; 8/16-bit IN keeps the upper bits. */
		if (e.size == 4)
			vp->regs.rax = val;
		else
			vp->regs.rax = (vp->regs.rax & ~(u64)mask) | (val & mask);
	}
	vmx_advance_rip();
	return EXIT_CONTINUE;
}
