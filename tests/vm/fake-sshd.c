// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fake-sshd: installed as /usr/sbin/sshd in the test guests, so that its
 * process is called "sshd": it accepts one TCP connection on port 22 and
 * holds it, which is all bind's network guard looks at to find the
 * interface an SSH session arrives on (the sockets of the sshd the command
 * runs under, /proc/net/tcp, the address's interface).
 *
 *   sshd [CMD ARGS...]
 *
 * With a command, it runs it once the connection is up, as an SSH session
 * would, and exits with its status. Test-only.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(22) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0), c;

	if (s < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0) {
		perror("fake-sshd");
		return 1;
	}
	c = accept(s, NULL, NULL);
	if (c < 0) {
		perror("fake-sshd: accept");
		return 1;
	}
	if (argc > 1) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			execvp(argv[1], argv + 1);
			perror("fake-sshd: exec");
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0)
			return 1;
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	for (;;)
		pause();
}
