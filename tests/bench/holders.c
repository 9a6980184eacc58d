// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-holders N: the "other processes" of the inventory benchmark. Starts
 * N processes that each hold a few file descriptors (/dev/null, a pipe, a
 * file under /tmp, this program) and a few file mappings (that file three
 * times, this program once), prints "ready" when all of them are set up,
 * and stays until it gets SIGTERM or SIGINT; the children die with it
 * (PR_SET_PDEATHSIG). None of them touches a VFIO node: they are what a
 * holder scan has to walk past.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void hold(const char *file, int ready)
{
	int fds[2], f = open(file, O_RDONLY),
		    self = open("/proc/self/exe", O_RDONLY);

	if (f < 0 || self < 0 || open("/dev/null", O_RDWR) < 0 || pipe(fds) < 0)
		_exit(1);
	for (int i = 0; i < 3; i++)
		if (mmap(NULL, 4096, PROT_READ, MAP_SHARED, f, 0) == MAP_FAILED)
			_exit(1);
	if (mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, self, 0) == MAP_FAILED)
		_exit(1);
	if (write(ready, "", 1) != 1)
		_exit(1);
	close(ready);
	for (;;)
		pause();
}

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	char file[] = "/tmp/bench-holders.XXXXXX", c;
	int n = argc == 2 ? atoi(argv[1]) : -1, ready[2], f;
	struct sigaction sa = { .sa_handler = on_signal };

	if (n < 0) {
		fprintf(stderr, "usage: bench-holders N\n");
		return 2;
	}
	f = mkstemp(file);
	if (f < 0 || ftruncate(f, 4096) < 0 || pipe(ready) < 0) {
		perror("bench-holders");
		return 1;
	}
	close(f);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(ready[0]);
			hold(file, ready[1]);
		}
	}
	close(ready[1]);
	for (int i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1) {
			fprintf(stderr, "bench-holders: a child failed\n");
			return 1;
		}
	printf("ready\n");
	fflush(stdout);
	pause();
	unlink(file);
	return 0;
}
