/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

struct vn_sys;

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

/* Is there a module of that name, loaded, built in, or installed? */
bool vn_module_known(struct vn_sys *sys, const char *name);

/* The libkmod context for the system looked at; NULL if it cannot be made. */
struct kmod_ctx *vn_kmod(struct vn_sys *sys);
