#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/cursor.h"

static void reads_both_endiannesses(void **state)
{
	(void)state;
	const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct fv_cur c = fv_cur_make(b, sizeof b);
	assert_int_equal(fv_cur_le16(&c), 0x0201);
	assert_int_equal(fv_cur_be16(&c), 0x0304);
	assert_int_equal(fv_cur_le32(&c), 0x08070605);
	assert_true(fv_cur_ok(&c));
	assert_int_equal(fv_cur_left(&c), 0);
	c = fv_cur_make(b, sizeof b);
	assert_true(fv_cur_be64(&c) == 0x0102030405060708ULL);
	c = fv_cur_make(b, sizeof b);
	assert_true(fv_cur_u32e(&c, 1) == 0x01020304);
	assert_true(fv_cur_u32e(&c, 0) == 0x08070605);
}

static void errors_are_sticky(void **state)
{
	(void)state;
	const uint8_t b[] = { 0xAA, 0xBB, 0xCC };
	struct fv_cur c = fv_cur_make(b, sizeof b);
	assert_int_equal(fv_cur_le32(&c), 0); /* only 3 bytes */
	assert_false(fv_cur_ok(&c));
	assert_int_equal(c.pos, 0);
	/* Even a read that would fit fails once the cursor has failed. */
	assert_int_equal(fv_cur_u8(&c), 0);
	assert_null(fv_cur_bytes(&c, 1));
}

static void lengths_are_checked_without_overflow(void **state)
{
	(void)state;
	const uint8_t b[16] = { 0 };
	struct fv_cur c = fv_cur_make(b, sizeof b);
	assert_true(fv_cur_skip(&c, 10));
	assert_null(fv_cur_bytes(&c, SIZE_MAX)); /* pos + n would wrap */
	assert_false(fv_cur_ok(&c));
	c = fv_cur_make(b, sizeof b);
	assert_false(fv_cur_seek(&c, 17));
	c = fv_cur_make(b, sizeof b);
	assert_true(fv_cur_seek(&c, 16));
	assert_int_equal(fv_cur_left(&c), 0);
}

static void sub_cursors_are_bounded(void **state)
{
	(void)state;
	const uint8_t b[] = { 1, 2, 3, 4, 5, 6 };
	struct fv_cur c = fv_cur_make(b, sizeof b);
	fv_cur_u8(&c);
	struct fv_cur s = fv_cur_sub(&c, 2);
	assert_int_equal(fv_cur_be16(&s), 0x0203);
	assert_int_equal(fv_cur_u8(&s), 0);
	assert_false(fv_cur_ok(&s));
	assert_true(fv_cur_ok(&c));
	assert_int_equal(fv_cur_u8(&c), 4);
	struct fv_cur bad = fv_cur_sub(&c, 100);
	assert_false(fv_cur_ok(&bad));
	assert_false(fv_cur_ok(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_both_endiannesses),
		cmocka_unit_test(errors_are_sticky),
		cmocka_unit_test(lengths_are_checked_without_overflow),
		cmocka_unit_test(sub_cursors_are_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
