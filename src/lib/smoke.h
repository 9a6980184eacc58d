/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "kernel.h"
#include "pci.h"

/*
 * The smoke test: drive a bound device through the kernel interface a
 * user-space driver would use, step by step (doc/kernel.md §6).
 */

enum vn_smoke_path {
	VN_PATH_CDEV_NOIOMMU, /* /dev/vfio/devices/noiommu-vfioN + /dev/iommu */
	VN_PATH_CDEV_IOMMU, /* /dev/vfio/devices/vfioN + /dev/iommu */
	VN_PATH_GROUP_NOIOMMU, /* /dev/vfio/noiommu-N + /dev/vfio/vfio */
	VN_PATH_GROUP_IOMMU, /* /dev/vfio/N + /dev/vfio/vfio, type1 */
};

#define VN_SMOKE_MAX_STEPS 16

struct vn_smoke_step {
	char name[64]; /* "VFIO_DEVICE_BIND_IOMMUFD" */
	bool done; /* ran (passed or failed) */
	bool ok;
	int err; /* -errno when it failed on an errno */
	uint64_t elapsed_ns;
	char detail[160]; /* "devid 1", "pa 0x12a4f000, equals pagemap" */
	char why[240]; /* on failure: what it means at this step */
};

struct vn_smoke {
	struct vn_sys *sys;
	const struct vn_dev *dev;
	enum vn_smoke_path path;
	bool container_is_iommufd; /* /dev/vfio/vfio is iommufd's emulation */
	size_t map_len;

	struct vn_smoke_step steps[VN_SMOKE_MAX_STEPS];
	size_t nsteps;
	int failed_at; /* index of the failing step, -1 when all passed */

	/* state the cleanup undoes, whatever happened */
	int iommufd, devfd, groupfd, containerfd;
	uint32_t devid, ioas_id;
	bool bound, attached, mapped, container_set;
	void *buf;
	uint64_t iova;
};

const char *vn_smoke_path_name(enum vn_smoke_path p);

/*
 * Pick the path: the cdev when the device has one, else its group node;
 * want (-1: any; 0: cdev; 1: group) forces one. -ENODEV with *why when
 * the kernel offers no usable path of that kind.
 */
int vn_smoke_choose(const struct vn_dev *dev, int want,
		    enum vn_smoke_path *path, const char **why);

/* Run every step of the path; always cleans up. Returns 0 when they all
 * passed, 1 when one failed (s->failed_at). */
int vn_smoke_run(struct vn_smoke *s);

/* What an errno means at a step (step names as in the tables). */
const char *vn_smoke_explain(enum vn_smoke_path path, const char *step,
			     int err);

/* Physical address of one pagemap entry for a virtual address; -ENOENT
 * when the page is not present, -EPERM when the PFN is hidden (no
 * CAP_SYS_ADMIN: the kernel reports 0). */
int vn_pagemap_pa(uint64_t entry, uint64_t va, long pagesize, uint64_t *pa);

/* Effective capability check (capget). */
bool vn_have_cap(int cap);
