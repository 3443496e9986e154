/* The partition side of the 8259 pair: a lock around the state machine (vdev/i8259.c), the port
 * dispatch, and the INT line into VP 0. */
#include "hv.h"
#include "vlapic.h"
#include "vpic.h"

static bool extint_pending(void *ctx)
{
	return vpic_int_output(ctx);
}

static u8 extint_ack(void *ctx)
{
	return vpic_acknowledge(ctx);
}

/* The 8259's side of the virtual wire (docs/vlapic.md, "ExtINT hook"). */
static const struct vlapic_extint_ops vpic_extint_ops = { .pending = extint_pending, .ack = extint_ack };

void vpic_init(struct partition *p)
{
	p->pic.lock = (spinlock_t)SPINLOCK_INIT;
	i8259_reset(&p->pic.chips);
	if (p->cfg->platform == PLATFORM_PC)
		vlapic_set_extint_source(p, &vpic_extint_ops, p);
}

/* Wakes or kicks VP 0 when INT went from low to high. */
static void after_change(struct partition *p, bool before, bool after)
{
	if (!before && after)
		vpic_output_changed(p);
}

bool vpic_io(struct partition *p, u16 port, bool in, u32 size, u32 *value)
{
	if (p->cfg->platform != PLATFORM_PC)
		return false;
	struct vpic *pic = &p->pic;
	u8 v = (u8)*value;
	spin_lock(&pic->lock);
	bool before = i8259_int_output(&pic->chips);
	bool ours = in ? i8259_port_read(&pic->chips, port, &v) : i8259_port_write(&pic->chips, port, v);
	bool after = i8259_int_output(&pic->chips);
	spin_unlock(&pic->lock);
	if (ours && in)
		*value = size == 1 ? v : (0xffffff00u | v); /* the byte lane of an 8-bit device */
	after_change(p, before, after);
	return ours;
}

void vpic_set_irq(struct partition *p, u32 irq, bool level)
{
	if (p->cfg->platform != PLATFORM_PC)
		return;
	struct vpic *pic = &p->pic;
	spin_lock(&pic->lock);
	bool before = i8259_int_output(&pic->chips);
	i8259_set_irq(&pic->chips, irq, level);
	bool after = i8259_int_output(&pic->chips);
	spin_unlock(&pic->lock);
	after_change(p, before, after);
}

bool vpic_int_output(struct partition *p)
{
	return p->cfg->platform == PLATFORM_PC && __atomic_load_n(&p->pic.chips.int_line, __ATOMIC_ACQUIRE);
}

u8 vpic_acknowledge(struct partition *p)
{
	spin_lock(&p->pic.lock);
	u8 vector = i8259_acknowledge(&p->pic.chips);
	spin_unlock(&p->pic.lock);
	return vector;
}

void vpic_output_changed(struct partition *p)
{
	vlapic_extint_changed(p); /* wakes or kicks the VPs whose LINT0 takes ExtINT (VP 0) */
}
