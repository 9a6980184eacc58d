/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sys/types.h>

struct vn_sys;

#define VN_LOCK_FILE "/run/vfio-noiommuctl/lock"

/*
 * The writers' lock: one flock(2) on VN_LOCK_FILE serialises bind, unbind,
 * noiommu and smoke-test. The holder writes its PID into the file so a
 * waiter can name it. Readers never take it.
 *
 * Waits up to timeout_ms (0: do not wait). Returns the locked fd, or
 * -EWOULDBLOCK with *holder set to the holding PID (0 if unknown).
 */
int vn_lock_acquire(const struct vn_sys *sys, int timeout_ms, pid_t *holder);
/* Close the lock; the PID is cleared unless another process holds it now. */
void vn_lock_release(int fd);
/* A child that shares the lock's open file description keeps it after we
 * exit: write its PID, so that a waiter names the process actually busy. */
void vn_lock_hand_over(int fd, pid_t child);
