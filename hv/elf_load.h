/* Loading an ELF64 guest image into partition RAM. Pure logic (hv/elf_load.c): host tests link it. */
#ifndef MINIHV_ELF_LOAD_H
#define MINIHV_ELF_LOAD_H

#include "types.h"

struct elf_image_info {
	u64 entry;
	u64 lowest, highest; /* GPA range [lowest, highest) covered by PT_LOAD segments */
};

/* Validates image (size bytes) for a partition whose RAM is GPA [0, ram_size) and whose segments must
 * lie inside [window_lo, window_hi): ELF64 little-endian x86-64 executable, sane header and program
 * header table inside the file, PT_LOAD segments inside the window, filesz <= memsz, file data inside
 * the file, no two segments overlapping, entry point inside a loaded segment, no size overflow.
 * On failure writes a one-line reason into err and returns false. */
bool elf_check(const void *image, size_t size, u64 window_lo, u64 window_hi, struct elf_image_info *info,
	       char *err, size_t err_size);

/* elf_check, then copies every PT_LOAD segment to ram + p_paddr (ram is the host view of GPA 0) and
 * zeroes the rest of each segment up to memsz. */
bool elf_load(const void *image, size_t size, void *ram, u64 ram_size, u64 window_lo, u64 window_hi,
	      struct elf_image_info *info, char *err, size_t err_size);

#endif
