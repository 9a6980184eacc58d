/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct vn_sys;
struct vn_names;

void vn_names_free(struct vn_names *names);

/*
 * Names from the PCI ID database: the plain pci.ids searched where it
 * lies (vn_pciids_* below), else libpci, which reads all of it. Nothing
 * is read before the first call, so commands that show no names never
 * touch it, and each answer is kept for the run. Each returns 0 and
 * fills buf, -ENOENT when the ID is not in the database, -ENODATA when
 * the database cannot be read or parsed.
 */
int vn_name_vendor(struct vn_sys *sys, unsigned int vendor, char *buf,
		   size_t size);
int vn_name_device(struct vn_sys *sys, unsigned int vendor, unsigned int device,
		   char *buf, size_t size);
/* class is the 24-bit class code from sysfs (0x020000). */
int vn_name_class(struct vn_sys *sys, unsigned int class_code, char *buf,
		  size_t size);

/*
 * The same lookups in the text of a pci.ids, by a binary search over its
 * vendors (pciids.c): 0 and the name in buf as libpci would give it,
 * -ENOENT when the ID is not there, -EINVAL when a line on the way is one
 * libpci would refuse the file for (the vn_name_* functions then ask
 * libpci). CLS is the class and subclass (0x0200).
 */
struct vn_pciids {
	const char *text; /* not NUL-terminated */
	size_t len;
	bool blocks_found; /* blocks: where the class list starts, or NULL */
	const char *blocks;
};

int vn_pciids_vendor(const struct vn_pciids *ids, unsigned int vendor,
		     char *buf, size_t size);
int vn_pciids_device(const struct vn_pciids *ids, unsigned int vendor,
		     unsigned int device, char *buf, size_t size);
int vn_pciids_class(struct vn_pciids *ids, unsigned int cls, char *buf,
		    size_t size);
/* KIND is PCI_LOOKUP_VENDOR, _DEVICE (A the vendor, B the device) or
 * _CLASS (A the class and subclass); -EINVAL for any other. */
int vn_pciids_lookup(struct vn_pciids *ids, int kind, unsigned int a,
		     unsigned int b, char *buf, size_t size);
/* After snprintf() into buf returned RES: a name cut short ends in "...",
 * as libpci's format_name() ends it; -EINVAL for a buffer under 4 bytes. */
int vn_pciids_cut(char *buf, size_t size, int res);
