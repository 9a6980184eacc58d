// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The C library functions vnmodel.so puts itself in front of. Each maps a
 * trapped path into the tree and calls the real function (dlsym
 * RTLD_NEXT); the fd functions answer for what the model tracks (sysfs
 * stores, /dev/kmsg, /dev/iommu). glibc's internal calls (getpwuid's opens,
 * stdio) do not go through these and are not seen.
 */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <syslog.h>
#include <unistd.h>

#include "model.h"
#include "trap.h"

#define LOAD(var, name)                                                \
	do {                                                           \
		if (!var)                                              \
			var = (__typeof__(var))dlsym(RTLD_NEXT, name); \
	} while (0)

/* Not declared without _FORTIFY_SOURCE or since glibc 2.33. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st,
	       int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st,
		 int flags);
void __syslog_chk(int pri, int flag, const char *fmt, ...);
void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap);

/* ---- openat2 --------------------------------------------------------------- */

/*
 * openat2(2) resolves inside the kernel, out of the traps' reach (the
 * tool calls it through syscall(), src/lib/rootpath.c): answer as a
 * kernel before 5.6 would, so that the tool takes its openat() walk,
 * which the traps above see. Every other call passes through.
 */
long syscall(long nr, ...)
{
	static long (*next)(long, ...);
	long a[6];
	va_list ap;

	if (nr == SYS_openat2) {
		errno = ENOSYS;
		return -1;
	}
	LOAD(next, "syscall");
	/* glibc's syscall() reads six arguments whatever the call takes. */
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return next(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* ---- opening ---------------------------------------------------------------- */

static mode_t take_mode(int flags, va_list ap)
{
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return va_arg(ap, mode_t);
	return 0;
}

/* Track what a trapped open gives: stores, kmsg, iommu. */
static int opened(int fd, const char *p, const char *tp, int flags)
{
	char host[PATH_MAX];

	if (fd < 0)
		return fd;
	if (tp == p) {
		vt_fd_forget(fd);
		return fd;
	}
	snprintf(host, sizeof(host), "%s", tp);
	vt_fd_track(fd, vt_untrap(host), flags);
	return fd;
}

/* open() is openat(AT_FDCWD) in glibc too; open64 the same on 64-bit. */
static int open_at(int dirfd, const char *path, int flags, mode_t mode)
{
	static int (*next)(int, const char *, int, ...);
	char buf[PATH_MAX];
	const char *tp;

	LOAD(next, "openat");
	tp = vt_trap_at(dirfd, path, buf, sizeof(buf));
	return opened(next(dirfd, tp, flags, mode), path, tp, flags);
}

#define OPEN_FN(name, params, dirfd)                      \
	int name params                                   \
	{                                                 \
		va_list ap;                               \
		mode_t mode;                              \
                                                          \
		va_start(ap, flags);                      \
		mode = take_mode(flags, ap);              \
		va_end(ap);                               \
		return open_at(dirfd, path, flags, mode); \
	}
OPEN_FN(open, (const char *path, int flags, ...), AT_FDCWD)
OPEN_FN(open64, (const char *path, int flags, ...), AT_FDCWD)
OPEN_FN(openat, (int dirfd, const char *path, int flags, ...), dirfd)
OPEN_FN(openat64, (int dirfd, const char *path, int flags, ...), dirfd)

int __open_2(const char *path, int flags)
{
	return open(path, flags);
}

int __open64_2(const char *path, int flags)
{
	return open64(path, flags);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return openat(dirfd, path, flags);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	return openat64(dirfd, path, flags);
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

int creat64(const char *path, mode_t mode)
{
	return open64(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

#define FOPEN_FN(name)                                              \
	FILE *name(const char *path, const char *mode)              \
	{                                                           \
		static FILE *(*next)(const char *, const char *);   \
		char buf[PATH_MAX];                                 \
                                                                    \
		LOAD(next, #name);                                  \
		return next(vt_trap(path, buf, sizeof(buf)), mode); \
	}
FOPEN_FN(fopen)
FOPEN_FN(fopen64)

DIR *opendir(const char *path)
{
	static DIR *(*next)(const char *);
	char buf[PATH_MAX];

	LOAD(next, "opendir");
	return next(vt_trap(path, buf, sizeof(buf)));
}

/* ---- stat: device node records look like device nodes ------------------------- */

#define FIX_STAT_FN(name, type)                                        \
	static void name(const char *tp, struct type *st)              \
	{                                                              \
		struct vt_node nd;                                     \
                                                                       \
		if (!S_ISREG(st->st_mode) || !vt_node_record(tp, &nd)) \
			return;                                        \
		st->st_mode = nd.mode;                                 \
		st->st_rdev = makedev(nd.major, nd.minor);             \
		st->st_uid = nd.uid;                                   \
		st->st_gid = nd.gid;                                   \
		st->st_size = 0;                                       \
	}
FIX_STAT_FN(fix_stat, stat)
FIX_STAT_FN(fix_stat64, stat64)

/* The tree path for a stat: trapped, and followed when it follows. */
static const char *stat_path(int dirfd, const char *p, bool follow, char *buf,
			     char *buf2, size_t size)
{
	const char *tp = vt_trap_at(dirfd, p, buf, size);

	if (tp != p && follow)
		tp = vt_follow(tp, buf2, size);
	return tp;
}

/* One stat-like function: the path trapped (and followed when the call
 * follows links), the real function called, a node record fixed up. */
#define STAT_LIKE(name, params, dirfd, follow, args, fix)              \
	int name params                                                \
	{                                                              \
		static int(*next) params;                              \
		char b1[PATH_MAX], b2[PATH_MAX];                       \
		const char *tp;                                        \
		int r;                                                 \
                                                                       \
		LOAD(next, #name);                                     \
		if (!next) {                                           \
			errno = ENOSYS;                                \
			return -1;                                     \
		}                                                      \
		tp = stat_path(dirfd, path, follow, b1, b2, PATH_MAX); \
		r = next args;                                         \
		if (r == 0 && tp != path)                              \
			fix(tp, st);                                   \
		return r;                                              \
	}
#define FOLLOWS(flags) (!((flags)&AT_SYMLINK_NOFOLLOW))
STAT_LIKE(stat, (const char *path, struct stat *st), AT_FDCWD, true, (tp, st),
	  fix_stat)
STAT_LIKE(stat64, (const char *path, struct stat64 *st), AT_FDCWD, true,
	  (tp, st), fix_stat64)
STAT_LIKE(lstat, (const char *path, struct stat *st), AT_FDCWD, false, (tp, st),
	  fix_stat)
STAT_LIKE(lstat64, (const char *path, struct stat64 *st), AT_FDCWD, false,
	  (tp, st), fix_stat64)
STAT_LIKE(__xstat, (int ver, const char *path, struct stat *st), AT_FDCWD, true,
	  (ver, tp, st), fix_stat)
STAT_LIKE(__xstat64, (int ver, const char *path, struct stat64 *st), AT_FDCWD,
	  true, (ver, tp, st), fix_stat64)
STAT_LIKE(__lxstat, (int ver, const char *path, struct stat *st), AT_FDCWD,
	  false, (ver, tp, st), fix_stat)
STAT_LIKE(__lxstat64, (int ver, const char *path, struct stat64 *st), AT_FDCWD,
	  false, (ver, tp, st), fix_stat64)
STAT_LIKE(fstatat, (int dirfd, const char *path, struct stat *st, int flags),
	  dirfd, FOLLOWS(flags), (dirfd, tp, st, flags), fix_stat)
STAT_LIKE(fstatat64,
	  (int dirfd, const char *path, struct stat64 *st, int flags), dirfd,
	  FOLLOWS(flags), (dirfd, tp, st, flags), fix_stat64)
STAT_LIKE(__fxstatat,
	  (int ver, int dirfd, const char *path, struct stat *st, int flags),
	  dirfd, FOLLOWS(flags), (ver, dirfd, tp, st, flags), fix_stat)
STAT_LIKE(__fxstatat64,
	  (int ver, int dirfd, const char *path, struct stat64 *st, int flags),
	  dirfd, FOLLOWS(flags), (ver, dirfd, tp, st, flags), fix_stat64)

int statx(int dirfd, const char *path, int flags, unsigned int mask,
	  struct statx *stx)
{
	static int (*next)(int, const char *, int, unsigned int,
			   struct statx *);
	char b1[PATH_MAX], b2[PATH_MAX];
	struct vt_node nd;
	const char *tp;
	int r;

	LOAD(next, "statx");
	tp = stat_path(dirfd, path, FOLLOWS(flags), b1, b2, PATH_MAX);
	r = next(dirfd, tp, flags, mask, stx);
	if (r == 0 && tp != path && S_ISREG(stx->stx_mode) &&
	    vt_node_record(tp, &nd)) {
		stx->stx_mode = (unsigned short)nd.mode;
		stx->stx_rdev_major = nd.major;
		stx->stx_rdev_minor = nd.minor;
		stx->stx_uid = nd.uid;
		stx->stx_gid = nd.gid;
		stx->stx_size = 0;
	}
	return r;
}

/* ---- file systems: the tree's sys and proc are sysfs and procfs ------------------- */

/* systemd's libudev checks that what it walks is sysfs (fd_is_fs_type). */
static void fix_fs_type(const char *tp, long *type)
{
	const char *rel;

	if (!vt_active() || strncmp(tp, vm_root, vm_rootlen) != 0)
		return;
	rel = tp + vm_rootlen;
	if (!strncmp(rel, "/sys", 4) && (rel[4] == '/' || !rel[4]))
		*type = SYSFS_MAGIC;
	else if (!strncmp(rel, "/proc", 5) && (rel[5] == '/' || !rel[5]))
		*type = PROC_SUPER_MAGIC;
}

static void fd_fs_type(int fd, long *type)
{
	char link[64], p[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = vm_real.readlink(link, p, sizeof(p) - 1);
	if (n <= 0)
		return;
	p[n] = '\0';
	fix_fs_type(p, type);
}

#define FSTATFS_FN(name, type)                                \
	int name(int fd, struct type *buf)                    \
	{                                                     \
		static int (*next)(int, struct type *);       \
		int r;                                        \
                                                              \
		LOAD(next, #name);                            \
		r = next(fd, buf);                            \
		if (r == 0 && vt_active())                    \
			fd_fs_type(fd, (long *)&buf->f_type); \
		return r;                                     \
	}
FSTATFS_FN(fstatfs, statfs)
FSTATFS_FN(fstatfs64, statfs64)

#define STATFS_FN(name, type)                                    \
	int name(const char *path, struct type *buf)             \
	{                                                        \
		static int (*next)(const char *, struct type *); \
		char b[PATH_MAX];                                \
		const char *tp;                                  \
		int r;                                           \
                                                                 \
		LOAD(next, #name);                               \
		tp = vt_trap(path, b, sizeof(b));                \
		r = next(tp, buf);                               \
		if (r == 0 && tp != path)                        \
			fix_fs_type(tp, (long *)&buf->f_type);   \
		return r;                                        \
	}
STATFS_FN(statfs, statfs)
STATFS_FN(statfs64, statfs64)

/* ---- path functions ------------------------------------------------------------- */

/* One function of a path (at a directory fd), the path trapped. */
#define PATH_FN(ret, name, proto, dirfd, call)                    \
	ret name proto                                            \
	{                                                         \
		static ret(*next) proto;                          \
		char buf[PATH_MAX];                               \
                                                                  \
		LOAD(next, #name);                                \
		path = vt_trap_at(dirfd, path, buf, sizeof(buf)); \
		return next call;                                 \
	}
PATH_FN(int, access, (const char *path, int mode), AT_FDCWD, (path, mode))
PATH_FN(int, euidaccess, (const char *path, int mode), AT_FDCWD, (path, mode))
PATH_FN(int, eaccess, (const char *path, int mode), AT_FDCWD, (path, mode))
PATH_FN(ssize_t, readlink, (const char *path, char *out, size_t size), AT_FDCWD,
	(path, out, size))
PATH_FN(int, mkdir, (const char *path, mode_t mode), AT_FDCWD, (path, mode))
PATH_FN(int, rmdir, (const char *path), AT_FDCWD, (path))
PATH_FN(int, chmod, (const char *path, mode_t mode), AT_FDCWD, (path, mode))
PATH_FN(int, chown, (const char *path, uid_t u, gid_t g), AT_FDCWD,
	(path, u, g))
PATH_FN(int, lchown, (const char *path, uid_t u, gid_t g), AT_FDCWD,
	(path, u, g))
PATH_FN(int, truncate, (const char *path, off_t len), AT_FDCWD, (path, len))
PATH_FN(int, truncate64, (const char *path, off64_t len), AT_FDCWD, (path, len))
PATH_FN(int, faccessat, (int dirfd, const char *path, int mode, int flags),
	dirfd, (dirfd, path, mode, flags))
PATH_FN(ssize_t, readlinkat,
	(int dirfd, const char *path, char *out, size_t size), dirfd,
	(dirfd, path, out, size))
PATH_FN(int, mkdirat, (int dirfd, const char *path, mode_t mode), dirfd,
	(dirfd, path, mode))
PATH_FN(int, fchmodat, (int dirfd, const char *path, mode_t m, int flags),
	dirfd, (dirfd, path, m, flags))
PATH_FN(int, fchownat,
	(int dirfd, const char *path, uid_t u, gid_t g, int flags), dirfd,
	(dirfd, path, u, g, flags))

int symlink(const char *target, const char *path)
{
	static int (*next)(const char *, const char *);
	char buf[PATH_MAX];

	LOAD(next, "symlink");
	return next(target, vt_trap(path, buf, sizeof(buf)));
}

int symlinkat(const char *target, int dirfd, const char *path)
{
	static int (*next)(const char *, int, const char *);
	char buf[PATH_MAX];

	LOAD(next, "symlinkat");
	return next(target, dirfd, vt_trap_at(dirfd, path, buf, sizeof(buf)));
}

char *realpath(const char *path, char *resolved)
{
	static char *(*next)(const char *, char *);
	char buf[PATH_MAX];

	LOAD(next, "realpath");
	return vt_untrap(next(vt_trap(path, buf, sizeof(buf)), resolved));
}

char *canonicalize_file_name(const char *path)
{
	return realpath(path, NULL);
}

/* ---- the journal: commits and removals are operations --------------------------- */

#define JOURNAL "/run/vfio-noiommuctl/journal/"

/* The record a tree path names, or NULL: "/run/.../journal/BDF". */
static const char *journal_record(const char *tp)
{
	size_t n = strlen(JOURNAL);

	if (!vt_active() || strncmp(tp, vm_root, vm_rootlen) != 0)
		return NULL;
	tp += vm_rootlen;
	if (strncmp(tp, JOURNAL, n) != 0 || tp[n] == '.' || !tp[n] ||
	    strchr(tp + n, '/'))
		return NULL;
	return tp + n;
}

/* The tree path a (dirfd, path) pair names, for journal_record(): the tool
 * resolves --root and the journal directory to a directory fd and names
 * the record relative to it (src/lib/rootpath.c). */
static const char *tree_path_at(int dirfd, const char *p, const char *trapped,
				char *buf, size_t size)
{
	char dir[PATH_MAX];

	if (!p || p[0] == '/' || dirfd == AT_FDCWD || trapped != p ||
	    vt_fd_path(dirfd, dir, sizeof(dir)) < 0)
		return trapped;
	if ((size_t)snprintf(buf, size, "%s/%s", dir, p) >= size)
		return trapped;
	return buf;
}

struct fs_call {
	int dirfd, dirfd2;
	const char *a, *b;
	unsigned int flags;
	int (*rename)(int, const char *, int, const char *, unsigned int);
	int (*unlink)(int, const char *, int);
};

static int do_rename(void *arg)
{
	struct fs_call *c = arg;

	return c->rename(c->dirfd, c->a, c->dirfd2, c->b, c->flags) < 0 ?
		       -errno :
		       0;
}

static int do_unlink(void *arg)
{
	struct fs_call *c = arg;

	return c->unlink(c->dirfd, c->a, (int)c->flags) < 0 ? -errno : 0;
}

static int errno_ret(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

int renameat2(int olddir, const char *old, int newdir, const char *new,
	      unsigned int flags)
{
	static int (*next)(int, const char *, int, const char *, unsigned int);
	char b1[PATH_MAX], b2[PATH_MAX], full[PATH_MAX * 2];
	struct fs_call c = { .dirfd = olddir,
			     .dirfd2 = newdir,
			     .flags = flags };
	const char *rec, *path;

	LOAD(next, "renameat2");
	c.rename = next;
	c.a = vt_trap_at(olddir, old, b1, sizeof(b1));
	c.b = vt_trap_at(newdir, new, b2, sizeof(b2));
	path = tree_path_at(newdir, new, c.b, full, sizeof(full));
	rec = journal_record(path);
	if (!rec)
		return next(olddir, c.a, newdir, c.b, flags);
	return errno_ret(
		vt_op("commit", path + vm_rootlen, "", 0, rec, do_rename, &c));
}

int renameat(int olddir, const char *old, int newdir, const char *new)
{
	return renameat2(olddir, old, newdir, new, 0);
}

int rename(const char *old, const char *new)
{
	return renameat2(AT_FDCWD, old, AT_FDCWD, new, 0);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	static int (*next)(int, const char *, int);
	char buf[PATH_MAX], full[PATH_MAX * 2];
	struct fs_call c = { .dirfd = dirfd, .flags = (unsigned int)flags };
	const char *rec, *tp;

	LOAD(next, "unlinkat");
	c.unlink = next;
	c.a = vt_trap_at(dirfd, path, buf, sizeof(buf));
	tp = tree_path_at(dirfd, path, c.a, full, sizeof(full));
	rec = journal_record(tp);
	if (!rec)
		return next(dirfd, c.a, flags);
	return errno_ret(
		vt_op("remove", tp + vm_rootlen, "", 0, rec, do_unlink, &c));
}

int unlink(const char *path)
{
	return unlinkat(AT_FDCWD, path, 0);
}

/* ---- file descriptors ------------------------------------------------------------- */

struct store_call {
	const char *host;
	const void *buf;
	size_t len;
};

static int do_store(void *arg)
{
	struct store_call *s = arg;

	return vm_store(s->host, s->buf, s->len);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*next)(int, const void *, size_t);
	struct store_call s = { .host = vt_fd_host(fd), .buf = buf, .len = n };
	char bdf[64];
	int r;

	LOAD(next, "write");
	switch (vt_fd_kind(fd)) {
	case VT_FD_STORE:
		vm_store_device(s.host, buf, n, bdf, sizeof(bdf));
		r = vt_op("write", s.host, buf, n, bdf, do_store, &s);
		return r < 0 ? errno_ret(r) : (ssize_t)n;
	case VT_FD_KMSG:
		r = vm_kmsg_user(buf, n);
		return r < 0 ? errno_ret(r) : (ssize_t)n;
	default:
		return next(fd, buf, n);
	}
}

/* printk.c devkmsg_read: one record per read, EAGAIN at the end when
 * non-blocking, EINVAL when the buffer cannot hold the record. */
static ssize_t kmsg_read(int fd, void *buf, size_t n)
{
	char *text = NULL;
	size_t off = vt_fd_kmsg_off(fd), len, end;
	ssize_t r;

	if (vm_read(&text, "/dev/kmsg") < 0)
		return errno_ret(-EIO);
	len = strlen(text);
	if (off >= len) {
		free(text);
		if (vt_fd_nonblock(fd))
			return errno_ret(-EAGAIN);
		return 0;
	}
	end = off;
	do {
		char *nl = strchr(text + end, '\n');

		end = nl ? (size_t)(nl - text) + 1 : len;
	} while (end < len && text[end] == ' ');
	if (end - off > n) {
		free(text);
		return errno_ret(-EINVAL);
	}
	memcpy(buf, text + off, end - off);
	r = (ssize_t)(end - off);
	vt_fd_set_kmsg_off(fd, end);
	free(text);
	return r;
}

ssize_t read(int fd, void *buf, size_t n)
{
	static ssize_t (*next)(int, void *, size_t);

	LOAD(next, "read");
	if (vt_fd_kind(fd) == VT_FD_KMSG)
		return kmsg_read(fd, buf, n);
	return next(fd, buf, n);
}

int close(int fd)
{
	static int (*next)(int);

	LOAD(next, "close");
	vt_fd_forget(fd);
	return next(fd);
}

int dup2(int from, int to)
{
	static int (*next)(int, int);
	int r;

	LOAD(next, "dup2");
	r = next(from, to);
	if (r >= 0 && from != to)
		vt_fd_copy(from, to);
	return r;
}

int dup3(int from, int to, int flags)
{
	static int (*next)(int, int, int);
	int r;

	LOAD(next, "dup3");
	r = next(from, to, flags);
	if (r >= 0)
		vt_fd_copy(from, to);
	return r;
}

/* The capability probe's IOMMU_IOAS_NOIOMMU_GET_PA on /dev/iommu
 * (drivers/iommu/iommufd/ioas.c iommufd_ioas_noiommu_get_pa): ENOENT for
 * IOAS 0 where it is built, EOPNOTSUPP from the stub where not, ENOTTY
 * from a kernel that predates it. */
#define IOMMU_IOAS_NOIOMMU_GET_PA 0x3B95

int ioctl(int fd, unsigned long req, ...)
{
	static int (*next)(int, unsigned long, ...);
	struct vm_world w;
	va_list ap;
	void *arg;
	int major = 0, minor = 0;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	LOAD(next, "ioctl");
	if (vt_fd_kind(fd) != VT_FD_IOMMU)
		return next(fd, req, arg);
	if (req != IOMMU_IOAS_NOIOMMU_GET_PA || vm_world(&w) < 0)
		return errno_ret(-ENOTTY);
	sscanf(w.release, "%d.%d", &major, &minor);
	if (major < 7 || (major == 7 && minor < 3))
		return errno_ret(-ENOTTY);
	return errno_ret(w.iommufd_noiommu ? -ENOENT : -EOPNOTSUPP);
}

/* ---- the network and the system log --------------------------------------------------- */

/* .model/ifaddrs: "IFACE ADDR/PLEN" lines; none by default. */
struct vt_ifa {
	struct ifaddrs ifa;
	struct sockaddr_storage addr, mask;
	char name[IFNAMSIZ];
};

static void set_mask(struct sockaddr_storage *ss, int family, int plen)
{
	unsigned char *b;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		b = (unsigned char *)&((struct sockaddr_in *)ss)->sin_addr;
		n = 4;
	} else {
		b = ((struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++, plen -= 8)
		b[i] = plen >= 8 ? 0xff :
		       plen > 0	 ? (unsigned char)(0xff << (8 - plen)) :
				   0;
}

static struct vt_ifa *ifa_entry(const char *line)
{
	char name[IFNAMSIZ], addr[64];
	int plen = 0;
	struct vt_ifa *e;

	if (sscanf(line, "%15s %63[^/]/%d", name, addr, &plen) < 2)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->ifa.ifa_name = e->name;
	e->ifa.ifa_flags = IFF_UP | IFF_RUNNING;
	if (inet_pton(AF_INET, addr,
		      &((struct sockaddr_in *)&e->addr)->sin_addr) == 1) {
		e->addr.ss_family = AF_INET;
		set_mask(&e->mask, AF_INET, plen);
	} else if (inet_pton(AF_INET6, addr,
			     &((struct sockaddr_in6 *)&e->addr)->sin6_addr) ==
		   1) {
		e->addr.ss_family = AF_INET6;
		set_mask(&e->mask, AF_INET6, plen);
	} else {
		free(e);
		return NULL;
	}
	e->ifa.ifa_addr = (struct sockaddr *)&e->addr;
	e->ifa.ifa_netmask = (struct sockaddr *)&e->mask;
	return e;
}

int getifaddrs(struct ifaddrs **out)
{
	static int (*next)(struct ifaddrs **);
	char *text = NULL, *line, *save = NULL;
	struct ifaddrs *head = NULL, **tail = &head;

	LOAD(next, "getifaddrs");
	if (!vt_active())
		return next(out);
	if (vm_read(&text, VM_SIDE "/ifaddrs") == 0)
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			struct vt_ifa *e = ifa_entry(line);

			if (!e)
				continue;
			*tail = &e->ifa;
			tail = &e->ifa.ifa_next;
		}
	free(text);
	*out = head;
	return 0;
}

void freeifaddrs(struct ifaddrs *ifa)
{
	static void (*next)(struct ifaddrs *);

	LOAD(next, "freeifaddrs");
	if (!vt_active()) {
		next(ifa);
		return;
	}
	while (ifa) {
		struct ifaddrs *n = ifa->ifa_next;

		free(ifa); /* the first member of struct vt_ifa */
		ifa = n;
	}
}

static char syslog_ident[64] = "?";

void openlog(const char *ident, int option, int facility)
{
	static void (*next)(const char *, int, int);

	LOAD(next, "openlog");
	if (!vt_active()) {
		next(ident, option, facility);
		return;
	}
	snprintf(syslog_ident, sizeof(syslog_ident), "%s", ident ? ident : "?");
}

void closelog(void)
{
	static void (*next)(void);

	LOAD(next, "closelog");
	if (!vt_active())
		next();
}

void vsyslog(int pri, const char *fmt, va_list ap)
{
	static void (*next)(int, const char *, va_list);
	char *msg = NULL, *line = NULL;

	LOAD(next, "vsyslog");
	if (!vt_active()) {
		next(pri, fmt, ap);
		return;
	}
	if (vasprintf(&msg, fmt, ap) >= 0 &&
	    asprintf(&line, "<%d>%s[%d]: %s\n", pri, syslog_ident,
		     (int)getpid(), msg) >= 0)
		vm_append(line, VM_SIDE "/syslog");
	free(msg);
	free(line);
}

void syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	vsyslog(pri, fmt, ap);
}

void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

int klogctl(int type, char *buf, int len)
{
	static int (*next)(int, char *, int);

	LOAD(next, "klogctl");
	if (vt_active())
		return errno_ret(-EPERM); /* never the host's kernel log */
	return next(type, buf, len);
}
