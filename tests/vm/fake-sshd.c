// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fake-sshd: installed as /usr/sbin/sshd in the test guests, so that its
 * process is called "sshd": it accepts one TCP connection on port 22 and
 * holds it, which is all bind's network guard looks at to find the
 * interface an SSH session arrives on (sshd's sockets, /proc/net/tcp, the
 * address's interface). Test-only.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
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
	for (;;)
		pause();
}
