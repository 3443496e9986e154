/* libFuzzer harness: hv/gva_walk.c (HvCallTranslateVirtualAddress's walk of guest page tables, which the
 * guest controls entirely). Input: CR0, CR3, CR4, EFER, PAT, GVA, flags (8 bytes each), CPL, MAXPHYADDR
 * selector and GB-pages flag (1 byte each), then the partition's RAM (whole pages, at least one; copied
 * into a buffer of exactly that size, so ASan sees a table read outside RAM). */
#include "fuzz.h"
#include "gva_walk.h"
#include "hyperv_tlfs.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct gva_paging_state s;
	u64 gva, flags;
	u8 cpl, phys, gb;
	fuzz_take(&data, &size, &s.cr0, 8);
	fuzz_take(&data, &size, &s.cr3, 8);
	fuzz_take(&data, &size, &s.cr4, 8);
	fuzz_take(&data, &size, &s.efer, 8);
	fuzz_take(&data, &size, &s.pat, 8);
	fuzz_take(&data, &size, &gva, 8);
	fuzz_take(&data, &size, &flags, 8);
	fuzz_take(&data, &size, &cpl, 1);
	fuzz_take(&data, &size, &phys, 1);
	fuzz_take(&data, &size, &gb, 1);
	s.cpl = cpl & 3;
	size_t pages = size / 4096 + 1, ram_size = pages * 4096;
	u8 *ram = calloc(1, ram_size);
	memcpy(ram, data, size);
	struct gva_space m = {
		.ram = ram,
		.ram_size = ram_size,
		.overlay_gpa = (gb & 2) ? 0x1000 : ~0ull,
		.maxphyaddr = (u8)(36 + phys % 17),
		.gbpages = gb & 1,
	};

	struct gva_result r;
	gva_check_control(flags, 0);
	gva_translate(&s, &m, gva, flags, &r);
	FUZZ_CHECK(r.result_code <= HV_TRANSLATE_GVA_INTERCEPT);
	if (r.result_code == HV_TRANSLATE_GVA_SUCCESS) {
		FUZZ_CHECK(r.cache_type <= 7);
		FUZZ_CHECK((r.gpa & 0xfff) == (gva & 0xfff)); /* the offset in the page is kept */
		FUZZ_CHECK(r.gpa < (1ull << m.maxphyaddr));
	}
	u64 g;
	gva_from_page(gva, &g);
	free(ram);
	return 0;
}
