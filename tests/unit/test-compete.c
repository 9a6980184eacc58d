// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-pci's ids= as src/lib/compete.c reads it (drivers/vfio/pci/
 * vfio_pci.c, vfio_pci_fill_ids: vendor:device[:subvendor:subdevice[:
 * class:class_mask]], hex, ffffffff for any). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/compete.h"

static void ids_param(void **unused)
{
	struct vn_dev d = { .vendor = 0x8086,
			    .device = 0x10d3,
			    .subvendor = 0x8086,
			    .subdevice = 0x0000,
			    .class_code = 0x020000 };

	(void)unused;
	assert_true(vn_ids_param_match("8086:10d3", &d));
	assert_true(vn_ids_param_match("1234:11e8,8086:10d3", &d));
	assert_false(vn_ids_param_match("8086:10d4", &d));
	assert_true(vn_ids_param_match("8086:ffffffff", &d));
	assert_true(vn_ids_param_match("8086:10d3:8086:0", &d));
	assert_false(vn_ids_param_match("8086:10d3:1af4:1100", &d));
	/* class and mask: network (0x02) only */
	assert_true(vn_ids_param_match(
		"ffffffff:ffffffff:ffffffff:ffffffff:020000:ff0000", &d));
	assert_false(vn_ids_param_match(
		"ffffffff:ffffffff:ffffffff:ffffffff:010000:ff0000", &d));
	assert_false(vn_ids_param_match("", &d));
	assert_false(vn_ids_param_match("8086", &d));
	assert_false(vn_ids_param_match(NULL, &d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_param),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
