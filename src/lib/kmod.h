/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

struct kmod_module;
struct vn_sys;

/* Where modprobe.d(5) files live, in libkmod's order of precedence. */
#define VN_MODPROBE_NDIRS 5
extern const char *const vn_modprobe_dirs[VN_MODPROBE_NDIRS];

/* For _cleanup_(): drop a module reference. */
void vn_kmod_module_unrefp(struct kmod_module **m);

enum vn_mod_state {
	VN_MOD_ABSENT, /* neither loaded, built in, nor installed */
	VN_MOD_AVAILABLE, /* installed, not loaded */
	VN_MOD_LOADED,
	VN_MOD_BUILTIN,
};

const char *vn_mod_state_str(enum vn_mod_state s);

/*
 * State of a module by its /sys/module name (vfio, vfio_pci, iommufd).
 * "Loaded" and "built in" are read from /sys/module; "available" needs the
 * module directory of the running release through libkmod.
 */
int vn_module_state(struct vn_sys *sys, const char *name,
		    enum vn_mod_state *state);

/* True when this release has a module directory libkmod can use. */
bool vn_modules_dir_found(struct vn_sys *sys);

/*
 * Does the module declare this parameter (modinfo "parm")? Answers for an
 * unloaded module from its .ko, for a built-in one from
 * modules.builtin.modinfo. -ENOENT when the module is unknown.
 */
int vn_module_declares_param(struct vn_sys *sys, const char *module,
			     const char *param, bool *declared);

/* Value of /sys/module/<module>/parameters/<param>; -ENOENT when absent. */
int vn_module_param_read(const struct vn_sys *sys, const char *module,
			 const char *param, char **value);

/* A bool parameter, which sysfs prints as Y or N; -ENOENT when absent. */
int vn_module_param_bool(const struct vn_sys *sys, const char *module,
			 const char *param, bool *yes);

/* Is there a module of that name, loaded, built in, or installed? */
bool vn_module_known(struct vn_sys *sys, const char *name);

/*
 * The modules that udev's "kmod load" would load for this PCI function:
 * its modalias (/sys/bus/pci/devices/BDF/modalias) looked up in the
 * module aliases, blacklisted ones left out as modprobe and udev leave
 * them out (systemd, src/shared/module-util.c, module_load_and_warn).
 * *out lists, NULL-terminated, those neither loaded nor built in; empty
 * when there is no modalias or no module directory.
 */
int vn_modalias_modules(struct vn_sys *sys, const char *bdf, char ***out);

/* The modprobe.d "install" command configured for a module: *out is a
 * copy, or NULL when there is none. libkmod runs such a command instead
 * of loading the module and, when it fails, returns -EINVAL whatever its
 * exit status (libkmod/libkmod-module.c, command_do()). */
int vn_module_install_command(struct vn_sys *sys, const char *name, char **out);

/* The libkmod context for the system looked at; NULL if it cannot be made. */
struct kmod_ctx *vn_kmod(struct vn_sys *sys);
