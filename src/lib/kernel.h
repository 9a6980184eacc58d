/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "kmod.h"

struct vn_sys;

/* ---- kernel build configuration ------------------------------------ */

/* The most of a kernel config read (uncompressed): a real one is under
 * 300 KiB (allyesconfig included); past this it is -EFBIG, so that a
 * compressed bomb or a link to /dev/zero in a tree ends. */
#define VN_KCONFIG_MAX (16u << 20)

struct vn_kconfig {
	char *source; /* "/proc/config.gz", "/boot/config-R", ...; NULL: none */
	char **syms; /* "VFIO_NOIOMMU=y": the symbols the tool asks about,
		      * and every VFIO and IOMMU symbol */
	/* The first source that was there but could not be used, and why:
	 * -EINVAL not a regular file, -EFBIG larger than VN_KCONFIG_MAX,
	 * -EBADMSG corrupt compressed data, or what open(2) said. */
	char *skipped;
	int skipped_err;
};

void vn_kconfig_clear(struct vn_kconfig *kc);
/* First readable of /proc/config.gz, /boot/config-R, /usr/lib/modules/R/config,
 * /lib/modules/R/config. Returns 0 with source NULL when there is none. */
int vn_kconfig_load(struct vn_sys *sys, struct vn_kconfig *kc);
/* Parse one .config line; 1 with name and value (y, m, n, or the string)
 * filled in, 0 for lines that set nothing. */
int vn_kconfig_parse_line(const char *line, char *name, size_t namesz,
			  char *value, size_t valsz);
/* 'y', 'm' or 'n' (not set or absent); '?' when no config was found. */
char vn_kconfig_get(const struct vn_kconfig *kc, const char *sym);
/* Like vn_kconfig_get, but 0 when the config has no line for SYM at all:
 * the symbol does not exist in that kernel, or its menu is hidden. */
char vn_kconfig_line(const struct vn_kconfig *kc, const char *sym);

/* The mainline release in which a symbol the tool reads appeared
 * (doc/kernel.md §1.1): 0 with *major and *minor, -ENOENT for symbols
 * older than every kernel the tool supports (Linux 6.1). */
int vn_kconfig_since(const char *sym, int *major, int *minor);
/* RELEASE is older than SYM; false when either is unknown. */
bool vn_release_predates(const char *release, const char *sym);

/* ---- /proc/devices and /proc/misc ------------------------------------ */

/* Major of a character device region by name, -ENOENT when absent. */
int vn_proc_devices_char_major(const struct vn_sys *sys, const char *name);
/* Minor of a misc device by name, -ENOENT when absent. */
int vn_proc_misc_minor(const struct vn_sys *sys, const char *name);
/* Does the running kernel make VFIO device cdevs? One answer for every
 * caller: the "vfio-dev" region of /proc/devices, read once per run. */
bool vn_kernel_has_cdev(const struct vn_sys *sys);
/* Parsers behind those two, for tests. */
int vn_parse_proc_devices(const char *text, const char *name);
int vn_parse_proc_misc(const char *text, const char *name);

/* ---- capability probe -------------------------------------------------- */

enum vn_tri { VN_UNKNOWN = -1, VN_NO = 0, VN_YES = 1 };

struct vn_answer {
	enum vn_tri value;
	char *source; /* where the answer came from, for humans and JSON */
};

enum vn_container_provider {
	VN_CONTAINER_NONE,
	VN_CONTAINER_VFIO, /* VFIO_CONTAINER: legacy container */
	VN_CONTAINER_IOMMUFD, /* IOMMUFD_VFIO_CONTAINER: iommufd emulation */
	VN_CONTAINER_UNKNOWN, /* /dev/vfio/vfio exists, provider unknown */
};

enum vn_getpa_probe {
	VN_GETPA_NOT_RUN, /* no /dev/iommu, not the host, or no access */
	VN_GETPA_NOT_BUILT, /* EOPNOTSUPP: IOMMUFD_NOIOMMU=n */
	VN_GETPA_BUILT, /* ENOENT: built, id 0 unknown */
	VN_GETPA_NO_RAWIO, /* EPERM: built, caller lacks CAP_SYS_RAWIO */
	VN_GETPA_TOO_OLD, /* ENOTTY: kernel predates the ioctl */
};

struct vn_caps {
	char *release;
	struct vn_kconfig config;
	enum vn_mod_state mod_vfio, mod_vfio_pci, mod_iommufd;
	bool modules_dir;

	struct vn_answer vfio; /* any VFIO at all */
	struct vn_answer group; /* VFIO_GROUP */
	struct vn_answer cdev; /* VFIO_DEVICE_CDEV */
	struct vn_answer noiommu; /* VFIO_NOIOMMU */
	struct vn_answer iommufd; /* IOMMUFD */
	struct vn_answer iommufd_noiommu; /* IOMMUFD_NOIOMMU */
	struct vn_answer noiommu_group; /* no-IOMMU devices get a group node */
	struct vn_answer noiommu_cdev; /* no-IOMMU devices get a cdev */

	enum vn_container_provider container;
	enum vn_getpa_probe getpa;

	/* enable_unsafe_noiommu_mode: 'Y', 'N', or 0 when not readable now */
	char mode;
};

int vn_caps_probe(struct vn_sys *sys, struct vn_caps *caps);
void vn_caps_clear(struct vn_caps *caps);

/* The GET_PA probe alone (doc/kernel.md §1.3), host only. */
enum vn_getpa_probe vn_probe_getpa(const struct vn_sys *sys);

/* Release string >= major.minor (for derived answers). */
bool vn_release_at_least(const char *release, int major, int minor);

const char *vn_tri_str(enum vn_tri t);

/* ---- IOMMU hardware ---------------------------------------------------- */

struct vn_iommu_state {
	char **units; /* /sys/class/iommu entries: dmar0, ivhd0 */
	const char *fw_table; /* "DMAR" or "IVRS" when ACPI describes one */
	char *cmdline_setting; /* intel_iommu=..., amd_iommu=..., iommu=... */
};

int vn_iommu_probe(const struct vn_sys *sys, struct vn_iommu_state *st);
void vn_iommu_state_clear(struct vn_iommu_state *st);

/* The boot parameter that turns the described IOMMU on. */
const char *vn_iommu_enable_param(const struct vn_iommu_state *st);

/* panic_on_taint from /proc/cmdline: 1 and the mask when set, 0 when not. */
int vn_panic_on_taint(const struct vn_sys *sys, unsigned long *mask,
		      bool *nousertaint);

/* ---- what a no-IOMMU device gets ---------------------------------------- */

enum vn_paths {
	VN_PATHS_NONE,
	VN_PATHS_GROUP,
	VN_PATHS_CDEV,
	VN_PATHS_BOTH,
	VN_PATHS_UNKNOWN,
};

enum vn_paths vn_caps_paths(const struct vn_caps *caps);
/* The paths a device has (a group node, a cdev), in the same words. */
enum vn_paths vn_paths_of(bool group, bool cdev);
const char *
vn_paths_name(enum vn_paths p); /* none, group, cdev, both, unknown */
/* One sentence: "a no-IOMMU device gets /dev/vfio/noiommu-N and ...". */
const char *vn_paths_sentence(enum vn_paths p);
