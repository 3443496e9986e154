/* The PC's pair of 8259A programmable interrupt controllers as a pure state machine (no locks, no
 * hardware): the I/O ports 0x20/0x21 (master), 0xA0/0xA1 (slave) and the ELCR at 0x4D0/0x4D1, the
 * request lines IRQ 0-15 and the INTA cycle. vdev/vpic.c puts one pair in each PC partition. Written
 * to the Intel 8259A datasheet; what a guest sees is listed in docs/platform.md. */
#ifndef MINIHV_I8259_H
#define MINIHV_I8259_H

#include "types.h"

#define I8259_MASTER_CMD 0x20
#define I8259_MASTER_DATA 0x21
#define I8259_SLAVE_CMD 0xa0
#define I8259_SLAVE_DATA 0xa1
#define I8259_ELCR_MASTER 0x4d0
#define I8259_ELCR_SLAVE 0x4d1
#define I8259_CASCADE_IRQ 2 /* the slave's INT drives the master's IR2 */

/* ICW1 (A0 = 0, D4 = 1) */
#define ICW1_IC4 0x01   /* ICW4 follows */
#define ICW1_SNGL 0x02  /* single controller: no ICW3 */
#define ICW1_LTIM 0x08  /* level-triggered inputs */
#define ICW1_INIT 0x10
/* ICW4 */
#define ICW4_UPM 0x01   /* 8086/88 mode (8080 mode is not offered) */
#define ICW4_AEOI 0x02  /* automatic EOI at the end of INTA */
#define ICW4_SFNM 0x10  /* special fully nested mode */
/* OCW2 (A0 = 0, D4:D3 = 00): R, SL, EOI in D7:D5, the level in D2:D0 */
#define OCW2_EOI 0x20
#define OCW2_SL 0x40
#define OCW2_R 0x80
/* OCW3 (A0 = 0, D4:D3 = 01) */
#define OCW3_SELECT 0x08
#define OCW3_RIS 0x01   /* read ISR instead of IRR (with RR) */
#define OCW3_RR 0x02
#define OCW3_POLL 0x04
#define OCW3_SMM 0x20   /* special mask mode (with ESMM) */
#define OCW3_ESMM 0x40

/* One 8259A. */
struct i8259 {
	u8 irr, isr, imr;
	u8 pins;          /* levels on IR0-7 now; an edge is a 0 → 1 change here */
	u8 elcr;          /* 1: level-triggered input (PC ELCR) */
	u8 vector_base;   /* ICW2 T7-T3 */
	u8 icw1, icw3, icw4;
	u8 init_step;     /* 0: initialised; 2, 3, 4: the ICW expected next */
	u8 lowest;        /* the IR with the lowest priority (7 after ICW1; rotation moves it) */
	bool read_isr;    /* OCW3 RR/RIS: what the command port reads */
	bool poll;        /* OCW3 P: the next command-port read is a poll */
	bool special_mask;
	bool rotate_aeoi; /* OCW2 "rotate in automatic EOI mode" */
	bool is_slave;
};

struct i8259_pair {
	struct i8259 master, slave;
	bool int_line;    /* the master's INT output as last computed */
};

/* Power-on state: both chips uninitialised (everything masked, as a guest must initialise them). */
void i8259_reset(struct i8259_pair *pic);
/* Drives IRQ irq (0-15) to level. An edge-triggered input latches a request on a rising edge. */
void i8259_set_irq(struct i8259_pair *pic, u32 irq, bool level);
/* The master's INT output: a request is waiting for an INTA cycle. */
bool i8259_int_output(const struct i8259_pair *pic);
/* The INTA cycle: moves the highest-priority request into service and returns its vector (through
 * the slave for IR2). With no request left, the spurious vector of IR7 (master) or IR15 (slave). */
u8 i8259_acknowledge(struct i8259_pair *pic);
/* Port accesses (8-bit). Return false for a port the pair does not decode. */
bool i8259_port_read(struct i8259_pair *pic, u16 port, u8 *value);
bool i8259_port_write(struct i8259_pair *pic, u16 port, u8 value);

#endif
