// SPDX-License-Identifier: GPL-2.0-or-later
#include <libudev.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#include "settle.h"
#include "sys.h"

static long long clock_ms(void)
{
	return vn_now_ms();
}

void vn_waiter_init(struct vn_waiter *w, struct vn_sys *sys)
{
	*w = (struct vn_waiter){ .now = clock_ms, .poll = poll };
	if (!vn_sys_is_host(sys))
		return;
	/* udevd makes the nodes' owner and mode final; without it (early
	 * boot, initramfs) devtmpfs alone creates them. */
	w->udevd = vn_exists(sys, "/run/udev/control");
	if (!w->udevd)
		return;
	if (!sys->udev)
		sys->udev = udev_new();
	w->udev = sys->udev;
	if (!w->udev)
		return;
	w->queue = udev_queue_new(w->udev);
	w->mon = udev_monitor_new_from_netlink(w->udev, "udev");
	if (w->mon && udev_monitor_enable_receiving(w->mon) < 0) {
		udev_monitor_unref(w->mon);
		w->mon = NULL;
	}
}

void vn_waiter_clear(struct vn_waiter *w)
{
	if (w->mon)
		udev_monitor_unref(w->mon);
	if (w->queue)
		udev_queue_unref(w->queue);
	w->mon = NULL;
	w->queue = NULL;
}

bool vn_udev_idle(struct vn_waiter *w)
{
	return !w->queue || udev_queue_get_queue_is_empty(w->queue);
}

bool vn_udev_initialized(struct vn_waiter *w, const char *syspath_fmt, ...)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct udev_device *d;
	va_list ap;
	bool ok;

	if (!w->udevd || !w->udev)
		return true;
	va_start(ap, syspath_fmt);
	vsnprintf(path, sizeof(path), syspath_fmt, ap);
	va_end(ap);
	if (!realpath(path, real))
		return false;
	d = udev_device_new_from_syspath(w->udev, real);
	if (!d)
		return false;
	ok = udev_device_get_is_initialized(d) > 0;
	udev_device_unref(d);
	return ok;
}

int vn_wait_slice(long long deadline, long long now)
{
	long long left = deadline - now;

	if (left <= 0)
		return 0;
	return left < 200 ? (int)left : 200;
}

/* Sleep until udev says something happened, or a slice of the time left. */
static void wait_event(struct vn_waiter *w, long long deadline)
{
	int slice = vn_wait_slice(deadline, w->now());
	struct pollfd p;

	if (!w->mon) {
		/* No events to wait for: look again every 50 ms. */
		w->poll(NULL, 0, slice < 50 ? slice : 50);
		return;
	}
	p = (struct pollfd){ .fd = udev_monitor_get_fd(w->mon),
			     .events = POLLIN };
	if (w->poll(&p, 1, slice) > 0) {
		struct udev_device *d;

		while ((d = udev_monitor_receive_device(w->mon)))
			udev_device_unref(d);
	}
}

void vn_wait_all(struct vn_waiter *w, int timeout_ms,
		 bool (*settled)(void *arg, size_t i), void *arg, size_t n,
		 bool *done)
{
	long long deadline = w->now() + timeout_ms;
	size_t best = 0;

	for (;;) {
		size_t ndone = 0;

		/* Every device again each time: an interface renamed since
		 * the last look must be reported by its final name. */
		for (size_t i = 0; i < n; i++) {
			done[i] = settled(arg, i);
			ndone += done[i];
		}
		/* The timeout counts from the last device that settled: udevd
		 * handles a batch's events one after another (a few hundred
		 * per second on a slow host), so a large batch that keeps
		 * settling must not fail as a whole, while one that stopped
		 * moving still ends after timeout_ms. */
		if (ndone > best) {
			best = ndone;
			deadline = w->now() + timeout_ms;
		}
		if ((ndone == n && vn_udev_idle(w)) || w->now() >= deadline)
			return;
		wait_event(w, deadline);
	}
}
