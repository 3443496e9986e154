/* Linux bzImage: parsing, placement and the zero page (boot_params) for the 64-bit boot protocol
 * (docs/linux.md). Pure logic (hv/bzimage.c): host unit tests and fuzzers link it unchanged. */
#ifndef MINIHV_BZIMAGE_H
#define MINIHV_BZIMAGE_H

#include "types.h"

/* Offsets into the bzImage file and, for the setup header, into boot_params (the same bytes). */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_SECTS 0x1f1
#define BP_SYSSIZE 0x1f4
#define BP_JUMP 0x200          /* 2-byte jump; its second byte + 0x202 is the end of the setup header */
#define BP_HEADER 0x202        /* "HdrS" */
#define BP_VERSION 0x206
#define BP_TYPE_OF_LOADER 0x210
#define BP_LOADFLAGS 0x211
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_CMD_LINE_PTR 0x228
#define BP_INITRD_ADDR_MAX 0x22c
#define BP_KERNEL_ALIGNMENT 0x230
#define BP_RELOCATABLE_KERNEL 0x234
#define BP_XLOADFLAGS 0x236
#define BP_CMDLINE_SIZE 0x238
#define BP_PREF_ADDRESS 0x258
#define BP_INIT_SIZE 0x260
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
#define BP_SIZE 0x1000

#define BZ_HDRS_MAGIC 0x53726448u /* "HdrS" */
#define BZ_MIN_VERSION 0x020c     /* 2.12: xloadflags, the 64-bit entry */
#define XLF_KERNEL_64 BIT(0)
#define LOADFLAGS_LOADED_HIGH BIT(0)
#define BZ_LOADER_UNDEFINED 0xff
#define BZ_ENTRY_64 0x200         /* the 64-bit entry: load address + 0x200 */

enum e820_type { E820_RAM = 1, E820_RESERVED = 2, E820_ACPI = 3 };

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __attribute__((packed));

struct bzimage_info {
	u16 version;           /* boot protocol, e.g. 0x020f for 2.15 */
	u32 payload_offset;    /* file offset of the protected-mode kernel: (setup_sects + 1) * 512 */
	u32 payload_size;      /* its size: the rest of the file */
	u32 header_end;        /* end of the setup header in the file (0x202 + the jump's offset byte) */
	u32 init_size;         /* bytes the kernel needs from its load address while it decompresses */
	u32 kernel_alignment;
	u64 pref_address;
	u32 initrd_addr_max;
	u32 cmdline_size;      /* longest command line the kernel takes, without the NUL */
	u16 xloadflags;
	bool relocatable;
};

/* Checks a bzImage and reads its header. On refusal returns false with one line in err. */
bool bzimage_parse(const void *img, u64 size, struct bzimage_info *info, char *err, size_t errlen);

/* Where a Linux partition's pieces go in guest-physical memory. */
struct linux_layout {
	u64 kernel;            /* load address of the protected-mode kernel */
	u64 entry;             /* kernel + BZ_ENTRY_64 */
	u64 initrd, initrd_size;
	u64 boot_params, cmdline;
};

/* Fixed low-memory places of a Linux partition (below 1 MiB; the page tables and GDT come first). */
#define LINUX_GPA_BOOT_PARAMS 0x8000ull
#define LINUX_GPA_CMDLINE 0x9000ull
#define LINUX_GPA_LOW_RAM_END 0x9f000ull  /* RAM below 1 MiB ends here; the rest is reserved */
#define LINUX_GPA_ACPI 0xe0000ull         /* guest ACPI tables, inside the reserved hole */
#define LINUX_GPA_HIGH_RAM 0x100000ull
#define LINUX_SEL_CODE 0x10               /* __BOOT_CS */
#define LINUX_SEL_DATA 0x18               /* __BOOT_DS */
#define LINUX_SEL_TSS 0x20

/* Places kernel and initrd in ram_size bytes of RAM; false with a line in err when they do not fit or
 * the command line (cmdline_len bytes, without the NUL) is longer than the kernel takes. */
bool linux_plan(const struct bzimage_info *info, u64 ram_size, u64 initrd_size, u64 cmdline_len,
		struct linux_layout *out, char *err, size_t errlen);

/* The e820 map of a partition with ram_size bytes of RAM: low RAM, the reserved hole (ACPI tables,
 * BIOS area), RAM from 1 MiB. Returns the number of entries written (at most max). */
u32 linux_e820(struct e820_entry *out, u32 max, u64 ram_size);

/* Fills the zero page (BP_SIZE bytes, zeroed here first): the setup header copied from the image, the
 * loader fields, command line and initrd addresses, the e820 map and the ACPI RSDP address. */
void linux_boot_params(u8 *zp, const void *img, const struct bzimage_info *info, const struct linux_layout *l,
		       const struct e820_entry *e820, u32 e820_count, u64 rsdp);

#endif
