/* I/O exit decoding (vmx/io_decode.h). */
#include "io_decode.h"

bool io_exit_decode(u64 q, u32 info, struct io_exit *e)
{
	u32 size_code = q & 7; /* 0: 1 byte, 1: 2 bytes, 3: 4 bytes */
	if (size_code == 2 || size_code > 3)
		return false;
	*e = (struct io_exit){
		.port = (u16)(q >> 16),
		.size = (u8)(size_code + 1),
		.in = q & (1u << 3),
		.string = q & (1u << 4),
		.rep = q & (1u << 5),
	};
	if (!e->string)
		return true;
	u32 asz = (info >> 7) & 7; /* 0: 16-bit, 1: 32-bit, 2: 64-bit */
	u32 seg = (info >> 15) & 7;
	if (asz > 2 || (!e->in && seg > IO_SEG_GS))
		return false;
	e->addr_size = (u8)(2u << asz);
	e->seg = e->in ? IO_SEG_ES : (u8)seg; /* INS always writes ES:rDI; the field is undefined for it */
	return true;
}

static u64 addr_mask(u8 addr_size)
{
	return addr_size == 8 ? ~0ull : (1ull << (addr_size * 8)) - 1;
}

u64 io_string_count(const struct io_exit *e, u64 rcx)
{
	return e->rep ? rcx & addr_mask(e->addr_size) : 1;
}

u64 io_string_offset(const struct io_exit *e, u64 rsi, u64 rdi)
{
	return (e->in ? rdi : rsi) & addr_mask(e->addr_size);
}

u64 io_string_linear(u64 seg_base, u64 offset, bool mode64)
{
	return mode64 ? seg_base + offset : (u32)(seg_base + offset);
}

u64 io_reg_add(u64 reg, u8 addr_size, s64 delta)
{
	u64 sum = reg + (u64)delta;
	switch (addr_size) {
	case 2: return (reg & ~0xffffull) | (sum & 0xffff);
	case 4: return (u32)sum;
	default: return sum;
	}
}
