/* 8259A pair state machine (vdev/i8259.h). Priorities follow the datasheet's rotating scheme: "lowest"
 * names the IR with the lowest priority, so IR (lowest + 1) mod 8 is served first; after
 * initialisation IR0 is highest and IR7 lowest. */
#include "i8259.h"

#define IR_NONE 8

static bool level_triggered(const struct i8259 *c, u32 ir)
{
	return (c->icw1 & ICW1_LTIM) || (c->elcr & (1u << ir));
}

/* The first IR set in mask, in priority order; IR_NONE when mask is empty. */
static u32 highest(const struct i8259 *c, u8 mask)
{
	for (u32 i = 1; i <= 8; i++) {
		u32 ir = (c->lowest + i) & 7;
		if (mask & (1u << ir))
			return ir;
	}
	return IR_NONE;
}

/* 0 = highest priority. */
static u32 rank(const struct i8259 *c, u32 ir)
{
	return (ir - c->lowest - 1) & 7;
}

/* The IR this chip would raise INT for: the highest unmasked request that outranks everything in
 * service. In special mask mode a masked IR in service does not hold back the others; in special
 * fully nested mode the master lets its cascade IR interrupt itself (the slave sorts out priority). */
static u32 chip_pending(const struct i8259 *c)
{
	if (c->init_step)
		return IR_NONE;
	u32 ir = highest(c, c->irr & ~c->imr);
	if (ir == IR_NONE)
		return IR_NONE;
	u8 blocking = c->isr;
	if (c->special_mask)
		blocking &= (u8)~c->imr;
	if (!c->is_slave && (c->icw4 & ICW4_SFNM) && ir == I8259_CASCADE_IRQ)
		blocking &= (u8)~(1u << I8259_CASCADE_IRQ);
	u32 in = highest(c, blocking);
	if (in != IR_NONE && rank(c, in) <= rank(c, ir))
		return IR_NONE;
	return ir;
}

static void chip_set_pin(struct i8259 *c, u32 ir, bool level)
{
	u8 bit = (u8)(1u << ir);
	if (level) {
		if (level_triggered(c, ir) || !(c->pins & bit))
			c->irr |= bit;
		c->pins |= bit;
	} else {
		c->pins &= (u8)~bit;
		if (level_triggered(c, ir))
			c->irr &= (u8)~bit;
	}
}

/* The INTA (or poll) of one chip for ir: the request goes in service (not with AEOI); an edge request
 * is consumed, a level request stays for as long as its line is high. */
static void chip_accept(struct i8259 *c, u32 ir)
{
	u8 bit = (u8)(1u << ir);
	if (!level_triggered(c, ir))
		c->irr &= (u8)~bit;
	if (c->icw4 & ICW4_AEOI) {
		if (c->rotate_aeoi)
			c->lowest = (u8)ir;
	} else {
		c->isr |= bit;
	}
}

static bool cascaded(const struct i8259_pair *pic)
{
	return !(pic->master.icw1 & ICW1_SNGL);
}

/* The slave's INT is a level on the master's IR2 (kept level-sensitive whatever ELCR says, so a slave
 * that stays requesting after one INTA is not lost), then the master's INT is recomputed. */
static void update(struct i8259_pair *pic)
{
	bool slave_int = cascaded(pic) && chip_pending(&pic->slave) != IR_NONE;
	u8 bit = 1u << I8259_CASCADE_IRQ;
	if (slave_int) {
		pic->master.irr |= bit;
		pic->master.pins |= bit;
	} else {
		pic->master.irr &= (u8)~bit;
		pic->master.pins &= (u8)~bit;
	}
	pic->int_line = chip_pending(&pic->master) != IR_NONE;
}

static void chip_reset(struct i8259 *c, u8 vector_base, bool is_slave)
{
	*c = (struct i8259){ 0 };
	c->is_slave = is_slave;
	/* As a PC BIOS leaves the pair: initialised, cascaded, 8086 mode, every line masked. */
	c->icw1 = ICW1_INIT | ICW1_IC4;
	c->vector_base = vector_base;
	c->icw3 = is_slave ? I8259_CASCADE_IRQ : (1u << I8259_CASCADE_IRQ);
	c->icw4 = ICW4_UPM;
	c->imr = 0xff;
	c->lowest = 7;
}

void i8259_reset(struct i8259_pair *pic)
{
	chip_reset(&pic->master, 0x08, false);
	chip_reset(&pic->slave, 0x70, true);
	pic->int_line = false;
}

void i8259_set_irq(struct i8259_pair *pic, u32 irq, bool level)
{
	if (irq > 15 || irq == I8259_CASCADE_IRQ)
		return; /* IR2 of the master is the cascade, not a device line */
	if (irq < 8)
		chip_set_pin(&pic->master, irq, level);
	else
		chip_set_pin(&pic->slave, irq - 8, level);
	update(pic);
}

bool i8259_int_output(const struct i8259_pair *pic)
{
	return pic->int_line;
}

u8 i8259_acknowledge(struct i8259_pair *pic)
{
	u8 vector;
	u32 ir = chip_pending(&pic->master);
	if (ir == IR_NONE) {
		vector = pic->master.vector_base + 7; /* spurious IRQ 7: nothing goes in service */
	} else {
		chip_accept(&pic->master, ir);
		if (ir == I8259_CASCADE_IRQ && cascaded(pic)) {
			u32 sir = chip_pending(&pic->slave);
			if (sir == IR_NONE) {
				vector = pic->slave.vector_base + 7; /* spurious IRQ 15 */
			} else {
				chip_accept(&pic->slave, sir);
				vector = pic->slave.vector_base + (u8)sir;
			}
		} else {
			vector = pic->master.vector_base + (u8)ir;
		}
	}
	update(pic);
	return vector;
}

static void write_icw1(struct i8259 *c, u8 v)
{
	/* Datasheet: ICW1 clears the IMR and the edge latches, gives IR7 the lowest priority, selects IRR
	 * for reads, leaves special mask mode and, without IC4, zeroes the ICW4 functions. Lines that are
	 * high stay high: an edge input needs a new rising edge, a level input is requesting again. */
	c->icw1 = v;
	c->imr = 0;
	c->isr = 0;
	c->irr = 0;
	for (u32 ir = 0; ir < 8; ir++)
		if ((c->pins & (1u << ir)) && level_triggered(c, ir))
			c->irr |= (u8)(1u << ir);
	c->lowest = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->rotate_aeoi = false;
	if (!(v & ICW1_IC4))
		c->icw4 = 0;
	c->init_step = 2;
}

static void write_ocw2(struct i8259 *c, u8 v)
{
	u32 level = v & 7;
	u32 ir;
	switch (v & (OCW2_R | OCW2_SL | OCW2_EOI)) {
	case OCW2_EOI: /* non-specific EOI: the highest IR in service */
	case OCW2_R | OCW2_EOI: /* ... and it becomes the lowest priority */
		ir = highest(c, c->isr);
		if (ir == IR_NONE)
			break;
		c->isr &= (u8)~(1u << ir);
		if (v & OCW2_R)
			c->lowest = (u8)ir;
		break;
	case OCW2_SL | OCW2_EOI: /* specific EOI */
	case OCW2_R | OCW2_SL | OCW2_EOI: /* ... with rotation */
		c->isr &= (u8)~(1u << level);
		if (v & OCW2_R)
			c->lowest = (u8)level;
		break;
	case OCW2_R | OCW2_SL: /* set priority: level becomes the lowest */
		c->lowest = (u8)level;
		break;
	case OCW2_R:
		c->rotate_aeoi = true;
		break;
	case 0:
		c->rotate_aeoi = false;
		break;
	default: /* SL alone: no operation */
		break;
	}
}

static void write_ocw3(struct i8259 *c, u8 v)
{
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
	if (v & OCW3_ESMM)
		c->special_mask = v & OCW3_SMM;
	c->poll = v & OCW3_POLL;
}

static void write_data(struct i8259 *c, u8 v)
{
	switch (c->init_step) {
	case 2:
		c->vector_base = v & 0xf8; /* 8086 mode: T7-T3, the IR number fills the low bits */
		if (!(c->icw1 & ICW1_SNGL))
			c->init_step = 3;
		else
			c->init_step = (c->icw1 & ICW1_IC4) ? 4 : 0;
		break;
	case 3:
		c->icw3 = v;
		c->init_step = (c->icw1 & ICW1_IC4) ? 4 : 0;
		break;
	case 4:
		c->icw4 = v;
		c->init_step = 0;
		break;
	default:
		c->imr = v; /* OCW1 */
		break;
	}
}

/* A line that becomes level-triggered requests for as long as it is high. */
static void write_elcr(struct i8259 *c, u8 v)
{
	c->elcr = v;
	c->irr = (u8)((c->irr & ~v) | (c->pins & v));
}

/* A poll command's read: the INTA of this chip alone, as a status byte (I = bit 7, W2-W0 = the IR). */
static u8 poll_read(struct i8259 *c)
{
	c->poll = false;
	u32 ir = chip_pending(c);
	if (ir == IR_NONE)
		return 0;
	chip_accept(c, ir);
	return (u8)(0x80 | ir);
}

bool i8259_port_read(struct i8259_pair *pic, u16 port, u8 *value)
{
	struct i8259 *c;
	switch (port) {
	case I8259_MASTER_CMD: case I8259_MASTER_DATA: c = &pic->master; break;
	case I8259_SLAVE_CMD: case I8259_SLAVE_DATA: c = &pic->slave; break;
	case I8259_ELCR_MASTER: *value = pic->master.elcr; return true;
	case I8259_ELCR_SLAVE: *value = pic->slave.elcr; return true;
	default: return false;
	}
	if (port & 1)
		*value = c->imr;
	else if (c->poll)
		*value = poll_read(c);
	else
		*value = c->read_isr ? c->isr : c->irr;
	update(pic);
	return true;
}

bool i8259_port_write(struct i8259_pair *pic, u16 port, u8 value)
{
	struct i8259 *c;
	switch (port) {
	case I8259_MASTER_CMD: case I8259_MASTER_DATA: c = &pic->master; break;
	case I8259_SLAVE_CMD: case I8259_SLAVE_DATA: c = &pic->slave; break;
	/* PC ELCR: IRQ 0, 1, 2, 8 and 13 are always edge-triggered. */
	case I8259_ELCR_MASTER: write_elcr(&pic->master, value & 0xf8); update(pic); return true;
	case I8259_ELCR_SLAVE: write_elcr(&pic->slave, value & 0xde); update(pic); return true;
	default: return false;
	}
	if (port & 1)
		write_data(c, value);
	else if (value & ICW1_INIT)
		write_icw1(c, value);
	else if (value & OCW3_SELECT)
		write_ocw3(c, value);
	else
		write_ocw2(c, value);
	update(pic);
	return true;
}
