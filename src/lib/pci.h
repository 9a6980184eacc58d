/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bdf.h"
#include "sys.h"

/* Why a VFIO device has no usable cdev node (the CDEV column explains). */
enum vn_cdev_state {
	VN_CDEV_OK, /* node present with the right dev_t */
	VN_CDEV_NOT_VFIO, /* not bound to a VFIO driver */
	VN_CDEV_NO_SUPPORT, /* kernel built without VFIO_DEVICE_CDEV */
	VN_CDEV_PREDATES, /* kernel older than VFIO device cdevs (6.6) */
	VN_CDEV_NOIOMMU_NONE, /* no-IOMMU device on a kernel without
				* IOMMUFD_NOIOMMU (before 7.3): group only */
	VN_CDEV_NO_NODE, /* the kernel has it, /dev has no node */
	VN_CDEV_WRONG_NODE, /* /dev node with another dev_t or type */
};

/* A /dev node the kernel announced, and what is actually there. */
struct vn_node {
	char *path; /* /dev/vfio/..., as on the host */
	unsigned int major, minor; /* from the sysfs "dev" attribute */
	struct vn_node_info st; /* what /dev holds */
};

struct vn_dev {
	char bdf[VN_BDF_MAX];
	unsigned int vendor, device, subvendor, subdevice;
	unsigned int class_code; /* 24 bits: base, sub, prog-if */
	char *driver; /* NULL: no driver bound */
	char *driver_override; /* NULL: unset (sysfs reads "(null)") */
	int iommu_group; /* -1: none */
	bool has_iommu; /* an IOMMU driver manages it ("iommu" link) */
	int numa_node; /* -1: none */

	/* VFIO state, filled by vn_vfio_inspect() */
	char *vfio_name; /* vfio-dev child (vfio0, noiommu-vfio0) */
	bool noiommu; /* registered as a no-IOMMU device */
	enum vn_cdev_state cdev_state;
	struct vn_node cdev; /* path NULL when the kernel made none */
	struct vn_node group; /* legacy group node; path NULL when none */
};

void vn_dev_free(struct vn_dev *dev);
static inline void vn_dev_freep(struct vn_dev **d)
{
	vn_dev_free(*d);
}

struct vn_dev_list {
	struct vn_dev **devs;
	size_t n;
};
void vn_dev_list_clear(struct vn_dev_list *l);

/* The functions named, in that order; one gone meanwhile, or a name that
 * is no PCI function, is left out. */
int vn_dev_read_list(struct vn_sys *sys, char *const *bdfs,
		     struct vn_dev_list *out);

/* BDFs of every PCI function, sorted (libudev on the host; the tree's
 * /sys/bus/pci/devices under --sysroot, which libudev cannot follow). */
int vn_pci_enumerate(struct vn_sys *sys, char ***bdfs);

/* Read one function's attributes. -ENODEV when there is no such BDF. */
int vn_dev_read(struct vn_sys *sys, const char *bdf, struct vn_dev **out);

/* Every function, read, sorted by BDF. */
int vn_dev_read_all(struct vn_sys *sys, struct vn_dev_list *out);

/*
 * Entries of /sys/class/CLASS (net, block, ...) whose device sits below
 * the PCI function, sorted: their class link runs through the function's
 * directory (../../devices/pci0000:00/0000:00:06.0/0000:02:00.0/net/eth1),
 * wherever below it (virtio-net puts them under virtioN/net). One
 * readlink per entry.
 */
struct vn_class_links {
	bool read;
	int err; /* of the class directory's listing */
	char **names, **targets; /* entries and their link targets */
};

/* Class directories read once for many devices: a plan and its guards
 * look at every device of a transaction before anything is written, and
 * a 32-function bind read /sys/class/net 64 times (BENCHMARKS.md). */
struct vn_class_cache {
	struct vn_class_links net, block, nvme;
};

void vn_class_cache_clear(struct vn_class_cache *c);

/* cache: NULL reads the class now; otherwise the cache's copy, read on
 * first use ("net", "block" or "nvme"), for as long as nothing the
 * class shows can have changed. */
int vn_dev_class_children(const struct vn_sys *sys,
			  struct vn_class_cache *cache, const char *bdf,
			  const char *cls, char ***names);

/* Does the device sit on a VFIO driver (vfio-pci or a variant)? It then
 * has a vfio-dev child directory. */
bool vn_dev_is_vfio(const struct vn_dev *dev);

/*
 * Did our udev rule (boot/61-vfio-noiommuctl.rules.in) write this
 * function's driver_override at its "add" event? The rule leaves
 * VFIO_NOIOMMUCTL_DECLARED=1 and the driver it wrote in udev's database
 * entry for the device, which outlives the event. Such an override is not
 * the device's original: the declared state asked for it, and a restore
 * must clear it so that the host driver binds again.
 */
bool vn_dev_override_by_rule(const struct vn_sys *sys,
			     const struct vn_dev *dev);

/* A bridge of any kind (PCI base class 0x06). */
bool vn_dev_is_bridge(const struct vn_dev *dev);

/* Does the function carry these IDs (and subsystem IDs, when given)? */
bool vn_dev_has_id(const struct vn_dev *dev, const struct vn_pci_id *id);
