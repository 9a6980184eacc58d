// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdio.h>

#include "vfio.h"

int vn_parse_devt(const char *text, unsigned int *major, unsigned int *minor)
{
	unsigned int ma, mi;
	int end = 0;

	if (sscanf(text, "%u:%u%n", &ma, &mi, &end) != 2 || text[end])
		return -EBADMSG;
	*major = ma;
	*minor = mi;
	return 0;
}

/* Node announced by a sysfs "dev" attribute, looked up in /dev. */
static int node_fill(struct vn_sys *sys, struct vn_node *node,
		     const char *devpath, const char *dev_attr_text)
{
	int r;

	node->path = strdup(devpath);
	if (!node->path)
		return -ENOMEM;
	r = vn_parse_devt(dev_attr_text, &node->major, &node->minor);
	if (r < 0)
		return r;
	return vn_node_stat(sys, devpath, &node->st);
}

static bool node_matches(const struct vn_node *n)
{
	return n->st.present && n->st.is_chr && n->st.major == n->major &&
	       n->st.minor == n->minor;
}

static int inspect_cdev(struct vn_sys *sys, struct vn_dev *dev,
			bool kernel_has_cdev)
{
	_cleanup_free_ char *devt = NULL;
	char devpath[PATH_MAX];
	int r;

	r = vn_read_text(sys, &devt, "/sys/bus/pci/devices/%s/vfio-dev/%s/dev",
			 dev->bdf, dev->vfio_name);
	if (r == -ENOENT) {
		/* The class object exists without a char device when
		 * VFIO_DEVICE_CDEV=n, and for a no-IOMMU device when
		 * IOMMUFD_NOIOMMU=n (§1.3 warning, §3.1 step 5). */
		dev->cdev_state = kernel_has_cdev && dev->noiommu ?
					  VN_CDEV_NOIOMMU_NONE :
					  VN_CDEV_NO_SUPPORT;
		return 0;
	}
	if (r < 0)
		return r;
	snprintf(devpath, sizeof(devpath), "/dev/vfio/devices/%s",
		 dev->vfio_name);
	r = node_fill(sys, &dev->cdev, devpath, devt);
	if (r < 0)
		return r;
	if (!dev->cdev.st.present)
		dev->cdev_state = VN_CDEV_NO_NODE;
	else if (!node_matches(&dev->cdev))
		dev->cdev_state = VN_CDEV_WRONG_NODE;
	else
		dev->cdev_state = VN_CDEV_OK;
	return 0;
}

static int inspect_group(struct vn_sys *sys, struct vn_dev *dev)
{
	_cleanup_free_ char *devt = NULL;
	char name[32], devpath[PATH_MAX];
	int r;

	if (dev->iommu_group < 0)
		return 0;
	/* No-IOMMU group nodes are "noiommu-<group id>" (§3.3). */
	snprintf(name, sizeof(name), dev->noiommu ? "noiommu-%d" : "%d",
		 dev->iommu_group);
	r = vn_read_text(sys, &devt, "/sys/class/vfio/%s/dev", name);
	if (r == -ENOENT)
		return 0; /* VFIO_GROUP=n: no group node at all */
	if (r < 0)
		return r;
	snprintf(devpath, sizeof(devpath), "/dev/vfio/%s", name);
	return node_fill(sys, &dev->group, devpath, devt);
}

int vn_vfio_inspect(struct vn_sys *sys, struct vn_dev *dev,
		    bool kernel_has_cdev)
{
	_cleanup_strv_ char **children = NULL;
	_cleanup_free_ char *group_name = NULL;
	int r;

	r = vn_list_dir(sys, &children, "/sys/bus/pci/devices/%s/vfio-dev",
			dev->bdf);
	if (r == -ENOENT || (r == 0 && !children[0])) {
		dev->cdev_state = VN_CDEV_NOT_VFIO;
		return 0;
	}
	if (r < 0)
		return r;
	dev->vfio_name = strdup(children[0]);
	if (!dev->vfio_name)
		return -ENOMEM;

	/* Either sign is enough: the cdev name prefix exists only with
	 * IOMMUFD_NOIOMMU, the fake group only with VFIO_GROUP (§7). */
	if (dev->iommu_group >= 0)
		vn_read_text(sys, &group_name,
			     "/sys/kernel/iommu_groups/%d/name",
			     dev->iommu_group);
	dev->noiommu = startswith(dev->vfio_name, "noiommu-") ||
		       streq_ptr(group_name, "vfio-noiommu");

	r = inspect_cdev(sys, dev, kernel_has_cdev);
	if (r < 0)
		return r;
	return inspect_group(sys, dev);
}

int vn_vfio_dev_read(struct vn_sys *sys, const char *bdf, bool kernel_has_cdev,
		     struct vn_dev **out)
{
	_cleanup_(vn_dev_freep) struct vn_dev *d = NULL;
	int r = vn_dev_read(sys, bdf, &d);

	if (r < 0)
		return r;
	r = vn_vfio_inspect(sys, d, kernel_has_cdev);
	if (r < 0)
		return r;
	*out = steal_ptr(d);
	return 0;
}

/* ---- holders -------------------------------------------------------- */

static const char anon_vfio_device[] = "anon_inode:[vfio-device]";

static bool vfio_target(const char *t)
{
	return startswith(t, "/dev/vfio/") || streq(t, anon_vfio_device);
}

char *vn_fdinfo_vfio_bdf(const char *fdinfo)
{
	const char *p = strstr(fdinfo, "vfio-device-syspath:");
	const char *end, *base;

	/* The line must start a line; "vfio-device-syspath:" is unique. */
	if (!p || (p != fdinfo && p[-1] != '\n'))
		return NULL;
	p += strlen("vfio-device-syspath:");
	while (*p == ' ' || *p == '\t')
		p++;
	end = strchrnul(p, '\n');
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	base = end;
	while (base > p && base[-1] != '/')
		base--;
	if (base == end)
		return NULL;
	return strndup(base, (size_t)(end - base));
}

void vn_holders_clear(struct vn_holders *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].target);
		free(h->v[i].bdf);
	}
	free(h->v);
	*h = (struct vn_holders){ 0 };
}

static int holder_add(struct vn_holders *h, pid_t pid, const char *comm,
		      enum vn_hold_kind kind, const char *target, char *bdf)
{
	struct vn_holder *nv = realloc(h->v, (h->n + 1) * sizeof(*nv));

	if (!nv) {
		free(bdf);
		return -ENOMEM;
	}
	h->v = nv;
	nv[h->n] = (struct vn_holder){ .pid = pid, .kind = kind, .bdf = bdf };
	snprintf(nv[h->n].comm, sizeof(nv[h->n].comm), "%s", comm);
	nv[h->n].target = strdup(target);
	if (!nv[h->n].target) {
		free(bdf);
		return -ENOMEM;
	}
	h->n++;
	return 0;
}

static int scan_fds(const struct vn_sys *sys, struct vn_holders *h, pid_t pid,
		    const char *comm)
{
	_cleanup_strv_ char **fds = NULL;
	int r;

	r = vn_list_dir(sys, &fds, "/proc/%d/fd", (int)pid);
	if (r < 0)
		return r;
	for (size_t i = 0; fds[i]; i++) {
		_cleanup_free_ char *target = NULL, *info = NULL;
		char *bdf = NULL;

		if (vn_read_link(sys, &target, "/proc/%d/fd/%s", (int)pid,
				 fds[i]) < 0 ||
		    !vfio_target(target))
			continue;
		/* fdinfo names the device for cdev and group-derived fds on
		 * kernels that print vfio-device-syspath (not 6.12, §7). */
		if (vn_read_text(sys, &info, "/proc/%d/fdinfo/%s", (int)pid,
				 fds[i]) == 0)
			bdf = vn_fdinfo_vfio_bdf(info);
		r = holder_add(h, pid, comm, VN_HOLD_FD, target, bdf);
		if (r < 0)
			return r;
	}
	return 0;
}

static int scan_maps(const struct vn_sys *sys, struct vn_holders *h, pid_t pid,
		     const char *comm)
{
	_cleanup_strv_ char **maps = NULL;
	_cleanup_strv_ char **seen = NULL;
	int r;

	r = vn_list_dir(sys, &maps, "/proc/%d/map_files", (int)pid);
	if (r < 0)
		return r;
	for (size_t i = 0; maps[i]; i++) {
		_cleanup_free_ char *target = NULL;

		if (vn_read_link(sys, &target, "/proc/%d/map_files/%s",
				 (int)pid, maps[i]) < 0 ||
		    !vfio_target(target) || strv_contains(seen, target))
			continue;
		/* One entry per mapped file: a BAR is often several VMAs. */
		r = strv_push(&seen, strdup(target));
		if (r < 0)
			return r;
		r = holder_add(h, pid, comm, VN_HOLD_MAP, target, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

int vn_holders_scan(const struct vn_sys *sys, struct vn_holders *out)
{
	_cleanup_strv_ char **pids = NULL;
	int r, r2;

	*out = (struct vn_holders){ 0 };
	r = vn_list_dir(sys, &pids, "/proc");
	if (r < 0)
		return r;
	for (size_t i = 0; pids[i]; i++) {
		_cleanup_free_ char *comm = NULL;
		int pid;

		if (parse_int(pids[i], &pid) < 0 || pid <= 0)
			continue;
		if (vn_read_text(sys, &comm, "/proc/%d/comm", pid) < 0) {
			comm = strdup("?");
			if (!comm)
				goto fail;
		}
		/* Mappings need CAP_SYS_ADMIN to read; a process that exited
		 * meanwhile (ENOENT) is simply gone. A process counts once as
		 * unreadable, whichever part could not be read. */
		r = scan_fds(sys, out, pid, comm);
		r2 = r == -ENOMEM ? r : scan_maps(sys, out, pid, comm);
		if (r == -ENOMEM || r2 == -ENOMEM)
			goto fail;
		if (vn_err_denied(r) || vn_err_denied(r2))
			out->unreadable++;
	}
	return 0;
fail:
	vn_holders_clear(out);
	return -ENOMEM;
}

enum vn_hold_match vn_holder_match(const struct vn_holder *h,
				   const struct vn_dev *dev)
{
	if (h->bdf)
		return streq(h->bdf, dev->bdf) ? VN_HOLD_YES : VN_HOLD_NO;
	if (streq_ptr(h->target, dev->cdev.path) ||
	    streq_ptr(h->target, dev->group.path))
		return VN_HOLD_YES;
	if (streq(h->target, anon_vfio_device) && vn_dev_is_vfio(dev))
		return VN_HOLD_MAYBE;
	return VN_HOLD_NO;
}

const char *vn_cdev_state_text(enum vn_cdev_state s)
{
	switch (s) {
	case VN_CDEV_OK:
		return NULL;
	case VN_CDEV_NOT_VFIO:
		return "not bound to a VFIO driver";
	case VN_CDEV_NO_SUPPORT:
		return "kernel built without VFIO_DEVICE_CDEV";
	case VN_CDEV_NOIOMMU_NONE:
		return "no-IOMMU cdevs need IOMMUFD_NOIOMMU (Linux 7.3)";
	case VN_CDEV_NO_NODE:
		return "the kernel made one, but /dev has no node for it";
	case VN_CDEV_WRONG_NODE:
		return "the /dev node does not match the kernel's device number";
	}
	return NULL;
}

static int ref_push(struct vn_holder_ref **v, size_t *k,
		    const struct vn_holder *h, bool maybe)
{
	struct vn_holder_ref *nv = realloc(*v, (*k + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*k)++] = (struct vn_holder_ref){
		.pid = h->pid,
		.comm = h->comm,
		.kind = h->kind,
		.target = h->target,
		.maybe = maybe,
	};
	return 0;
}

int vn_holders_of(const struct vn_holders *h, const struct vn_dev *dev,
		  struct vn_holder_ref **out, size_t *n)
{
	_cleanup_free_ struct vn_holder_ref *v = NULL;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < h->n; i++) {
		enum vn_hold_match m = vn_holder_match(&h->v[i], dev);
		size_t j;

		if (m == VN_HOLD_NO)
			continue;
		for (j = 0; j < k && v[j].pid != h->v[i].pid; j++)
			;
		if (j < k) {
			/* Holding it for sure in any one way is for sure. */
			v[j].maybe &= m == VN_HOLD_MAYBE;
			continue;
		}
		if (ref_push(&v, &k, &h->v[i], m == VN_HOLD_MAYBE) < 0)
			return -ENOMEM;
	}
	*out = steal_ptr(v);
	*n = k;
	return 0;
}
