/* realmode: the TLFS makes hypercalls illegal outside protected mode: a VMCALL in real mode must raise
 * #UD in the guest (docs/tlfs-cases.md §8 case 9). One VP leaves long mode for real mode through the blob in
 * blob.asm (unrestricted guest lets it), executes VMCALL with a valid input value, and counts the #UD
 * its real-mode IVT handler saw. */
#include "guest.h"

#define REALMODE_BASE 0x8000

extern const u8 realmode_blob[], realmode_blob_end[];
extern const u64 realmode_entry_offset;

int guest_main(const struct minihv_boot_info *bi)
{
	if (bi->vp_index != 0)
		return 0;
	u64 size = (u64)(realmode_blob_end - realmode_blob);
	guest_check(size < 0x8000, "realmode: blob too large (%lu bytes)", size);
	memcpy((void *)(uintptr_t)REALMODE_BASE, realmode_blob, size);
	u32 (*enter)(void) = (u32(*)(void))(uintptr_t)(REALMODE_BASE + realmode_entry_offset);
	u32 ud = enter();
	idt_init(); /* the runtime's GDT and IDT again */
	guest_check(ud == 1, "realmode: VMCALL in real mode raised %u #UD (expected 1)", ud);
	guest_pass("A9 VMCALL in real mode raises #UD, and the VP returns to long mode");
	return 0;
}
