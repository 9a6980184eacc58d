// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vnmodel.so: run the tool as on a real host while it sees a recorded tree.
 * Absolute paths under /sys, /dev, /proc, /run, /etc, /boot and the module
 * directories go to $VN_MODEL_ROOT; a write() to a sysfs attribute is the
 * kernel's store (kernel.c); journal commits, removals and module loads are
 * numbered operations that VN_MODEL_FAULT can make fail, hang, or kill the
 * tool at. Without VN_MODEL_ROOT everything passes straight through.
 */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <syslog.h>
#include <unistd.h>

#include "model.h"
#include "trap.h"

static pid_t main_pid;
static bool active;

/* ---- which paths are the tree's ------------------------------------------ */

static const char *const trapped[] = {
	"/sys",
	"/dev",
	"/proc",
	"/run",
	"/etc",
	"/boot",
	"/lib/modules",
	"/usr/lib/modules",
	"/lib/modprobe.d",
	"/usr/lib/modprobe.d",
	"/usr/local/lib/modprobe.d",
};

/* What the process itself needs from the real system. */
static const char *const own_exact[] = {
	"/dev/null",	"/dev/zero",  "/dev/full",	    "/dev/random",
	"/dev/urandom", "/dev/tty",   "/proc/self/exe",	    "/proc/self/maps",
	"/etc/passwd",	"/etc/group", "/etc/nsswitch.conf", "/etc/localtime",
};
static const char *const own_prefix[] = { "/dev/pts/", "/proc/self/fd",
					  "/etc/ld.so" };

static bool has_prefix(const char *p, const char *pre, bool dir)
{
	size_t n = strlen(pre);

	return !strncmp(p, pre, n) && (!dir || p[n] == '\0' || p[n] == '/');
}

bool vt_is_trapped(const char *p)
{
	bool in = false;

	if (!active || !p || p[0] != '/')
		return false;
	/* The tree itself (it may live in /dev/shm). */
	if (has_prefix(p, vm_root, true))
		return false;
	for (size_t i = 0; i < sizeof(trapped) / sizeof(trapped[0]) && !in; i++)
		in = has_prefix(p, trapped[i], true);
	if (!in)
		return false;
	for (size_t i = 0; i < sizeof(own_exact) / sizeof(own_exact[0]); i++)
		if (!strcmp(p, own_exact[i]))
			return false;
	for (size_t i = 0; i < sizeof(own_prefix) / sizeof(own_prefix[0]); i++)
		if (has_prefix(p, own_prefix[i], false))
			return false;
	return true;
}

const char *vt_trap(const char *p, char *buf, size_t size)
{
	if (!vt_is_trapped(p))
		return p;
	if ((size_t)snprintf(buf, size, "%s%s", vm_root, p) >= size)
		return p;
	return buf;
}

/* A path relative to a directory fd: trapped when the directory is a real
 * one above a trapped prefix ("/" and "sys", as systemd walks paths). */
int vt_fd_path(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = vm_real.readlink(link, buf, size - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

const char *vt_trap_at(int dirfd, const char *p, char *buf, size_t size)
{
	char dir[PATH_MAX], host[PATH_MAX * 2];

	if (!active || !p)
		return p;
	if (p[0] == '/')
		return vt_trap(p, buf, size);
	if (dirfd == AT_FDCWD || vt_fd_path(dirfd, dir, sizeof(dir)) < 0)
		return p;
	if (has_prefix(dir, vm_root, true))
		return p;
	snprintf(host, sizeof(host), "%s/%s", strcmp(dir, "/") ? dir : "", p);
	if (!vt_is_trapped(host))
		return p;
	if ((size_t)snprintf(buf, size, "%s%s", vm_root, host) >= size)
		return p;
	return buf;
}

/* The host view of a tree path (for realpath), in place. */
char *vt_untrap(char *p)
{
	if (p && active && has_prefix(p, vm_root, true)) {
		if (!p[vm_rootlen])
			strcpy(p, "/");
		else
			memmove(p, p + vm_rootlen, strlen(p + vm_rootlen) + 1);
	}
	return p;
}

/* ---- device nodes are records in the tree ---------------------------------- */

/* "char MAJ:MIN UID GID MODE" in a regular file under TREE/dev. */
bool vt_node_record(const char *tpath, struct vt_node *nd)
{
	char text[128];
	char type[8];
	unsigned int ma, mi, uid, gid, mode;
	ssize_t n;
	int fd;

	if (!active || !has_prefix(tpath, vm_root, true) ||
	    strncmp(tpath + vm_rootlen, "/dev/", 5) != 0)
		return false;
	fd = vm_real.open(tpath, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = vm_real.read(fd, text, sizeof(text) - 1);
	vm_real.close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	if (sscanf(text, "%7s %u:%u %u %u %o", type, &ma, &mi, &uid, &gid,
		   &mode) != 6 ||
	    (strcmp(type, "char") && strcmp(type, "block")))
		return false;
	nd->mode = (strcmp(type, "char") ? S_IFBLK : S_IFCHR) | (mode & 07777);
	nd->major = ma;
	nd->minor = mi;
	nd->uid = uid;
	nd->gid = gid;
	return true;
}

/* stat() follows a tree symlink whose target is absolute inside the tree
 * (proc/PID/fd/N -> /dev/vfio/...). Only the last component. */
const char *vt_follow(const char *tpath, char *buf, size_t size)
{
	for (int i = 0; i < 8; i++) {
		char target[PATH_MAX];
		struct stat st;
		ssize_t n;

		if (!has_prefix(tpath, vm_root, true) ||
		    vm_real.lstat(tpath, &st) < 0 || !S_ISLNK(st.st_mode))
			break;
		n = vm_real.readlink(tpath, target, sizeof(target) - 1);
		if (n <= 0)
			break;
		target[n] = '\0';
		if (!vt_is_trapped(target))
			break;
		snprintf(buf, size, "%s%s", vm_root, target);
		tpath = buf;
	}
	return tpath;
}

/* ---- file descriptors the model answers for ------------------------------------ */

struct fdent {
	enum vt_fdkind kind;
	char *host;
	size_t kmsg_off;
	bool nonblock;
};
#define MAXFD 4096
static struct fdent fds[MAXFD];

void vt_fd_track(int fd, const char *host, int flags)
{
	enum vt_fdkind kind = VT_FD_NONE;

	if (fd < 0 || fd >= MAXFD || !active)
		return;
	if (!strcmp(host, "/dev/kmsg"))
		kind = VT_FD_KMSG;
	else if (!strcmp(host, "/dev/iommu"))
		kind = VT_FD_IOMMU;
	else if ((flags & O_ACCMODE) != O_RDONLY &&
		 (has_prefix(host, "/sys", true) ||
		  has_prefix(host, "/proc/sys", true)))
		kind = VT_FD_STORE;
	vt_fd_forget(fd);
	if (kind == VT_FD_NONE)
		return;
	fds[fd] = (struct fdent){ .kind = kind,
				  .host = strdup(host),
				  .nonblock = flags & O_NONBLOCK };
}

void vt_fd_forget(int fd)
{
	if (fd < 0 || fd >= MAXFD)
		return;
	free(fds[fd].host);
	fds[fd] = (struct fdent){ 0 };
}

void vt_fd_copy(int from, int to)
{
	if (from < 0 || from >= MAXFD || to < 0 || to >= MAXFD)
		return;
	vt_fd_forget(to);
	if (fds[from].kind == VT_FD_NONE)
		return;
	fds[to] = fds[from];
	fds[to].host = strdup(fds[from].host);
}

enum vt_fdkind vt_fd_kind(int fd)
{
	return fd >= 0 && fd < MAXFD ? fds[fd].kind : VT_FD_NONE;
}

const char *vt_fd_host(int fd)
{
	return fd >= 0 && fd < MAXFD ? fds[fd].host : NULL;
}

size_t vt_fd_kmsg_off(int fd)
{
	return fd >= 0 && fd < MAXFD ? fds[fd].kmsg_off : 0;
}

void vt_fd_set_kmsg_off(int fd, size_t off)
{
	if (fd >= 0 && fd < MAXFD)
		fds[fd].kmsg_off = off;
}

bool vt_fd_nonblock(int fd)
{
	return fd >= 0 && fd < MAXFD && fds[fd].nonblock;
}

/* ---- operations: numbered, logged, faulted -------------------------------------- */

static long op_next(void)
{
	char p[PATH_MAX], num[32] = "0";
	long n;
	int lk;

	if (vm_path(p, sizeof(p), VM_SIDE "/lock") < 0)
		return 0;
	lk = vm_real.open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lk >= 0)
		flock(lk, LOCK_EX);
	vm_read_line(num, sizeof(num), VM_SIDE "/counter");
	n = atol(num) + 1;
	snprintf(num, sizeof(num), "%ld\n", n);
	vm_write(num, VM_SIDE "/counter");
	if (lk >= 0)
		vm_real.close(lk);
	return n;
}

static const struct {
	const char *name;
	int err;
} errnos[] = {
	{ "EBUSY", EBUSY },   { "ENODEV", ENODEV },	  { "EIO", EIO },
	{ "EINVAL", EINVAL }, { "ENOSPC", ENOSPC },	  { "EPERM", EPERM },
	{ "EACCES", EACCES }, { "ENOENT", ENOENT },	  { "EAGAIN", EAGAIN },
	{ "ENOMEM", ENOMEM }, { "EROFS", EROFS },	  { "EEXIST", EEXIST },
	{ "EINTR", EINTR },   { "ETIMEDOUT", ETIMEDOUT },
};

static const char *errno_name(int e)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == e)
			return errnos[i].name;
	return "E?";
}

/* The action VN_MODEL_FAULT gives operation n ("N:ACTION,..."). */
static bool fault_for(long n, char *act, size_t size)
{
	const char *spec = getenv("VN_MODEL_FAULT");

	for (const char *p = spec; p && *p;) {
		const char *end = strchrnul(p, ','), *colon = strchr(p, ':');
		char *stop;
		long k = strtol(p, &stop, 10);

		if (colon && colon < end && stop == colon && k == n) {
			snprintf(act, size, "%.*s", (int)(end - colon - 1),
				 colon + 1);
			return true;
		}
		p = *end ? end + 1 : end;
	}
	return false;
}

static void escape(char *out, size_t size, const char *v, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 3 < size; i++) {
		char c = v[i];

		if (c == '\n' || c == '\t' || c == '\\') {
			out[o++] = '\\';
			out[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : '\\';
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
}

static void op_log(long n, const char *kind, const char *path, const char *val,
		   size_t vlen, const char *result, const char *fault)
{
	char v[1024], *line = NULL;

	escape(v, sizeof(v), val ? val : "", val ? vlen : 0);
	if (asprintf(&line, "%ld\t%s\t%s\t%s\t%s\t%s\t%d\n", n, kind, path, v,
		     result, fault[0] ? fault : "-", (int)getpid()) >= 0)
		vm_append(line, VM_SIDE "/log");
	free(line);
}

static void wait_release(void)
{
	while (!vm_exists(VM_SIDE "/release"))
		usleep(10 * 1000);
}

/* One store at a time changes the tree, across the tool's threads and its
 * forked children, as the kernel's locks order them; and a kill never
 * lands in the middle of one (a write(2) to sysfs is not torn by SIGKILL).
 * Shared memory, so that forks share it; robust, so that a process killed
 * holding it does not wedge its orphaned children. */
static pthread_mutex_t *store_mu;

static void store_mu_init(void)
{
	pthread_mutexattr_t a;

	store_mu = mmap(NULL, sizeof(*store_mu), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (store_mu == MAP_FAILED)
		abort();
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(store_mu, &a);
	pthread_mutexattr_destroy(&a);
}

static void store_lock(void)
{
	if (pthread_mutex_lock(store_mu) == EOWNERDEAD)
		pthread_mutex_consistent(store_mu);
}

static void store_unlock(void)
{
	pthread_mutex_unlock(store_mu);
}

/* The model's sleeps inside a store (a vfio-pci unbind waiting for its
 * users) let the other devices' stores run. */
static void store_sleep(unsigned usec)
{
	store_unlock();
	usleep(usec);
	store_lock();
}

static bool main_gone(void)
{
	char p[64], st[512];
	FILE *f;
	bool gone = true;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)main_pid);
	if (!(f = fopen(p, "re")))
		return true;
	if (fgets(st, sizeof(st), f)) {
		const char *e = strrchr(st, ')');

		gone = e && (e[2] == 'Z' || e[2] == 'X');
	}
	fclose(f);
	return gone;
}

/* SIGKILL the tool between two stores, from any of its threads or
 * children. */
static void kill_main(void)
{
	store_lock();
	kill(main_pid, SIGKILL);
	while (getpid() == main_pid)
		pause();
	while (!main_gone())
		usleep(1000);
	store_unlock();
}

int vt_op(const char *kind, const char *path, const char *val, size_t vlen,
	  const char *bdf, int (*fn)(void *), void *arg)
{
	long n = op_next();
	char act[32] = "", res[32];
	int r;

	if (fault_for(n, act, sizeof(act))) {
		if (!strcmp(act, "kill")) {
			op_log(n, kind, path, val, vlen, "killed", act);
			kill_main();
		} else if (!strcmp(act, "term")) {
			kill(main_pid, SIGTERM);
		} else if (!strcmp(act, "int")) {
			kill(main_pid, SIGINT);
		} else if (!strcmp(act, "hang")) {
			wait_release();
		} else if (!strcmp(act, "hold")) {
			if (bdf && bdf[0])
				vm_hold(bdf, 90000 + (int)n);
		} else if (!strcmp(act, "vanish")) {
			if (bdf && bdf[0])
				vm_vanish(bdf);
		} else {
			for (size_t i = 0;
			     i < sizeof(errnos) / sizeof(errnos[0]); i++)
				if (!strcmp(act, errnos[i].name)) {
					op_log(n, kind, path, val, vlen, act,
					       act);
					return -errnos[i].err;
				}
		}
	}
	/* The tool may store from several threads (bind --jobs): one store
	 * at a time changes the tree, as the kernel's locks would order
	 * them. A store that blocks (a held vfio-pci unbind) runs in the
	 * tool's forked child, which has its own copy of this lock. */
	store_lock();
	r = fn(arg);
	store_unlock();
	snprintf(res, sizeof(res), "%s", r < 0 ? errno_name(-r) : "0");
	op_log(n, kind, path, val, vlen, res, act);
	return r;
}

/* ---- set-up -------------------------------------------------------------------- */

bool vt_active(void)
{
	return active;
}

__attribute__((constructor)) static void vt_setup(void)
{
	store_mu_init();
	vm_sleep = store_sleep;
	const char *root = getenv("VN_MODEL_ROOT");

	vm_real_init();
	main_pid = getpid();
	if (!root || !*root)
		return;
	if (vm_open_root(root) < 0) {
		static const char msg[] = "vnmodel: VN_MODEL_ROOT is not a "
					  "directory\n";

		vm_real.write(2, msg, sizeof(msg) - 1);
		_exit(125);
	}
	active = true;
}
