// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "kernel.h"
#include "smoke.h"
#include "sys.h"
#include "uapi.h"
#include "vfio.h"

#define SMOKE_IOVA 0x100000ULL

const char *vn_smoke_path_name(enum vn_smoke_path p)
{
	switch (p) {
	case VN_PATH_CDEV_NOIOMMU:
		return "cdev, no-IOMMU";
	case VN_PATH_CDEV_IOMMU:
		return "cdev, with an IOMMU";
	case VN_PATH_GROUP_NOIOMMU:
		return "legacy group, no-IOMMU";
	case VN_PATH_GROUP_IOMMU:
		return "legacy group, with an IOMMU (type1)";
	}
	return "?";
}

int vn_smoke_choose(const struct vn_dev *d, int want, enum vn_smoke_path *path,
		    const char **why)
{
	bool cdev = d->cdev_state == VN_CDEV_OK;
	bool group = d->group.path && d->group.st.present;

	*why = NULL;
	if (want != 1 && cdev) {
		*path = d->noiommu ? VN_PATH_CDEV_NOIOMMU : VN_PATH_CDEV_IOMMU;
		return 0;
	}
	if (want != 0 && group) {
		*path = d->noiommu ? VN_PATH_GROUP_NOIOMMU :
				     VN_PATH_GROUP_IOMMU;
		return 0;
	}
	if (want == 0) {
		const char *t = vn_cdev_state_text(d->cdev_state);

		*why = t ? t : "the device has no cdev";
	} else if (want == 1) {
		*why = d->group.path ?
			       "its group node is missing from /dev" :
			       "this kernel has no VFIO group interface "
			       "(VFIO_GROUP=n)";
	} else {
		*why = "the device has neither a usable cdev nor a group node";
	}
	return -ENODEV;
}

bool vn_have_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3
	};
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[cap / 32].effective & (1u << (cap % 32));
}

int vn_pagemap_pa(uint64_t entry, uint64_t va, long pagesize, uint64_t *pa)
{
	uint64_t pfn = entry & ((1ULL << 55) - 1);

	if (!(entry >> 63))
		return -ENOENT; /* not present */
	if (!pfn)
		return -EPERM; /* hidden from callers without CAP_SYS_ADMIN */
	*pa = pfn * (uint64_t)pagesize + va % (uint64_t)pagesize;
	return 0;
}

/* ---- explanations ----------------------------------------------------------- */

struct explanation {
	const char *step; /* substring of the step name */
	int err;
	const char *why;
};

static const struct explanation explanations[] = {
	{ "open /dev/iommu", ENOENT,
	  "iommufd is not loaded (modprobe iommufd)" },
	{ "open /dev/iommu", EACCES, "/dev/iommu is mode 0660: run as root" },
	{ "open /dev/vfio/devices", EPERM,
	  "opening a no-IOMMU cdev needs CAP_SYS_RAWIO" },
	{ "open /dev/vfio/devices", ENODEV,
	  "the device is being unbound from vfio-pci" },
	{ "open /dev/vfio/devices", ENOENT,
	  "the cdev node is missing from /dev" },
	{ "BIND_IOMMUFD", EBUSY,
	  "the device's legacy group node is open: a process uses the group path" },
	{ "BIND_IOMMUFD", EINVAL,
	  "the device is already bound through another cdev fd, or the fd came "
	  "from a group" },
	{ "BIND_IOMMUFD", EPERM,
	  "with an IOMMU: MSI cannot be isolated and "
	  "iommufd.allow_unsafe_interrupts is N, or the group is owned by "
	  "another user" },
	{ "BIND_IOMMUFD", EACCES,
	  "a VF of a PF on vfio-pci needs the PF's VF token" },
	{ "BIND_IOMMUFD", EAGAIN,
	  "the device lock was contended during its reset; retry" },
	{ "ATTACH_IOMMUFD_PT", ENOENT, "the IOAS id is unknown" },
	{ "ATTACH_IOMMUFD_PT", EINVAL,
	  "the IOMMU cannot hold this device's domain (cache coherency)" },
	{ "IOMMU_IOAS_MAP", ENOMEM,
	  "the pinned pages exceed RLIMIT_MEMLOCK: raise it, or run with "
	  "CAP_IPC_LOCK" },
	{ "IOMMU_IOAS_MAP", EINVAL,
	  "the IOVA is misaligned or falls into a reserved region" },
	{ "IOMMU_IOAS_MAP", EEXIST, "the IOVA range is already mapped" },
	{ "lock the buffer", ENOMEM,
	  "RLIMIT_MEMLOCK is too small for the buffer" },
	{ "lock the buffer", EPERM,
	  "RLIMIT_MEMLOCK is too small for the buffer" },
	{ "NOIOMMU_GET_PA", EPERM,
	  "reading physical addresses needs CAP_SYS_RAWIO" },
	{ "NOIOMMU_GET_PA", ENOENT, "the IOVA is not mapped in this IOAS" },
	{ "NOIOMMU_GET_PA", ENOTTY,
	  "the kernel predates IOMMU_IOAS_NOIOMMU_GET_PA (Linux 7.3)" },
	{ "IOMMU_GET_HW_INFO", EOPNOTSUPP,
	  "the device is attached as no-IOMMU: it has no IOMMU to describe" },
	{ "VFIO_CHECK_EXTENSION", 0,
	  "the container does not offer this IOMMU type; for no-IOMMU, the legacy "
	  "container answers only while enable_unsafe_noiommu_mode is Y" },
	{ "open /dev/vfio/", EPERM,
	  "opening a no-IOMMU group needs CAP_SYS_RAWIO" },
	{ "open /dev/vfio/", EBUSY,
	  "the group is open elsewhere, or a cdev of its device is bound to iommufd" },
	{ "open /dev/vfio/", ENODEV, "the group is going away" },
	{ "SET_CONTAINER", EPERM,
	  "no-IOMMU groups need CAP_SYS_RAWIO, and cannot share a container "
	  "with IOMMU groups" },
	{ "SET_CONTAINER", EINVAL, "the group already has a container" },
	{ "VFIO_SET_IOMMU", ENODEV,
	  "no-IOMMU mode was switched off: the legacy container accepts the "
	  "no-IOMMU driver only while the parameter is Y" },
	{ "VFIO_SET_IOMMU", EPERM, "the no-IOMMU driver needs CAP_SYS_RAWIO" },
	{ "GET_DEVICE_FD", EPERM, "no-IOMMU device fds need CAP_SYS_RAWIO" },
	{ "GET_DEVICE_FD", ENODEV, "the group has no device of that name" },
	{ "GET_STATUS", 0,
	  "the group is not viable: another member is on a host driver" },
};

const char *vn_smoke_explain(enum vn_smoke_path path, const char *step, int err)
{
	(void)path;
	for (size_t i = 0; i < ARRAY_SIZE(explanations); i++)
		if (strstr(step, explanations[i].step) &&
		    explanations[i].err == err)
			return explanations[i].why;
	return NULL;
}

/* ---- stepping ---------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct vn_smoke_step *step(struct vn_smoke *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct vn_smoke_step *step(struct vn_smoke *s, const char *fmt, ...)
{
	struct vn_smoke_step *st = &s->steps[s->nsteps++];
	va_list ap;

	*st = (struct vn_smoke_step){ 0 };
	va_start(ap, fmt);
	vsnprintf(st->name, sizeof(st->name), fmt, ap);
	va_end(ap);
	st->elapsed_ns = now_ns();
	return st;
}

static bool pass(struct vn_smoke_step *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool pass(struct vn_smoke_step *st, const char *fmt, ...)
{
	va_list ap;

	st->elapsed_ns = now_ns() - st->elapsed_ns;
	st->done = st->ok = true;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(st->detail, sizeof(st->detail), fmt, ap);
		va_end(ap);
	}
	return true;
}

/* A failure: err is a positive errno (0 for a wrong answer); why may
 * replace the table's explanation. */
static bool failed(struct vn_smoke *s, struct vn_smoke_step *st, int err,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool failed(struct vn_smoke *s, struct vn_smoke_step *st, int err,
		   const char *fmt, ...)
{
	const char *why = vn_smoke_explain(s->path, st->name, err);
	va_list ap;

	st->elapsed_ns = now_ns() - st->elapsed_ns;
	st->done = true;
	st->ok = false;
	st->err = -err;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(st->why, sizeof(st->why), fmt, ap);
		va_end(ap);
	} else if (why) {
		snprintf(st->why, sizeof(st->why), "%s", why);
	}
	if (s->failed_at < 0)
		s->failed_at = (int)(st - s->steps);
	return false;
}

/* A step that only opens a node; *fd keeps the negative errno on failure,
 * which the teardown skips like any unopened fd. */
static bool open_step(struct vn_smoke *s, int *fd, const char *path)
{
	struct vn_smoke_step *st = step(s, "open %s", path);

	*fd = vn_open(s->sys, O_RDWR, "%s", path);
	if (*fd < 0)
		return failed(s, st, -*fd, NULL);
	return pass(st, NULL);
}

/* ---- shared device steps --------------------------------------------------------- */

static bool get_info(struct vn_smoke *s)
{
	struct vn_smoke_step *st = step(s, "VFIO_DEVICE_GET_INFO");
	struct vn_vfio_device_info info = { .argsz = sizeof(info) };

	if (ioctl(s->devfd, VN_VFIO_DEVICE_GET_INFO, &info) < 0)
		return failed(s, st, errno, NULL);
	if (!(info.flags & VN_VFIO_DEVICE_FLAGS_PCI))
		return failed(s, st, 0,
			      "the device does not say it is PCI "
			      "(flags 0x%x)",
			      info.flags);
	return pass(st, "PCI, %u regions, %u irq types%s", info.num_regions,
		    info.num_irqs,
		    info.flags & VN_VFIO_DEVICE_FLAGS_RESET ? ", reset" : "");
}

static bool config_read(struct vn_smoke *s)
{
	struct vn_smoke_step *st = step(s, "config space vendor:device");
	struct vn_vfio_region_info ri = {
		.argsz = sizeof(ri),
		.index = VN_VFIO_PCI_CONFIG_REGION_INDEX,
	};
	unsigned char id[4];
	unsigned int vendor, device;
	ssize_t n;

	if (ioctl(s->devfd, VN_VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		return failed(s, st, errno,
			      "VFIO_DEVICE_GET_REGION_INFO for the "
			      "config region failed");
	n = pread(s->devfd, id, sizeof(id), (off_t)ri.offset);
	if (n != sizeof(id))
		return failed(s, st, n < 0 ? errno : EIO,
			      "reading config space "
			      "through the device fd failed");
	/* Config space is little-endian. */
	vendor = id[0] | (unsigned int)id[1] << 8;
	device = id[2] | (unsigned int)id[3] << 8;
	if (vendor != s->dev->vendor || device != s->dev->device)
		return failed(s, st, 0, "reads %04x:%04x, sysfs says %04x:%04x",
			      vendor, device, s->dev->vendor, s->dev->device);
	return pass(st, "%04x:%04x, equals sysfs", vendor, device);
}

/* ---- cdev through iommufd ----------------------------------------------------------- */

static bool map_buffer(struct vn_smoke *s)
{
	struct vn_smoke_step *st = step(s, "lock the buffer");
	struct vn_iommu_ioas_map map = { .size = sizeof(map) };

	s->buf = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (s->buf == MAP_FAILED) {
		s->buf = NULL;
		return failed(s, st, errno, NULL);
	}
	memset(s->buf, 0x5a, s->map_len);
	if (mlock(s->buf, s->map_len) < 0)
		return failed(s, st, errno, NULL);
	pass(st, "%zu KiB", s->map_len / 1024);

	st = step(s, "IOMMU_IOAS_MAP %zu KiB at iova 0x%llx", s->map_len / 1024,
		  SMOKE_IOVA);
	map.flags = VN_IOMMU_IOAS_MAP_FIXED_IOVA | VN_IOMMU_IOAS_MAP_READABLE |
		    VN_IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = s->ioas_id;
	map.user_va = (uintptr_t)s->buf;
	map.length = s->map_len;
	map.iova = SMOKE_IOVA;
	if (ioctl(s->iommufd, VN_IOMMU_IOAS_MAP, &map) < 0)
		return failed(s, st, errno, NULL);
	s->mapped = true;
	s->iova = map.iova;
	return pass(st, NULL);
}

/* GET_PA returns EOPNOTSUPP for three reasons (§6.4): tell them apart. */
static const char *getpa_eopnotsupp(struct vn_smoke *s)
{
	switch (vn_probe_getpa(s->sys)) {
	case VN_GETPA_NOT_BUILT:
		return "this kernel was built without IOMMUFD_NOIOMMU: it has no "
		       "no-IOMMU page tables to ask";
	case VN_GETPA_TOO_OLD:
		return "the kernel predates IOMMU_IOAS_NOIOMMU_GET_PA";
	default:
		return "the IOAS is not backed by a no-IOMMU domain: the device "
		       "joined an IOMMU-backed page table";
	}
}

/* The physical address /proc/self/pagemap gives for va, or false with
 * the step failed. */
static bool pagemap_pa(struct vn_smoke *s, struct vn_smoke_step *st, int pm,
		       uint64_t va, uint64_t off, uint64_t *want)
{
	long pagesize = sysconf(_SC_PAGESIZE);
	uint64_t entry;
	ssize_t n;
	int r;

	n = pread(pm, &entry, sizeof(entry),
		  (off_t)(va / (uint64_t)pagesize * sizeof(entry)));
	if (n != sizeof(entry))
		return failed(s, st, n < 0 ? errno : EIO,
			      "cannot read /proc/self/pagemap");
	r = vn_pagemap_pa(entry, va, pagesize, want);
	if (r == -EPERM)
		return failed(s, st, EPERM,
			      "/proc/self/pagemap hides page frames: comparing "
			      "needs CAP_SYS_ADMIN");
	if (r < 0)
		return failed(s, st, ENOENT,
			      "the buffer page at +0x%llx is not present",
			      (unsigned long long)off);
	return true;
}

/* One GET_PA from off, checked against the page table the MMU uses;
 * *len is the contiguous run's length. */
static bool get_pa_run(struct vn_smoke *s, struct vn_smoke_step *st, int pm,
		       uint64_t off, uint64_t *pa_out, uint64_t *len)
{
	struct vn_iommu_ioas_noiommu_get_pa pa = {
		.size = sizeof(pa),
		.ioas_id = s->ioas_id,
		.iova = s->iova + off,
		.length = s->map_len - off,
	};
	/* pagemap_pa() sets it when it returns true; clang's analyzer does
	 * not follow failed() (variadic) to see that it returns false. */
	uint64_t want = 0;

	if (ioctl(s->iommufd, VN_IOMMU_IOAS_NOIOMMU_GET_PA, &pa) < 0) {
		int e = errno;

		if (e == EOPNOTSUPP)
			return failed(s, st, e, "%s", getpa_eopnotsupp(s));
		return failed(s, st, e, NULL);
	}
	if (!pagemap_pa(s, st, pm, (uintptr_t)s->buf + off, off, &want))
		return false;
	if (pa.out_phys != want)
		return failed(s, st, 0,
			      "iova 0x%llx: pa 0x%llx, but /proc/self/pagemap "
			      "says 0x%llx",
			      (unsigned long long)pa.iova,
			      (unsigned long long)pa.out_phys,
			      (unsigned long long)want);
	if (!pa.length)
		return failed(s, st, 0, "the kernel returned a zero length");
	*pa_out = pa.out_phys;
	*len = pa.length;
	return true;
}

static bool get_pa(struct vn_smoke *s)
{
	struct vn_smoke_step *st = step(s, "IOMMU_IOAS_NOIOMMU_GET_PA");
	_cleanup_close_ int pm =
		open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t off = 0, first = 0;
	unsigned int runs = 0;

	if (pm < 0)
		return failed(s, st, errno, "cannot open /proc/self/pagemap");
	/* Walk the buffer run by run, as a driver would. */
	while (off < s->map_len) {
		uint64_t pa = 0, len = 0;

		if (!get_pa_run(s, st, pm, off, &pa, &len))
			return false;
		if (!off)
			first = pa;
		off += len;
		runs++;
	}
	return pass(
		st,
		"pa 0x%llx, equals /proc/self/pagemap (%u contiguous run%s)",
		(unsigned long long)first, runs, runs == 1 ? "" : "s");
}

static bool hw_info(struct vn_smoke *s)
{
	struct vn_smoke_step *st = step(s, "IOMMU_GET_HW_INFO");
	struct vn_iommu_hw_info hi = { .size = sizeof(hi), .dev_id = s->devid };

	if (ioctl(s->iommufd, VN_IOMMU_GET_HW_INFO, &hi) < 0)
		return failed(s, st, errno, NULL);
	return pass(st, "data type %u", hi.out_data_type);
}

static bool cdev_steps(struct vn_smoke *s)
{
	struct vn_vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vn_iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct vn_vfio_device_attach_iommufd_pt att = { .argsz = sizeof(att) };
	struct vn_smoke_step *st;

	if (!open_step(s, &s->iommufd, "/dev/iommu") ||
	    !open_step(s, &s->devfd, s->dev->cdev.path))
		return false;

	st = step(s, "VFIO_DEVICE_BIND_IOMMUFD");
	bind.iommufd = s->iommufd;
	if (ioctl(s->devfd, VN_VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0)
		return failed(s, st, errno, NULL);
	s->bound = true;
	s->devid = bind.out_devid;
	pass(st, "devid %u", s->devid);

	/* A dedicated IOAS: a no-IOMMU device joining an IOAS that already
	 * has an IOMMU-backed page table would make GET_PA fail (§6.3). */
	st = step(s, "IOMMU_IOAS_ALLOC");
	if (ioctl(s->iommufd, VN_IOMMU_IOAS_ALLOC, &alloc) < 0)
		return failed(s, st, errno, NULL);
	s->ioas_id = alloc.out_ioas_id;
	pass(st, "ioas %u", s->ioas_id);

	st = step(s, "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	att.pt_id = s->ioas_id; /* rewritten to the page table's id */
	if (ioctl(s->devfd, VN_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &att) < 0)
		return failed(s, st, errno, NULL);
	s->attached = true;
	pass(st, "hwpt %u", att.pt_id);

	if (!map_buffer(s))
		return false;
	if (s->path == VN_PATH_CDEV_NOIOMMU ? !get_pa(s) : !hw_info(s))
		return false;
	return get_info(s) && config_read(s);
}

/* ---- legacy group -------------------------------------------------------------- */

/* The container and the IOMMU type it offers: no-IOMMU, else type1v2 or
 * type1 (doc/kernel.md §6.7). */
static bool container_steps(struct vn_smoke *s, int *type)
{
	bool noiommu = s->path == VN_PATH_GROUP_NOIOMMU;
	struct vn_smoke_step *st = step(s, "open /dev/vfio/vfio");
	int r;

	s->containerfd = vn_open(s->sys, O_RDWR, "/dev/vfio/vfio");
	if (s->containerfd < 0)
		return failed(s, st, -s->containerfd, NULL);
	r = ioctl(s->containerfd, VN_VFIO_GET_API_VERSION);
	if (r != 0)
		return failed(s, st, r < 0 ? errno : 0,
			      "VFIO_GET_API_VERSION is %d, not 0", r);
	pass(st, "%s",
	     s->container_is_iommufd ? "iommufd's emulation" :
				       "the VFIO container");

	st = step(s, "VFIO_CHECK_EXTENSION(%s)",
		  noiommu ? "NOIOMMU" : "TYPE1v2");
	*type = noiommu ? VN_VFIO_NOIOMMU_IOMMU : VN_VFIO_TYPE1v2_IOMMU;
	r = ioctl(s->containerfd, VN_VFIO_CHECK_EXTENSION, *type);
	if (r <= 0 && !noiommu) {
		*type = VN_VFIO_TYPE1_IOMMU;
		r = ioctl(s->containerfd, VN_VFIO_CHECK_EXTENSION, *type);
	}
	if (r < 0)
		return failed(s, st, errno, NULL);
	if (r == 0)
		return failed(s, st, 0, NULL);
	return pass(st, NULL);
}

/* The group node, viable, in the container. */
static bool group_attach(struct vn_smoke *s)
{
	struct vn_vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vn_smoke_step *st;

	if (!open_step(s, &s->groupfd, s->dev->group.path))
		return false;
	st = step(s, "VFIO_GROUP_GET_STATUS");
	if (ioctl(s->groupfd, VN_VFIO_GROUP_GET_STATUS, &gs) < 0)
		return failed(s, st, errno, NULL);
	if (!(gs.flags & VN_VFIO_GROUP_FLAGS_VIABLE))
		return failed(s, st, 0, NULL);
	pass(st, "viable");

	st = step(s, "VFIO_GROUP_SET_CONTAINER");
	if (ioctl(s->groupfd, VN_VFIO_GROUP_SET_CONTAINER, &s->containerfd) < 0)
		return failed(s, st, errno, NULL);
	s->container_set = true;
	return pass(st, NULL);
}

static bool group_steps(struct vn_smoke *s)
{
	struct vn_smoke_step *st;
	int type = 0;

	if (!container_steps(s, &type) || !group_attach(s))
		return false;
	st = step(s, "VFIO_SET_IOMMU(%s)",
		  type == VN_VFIO_NOIOMMU_IOMMU ? "NOIOMMU" :
		  type == VN_VFIO_TYPE1v2_IOMMU ? "TYPE1v2" :
						  "TYPE1");
	if (ioctl(s->containerfd, VN_VFIO_SET_IOMMU, type) < 0)
		return failed(s, st, errno, NULL);
	pass(st, NULL);

	st = step(s, "VFIO_GROUP_GET_DEVICE_FD");
	s->devfd = ioctl(s->groupfd, VN_VFIO_GROUP_GET_DEVICE_FD, s->dev->bdf);
	if (s->devfd < 0) {
		int e = errno;

		s->devfd = -1;
		return failed(s, st, e, NULL);
	}
	pass(st, "fd %d", s->devfd);
	return get_info(s) && config_read(s);
}

/* ---- cleanup ----------------------------------------------------------------- */

static void closefd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Undo everything that was set up, whatever step failed: no fd, mapping
 * or attachment may outlive the test. */
static void cleanup(struct vn_smoke *s)
{
	bool cdev = s->path == VN_PATH_CDEV_NOIOMMU ||
		    s->path == VN_PATH_CDEV_IOMMU;
	struct vn_smoke_step *st =
		step(s, cdev ? "unmap, detach, close" : "close");
	int err = 0;

	if (s->mapped) {
		struct vn_iommu_ioas_unmap um = { .size = sizeof(um),
						  .ioas_id = s->ioas_id,
						  .iova = s->iova,
						  .length = s->map_len };

		if (ioctl(s->iommufd, VN_IOMMU_IOAS_UNMAP, &um) < 0 && !err)
			err = errno;
		s->mapped = false;
	}
	if (s->attached) {
		struct vn_vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(
								       dt) };

		if (ioctl(s->devfd, VN_VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt) <
			    0 &&
		    !err)
			err = errno;
		s->attached = false;
	}
	/* Closing the device unbinds it from iommufd (and resets it);
	 * closing the group releases the container. */
	closefd(&s->devfd);
	closefd(&s->groupfd);
	closefd(&s->containerfd);
	closefd(&s->iommufd);
	if (s->buf) {
		munmap(s->buf, s->map_len);
		s->buf = NULL;
	}
	if (err)
		failed(s, st, err, NULL);
	else
		pass(st, NULL);
}

int vn_smoke_run(struct vn_smoke *s)
{
	s->nsteps = 0;
	s->failed_at = -1;
	s->iommufd = s->devfd = s->groupfd = s->containerfd = -1;
	if (!s->map_len)
		s->map_len = 2u << 20;
	if (s->path == VN_PATH_CDEV_NOIOMMU || s->path == VN_PATH_CDEV_IOMMU)
		cdev_steps(s);
	else
		group_steps(s);
	cleanup(s);
	return s->failed_at < 0 ? 0 : 1;
}
