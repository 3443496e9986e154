/* hv/config.c: the minihv.cfg parser, its line numbers and every error message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "core.h"
#include "minihv_abi.h"

static struct config cfg;
static struct config_error err;

static bool parse(const char *text)
{
	memset(&cfg, 0xa5, sizeof(cfg)); /* the parser must not rely on a zeroed struct */
	memset(&err, 0, sizeof(err));
	return config_parse(text, strlen(text), &cfg, &err);
}

/* Fails unless text is refused at line with a message containing want. */
#define assert_error(text, want_line, want)                                                              \
	do {                                                                                              \
		bool ok_ = parse(text);                                                                   \
		if (ok_ || err.line != (want_line) || !strstr(err.message, (want)))                      \
			fail_msg("expected error at line %u containing \"%s\"; got %s at line %u: \"%s\"", \
				 (unsigned)(want_line), (want), ok_ ? "success" : "error", err.line,       \
				 err.message);                                                            \
	} while (0)

#define PART(name) "[partition " name "]\nmemory = 16M\nvps = 1\nimage = elf " name ".elf\n"

static void test_empty_is_valid(void **state)
{
	assert_true(parse(""));
	assert_int_equal(cfg.partition_count, 0);
	assert_string_equal(cfg.options, "");
	assert_true(parse("# nothing here\n\n   \n\t# indented comment\n"));
	assert_int_equal(cfg.partition_count, 0);
	assert_true(parse("[hypervisor]\noptions = loglevel=debug\n"));
	assert_int_equal(cfg.partition_count, 0);
	assert_string_equal(cfg.options, "loglevel=debug");
}

static void test_full_example(void **state)
{
	const char *text = "# minihv example\n"
			   "[hypervisor]\n"
			   "options = emulator=bochs loglevel=debug\n"
			   "\n"
			   "[partition mgmt]\n"
			   "role = management\n"
			   "memory = 16M\n"
			   "vps = 1\n"
			   "image = elf mgmt.elf\n"
			   "cmdline = console=serial # not a comment = still cmdline\n"
			   "\n"
			   "[partition worker-1]\n"
			   "image = elf worker.elf\n"
			   "vps = 4\n"
			   "memory = 1G\n";
	assert_true(parse(text));
	assert_int_equal(err.line, 0);
	assert_string_equal(cfg.options, "emulator=bochs loglevel=debug");
	assert_int_equal(cfg.partition_count, 2);

	const struct partition_config *m = &cfg.partitions[0];
	assert_string_equal(m->name, "mgmt");
	assert_int_equal(m->role, ROLE_MANAGEMENT);
	assert_int_equal(m->memory, 16ull << 20);
	assert_int_equal(m->vps, 1);
	assert_int_equal(m->image_kind, IMAGE_ELF);
	assert_string_equal(m->image, "mgmt.elf");
	assert_string_equal(m->cmdline, "console=serial # not a comment = still cmdline");
	assert_int_equal(m->line, 5);
	assert_int_equal(m->line_memory, 7);
	assert_int_equal(m->line_image, 9);

	const struct partition_config *w = &cfg.partitions[1];
	assert_string_equal(w->name, "worker-1");
	assert_int_equal(w->role, ROLE_GUEST);
	assert_int_equal(w->memory, 1ull << 30);
	assert_int_equal(w->vps, 4);
	assert_string_equal(w->image, "worker.elf");
	assert_string_equal(w->cmdline, "");
	assert_int_equal(w->line, 12);
	assert_int_equal(w->line_memory, 15);
	assert_int_equal(w->line_image, 13);
}

static void test_whitespace_and_crlf(void **state)
{
	const char *text = "\r\n"
			   "  [ partition   a ]  \r\n"
			   "\tmemory\t=\t0x400000\t\r\n"
			   "vps=2\r\n"
			   "  image =   elf    a.elf   \r\n"
			   "cmdline =   x  y  \r\n"
			   "role=guest";
	assert_true(parse(text));
	assert_int_equal(cfg.partition_count, 1);
	assert_string_equal(cfg.partitions[0].name, "a");
	assert_int_equal(cfg.partitions[0].line, 2);
	assert_int_equal(cfg.partitions[0].memory, 4ull << 20);
	assert_int_equal(cfg.partitions[0].vps, 2);
	assert_string_equal(cfg.partitions[0].image, "a.elf");
	assert_string_equal(cfg.partitions[0].cmdline, "x  y");
	assert_int_equal(cfg.partitions[0].line_image, 5);
}

static void test_byte_order_mark(void **state)
{
	assert_true(parse("\xef\xbb\xbf# saved by Notepad\r\n" PART("a")));
	assert_string_equal(cfg.partitions[0].name, "a");
	assert_int_equal(cfg.partitions[0].line, 2);
	assert_error("\xef\xbb\xbfmemory = 4M\n", 1, "key 'memory' outside a section");
}

static void test_sizes(void **state)
{
	assert_true(parse("[partition a]\nmemory = 4096K\nvps = 1\nimage = elf a\n"));
	assert_int_equal(cfg.partitions[0].memory, 4ull << 20);
	assert_true(parse("[partition a]\nmemory = 2g\nvps = 0x80\nimage = elf a\n"));
	assert_int_equal(cfg.partitions[0].memory, 2ull << 30);
	assert_int_equal(cfg.partitions[0].vps, MINIHV_MAX_VPS);
	assert_true(parse("[partition a]\nmemory = 4G\nvps = 1\nimage = elf a\n"));
	assert_int_equal(cfg.partitions[0].memory, 4ull << 30);
	assert_true(parse("[partition a]\nmemory = 6291456\nvps = 1\nimage = elf a\n"));
	assert_int_equal(cfg.partitions[0].memory, 6ull << 20);
}

static void test_unknown_section(void **state)
{
	assert_error("\n[partitions]\n", 2, "unknown section [partitions] (expected [hypervisor] or [partition NAME])");
	assert_error("[Hypervisor]\n", 1, "unknown section [Hypervisor]");
	assert_error("[hypervisor\n", 1, "bad section header '[hypervisor'");
	assert_error("[hypervisor] x\n", 1, "bad section header");
}

static void test_unknown_key(void **state)
{
	assert_error("[partition a]\nmemroy = 16M\n", 2,
		     "unknown key 'memroy' (expected role, memory, vps, image, cmdline, module, initrd, enlightenments, apic, ap_start, platform, vp_index)");
	assert_error("# c\n[hypervisor]\noption = x\n", 3, "unknown key 'option' (expected options)");
	assert_error("[partition a]\nMemory = 16M\n", 2, "unknown key 'Memory'");
}

static void test_apic_keys(void **state)
{
	assert_true(parse("[partition a]\nmemory = 4M\nvps = 2\nimage = elf a\n"));
	assert_false(cfg.partitions[0].x2apic);
	assert_false(cfg.partitions[0].ap_start_sipi);
	assert_true(parse("[partition a]\nmemory = 4M\nvps = 2\nimage = elf a\napic = x2apic\nap_start = sipi\n"));
	assert_true(cfg.partitions[0].x2apic);
	assert_true(cfg.partitions[0].ap_start_sipi);
	assert_true(parse("[partition a]\nmemory = 4M\nvps = 2\nimage = elf a\napic = none\nap_start = entry\n"));
	assert_false(cfg.partitions[0].x2apic);
	assert_error("[partition a]\napic = xapic\n", 2, "bad apic 'xapic' (expected none or x2apic)");
	assert_error("[partition a]\nap_start = init\n", 2, "bad ap_start 'init' (expected entry or sipi)");
	assert_error("[partition a]\nmemory = 4M\nvps = 2\nimage = elf a\nap_start = sipi\n", 5,
		     "ap_start = sipi needs apic = x2apic");
}

static void test_key_outside_section(void **state)
{
	assert_error("# top\nmemory = 16M\n", 2, "key 'memory' outside a section");
	assert_error("options = x\n[hypervisor]\n", 1, "key 'options' outside a section");
}

static void test_syntax(void **state)
{
	assert_error("[partition a]\nmemory 16M\n", 2, "expected 'key = value', a [section] or a # comment");
	assert_error("[partition a]\n = 16M\n", 2, "missing key before '='");
	/* comments are whole lines only: a '#' after a value is part of the value */
	assert_error("[partition a]\nmemory = 16M # sixteen\n", 2, "bad size '16M # sixteen' for memory");
	const char nul[] = "[partition a]\nmem\0ory = 16M\n";
	assert_false(config_parse(nul, sizeof(nul) - 1, &cfg, &err));
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.message, "NUL byte"));
}

static void test_duplicate_key(void **state)
{
	assert_error("[partition a]\nmemory = 16M\nvps = 1\nmemory = 32M\n", 4,
		     "duplicate key 'memory' (first set on line 2)");
	assert_error("[hypervisor]\noptions = a\noptions = b\n", 3, "duplicate key 'options' (first set on line 2)");
	assert_error("[partition a]\ncmdline = a\ncmdline = b\n", 3, "duplicate key 'cmdline'");
	assert_error("[hypervisor]\n[hypervisor]\n", 2, "duplicate section [hypervisor] (first on line 1)");
	/* the same key in two partitions is fine */
	assert_true(parse(PART("a") PART("b")));
	assert_int_equal(cfg.partition_count, 2);
}

static void test_bad_numbers(void **state)
{
	assert_error("[partition a]\nmemory = 16Q\n", 2, "bad size '16Q' for memory");
	assert_error("[partition a]\nmemory = 16MB\n", 2, "bad size '16MB' for memory");
	assert_error("[partition a]\nmemory = \n", 2, "bad size '' for memory");
	assert_error("[partition a]\nmemory = -16M\n", 2, "bad size '-16M'");
	assert_error("[partition a]\nmemory = 99999999999999999999\n", 2, "bad size");
	assert_error("[partition a]\nmemory = 0xfffffffffffG\n", 2, "bad size");
	assert_error("[partition a]\nvps = 2K\n", 2, "bad number '2K' for vps");
	assert_error("[partition a]\nvps = two\n", 2, "bad number 'two' for vps");
	assert_error("[partition a]\nvps =\n", 2, "bad number '' for vps");
}

static void test_memory_limits(void **state)
{
	assert_error("[partition a]\nmemory = 3M\n", 2, "memory 3M is not a multiple of 2M");
	assert_error("[partition a]\nmemory = 4097K\n", 2, "memory 4097K is not a multiple of 2M");
	assert_error("[partition a]\nmemory = 2M\n", 2, "memory 2M is below the minimum of 4M");
	assert_error("[partition a]\nmemory = 0\n", 2, "memory 0 is below the minimum of 4M");
	assert_error("[partition a]\nmemory = 6G\n", 2, "memory 6G is above the maximum of 4G");
}

static void test_vps(void **state)
{
	assert_error("[partition a]\nvps = 0\n", 2, "vps must be at least 1");
	assert_error("[partition a]\nvps = 129\n", 2, "vps 129 is more than the maximum of 128");
	assert_error("[partition a]\nvps = 18446744073709551615\n", 2, "is more than the maximum");
}

static void test_role(void **state)
{
	assert_error("[partition a]\nrole = boss\n", 2, "bad role 'boss' (expected management or guest)");
	assert_error("[partition a]\nrole =\n", 2, "bad role ''");
	assert_true(parse("[partition a]\nrole = guest\nmemory = 4M\nvps = 1\nimage = elf a\n"));
	assert_int_equal(cfg.partitions[0].role, ROLE_GUEST);
}

static void test_platform(void **state)
{
	assert_error("[partition a]\nplatform = isa\n", 2, "bad platform 'isa' (expected pc or minimal)");
	assert_error("[partition a]\nplatform = pc\nplatform = pc\n", 3, "duplicate key 'platform'");
	assert_true(parse("[partition a]\nmemory = 4M\nvps = 1\nimage = elf a\n"
			  "[partition b]\nmemory = 4M\nvps = 1\nimage = elf b\nplatform = pc\n"
			  "[partition c]\nmemory = 4M\nvps = 1\nplatform = minimal\nimage = elf c\n"));
	assert_int_equal(cfg.partitions[0].platform, PLATFORM_MINIMAL); /* elf default */
	assert_int_equal(cfg.partitions[1].platform, PLATFORM_PC);
	assert_int_equal(cfg.partitions[2].platform, PLATFORM_MINIMAL);
}

static void test_two_management(void **state)
{
	assert_error("[partition a]\nrole = management\nmemory = 16M\nvps = 1\nimage = elf a\n"
		     "[partition b]\nmemory = 16M\nrole = management\n",
		     8, "second management partition (partition 'a' on line 1 is already management)");
	assert_true(parse("[partition a]\nrole = guest\nmemory = 16M\nvps = 1\nimage = elf a\n"
			  "[partition b]\nmemory = 16M\nrole = management\nvps = 1\nimage = elf b\n"));
	assert_int_equal(cfg.partitions[0].role, ROLE_GUEST);
	assert_int_equal(cfg.partitions[1].role, ROLE_MANAGEMENT);
}

#define LINUX_PART "[partition lx]\nmemory = 256M\nvps = 2\nimage = linux vmlinuz\n"

static void test_linux_partition(void **state)
{
	assert_true(parse(LINUX_PART "initrd = initrd.gz\ncmdline = console=ttyS0 iters=10\n"));
	assert_int_equal(cfg.partitions[0].image_kind, IMAGE_LINUX);
	assert_string_equal(cfg.partitions[0].image, "vmlinuz");
	assert_string_equal(cfg.partitions[0].initrd, "initrd.gz");
	assert_int_equal(cfg.partitions[0].line_initrd, 5);
	assert_string_equal(cfg.partitions[0].cmdline, "console=ttyS0 iters=10");
	assert_int_equal(cfg.partitions[0].enlightenments, HV_ENL_ALL);
	assert_true(parse(LINUX_PART));
	assert_string_equal(cfg.partitions[0].initrd, "");
	assert_error(PART("a") "initrd = x.gz\n", 5, "initrd is only for 'image = linux FILE' partitions");
	assert_error(LINUX_PART "initrd =\n", 5, "initrd file name missing");
	assert_error(LINUX_PART "initrd = a b\n", 5, "unexpected text after the initrd file name");
	assert_error(LINUX_PART "initrd = a\ninitrd = b\n", 6, "duplicate key 'initrd' (first set on line 5)");
	assert_error(LINUX_PART "role = management\n", 5, "a linux partition cannot be the management partition");
	assert_true(parse(LINUX_PART));
	assert_true(cfg.partitions[0].x2apic);
	assert_true(cfg.partitions[0].ap_start_sipi);
	assert_error(LINUX_PART "apic = none\n", 5, "a linux partition needs apic = x2apic");
	assert_error(LINUX_PART "ap_start = entry\n", 5, "a linux partition needs ap_start = sipi");
}

static void test_enlightenments(void **state)
{
	assert_true(parse(LINUX_PART "enlightenments = hv-vpindex  hv-frequencies\n"));
	assert_int_equal(cfg.partitions[0].enlightenments, HV_ENL_VPINDEX | HV_ENL_FREQUENCIES);
	assert_true(parse(LINUX_PART "enlightenments =\n"));
	assert_int_equal(cfg.partitions[0].enlightenments, 0);
	assert_true(parse(LINUX_PART "enlightenments = hv-tlbflush-ex hv-tlbflush hv-vpindex hv-xmm-input hv-frequencies\n"));
	assert_int_equal(cfg.partitions[0].enlightenments, HV_ENL_ALL);
	assert_true(parse(PART("a") "enlightenments = hv-vpindex\n"));
	assert_int_equal(cfg.partitions[0].enlightenments, HV_ENL_VPINDEX);
	assert_error(LINUX_PART "enlightenments = hv-vpindex hv-synic\n", 5, "unknown enlightenment 'hv-synic'");
	assert_error(LINUX_PART "enlightenments = hv-tlbflush\n", 5, "hv-tlbflush needs hv-vpindex");
	assert_error(LINUX_PART "enlightenments = hv-vpindex hv-tlbflush-ex\n", 5, "hv-tlbflush-ex needs hv-tlbflush");
	assert_string_equal(config_enlightenment_name(1), "hv-tlbflush");
}

/* vp_index = one Hyper-V VP index per VP, in VP order (KVM: the VMM's host write of HV_X64_MSR_VP_INDEX). */
static void test_vp_index(void **state)
{
	const char *two = "[partition a]\nmemory = 16M\nvps = 2\nimage = elf a.elf\n";
	assert_true(parse(two));
	assert_false(cfg.partitions[0].vp_index_set);
	assert_true(parse("[partition a]\nmemory = 16M\nvps = 2\nimage = elf a.elf\nvp_index = 0  64\n"));
	assert_true(cfg.partitions[0].vp_index_set);
	assert_int_equal(cfg.partitions[0].vp_index_count, 2);
	assert_int_equal(cfg.partitions[0].vp_index[0], 0);
	assert_int_equal(cfg.partitions[0].vp_index[1], 64);
	/* before vps, and the highest index there is */
	assert_true(parse("[partition a]\nvp_index = 127 5\nmemory = 16M\nvps = 2\nimage = elf a.elf\n"));
	assert_int_equal(cfg.partitions[0].vp_index[0], 127);
	assert_error("[partition a]\nmemory = 16M\nvps = 2\nimage = elf a.elf\nvp_index = 0 128\n", 5,
		     "vp_index 128 is not below the maximum of 128");
	assert_error("[partition a]\nmemory = 16M\nvps = 3\nimage = elf a.elf\nvp_index = 64 1 64\n", 5,
		     "vp_index 64 is given twice (VPs 0 and 2)");
	assert_error("[partition a]\nmemory = 16M\nvps = 2\nimage = elf a.elf\nvp_index = 0 x1\n", 5,
		     "bad number 'x1' in vp_index");
	assert_error("[partition a]\nmemory = 16M\nvps = 2\nimage = elf a.elf\nvp_index = -1 2\n", 5,
		     "bad number '-1' in vp_index");
	assert_error("[partition a]\nmemory = 16M\nvps = 2\nimage = elf a.elf\nvp_index =\n", 5,
		     "vp_index needs one VP index per VP");
	/* the count is checked at the end of the section, and reported at the key's line */
	assert_error("[partition a]\nmemory = 16M\nvp_index = 0 64 65\nvps = 2\nimage = elf a.elf\n[partition b]\n", 3,
		     "vp_index lists 3 VP indexes for 2 VPs");
	assert_error("[partition a]\nmemory = 16M\nvps = 2\nimage = elf a.elf\nvp_index = 7\n", 5,
		     "vp_index lists 1 VP index for 2 VPs");
	assert_error("[partition a]\nmemory = 16M\nvps = 2\nimage = elf a.elf\nvp_index = 0 1\nvp_index = 0 1\n", 6,
		     "duplicate key 'vp_index'");
}

static void test_image(void **state)
{
	assert_error("[partition a]\nimage = pe a.efi\n", 2, "bad image kind 'pe' (expected elf or linux)");
	assert_error("[partition a]\nimage = linux\n", 2, "image file name missing (expected 'image = linux FILE')");
	assert_error("[partition a]\nimage = ELF a.elf\n", 2, "bad image kind 'ELF'");
	assert_error("[partition a]\nimage = elf\n", 2, "image file name missing");
	assert_error("[partition a]\nimage = elf   \n", 2, "image file name missing");
	assert_error("[partition a]\nimage =\n", 2, "image needs a kind and a file name");
	assert_error("[partition a]\nimage = elf a.elf b.elf\n", 2, "unexpected text after the image file name");
	char text[200];
	snprintf(text, sizeof(text), "[partition a]\nimage = elf %064d\n", 0);
	assert_error(text, 2, "image file name is too long (at most 63 characters)");
	snprintf(text, sizeof(text), "[partition a]\nmemory = 4M\nvps = 1\nimage = elf %063d\n", 0);
	assert_true(parse(text));
	assert_int_equal(strlen(cfg.partitions[0].image), CONFIG_PATH_MAX - 1);
}

static void test_module(void **state)
{
	assert_true(parse("[partition a]\nmemory = 4M\nvps = 1\nimage = elf a\nmodule = a.steps\n"));
	assert_string_equal(cfg.partitions[0].module, "a.steps");
	assert_int_equal(cfg.partitions[0].line_module, 5);
	assert_true(parse(PART("b")));
	assert_string_equal(cfg.partitions[0].module, "");
	assert_error("[partition a]\nmodule =\n", 2, "module file name missing");
	assert_error("[partition a]\nmodule = a b\n", 2, "unexpected text after the module file name: 'a b'");
	assert_error("[partition a]\nmodule = a\nmodule = b\n", 3, "duplicate key 'module'");
}

static void test_names(void **state)
{
	char text[200];
	snprintf(text, sizeof(text), "[partition %031d]\nmemory = 4M\nvps = 1\nimage = elf a\n", 7);
	assert_true(parse(text));
	assert_int_equal(strlen(cfg.partitions[0].name), CONFIG_NAME_MAX - 1);
	snprintf(text, sizeof(text), "\n[partition %032d]\n", 7);
	assert_error(text, 2, "is too long (at most 31 characters)");
	assert_error("[partition]\n", 1, "partition name missing");
	assert_error("[partition   ]\n", 1, "partition name missing");
	assert_error("[partition a b]\n", 1, "bad partition name 'a b'");
	assert_error("[partition a/b]\n", 1, "bad partition name 'a/b'");
	assert_error("[partitiona]\n", 1, "unknown section [partitiona]");
	assert_error(PART("a") "\n" PART("a"), 6, "duplicate partition name 'a' (first on line 1)");
}

static void test_missing_keys(void **state)
{
	/* reported at the header line, whether the section ends at the next header or at the end of the file */
	assert_error("[partition a]\nvps = 1\nimage = elf a\n[partition b]\n", 1, "partition 'a' has no memory");
	assert_error("[hypervisor]\n[partition a]\nmemory = 16M\nimage = elf a\n", 2, "partition 'a' has no vps");
	assert_error(PART("x") "[partition a]\nmemory = 16M\nvps = 1\n\n# end\n", 5, "partition 'a' has no image");
	assert_error("[partition a]\n[hypervisor]\n", 1, "partition 'a' has no memory");
}

static void test_too_many_partitions(void **state)
{
	static char text[8192];
	size_t n = 0;
	for (int i = 0; i < CONFIG_MAX_PARTITIONS; i++)
		n += snprintf(text + n, sizeof(text) - n, "[partition p%d]\nmemory = 4M\nvps = 1\nimage = elf p.elf\n",
			      i);
	assert_true(parse(text));
	assert_int_equal(cfg.partition_count, CONFIG_MAX_PARTITIONS);
	assert_string_equal(cfg.partitions[15].name, "p15");
	assert_int_equal(cfg.partitions[15].line, 61);
	snprintf(text + n, sizeof(text) - n, "[partition extra]\n");
	assert_error(text, 65, "too many partitions (at most 16)");
}

static void test_long_lines(void **state)
{
	static char text[2200];
	/* 1024 characters is the longest line (CRLF's CR counts) */
	int n = snprintf(text, sizeof(text), "[partition a]\nmemory = 4M\nvps = 1\nimage = elf a\n# ");
	memset(text + n, 'x', 1022);
	strcpy(text + n + 1022, "\n");
	assert_true(parse(text));
	strcpy(text + n + 1022, "x\n");
	assert_error(text, 5, "line is longer than 1024 characters");

	/* value limits: options 511, cmdline 255 */
	n = snprintf(text, sizeof(text), "[hypervisor]\noptions = ");
	memset(text + n, 'o', CONFIG_OPTIONS_MAX - 1);
	text[n + CONFIG_OPTIONS_MAX - 1] = 0;
	assert_true(parse(text));
	assert_int_equal(strlen(cfg.options), CONFIG_OPTIONS_MAX - 1);
	strcat(text, "o");
	assert_error(text, 2, "options is too long (at most 511 characters)");

	n = snprintf(text, sizeof(text), "[partition a]\nmemory = 4M\nvps = 1\nimage = elf a\ncmdline = ");
	memset(text + n, 'c', CONFIG_CMDLINE_MAX - 1);
	text[n + CONFIG_CMDLINE_MAX - 1] = 0;
	assert_true(parse(text));
	assert_int_equal(strlen(cfg.partitions[0].cmdline), CONFIG_CMDLINE_MAX - 1);
	strcat(text, "c");
	assert_error(text, 5, "cmdline is too long (at most 255 characters)");
}

static void test_long_text_in_message(void **state)
{
	/* user text is shortened so that the message stays readable */
	assert_error("[partition a]\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk = 1\n", 2,
		     "unknown key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...' (expected");
	assert_true(strlen(err.message) < sizeof(err.message) - 1);
	/* and shown printable: no terminal escapes from the file reach the console */
	assert_error("[partition a]\nro\x1b[2Jle = x\n", 2, "unknown key 'ro?[2Jle'");
	assert_error("[partition a]\nrole = g\xc3\xa4st\n", 2, "bad role 'g??st'");
}

static void test_hypervisor_options_scanner(void **state)
{
	char out[CONFIG_OPTIONS_MAX];
	/* tolerant of errors elsewhere: the console needs the options before errors can be shown */
	const char *text = "bogus line\n[partition a]\nmemroy = 1\n[hypervisor]\r\noptions = loglevel=debug e9\r\n";
	config_hypervisor_options(text, strlen(text), out, sizeof(out));
	assert_string_equal(out, "loglevel=debug e9");
	config_hypervisor_options("[partition a]\noptions = x\n", 26, out, sizeof(out));
	assert_string_equal(out, "");
	config_hypervisor_options("[hypervisor]\noptions = abcdef\n", 30, out, 4);
	assert_string_equal(out, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_valid),
		cmocka_unit_test(test_full_example),
		cmocka_unit_test(test_whitespace_and_crlf),
		cmocka_unit_test(test_byte_order_mark),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_apic_keys),
		cmocka_unit_test(test_key_outside_section),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_memory_limits),
		cmocka_unit_test(test_vps),
		cmocka_unit_test(test_role),
		cmocka_unit_test(test_platform),
		cmocka_unit_test(test_two_management),
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_module),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_too_many_partitions),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_long_text_in_message),
		cmocka_unit_test(test_hypervisor_options_scanner),
		cmocka_unit_test(test_linux_partition),
		cmocka_unit_test(test_enlightenments),
		cmocka_unit_test(test_vp_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
