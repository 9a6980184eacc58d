/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

struct vn_sys;
struct vn_names;

void vn_names_free(struct vn_names *names);

/*
 * Names from the PCI ID database (libpci). The database is read on the
 * first call only, so commands that show no names never load it. Each
 * returns 0 and fills buf, -ENOENT when the ID is not in the database,
 * -ENODATA when the database cannot be read or parsed.
 */
int vn_name_vendor(struct vn_sys *sys, unsigned int vendor, char *buf,
		   size_t size);
int vn_name_device(struct vn_sys *sys, unsigned int vendor, unsigned int device,
		   char *buf, size_t size);
/* class is the 24-bit class code from sysfs (0x020000). */
int vn_name_class(struct vn_sys *sys, unsigned int class_code, char *buf,
		  size_t size);
