// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/smoke.h"
#include "lib/util.h"

static void pagemap(void **state)
{
	uint64_t pa;

	(void)state;
	/* present, pfn 0x12a4f, offset 0x123 into a 4 KiB page */
	assert_int_equal(vn_pagemap_pa((1ULL << 63) | 0x12a4f, 0x7f0000000123,
				       4096, &pa),
			 0);
	assert_int_equal(pa, 0x12a4f123);
	/* soft-dirty and exclusive bits (55, 56) are not part of the PFN */
	assert_int_equal(vn_pagemap_pa((1ULL << 63) | (1ULL << 55) |
					       (1ULL << 56) | 7,
				       0x1000, 4096, &pa),
			 0);
	assert_int_equal(pa, 7 * 4096);
	assert_int_equal(vn_pagemap_pa(0x12a4f, 0, 4096, &pa), -ENOENT);
	/* present but PFN zero: hidden without CAP_SYS_ADMIN */
	assert_int_equal(vn_pagemap_pa(1ULL << 63, 0, 4096, &pa), -EPERM);
}

static void explanations(void **state)
{
	(void)state;
	assert_non_null(strstr(
		vn_smoke_explain(VN_PATH_CDEV_NOIOMMU,
				 "open /dev/vfio/devices/noiommu-vfio0", EPERM),
		"CAP_SYS_RAWIO"));
	assert_non_null(
		strstr(vn_smoke_explain(VN_PATH_CDEV_NOIOMMU,
					"VFIO_DEVICE_BIND_IOMMUFD", EBUSY),
		       "group node is open"));
	assert_non_null(strstr(
		vn_smoke_explain(VN_PATH_CDEV_NOIOMMU,
				 "IOMMU_IOAS_MAP 2048 KiB at iova 0x100000",
				 ENOMEM),
		"RLIMIT_MEMLOCK"));
	assert_non_null(
		strstr(vn_smoke_explain(VN_PATH_GROUP_NOIOMMU,
					"VFIO_SET_IOMMU(NOIOMMU)", ENODEV),
		       "switched off"));
	assert_non_null(
		strstr(vn_smoke_explain(VN_PATH_GROUP_NOIOMMU,
					"VFIO_CHECK_EXTENSION(NOIOMMU)", 0),
		       "only while"));
	assert_non_null(
		strstr(vn_smoke_explain(VN_PATH_GROUP_NOIOMMU,
					"open /dev/vfio/noiommu-0", EBUSY),
		       "open elsewhere"));
	assert_null(vn_smoke_explain(VN_PATH_CDEV_IOMMU, "VFIO_DEVICE_GET_INFO",
				     EIO));
}

static void choose(void **state)
{
	struct vn_dev d = { .bdf = "0000:00:03.0",
			    .vfio_name = "noiommu-vfio0" };
	enum vn_smoke_path p;
	const char *why;

	(void)state;
	d.noiommu = true;
	d.cdev_state = VN_CDEV_OK;
	d.cdev.path = "/dev/vfio/devices/noiommu-vfio0";
	d.group.path = "/dev/vfio/noiommu-0";
	d.group.st.present = true;
	assert_int_equal(vn_smoke_choose(&d, -1, &p, &why), 0);
	assert_int_equal(p, VN_PATH_CDEV_NOIOMMU);
	assert_int_equal(vn_smoke_choose(&d, 1, &p, &why), 0);
	assert_int_equal(p, VN_PATH_GROUP_NOIOMMU);
	/* 6.12: group only; asking for the cdev explains why not */
	d.cdev_state = VN_CDEV_NOIOMMU_NONE;
	d.cdev.path = NULL;
	assert_int_equal(vn_smoke_choose(&d, -1, &p, &why), 0);
	assert_int_equal(p, VN_PATH_GROUP_NOIOMMU);
	assert_int_equal(vn_smoke_choose(&d, 0, &p, &why), -ENODEV);
	assert_non_null(strstr(why, "7.3"));
	/* cdev-only kernel: no group */
	d.cdev_state = VN_CDEV_OK;
	d.group.path = NULL;
	assert_int_equal(vn_smoke_choose(&d, 1, &p, &why), -ENODEV);
	assert_non_null(strstr(why, "VFIO_GROUP=n"));
	d.noiommu = false;
	assert_int_equal(vn_smoke_choose(&d, -1, &p, &why), 0);
	assert_int_equal(p, VN_PATH_CDEV_IOMMU);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pagemap),
		cmocka_unit_test(explanations),
		cmocka_unit_test(choose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
