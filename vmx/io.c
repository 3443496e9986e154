/* Port I/O exits (every port is intercepted): COM1 goes to the partition's emulated UART; a PC
 * partition also has the 8259 pair and the legacy ports of vdev/legacy_io.c; any other port behaves
 * like an empty bus (reads all ones, writes dropped). docs/platform.md lists the answers. */
#include "exits.h"
#include "hv.h"
#include "lib.h"
#include "log.h"
#include "x86.h"

/* One access to an emulated device; false when nothing decodes the port. */
static bool port_io(struct partition *p, u16 port, bool in, u32 size, u32 *val)
{
	return vuart_io(p, port, in, val) || vpic_io(p, port, in, size, val) || legacy_io(p, port, in, size, val);
}

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
	if (!port_io(vp->part, port, in, size, &val) && in)
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
