/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

struct vn_class_cache;
struct vn_sys;

/*
 * Block devices that live on a PCI function: disks and partitions below
 * it in sysfs and, with NVMe multipath, the namespace heads of every
 * nvme-subsystem one of its controllers belongs to (the mounted node then
 * hangs off the subsystem, not the PCI device).
 */
int vn_block_devices(const struct vn_sys *sys, struct vn_class_cache *cache,
		     const char *bdf, char ***names);

/*
 * Why a block device (or one of its partitions) must not lose its driver:
 * mounted, swap, held (md, dm, LVM), or busy for open(O_EXCL) (ZFS, LIO,
 * btrfs, a running fsck). 1 with *why set, 0 when it is free.
 */
int vn_block_in_use(const struct vn_sys *sys, const char *name, char **why);

/* The mount point of the first /proc/self/mountinfo line for devt
 * ("259:1"): 1 with *where set (escapes kept as the kernel wrote them),
 * 0 when it is not mounted. */
int vn_parse_mountinfo(const char *text, const char *devt, char **where);
