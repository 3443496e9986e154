/* Defined answers for the PC's legacy ports that Linux probes (PC partitions): the 8254 PIT and port
 * 0x61, CMOS/RTC, the keyboard controller, port 0x80. docs/platform.md lists every answer. */
#ifndef MINIHV_LEGACY_IO_H
#define MINIHV_LEGACY_IO_H

#include "spinlock.h"
#include "types.h"

struct partition;

struct pit_channel {
	u16 reload;          /* the count written; 0 means 65536 */
	u64 start;           /* PIT tick at which the count was loaded */
	u8 mode;             /* control word M2-M0 */
	u8 access;           /* control word RW1-RW0: 1 LSB, 2 MSB, 3 LSB then MSB */
	bool loaded;         /* a full count has been written since the control word */
	bool write_msb;      /* the next write is the MSB (access 3) */
	bool read_msb;       /* the next read is the MSB (access 3) */
	u8 lsb;              /* the LSB written, waiting for its MSB */
	bool latched;        /* counter-latch command */
	u16 latch;
	bool status_latched; /* read-back command with status */
	u8 status;
};

struct legacy_io {
	spinlock_t lock;
	struct pit_channel pit[3];
	u8 port61;           /* the writable bits of port 0x61 */
	u8 cmos_index;
	u8 cmos[128];        /* battery-backed RAM; the clock registers are computed on read */
};

void legacy_io_init(struct partition *p);
/* False when the partition is not a PC or the port is not one of these. */
bool legacy_io(struct partition *p, u16 port, bool in, u32 size, u32 *value);

#endif
