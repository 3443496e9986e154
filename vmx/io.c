/* Port I/O exits (every port is intercepted): COM1 goes to the partition's emulated UART; any other
 * port behaves like an empty bus (reads all ones, writes dropped). */
#include "exits.h"
#include "hv.h"
#include "lib.h"
#include "linux_boot.h"
#include "log.h"
#include "x86.h"

enum exit_action vmx_handle_io(struct vp *vp)
{
	u64 q = vmread(VMCS_EXIT_QUALIFICATION);
	u32 size = (q & 7) + 1;
	bool in = q & BIT(3), string = q & BIT(4);
	u16 port = (u16)(q >> 16);
	if (string) {
		partition_stop(vp->part, vp, "string I/O (INS/OUTS) on port %#x is not emulated (RIP %#lx)", port,
			       vmread(VMCS_GUEST_RIP));
		return EXIT_CONTINUE;
	}
	u64 mask = size == 4 ? 0xffffffffull : (1ull << (size * 8)) - 1;
	u32 val = in ? (u32)mask : (u32)(vp->regs.rax & mask);
	if (!vuart_io(vp->part, port, in, &val) && !linux_pm_io(vp, port, in, &val) && in)
		val = (u32)mask;
	if (in) {
		/* 32-bit IN zero-extends into RAX; 8/16-bit IN keeps the upper bits. */
		if (size == 4)
			vp->regs.rax = val;
		else
			vp->regs.rax = (vp->regs.rax & ~mask) | (val & mask);
	}
	vmx_advance_rip();
	return EXIT_CONTINUE;
}
