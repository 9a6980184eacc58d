/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "binding.h"

/*
 * The guards in two halves: gathering the facts about a device (sysfs,
 * /proc, the network and block state: vn_guard_facts_read) and judging
 * them (vn_guards_judge_*: pure, facts in, verdicts out, so every verdict
 * is unit-tested without a host).
 */
struct vn_guard_facts {
	unsigned int class_code;
	const char *driver; /* borrowed from the device */
	const char *bdf;
	bool noiommu; /* will be (or is) a no-IOMMU device */
	int sriov_numvfs;
	/* panic_on_taint on the command line covering U */
	bool panic_on_user_taint;
	unsigned long panic_mask;

	char **netdevs; /* its interfaces */
	bool nic_elsewhere; /* a NIC on a driver that made no netdev here */
	char **net_uses; /* "interface X is up with ..." clauses */

	char **disks; /* its block devices */
	char *disk_use; /* why one of them is in use; NULL: none */

	bool boot_vga;

	int iommu_group; /* -1: none (or the fake no-IOMMU group) */
	char **group_others; /* BDFs of members on host drivers, not in the
			      * transaction */
	char **group_other_drivers; /* their drivers, in the same order */
	char *group_unreadable; /* why the members cannot be listed */

	char **holders; /* "comm[pid] (fd on /dev/vfio/...)" */
	bool holders_maybe_only; /* every holder only may hold it */
	size_t holders_unreadable; /* processes that could not be read */
};

void vn_guard_facts_clear(struct vn_guard_facts *f);

/* Facts for binding it (bind) or for releasing it from a VFIO driver
 * (unbind: only the holders). */
int vn_guard_facts_read(struct vn_txn *t, const struct vn_item *it,
			struct vn_guard_facts *f);

/* The verdicts, in the order the plan shows them. Only -ENOMEM fails. */
int vn_guards_judge_bind(const struct vn_guard_facts *f, bool group_opt,
			 struct vn_item *it);
int vn_guards_judge_release(const struct vn_guard_facts *f, struct vn_item *it);
