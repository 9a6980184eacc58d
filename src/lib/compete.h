/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bdf.h"
#include "pci.h"

struct vn_sys;

/*
 * Other mechanisms that choose a device's driver at boot or probe time
 * (vfio-noiommuctl(8), apply, "Competing mechanisms"): found and named,
 * never changed.
 */
#define VN_DRIVERCTL_DIR "/etc/driverctl.d"

enum vn_compete_kind {
	VN_COMPETE_DRIVERCTL, /* /etc/driverctl.d/pci-BDF: an override */
	VN_COMPETE_IDS_CMDLINE, /* vfio-pci.ids= on the command line */
	VN_COMPETE_IDS_MODPROBE, /* options vfio-pci ids= in modprobe.d */
	VN_COMPETE_SOFTDEP, /* softdep MOD pre: vfio-pci (modprobe.d) */
	VN_COMPETE_INSTALL, /* install MOD ... vfio-pci ... (modprobe.d) */
	VN_COMPETE_OVERRIDE, /* a driver_override this tool did not set */
};

struct vn_compete {
	enum vn_compete_kind kind;
	char *where; /* the file, "/proc/cmdline", or the sysfs attribute */
	char *text; /* the line, word or value, as read (escape to print) */
	char bdf[VN_BDF_MAX]; /* the device it concerns; "" for a module
			       * line no present device is driven by */
	bool to_vfio; /* it sends the device to vfio-pci (else elsewhere) */
};

struct vn_competes {
	struct vn_compete *v;
	size_t n;
};

void vn_competes_clear(struct vn_competes *c);
const char *vn_compete_kind_name(enum vn_compete_kind k);

/*
 * Every mechanism found for these devices: driverctl's saved overrides,
 * vfio-pci ids= on the command line and in modprobe.d (each device with
 * one of the IDs), modprobe.d softdep and install lines that load
 * vfio-pci with a module (each device that module drives now), and a
 * driver_override set on a device without a journal record of ours
 * (journal: the BDFs with one, as vn_journal_list() gives them and the
 * run already has; NULL when unreadable: every override is someone
 * else's).
 */
int vn_compete_scan(struct vn_sys *sys, const struct vn_dev_list *devs,
		    char *const *journal, struct vn_competes *out);

/* Parse a vfio-pci ids= value ("8086:10d3,1234:11e8:ffffffff:ffffffff")
 * and say whether the device matches one (PCI_ANY_ID is ffffffff). */
bool vn_ids_param_match(const char *value, const struct vn_dev *dev);
