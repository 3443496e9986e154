/* Each PC partition's 8259 pair (vdev/i8259.c behind a lock) and its wire into VP 0. */
#ifndef MINIHV_VPIC_H
#define MINIHV_VPIC_H

#include "i8259.h"
#include "spinlock.h"

struct partition;
struct vp;

struct vpic {
	spinlock_t lock;
	struct i8259_pair chips;
};

void vpic_init(struct partition *p);
/* Ports 0x20/0x21, 0xA0/0xA1, 0x4D0/0x4D1 (8-bit; wider accesses touch only the addressed port).
 * False when the partition has no PIC or the port is not the PIC's. */
bool vpic_io(struct partition *p, u16 port, bool in, u32 size, u32 *value);
/* A device drives IRQ irq (0-15) of partition p. Safe from any CPU. */
void vpic_set_irq(struct partition *p, u32 irq, bool level);

/*
 * The virtual wire (ExtINT through LINT0, vdev/vlapic.h): vpic_init() registers these two as the
 * partition's ExtINT source; the local APIC decides which VP's LINT0 takes them (VP 0 in Linux):
 *   vpic_int_output()   the 8259's INT line: true when an INTA would return a real request
 *   vpic_acknowledge()  the INTA cycle, at the moment the VP accepts the interrupt: the vector
 * vpic_output_changed() is called (without the PIC lock) after INT rose; it has the local APIC wake
 * or kick the VPs that take ExtINT.
 */
bool vpic_int_output(struct partition *p);
u8 vpic_acknowledge(struct partition *p);
void vpic_output_changed(struct partition *p);

#endif
