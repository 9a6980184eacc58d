// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/cmdline.h"
#include "lib/taint.h"
#include "lib/util.h"

static void split(void **state)
{
	_cleanup_strv_ char **w = NULL;

	(void)state;
	assert_int_equal(
		vn_cmdline_split("  BOOT_IMAGE=/vmlinuz root=UUID=x "
				 "dyndbg=\"file foo.c +p\" \"a b=c d\" "
				 "quiet -- init-arg panic_on_taint=0x40",
				 &w),
		0);
	assert_int_equal(strv_len(w), 5);
	assert_string_equal(w[0], "BOOT_IMAGE=/vmlinuz");
	assert_string_equal(w[1], "root=UUID=x");
	assert_string_equal(w[2], "dyndbg=file foo.c +p");
	assert_string_equal(w[3], "a b=c d");
	assert_string_equal(w[4], "quiet");
}

static void find_last_and_dashes(void **state)
{
	_cleanup_strv_ char **w = NULL;
	const char *v = "unset";

	(void)state;
	assert_int_equal(vn_cmdline_split("vfio.enable_unsafe_noiommu_mode=0 "
					  "vfio.enable-unsafe-noiommu-mode=1 "
					  "quiet panic_on_taint_x=1",
					  &w),
			 0);
	assert_int_equal(
		vn_cmdline_find(w, "vfio.enable_unsafe_noiommu_mode", &v), 1);
	assert_string_equal(v, "1");
	assert_int_equal(vn_cmdline_find(w, "quiet", &v), 1);
	assert_null(v);
	assert_int_equal(vn_cmdline_find(w, "panic_on_taint", &v), 0);
	assert_int_equal(vn_cmdline_find(w, "qui", &v), 0);
}

static void panic_on_taint(void **state)
{
	unsigned long mask;
	bool nouser;

	(void)state;
	assert_int_equal(vn_parse_panic_on_taint("0x40", &mask, &nouser), 0);
	assert_int_equal(mask, 0x40);
	assert_false(nouser);
	assert_int_equal(
		vn_parse_panic_on_taint("40,nousertaint", &mask, &nouser), 0);
	assert_int_equal(mask, 0x40);
	assert_true(nouser);
	assert_int_equal(vn_parse_panic_on_taint("0x240,other", &mask, &nouser),
			 0);
	assert_int_equal(mask, 0x240);
	assert_false(nouser);
	/* Bits beyond the known flags are masked off; zero is refused. */
	assert_int_equal(vn_parse_panic_on_taint("0x100000", &mask, &nouser),
			 -EINVAL);
	assert_int_equal(vn_parse_panic_on_taint("0", &mask, &nouser), -EINVAL);
	assert_int_equal(vn_parse_panic_on_taint("zz", &mask, &nouser),
			 -EINVAL);
	assert_int_equal(vn_parse_panic_on_taint("", &mask, &nouser), -EINVAL);
	assert_int_equal(vn_parse_panic_on_taint(NULL, &mask, &nouser),
			 -EINVAL);
	assert_int_equal(vn_parse_panic_on_taint("fffff", &mask, &nouser), 0);
	assert_int_equal(mask, VN_TAINT_ALL);
}

static void name_eq(void **state)
{
	(void)state;
	assert_true(vn_param_name_eq("a-b_c", "a_b-c", 5));
	assert_false(vn_param_name_eq("a-b", "a.b", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split),
		cmocka_unit_test(find_last_and_dashes),
		cmocka_unit_test(panic_on_taint),
		cmocka_unit_test(name_eq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
