// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <libkmod.h>
#include <libudev.h>

#include "names.h"
#include "rootpath.h"
#include "sys.h"
#include "testhook.h"

struct vn_sys_cache {
	char *text[VN_CACHED_COUNT];
	int err[VN_CACHED_COUNT];
	bool read[VN_CACHED_COUNT];
};

static void snapshot_free(struct vn_snapshot *snap);

int vn_sys_new(const char *root, struct vn_sys **ret)
{
	struct vn_sys *sys = calloc(1, sizeof(*sys));

	if (!sys)
		return -ENOMEM;
	sys->cache = calloc(1, sizeof(*sys->cache));
	if (!sys->cache) {
		free(sys);
		return -ENOMEM;
	}
	if (root && *root && !streq(root, "/")) {
		struct stat st;

		if (!realpath(root, sys->root)) {
			int r = -errno;

			vn_sys_free(sys);
			return r;
		}
		if (stat(sys->root, &st) < 0 || !S_ISDIR(st.st_mode)) {
			vn_sys_free(sys);
			return -ENOTDIR;
		}
		if (streq(sys->root, "/"))
			sys->root[0] = '\0';
	}
	*ret = sys;
	return 0;
}

void vn_sys_free(struct vn_sys *sys)
{
	if (!sys)
		return;
	if (sys->udev)
		udev_unref(sys->udev);
	if (sys->kmod)
		kmod_unref(sys->kmod);
	free(sys->modules_dir);
	vn_names_free(sys->names);
	snapshot_free(sys->snap);
	free(sys->release);
	vn_sys_forget(sys);
	free(sys->cache);
	free(sys);
}

int vn_sys_cached_text(const struct vn_sys *sys, enum vn_cached which,
		       const char **text)
{
	static const char *const paths[VN_CACHED_COUNT] = {
		[VN_CACHED_DEVICES] = "/proc/devices",
		[VN_CACHED_MISC] = "/proc/misc",
	};
	struct vn_sys_cache *c = sys->cache;

	if (!c->read[which]) {
		c->err[which] =
			vn_read_text(sys, &c->text[which], "%s", paths[which]);
		c->read[which] = true;
	}
	*text = c->text[which];
	return c->err[which];
}

void vn_sys_forget(const struct vn_sys *sys)
{
	for (size_t i = 0; i < VN_CACHED_COUNT; i++) {
		free(sys->cache->text[i]);
		sys->cache->text[i] = NULL;
		sys->cache->read[i] = false;
	}
}

void vn_sys_set_log(struct vn_sys *sys, vn_log_fn fn, void *data, int level)
{
	sys->log_fn = fn;
	sys->log_data = data;
	sys->log_level = level;
}

void vn_log(const struct vn_sys *sys, int level, const char *fmt, ...)
{
	va_list ap;

	if (!sys->log_fn || level > sys->log_level)
		return;
	va_start(ap, fmt);
	sys->log_fn(sys->log_data, level, fmt, ap);
	va_end(ap);
}

int vn_vpath(const struct vn_sys *sys, char *buf, size_t size, const char *fmt,
	     va_list ap)
{
	size_t rootlen = strlen(sys->root);
	int n;

	if (rootlen >= size)
		return -ENAMETOOLONG;
	memcpy(buf, sys->root, rootlen);
	n = vsnprintf(buf + rootlen, size - rootlen, fmt, ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size - rootlen)
		return -ENAMETOOLONG;
	return 0;
}

int vn_path(const struct vn_sys *sys, char *buf, size_t size, const char *fmt,
	    ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vn_vpath(sys, buf, size, fmt, ap);
	va_end(ap);
	return r;
}

#define VPATH_OR_RETURN(sys, buf, fmt)                          \
	do {                                                    \
		va_list ap_;                                    \
		int r_;                                         \
		va_start(ap_, fmt);                             \
		r_ = vn_vpath(sys, buf, sizeof(buf), fmt, ap_); \
		va_end(ap_);                                    \
		if (r_ < 0)                                     \
			return r_;                              \
	} while (0)

/* The running host's sysfs: kernfs gives a text attribute (at most a
 * page) whole to the first read() and a binary one a page at a time
 * (fs/kernfs/file.c, kernfs_fop_read_iter, seq_read_iter), so a short
 * read is the end; and sysfs holds no FIFO and no device node. Reading
 * an attribute is then open, read, close instead of five calls: the
 * functions' attributes are most of what list reads (BENCHMARKS.md). */
static bool host_sysfs(const struct vn_sys *sys, const char *path)
{
	return vn_sys_is_host(sys) && startswith(path, "/sys/");
}

/* Regular files only (sysfs and procfs attributes are): in a --sysroot
 * or --root tree a FIFO would block and a link to /dev/zero never end.
 * O_NONBLOCK makes opening a FIFO return at once, to be refused. */
static int read_path_now(const struct vn_sys *sys, const char *path, char **out)
{
	_cleanup_close_ int fd =
		open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	int r;

	if (fd >= 0 && host_sysfs(sys, path))
		r = read_fd_short_is_end(fd, out, NULL);
	else if (fd < 0 || fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	else
		r = read_fd_full(fd, out, NULL);
	vn_log(sys, VN_LOG_READ, "read %s%s%s", path, r < 0 ? ": " : "",
	       r < 0 ? strerror(-r) : "");
	return r;
}

/* ---- snapshot: each file and directory read once --------------------- */

#define SNAP_BUCKETS 1024

struct snap_entry {
	struct snap_entry *next;
	bool dir;
	int err;
	char *text; /* a file's content */
	char **names; /* a directory's entries */
	char path[];
};

struct vn_snapshot {
	struct snap_entry *bucket[SNAP_BUCKETS];
};

int vn_sys_snapshot(struct vn_sys *sys)
{
	if (!sys->snap)
		sys->snap = calloc(1, sizeof(*sys->snap));
	return sys->snap ? 0 : -ENOMEM;
}

static void snapshot_free(struct vn_snapshot *snap)
{
	for (size_t b = 0; snap && b < SNAP_BUCKETS; b++)
		for (struct snap_entry *e = snap->bucket[b], *n; e; e = n) {
			n = e->next;
			free(e->text);
			strv_free(e->names);
			free(e);
		}
	free(snap);
}

/* A process's files change with every run and are read once anyway. */
static bool snap_wanted(const struct vn_sys *sys, const char *path)
{
	const char *p = path + strlen(sys->root);

	return sys->snap &&
	       !(startswith(p, "/proc/") && isdigit((unsigned char)p[6]));
}

/* The entry of path, made (not yet read) on first sight; NULL: ENOMEM. */
static struct snap_entry *snap_entry(const struct vn_sys *sys, const char *path,
				     bool dir, bool *fresh)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	struct snap_entry **e;
	size_t n = strlen(path) + 1;

	for (const char *c = path; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	for (e = &sys->snap->bucket[h % SNAP_BUCKETS]; *e; e = &(*e)->next)
		if ((*e)->dir == dir && streq((*e)->path, path))
			break;
	*fresh = !*e;
	if (!*fresh)
		return *e;
	/* Kept in the snapshot's table, freed with it (gcc 12 loses what is
	 * stored through a pointer to a pointer). */
	VN_ANALYZER_FP_BEGIN("-Wanalyzer-malloc-leak")
	*e = calloc(1, sizeof(**e) + n);
	if (*e) {
		memcpy((*e)->path, path, n);
		(*e)->dir = dir;
	}
	return *e;
	VN_ANALYZER_FP_END
}

static int list_dir_now(const struct vn_sys *sys, const char *path,
			char ***out);
static char **strv_copy(char *const *v);

/* The first answer for path, kept: -errno, or 0 and a copy in *text (a
 * file's content) or *names (a directory's entries). */
static int snap_get(const struct vn_sys *sys, const char *path, char **text,
		    char ***names)
{
	bool fresh;
	struct snap_entry *e = snap_entry(sys, path, names != NULL, &fresh);

	if (!e)
		return -ENOMEM;
	if (fresh)
		e->err = names ? list_dir_now(sys, path, &e->names) :
				 read_path_now(sys, path, &e->text);
	if (e->err < 0)
		return e->err;
	if (names)
		return (*names = strv_copy(e->names)) ? 0 : -ENOMEM;
	if (!text || !e->text)
		return -EINVAL;
	return (*text = strdup(e->text)) ? 0 : -ENOMEM;
}

static int read_path(const struct vn_sys *sys, const char *path, char **out)
{
	if (snap_wanted(sys, path))
		return snap_get(sys, path, out, NULL);
	return read_path_now(sys, path, out);
}

int vn_read_text(const struct vn_sys *sys, char **out, const char *fmt, ...)
{
	char path[PATH_MAX];
	int r;

	VPATH_OR_RETURN(sys, path, fmt);
	r = read_path(sys, path, out);
	if (r == 0)
		strip_trailing(*out);
	return r;
}

int vn_read_file(const struct vn_sys *sys, char **out, const char *fmt, ...)
{
	char path[PATH_MAX];

	VPATH_OR_RETURN(sys, path, fmt);
	return read_path(sys, path, out);
}

static int readlink_at(const char *path, char *target, size_t size)
{
	ssize_t n = readlink(path, target, size - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	return 0;
}

int vn_read_link(const struct vn_sys *sys, char **out, const char *fmt, ...)
{
	char path[PATH_MAX], target[PATH_MAX];
	int r;

	VPATH_OR_RETURN(sys, path, fmt);
	r = readlink_at(path, target, sizeof(target));
	vn_log(sys, VN_LOG_READ, "readlink %s%s%s", path, r < 0 ? ": " : "",
	       r < 0 ? strerror(-r) : "");
	if (r < 0)
		return r;
	*out = strdup(target);
	return *out ? 0 : -ENOMEM;
}

int vn_link_name(const struct vn_sys *sys, char **out, const char *fmt, ...)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	int r;

	VPATH_OR_RETURN(sys, path, fmt);
	if ((r = readlink_at(path, target, sizeof(target))) < 0)
		return r;
	base = strrchr(target, '/');
	*out = strdup(base ? base + 1 : target);
	return *out ? 0 : -ENOMEM;
}

bool vn_exists(const struct vn_sys *sys, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vn_vpath(sys, path, sizeof(path), fmt, ap);
	va_end(ap);
	return r == 0 && access(path, F_OK) == 0;
}

int vn_open(const struct vn_sys *sys, int flags, const char *fmt, ...)
{
	char path[PATH_MAX];
	int fd;

	VPATH_OR_RETURN(sys, path, fmt);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int vn_opendir(const struct vn_sys *sys, DIR **out, const char *fmt, ...)
{
	char path[PATH_MAX];

	VPATH_OR_RETURN(sys, path, fmt);
	*out = opendir(path);
	return *out ? 0 : -errno;
}

static void log_write(const struct vn_sys *sys, const char *path,
		      const char *value, int r)
{
	_cleanup_free_ char *v = NULL;

	if (!sys->log_fn)
		return;
	v = vn_escape(value);
	vn_log(sys, VN_LOG_WRITE, "write %s <- %s%s%s", path, v ? v : "?",
	       r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
}

int vn_write_text(const struct vn_sys *sys, const char *value, const char *fmt,
		  ...)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;
	int r;

	VPATH_OR_RETURN(sys, path, fmt);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	/* sysfs stores take the whole value in one write; a short write
	 * means the attribute rejected the rest. */
	n = fd < 0 ? -1 : write(fd, value, len);
	r = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	log_write(sys, path, value, r);
	return r;
}

/* The tool's root as a vn_root for writing. Test builds take
 * VFIO_NOIOMMUCTL_TEST_RESOLVE=walk to force the fallback resolution. */
int vn_sys_root(const struct vn_sys *sys, struct vn_root *root)
{
	int r = vn_root_open(sys->root, root);

	if (r == 0)
		root->walk = vn_test_resolve_walk();
	return r;
}

/* fmt formatted as a path inside the root (no root prefix), and the root
 * opened for it. */
static int root_vpath(const struct vn_sys *sys, struct vn_root *root, char *buf,
		      size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	return vn_sys_root(sys, root);
}

#define ROOT_PATH_OR_RETURN(sys, root, buf, fmt)                           \
	do {                                                               \
		va_list ap_;                                               \
		int r_;                                                    \
		va_start(ap_, fmt);                                        \
		r_ = root_vpath(sys, &(root), buf, sizeof(buf), fmt, ap_); \
		va_end(ap_);                                               \
		if (r_ < 0)                                                \
			return r_;                                         \
	} while (0)

int vn_mkdir(const struct vn_sys *sys, const char *fmt, ...)
{
	_cleanup_root_ struct vn_root root = { .fd = -1 };
	char path[PATH_MAX];

	ROOT_PATH_OR_RETURN(sys, root, path, fmt);
	return vn_root_mkdirs(&root, path, 0755);
}

int vn_replace_file(const struct vn_sys *sys, const char *text, const char *fmt,
		    ...)
{
	_cleanup_root_ struct vn_root root = { .fd = -1 };
	char path[PATH_MAX];

	ROOT_PATH_OR_RETURN(sys, root, path, fmt);
	return vn_root_replace(&root, path, text, strlen(text), 0644);
}

int vn_remove_file(const struct vn_sys *sys, const char *fmt, ...)
{
	_cleanup_root_ struct vn_root root = { .fd = -1 };
	char path[PATH_MAX];

	ROOT_PATH_OR_RETURN(sys, root, path, fmt);
	return vn_root_unlink(&root, path);
}

int vn_open_in_root(const struct vn_sys *sys, int flags, mode_t mode,
		    const char *fmt, ...)
{
	_cleanup_root_ struct vn_root root = { .fd = -1 };
	char path[PATH_MAX];

	ROOT_PATH_OR_RETURN(sys, root, path, fmt);
	return vn_root_openat(&root, path, flags, mode);
}

int vn_write_file_atomic(const char *final, const char *data, size_t len,
			 mode_t mode)
{
	_cleanup_root_ struct vn_root dir = { .fd = -1 };
	_cleanup_free_ char *parent = NULL;
	const char *base = strrchr(final, '/');
	int r;

	/* The directory the user named is taken as it is (links included);
	 * in it, rootpath.h's replace: a new O_EXCL name, renamed over the
	 * final one, which is never opened. */
	if (base)
		parent = strndup(final,
				 base == final ? 1 : (size_t)(base - final));
	else
		parent = strdup(".");
	if (!parent)
		return -ENOMEM;
	if ((r = vn_root_open(parent, &dir)) < 0)
		return r;
	return vn_root_replace(&dir, base ? base + 1 : final, data, len, mode);
}

static int list_dir_now(const struct vn_sys *sys, const char *path, char ***out)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_ char **v = NULL;
	struct dirent *de;
	int r;

	d = opendir(path);
	vn_log(sys, VN_LOG_READ, "list %s%s%s", path, d ? "" : ": ",
	       d ? "" : strerror(errno));
	if (!d)
		return -errno;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		r = strv_push(&v, strdup(de->d_name));
		if (r < 0)
			return r;
	}
	strv_sort(v);
	*out = steal_ptr(v);
	return 0;
}

static char **strv_copy(char *const *v)
{
	_cleanup_strv_ char **c = strv_new();

	for (size_t i = 0; c && v[i]; i++)
		if (strv_push(&c, strdup(v[i])) < 0)
			return NULL;
	return steal_ptr(c);
}

int vn_list_dir(const struct vn_sys *sys, char ***out, const char *fmt, ...)
{
	char path[PATH_MAX];

	VPATH_OR_RETURN(sys, path, fmt);
	if (snap_wanted(sys, path))
		return snap_get(sys, path, NULL, out);
	return list_dir_now(sys, path, out);
}

int vn_parse_node_record(const char *text, struct vn_node_info *info)
{
	char type[8];
	unsigned int maj, min, uid, gid, mode;
	int end = 0;

	if (sscanf(text, "%7s %u:%u %u %u %o%n", type, &maj, &min, &uid, &gid,
		   &mode, &end) != 6)
		return -EINVAL;
	if (text[end] && text[end] != '\n')
		return -EINVAL;
	if (!streq(type, "char") && !streq(type, "block"))
		return -EINVAL;
	*info = (struct vn_node_info){
		.present = true,
		.is_chr = streq(type, "char"),
		.major = maj,
		.minor = min,
		.uid = uid,
		.gid = gid,
		.mode = mode & 07777,
	};
	return 0;
}

int vn_node_stat(const struct vn_sys *sys, const char *devpath,
		 struct vn_node_info *info)
{
	char path[PATH_MAX];
	struct stat st;
	int r;

	*info = (struct vn_node_info){ 0 };
	r = vn_path(sys, path, sizeof(path), "%s", devpath);
	if (r < 0)
		return r;
	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISREG(st.st_mode) && !vn_sys_is_host(sys)) {
		_cleanup_free_ char *text = NULL;

		r = vn_read_text(sys, &text, "%s", devpath);
		if (r < 0)
			return r;
		return vn_parse_node_record(text, info);
	}
	info->present = true;
	info->is_chr = S_ISCHR(st.st_mode);
	info->major = major(st.st_rdev);
	info->minor = minor(st.st_rdev);
	info->uid = st.st_uid;
	info->gid = st.st_gid;
	info->mode = st.st_mode & 07777;
	return 0;
}

const char *vn_sys_release(struct vn_sys *sys)
{
	if (!sys->release &&
	    vn_read_text(sys, &sys->release, "/proc/sys/kernel/osrelease") < 0)
		return NULL;
	return sys->release;
}
