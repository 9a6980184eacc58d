// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "rootpath.h"
#include "util.h"

int vn_root_open(const char *dir, struct vn_root *root)
{
	*root = (struct vn_root){ .fd = -1 };
	root->fd =
		open(dir && *dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return root->fd < 0 ? -errno : 0;
}

void vn_root_close(struct vn_root *root)
{
	closep(&root->fd);
	root->fd = -1;
}

/* path without empty components and leading '/' ("/etc//x/" -> "etc/x",
 * "" for the root itself); NULL with errno EINVAL for a "." or ".."
 * component, ENOMEM. */
static char *clean_path(const char *path)
{
	char *buf = malloc(strlen(path) + 1), *q = buf;
	const char *p = path;

	if (!buf)
		return NULL;
	while (*p) {
		const char *end;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && !strncmp(p, "..", 2))) {
			free(buf);
			errno = EINVAL;
			return NULL;
		}
		if (q != buf)
			*q++ = '/';
		memcpy(q, p, len);
		q += len;
		p = end;
	}
	*q = '\0';
	return buf;
}

/* Why clean_path() returned NULL, never 0. */
static int clean_error(void)
{
	return errno == EINVAL ? -EINVAL : -ENOMEM;
}

/* O_NOFOLLOW | O_DIRECTORY on a symlink fails ENOTDIR: say ELOOP, as
 * openat2's RESOLVE_NO_SYMLINKS does, so both resolutions agree. */
static int nofollow_errno(int dfd, const char *name, int err)
{
	struct stat st;

	if (err == ENOTDIR &&
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		return -ELOOP;
	return -err;
}

/* Open one component below dfd as a directory, never through a symlink;
 * *dfd becomes the new directory (the old one is closed unless it is the
 * root's, keep). */
static int step_into(int *dfd, int keep, const char *name)
{
	int nfd = openat(*dfd, name,
			 O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (nfd < 0)
		return nofollow_errno(*dfd, name, errno);
	if (*dfd != keep)
		close(*dfd);
	*dfd = nfd;
	return 0;
}

static int walk_clean(int rootfd, char *rel, int flags, mode_t mode)
{
	int dfd = rootfd, fd, r = 0;
	char *p = rel, *slash;

	while ((slash = strchr(p, '/'))) {
		*slash = '\0';
		r = step_into(&dfd, rootfd, p);
		*slash = '/';
		if (r < 0)
			goto out;
		p = slash + 1;
	}
	fd = openat(dfd, *p ? p : ".", flags | O_CLOEXEC | O_NOFOLLOW, mode);
	r = fd < 0 ? nofollow_errno(dfd, p, errno) : fd;
out:
	if (dfd != rootfd)
		close(dfd);
	return r;
}

static int openat2_clean(int rootfd, const char *rel, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned int)(flags | O_CLOEXEC | O_NOFOLLOW),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	/* RESOLVE_IN_ROOT fails EAGAIN when a rename raced with the lookup
	 * (fs/namei.c, nd_jump_root/legitimize): try again a few times. */
	for (int i = 0; i < 8; i++) {
		fd = syscall(SYS_openat2, rootfd, *rel ? rel : ".", &how,
			     sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd < 0 ? -errno : (int)fd;
}

/* O_PATH | O_NOFOLLOW opens a trailing symlink itself (open(2)): refuse
 * it like every other symlink. */
static int refuse_link(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode))
		return fd;
	close(fd);
	return -ELOOP;
}

int vn_root_walk(const struct vn_root *root, const char *path, int flags,
		 mode_t mode)
{
	_cleanup_free_ char *rel = clean_path(path);

	if (!rel)
		return clean_error();
	return refuse_link(walk_clean(root->fd, rel, flags, mode));
}

int vn_root_openat(const struct vn_root *root, const char *path, int flags,
		   mode_t mode)
{
	_cleanup_free_ char *rel = clean_path(path);
	int r;

	if (!rel)
		return clean_error();
	if (!root->walk) {
		r = openat2_clean(root->fd, rel, flags, mode);
		/* ENOSYS: before Linux 5.6; EPERM: a seccomp filter (some
		 * container runtimes) that does not know the call. ENOTDIR
		 * may be a symlink met with O_DIRECTORY: the walk tells. */
		if (r != -ENOSYS && r != -EPERM && r != -ENOTDIR)
			return refuse_link(r);
	}
	return refuse_link(walk_clean(root->fd, rel, flags, mode));
}

int vn_root_mkdirs(const struct vn_root *root, const char *path, mode_t mode)
{
	_cleanup_free_ char *rel = clean_path(path);
	int dfd = root->fd, r = 0;
	char *p, *end;

	if (!rel)
		return clean_error();
	/* One component at a time with O_NOFOLLOW: the same on every kernel,
	 * and each directory is created right where the last step stood. */
	for (p = rel; *p && r == 0; p = end) {
		end = strchrnul(p, '/');
		if (*end)
			*end++ = '\0';
		if (mkdirat(dfd, p, mode) < 0 && errno != EEXIST)
			r = -errno;
		else
			r = step_into(&dfd, root->fd, p);
	}
	if (dfd != root->fd)
		close(dfd);
	return r;
}

/* Open the directory holding path's last component; *base points into
 * *rel (the cleaned path). An empty last component is -EINVAL. */
static int open_parent(const struct vn_root *root, const char *path, int flags,
		       char **rel, const char **base)
{
	char *slash;

	*rel = clean_path(path);
	if (!*rel)
		return clean_error();
	if (!**rel)
		return -EINVAL;
	slash = strrchr(*rel, '/');
	if (!slash) {
		*base = *rel;
		return vn_root_openat(root, "", flags | O_DIRECTORY, 0);
	}
	*slash = '\0';
	*base = slash + 1;
	return vn_root_openat(root, *rel, flags | O_DIRECTORY, 0);
}

/* A new file ".BASE.XXXXXXXX" beside base, created with O_EXCL so that
 * nothing already there (a planted symlink, a FIFO) is ever opened. */
static int create_temp(int dfd, const char *base, mode_t mode, char *tmp,
		       size_t size)
{
	for (int tries = 0; tries < 16; tries++) {
		unsigned int rnd;
		int fd;

		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd = (unsigned int)vn_now_ms() ^
			      ((unsigned int)getpid() << 16) ^ (unsigned)tries;
		snprintf(tmp, size, ".%.*s.%08x", (int)(size - 12), base, rnd);
		fd = openat(dfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC | O_NOCTTY,
			    mode);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? -errno : fd;
	}
	return -EEXIST;
}

int vn_root_replace(const struct vn_root *root, const char *path,
		    const char *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *rel = NULL;
	_cleanup_close_ int dfd = -1, fd = -1;
	const char *base;
	char tmp[NAME_MAX + 1];
	int r;

	dfd = open_parent(root, path, O_RDONLY, &rel, &base);
	if (dfd < 0)
		return dfd;
	fd = create_temp(dfd, base, mode, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	/* The mode asked for, whatever the umask: a metrics file that
	 * node_exporter cannot read, or a journal record that `status` as a
	 * user cannot, would be a failure that says nothing. */
	r = fchmod(fd, mode) < 0 ? -errno : 0;
	/* fsync before rename: after a crash the file is either the old one
	 * or the whole new one, never empty. */
	if (r == 0)
		r = vn_write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && close(steal_fd(fd)) < 0)
		r = -errno;
	if (r == 0 && renameat(dfd, tmp, dfd, base) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dfd, tmp, 0);
		return r;
	}
	/* The rename itself must reach the disk of an image being built; a
	 * failure here loses nothing that the rename did not already do. */
	(void)fsync(dfd);
	return 0;
}

int vn_root_unlink(const struct vn_root *root, const char *path)
{
	_cleanup_free_ char *rel = NULL;
	_cleanup_close_ int dfd = -1;
	const char *base;

	dfd = open_parent(root, path, O_PATH, &rel, &base);
	if (dfd < 0)
		return dfd;
	return unlinkat(dfd, base, 0) < 0 ? -errno : 0;
}
