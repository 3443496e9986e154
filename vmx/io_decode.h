/* Decoding of I/O-instruction VM exits and the register arithmetic of INS/OUTS (pure: host unit tests
 * link vmx/io_decode.c). Intel SDM vol. 3: exit qualification for I/O instructions (27.2.1, table
 * "Exit Qualification for I/O Instructions") and the VM-exit instruction-information field for INS
 * and OUTS (27.2.5); string instructions in vol. 2 (INS, OUTS, REP). */
#ifndef MINIHV_IO_DECODE_H
#define MINIHV_IO_DECODE_H

#include "types.h"

/* Segment register numbers of the instruction-information field. */
enum io_seg { IO_SEG_ES, IO_SEG_CS, IO_SEG_SS, IO_SEG_DS, IO_SEG_FS, IO_SEG_GS };

struct io_exit {
	u16 port;
	u8 size;        /* bytes per access: 1, 2 or 4 */
	bool in;        /* IN/INS (device to guest) */
	bool string;    /* INS/OUTS */
	bool rep;       /* REP prefix */
	/* string instructions only */
	u8 addr_size;   /* 2, 4 or 8: which part of RSI/RDI/RCX the instruction uses */
	u8 seg;         /* enum io_seg of the memory operand: ES for INS, DS or the override for OUTS */
};

/* False when a field holds an encoding the SDM does not define (size 3, address size 3, segment > 5). */
bool io_exit_decode(u64 qualification, u32 instruction_info, struct io_exit *e);

/* Iterations still to do: the count register under the address size with REP, else 1. */
u64 io_string_count(const struct io_exit *e, u64 rcx);
/* The memory operand's offset: RDI for INS, RSI for OUTS, under the address size. */
u64 io_string_offset(const struct io_exit *e, u64 rsi, u64 rdi);
/* Its linear address: in 64-bit mode base + offset (ES/CS/SS/DS bases count as 0 there, the caller
 * passes 0), elsewhere truncated to 32 bits. */
u64 io_string_linear(u64 seg_base, u64 offset, bool mode64);
/* reg advanced by delta under the address size: a 16-bit address changes only bits 15:0, a 32-bit one
 * writes bits 31:0 and clears 63:32 (as any 32-bit register write in 64-bit mode), a 64-bit one all. */
u64 io_reg_add(u64 reg, u8 addr_size, s64 delta);

#endif
