// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/redact.h"
#include "lib/tar.h"
#include "lib/util.h"

static char *redacted(struct vn_redactor *r, const char *text)
{
	char *out = vn_redact(r, text);

	assert_non_null(out);
	return out;
}

#define assert_redacts(r, in, want)                        \
	do {                                               \
		_cleanup_free_ char *o_ = redacted(r, in); \
		assert_string_equal(o_, want);             \
	} while (0)

static void addresses(void **state)
{
	_cleanup_(vn_redactor_freep) struct vn_redactor *r = NULL;

	(void)state;
	assert_int_equal(vn_redactor_new(&r), 0);
	assert_redacts(r, "eth0: (PCI Express) 52:54:00:12:34:56",
		       "eth0: (PCI Express) [mac-1]");
	/* The same value, whatever its case, is the same placeholder. */
	assert_redacts(
		r, "52:54:00:12:34:56 and 52:54:00:AB:cd:ef, 52:54:00:ab:CD:EF",
		"[mac-1] and [mac-2], [mac-2]");
	assert_redacts(r, "ip=10.20.30.40::10.20.30.1:255.255.255.0:h:eth0",
		       "ip=[ipv4-1]::[ipv4-2]:[ipv4-3]:h:eth0");
	assert_redacts(r, "nfsroot=[2001:db8::17]:/srv fe80::1%eth0 ::1",
		       "nfsroot=[[ipv6-1]]:/srv [ipv6-2]%eth0 ::1");
	assert_redacts(r, "a:b:c:d:e:f:0:1 dsn 52-54-00-ff-ff-12-34-56",
		       "[ipv6-3] dsn [serial-1]");
	assert_int_equal(vn_redact_distinct(r, VN_REDACT_IPV4), 3);
	assert_int_equal(vn_redact_distinct(r, VN_REDACT_MAC), 2);
}

/* What looks like an address but is not stays: BDFs, IDs, times,
 * versions, ranges. */
static void not_addresses(void **state)
{
	_cleanup_(vn_redactor_freep) struct vn_redactor *r = NULL;
	static const char *const keep[] = {
		"vfio-pci 0000:00:03.0: Adding to iommu group 0",
		"[1234:11e8] dead:beef 8086:10d3:1af4:1100",
		"at 11:07:41 on 2026-11-18",
		"gcc 12.2.0-14+deb12u1 ld 2.40 v1.2.3.4 1.2.3.4.5 256.1.1.1",
		"[mem 0x00000000fed1c000-0x00000000fed1ffff]",
		"std::vector a::b:: 1:2:3:4:5:6:7",
	};

	(void)state;
	assert_int_equal(vn_redactor_new(&r), 0);
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		assert_redacts(r, keep[i], keep[i]);
}

static void known_values(void **state)
{
	_cleanup_(vn_redactor_freep) struct vn_redactor *r = NULL;

	(void)state;
	assert_int_equal(vn_redactor_new(&r), 0);
	assert_int_equal(vn_redact_add(r, VN_REDACT_HOST, "db-prod-17"), 0);
	assert_int_equal(vn_redact_add(r, VN_REDACT_HOST,
				       "db-prod-17.example.com\n"),
			 0);
	assert_int_equal(vn_redact_add(r, VN_REDACT_SERIAL, "vmtest-nvme  "),
			 0);
	assert_int_equal(vn_redact_add(r, VN_REDACT_HOST, "(none)"), 0);
	assert_int_equal(vn_redact_add(NULL, VN_REDACT_HOST, "x"), 0);
	/* The longest known value wins; a longer name is left alone. */
	assert_redacts(r,
		       "db-prod-17.example.com db-prod-17 db-prod-170 "
		       "root@db-prod-17: sn vmtest-nvme (none)",
		       "[host-1] [host-2] db-prod-170 root@[host-2]: sn "
		       "[serial-1] (none)");
}

static void tar_layout(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char long_name[200];
	unsigned int sum = 0, want;

	(void)state;
	memset(long_name, 'd', sizeof(long_name));
	memcpy(long_name + 120, "/file", 6);
	assert_int_equal(vn_tar_add(f, "dir/a.txt", "hello\n", 6, 1000), 0);
	assert_int_equal(vn_tar_add(f, long_name, "", 0, 1000), 0);
	memset(long_name, 'x', 199);
	long_name[199] = '\0';
	assert_int_equal(vn_tar_add(f, long_name, "", 0, 1000), -ENAMETOOLONG);
	assert_int_equal(vn_tar_end(f), 0);
	fclose(f);
	/* header, one data block, header, two end blocks */
	assert_int_equal(len, 5 * 512);
	assert_string_equal(buf, "dir/a.txt");
	assert_memory_equal(buf + 257,
			    "ustar\0"
			    "00",
			    8);
	assert_string_equal(buf + 124, "00000000006");
	assert_string_equal(buf + 512, "hello\n");
	for (size_t i = 0; i < 512; i++)
		sum += i >= 148 && i < 156 ? ' ' : (unsigned char)buf[i];
	sscanf(buf + 148, "%o", &want);
	assert_int_equal(sum, want);
	assert_int_equal(buf[1024 + 345], 'd'); /* prefix field */
	assert_string_equal(buf + 1024, "file");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses),
		cmocka_unit_test(not_addresses),
		cmocka_unit_test(known_values),
		cmocka_unit_test(tar_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
