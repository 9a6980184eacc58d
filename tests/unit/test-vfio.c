// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/sys.h"
#include "lib/util.h"
#include "lib/vfio.h"

static void fdinfo(void **state)
{
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

	(void)state;
	a = vn_fdinfo_vfio_bdf(
		"pos:\t0\nflags:\t02\nvfio-device-syspath: "
		"/sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0\n");
	assert_string_equal(a, "0000:03:00.0");
	b = vn_fdinfo_vfio_bdf(
		"vfio-device-syspath: /sys/devices/x/0000:04:00.1");
	assert_string_equal(b, "0000:04:00.1");
	c = vn_fdinfo_vfio_bdf("pos:\t0\nflags:\t02\n");
	assert_null(c);
	/* Not at the start of a line: not the kernel's line. */
	d = vn_fdinfo_vfio_bdf(
		"xvfio-device-syspath: /sys/devices/x/0000:04:00.1");
	assert_null(d);
	assert_null(vn_fdinfo_vfio_bdf("vfio-device-syspath: /sys/devices/\n"));
}

static void devt(void **state)
{
	unsigned int ma, mi;

	(void)state;
	assert_int_equal(vn_parse_devt("510:3", &ma, &mi), 0);
	assert_int_equal(ma, 510);
	assert_int_equal(mi, 3);
	assert_int_equal(vn_parse_devt("510", &ma, &mi), -EBADMSG);
	assert_int_equal(vn_parse_devt("510:3x", &ma, &mi), -EBADMSG);
	assert_int_equal(vn_parse_devt("", &ma, &mi), -EBADMSG);
}

static void node_record(void **state)
{
	struct vn_node_info st;

	(void)state;
	assert_int_equal(vn_parse_node_record("char 510:0 0 5 0660\n", &st), 0);
	assert_true(st.present);
	assert_true(st.is_chr);
	assert_int_equal(st.major, 510);
	assert_int_equal(st.minor, 0);
	assert_int_equal(st.gid, 5);
	assert_int_equal(st.mode, 0660);
	assert_int_equal(vn_parse_node_record("block 8:0 0 6 0660", &st), 0);
	assert_false(st.is_chr);
	assert_int_equal(vn_parse_node_record("char 510:0 0 0", &st), -EINVAL);
	assert_int_equal(vn_parse_node_record("fifo 510:0 0 0 0600", &st),
			 -EINVAL);
	assert_int_equal(vn_parse_node_record("char 510:0 0 0 0600 x", &st),
			 -EINVAL);
}

static void cdev_text(void **state)
{
	(void)state;
	assert_null(vn_cdev_state_text(VN_CDEV_OK));
	assert_non_null(strstr(vn_cdev_state_text(VN_CDEV_NO_SUPPORT),
			       "VFIO_DEVICE_CDEV"));
	assert_non_null(
		strstr(vn_cdev_state_text(VN_CDEV_NOIOMMU_NONE), "7.3"));
}

static void holder_match(void **state)
{
	struct vn_dev dev = { .bdf = "0000:00:03.0",
			      .vfio_name = "noiommu-vfio0" };
	struct vn_holder by_fdinfo = { .target = "anon_inode:[vfio-device]",
				       .bdf = "0000:00:03.0" };
	struct vn_holder other = { .target = "anon_inode:[vfio-device]",
				   .bdf = "0000:00:04.0" };
	struct vn_holder anon = { .target = "anon_inode:[vfio-device]" };
	struct vn_holder cdev = { .target = "/dev/vfio/devices/noiommu-vfio0",
				  .chr = true,
				  .major = 510,
				  .minor = 0 };
	struct vn_holder group = { .target = "/dev/vfio/noiommu-0",
				   .chr = true,
				   .major = 511,
				   .minor = 0 };
	/* Holders are matched by device number, not by the path they used:
	 * a container's own /dev or a mknod copy is the same device... */
	struct vn_holder copy = { .target = "/var/lib/ct/dev/vfio/noiommu-0",
				  .chr = true,
				  .major = 511,
				  .minor = 0 };
	/* ...and a node at the same path with another number is not. */
	struct vn_holder stale = { .target = "/dev/vfio/devices/noiommu-vfio0",
				   .chr = true,
				   .major = 510,
				   .minor = 7 };

	(void)state;
	dev.cdev.path = "/dev/vfio/devices/noiommu-vfio0";
	dev.cdev.major = 510;
	dev.group.path = "/dev/vfio/noiommu-0";
	dev.group.major = 511;
	assert_int_equal(vn_holder_match(&by_fdinfo, &dev), VN_HOLD_YES);
	assert_int_equal(vn_holder_match(&other, &dev), VN_HOLD_NO);
	assert_int_equal(vn_holder_match(&anon, &dev), VN_HOLD_MAYBE);
	assert_int_equal(vn_holder_match(&cdev, &dev), VN_HOLD_YES);
	assert_int_equal(vn_holder_match(&group, &dev), VN_HOLD_YES);
	assert_int_equal(vn_holder_match(&copy, &dev), VN_HOLD_YES);
	assert_int_equal(vn_holder_match(&stale, &dev), VN_HOLD_NO);
	dev.vfio_name = NULL;
	dev.cdev.path = dev.group.path = NULL;
	assert_int_equal(vn_holder_match(&anon, &dev), VN_HOLD_NO);
	assert_int_equal(vn_holder_match(&copy, &dev), VN_HOLD_NO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fdinfo),	cmocka_unit_test(devt),
		cmocka_unit_test(node_record),	cmocka_unit_test(cdev_text),
		cmocka_unit_test(holder_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
