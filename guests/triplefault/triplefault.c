/* triplefault: #BP with an empty IDT escalates to #GP, #DF and a triple fault, which minihv must turn
 * into stopping this partition (and only this one). */
#include "guest.h"

int guest_main(const struct minihv_boot_info *bi)
{
	if (bi->vp_index != 0)
		return 0;
	puts("triplefault: loading a null IDT and raising #BP");
	struct desc_ptr null_idt = { 0, 0 };
	lidt(&null_idt);
	__asm__ volatile("int3");
	guest_fail("triplefault: survived #BP with a null IDT");
}
