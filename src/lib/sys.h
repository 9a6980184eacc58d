/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <dirent.h>
#include <stdarg.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

struct udev;
struct kmod_ctx;
struct vn_names;
struct vn_snapshot;

/* What the library says it does (as kmod_set_log_fn): level
 * VN_LOG_WRITE for every write it makes to sysfs, the journal or the
 * module list, VN_LOG_READ also for every read; libkmod's own messages
 * come through it too. */
enum {
	VN_LOG_WRITE = 1,
	VN_LOG_READ = 2,
};
typedef void (*vn_log_fn)(void *data, int level, const char *fmt, va_list ap);

/*
 * The system the tool looks at. Every /sys, /dev and /proc access goes
 * through vn_path() and friends, which put `root` in front, so the whole
 * tool can be pointed at a recorded tree (--sysroot, like lsblk's).
 * Handles to libudev, libkmod and libpci are created on first use.
 */
struct vn_sys {
	char root[PATH_MAX]; /* "" for the running host */
	struct udev *udev;
	struct kmod_ctx *kmod;
	bool kmod_tried;
	char *modules_dir; /* /lib/modules/RELEASE or /usr/lib/..., found once */
	bool modules_dir_tried;
	struct vn_names *names;
	char *release;
	vn_log_fn log_fn;
	void *log_data;
	int log_level; /* the highest level passed on */
	/* Facts read once per run (vn_sys_cached_text); a write that changes
	 * them (a module load) forgets them (vn_sys_forget). */
	struct vn_sys_cache *cache;
	struct vn_snapshot *snap; /* NULL: every read goes to the system */
};

int vn_sys_new(const char *root, struct vn_sys **ret);

/*
 * From now on, every file and directory of the system is read once: later
 * reads get the first answer (errors included), so a run that only looks
 * (report, metrics) reads each source once and shows one consistent
 * picture. Never for a run that writes: it must see what its writes did.
 * A process's /proc/PID files are not kept.
 */
int vn_sys_snapshot(struct vn_sys *sys);
void vn_sys_free(struct vn_sys *sys);
static inline void vn_sys_freep(struct vn_sys **s)
{
	vn_sys_free(*s);
}

void vn_sys_set_log(struct vn_sys *sys, vn_log_fn fn, void *data, int level);
void vn_log(const struct vn_sys *sys, int level, const char *fmt, ...)
	_printf_(3, 4);

static inline bool vn_sys_is_host(const struct vn_sys *sys)
{
	return sys->root[0] == '\0';
}

int vn_path(const struct vn_sys *sys, char *buf, size_t size, const char *fmt,
	    ...) _printf_(4, 5);
int vn_vpath(const struct vn_sys *sys, char *buf, size_t size, const char *fmt,
	     va_list ap);

/* Whole file, trailing whitespace removed. -ENOENT when absent; a file
 * that is not regular (a FIFO, a device) is -EINVAL, one larger than
 * VN_READ_MAX -EFBIG. */
int vn_read_text(const struct vn_sys *sys, char **out, const char *fmt, ...)
	_printf_(3, 4);
/* Whole file, as it is. */
int vn_read_file(const struct vn_sys *sys, char **out, const char *fmt, ...)
	_printf_(3, 4);
/* Target of a symlink, verbatim. */
int vn_read_link(const struct vn_sys *sys, char **out, const char *fmt, ...)
	_printf_(3, 4);
/* Last component of a symlink's target ("driver" -> "e1000e"). */
int vn_link_name(const struct vn_sys *sys, char **out, const char *fmt, ...)
	_printf_(3, 4);
bool vn_exists(const struct vn_sys *sys, const char *fmt, ...) _printf_(2, 3);
int vn_open(const struct vn_sys *sys, int flags, const char *fmt, ...)
	_printf_(3, 4);
int vn_opendir(const struct vn_sys *sys, DIR **out, const char *fmt, ...)
	_printf_(3, 4);
/* Write value (no newline added) in one write(2); returns the kernel's errno. */
int vn_write_text(const struct vn_sys *sys, const char *value, const char *fmt,
		  ...) _printf_(3, 4);

/*
 * Writing files: every path below is resolved inside the root (--root
 * DIR, "/" on the host) by rootpath.h's rules: no symlink and no ".." in
 * any component, temporary files created with O_EXCL. Use these (or
 * vn_sys_root() and rootpath.h) for every file the tool writes.
 */
struct vn_root;
int vn_sys_root(const struct vn_sys *sys, struct vn_root *root);
/* Create a directory and its missing parents (0755). */
int vn_mkdir(const struct vn_sys *sys, const char *fmt, ...) _printf_(2, 3);
/* Replace the file with text (0644) atomically: a temporary file in the
 * same directory (which must exist), fsync, rename, fsync. */
int vn_replace_file(const struct vn_sys *sys, const char *text, const char *fmt,
		    ...) _printf_(3, 4);
/* Remove the file; -ENOENT when it is absent. */
int vn_remove_file(const struct vn_sys *sys, const char *fmt, ...)
	_printf_(2, 3);
/* Open (and with O_CREAT create) a file inside the root. */
int vn_open_in_root(const struct vn_sys *sys, int flags, mode_t mode,
		    const char *fmt, ...) _printf_(4, 5);
/* Replace final (a path of the running host, not under the root) with
 * data atomically: a new file of that mode beside it, synced, renamed. */
int vn_write_file_atomic(const char *final, const char *data, size_t len,
			 mode_t mode);

/* Names in a directory, sorted, without "." and "..". */
int vn_list_dir(const struct vn_sys *sys, char ***out, const char *fmt, ...)
	_printf_(3, 4);

/*
 * Device node metadata. On the host this is stat(2). In a recorded tree a
 * node cannot be a real device file, so it is a regular file holding one
 * line "char MAJ:MIN UID GID MODE" (mode in octal); see man page, FILES.
 */
struct vn_node_info {
	bool present;
	bool is_chr;
	unsigned int major, minor;
	uid_t uid;
	gid_t gid;
	mode_t mode; /* permission bits */
};
int vn_node_stat(const struct vn_sys *sys, const char *devpath,
		 struct vn_node_info *info);
int vn_parse_node_record(const char *text, struct vn_node_info *info);

/* A small /proc file read once per run: *text stays owned by sys (NULL
 * with the error when it cannot be read). */
enum vn_cached {
	VN_CACHED_DEVICES, /* /proc/devices */
	VN_CACHED_MISC, /* /proc/misc */
	VN_CACHED_COUNT,
};
int vn_sys_cached_text(const struct vn_sys *sys, enum vn_cached which,
		       const char **text);
/* Forget what was cached: the kernel changed it (a module was loaded). */
void vn_sys_forget(const struct vn_sys *sys);

/* Kernel release of the system looked at (/proc/sys/kernel/osrelease). */
const char *vn_sys_release(struct vn_sys *sys);
