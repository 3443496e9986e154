/* ELF64 guest images: validation and loading into partition RAM. Pure logic: host tests link this file.
 * The image comes from a boot module, so every field is untrusted: all offsets and sizes are checked for
 * overflow before use, and headers are copied out (memcpy) since the image need not be aligned. */
#include "elf_load.h"
#include "lib.h"

/* Our own ELF64 definitions (System V gABI, x86-64 psABI): the freestanding build has no <elf.h>. */
struct elf64_ehdr {
	u8 e_ident[16];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

struct elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
};

STATIC_ASSERT(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
STATIC_ASSERT(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3

/* Bounds the pairwise overlap check; real images have 2-4. */
#define ELF_MAX_LOAD 32

static bool fail(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t size, const char *fmt, ...)
{
	if (err && size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, size, fmt, ap);
		va_end(ap);
	}
	return false;
}

static void read_phdr(const void *image, const struct elf64_ehdr *eh, u32 i, struct elf64_phdr *ph)
{
	memcpy(ph, (const u8 *)image + eh->e_phoff + (u64)i * eh->e_phentsize, sizeof(*ph));
}

bool elf_check(const void *image, size_t size, u64 window_lo, u64 window_hi, struct elf_image_info *info,
	       char *err, size_t err_size)
{
	struct elf64_ehdr eh;
	struct {
		u64 lo, hi;
	} seg[ELF_MAX_LOAD];
	u32 nseg = 0;

	if (err && err_size)
		err[0] = 0;
	if (window_lo >= window_hi)
		return fail(err, err_size, "empty load window [0x%lx, 0x%lx)", window_lo, window_hi);
	if (!image || size < sizeof(eh))
		return fail(err, err_size, "truncated ELF header (%lu bytes, need %lu)", (u64)size, (u64)sizeof(eh));
	memcpy(&eh, image, sizeof(eh));
	if (memcmp(eh.e_ident, "\177ELF", 4))
		return fail(err, err_size, "not an ELF file (bad magic)");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return fail(err, err_size, "not a 64-bit ELF (class %u)", eh.e_ident[EI_CLASS]);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, err_size, "not a little-endian ELF (data encoding %u)", eh.e_ident[EI_DATA]);
	if (eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_version != EV_CURRENT)
		return fail(err, err_size, "unknown ELF version %u", eh.e_version);
	if (eh.e_machine != EM_X86_64)
		return fail(err, err_size, "not an x86-64 ELF (e_machine %u)", eh.e_machine);
	if (eh.e_type != ET_EXEC)
		return fail(err, err_size, "not an executable ELF (e_type %u; link with -static -no-pie)", eh.e_type);
	if (eh.e_phentsize != sizeof(struct elf64_phdr))
		return fail(err, err_size, "bad program header size %u (expected %lu)", eh.e_phentsize,
			    (u64)sizeof(struct elf64_phdr));
	if (eh.e_phnum == 0)
		return fail(err, err_size, "no program headers");
	/* e_phnum * 56 cannot overflow; e_phoff + that can */
	u64 ph_size = (u64)eh.e_phnum * eh.e_phentsize;
	if (eh.e_phoff > size || ph_size > size - eh.e_phoff)
		return fail(err, err_size, "program header table (offset 0x%lx, %u entries) outside the file (%lu bytes)",
			    eh.e_phoff, eh.e_phnum, (u64)size);

	for (u32 i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		read_phdr(image, &eh, i, &ph);
		if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
			return fail(err, err_size, "segment %u: dynamically linked image (link with -static)", i);
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return fail(err, err_size, "segment %u: file size 0x%lx is larger than memory size 0x%lx", i,
				    ph.p_filesz, ph.p_memsz);
		if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
			return fail(err, err_size, "segment %u: file data [0x%lx, +0x%lx) outside the file (%lu bytes)", i,
				    ph.p_offset, ph.p_filesz, (u64)size);
		if (ph.p_memsz == 0)
			continue; /* occupies nothing */
		if (ph.p_paddr < window_lo || ph.p_paddr >= window_hi || ph.p_memsz > window_hi - ph.p_paddr)
			return fail(err, err_size,
				    "segment %u: [0x%lx, +0x%lx) outside the partition's image window [0x%lx, 0x%lx)", i,
				    ph.p_paddr, ph.p_memsz, window_lo, window_hi);
		u64 lo = ph.p_paddr, hi = ph.p_paddr + ph.p_memsz; /* no overflow: hi <= window_hi */
		for (u32 j = 0; j < nseg; j++)
			if (lo < seg[j].hi && seg[j].lo < hi)
				return fail(err, err_size, "segment %u: [0x%lx, 0x%lx) overlaps another at [0x%lx, 0x%lx)",
					    i, lo, hi, seg[j].lo, seg[j].hi);
		if (nseg == ELF_MAX_LOAD)
			return fail(err, err_size, "more than %d PT_LOAD segments", ELF_MAX_LOAD);
		seg[nseg].lo = lo;
		seg[nseg].hi = hi;
		nseg++;
	}
	if (!nseg)
		return fail(err, err_size, "no PT_LOAD segment");

	struct elf_image_info out = { eh.e_entry, UINT64_MAX, 0 };
	bool entry_ok = false;
	for (u32 j = 0; j < nseg; j++) {
		out.lowest = MIN(out.lowest, seg[j].lo);
		out.highest = MAX(out.highest, seg[j].hi);
		entry_ok |= eh.e_entry >= seg[j].lo && eh.e_entry < seg[j].hi;
	}
	if (!entry_ok)
		return fail(err, err_size, "entry point 0x%lx is outside every loaded segment", eh.e_entry);
	if (info)
		*info = out;
	return true;
}

bool elf_load(const void *image, size_t size, void *ram, u64 ram_size, u64 window_lo, u64 window_hi,
	      struct elf_image_info *info, char *err, size_t err_size)
{
	struct elf_image_info tmp;
	if (window_hi > ram_size)
		return fail(err, err_size, "load window [0x%lx, 0x%lx) is larger than the partition's RAM (0x%lx)",
			    window_lo, window_hi, ram_size);
	if (!elf_check(image, size, window_lo, window_hi, &tmp, err, err_size))
		return false;
	struct elf64_ehdr eh;
	memcpy(&eh, image, sizeof(eh));
	for (u32 i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		read_phdr(image, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		u8 *dst = (u8 *)ram + ph.p_paddr;
		memcpy(dst, (const u8 *)image + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
	}
	if (info)
		*info = tmp;
	return true;
}
