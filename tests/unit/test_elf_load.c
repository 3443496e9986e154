/* hv/elf_load.c: ELF64 images built in memory here, valid and hostile. The host's <elf.h> describes them,
 * independently of the loader's own definitions. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/elf_load.h"
#include "minihv_abi.h"

#define RAM_SIZE (8ull << 20)
#define WIN_LO MINIHV_GPA_IMAGE_MIN
#define WIN_HI (RAM_SIZE - (1ull << 20))
#define MAX_PH 40
#define DATA_OFF 0x1000 /* segment data follows the header and program header table */

struct img {
	uint8_t buf[0x10000];
	size_t size;
};

static struct img im;
static char err[160];
static struct elf_image_info info;

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)im.buf;
}

static Elf64_Phdr *ph(unsigned i)
{
	return (Elf64_Phdr *)(im.buf + sizeof(Elf64_Ehdr)) + i;
}

static void img_init(uint64_t entry)
{
	memset(&im, 0, sizeof(im));
	Elf64_Ehdr *e = eh();
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = entry;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	im.size = DATA_OFF;
}

/* Appends a segment whose file data is filesz bytes of pattern (i + seed). Returns its index. */
static unsigned add_seg(uint32_t type, uint64_t paddr, uint64_t filesz, uint64_t memsz, uint8_t seed)
{
	unsigned i = eh()->e_phnum++;
	assert_true(i < MAX_PH && im.size + filesz <= sizeof(im.buf));
	Elf64_Phdr *p = ph(i);
	p->p_type = type;
	p->p_flags = PF_R | PF_W | PF_X;
	p->p_offset = im.size;
	p->p_vaddr = paddr + 0xffff800000000000ull; /* the loader must use p_paddr */
	p->p_paddr = paddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = 0x1000;
	for (uint64_t k = 0; k < filesz; k++)
		im.buf[im.size + k] = (uint8_t)(k + seed);
	im.size += filesz;
	return i;
}

/* A typical guest: text at 2 MiB, data + bss after it. */
static void img_typical(void)
{
	img_init(WIN_LO + 0x10);
	add_seg(PT_LOAD, WIN_LO, 0x300, 0x300, 1);
	add_seg(PT_LOAD, WIN_LO + 0x1000, 0x80, 0x2000, 7);
	add_seg(PT_GNU_STACK, 0, 0, 0, 0);
}

static bool check(void)
{
	memset(err, 0, sizeof(err));
	memset(&info, 0, sizeof(info));
	return elf_check(im.buf, im.size, WIN_LO, WIN_HI, &info, err, sizeof(err));
}

#define assert_refused(want)                                                                      \
	do {                                                                                      \
		bool ok_ = check();                                                               \
		if (ok_ || !strstr(err, (want)))                                                  \
			fail_msg("expected \"%s\"; got %s: \"%s\"", (want), ok_ ? "success" : "error", err); \
	} while (0)

static void test_load_success(void **state)
{
	img_typical();
	uint8_t *ram = malloc(RAM_SIZE);
	assert_non_null(ram);
	memset(ram, 0xcc, RAM_SIZE);
	assert_true(elf_load(im.buf, im.size, ram, RAM_SIZE, WIN_LO, WIN_HI, &info, err, sizeof(err)));
	assert_string_equal(err, "");
	assert_int_equal(info.entry, WIN_LO + 0x10);
	assert_int_equal(info.lowest, WIN_LO);
	assert_int_equal(info.highest, WIN_LO + 0x3000);

	for (unsigned k = 0; k < 0x300; k++)
		assert_int_equal(ram[WIN_LO + k], (uint8_t)(k + 1));
	for (unsigned k = 0; k < 0x80; k++)
		assert_int_equal(ram[WIN_LO + 0x1000 + k], (uint8_t)(k + 7));
	for (unsigned k = 0x80; k < 0x2000; k++)
		assert_int_equal(ram[WIN_LO + 0x1000 + k], 0); /* bss */
	/* nothing else is touched: before, between and after the segments */
	assert_int_equal(ram[WIN_LO - 1], 0xcc);
	for (unsigned k = 0x300; k < 0x1000; k++)
		assert_int_equal(ram[WIN_LO + k], 0xcc);
	assert_int_equal(ram[WIN_LO + 0x3000], 0xcc);
	assert_int_equal(ram[0], 0xcc);
	free(ram);
}

static void test_check_matches_load(void **state)
{
	img_typical();
	assert_true(check());
	assert_int_equal(info.entry, WIN_LO + 0x10);
	assert_int_equal(info.lowest, WIN_LO);
	assert_int_equal(info.highest, WIN_LO + 0x3000);
	/* info and err are optional */
	assert_true(elf_check(im.buf, im.size, WIN_LO, WIN_HI, NULL, NULL, 0));
}

static void test_unaligned_image(void **state)
{
	/* boot modules have no alignment guarantee: headers must be read without misaligned accesses */
	img_typical();
	uint8_t *copy = malloc(im.size + 1);
	memcpy(copy + 1, im.buf, im.size);
	uint8_t *ram = calloc(1, RAM_SIZE);
	assert_true(elf_load(copy + 1, im.size, ram, RAM_SIZE, WIN_LO, WIN_HI, &info, err, sizeof(err)));
	assert_int_equal(ram[WIN_LO + 0x1000], 7);
	free(ram);
	free(copy);
}

static void test_truncated_header(void **state)
{
	img_typical();
	size_t sizes[] = { 0, 1, 4, 16, 63 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* a heap copy of exactly that size lets ASan catch any read past the end */
		uint8_t *copy = malloc(sizes[i] ? sizes[i] : 1);
		memcpy(copy, im.buf, sizes[i]);
		assert_false(elf_check(copy, sizes[i], WIN_LO, WIN_HI, &info, err, sizeof(err)));
		assert_non_null(strstr(err, "truncated ELF header"));
		free(copy);
	}
	assert_false(elf_check(NULL, 0, WIN_LO, WIN_HI, &info, err, sizeof(err)));
}

static void test_bad_ident(void **state)
{
	img_typical();
	im.buf[1] = 'X';
	assert_refused("not an ELF file");
	img_typical();
	eh()->e_ident[EI_CLASS] = ELFCLASS32;
	assert_refused("not a 64-bit ELF (class 1)");
	img_typical();
	eh()->e_ident[EI_DATA] = ELFDATA2MSB;
	assert_refused("not a little-endian ELF");
	img_typical();
	eh()->e_ident[EI_VERSION] = 0;
	assert_refused("ELF version");
	img_typical();
	eh()->e_version = 2;
	assert_refused("ELF version");
}

static void test_bad_machine_and_type(void **state)
{
	img_typical();
	eh()->e_machine = EM_386;
	assert_refused("not an x86-64 ELF (e_machine 3)");
	img_typical();
	eh()->e_machine = EM_AARCH64;
	assert_refused("not an x86-64 ELF");
	img_typical();
	eh()->e_type = ET_DYN;
	assert_refused("not an executable ELF (e_type 3");
	img_typical();
	eh()->e_type = ET_REL;
	assert_refused("not an executable ELF");
	img_typical();
	eh()->e_type = ET_CORE;
	assert_refused("not an executable ELF");
}

static void test_program_header_table(void **state)
{
	img_typical();
	eh()->e_phentsize = 32;
	assert_refused("bad program header size 32");
	img_typical();
	eh()->e_phentsize = 64;
	assert_refused("bad program header size 64");
	img_typical();
	eh()->e_phnum = 0;
	assert_refused("no program headers");
	img_typical();
	eh()->e_phoff = im.size;
	assert_refused("program header table");
	img_typical();
	eh()->e_phoff = im.size - sizeof(Elf64_Phdr); /* first entry fits, the other two do not */
	assert_refused("outside the file");
	img_typical();
	eh()->e_phoff = UINT64_MAX - 8; /* offset + size wraps around */
	assert_refused("outside the file");
	img_typical();
	eh()->e_phoff = 0xffffffffffffff00ull;
	assert_refused("outside the file");
	img_typical();
	eh()->e_phnum = 0xffff; /* PN_XNUM: the table would be 3.6 MB */
	assert_refused("outside the file");

	/* a table that ends exactly at the end of the file is fine */
	img_init(WIN_LO);
	add_seg(PT_LOAD, WIN_LO, 0x10, 0x10, 0);
	Elf64_Phdr p = *ph(0);
	memcpy(im.buf + im.size, &p, sizeof(p));
	eh()->e_phoff = im.size;
	im.size += sizeof(p);
	assert_true(check());
}

static void test_segment_outside_window(void **state)
{
	img_init(WIN_LO);
	add_seg(PT_LOAD, WIN_LO - 0x1000, 0x10, 0x2000, 0); /* starts below, ends inside */
	assert_refused("outside the partition's image window");
	img_init(0x1000);
	add_seg(PT_LOAD, 0x1000, 0x10, 0x10, 0); /* in RAM, but where the page tables go */
	assert_refused("outside the partition's image window");
	img_init(WIN_HI - 0x10);
	add_seg(PT_LOAD, WIN_HI - 0x10, 0x10, 0x11, 0); /* one byte past the end */
	assert_refused("outside the partition's image window");
	img_init(WIN_HI);
	add_seg(PT_LOAD, WIN_HI, 0, 0x10, 0);
	assert_refused("outside the partition's image window");
	img_init(RAM_SIZE + 0x100000);
	add_seg(PT_LOAD, RAM_SIZE + 0x100000, 0x10, 0x10, 0); /* beyond RAM */
	assert_refused("outside the partition's image window");

	/* the last byte of the window is usable */
	img_init(WIN_HI - 0x10);
	add_seg(PT_LOAD, WIN_HI - 0x10, 0x10, 0x10, 0);
	assert_true(check());
	assert_int_equal(info.highest, WIN_HI);
}

static void test_huge_sizes(void **state)
{
	img_init(WIN_LO);
	add_seg(PT_LOAD, WIN_LO, 0x10, UINT64_MAX, 0); /* paddr + memsz wraps */
	assert_refused("outside the partition's image window");
	img_init(WIN_LO);
	add_seg(PT_LOAD, WIN_LO, 0x10, 0xfffffffffffff000ull, 0);
	assert_refused("outside the partition's image window");
	img_init(WIN_LO);
	add_seg(PT_LOAD, 0xfffffffffffff000ull, 0, 0x2000, 0);
	assert_refused("outside the partition's image window");
	img_init(WIN_LO);
	unsigned i = add_seg(PT_LOAD, WIN_LO, 0x10, 0x10, 0);
	ph(i)->p_filesz = UINT64_MAX; /* also larger than memsz: either reason is right, but refused */
	ph(i)->p_memsz = UINT64_MAX;
	assert_false(check());
	img_init(WIN_LO);
	i = add_seg(PT_LOAD, WIN_LO, 0x10, 0x10, 0);
	ph(i)->p_offset = UINT64_MAX - 4; /* offset + filesz wraps */
	assert_refused("outside the file");
}

static void test_file_data_outside_file(void **state)
{
	img_init(WIN_LO);
	unsigned i = add_seg(PT_LOAD, WIN_LO, 0x100, 0x100, 0);
	im.size -= 1; /* the last byte of the segment is missing */
	assert_refused("segment 0: file data");
	img_init(WIN_LO);
	i = add_seg(PT_LOAD, WIN_LO, 0x100, 0x100, 0);
	ph(i)->p_offset = im.size;
	assert_refused("outside the file");
	/* a bss-only segment may sit at offset == file size */
	img_init(WIN_LO);
	i = add_seg(PT_LOAD, WIN_LO, 0, 0x100, 0);
	ph(i)->p_offset = im.size;
	assert_true(check());
}

static void test_filesz_above_memsz(void **state)
{
	img_init(WIN_LO);
	add_seg(PT_LOAD, WIN_LO, 0x100, 0xff, 0);
	assert_refused("segment 0: file size 0x100 is larger than memory size 0xff");
}

static void test_overlapping_segments(void **state)
{
	img_init(WIN_LO);
	add_seg(PT_LOAD, WIN_LO, 0x10, 0x2000, 0);
	add_seg(PT_LOAD, WIN_LO + 0x1fff, 0x10, 0x10, 0); /* one byte of overlap */
	assert_refused("segment 1: [0x201fff, 0x20200f) overlaps another at [0x200000, 0x202000)");
	img_init(WIN_LO + 0x1000);
	add_seg(PT_LOAD, WIN_LO + 0x1000, 0x10, 0x10, 0);
	add_seg(PT_LOAD, WIN_LO, 0x10, 0x10000, 0); /* contains the first */
	assert_refused("overlaps");
	img_init(WIN_LO);
	add_seg(PT_LOAD, WIN_LO, 0x10, 0x10, 0);
	add_seg(PT_NOTE, WIN_LO, 0x10, 0x10, 0); /* not loaded: does not count */
	add_seg(PT_LOAD, WIN_LO, 0x10, 0x10, 0); /* identical */
	assert_refused("segment 2");
	/* adjacent segments, in any order, are fine */
	img_init(WIN_LO);
	add_seg(PT_LOAD, WIN_LO + 0x1000, 0x10, 0x1000, 0);
	add_seg(PT_LOAD, WIN_LO, 0x10, 0x1000, 0);
	add_seg(PT_LOAD, WIN_LO + 0x2000, 0x10, 0x1000, 0);
	assert_true(check());
	assert_int_equal(info.lowest, WIN_LO);
	assert_int_equal(info.highest, WIN_LO + 0x3000);
}

static void test_segment_count(void **state)
{
	img_init(WIN_LO);
	for (unsigned i = 0; i < 32; i++)
		add_seg(PT_LOAD, WIN_LO + i * 0x1000ull, 1, 1, 0);
	assert_true(check());
	add_seg(PT_LOAD, WIN_LO + 32 * 0x1000ull, 1, 1, 0);
	assert_refused("more than 32 PT_LOAD segments");
}

static void test_no_load_and_dynamic(void **state)
{
	img_init(WIN_LO);
	add_seg(PT_NOTE, WIN_LO, 0x10, 0x10, 0);
	add_seg(PT_GNU_STACK, 0, 0, 0, 0);
	assert_refused("no PT_LOAD segment");
	img_init(WIN_LO);
	add_seg(PT_LOAD, WIN_LO, 0, 0, 0); /* empty: occupies nothing */
	assert_refused("no PT_LOAD segment");
	img_typical();
	add_seg(PT_INTERP, 0, 0x10, 0x10, 0);
	assert_refused("dynamically linked");
	img_typical();
	add_seg(PT_DYNAMIC, WIN_LO + 0x1000, 0x10, 0x10, 0);
	assert_refused("dynamically linked");
}

static void test_entry_point(void **state)
{
	img_typical();
	eh()->e_entry = WIN_LO + 0x300; /* in the gap between the segments */
	assert_refused("entry point 0x200300 is outside every loaded segment");
	img_typical();
	eh()->e_entry = WIN_LO + 0x3000; /* one past the end */
	assert_refused("entry point");
	img_typical();
	eh()->e_entry = 0xffff800000200010ull; /* a virtual address: guests are identity mapped */
	assert_refused("entry point");
	img_typical();
	eh()->e_entry = WIN_LO + 0x2fff; /* in the bss: allowed, if odd */
	assert_true(check());
}

static void test_load_window_vs_ram(void **state)
{
	img_typical();
	uint8_t *ram = malloc(RAM_SIZE);
	memset(ram, 0xcc, RAM_SIZE);
	assert_false(elf_load(im.buf, im.size, ram, RAM_SIZE / 2, WIN_LO, RAM_SIZE, &info, err, sizeof(err)));
	assert_non_null(strstr(err, "larger than the partition's RAM"));
	assert_false(elf_load(im.buf, im.size, ram, RAM_SIZE, WIN_LO, WIN_LO, &info, err, sizeof(err)));
	assert_non_null(strstr(err, "empty load window"));
	/* a refused image leaves RAM alone */
	eh()->e_entry = 0;
	assert_false(elf_load(im.buf, im.size, ram, RAM_SIZE, WIN_LO, WIN_HI, &info, err, sizeof(err)));
	for (size_t k = 0; k < RAM_SIZE; k += 0x100)
		assert_int_equal(ram[k], 0xcc);
	free(ram);
}

static void test_error_buffer(void **state)
{
	img_typical();
	eh()->e_machine = EM_386;
	char small[8];
	memset(small, 'z', sizeof(small));
	assert_false(elf_check(im.buf, im.size, WIN_LO, WIN_HI, &info, small, sizeof(small)));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_false(elf_check(im.buf, im.size, WIN_LO, WIN_HI, &info, NULL, 0));
	assert_false(elf_check(im.buf, im.size, WIN_LO, WIN_HI, &info, small, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_success),
		cmocka_unit_test(test_check_matches_load),
		cmocka_unit_test(test_unaligned_image),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_bad_ident),
		cmocka_unit_test(test_bad_machine_and_type),
		cmocka_unit_test(test_program_header_table),
		cmocka_unit_test(test_segment_outside_window),
		cmocka_unit_test(test_huge_sizes),
		cmocka_unit_test(test_file_data_outside_file),
		cmocka_unit_test(test_filesz_above_memsz),
		cmocka_unit_test(test_overlapping_segments),
		cmocka_unit_test(test_segment_count),
		cmocka_unit_test(test_no_load_and_dynamic),
		cmocka_unit_test(test_entry_point),
		cmocka_unit_test(test_load_window_vs_ram),
		cmocka_unit_test(test_error_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
