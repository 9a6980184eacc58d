/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel model: what Linux does to a recorded /sys, /dev and /proc tree
 * when the tool writes to it. Shared by the LD_PRELOAD library (vnmodel.so,
 * trap.c), which presents the tree as the host's, and by vnmodel-ctl
 * (ctl.c), which sets trees up and inspects them with the same semantics.
 *
 * Every rule cites the kernel function it models (Linux 7.3). All file work
 * here goes through vm_real, the C library's own functions, never through
 * the interposed ones.
 */
#pragma once

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

struct vm_real {
	int (*open)(const char *, int, ...);
	int (*close)(int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	DIR *(*opendir)(const char *);
	int (*lstat)(const char *, struct stat *);
	int (*stat)(const char *, struct stat *);
	ssize_t (*readlink)(const char *, char *, size_t);
	int (*symlink)(const char *, const char *);
	int (*mkdir)(const char *, mode_t);
	int (*rmdir)(const char *);
	int (*unlink)(const char *);
	int (*rename)(const char *, const char *);
	int (*access)(const char *, int);
};
extern struct vm_real vm_real;

/* The tree: its absolute real path. Empty when the model is off. */
extern char vm_root[PATH_MAX];
extern size_t vm_rootlen;

void vm_real_init(void);
/* Point the model at a tree (VN_MODEL_ROOT); -errno when unusable. */
int vm_open_root(const char *root);

/* snprintf that says whether it fit: 0, or -ENAMETOOLONG. */
int vm_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- paths and files (host view "/sys/..." -> tree path) ---------------- */

/* tree path of a host-view path, printf-style. -ENAMETOOLONG. */
int vm_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool vm_exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whole file of a host-view path; trailing whitespace kept. */
int vm_read(char **out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, trailing whitespace stripped. */
int vm_read_line(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vm_write(const char *text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int vm_append(const char *text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int vm_mkdir_p(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vm_rm_rf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A symlink at host path `at` pointing to host path `to`, relative, as
 * sysfs makes them. */
int vm_link(const char *at, const char *to);
/* Last component of a symlink's target; "" when absent. */
int vm_link_base(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Where a host-view symlink points, resolved lexically, as a host path. */
int vm_link_resolve(char *out, size_t size, const char *hostlink);
/* Names in a host-view directory, sorted; NULL-terminated, free with
 * vm_strv_free. */
int vm_list(char ***out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vm_strv_free(char **v);

/* Side files of the model under TREE/.model/ */
#define VM_SIDE "/.model"

/* ---- the kernel's stores (return count-free 0 or -errno) ---------------- */

/* drivers/base/dd.c __device_set_driver_override */
int vm_store_override(const char *bdf, const char *buf, size_t len);
/* drivers/base/bus.c bind_store / unbind_store / drivers_probe_store */
int vm_store_bind(const char *drv, const char *buf, size_t len);
int vm_store_unbind(const char *drv, const char *buf, size_t len);
int vm_store_drivers_probe(const char *buf, size_t len);
/* kernel/params.c param_set_bool via kstrtobool */
int vm_store_bool_param(const char *module, const char *param, const char *buf,
			size_t len);
/* kernel/sysctl of tainted: bits are only ever added */
int vm_store_tainted(const char *buf, size_t len);
/* drivers/pci/pci-sysfs.c remove_store */
int vm_store_remove(const char *bdf, const char *buf, size_t len);
/* Any other attribute: kept as written. */
int vm_store_plain(const char *hostpath, const char *buf, size_t len);

/* How a store that waits sleeps (the trap lets other stores run). */
extern void (*vm_sleep)(unsigned usec);
/* One store by the host path written: the dispatcher trap.c calls. */
int vm_store(const char *hostpath, const char *buf, size_t len);
/* The device a store (or a journal record) concerns; "" when none. */
void vm_store_device(const char *hostpath, const char *buf, size_t len,
		     char *bdf, size_t size);

/* Hot removal: everything of the device goes (drivers/pci/remove.c). */
int vm_vanish(const char *bdf);

/* ---- modules ------------------------------------------------------------ */

enum vm_mod_state {
	VM_MOD_UNKNOWN,
	VM_MOD_AVAILABLE,
	VM_MOD_LOADED,
	VM_MOD_BUILTIN
};
enum vm_mod_state vm_module_state(const char *name);
/* modprobe NAME [options]: dependencies first, then the driver registers
 * and probes the devices it matches (drivers/base/dd.c driver_attach). */
int vm_module_load(const char *name, const char *options);
int vm_module_unload(const char *name);
/* The modules whose driver matches a "pci:vVVVVVVVVdDDDDDDDD..." modalias
 * (the IDs each driver had bound in the recorded tree, .model/ids),
 * NULL-terminated, for libkmod's alias lookup; vm_strv_free. */
int vm_alias_modules(const char *alias, char ***out);
/* Does drv's ID table (the IDs it had bound in the recorded tree,
 * .model/ids: "DRIVER VENDOR DEVICE") hold these IDs? */
bool vm_ids_match(const char *drv, unsigned long ven, unsigned long dev);
/* "options NAME ..." from modprobe.d in the tree and NAME.x= from the
 * kernel command line, space separated; NULL when none. */
char *vm_module_options(const char *name);

/* ---- holders, kmsg, taint ------------------------------------------------ */

/* Is anything in TREE/proc holding the vfio device of bdf open? */
bool vm_held(const char *bdf, const char *cdev_host);
int vm_hold(const char *bdf, int pid);
int vm_release(int pid); /* pid 0: every fake holder */

/* A user write to /dev/kmsg: "<N>text" (printk.c devkmsg_write). */
int vm_kmsg_user(const char *buf, size_t len);

/* ---- set-up and inspection (vnmodel-ctl) --------------------------------- */

int vm_init(void);
int vm_ctl_bind(const char *bdf, const char *drv);
int vm_ctl_unbind(const char *bdf);
void vm_state(FILE *out);

/* ---- the world the tree's kernel builds (side file .model/world) --------- */

struct vm_world {
	char release[64];
	int group_major; /* -1: no VFIO_GROUP */
	int cdev_major; /* -1: no VFIO_DEVICE_CDEV */
	bool noiommu_config; /* CONFIG_VFIO_NOIOMMU */
	bool iommufd_noiommu; /* CONFIG_IOMMUFD_NOIOMMU (7.3, cdev) */
};
int vm_world(struct vm_world *w);
