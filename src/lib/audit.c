// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <syslog.h>

#include "audit.h"
#include "sys.h"
#include "testhook.h"

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

/*
 * The host's kernel log, whatever tree the tool looks at: a line about an
 * image changed under --root belongs to the host that changed it, and a
 * path inside the image (DIR/dev/kmsg) is the image owner's to point
 * anywhere. O_NOFOLLOW and the device number make sure it is the kernel's
 * kmsg (1:11, drivers/char/mem.c, devlist[]), not a file put in its place.
 * Test builds write to VFIO_NOIOMMUCTL_TEST_AUDIT instead, when set.
 */
static int open_host_kmsg(bool *test)
{
	const char *file = vn_test_audit_file();
	struct stat st;
	int fd;

	*test = file != NULL;
	if (file)
		return open(file,
			    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
				    O_CLOEXEC,
			    0600);
	fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    st.st_rdev != makedev(1, 11)) {
		close(fd);
		return -1;
	}
	return fd;
}

void vn_audit(const struct vn_sys *sys, const char *fmt, ...)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *msg = NULL, *text = NULL;
	/* One record: devkmsg_write() (kernel/printk/printk.c) takes at most
	 * PRINTKRB_RECORD_MAX (1024) bytes; a longer line is cut here. */
	char line[976];
	bool test;
	va_list ap;
	int n;

	(void)sys;
	va_start(ap, fmt);
	n = xvasprintf(&msg, fmt, ap);
	va_end(ap);
	/* One line whatever the arguments hold: an image path or a user name
	 * with a newline must not forge a second record. */
	if (n < 0 || !(text = vn_escape(msg)))
		return;

	fd = open_host_kmsg(&test);
	if (!test) {
		openlog("vfio-noiommuctl", LOG_PID, LOG_AUTHPRIV);
		syslog(LOG_NOTICE, "%s", text);
		closelog();
	}
	/* <5> is KERN_NOTICE; the kernel prefixes nothing else for us. */
	n = snprintf(line, sizeof(line), "<5>vfio-noiommuctl[%d]: %s\n",
		     (int)getpid(), text);
	if (n > (int)sizeof(line) - 1) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (fd >= 0 && n > 0)
		(void)vn_write_all(fd, line, (size_t)n);
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
