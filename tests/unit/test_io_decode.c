/* vmx/io_decode.c: I/O exit qualification and INS/OUTS instruction information (SDM vol. 3, 27.2.1
 * and 27.2.5), and the rSI/rDI/rCX arithmetic of string I/O under each address size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/io_decode.h"

#define Q_IN (1u << 3)
#define Q_STRING (1u << 4)
#define Q_REP (1u << 5)
#define Q_IMM (1u << 6)
#define Q_PORT(p) ((u64)(p) << 16)
#define INFO(asz, seg) (((u32)(asz) << 7) | ((u32)(seg) << 15))

static void test_plain_in_out(void **state)
{
	struct io_exit e;
	assert_true(io_exit_decode(Q_PORT(0x3f8), 0xdeadbeef, &e)); /* out dx, al */
	assert_int_equal(e.port, 0x3f8);
	assert_int_equal(e.size, 1);
	assert_false(e.in);
	assert_false(e.string);
	assert_false(e.rep);
	assert_true(io_exit_decode(Q_PORT(0x71) | 3 | Q_IN | Q_IMM, 0, &e)); /* in eax, 0x71 */
	assert_int_equal(e.port, 0x71);
	assert_int_equal(e.size, 4);
	assert_true(e.in);
	assert_true(io_exit_decode(Q_PORT(0xcfc) | 1, 0, &e));
	assert_int_equal(e.size, 2);
	/* Upper qualification bits (63:32) are ignored; the port is 31:16. */
	assert_true(io_exit_decode(0xffffffff00000000ull | Q_PORT(0xffff), 0, &e));
	assert_int_equal(e.port, 0xffff);
}

static void test_string_forms(void **state)
{
	struct io_exit e;
	/* rep outsb, 64-bit addresses, DS */
	assert_true(io_exit_decode(Q_PORT(0x3f8) | Q_STRING | Q_REP, INFO(2, IO_SEG_DS), &e));
	assert_true(e.string);
	assert_true(e.rep);
	assert_false(e.in);
	assert_int_equal(e.addr_size, 8);
	assert_int_equal(e.seg, IO_SEG_DS);
	/* fs outsw with a 32-bit address */
	assert_true(io_exit_decode(Q_PORT(0x80) | 1 | Q_STRING, INFO(1, IO_SEG_FS), &e));
	assert_int_equal(e.addr_size, 4);
	assert_int_equal(e.seg, IO_SEG_FS);
	assert_false(e.rep);
	/* insd with a 16-bit address: always ES, whatever the (undefined) segment field holds */
	assert_true(io_exit_decode(Q_PORT(0x60) | 3 | Q_IN | Q_STRING, INFO(0, 7), &e));
	assert_int_equal(e.size, 4);
	assert_int_equal(e.addr_size, 2);
	assert_int_equal(e.seg, IO_SEG_ES);
	/* Non-string exits ignore the instruction-information field entirely. */
	assert_true(io_exit_decode(Q_PORT(0x20), INFO(3, 7), &e));
}

static void test_undefined_encodings(void **state)
{
	struct io_exit e;
	assert_false(io_exit_decode(Q_PORT(0x3f8) | 2, 0, &e));                          /* size code 2 */
	assert_false(io_exit_decode(Q_PORT(0x3f8) | 4, 0, &e));
	assert_false(io_exit_decode(Q_PORT(0x3f8) | Q_STRING, INFO(3, IO_SEG_DS), &e));  /* address size 3 */
	assert_false(io_exit_decode(Q_PORT(0x3f8) | Q_STRING, INFO(2, 6), &e));          /* OUTS, segment 6 */
}

static void test_count(void **state)
{
	struct io_exit e;
	assert_true(io_exit_decode(Q_PORT(0x3f8) | Q_STRING | Q_REP, INFO(1, IO_SEG_DS), &e));
	assert_int_equal(io_string_count(&e, 0x100000005ull), 5);   /* ECX only */
	e.addr_size = 2;
	assert_int_equal(io_string_count(&e, 0x10000), 0);          /* CX = 0: nothing to do */
	e.addr_size = 8;
	assert_int_equal(io_string_count(&e, 0x100000005ull), 0x100000005ull);
	e.rep = false;
	assert_int_equal(io_string_count(&e, 0), 1);                /* no REP: once, RCX ignored */
}

static void test_offset_and_linear(void **state)
{
	struct io_exit e;
	assert_true(io_exit_decode(Q_PORT(0x3f8) | Q_STRING, INFO(1, IO_SEG_DS), &e));
	assert_int_equal(io_string_offset(&e, 0xaaaa00001234ull, 0xbbbb00005678ull), 0x1234); /* OUTS: ESI */
	assert_true(io_exit_decode(Q_PORT(0x3f8) | Q_STRING | Q_IN, INFO(0, 0), &e));
	assert_int_equal(io_string_offset(&e, 0x1234, 0xbbbb00015678ull), 0x5678);            /* INS: DI */
	assert_int_equal(io_string_linear(0xffff0000, 0x20000, false), 0x10000);  /* 32-bit wrap */
	assert_int_equal(io_string_linear(0xffff0000, 0x20000, true), 0x100010000ull);
	assert_int_equal(io_string_linear(0, 0xffff800000001000ull, true), 0xffff800000001000ull);
}

static void test_reg_add(void **state)
{
	assert_int_equal(io_reg_add(0x12340000ffffull, 2, 1), 0x123400000000ull);   /* SI wraps, upper kept */
	assert_int_equal(io_reg_add(0x123400000000ull, 2, -1), 0x12340000ffffull);
	assert_int_equal(io_reg_add(0xffffffffffffffffull, 4, 1), 0);               /* ESI wraps, zero-extended */
	assert_int_equal(io_reg_add(0x100000000ull, 4, -1), 0xffffffffull);
	assert_int_equal(io_reg_add(0x1000, 8, -4), 0xffc);                          /* DF = 1, dword */
	assert_int_equal(io_reg_add(0xfffffffffffffffeull, 8, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_in_out),
		cmocka_unit_test(test_string_forms),
		cmocka_unit_test(test_undefined_encodings),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_offset_and_linear),
		cmocka_unit_test(test_reg_add),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
