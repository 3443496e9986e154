/* hv/bzimage.c: every refusal of a malformed image, placement of kernel and initrd, the zero page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bzimage.h"

#define SETUP_SECTS 27
#define PAYLOAD ((SETUP_SECTS + 1) * 512)
#define KERNEL_SIZE 0x3000

static uint8_t img[PAYLOAD + KERNEL_SIZE];
static struct bzimage_info info;
static char err[200];

static void put(uint32_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

/* A minimal well-formed image as Debian's 6.1 kernels have it (protocol 2.15). */
static void make_image(void)
{
	memset(img, 0, sizeof(img));
	put(BP_SETUP_SECTS, SETUP_SECTS, 1);
	put(BP_SYSSIZE, KERNEL_SIZE / 16, 4);
	put(BP_JUMP, 0xeb, 1);
	put(BP_JUMP + 1, 0x6a, 1); /* header ends at 0x26c */
	put(BP_HEADER, BZ_HDRS_MAGIC, 4);
	put(BP_VERSION, 0x020f, 2);
	put(BP_LOADFLAGS, LOADFLAGS_LOADED_HIGH, 1);
	put(BP_INITRD_ADDR_MAX, 0x7fffffff, 4);
	put(BP_KERNEL_ALIGNMENT, 0x200000, 4);
	put(BP_RELOCATABLE_KERNEL, 1, 1);
	put(BP_XLOADFLAGS, 0x7f, 2);
	put(BP_CMDLINE_SIZE, 2047, 4);
	put(BP_PREF_ADDRESS, 0x1000000, 8);
	put(BP_INIT_SIZE, 0x4000000, 4); /* 64 MiB while it decompresses */
	put(0x268, 0x12345678, 4);       /* last header field: must reach boot_params */
}

static bool parse(uint64_t size)
{
	memset(err, 0, sizeof(err));
	return bzimage_parse(img, size, &info, err, sizeof(err));
}

#define assert_refused(size, want)                                                                   \
	do {                                                                                          \
		if (parse(size) || !strstr(err, want))                                                \
			fail_msg("expected a refusal containing \"%s\", got \"%s\"", want, err);       \
	} while (0)

static void test_good_image(void **state)
{
	make_image();
	assert_true(parse(sizeof(img)));
	assert_int_equal(info.version, 0x020f);
	assert_int_equal(info.payload_offset, PAYLOAD);
	assert_int_equal(info.payload_size, KERNEL_SIZE);
	assert_int_equal(info.header_end, 0x26c);
	assert_int_equal(info.init_size, 0x4000000);
	assert_int_equal(info.cmdline_size, 2047);
	assert_true(info.relocatable);
	/* setup_sects 0 means 4 */
	put(BP_SETUP_SECTS, 0, 1);
	assert_true(parse(5 * 512 + KERNEL_SIZE));
	assert_int_equal(info.payload_offset, 5 * 512);
}

static void test_bad_magic(void **state)
{
	make_image();
	put(BP_HEADER, 0x53726449, 4);
	assert_refused(sizeof(img), "not a Linux bzImage: no 'HdrS' magic at offset 0x202");
	memset(img, 0x7f, sizeof(img)); /* an ELF file or anything else */
	assert_refused(sizeof(img), "no 'HdrS' magic");
}

static void test_old_protocol(void **state)
{
	make_image();
	put(BP_VERSION, 0x020b, 2);
	assert_refused(sizeof(img), "boot protocol 2.11 is older than 2.12");
	put(BP_VERSION, 0x020c, 2);
	assert_true(parse(sizeof(img)));
}

static void test_no_64bit_entry(void **state)
{
	make_image();
	put(BP_XLOADFLAGS, 0x7e, 2);
	assert_refused(sizeof(img), "no 64-bit entry (XLF_KERNEL_64 clear in xloadflags)");
}

static void test_truncated(void **state)
{
	make_image();
	assert_refused(0x100, "truncated");
	assert_refused(BP_HEADER + 4, "truncated");
	assert_refused(PAYLOAD - 1, "truncated: the file has");
	assert_refused(sizeof(img) - 1, "truncated: the file has 26623 bytes, its header says 26624");
	put(BP_SYSSIZE, 0xffffffff, 4); /* syssize * 16 must not wrap */
	assert_refused(sizeof(img), "truncated");
}

static void test_bad_header_fields(void **state)
{
	make_image();
	put(BP_JUMP + 1, 0x10, 1);
	assert_refused(sizeof(img), "bad setup header");
	make_image();
	put(BP_KERNEL_ALIGNMENT, 0x300000, 4);
	assert_refused(sizeof(img), "bad kernel_alignment");
	make_image();
	put(BP_INIT_SIZE, 0x100, 4);
	assert_refused(sizeof(img), "bad init_size");
}

static void test_plan(void **state)
{
	struct linux_layout l;
	make_image();
	assert_true(parse(sizeof(img)));
	assert_true(linux_plan(&info, 256ull << 20, 2 << 20, 100, &l, err, sizeof(err)));
	assert_int_equal(l.kernel, 0x1000000);
	assert_int_equal(l.entry, 0x1000200);
	assert_int_equal(l.initrd, (256ull << 20) - (2 << 20));
	assert_int_equal(l.initrd_size, 2 << 20);
	/* Too small for the preferred address: relocated to the lowest aligned address above 1 MiB. */
	assert_true(linux_plan(&info, 80ull << 20, 4096, 0, &l, err, sizeof(err)));
	assert_int_equal(l.kernel, 0x200000);
	assert_int_equal(l.initrd, (80ull << 20) - 4096);
	/* Kernel + initrd larger than the partition. */
	assert_false(linux_plan(&info, 64ull << 20, 2 << 20, 0, &l, err, sizeof(err)));
	assert_non_null(strstr(err, "kernel (64 MiB while it starts) and initrd (2 MiB) do not fit in the partition's 64 MiB"));
	/* Not relocatable: only the preferred address will do. */
	put(BP_RELOCATABLE_KERNEL, 0, 1);
	assert_true(parse(sizeof(img)));
	assert_false(linux_plan(&info, 80ull << 20, 4096, 0, &l, err, sizeof(err)));
	assert_non_null(strstr(err, "not relocatable"));
	/* Command line longer than the kernel takes. */
	assert_false(linux_plan(&info, 256ull << 20, 0, 2048, &l, err, sizeof(err)));
	assert_non_null(strstr(err, "command line of 2048 bytes"));
	/* The initrd must stay below initrd_addr_max. */
	make_image();
	put(BP_INITRD_ADDR_MAX, 0x4ffffff, 4);
	assert_true(parse(sizeof(img)));
	assert_false(linux_plan(&info, 256ull << 20, 2 << 20, 0, &l, err, sizeof(err)));
	assert_non_null(strstr(err, "initrd"));
}

static void test_boot_params(void **state)
{
	static uint8_t zp[BP_SIZE];
	struct linux_layout l;
	struct e820_entry e820[8];
	make_image();
	assert_true(parse(sizeof(img)));
	assert_true(linux_plan(&info, 256ull << 20, 2 << 20, 10, &l, err, sizeof(err)));
	uint32_t n = linux_e820(e820, 8, 256ull << 20);
	assert_int_equal(n, 3);
	assert_int_equal(e820[0].addr, 0);
	assert_int_equal(e820[0].type, E820_RAM);
	assert_int_equal(e820[1].addr, LINUX_GPA_LOW_RAM_END);
	assert_int_equal(e820[1].type, E820_RESERVED);
	assert_true(LINUX_GPA_ACPI >= e820[1].addr && LINUX_GPA_ACPI < e820[1].addr + e820[1].size);
	assert_int_equal(e820[2].addr + e820[2].size, 256ull << 20);
	memset(zp, 0xee, sizeof(zp));
	linux_boot_params(zp, img, &info, &l, e820, n, 0xe0000);
	assert_int_equal(zp[0], 0);                       /* zeroed outside the header */
	assert_int_equal(zp[BP_TYPE_OF_LOADER], 0xff);
	assert_memory_equal(zp + BP_HEADER, "HdrS", 4);
	assert_int_equal(*(uint32_t *)(zp + 0x268), 0x12345678);
	assert_int_equal(*(uint32_t *)(zp + BP_CMD_LINE_PTR), LINUX_GPA_CMDLINE);
	assert_int_equal(*(uint32_t *)(zp + BP_RAMDISK_IMAGE), l.initrd);
	assert_int_equal(*(uint32_t *)(zp + BP_RAMDISK_SIZE), 2 << 20);
	assert_int_equal(*(uint64_t *)(zp + BP_ACPI_RSDP_ADDR), 0xe0000);
	assert_int_equal(zp[BP_E820_ENTRIES], 3);
	assert_memory_equal(zp + BP_E820_TABLE, e820, 3 * 20);
	assert_int_equal(zp[0x26c], 0); /* nothing past the header */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_image),     cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_old_protocol),   cmocka_unit_test(test_no_64bit_entry),
		cmocka_unit_test(test_truncated),      cmocka_unit_test(test_bad_header_fields),
		cmocka_unit_test(test_plan),           cmocka_unit_test(test_boot_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
