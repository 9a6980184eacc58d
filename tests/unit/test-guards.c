// SPDX-License-Identifier: GPL-2.0-or-later
/* The guards' verdicts are a pure function of the facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/guards.h"

static char **strv(const char *a, const char *b)
{
	char **v = strv_new();

	if (a)
		strv_push(&v, strdup(a));
	if (b)
		strv_push(&v, strdup(b));
	return v;
}

static const struct vn_guard *find(const struct vn_item *it, const char *name)
{
	for (size_t i = 0; i < it->nguards; i++)
		if (streq(it->guards[i].name, name))
			return &it->guards[i];
	return NULL;
}

static void item_free(struct vn_item *it)
{
	for (size_t i = 0; i < it->nguards; i++)
		free(it->guards[i].evidence);
	free(it->guards);
	*it = (struct vn_item){ 0 };
}

static struct vn_guard_facts plain_nic(void)
{
	return (struct vn_guard_facts){ .class_code = 0x020000,
					.driver = "e1000e",
					.bdf = "0000:00:02.0",
					.noiommu = true,
					.iommu_group = -1 };
}

static void free_device_passes(void **state)
{
	struct vn_guard_facts f = plain_nic();
	struct vn_item it = { 0 };

	(void)state;
	f.netdevs = strv("eth0", NULL);
	f.net_uses = strv(NULL, NULL);
	assert_int_equal(vn_guards_judge_bind(&f, false, &it), 0);
	for (size_t i = 0; i < it.nguards; i++)
		assert_int_equal(it.guards[i].level, VN_GUARD_PASS);
	assert_non_null(find(&it, "panic_on_taint"));
	assert_string_equal(find(&it, "network")->evidence,
			    "eth0: no addresses or routes in use");
	item_free(&it);
	strv_free(f.netdevs);
	strv_free(f.net_uses);
}

static void soft_and_hard(void **state)
{
	struct vn_guard_facts f = plain_nic();
	struct vn_item it = { 0 };

	(void)state;
	f.netdevs = strv("eth0", NULL);
	f.net_uses = strv("interface eth0 is up with 192.0.2.10/24", NULL);
	f.sriov_numvfs = 2;
	f.panic_on_user_taint = true;
	f.panic_mask = 0x40;
	f.boot_vga = true;
	assert_int_equal(vn_guards_judge_bind(&f, false, &it), 0);
	assert_int_equal(find(&it, "network")->level, VN_GUARD_SOFT);
	assert_int_equal(find(&it, "boot_vga")->level, VN_GUARD_SOFT);
	assert_int_equal(find(&it, "sr-iov")->level, VN_GUARD_HARD);
	assert_int_equal(find(&it, "panic_on_taint")->level, VN_GUARD_HARD);
	assert_non_null(strstr(find(&it, "panic_on_taint")->evidence, "0x40"));
	item_free(&it);
	strv_free(f.netdevs);
	strv_free(f.net_uses);
}

static void no_netdev_nic_in_container(void **state)
{
	struct vn_guard_facts f = plain_nic();
	struct vn_item it = { 0 };

	(void)state;
	f.nic_elsewhere = true;
	assert_int_equal(vn_guards_judge_bind(&f, false, &it), 0);
	assert_int_equal(find(&it, "network")->level, VN_GUARD_SOFT);
	assert_non_null(
		strstr(find(&it, "network")->evidence, "network namespace"));
	item_free(&it);
}

static void bridge_and_group(void **state)
{
	struct vn_guard_facts f = plain_nic();
	struct vn_item it = { 0 };

	(void)state;
	f.class_code = 0x060400;
	f.noiommu = false;
	f.iommu_group = 7;
	f.group_others = strv("0000:01:02.0", NULL);
	f.group_other_drivers = strv("e1000", NULL);
	assert_int_equal(vn_guards_judge_bind(&f, false, &it), 0);
	assert_int_equal(find(&it, "bridge")->level, VN_GUARD_HARD);
	assert_null(find(&it, "panic_on_taint")); /* not a no-IOMMU bind */
	assert_int_equal(find(&it, "iommu_group")->level, VN_GUARD_HARD);
	assert_non_null(strstr(find(&it, "iommu_group")->evidence,
			       "0000:01:02.0 (e1000)"));
	item_free(&it);
	/* --group takes the others along: the guard passes. */
	assert_int_equal(vn_guards_judge_bind(&f, true, &it), 0);
	assert_int_equal(find(&it, "iommu_group")->level, VN_GUARD_PASS);
	item_free(&it);
	strv_free(f.group_others);
	strv_free(f.group_other_drivers);
}

static void holders(void **state)
{
	struct vn_guard_facts f = { .driver = "vfio-pci", .iommu_group = -1 };
	struct vn_item it = { 0 };

	(void)state;
	assert_int_equal(vn_guards_judge_release(&f, &it), 0);
	assert_int_equal(find(&it, "holders")->level, VN_GUARD_PASS);
	item_free(&it);
	f.holders_unreadable = 3;
	assert_int_equal(vn_guards_judge_release(&f, &it), 0);
	assert_int_equal(find(&it, "holders")->level, VN_GUARD_HARD);
	assert_non_null(strstr(find(&it, "holders")->evidence, "3 processes"));
	item_free(&it);
	f.holders = strv("leaky[301] (mapping of anon_inode:[vfio-device], "
			 "maybe this device)",
			 NULL);
	f.holders_maybe_only = true;
	assert_int_equal(vn_guards_judge_release(&f, &it), 0);
	assert_non_null(strstr(find(&it, "holders")->evidence, "may hold it"));
	item_free(&it);
	strv_free(f.holders);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(free_device_passes),
		cmocka_unit_test(soft_and_hard),
		cmocka_unit_test(no_netdev_nic_in_container),
		cmocka_unit_test(bridge_and_group),
		cmocka_unit_test(holders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
