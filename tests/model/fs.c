// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File work on the tree for the kernel model: host-view paths ("/sys/...")
 * mapped into the tree, always through the C library's own functions
 * (vm_real), never through the ones trap.c interposes.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"

struct vm_real vm_real;
char vm_root[PATH_MAX];
size_t vm_rootlen;

void vm_real_init(void)
{
	if (vm_real.open)
		return;
#define REAL(f) vm_real.f = (__typeof__(vm_real.f))dlsym(RTLD_NEXT, #f)
	REAL(open);
	REAL(close);
	REAL(read);
	REAL(write);
	REAL(opendir);
	REAL(lstat);
	REAL(stat);
	REAL(readlink);
	REAL(symlink);
	REAL(mkdir);
	REAL(rmdir);
	REAL(unlink);
	REAL(rename);
	REAL(access);
#undef REAL
}

int vm_open_root(const char *root)
{
	char *(*real_realpath)(const char *, char *) =
		(__typeof__(real_realpath))dlsym(RTLD_NEXT, "realpath");
	struct stat st;

	vm_real_init();
	if (!root || !*root || !real_realpath(root, vm_root))
		return -ENOENT;
	if (vm_real.stat(vm_root, &st) < 0 || !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	vm_rootlen = strlen(vm_root);
	return 0;
}

/* prefix and the formatted rest in buf, or -ENAMETOOLONG. */
static int vfmt(char *buf, size_t size, const char *prefix, const char *fmt,
		va_list ap)
{
	size_t plen = strlen(prefix);
	int n;

	if (plen >= size)
		return -ENAMETOOLONG;
	memcpy(buf, prefix, plen);
	n = vsnprintf(buf + plen, size - plen, fmt, ap);
	if (n < 0 || (size_t)n >= size - plen)
		return -ENAMETOOLONG;
	return 0;
}

static int vpath(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vfmt(buf, size, vm_root, fmt, ap);
}

#define VPATH(buf, fmt)                                 \
	do {                                            \
		va_list ap_;                            \
		int r_;                                 \
		va_start(ap_, fmt);                     \
		r_ = vpath(buf, sizeof(buf), fmt, ap_); \
		va_end(ap_);                            \
		if (r_ < 0)                             \
			return r_;                      \
	} while (0)

int vm_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfmt(buf, size, "", fmt, ap);
	va_end(ap);
	return r;
}

int vm_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vpath(buf, size, fmt, ap);
	va_end(ap);
	return r;
}

bool vm_exists(const char *fmt, ...)
{
	char p[PATH_MAX];
	struct stat st;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vpath(p, sizeof(p), fmt, ap);
	va_end(ap);
	return r == 0 && vm_real.lstat(p, &st) == 0;
}

static int read_all(const char *p, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	int fd = vm_real.open(p, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		int r = fd < 0 ? -errno : -ENOMEM;

		free(buf);
		if (fd >= 0)
			vm_real.close(fd);
		return r;
	}
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				vm_real.close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = vm_real.read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	vm_real.close(fd);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int vm_read(char **out, const char *fmt, ...)
{
	char p[PATH_MAX];

	VPATH(p, fmt);
	return read_all(p, out);
}

int vm_read_line(char *buf, size_t size, const char *fmt, ...)
{
	char p[PATH_MAX], *text = NULL;
	size_t n;
	int r;

	VPATH(p, fmt);
	r = read_all(p, &text);
	if (r < 0)
		return r;
	n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	snprintf(buf, size, "%s", text);
	free(text);
	return 0;
}

static int put(const char *p, const char *text, int flags)
{
	int fd = vm_real.open(p, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	size_t len = strlen(text);
	int r = 0;

	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = vm_real.write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		text += n;
		len -= (size_t)n;
	}
	vm_real.close(fd);
	return r;
}

int vm_write(const char *text, const char *fmt, ...)
{
	char p[PATH_MAX];

	VPATH(p, fmt);
	return put(p, text, O_TRUNC);
}

int vm_append(const char *text, const char *fmt, ...)
{
	char p[PATH_MAX];

	VPATH(p, fmt);
	return put(p, text, O_APPEND);
}

int vm_mkdir_p(const char *fmt, ...)
{
	char p[PATH_MAX];

	VPATH(p, fmt);
	for (char *s = p + vm_rootlen + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (vm_real.mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (vm_real.mkdir(p, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int rm_rf(const char *p)
{
	struct stat st;
	struct dirent *de;
	DIR *d;

	if (vm_real.lstat(p, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return vm_real.unlink(p) < 0 ? -errno : 0;
	d = vm_real.opendir(p);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", p,
				     de->d_name) >= sizeof(sub))
			continue;
		rm_rf(sub);
	}
	closedir(d);
	return vm_real.rmdir(p) < 0 ? -errno : 0;
}

int vm_rm_rf(const char *fmt, ...)
{
	char p[PATH_MAX];

	VPATH(p, fmt);
	return rm_rf(p);
}

/* Split a host path into its components (in place). */
static size_t components(char *path, char **parts, size_t max)
{
	size_t n = 0;

	for (char *tok = strtok(path, "/"); tok && n < max;
	     tok = strtok(NULL, "/"))
		parts[n++] = tok;
	return n;
}

int vm_link(const char *at, const char *to)
{
	char a[PATH_MAX], t[PATH_MAX], rel[PATH_MAX] = "", tp[PATH_MAX];
	char *ap[64], *tparts[64];
	size_t na, nt, common = 0, len = 0;

	snprintf(a, sizeof(a), "%s", at);
	snprintf(t, sizeof(t), "%s", to);
	na = components(a, ap, 64);
	nt = components(t, tparts, 64);
	if (na == 0)
		return -EINVAL;
	na--; /* the link's own name */
	while (common < na && common < nt &&
	       !strcmp(ap[common], tparts[common]))
		common++;
	for (size_t i = common; i < na; i++)
		len += (size_t)snprintf(rel + len, sizeof(rel) - len, "../");
	for (size_t i = common; i < nt; i++)
		len += (size_t)snprintf(rel + len, sizeof(rel) - len, "%s%s",
					tparts[i], i + 1 < nt ? "/" : "");
	if (len && rel[len - 1] == '/')
		rel[len - 1] = '\0';
	if (vm_path(tp, sizeof(tp), "%s", at) < 0)
		return -ENAMETOOLONG;
	vm_real.unlink(tp);
	return vm_real.symlink(rel, tp) < 0 ? -errno : 0;
}

int vm_link_resolve(char *out, size_t size, const char *hostlink)
{
	char p[PATH_MAX], target[PATH_MAX], joined[PATH_MAX * 2];
	char *parts[128], *res[128];
	size_t n, m = 0, len = 0;
	ssize_t k;
	const char *slash;

	if (vm_path(p, sizeof(p), "%s", hostlink) < 0)
		return -ENAMETOOLONG;
	k = vm_real.readlink(p, target, sizeof(target) - 1);
	if (k < 0)
		return -errno;
	target[k] = '\0';
	if (target[0] == '/') {
		snprintf(joined, sizeof(joined), "%s", target);
	} else {
		slash = strrchr(hostlink, '/');
		snprintf(joined, sizeof(joined), "%.*s/%s",
			 (int)(slash - hostlink), hostlink, target);
	}
	n = components(joined, parts, 128);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(parts[i], "."))
			continue;
		if (!strcmp(parts[i], "..")) {
			if (m)
				m--;
			continue;
		}
		res[m++] = parts[i];
	}
	out[0] = '\0';
	for (size_t i = 0; i < m; i++)
		len += (size_t)snprintf(out + len, size > len ? size - len : 0,
					"/%s", res[i]);
	return len < size ? 0 : -ENAMETOOLONG;
}

int vm_link_base(char *buf, size_t size, const char *fmt, ...)
{
	char p[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t k;

	VPATH(p, fmt);
	buf[0] = '\0';
	k = vm_real.readlink(p, target, sizeof(target) - 1);
	if (k < 0)
		return errno == ENOENT ? 0 : -errno;
	target[k] = '\0';
	base = strrchr(target, '/');
	snprintf(buf, size, "%s", base ? base + 1 : target);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vm_list(char ***out, const char *fmt, ...)
{
	char p[PATH_MAX];
	size_t n = 0, cap = 16;
	char **v;
	struct dirent *de;
	DIR *d;

	VPATH(p, fmt);
	d = vm_real.opendir(p);
	if (!d)
		return -errno;
	v = calloc(cap, sizeof(*v));
	while (v && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n + 1 >= cap) {
			char **nv = realloc(v, cap * 2 * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			cap *= 2;
		}
		v[n++] = strdup(de->d_name);
		v[n] = NULL;
	}
	closedir(d);
	if (!v)
		return -ENOMEM;
	qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return 0;
}

void vm_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}
