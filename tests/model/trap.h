/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The preload's shared pieces (trap.c): path mapping, tracked fds, and the
 * numbered operations that faults are injected at. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

bool vt_active(void);
bool vt_is_trapped(const char *p);
/* p itself when not trapped, else buf holding the tree path. */
const char *vt_trap(const char *p, char *buf, size_t size);
const char *vt_trap_at(int dirfd, const char *p, char *buf, size_t size);
/* The path a file descriptor is open on (readlink of /proc/self/fd/N). */
int vt_fd_path(int fd, char *buf, size_t size);
char *vt_untrap(char *p);
const char *vt_follow(const char *tpath, char *buf, size_t size);

struct vt_node {
	mode_t mode;
	unsigned int major, minor, uid, gid;
};
bool vt_node_record(const char *tpath, struct vt_node *nd);

enum vt_fdkind {
	VT_FD_NONE,
	VT_FD_STORE, /* a sysfs (or /proc/sys) attribute open for writing */
	VT_FD_KMSG,
	VT_FD_IOMMU,
};
void vt_fd_track(int fd, const char *host, int flags);
void vt_fd_forget(int fd);
void vt_fd_copy(int from, int to);
enum vt_fdkind vt_fd_kind(int fd);
const char *vt_fd_host(int fd);
size_t vt_fd_kmsg_off(int fd);
void vt_fd_set_kmsg_off(int fd, size_t off);
bool vt_fd_nonblock(int fd);

/* One numbered operation: VN_MODEL_FAULT applies, .model/log records it.
 * bdf: the device it concerns (for vanish and hold), may be "". */
int vt_op(const char *kind, const char *path, const char *val, size_t vlen,
	  const char *bdf, int (*fn)(void *), void *arg);
