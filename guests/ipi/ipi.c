/* ipi: VP 1 halts with interrupts on until MINIHV_CALL_SEND_IPI from VP 0 delivers vector 0x40. */
#include "guest.h"

#define IPI_VECTOR 0x40

static volatile u32 vp1_ready;
static volatile u64 woken_by; /* vector + 1, 0 until the handler ran */

static void on_ipi(struct irq_frame *f)
{
	atomic_store_u64(&woken_by, f->vector + 1);
}

static int halter(void)
{
	idt_init();
	idt_set_handler(IPI_VECTOR, on_ipi);
	atomic_store_u32(&vp1_ready, 1);
	/* Check and halt with interrupts off until the HLT itself: STI's shadow covers HLT, so an IPI
	 * arriving between the check and the halt still wakes us. */
	cli();
	while (!atomic_load_u64(&woken_by)) {
		sti_hlt();
		cli();
	}
	printf("ipi: woken by vector 0x%lx\n", woken_by - 1);
	return 0;
}

int guest_main(const struct minihv_boot_info *bi)
{
	guest_check(bi->vp_count >= 2, "ipi: needs 2 VPs, partition has %u", bi->vp_count);
	if (bi->vp_index == 1)
		return halter();
	if (bi->vp_index != 0)
		return 0;
	while (!atomic_load_u32(&vp1_ready))
		cpu_relax();
	delay_us(10000); /* give VP 1 time to reach HLT, so the IPI has to wake it */
	printf("ipi: sending vector 0x%x to vp 1\n", IPI_VECTOR);
	u16 status = send_ipi(1, IPI_VECTOR);
	guest_check(status == HV_STATUS_SUCCESS, "ipi: send_ipi returned status 0x%x", status);
	return 0;
}
