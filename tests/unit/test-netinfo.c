// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/netinfo.h"
#include "lib/noiommu.h"
#include "lib/util.h"

static void routes_v4(void **state)
{
	const char *text =
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
		"eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
		"eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
		"bond0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
	_cleanup_strv_ char **routes = NULL, **defs = NULL;

	(void)state;
	assert_int_equal(vn_parse_proc_net_route(text, &routes, &defs), 0);
	assert_int_equal(strv_len(routes), 3);
	assert_string_equal(routes[0], "eth0 0.0.0.0/0");
	assert_string_equal(routes[1], "eth0 10.0.0.0/24");
	assert_string_equal(routes[2], "bond0 192.168.2.0/24");
	assert_int_equal(strv_len(defs), 1);
	assert_string_equal(defs[0], "eth0");
}

static void routes_v6(void **state)
{
	const char *text =
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eth1\n"
		"20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth1\n"
		"fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth1\n"
		"00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001 lo\n";
	_cleanup_strv_ char **routes = NULL, **defs = NULL;

	(void)state;
	assert_int_equal(vn_parse_proc_net_ipv6_route(text, &routes, &defs), 0);
	assert_int_equal(strv_len(routes), 2);
	assert_string_equal(routes[0], "eth1 ::/0");
	assert_string_equal(routes[1], "eth1 2001:db8::/64");
	assert_string_equal(defs[0], "eth1");
}

static void ssh_socket(void **state)
{
	/* 192.0.2.10:22 <- 192.0.2.50:51234, inode 4242, ESTABLISHED */
	const char *v4 =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0000000000000000 100 0 0 10 0\n"
		"   1: 0A0200C0:0016 320200C0:C822 01 00000000:00000000 02:0001F4C5 00000000     0        0 4242 4 0000000000000000 20 4 31 10 -1\n";
	char *inodes[] = { "4242", NULL };
	char *other[] = { "9", NULL };
	_cleanup_free_ char *local = NULL, *remote = NULL;

	(void)state;
	assert_int_equal(
		vn_parse_proc_net_tcp(v4, false, inodes, &local, &remote), 1);
	assert_string_equal(local, "192.0.2.10");
	assert_string_equal(remote, "192.0.2.50");
	assert_int_equal(
		vn_parse_proc_net_tcp(v4, false, other, &local, &remote), 0);
}

/* Short and malformed fields are skipped whole, never half-read: each
 * of these lines left bytes of an address uninitialised before. */
static void short_fields(void **state)
{
	const char *v6 =
		"fe8 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth1\n"
		"20010db800000000000000000000000g 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth1\n"
		"20010db8000000000000000000000000 81 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth1\n"
		"20010db8000000000000000000000000 40 00000000000000000000000000000000\n";
	const char *v4 =
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n"
		"eth0\t00000000\n"
		"eth0\t0000000A\t00000000\t0001\t0\t0\t100\n";
	const char *tcp =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   1: 0A02:0016 320200C0:C822 01 00000000:00000000 02:0001F4C5 00000000     0        0 4242 4\n"
		"   2: 0A0200C0:0016 3202:C822 01 00000000:00000000 02:0001F4C5 00000000     0        0 4242 4\n";
	const char *tcp6_short =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   2: 0A0200C0:0016 320200C0:C822 01 00000000:00000000 02:0001F4C5 00000000     0        0 4242 4\n";
	const char *tcp6 =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   1: 0000000000000000FFFF00000A0200C0:0016 0000000000000000FFFF0000320200C0:C822 01 00000000:00000000 02:0001F4C5 00000000     0        0 4242 4\n";
	char *inodes[] = { "4242", NULL };
	_cleanup_strv_ char **routes = NULL, **defs = NULL;
	_cleanup_free_ char *local = NULL, *remote = NULL;

	(void)state;
	assert_int_equal(vn_parse_proc_net_ipv6_route(v6, &routes, &defs), 0);
	assert_int_equal(strv_len(routes), 0);
	assert_int_equal(strv_len(defs), 0);
	assert_int_equal(vn_parse_proc_net_route(v4, &routes, &defs), 0);
	assert_int_equal(strv_len(routes), 0);
	assert_int_equal(
		vn_parse_proc_net_tcp(tcp, false, inodes, &local, &remote), 0);
	assert_null(local);
	/* an IPv4 line read as IPv6 is as short */
	assert_int_equal(vn_parse_proc_net_tcp(tcp6_short, true, inodes, &local,
					       &remote),
			 0);
	assert_null(local);
	assert_int_equal(
		vn_parse_proc_net_tcp(tcp6, true, inodes, &local, &remote), 1);
	assert_string_equal(local, "192.0.2.10");
	assert_string_equal(remote, "192.0.2.50");
}

static void kstrtobool(void **state)
{
	static const struct {
		const char *s;
		bool ext, ok, v;
	} cases[] = {
		{ "1", false, true, true },	 { "Y", false, true, true },
		{ "yes", false, true, true },	 { "t", false, true, true },
		{ "T", false, true, true },	 { "0", false, true, false },
		{ "n", false, true, false },	 { "F", false, true, false },
		{ "on", false, true, true },	 { "ON", false, true, true },
		{ "off", false, true, false },	 { "oF", false, true, false },
		{ "o", false, false, false },	 { "e", false, false, false },
		{ "enable", true, true, true },	 { "E", true, true, true },
		{ "d", true, true, false },	 { "D", false, false, false },
		{ "2", true, false, false },	 { "", true, false, false },
		{ "maybe", true, false, false },
	};
	bool v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r = vn_kstrtobool(cases[i].s, cases[i].ext, &v);

		assert_int_equal(r, cases[i].ok ? 0 : -EINVAL);
		if (cases[i].ok)
			assert_int_equal(v, cases[i].v);
	}
	/* A bare parameter means true, as param_set_bool() reads it. */
	assert_int_equal(vn_kstrtobool(NULL, false, &v), 0);
	assert_true(v);
	assert_false(vn_kstrtobool_extended("6.12.57"));
	assert_true(vn_kstrtobool_extended("7.3.4+deb13-amd64"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(routes_v4),  cmocka_unit_test(routes_v6),
		cmocka_unit_test(ssh_socket), cmocka_unit_test(short_fields),
		cmocka_unit_test(kstrtobool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
