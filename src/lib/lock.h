/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct vn_sys;

#define VN_LOCK_FILE "/run/vfio-noiommuctl/lock"
#define VN_LOCK_DIR "/run/vfio-noiommuctl/locks"

/*
 * The writers' locks (flock(2)), so that writers never step on each other
 * and readers never wait:
 *
 *  - VN_LOCK_FILE, the global lock: taken exclusively by what changes the
 *    whole host (noiommu on/off), shared by device transactions (bind,
 *    unbind, smoke-test);
 *  - VN_LOCK_DIR/<BDF>, one per device: exclusive, by whoever changes or
 *    opens that device.
 *
 * So writers on different devices proceed side by side, and the child of
 * a timed-out vfio unbind, which keeps only its device's lock, blocks
 * nobody else. An exclusive holder writes its PID into the file so that a
 * waiter can name it.
 *
 * Wait up to timeout_ms (0: do not wait). Returns the locked fd, or
 * -EWOULDBLOCK with *holder set to the holding PID (0 if unknown).
 */
int vn_lock_acquire(const struct vn_sys *sys, bool exclusive, int timeout_ms,
		    pid_t *holder);
int vn_lock_device(const struct vn_sys *sys, const char *bdf, int timeout_ms,
		   pid_t *holder);
/* Close a lock; the PID is cleared unless another process holds it now. */
void vn_lock_release(int fd);
/* A child that shares the lock's open file description keeps it after we
 * exit: write its PID, so that a waiter names the process actually busy. */
void vn_lock_hand_over(int fd, pid_t child);
