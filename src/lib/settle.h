/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct udev;
struct udev_monitor;
struct udev_queue;
struct vn_sys;

/*
 * Waiting for the kernel and udev after a phase of writes: one wait for
 * every device, woken by udev events (or a short sleep without udevd),
 * until each device is where it should be and udev has nothing left to
 * process (nodes have their final owner and mode, interfaces their final
 * names: a returning NIC appears as eth0 and is renamed while its event is
 * processed).
 */
struct vn_waiter {
	struct udev_monitor *mon;
	struct udev_queue *queue;
	struct udev *udev; /* borrowed from the vn_sys */
	bool udevd; /* udevd runs: wait for its events and database */
	/* Injectable for tests: the clock (milliseconds) and poll(2). */
	long long (*now)(void);
	int (*poll)(struct pollfd *fds, nfds_t n, int timeout);
};

void vn_waiter_init(struct vn_waiter *w, struct vn_sys *sys);
void vn_waiter_clear(struct vn_waiter *w);

/* udevd has no event left to process (true without udevd). */
bool vn_udev_idle(struct vn_waiter *w);
/* Has udevd processed this sysfs object (true without udevd)? */
bool vn_udev_initialized(struct vn_waiter *w, const char *syspath_fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* How long one poll may sleep before the deadline: never negative (a
 * negative timeout would make poll(2) wait forever), at most 200 ms. */
int vn_wait_slice(long long deadline, long long now);

/*
 * Ask settled(arg, i) for every i < n not yet done, again each time
 * something may have changed, until all are done and udev is idle, or
 * timeout_ms passed without one more settling. done[] says which settled.
 */
void vn_wait_all(struct vn_waiter *w, int timeout_ms,
		 bool (*settled)(void *arg, size_t i), void *arg, size_t n,
		 bool *done);
