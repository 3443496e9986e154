/* What a boot entry (UEFI or multiboot) hands to the core: nothing after core_main() knows which one ran. */
#ifndef MINIHV_BOOT_INFO_H
#define MINIHV_BOOT_INFO_H

#include "types.h"

#define BOOT_MMAP_MAX 256
#define BOOT_MODULES_MAX 32
#define BOOT_CMDLINE_MAX 512
#define BOOT_NAME_MAX 64

enum mem_type {
	MEM_USABLE = 1,   /* free RAM the core may allocate */
	MEM_RESERVED,     /* firmware, MMIO, anything we must not touch */
	MEM_ACPI_RECLAIM, /* ACPI tables: read them, never allocate */
	MEM_ACPI_NVS,
	MEM_BAD,
	MEM_BOOT,         /* RAM owned by the image, its modules and boot data: never allocated */
};

struct mem_region {
	u64 base;
	u64 size;
	u32 type; /* enum mem_type */
};

struct boot_module {
	char name[BOOT_NAME_MAX]; /* base file name, e.g. "mgmt.elf" or "minihv.cfg" */
	u64 base;                 /* physical address */
	u64 size;
};

struct boot_info {
	const char *loader;       /* "multiboot2", "multiboot1" or "uefi": for the log line only */
	char cmdline[BOOT_CMDLINE_MAX];
	u64 rsdp;                 /* physical address of the ACPI RSDP, 0 if none was found */
	u64 image_base, image_end;
	u64 ap_trampoline;        /* a free 4 KiB page below 1 MiB for the SIPI vector */
	u32 mmap_count;
	struct mem_region mmap[BOOT_MMAP_MAX];
	u32 module_count;
	struct boot_module modules[BOOT_MODULES_MAX];
};

/* Adds a region to the map, keeping it sorted; used by both entries. Returns false when full. */
bool boot_mmap_add(struct boot_info *bi, u64 base, u64 size, u32 type);
/* Adds a module; the name is reduced to its base file name. Returns false when full. */
bool boot_module_add(struct boot_info *bi, const char *path, u64 base, u64 size);
const struct boot_module *boot_module_find(const struct boot_info *bi, const char *name);

/* The one core entry, on the boot CPU, interrupts off, identity-mapped, 64-bit. Does not return. */
NORETURN void core_main(struct boot_info *bi);

#endif
