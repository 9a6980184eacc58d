// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/bdf.h"
#include "lib/util.h"

static void canonical_forms(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "0000:03:00.0", "0000:03:00.0" },
		{ "03:00.0", "0000:03:00.0" },
		{ "3:0.1", "0000:03:00.1" },
		{ "0000:AB:1f.7", "0000:ab:1f.7" },
		{ "10000:00:00.0", "10000:00:00.0" },
		{ "ffff:ff:1f.7", "ffff:ff:1f.7" },
	};
	char buf[VN_BDF_MAX];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(vn_bdf_canonical(ok[i].in, buf), 0);
		assert_string_equal(buf, ok[i].out);
	}
}

static void malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"0000",
		"00:00",
		"00:00.",
		"0000:00:00.8",
		"00:20.0",
		"000:00:00:00.0",
		"0000:000:00.0",
		"0000:00:000.0",
		"0000:00:00.00",
		"g0:00.0",
		" 00:00.0",
		"00:00.0 ",
		"0x00:00.0",
		"00:00.0\n",
		"123456789:00:00.0",
		"00-00.0",
		"../00:00.0",
	};
	struct vn_bdf bdf;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(vn_bdf_parse(bad[i], &bdf), -EINVAL);
	assert_int_equal(vn_bdf_parse(NULL, &bdf), -EINVAL);
}

static void fields(void **state)
{
	struct vn_bdf bdf;

	(void)state;
	assert_int_equal(vn_bdf_parse("0001:82:1e.5", &bdf), 0);
	assert_int_equal(bdf.domain, 1);
	assert_int_equal(bdf.bus, 0x82);
	assert_int_equal(bdf.dev, 0x1e);
	assert_int_equal(bdf.fn, 5);
}

static void ids(void **state)
{
	unsigned int v, d;

	(void)state;
	assert_int_equal(vn_id_parse("8086:10d3", &v, &d), 0);
	assert_int_equal(v, 0x8086);
	assert_int_equal(d, 0x10d3);
	assert_int_equal(vn_id_parse("1234:11E8", &v, &d), 0);
	assert_int_equal(d, 0x11e8);
	assert_int_equal(vn_id_parse("8086:10d", &v, &d), -EINVAL);
	assert_int_equal(vn_id_parse("8086:10d30", &v, &d), -EINVAL);
	assert_int_equal(vn_id_parse("808:10d3", &v, &d), -EINVAL);
	assert_int_equal(vn_id_parse("8086-10d3", &v, &d), -EINVAL);
	assert_int_equal(vn_id_parse("00:03.0", &v, &d), -EINVAL);
}

static void paths(void **state)
{
	(void)state;
	assert_true(vn_arg_is_path("/sys/bus/pci/devices/0000:00:03.0"));
	assert_true(vn_arg_is_path("../0000:00:03.0"));
	assert_true(vn_arg_is_path(".."));
	assert_true(vn_arg_is_path("."));
	assert_true(vn_arg_is_path("dev/vfio/0"));
	assert_false(vn_arg_is_path("0000:00:03.0"));
	assert_false(vn_arg_is_path("8086:10d3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canonical_forms), cmocka_unit_test(malformed),
		cmocka_unit_test(fields),	   cmocka_unit_test(ids),
		cmocka_unit_test(paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
