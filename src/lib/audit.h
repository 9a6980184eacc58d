/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct vn_sys;

/*
 * Who is acting: SUDO_USER when run through sudo, else the login uid's
 * name (audit session owner), else the real uid's. "alice (uid 1000)".
 */
void vn_acting_user(const struct vn_sys *sys, char *buf, size_t size);

/*
 * Record an action in the kernel log (/dev/kmsg, next to the kernel's own
 * taint lines, which never say who acted) and in syslog. Always the
 * host's logs: sys only names the tree acted on (an image changed under
 * --root is logged on the host that changed it). The formatted text is
 * passed through vn_escape(), so arguments go in raw and the record is
 * one line. Failures to log are not errors of the action.
 */
void vn_audit(const struct vn_sys *sys, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * vn_acting_user()'s text read back: "alice (via sudo, uid 0)",
 * "bob (login uid 1000)", "root (uid 0)". name points into buf; via is
 * "sudo", "login" or "uid" (where the name came from); uid is the uid the
 * text gives. -EINVAL for any other text (name is then all of it, uid
 * -1, via NULL).
 */
struct vn_user {
	char buf[160];
	const char *name;
	long uid;
	const char *via;
};
int vn_user_parse(const char *text, struct vn_user *u);
