/* vmx/caps.c: the VMX feature check against capability MSR values measured in Bochs
 * (read with RDMSR under Bochs 2.7, corei7_skylake_x), and what is reported when a feature is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmx_caps.h"

static char buf[512];

/* corei7_skylake_x; the TRUE_PROCBASED value is taken to equal PROCBASED_CTLS. */
static struct vmx_msrs skylake(void)
{
	return (struct vmx_msrs){
		.cpuid1_ecx = 1u << 5,
		.feature_control = 0x5, /* locked, VMXON outside SMX */
		.basic = 0x00d810000000002bull,
		.misc = 0x600401e0,
		.pin = 0x0000007f00000016ull,
		.proc = 0xf7f9fffe0401e172ull,
		.exit = 0x007fffff00036dffull,
		.entry = 0x0000ffff000011ffull,
		.proc2 = 0x02177fff00000000ull,
		.ept_vpid = 0x00000f0106334141ull,
		.cr0_fixed0 = 0x80000021,
		.cr0_fixed1 = 0xffffffff,
		.cr4_fixed0 = 0x2000,
		.cr4_fixed1 = 0x003727ff,
		.has_proc2 = true,
		.has_ept_vpid = true,
	};
}

static void test_skylake_passes(void **state)
{
	struct vmx_msrs m = skylake();
	memset(buf, 'x', sizeof(buf));
	assert_true(vmx_caps_check(&m, buf, sizeof(buf)));
	assert_string_equal(buf, "");
}

static void test_other_bochs_models(void **state)
{
	/* sandy bridge: no 1G pages and no A/D bits, which minihv does not need */
	struct vmx_msrs m = skylake();
	m.proc2 = 0x000000ff00000000ull;
	m.ept_vpid = 0x00000f0106114141ull;
	assert_true(vmx_caps_check(&m, buf, sizeof(buf)));
	/* tigerlake: another VMCS revision */
	m = skylake();
	m.basic = 0x01d8100000000004ull;
	m.proc = 0xfff9fffe0401e172ull;
	m.proc2 = 0x02977fff00000000ull;
	m.ept_vpid = 0x00000f0106b34141ull;
	m.exit = 0x107fffff00036dffull;
	m.entry = 0x0010ffff000011ffull;
	assert_true(vmx_caps_check(&m, buf, sizeof(buf)));
}

static void test_penryn_fails(void **state)
{
	/* core2_penryn_t9600: no EPT/VPID/unrestricted guest, no EPT_VPID_CAP MSR, no EFER controls */
	struct vmx_msrs m = skylake();
	m.proc2 = 0x0000004100000000ull;
	m.has_ept_vpid = false;
	m.ept_vpid = 0;
	m.exit = 0x0003ffff00036dffull;
	m.entry = 0x00003fff000011ffull;
	assert_false(vmx_caps_check(&m, buf, sizeof(buf)));
	assert_string_equal(buf, "EPT, VPID, unrestricted guest, EFER save/load on VM exit, "
				 "EFER load and IA-32e mode on VM entry, IA32_VMX_EPT_VPID_CAP");
}

/* One required feature: which MSR field loses which bit, and the name the report must contain. */
struct feature {
	size_t field; /* offsetof(struct vmx_msrs, ...) of a u64 field */
	uint64_t bit;
	const char *name;
};

#define F(f, b, n) { offsetof(struct vmx_msrs, f), b, n }
static const struct feature features[] = {
	F(basic, VMX_BASIC_TRUE_CTLS, "VMX true controls"),
	F(basic, 1ull << 51, "write-back VMCS memory"), /* memory type 6 -> 4 */
	F(basic, 1ull << 44, "a VMCS of at most 4 KiB"), /* size 4096 -> 0 */
	F(pin, PIN_EXTERNAL_INTERRUPT_EXITING << 32, "external-interrupt exiting"),
	F(pin, PIN_VMX_PREEMPTION_TIMER << 32, "VMX preemption timer"),
	F(proc, CPU_USE_MSR_BITMAPS << 32, "MSR bitmaps"),
	F(proc, CPU_USE_IO_BITMAPS << 32, "I/O bitmaps"),
	F(proc, CPU_HLT_EXITING << 32, "HLT exiting"),
	F(proc2, CPU2_ENABLE_EPT << 32, "EPT"),
	F(proc2, CPU2_ENABLE_VPID << 32, "VPID"),
	F(proc2, CPU2_UNRESTRICTED_GUEST << 32, "unrestricted guest"),
	F(exit, EXIT_HOST_ADDRESS_SPACE_SIZE << 32, "64-bit host"),
	F(exit, EXIT_SAVE_IA32_EFER << 32, "EFER save/load on VM exit"),
	F(exit, EXIT_LOAD_IA32_EFER << 32, "EFER save/load on VM exit"),
	F(entry, ENTRY_LOAD_IA32_EFER << 32, "EFER load and IA-32e mode on VM entry"),
	F(entry, ENTRY_IA32E_MODE_GUEST << 32, "EFER load and IA-32e mode on VM entry"),
	F(ept_vpid, EPT_CAP_PAGE_WALK_4, "EPT 4-level page walk"),
	F(ept_vpid, EPT_CAP_MEMTYPE_WB, "EPT write-back memory type"),
	F(ept_vpid, EPT_CAP_INVEPT, "INVEPT single-context"),
	F(ept_vpid, EPT_CAP_INVEPT_SINGLE_CONTEXT, "INVEPT single-context"),
	F(ept_vpid, VPID_CAP_INVVPID, "INVVPID"),
	F(ept_vpid, VPID_CAP_INVVPID_INDIVIDUAL_ADDRESS, "INVVPID individual-address"),
	F(ept_vpid, VPID_CAP_INVVPID_SINGLE_CONTEXT, "INVVPID single-context"),
};

static void test_each_missing_feature_is_named(void **state)
{
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		struct vmx_msrs m = skylake();
		uint64_t *field = (uint64_t *)((char *)&m + features[i].field);
		assert_true(*field & features[i].bit); /* the test must remove something Skylake has */
		*field &= ~features[i].bit;
		if (vmx_caps_check(&m, buf, sizeof(buf)) || !strstr(buf, features[i].name))
			fail_msg("feature %zu (\"%s\") removed: got \"%s\"", i, features[i].name, buf);
	}
}

static void test_missing_msrs_and_early_stops(void **state)
{
	struct vmx_msrs m = skylake();
	m.cpuid1_ecx = 0;
	assert_false(vmx_caps_check(&m, buf, sizeof(buf)));
	assert_string_equal(buf, "VMX (CPUID.1:ECX[5])");

	/* without secondary controls nothing that depends on them is looked at */
	m = skylake();
	m.has_proc2 = false;
	assert_false(vmx_caps_check(&m, buf, sizeof(buf)));
	assert_string_equal(buf, "secondary processor-based controls");
	m = skylake();
	m.proc &= ~(CPU_ACTIVATE_SECONDARY_CONTROLS << 32);
	m.pin &= ~(PIN_VMX_PREEMPTION_TIMER << 32);
	assert_false(vmx_caps_check(&m, buf, sizeof(buf)));
	assert_string_equal(buf, "VMX preemption timer, secondary processor-based controls");

	m = skylake();
	m.has_ept_vpid = false;
	assert_false(vmx_caps_check(&m, buf, sizeof(buf)));
	assert_string_equal(buf, "IA32_VMX_EPT_VPID_CAP");

	m = skylake();
	m.basic = (m.basic & ~(0x1fffull << 32)) | (8192ull << 32);
	assert_false(vmx_caps_check(&m, buf, sizeof(buf)));
	assert_string_equal(buf, "a VMCS of at most 4 KiB (IA32_VMX_BASIC[44:32])");
}

static void test_several_missing_are_listed(void **state)
{
	struct vmx_msrs m = skylake();
	m.proc2 &= ~((CPU2_ENABLE_EPT | CPU2_ENABLE_VPID) << 32);
	m.ept_vpid &= ~VPID_CAP_INVVPID;
	assert_false(vmx_caps_check(&m, buf, sizeof(buf)));
	assert_string_equal(buf, "EPT, VPID, INVVPID");
}

static void test_short_buffer(void **state)
{
	struct vmx_msrs m = skylake();
	m.proc2 &= ~((CPU2_ENABLE_EPT | CPU2_ENABLE_VPID | CPU2_UNRESTRICTED_GUEST) << 32);
	char small[12];
	memset(small, 'x', sizeof(small));
	assert_false(vmx_caps_check(&m, small, sizeof(small)));
	assert_string_equal(small, "EPT, VPID, ");
	assert_false(vmx_caps_check(&m, small, 1));
	assert_string_equal(small, "");
	small[0] = 'x';
	assert_false(vmx_caps_check(&m, small, 0));
	assert_int_equal(small[0], 'x');
}

static void test_feature_control(void **state)
{
	assert_int_equal(vmx_feature_control_action(0x0), FC_SET_AND_LOCK); /* OVMF leaves it unlocked */
	assert_int_equal(vmx_feature_control_action(0x4), FC_SET_AND_LOCK);
	assert_int_equal(vmx_feature_control_action(0x2), FC_SET_AND_LOCK);
	assert_int_equal(vmx_feature_control_action(0x5), FC_OK);
	assert_int_equal(vmx_feature_control_action(0x7), FC_OK);
	assert_int_equal(vmx_feature_control_action(0xff07), FC_OK);
	assert_int_equal(vmx_feature_control_action(0x1), FC_REFUSE); /* locked, VMX off */
	assert_int_equal(vmx_feature_control_action(0x3), FC_REFUSE); /* locked, VMX only inside SMX */

	struct vmx_msrs m = skylake();
	m.feature_control = 0;
	assert_true(vmx_caps_check(&m, buf, sizeof(buf))); /* we set and lock it ourselves */
	m.feature_control = 0x1;
	assert_false(vmx_caps_check(&m, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "VMX enabled by firmware"));
}

static void test_adjust_controls(void **state)
{
	uint64_t pin = 0x0000007f00000016ull;
	/* required bits (allowed-0 = 1) are forced on, unsupported ones dropped */
	assert_int_equal(vmx_adjust_controls(pin, PIN_EXTERNAL_INTERRUPT_EXITING), 0x17);
	assert_int_equal(vmx_adjust_controls(pin, 1u << 7), 0x16);
	assert_true(vmx_control_allowed(pin, PIN_EXTERNAL_INTERRUPT_EXITING | PIN_VMX_PREEMPTION_TIMER));
	assert_false(vmx_control_allowed(pin, 1u << 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skylake_passes),
		cmocka_unit_test(test_other_bochs_models),
		cmocka_unit_test(test_penryn_fails),
		cmocka_unit_test(test_each_missing_feature_is_named),
		cmocka_unit_test(test_missing_msrs_and_early_stops),
		cmocka_unit_test(test_several_missing_are_listed),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_feature_control),
		cmocka_unit_test(test_adjust_controls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
