/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sys/types.h>

struct vn_sys;

/*
 * Write value to the sysfs attribute path in a child process, waiting at
 * most timeout_ms for the write to return. A VFIO driver's unbind blocks,
 * uninterruptibly, while any process holds the device (fd or BAR mapping:
 * doc/kernel.md §5.8), and the tool itself must never sit in D state
 * holding the writers' lock.
 *
 * Returns the write's result (0 or -errno), or -ETIMEDOUT with *child set:
 * the child still waits. It is detached from the terminal and the caller's
 * pipes (a shell waiting for our output must not wait for it), keeps the
 * lock (its fd is inherited; the caller hands the lock file over to it),
 * and once the write returns and the parent has given up on it, calls
 * orphan(arg) to finish the work alone, then exits.
 *
 * The child keeps the signal mask it inherits: during a transaction
 * SIGINT, SIGTERM and SIGQUIT are blocked, and the child must not be
 * stopped half-way through putting a device back either; SIGKILL still
 * works, and the journal covers it.
 */
int vn_bounded_write(const struct vn_sys *sys, const char *path,
		     const char *value, int timeout_ms,
		     void (*orphan)(void *arg), void *arg, pid_t *child);
