// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>

#include "config.h"
#include "testhook.h"
#include "util.h"

#if ENABLE_TEST_HOOKS
static volatile sig_atomic_t resumed;

static void on_resume(int sig)
{
	(void)sig;
	resumed = 1;
}
#endif

void vn_test_pause(const char *point)
{
#if ENABLE_TEST_HOOKS
	const char *want = getenv("VFIO_NOIOMMUCTL_TEST_PAUSE");
	const char *file = getenv("VFIO_NOIOMMUCTL_TEST_PAUSE_FILE");
	char line[128];
	int fd, n;

	if (!want || !file || strcmp(want, point) != 0)
		return;
	fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		n = snprintf(line, sizeof(line), "paused %s %d\n", point,
			     (int)getpid());
		if (n > 0 && write(fd, line, (size_t)n) < 0) {
			/* the test will time out and say so */
		}
		close(fd);
	}
	/* VFIO_NOIOMMUCTL_TEST_RESUME: SIGUSR1 lets it go on; otherwise it
	 * waits for its SIGKILL. */
	if (getenv("VFIO_NOIOMMUCTL_TEST_RESUME")) {
		sigset_t usr1;

		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		signal(SIGUSR1, on_resume);
		sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	}
	while (!resumed)
		pause();
	resumed = 0;
#else
	(void)point;
#endif
}

int vn_test_fail(const char *point, const char *bdf)
{
#if ENABLE_TEST_HOOKS
	const char *want = getenv("VFIO_NOIOMMUCTL_TEST_FAIL");
	size_t n = strlen(point);

	if (want && !strncmp(want, point, n) && want[n] == ':' &&
	    !strcmp(want + n + 1, bdf))
		return -EIO;
#else
	(void)point;
	(void)bdf;
#endif
	return 0;
}

bool vn_test_resolve_walk(void)
{
#if ENABLE_TEST_HOOKS
	return streq_ptr(getenv("VFIO_NOIOMMUCTL_TEST_RESOLVE"), "walk");
#else
	return false;
#endif
}

const char *vn_test_audit_file(void)
{
#if ENABLE_TEST_HOOKS
	const char *file = getenv("VFIO_NOIOMMUCTL_TEST_AUDIT");

	return file && *file ? file : NULL;
#else
	return NULL;
#endif
}
