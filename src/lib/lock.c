// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "journal.h"
#include "lock.h"
#include "sys.h"

static pid_t read_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	int pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	strip_trailing(buf);
	return parse_int(buf, &pid) == 0 && pid > 0 ? (pid_t)pid : 0;
}

static int write_pid(int fd, pid_t pid)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	ssize_t w;

	/* The real errno: a full /run (ENOSPC) must say so, not EIO. */
	if (ftruncate(fd, 0) < 0)
		return -errno;
	w = pwrite(fd, buf, (size_t)n, 0);
	if (w < 0)
		return -errno;
	return w == n ? 0 : -ENOSPC; /* short: the file system is full */
}

/* path inside the root (rootpath.h: no symlink followed). */
static int take(const struct vn_sys *sys, const char *path, bool exclusive,
		int timeout_ms, pid_t *holder)
{
	_cleanup_close_ int fd = -1;
	long long deadline = vn_now_ms() + timeout_ms;
	int r;

	*holder = 0;
	fd = vn_open_in_root(sys, O_RDWR | O_CREAT, 0600, "%s", path);
	if (fd < 0)
		return fd;
	while (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (vn_now_ms() >= deadline) {
			*holder = read_holder(fd);
			return -EWOULDBLOCK;
		}
		usleep(50 * 1000);
	}
	/* Shared holders are many: only an exclusive one names itself. */
	if (exclusive && (r = write_pid(fd, getpid())) < 0)
		return r;
	return steal_fd(fd);
}

int vn_lock_acquire(const struct vn_sys *sys, bool exclusive, int timeout_ms,
		    pid_t *holder)
{
	int r;

	*holder = 0;
	if ((r = vn_mkdir(sys, VN_RUN_DIR)) < 0)
		return r;
	return take(sys, VN_LOCK_FILE, exclusive, timeout_ms, holder);
}

int vn_lock_device(const struct vn_sys *sys, const char *bdf, int timeout_ms,
		   pid_t *holder)
{
	char path[PATH_MAX];
	int r;

	*holder = 0;
	if ((r = vn_mkdir(sys, VN_LOCK_DIR)) < 0)
		return r;
	if (snprintf(path, sizeof(path), VN_LOCK_DIR "/%s", bdf) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return take(sys, path, true, timeout_ms, holder);
}

void vn_lock_release(int fd)
{
	if (fd < 0)
		return;
	/* Leave no stale PID behind for the next waiter to name, unless the
	 * lock went on to a child that still holds it. */
	if (read_holder(fd) == getpid() && ftruncate(fd, 0) < 0) {
		/* nothing to do: the lock goes with the fd anyway */
	}
	close(fd);
}

void vn_lock_hand_over(int fd, pid_t child)
{
	if (fd >= 0)
		write_pid(fd, child);
}
