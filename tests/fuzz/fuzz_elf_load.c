/* libFuzzer harness: hv/elf_load.c (guest images from boot modules). Input: the image. It is loaded into
 * a "partition RAM" of 2.25 MiB allocated to its exact size, with the guests' load window starting at
 * 2 MiB, so ASan sees any write past RAM and the harness checks that the page below the window is
 * untouched. */
#include "fuzz.h"
#include "hv/elf_load.h"

#define RAM_SIZE 0x240000u
#define WINDOW_LO 0x200000u
#define GUARD 0x1000u

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static unsigned char *ram;
	if (!ram)
		ram = malloc(RAM_SIZE);
	memset(ram + WINDOW_LO - GUARD, 0x5a, GUARD);
	unsigned char *image = malloc(size ? size : 1);
	memcpy(image, data, size);

	struct elf_image_info info;
	char err[128];
	if (elf_load(image, size, ram, RAM_SIZE, WINDOW_LO, RAM_SIZE, &info, err, sizeof(err))) {
		FUZZ_CHECK(info.lowest >= WINDOW_LO && info.lowest < info.highest && info.highest <= RAM_SIZE);
		FUZZ_CHECK(info.entry >= info.lowest && info.entry < info.highest);
		for (u32 i = WINDOW_LO - GUARD; i < WINDOW_LO; i++)
			FUZZ_CHECK(ram[i] == 0x5a);
	} else {
		FUZZ_CHECK(memchr(err, 0, sizeof(err)) && err[0]);
	}
	free(image);
	return 0;
}
