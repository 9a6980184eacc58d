/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "state.h"

struct vn_sys;

/*
 * Owner, group and mode of the declared devices' VFIO nodes
 * (vfio-noiommuctl.conf(5), OWNERSHIP): a generated udev rule, so that
 * they hold whoever re-creates a node, and the nodes there now.
 */
#define VN_UDEV_RULES "/etc/udev/rules.d/70-vfio-noiommuctl.rules"

/* Does the entry set any of owner, group, mode? */
bool vn_entry_owns(const struct vn_entry *e);

/*
 * The rule file for every OK match whose entry sets ownership, one pair
 * of rules per device it governs now (by address: apply regenerates the
 * file from the whole declared state on every run, so a renumbered
 * device is followed). *text NULL when no entry sets any.
 */
int vn_owner_rules_render(const struct vn_matches *m, char **text);

/*
 * Make VN_UDEV_RULES say text (NULL: no file), atomically inside the
 * system's root; *changed when it did not already. dry_run: only
 * *changed.
 */
int vn_owner_rules_sync(const struct vn_sys *sys, const char *text,
			bool dry_run, bool *changed);

/*
 * Set the entry's owner, group and mode on one node (a host path under
 * /dev/vfio), without following a symlink, then check them by stat:
 * -EPROTO when they do not read back; -ENOTTY when it is not a character
 * device. *changed when any differed. dry_run: only *changed.
 */
int vn_owner_node(const struct vn_sys *sys, const char *path,
		  const struct vn_entry *e, bool dry_run, bool *changed);
