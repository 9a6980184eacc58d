// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/kernel.h"
#include "lib/util.h"

static void kconfig_lines(void **state)
{
	char name[64], value[64];

	(void)state;
	assert_int_equal(vn_kconfig_parse_line("CONFIG_VFIO=m\n", name,
					       sizeof(name), value,
					       sizeof(value)),
			 1);
	assert_string_equal(name, "VFIO");
	assert_string_equal(value, "m");
	assert_int_equal(
		vn_kconfig_parse_line("# CONFIG_VFIO_NOIOMMU is not set", name,
				      sizeof(name), value, sizeof(value)),
		1);
	assert_string_equal(name, "VFIO_NOIOMMU");
	assert_string_equal(value, "n");
	assert_int_equal(vn_kconfig_parse_line("CONFIG_LOCALVERSION=\"-x\"",
					       name, sizeof(name), value,
					       sizeof(value)),
			 1);
	assert_string_equal(value, "\"-x\"");
	assert_int_equal(vn_kconfig_parse_line("#", name, sizeof(name), value,
					       sizeof(value)),
			 0);
	assert_int_equal(vn_kconfig_parse_line("# Automatically generated",
					       name, sizeof(name), value,
					       sizeof(value)),
			 0);
	assert_int_equal(vn_kconfig_parse_line("CONFIG_=y", name, sizeof(name),
					       value, sizeof(value)),
			 0);
}

static void kconfig_get(void **state)
{
	char *syms[] = { "VFIO=m", "VFIO_NOIOMMU=n", "IOMMUFD=y", NULL };
	struct vn_kconfig kc = { .source = "/x", .syms = syms };
	struct vn_kconfig none = { 0 };

	(void)state;
	assert_int_equal(vn_kconfig_get(&kc, "VFIO"), 'm');
	assert_int_equal(vn_kconfig_get(&kc, "VFIO_NOIOMMU"), 'n');
	assert_int_equal(vn_kconfig_get(&kc, "IOMMUFD"), 'y');
	assert_int_equal(vn_kconfig_get(&kc, "VFIO_GROUP"), 'n');
	assert_int_equal(vn_kconfig_get(&kc, "VFI"), 'n');
	assert_int_equal(vn_kconfig_get(&none, "VFIO"), '?');
}

static void proc_devices(void **state)
{
	const char *text = "Character devices:\n  1 mem\n 10 misc\n"
			   "510 vfio-dev\n511 vfio\n\nBlock devices:\n"
			   "511 vfio\n";

	(void)state;
	assert_int_equal(vn_parse_proc_devices(text, "vfio"), 511);
	assert_int_equal(vn_parse_proc_devices(text, "vfio-dev"), 510);
	assert_int_equal(vn_parse_proc_devices(text, "vfi"), -ENOENT);
	/* A block region of the same name does not count. */
	assert_int_equal(vn_parse_proc_devices("Character devices:\n  1 mem\n\n"
					       "Block devices:\n511 vfio\n",
					       "vfio"),
			 -ENOENT);
}

static void proc_misc(void **state)
{
	const char *text = "124 iommu\n196 vfio\n183 hw_random\n";

	(void)state;
	assert_int_equal(vn_parse_proc_misc(text, "vfio"), 196);
	assert_int_equal(vn_parse_proc_misc(text, "iommu"), 124);
	assert_int_equal(vn_parse_proc_misc(text, "hw"), -ENOENT);
	assert_int_equal(vn_parse_proc_misc("", "vfio"), -ENOENT);
}

static void release(void **state)
{
	(void)state;
	assert_true(vn_release_at_least("7.3.4+deb13-amd64", 7, 3));
	assert_true(vn_release_at_least("7.10.0", 7, 3));
	assert_true(vn_release_at_least("8.0.0", 7, 3));
	assert_false(vn_release_at_least("6.12.57", 7, 3));
	assert_false(vn_release_at_least("7.2.12", 7, 3));
	assert_false(vn_release_at_least("garbage", 7, 3));
	assert_false(vn_release_at_least(NULL, 7, 3));
}

static void paths(void **state)
{
	struct vn_caps c = { 0 };

	(void)state;
	c.noiommu_group.value = VN_YES;
	c.noiommu_cdev.value = VN_YES;
	assert_int_equal(vn_caps_paths(&c), VN_PATHS_BOTH);
	c.noiommu_cdev.value = VN_NO;
	assert_int_equal(vn_caps_paths(&c), VN_PATHS_GROUP);
	c.noiommu_group.value = VN_NO;
	assert_int_equal(vn_caps_paths(&c), VN_PATHS_NONE);
	c.noiommu_cdev.value = VN_YES;
	assert_int_equal(vn_caps_paths(&c), VN_PATHS_CDEV);
	c.noiommu_group.value = VN_UNKNOWN;
	assert_int_equal(vn_caps_paths(&c), VN_PATHS_UNKNOWN);
	assert_string_equal(vn_paths_name(VN_PATHS_CDEV), "cdev");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kconfig_lines), cmocka_unit_test(kconfig_get),
		cmocka_unit_test(proc_devices),	 cmocka_unit_test(proc_misc),
		cmocka_unit_test(release),	 cmocka_unit_test(paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
