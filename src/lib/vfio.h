/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "pci.h"

struct vn_sys;

/*
 * Fill dev's VFIO fields: the vfio-dev child (doc/kernel.md §3.2), the
 * cdev node and why there may be none, the legacy group node (§3.3), and
 * whether the kernel registered the device as no-IOMMU (§3.4). Whether
 * the kernel makes cdevs at all (vn_kernel_has_cdev) tells a kernel
 * without VFIO_DEVICE_CDEV from a no-IOMMU device that got no cdev
 * because IOMMUFD_NOIOMMU is missing.
 */
int vn_vfio_inspect(struct vn_sys *sys, struct vn_dev *dev);

/* A BDF read and inspected in one call. */
int vn_vfio_dev_read(struct vn_sys *sys, const char *bdf, struct vn_dev **out);

/* Every PCI function, read and inspected: the one way every command
 * gathers the devices' VFIO state. */
int vn_vfio_read_all(struct vn_sys *sys, struct vn_dev_list *out);

/* The PCI functions on a VFIO driver only, read and inspected like
 * vn_vfio_read_all's and in the same order, found from /sys/class/vfio-dev
 * alone: no other function is looked at, so the cost does not grow with
 * the host's size. */
int vn_vfio_read_bound(struct vn_sys *sys, struct vn_dev_list *out);
/* How many of the devices are on a VFIO driver, and how many of them
 * no-IOMMU (added to the counters). */
void vn_vfio_tally(const struct vn_dev *d, size_t *nvfio, size_t *nnoiommu);

/* Does "MAJ:MIN" parse? */
int vn_parse_devt(const char *text, unsigned int *major, unsigned int *minor);

/* ---- processes holding VFIO devices --------------------------------- */

enum vn_hold_kind {
	VN_HOLD_FD, /* an open file descriptor */
	VN_HOLD_MAP, /* a mapping (a BAR mmap outlives the fd) */
};

struct vn_holder {
	pid_t pid;
	char comm[32];
	enum vn_hold_kind kind;
	char *target; /* the path it was opened or mapped by, or
		       * anon_inode:[vfio-device] */
	char *bdf; /* from fdinfo "vfio-device-syspath:", NULL if unknown */
	bool chr; /* a VFIO character node, with this device number */
	unsigned int major, minor;
};

struct vn_holders {
	struct vn_holder *v;
	size_t n;
	/* Some processes could not be inspected (not root, raced exit). */
	size_t unreadable;
};

/* One pass over /proc/PID/{fd,fdinfo,maps} for VFIO files: fds and shared
 * mappings of nodes with a VFIO major (whatever their path), and device
 * fds and mappings without a node (anon_inode:[vfio-device]). */
int vn_holders_scan(const struct vn_sys *sys, struct vn_holders *out);
void vn_holders_clear(struct vn_holders *h);

enum vn_hold_match {
	VN_HOLD_NO,
	VN_HOLD_YES,
	/* A device file of unknown identity: a mapping of a group-derived
	 * device fd after close names only anon_inode:[vfio-device]. */
	VN_HOLD_MAYBE,
};
enum vn_hold_match vn_holder_match(const struct vn_holder *h,
				   const struct vn_dev *dev);

/* Parse the "vfio-device-syspath:" line of an fdinfo text; returns the
 * BDF (last path component) or NULL. */
char *vn_fdinfo_vfio_bdf(const char *fdinfo);

/* Why there is no usable cdev, in words ("kernel built without
 * VFIO_DEVICE_CDEV"); NULL for VN_CDEV_OK. */
const char *vn_cdev_state_text(enum vn_cdev_state s);

/* One process holding a device, as the guards, list and the executor
 * report it: each process once. */
struct vn_holder_ref {
	pid_t pid;
	const char *comm; /* borrowed from the vn_holders */
	enum vn_hold_kind kind; /* of its first fd or mapping on the device */
	const char *target;
	bool maybe; /* only anonymous device files: may be this device */
};

/* The processes holding dev, each once, in scan order. *out is NULL
 * when none. */
int vn_holders_of(const struct vn_holders *h, const struct vn_dev *dev,
		  struct vn_holder_ref **out, size_t *n);
/* The same as one word for scripts: ok, not-vfio, unsupported,
 * noiommu-unsupported, missing, mismatch. */
const char *vn_cdev_state_name(enum vn_cdev_state s);
