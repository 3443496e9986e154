/* Linux bzImage parsing and the 64-bit boot protocol's zero page (Linux Documentation/arch/x86/boot.rst,
 * summarised in docs/linux.md). Pure logic: host tests and fuzzers link this file. */
#include "bzimage.h"
#include "lib.h"

static u32 rd8(const u8 *p, u32 off)
{
	return p[off];
}

static u32 rd16(const u8 *p, u32 off)
{
	return p[off] | (u32)p[off + 1] << 8;
}

static u32 rd32(const u8 *p, u32 off)
{
	return rd16(p, off) | rd16(p, off + 2) << 16;
}

static u64 rd64(const u8 *p, u32 off)
{
	return rd32(p, off) | (u64)rd32(p, off + 4) << 32;
}

static void wr32(u8 *p, u32 off, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[off + i] = (u8)(v >> (8 * i));
}

static void wr64(u8 *p, u32 off, u64 v)
{
	wr32(p, off, (u32)v);
	wr32(p, off + 4, (u32)(v >> 32));
}

#define refuse(...) (snprintf(err, errlen, __VA_ARGS__), false)

bool bzimage_parse(const void *img, u64 size, struct bzimage_info *info, char *err, size_t errlen)
{
	const u8 *p = img;
	memset(info, 0, sizeof(*info));
	if (size < BP_HEADER + 4)
		return refuse("truncated: %lu bytes is too short for a bzImage header", size);
	if (rd32(p, BP_HEADER) != BZ_HDRS_MAGIC)
		return refuse("not a Linux bzImage: no 'HdrS' magic at offset 0x202");
	/* Everything up to init_size must be in the file; older protocols are refused before we need it. */
	if (size < BP_INIT_SIZE + 4)
		return refuse("truncated: %lu bytes is too short for the boot protocol 2.12 setup header", size);
	u32 version = rd16(p, BP_VERSION);
	if (version < BZ_MIN_VERSION)
		return refuse("boot protocol %u.%02u is older than 2.12 (no 64-bit entry)", version >> 8, version & 0xff);
	u32 xlf = rd16(p, BP_XLOADFLAGS);
	if (!(xlf & XLF_KERNEL_64))
		return refuse("no 64-bit entry (XLF_KERNEL_64 clear in xloadflags): a 32-bit kernel");
	u32 sects = rd8(p, BP_SETUP_SECTS);
	if (!sects)
		sects = 4; /* boot.rst: 0 means 4 */
	u32 payload = (sects + 1) * 512;
	u64 syssize = (u64)rd32(p, BP_SYSSIZE) * 16;
	if (size < payload || size - payload < syssize)
		return refuse("truncated: the file has %lu bytes, its header says %lu", size, payload + syssize);
	u32 header_end = 0x202 + rd8(p, BP_JUMP + 1);
	if (rd8(p, BP_JUMP) != 0xeb || header_end < BP_INIT_SIZE + 4 || header_end > payload)
		return refuse("bad setup header: the jump at 0x200 does not end the header inside the setup code");
	u32 align = rd32(p, BP_KERNEL_ALIGNMENT);
	if (!align || (align & (align - 1)) || align < 0x1000)
		return refuse("bad kernel_alignment %#x (not a power of two of at least 4 KiB)", align);
	u32 init_size = rd32(p, BP_INIT_SIZE);
	if (init_size < syssize)
		return refuse("bad init_size %#x: smaller than the kernel itself (%#lx)", init_size, syssize);
	info->version = (u16)version;
	info->payload_offset = payload;
	info->payload_size = (u32)(size - payload);
	info->header_end = header_end;
	info->init_size = init_size;
	info->kernel_alignment = align;
	info->pref_address = rd64(p, BP_PREF_ADDRESS);
	info->initrd_addr_max = rd32(p, BP_INITRD_ADDR_MAX);
	info->cmdline_size = rd32(p, BP_CMDLINE_SIZE);
	info->xloadflags = (u16)xlf;
	info->relocatable = rd8(p, BP_RELOCATABLE_KERNEL);
	return true;
}

bool linux_plan(const struct bzimage_info *info, u64 ram_size, u64 initrd_size, u64 cmdline_len,
		struct linux_layout *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (cmdline_len > info->cmdline_size || cmdline_len >= PAGE_SIZE)
		return refuse("command line of %lu bytes is longer than the kernel takes (%u)", cmdline_len,
			      info->cmdline_size);
	/* The preferred address when it leaves room; else the lowest aligned address above 1 MiB. */
	u64 kernel = info->pref_address;
	u64 need = info->init_size + ALIGN_UP(initrd_size, PAGE_SIZE);
	if (kernel < LINUX_GPA_HIGH_RAM || !IS_ALIGNED(kernel, info->kernel_alignment) || kernel > ram_size ||
	    ram_size - kernel < need) {
		if (!info->relocatable && kernel >= LINUX_GPA_HIGH_RAM)
			return refuse("the kernel (not relocatable) must run at %#lx and needs %lu MiB from there, "
				      "but the partition has %lu MiB", kernel, (need + MiB(1) - 1) >> 20, ram_size >> 20);
		kernel = ALIGN_UP(LINUX_GPA_HIGH_RAM, (u64)info->kernel_alignment);
	}
	if (kernel > ram_size || ram_size - kernel < need)
		return refuse("kernel (%lu MiB while it starts) and initrd (%lu MiB) do not fit in the partition's %lu MiB",
			      ((u64)info->init_size + MiB(1) - 1) >> 20, (initrd_size + MiB(1) - 1) >> 20, ram_size >> 20);
	out->kernel = kernel;
	out->entry = kernel + BZ_ENTRY_64;
	out->initrd_size = initrd_size;
	if (initrd_size) {
		/* As high as the kernel allows, out of the way of the decompressor. */
		u64 top = MIN(ram_size, (u64)info->initrd_addr_max + 1);
		u64 at = ALIGN_DOWN(top - MIN(top, initrd_size), PAGE_SIZE);
		if (top < initrd_size || at < kernel + info->init_size)
			return refuse("the initrd (%lu MiB) does not fit below the kernel's limit %#x above the kernel",
				      (initrd_size + MiB(1) - 1) >> 20, info->initrd_addr_max);
		out->initrd = at;
	}
	out->boot_params = LINUX_GPA_BOOT_PARAMS;
	out->cmdline = LINUX_GPA_CMDLINE;
	return true;
}

u32 linux_e820(struct e820_entry *out, u32 max, u64 ram_size)
{
	const struct e820_entry map[] = {
		{ 0, LINUX_GPA_LOW_RAM_END, E820_RAM },
		/* The BIOS area, the guest ACPI tables among it; Linux finds the SIPI page in the RAM above. */
		{ LINUX_GPA_LOW_RAM_END, LINUX_GPA_HIGH_RAM - LINUX_GPA_LOW_RAM_END, E820_RESERVED },
		{ LINUX_GPA_HIGH_RAM, ram_size - LINUX_GPA_HIGH_RAM, E820_RAM },
	};
	u32 n = MIN(max, (u32)ARRAY_SIZE(map));
	memcpy(out, map, n * sizeof(map[0]));
	return n;
}

void linux_boot_params(u8 *zp, const void *img, const struct bzimage_info *info, const struct linux_layout *l,
		       const struct e820_entry *e820, u32 e820_count, u64 rsdp)
{
	memset(zp, 0, BP_SIZE);
	/* The setup header as the image has it; a longer one than boot_params holds stops at the EDD area. */
	memcpy(zp + BP_SETUP_SECTS, (const u8 *)img + BP_SETUP_SECTS, MIN(info->header_end, 0x290u) - BP_SETUP_SECTS);
	zp[BP_TYPE_OF_LOADER] = BZ_LOADER_UNDEFINED;
	zp[BP_LOADFLAGS] |= LOADFLAGS_LOADED_HIGH;
	wr32(zp, BP_CMD_LINE_PTR, (u32)l->cmdline);
	wr32(zp, BP_EXT_CMD_LINE_PTR, (u32)(l->cmdline >> 32));
	wr32(zp, BP_RAMDISK_IMAGE, (u32)l->initrd);
	wr32(zp, BP_EXT_RAMDISK_IMAGE, (u32)(l->initrd >> 32));
	wr32(zp, BP_RAMDISK_SIZE, (u32)l->initrd_size);
	wr32(zp, BP_EXT_RAMDISK_SIZE, (u32)(l->initrd_size >> 32));
	/* code32_start and pref_address keep the image's values: the 64-bit entry does not read them. */
	wr64(zp, BP_ACPI_RSDP_ADDR, rsdp);
	e820_count = MIN(e820_count, (u32)BP_E820_MAX);
	zp[BP_E820_ENTRIES] = (u8)e820_count;
	memcpy(zp + BP_E820_TABLE, e820, e820_count * sizeof(*e820));
}
