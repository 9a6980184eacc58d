// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/kmsg.h"
#include "lib/taint.h"
#include "lib/util.h"

static void record(void **state)
{
	struct vn_kmsg_rec r;

	(void)state;
	assert_int_equal(
		vn_kmsg_parse_record("4,812,61000100,-;vfio-pci 0000:00:03.0: "
				     "Adding kernel taint for vfio-noiommu "
				     "group on device\n SUBSYSTEM=pci\n"
				     " DEVICE=+pci:0000:00:03.0\n",
				     &r),
		0);
	assert_int_equal(r.prio, 4);
	assert_int_equal(r.seq, 812);
	assert_int_equal(r.usec, 61000100);
	assert_string_equal(r.msg,
			    "vfio-pci 0000:00:03.0: Adding kernel taint for "
			    "vfio-noiommu group on device");
	assert_string_equal(r.device, "+pci:0000:00:03.0");
	vn_kmsg_rec_clear(&r);

	/* 5.x+ kernels add a caller field after the flags. */
	assert_int_equal(vn_kmsg_parse_record(
				 "6,2,5,c,caller=T1;msg with ; semicolon", &r),
			 0);
	assert_string_equal(r.msg, "msg with ; semicolon");
	assert_null(r.device);
	vn_kmsg_rec_clear(&r);

	/* Escaped bytes stay as the kernel wrote them. */
	assert_int_equal(vn_kmsg_parse_record("6,3,5,-;tab\\x09here", &r), 0);
	assert_string_equal(r.msg, "tab\\x09here");
	vn_kmsg_rec_clear(&r);
}

static void not_records(void **state)
{
	static const char *const bad[] = {
		"",
		"4,812",
		"4,812,61000100",
		"4,812,61000100,-", /* truncated */
		"x,1,2,-;m",
		" SUBSYSTEM=pci",
		"4,1,2,-\n;m",
	};
	struct vn_kmsg_rec r;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(vn_kmsg_parse_record(bad[i], &r), -EBADMSG);
}

static void syslog_line(void **state)
{
	struct vn_kmsg_rec r;

	(void)state;
	assert_int_equal(vn_kmsg_parse_syslog_line(
				 "<4>[   61.000100] vfio-pci 0000:00:03.0: x",
				 &r),
			 0);
	assert_int_equal(r.prio, 4);
	assert_int_equal(r.usec, 61000100);
	assert_string_equal(r.msg, "vfio-pci 0000:00:03.0: x");
	vn_kmsg_rec_clear(&r);
	assert_int_equal(vn_kmsg_parse_syslog_line("[   61.000100] no prio",
						   &r),
			 -EBADMSG);
}

static void matchers(void **state)
{
	char bdf[24], comm[32];
	char *drv = NULL, *user = NULL;
	unsigned int mode;
	int pid;

	(void)state;
	assert_int_equal(vn_kmsg_match_taint(
				 "vfio-pci 0000:00:03.0: Adding kernel taint "
				 "for vfio-noiommu group on device",
				 bdf, sizeof(bdf), &drv, &mode),
			 1);
	assert_string_equal(bdf, "0000:00:03.0");
	assert_string_equal(drv, "vfio-pci");
	assert_int_equal(mode, VN_ATTR_GROUP);
	free(drv);
	assert_int_equal(
		vn_kmsg_match_taint("mlx5_vfio_pci 0000:81:00.2: Adding kernel "
				    "taint for vfio-noiommu cdev",
				    bdf, sizeof(bdf), &drv, &mode),
		1);
	assert_string_equal(drv, "mlx5_vfio_pci");
	assert_int_equal(mode, VN_ATTR_CDEV);
	free(drv);
	/* Other drivers' lines, near misses, no prefix. */
	assert_int_equal(
		vn_kmsg_match_taint("e1000e 0000:00:02.0 eth0: NIC Link is Up",
				    bdf, sizeof(bdf), &drv, &mode),
		0);
	assert_int_equal(vn_kmsg_match_taint(
				 "vfio-pci 0000:00:03.0: Adding kernel taint "
				 "for vfio-noiommu groupie",
				 bdf, sizeof(bdf), &drv, &mode),
			 0);
	assert_int_equal(
		vn_kmsg_match_taint("Adding kernel taint for vfio-noiommu cdev",
				    bdf, sizeof(bdf), &drv, &mode),
		0);
	assert_int_equal(
		vn_kmsg_match_open("vfio-pci 0000:00:03.0: vfio-noiommu device "
				   "opened by user (testpmd:4121)",
				   bdf, sizeof(bdf), comm, sizeof(comm), &pid),
		1);
	assert_string_equal(comm, "testpmd");
	assert_int_equal(pid, 4121);
	assert_int_equal(
		vn_kmsg_match_open("vfio-pci 0000:00:03.0: vfio-noiommu device "
				   "opened by user (a:b:7)",
				   bdf, sizeof(bdf), comm, sizeof(comm), &pid),
		1);
	assert_string_equal(comm, "a:b");
	assert_int_equal(vn_kmsg_match_audit(
				 "vfio-noiommuctl[9]: bind 0000:00:03.0 "
				 "(1234:11e8) x -> vfio-pci by bob (uid 1000)",
				 bdf, sizeof(bdf), &user),
			 1);
	assert_string_equal(user, "bob (uid 1000)");
	free(user);
	assert_int_equal(vn_kmsg_match_audit(
				 "vfio-noiommuctl[9]: unbind 0000:00:03.0 by x",
				 bdf, sizeof(bdf), &user),
			 0);
}

static void attribute(void **state)
{
	struct vn_kmsg_rec recs[] = {
		{ .usec = 10,
		  .msg = "vfio-pci 0000:00:03.0: Adding kernel taint for "
			 "vfio-noiommu group on device" },
		{ .usec = 11,
		  .msg = "vfio-pci 0000:00:03.0: Adding kernel taint for "
			 "vfio-noiommu cdev" },
		{ .usec = 12,
		  .msg = "vfio-noiommuctl[1]: bind 0000:00:03.0 (1:2) a -> "
			 "vfio-pci by carol (uid 0)" },
		{ .usec = 20,
		  .msg = "vfio-pci 0000:00:04.0: Adding kernel taint for "
			 "vfio-noiommu group on device" },
		/* the first device again, later: a second bind */
		{ .usec = 30,
		  .msg = "vfio-pci 0000:00:03.0: Adding kernel taint for "
			 "vfio-noiommu group on device" },
		{ .usec = 40,
		  .msg = "vfio-pci 0000:00:04.0: vfio-noiommu device opened "
			 "by user (app:77)" },
	};
	struct vn_kmsg log = { .v = recs, .n = ARRAY_SIZE(recs) };
	struct vn_attribution a;

	(void)state;
	assert_int_equal(vn_taint_attribute(&log, &a), 0);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.v[0].bdf, "0000:00:03.0");
	assert_int_equal(a.v[0].modes, VN_ATTR_GROUP | VN_ATTR_CDEV);
	assert_int_equal(a.v[0].lines, 2);
	assert_int_equal(a.v[0].usec, 10);
	assert_string_equal(a.v[0].user, "carol (uid 0)");
	assert_int_equal(a.v[1].modes, VN_ATTR_GROUP);
	assert_null(a.v[1].user);
	assert_int_equal(a.v[2].usec, 30);
	assert_int_equal(a.nopens, 1);
	assert_int_equal(a.opens[0].pid, 77);
	/* Known from the state: added once, not twice. */
	assert_int_equal(vn_attribution_add_current(&a, "0000:00:04.0",
						    VN_ATTR_GROUP),
			 0);
	assert_int_equal(a.n, 3);
	assert_int_equal(vn_attribution_add_current(&a, "0000:00:05.0",
						    VN_ATTR_CDEV),
			 0);
	assert_int_equal(a.n, 4);
	assert_false(a.v[3].from_log);
	vn_attribution_clear(&a);
}

static void parse_values(void **state)
{
	static const struct {
		const char *in;
		unsigned long mask;
	} ok[] = {
		{ "64", 64 },
		{ "0x40", 64 },
		{ " 64 \n", 64 },
		{ "0100", 100 }, /* decimal, not octal */
		{ "Not tainted", 0 },
		{ "Tainted: G     U             ", 64 },
		{ "Tainted: P        W  O      ", 1 | 512 | 4096 },
		{ "Tainted: G U W", 64 | 512 },
		{ "CPU: 0 PID: 1 Comm: swapper/0 Tainted: G        W          6.1.0-13-amd64 #1 Debian",
		  512 },
		{ "CPU: 0 UID: 0 PID: 1 Comm: x Not tainted 6.12.9 #1", 0 },
		{ "Tainted: [U]=USER, [W]=WARN", 64 | 512 },
		{ "[O]=OOT_MODULE", 4096 },
		{ "Tainted: PFSRMBUDAWCIOELKXTNJ", VN_TAINT_ALL },
	};
	unsigned long m;
	char bad;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(vn_taint_parse(ok[i].in, &m, &bad), 0);
		assert_int_equal(m, ok[i].mask);
	}
	assert_int_equal(vn_taint_parse("Tainted: G  Q", &m, &bad), -EINVAL);
	assert_int_equal(bad, 'Q');
	assert_int_equal(vn_taint_parse("[U]=WARN", &m, &bad), -EINVAL);
	assert_int_equal(vn_taint_parse("", &m, &bad), -EINVAL);
	assert_int_equal(vn_taint_letters_parse("UW", &m, &bad), 0);
	assert_int_equal(m, 64 | 512);
	assert_int_equal(vn_taint_letters_parse("Ug", &m, &bad), -EINVAL);
	assert_int_equal(bad, 'g');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(record),      cmocka_unit_test(not_records),
		cmocka_unit_test(syslog_line), cmocka_unit_test(matchers),
		cmocka_unit_test(attribute),   cmocka_unit_test(parse_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
