/* libFuzzer harness: vmx/cr_rules.c (the #GP(0) checks on a guest's CR0, CR4 and EFER writes). Input:
 * CR0, CR3, CR4, EFER, CR4 bits offered, the value written (8 bytes each), CS.L and which register
 * (1 byte each). Checks that an accepted CR0 never holds what the SDM forbids (bits 63:32, PG without
 * PE, NW without CD), and that an accepted CR4 stays inside the bits offered. */
#include "fuzz.h"
#include "x86.h"
#include "vmx/cr_rules.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct cr_state s;
	u64 value;
	u8 cs_l, which;
	fuzz_take(&data, &size, &s.cr0, 8);
	fuzz_take(&data, &size, &s.cr3, 8);
	fuzz_take(&data, &size, &s.cr4, 8);
	fuzz_take(&data, &size, &s.efer, 8);
	fuzz_take(&data, &size, &s.cr4_allowed, 8);
	fuzz_take(&data, &size, &value, 8);
	fuzz_take(&data, &size, &cs_l, 1);
	fuzz_take(&data, &size, &which, 1);
	s.cs_l = cs_l & 1;
	switch (which % 3) {
	case 0: {
		u64 out;
		if (cr0_write_check(&s, value, &out)) {
			FUZZ_CHECK(!(out >> 32));
			FUZZ_CHECK(!(out & CR0_PG) || (out & CR0_PE));
			FUZZ_CHECK(!(out & CR0_NW) || (out & CR0_CD));
			FUZZ_CHECK(!(out & ~CR0_DEFINED));
			efer_after_cr0(s.efer, s.cr0, out);
		}
		break;
	}
	case 1:
		if (cr4_write_check(&s, value))
			FUZZ_CHECK(!(value & ~s.cr4_allowed));
		break;
	case 2:
		efer_write_check(&s, value);
		break;
	}
	return 0;
}
