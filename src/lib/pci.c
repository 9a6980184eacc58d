// SPDX-License-Identifier: GPL-2.0-or-later
#include "pci.h"

static void node_clear(struct vn_node *n)
{
	free(n->path);
	*n = (struct vn_node){ 0 };
}

void vn_dev_free(struct vn_dev *dev)
{
	if (!dev)
		return;
	free(dev->driver);
	free(dev->driver_override);
	free(dev->vfio_name);
	node_clear(&dev->cdev);
	node_clear(&dev->group);
	free(dev);
}

void vn_dev_list_clear(struct vn_dev_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		vn_dev_free(l->devs[i]);
	free(l->devs);
	*l = (struct vn_dev_list){ 0 };
}

int vn_pci_enumerate(struct vn_sys *sys, char ***bdfs)
{
	int r;

	/* One readdir of the bus, as lspci's sysfs access does. libudev's
	 * enumerator holds no more than these names, and finds them by
	 * resolving each entry's path and its parent's (systemd's
	 * sd_device_new_from_syspath: about 55 system calls a function,
	 * half of `list --all`'s; BENCHMARKS.md, "Where the time goes"). */
	r = vn_list_dir(sys, bdfs, "/sys/bus/pci/devices");
	if (r != -ENOENT)
		return r;
	/* A machine without PCI, or a tree recorded on one. */
	*bdfs = strv_new();
	return *bdfs ? 0 : -ENOMEM;
}

static int read_hex(struct vn_sys *sys, const char *bdf, const char *attr,
		    unsigned int *out)
{
	_cleanup_free_ char *text = NULL;
	unsigned long v;
	int r;

	r = vn_read_text(sys, &text, "/sys/bus/pci/devices/%s/%s", bdf, attr);
	if (r < 0)
		return r;
	if (parse_ulong(text, 16, &v) < 0)
		return -EBADMSG;
	*out = (unsigned int)v;
	return 0;
}

static int read_link_int(struct vn_sys *sys, const char *bdf, const char *link,
			 int *out)
{
	_cleanup_free_ char *name = NULL;
	int r;

	r = vn_link_name(sys, &name, "/sys/bus/pci/devices/%s/%s", bdf, link);
	if (r == -ENOENT) {
		*out = -1;
		return 0;
	}
	if (r < 0)
		return r;
	return parse_int(name, out) < 0 ? -EBADMSG : 0;
}

int vn_dev_read(struct vn_sys *sys, const char *bdf, struct vn_dev **out)
{
	_cleanup_(vn_dev_freep) struct vn_dev *d = NULL;
	_cleanup_free_ char *numa = NULL;
	int r;

	if (strlen(bdf) >= VN_BDF_MAX)
		return -EINVAL;
	if (!vn_exists(sys, "/sys/bus/pci/devices/%s", bdf))
		return -ENODEV;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	d->numa_node = -1;

	if ((r = read_hex(sys, bdf, "vendor", &d->vendor)) < 0 ||
	    (r = read_hex(sys, bdf, "device", &d->device)) < 0 ||
	    (r = read_hex(sys, bdf, "class", &d->class_code)) < 0)
		return r == -ENOENT ? -ENODEV : r;
	/* Optional on some buses and in hand-made trees. */
	read_hex(sys, bdf, "subsystem_vendor", &d->subvendor);
	read_hex(sys, bdf, "subsystem_device", &d->subdevice);

	r = vn_link_name(sys, &d->driver, "/sys/bus/pci/devices/%s/driver",
			 bdf);
	if (r < 0 && r != -ENOENT)
		return r;
	r = vn_read_text(sys, &d->driver_override,
			 "/sys/bus/pci/devices/%s/driver_override", bdf);
	if (r < 0 && r != -ENOENT)
		return r;
	/* An unset override reads "(null)" (doc/kernel.md §5.1). */
	if (d->driver_override &&
	    (streq(d->driver_override, "(null)") || !d->driver_override[0])) {
		free(d->driver_override);
		d->driver_override = NULL;
	}
	r = read_link_int(sys, bdf, "iommu_group", &d->iommu_group);
	if (r < 0)
		return r;
	d->has_iommu = vn_exists(sys, "/sys/bus/pci/devices/%s/iommu", bdf);
	if (vn_read_text(sys, &numa, "/sys/bus/pci/devices/%s/numa_node",
			 bdf) == 0 &&
	    parse_int(numa, &d->numa_node) < 0)
		d->numa_node = -1;
	*out = steal_ptr(d);
	return 0;
}

/* udev's database entry of a device holds its properties as "E:KEY=VALUE"
 * lines (systemd, src/libsystemd/sd-device/device-private.c,
 * device_read_db); libudev has no way into a --sysroot tree, so the file
 * is read like sysfs, through the root. */
static bool udev_db_has(const char *db, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = db; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || !p[n]))
			return true;
	}
	return false;
}

bool vn_dev_override_by_rule(const struct vn_sys *sys, const struct vn_dev *dev)
{
	_cleanup_free_ char *db = NULL;
	char drv[128];

	if (!dev->driver_override ||
	    vn_read_text(sys, &db, "/run/udev/data/+pci:%s", dev->bdf) < 0)
		return false;
	snprintf(drv, sizeof(drv), "E:VFIO_NOIOMMUCTL_DRIVER=%s",
		 dev->driver_override);
	return udev_db_has(db, "E:VFIO_NOIOMMUCTL_DECLARED=1") &&
	       udev_db_has(db, drv);
}

int vn_dev_read_list(struct vn_sys *sys, char *const *bdfs,
		     struct vn_dev_list *out)
{
	*out = (struct vn_dev_list){ 0 };
	/* An array of pointers: sizeof(pointer) is meant. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	out->devs = calloc(strv_len(bdfs) + 1, sizeof(*out->devs));
	if (!out->devs)
		return -ENOMEM;
	for (size_t i = 0; bdfs && bdfs[i]; i++) {
		struct vn_dev *d;
		int r = vn_dev_read(sys, bdfs[i], &d);

		/* A function removed between the listing and the read is
		 * gone, and a name that is no PCI function (an mdev's) is
		 * none: neither is an error. */
		if (r == -ENODEV || r == -EINVAL)
			continue;
		if (r < 0) {
			vn_dev_list_clear(out);
			return r;
		}
		out->devs[out->n++] = d;
	}
	return 0;
}

int vn_dev_read_all(struct vn_sys *sys, struct vn_dev_list *out)
{
	_cleanup_strv_ char **bdfs = NULL;
	int r;

	*out = (struct vn_dev_list){ 0 };
	r = vn_pci_enumerate(sys, &bdfs);
	return r < 0 ? r : vn_dev_read_list(sys, bdfs, out);
}

bool vn_dev_is_vfio(const struct vn_dev *dev)
{
	return dev->vfio_name != NULL;
}

bool vn_dev_is_bridge(const struct vn_dev *dev)
{
	/* Base class 0x06: host, PCI-PCI, CardBus and other bridges. None is
	 * a device to hand to user space; vfio-pci itself rejects the
	 * non-type-0 headers among them (doc/kernel.md §5.7). */
	return (dev->class_code >> 16) == 0x06;
}

/* Is "/BDF/" a component of the link target? */
static bool runs_through(const char *target, const char *bdf)
{
	size_t n = strlen(bdf);

	for (const char *p = strstr(target, bdf); p; p = strstr(p + 1, bdf))
		if (p > target && p[-1] == '/' && p[n] == '/')
			return true;
	return false;
}

static void class_links_clear(struct vn_class_links *l)
{
	strv_free(l->names);
	strv_free(l->targets);
	*l = (struct vn_class_links){ 0 };
}

void vn_class_cache_clear(struct vn_class_cache *c)
{
	class_links_clear(&c->net);
	class_links_clear(&c->block);
	class_links_clear(&c->nvme);
}

/* One readlink per entry; an entry that vanished meanwhile has target
 * "" (it runs through no function). */
static int class_links_read(const struct vn_sys *sys, const char *cls,
			    struct vn_class_links *l)
{
	_cleanup_strv_ char **names = NULL, **targets = NULL;
	int r;

	l->read = true;
	l->err = vn_list_dir(sys, &names, "/sys/class/%s", cls);
	if (l->err < 0)
		return l->err == -ENOENT ? 0 : l->err;
	if (!(targets = strv_new()))
		return -ENOMEM;
	for (size_t i = 0; names[i]; i++) {
		char *target = NULL;

		if (vn_read_link(sys, &target, "/sys/class/%s/%s", cls,
				 names[i]) < 0)
			target = strdup("");
		if ((r = strv_push(&targets, target)) < 0)
			return r;
	}
	l->names = steal_ptr(names);
	l->targets = steal_ptr(targets);
	return 0;
}

static struct vn_class_links *cache_slot(struct vn_class_cache *c,
					 const char *cls)
{
	return streq(cls, "net")   ? &c->net :
	       streq(cls, "block") ? &c->block :
	       streq(cls, "nvme")  ? &c->nvme :
				     NULL;
}

static int class_children(const struct vn_class_links *l, const char *bdf,
			  char ***names)
{
	_cleanup_strv_ char **v = strv_new();
	int r;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; l->err == 0 && l->names[i]; i++)
		if (runs_through(l->targets[i], bdf) &&
		    (r = strv_push(&v, strdup(l->names[i]))) < 0)
			return r;
	*names = steal_ptr(v);
	return 0;
}

int vn_dev_class_children(const struct vn_sys *sys,
			  struct vn_class_cache *cache, const char *bdf,
			  const char *cls, char ***names)
{
	struct vn_class_links own = { 0 };
	struct vn_class_links *l = cache ? cache_slot(cache, cls) : NULL;
	int r = 0;

	if (!l)
		l = &own;
	if (!l->read && (r = class_links_read(sys, cls, l)) < 0)
		class_links_clear(l); /* not half a listing next time */
	if (r == 0)
		r = class_children(l, bdf, names);
	class_links_clear(&own);
	return r;
}

bool vn_dev_has_id(const struct vn_dev *dev, const struct vn_pci_id *id)
{
	return dev->vendor == id->vendor && dev->device == id->device &&
	       (!id->has_sub || (dev->subvendor == id->subvendor &&
				 dev->subdevice == id->subdevice));
}
