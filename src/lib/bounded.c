// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "bounded.h"
#include "sys.h"

/* Wait up to ms for the child's result; 1 with *res, 0 on timeout, -EIO
 * when the child died without answering. */
static int wait_result(int fd, int ms, int *res)
{
	long long deadline = vn_now_ms() + ms;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - vn_now_ms();
		ssize_t n;
		int r;

		if (left <= 0)
			return 0;
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : 0;
		n = read(fd, res, sizeof(*res));
		return n == sizeof(*res) ? 1 : -EIO;
	}
}

static void detach(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	setsid();
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
}

static void close_pair(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* True when the parent acknowledged the result; false when it gave up
 * (EOF) or died. EOF alone is not enough: with writes in parallel, a
 * sibling child forked later holds a copy of our ack pipe's write end
 * (fork copies every descriptor, O_CLOEXEC only acts on exec), so a dead
 * parent is also seen by being reparented. */
static bool acked(int ack_fd, pid_t parent)
{
	for (;;) {
		struct pollfd p = { .fd = ack_fd, .events = POLLIN };
		char ack;
		int r = poll(&p, 1, 20);

		if (r < 0 && errno != EINTR)
			return false;
		if (r > 0)
			return read(ack_fd, &ack, 1) == 1;
		if (getppid() != parent)
			return false;
	}
}

static _Noreturn void child_main(const struct vn_sys *sys, const char *path,
				 const char *value, int res_fd, int ack_fd,
				 pid_t parent, void (*orphan)(void *),
				 void *arg)
{
	int res;

	signal(SIGPIPE, SIG_IGN);
	detach();
	res = vn_write_text(sys, value, "%s", path);
	if (write(res_fd, &res, sizeof(res)) < 0) {
		/* the parent is gone; acked() says so too */
	}
	close(res_fd);
	if (!acked(ack_fd, parent) && res == 0 && orphan)
		orphan(arg);
	_exit(0);
}

int vn_bounded_write(const struct vn_sys *sys, const char *path,
		     const char *value, int timeout_ms,
		     void (*orphan)(void *arg), void *arg, pid_t *child)
{
	int res_pipe[2], ack_pipe[2], res = -EIO, r;
	pid_t pid, parent = getpid();

	*child = 0;
	if (pipe2(res_pipe, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(ack_pipe, O_CLOEXEC) < 0) {
		r = -errno;
		close_pair(res_pipe);
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close_pair(res_pipe);
		close_pair(ack_pipe);
		return r;
	}
	if (pid == 0) {
		close(res_pipe[0]);
		close(ack_pipe[1]);
		child_main(sys, path, value, res_pipe[1], ack_pipe[0], parent,
			   orphan, arg);
	}
	close(res_pipe[1]);
	close(ack_pipe[0]);
	r = wait_result(res_pipe[0], timeout_ms, &res);
	if (r == 1) {
		char ack = 1;

		if (write(ack_pipe[1], &ack, 1) < 0) {
			/* the child exits on EOF all the same */
		}
	}
	close(res_pipe[0]);
	close(ack_pipe[1]);
	if (r == 1 || r < 0) {
		waitpid(pid, NULL, 0);
		return r == 1 ? res : r;
	}
	*child = pid;
	return -ETIMEDOUT;
}
