/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "kernel.h"

struct vn_sys;

#define VN_NOIOMMU_PARAM "enable_unsafe_noiommu_mode"

/*
 * kstrtobool() as the running kernel reads a bool parameter
 * (lib/kstrtox.c): y Y t T 1 / n N f F 0, "on"/"off"; Linux 7.x also
 * e E / d D (enable, disable). A missing value (bare "param") is true,
 * as param_set_bool() treats it. -EINVAL otherwise.
 */
int vn_kstrtobool(const char *s, bool extended, bool *out);
/* Does this release's kstrtobool know e/E/d/D? */
bool vn_kstrtobool_extended(const char *release);

/*
 * The mode a device bound now would see: the parameter when vfio is
 * loaded; otherwise what loading it will set (modprobe.d options and
 * vfio.* on the kernel command line, as libkmod merges them), default N.
 * *source says which.
 */
int vn_noiommu_effective(struct vn_sys *sys, enum vn_tri *mode,
			 const char **source);
