/* libFuzzer harness: hv/bzimage.c (Linux bzImage header, placement, zero page). Input: RAM size in MiB
 * (2 bytes), initrd size in KiB (3 bytes), command-line length (2 bytes), then the image, copied into a
 * buffer of exactly its size. Checks what include/bzimage.h promises: an accepted plan keeps the kernel
 * (init_size bytes from its load address), the initrd and the low pages apart and inside RAM. */
#include "fuzz.h"
#include "bzimage.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	u16 ram_mib;
	u32 initrd_kib = 0;
	u16 cmdline_len;
	fuzz_take(&data, &size, &ram_mib, 2);
	fuzz_take(&data, &size, &initrd_kib, 3);
	fuzz_take(&data, &size, &cmdline_len, 2);
	u64 ram = (u64)(ram_mib % 4096 + 4) << 20, initrd = (u64)initrd_kib << 10;
	u8 *img = malloc(size ? size : 1);
	memcpy(img, data, size);

	struct bzimage_info info;
	struct linux_layout l;
	char err[160];
	if (!bzimage_parse(img, size, &info, err, sizeof(err))) {
		FUZZ_CHECK(memchr(err, 0, sizeof(err)) && err[0]);
		free(img);
		return 0;
	}
	FUZZ_CHECK(info.payload_offset <= size && info.header_end <= info.payload_offset);
	FUZZ_CHECK(info.kernel_alignment >= 4096 && !(info.kernel_alignment & (info.kernel_alignment - 1)));
	if (linux_plan(&info, ram, initrd, cmdline_len, &l, err, sizeof(err))) {
		FUZZ_CHECK(l.kernel >= LINUX_GPA_HIGH_RAM && l.kernel % info.kernel_alignment == 0);
		FUZZ_CHECK(l.kernel <= ram && info.init_size <= ram - l.kernel);
		FUZZ_CHECK(l.entry == l.kernel + BZ_ENTRY_64);
		FUZZ_CHECK(cmdline_len <= info.cmdline_size && cmdline_len < 4096);
		if (initrd) {
			FUZZ_CHECK(l.initrd % 4096 == 0 && l.initrd >= l.kernel + info.init_size);
			FUZZ_CHECK(l.initrd <= ram && initrd <= ram - l.initrd);
			FUZZ_CHECK(l.initrd + initrd - 1 <= info.initrd_addr_max);
		}
		struct e820_entry e820[BP_E820_MAX];
		u32 n = linux_e820(e820, BP_E820_MAX, ram);
		u64 end = 0, ram_bytes = 0;
		for (u32 i = 0; i < n; i++) {
			FUZZ_CHECK(e820[i].addr == end && e820[i].size);
			end = e820[i].addr + e820[i].size;
			ram_bytes += e820[i].type == E820_RAM ? e820[i].size : 0;
		}
		FUZZ_CHECK(end == ram && ram_bytes <= ram);
		u8 *zp = malloc(BP_SIZE);
		linux_boot_params(zp, img, &info, &l, e820, n, LINUX_GPA_ACPI);
		free(zp);
	} else {
		FUZZ_CHECK(memchr(err, 0, sizeof(err)) && err[0]);
	}
	free(img);
	return 0;
}
