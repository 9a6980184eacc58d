// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "audit.h"
#include "sys.h"

static const char *uid_name(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		return pw->pw_name;
	snprintf(buf, size, "%u", (unsigned int)uid);
	return buf;
}

void vn_acting_user(const struct vn_sys *sys, char *buf, size_t size)
{
	_cleanup_free_ char *loginuid = NULL;
	const char *sudo = getenv("SUDO_USER");
	char num[16];
	unsigned long luid;

	if (sudo && *sudo) {
		snprintf(buf, size, "%s (via sudo, uid %u)", sudo,
			 (unsigned int)getuid());
		return;
	}
	/* (uid_t)-1 means no login session (a service, early boot). */
	if (vn_read_text(sys, &loginuid, "/proc/self/loginuid") == 0 &&
	    parse_ulong(loginuid, 10, &luid) == 0 && luid != 4294967295UL) {
		snprintf(buf, size, "%s (login uid %lu)",
			 uid_name((uid_t)luid, num, sizeof(num)), luid);
		return;
	}
	snprintf(buf, size, "%s (uid %u)", uid_name(getuid(), num, sizeof(num)),
		 (unsigned int)getuid());
}

void vn_audit(const struct vn_sys *sys, const char *fmt, ...)
{
	_cleanup_close_ int fd = -1;
	char msg[512], line[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	openlog("vfio-noiommuctl", LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_NOTICE, "%s", msg);
	closelog();

	/* <5> is KERN_NOTICE; the kernel prefixes nothing else for us. */
	n = snprintf(line, sizeof(line), "<5>vfio-noiommuctl[%d]: %s\n",
		     (int)getpid(), msg);
	fd = vn_open(sys, O_WRONLY | O_NOCTTY, "/dev/kmsg");
	if (fd >= 0 && n > 0) {
		ssize_t w = write(fd, line, (size_t)n);

		(void)w;
	}
}

int vn_user_parse(const char *text, struct vn_user *u)
{
	static const struct {
		const char *prefix, *via;
	} forms[] = {
		{ " (via sudo, uid ", "sudo" },
		{ " (login uid ", "login" },
		{ " (uid ", "uid" },
	};
	char *open, *end;
	long uid;

	*u = (struct vn_user){ .uid = -1 };
	u->name = u->buf;
	snprintf(u->buf, sizeof(u->buf), "%s", text ? text : "");
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		open = strstr(u->buf, forms[i].prefix);
		if (!open)
			continue;
		errno = 0;
		uid = strtol(open + strlen(forms[i].prefix), &end, 10);
		if (errno || uid < 0 || strcmp(end, ")") != 0)
			return -EINVAL;
		*open = '\0';
		u->uid = uid;
		u->via = forms[i].via;
		return 0;
	}
	return -EINVAL;
}
