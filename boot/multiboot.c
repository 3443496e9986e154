/* Multiboot2 (GRUB) and multiboot1 (QEMU -kernel) information → struct boot_info. */
#include "boot_info.h"
#include "lib.h"
#include "x86.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define MB1_BOOTLOADER_MAGIC 0x2badb002

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

struct mb2_tag {
	u32 type;
	u32 size;
};

struct mb2_module {
	u32 type, size;
	u32 mod_start, mod_end;
	char cmdline[];
};

struct mb2_mmap {
	u32 type, size;
	u32 entry_size, entry_version;
	u8 entries[];
};

struct mb_mmap_entry {
	u64 base, len;
	u32 type, reserved;
} PACKED;

struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
} PACKED;

struct mb1_module {
	u32 mod_start, mod_end, string, reserved;
};

extern char _load_start[], _image_end[];
static struct boot_info boot_info;
static u8 rsdp_copy[36] __attribute__((aligned(16)));

static u32 e820_type(u32 t)
{
	switch (t) {
	case 1: return MEM_USABLE;
	case 3: return MEM_ACPI_RECLAIM;
	case 4: return MEM_ACPI_NVS;
	case 5: return MEM_BAD;
	default: return MEM_RESERVED;
	}
}

static void add_mmap_entries(struct boot_info *bi, const u8 *p, const u8 *end, u32 stride)
{
	for (; p + sizeof(struct mb_mmap_entry) <= end; p += stride) {
		const struct mb_mmap_entry *e = (const void *)p;
		boot_mmap_add(bi, e->base, e->len, e820_type(e->type));
	}
}

static void parse_mb2(struct boot_info *bi, u64 info)
{
	u32 total = *(u32 *)info;
	bi->loader = "multiboot2";
	for (u64 p = info + 8; p < info + total;) {
		const struct mb2_tag *tag = (const void *)p;
		if (tag->type == MB2_TAG_END)
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			strlcpy(bi->cmdline, (const char *)(tag + 1), sizeof(bi->cmdline));
			break;
		case MB2_TAG_MODULE: {
			const struct mb2_module *m = (const void *)tag;
			boot_module_add(bi, m->cmdline, m->mod_start, m->mod_end - m->mod_start);
			break;
		}
		case MB2_TAG_MMAP: {
			const struct mb2_mmap *m = (const void *)tag;
			add_mmap_entries(bi, m->entries, (const u8 *)tag + tag->size, m->entry_size);
			break;
		}
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* The tag holds a copy of the RSDP, in memory the allocator will reuse: keep our own. */
			if (!bi->rsdp || tag->type == MB2_TAG_ACPI_NEW) {
				memcpy(rsdp_copy, tag + 1, MIN(sizeof(rsdp_copy), tag->size - sizeof(*tag)));
				bi->rsdp = (u64)(uintptr_t)rsdp_copy;
			}
			break;
		}
		p += ALIGN_UP(tag->size, 8);
	}
}

static void parse_mb1(struct boot_info *bi, u64 info)
{
	const struct mb1_info *mi = (const void *)info;
	bi->loader = "multiboot1";
	if (mi->flags & BIT(2)) {
		/* QEMU puts the kernel file name first: drop it. */
		const char *c = (const char *)(uintptr_t)mi->cmdline;
		const char *sp = strchr(c, ' ');
		strlcpy(bi->cmdline, sp ? sp + 1 : "", sizeof(bi->cmdline));
	}
	if (mi->flags & BIT(3)) {
		const struct mb1_module *m = (const void *)(uintptr_t)mi->mods_addr;
		for (u32 i = 0; i < mi->mods_count; i++)
			boot_module_add(bi, (const char *)(uintptr_t)m[i].string, m[i].mod_start,
					m[i].mod_end - m[i].mod_start);
	}
	if (mi->flags & BIT(6)) {
		/* Each entry is preceded by its size, which does not count itself. */
		u64 p = mi->mmap_addr, end = p + mi->mmap_length;
		while (p < end) {
			u32 sz = *(u32 *)p;
			const struct mb_mmap_entry *e = (const void *)(p + 4);
			boot_mmap_add(bi, e->base, e->len, e820_type(e->type));
			p += sz + 4;
		}
	} else if (mi->flags & BIT(0)) {
		boot_mmap_add(bi, 0, (u64)mi->mem_lower << 10, MEM_USABLE);
		boot_mmap_add(bi, MiB(1), (u64)mi->mem_upper << 10, MEM_USABLE);
	}
}

/* ACPI 6.x 5.2.5.1: the RSDP is in the first KiB of the EBDA or in 0xE0000-0xFFFFF, on a 16-byte boundary. */
static u64 scan_rsdp(u64 start, u64 len)
{
	for (u64 p = start; p + 20 <= start + len; p += 16) {
		if (memcmp((const void *)p, "RSD PTR ", 8))
			continue;
		u8 sum = 0;
		for (int i = 0; i < 20; i++)
			sum += ((const u8 *)p)[i];
		if (!sum)
			return p;
	}
	return 0;
}

/* The SIPI vector must be a page below 1 MiB; take the highest free one under the EBDA. */
static u64 pick_trampoline(const struct boot_info *bi)
{
	for (u32 i = bi->mmap_count; i-- > 0;) {
		const struct mem_region *r = &bi->mmap[i];
		if (r->type != MEM_USABLE || r->base >= 0x9f000)
			continue;
		u64 end = MIN(r->base + r->size, 0x9f000ull);
		u64 page = ALIGN_DOWN(end, PAGE_SIZE) - PAGE_SIZE;
		if (page >= MAX(r->base, 0x1000ull))
			return page;
	}
	return 0x8000; /* every PC has conventional memory here */
}

NORETURN void mb_main(u32 magic, u32 info);
NORETURN void mb_main(u32 magic, u32 info)
{
	struct boot_info *bi = &boot_info;
	if (magic == MB2_BOOTLOADER_MAGIC)
		parse_mb2(bi, info);
	else if (magic == MB1_BOOTLOADER_MAGIC)
		parse_mb1(bi, info);
	else
		bi->loader = "unknown loader";
	if (!bi->rsdp) {
		u64 bda = 0x40e;
		__asm__("" : "+r"(bda)); /* a real address, not a null-page accident */
		u64 ebda = (u64)(*(volatile u16 *)(uintptr_t)bda) << 4;
		if (ebda)
			bi->rsdp = scan_rsdp(ebda, 1024);
		if (!bi->rsdp)
			bi->rsdp = scan_rsdp(0xe0000, 0x20000);
	}
	bi->image_base = (u64)(uintptr_t)_load_start;
	bi->image_end = (u64)(uintptr_t)_image_end;
	bi->ap_trampoline = pick_trampoline(bi);
	core_main(bi);
}
