/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Root-confined file access: the one way the tool writes files. Every
 * write under --root DIR, and on the host every file the tool creates
 * (the journal, the lock, /etc/modprobe.d/vfio-noiommu.conf; the declared
 * state and generated udev rules to come), goes through these, so that no
 * symlink and no ".." in any component of the path can lead the write out
 * of the root.
 *
 * A root is a directory opened once (vn_root_open). Paths are relative to
 * it; a leading '/' is ignored, so "/etc/x" names DIR/etc/x. The rules,
 * the same on every kernel:
 *   - no component may be a symlink, the last one included: -ELOOP (a
 *     symlinked DIR/etc is refused, never followed, not even inside DIR);
 *     on the host's own "/" a directory may be a symlink (follow_dirs),
 *     the file written never is;
 *   - no component may be "." or "..": -EINVAL; empty ones ("a//b") are
 *     skipped;
 *   - an empty path names the root itself.
 * Resolution uses openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS (Linux 5.6, fs/namei.c), which the kernel enforces
 * atomically. Where openat2 is missing (ENOSYS) or a seccomp filter
 * refuses it (EPERM), a component walk: one openat(O_NOFOLLOW |
 * O_DIRECTORY) per directory, each relative to the previous one's fd, so
 * a symlink swapped in between two steps is still refused. Neither can
 * stop a directory already opened from being renamed out of the root by
 * someone who may write the root: the root is trusted to that extent.
 *
 * Files are created with O_EXCL under a random temporary name and renamed
 * over the final name, so an existing file, symlink or FIFO at either name
 * is never opened for writing.
 */
struct vn_root {
	int fd; /* the root directory (O_PATH) */
	bool walk; /* never try openat2: tests of the fallback */
	/* The host's "/" (vn_root_open of NULL, "" or "/"): a directory
	 * component may be a symlink and is followed (it cannot lead out of
	 * "/"); the file itself never is. Under --root DIR every symlink is
	 * refused. */
	bool follow_dirs;
};

/* Open dir ("" or NULL: "/") as a root. -errno; fd -1 on failure. */
int vn_root_open(const char *dir, struct vn_root *root);
void vn_root_close(struct vn_root *root);
static inline void vn_root_closep(struct vn_root *root)
{
	vn_root_close(root);
}
#define _cleanup_root_ _cleanup_(vn_root_closep)

/* openat(2) of path inside the root under the rules above (O_CLOEXEC and
 * O_NOFOLLOW added); the fd, or -errno. mode is used with O_CREAT only. */
int vn_root_openat(const struct vn_root *root, const char *path, int flags,
		   mode_t mode);

/* The component walk alone (what vn_root_openat falls back to). */
int vn_root_walk(const struct vn_root *root, const char *path, int flags,
		 mode_t mode);

/* Create path and its missing parents as directories (mkdir -p); an
 * existing symlink or non-directory on the way is -ELOOP / -ENOTDIR. */
int vn_root_mkdirs(const struct vn_root *root, const char *path, mode_t mode);

/* Replace path with len bytes of data atomically: a temporary file
 * (O_EXCL, random name ".NAME.XXXXXXXX" in the same directory), fsync,
 * rename, fsync of the directory. The directory must exist. After a crash
 * the file is the old one or the whole new one; on failure the temporary
 * file is removed. */
int vn_root_replace(const struct vn_root *root, const char *path,
		    const char *data, size_t len, mode_t mode);

/* unlink(2) path inside the root; -ENOENT when it is absent. */
int vn_root_unlink(const struct vn_root *root, const char *path);
