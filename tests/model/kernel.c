// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What Linux 7.3 does on the sysfs stores the tool makes, applied to the
 * tree: driver_override, a driver's bind and unbind, drivers_probe, the
 * vfio parameter, and what vfio-pci's probe and remove create and destroy
 * (vfio-dev child, device cdev, legacy group, the fake no-IOMMU group,
 * taint). A store either succeeds completely or changes nothing, as the
 * kernel's do.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model.h"

#define VFIO_PCI "vfio-pci"

/* ---- the world -------------------------------------------------------------- */

static int world_get(const char *text, const char *key, char *val, size_t n)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p;) {
		const char *eol = strchrnul(p, '\n');

		if (!strncmp(p, key, klen) && p[klen] == '=') {
			snprintf(val, n, "%.*s", (int)(eol - p - klen - 1),
				 p + klen + 1);
			return 0;
		}
		p = *eol ? eol + 1 : eol;
	}
	return -ENOENT;
}

int vm_world(struct vm_world *w)
{
	char *text = NULL, v[64];
	int r = vm_read(&text, VM_SIDE "/world");

	*w = (struct vm_world){ .group_major = -1, .cdev_major = -1 };
	if (r < 0)
		return r;
	if (world_get(text, "release", v, sizeof(v)) == 0)
		snprintf(w->release, sizeof(w->release), "%s", v);
	if (world_get(text, "group_major", v, sizeof(v)) == 0)
		w->group_major = atoi(v);
	if (world_get(text, "cdev_major", v, sizeof(v)) == 0)
		w->cdev_major = atoi(v);
	if (world_get(text, "noiommu_config", v, sizeof(v)) == 0)
		w->noiommu_config = v[0] == '1';
	if (world_get(text, "iommufd_noiommu", v, sizeof(v)) == 0)
		w->iommufd_noiommu = v[0] == '1';
	free(text);
	return 0;
}

/* ---- devices ---------------------------------------------------------------- */

/* bus_find_device_by_name() compares with sysfs_streq(): one trailing
 * newline is ignored (drivers/base/core.c device_match_name). */
static int store_name(const char *buf, size_t len, char *name, size_t size)
{
	if (len && buf[len - 1] == '\n')
		len--;
	if (!len || len >= size || memchr(buf, '/', len) ||
	    memchr(buf, '\0', len))
		return -ENODEV;
	memcpy(name, buf, len);
	name[len] = '\0';
	return 0;
}

static int dev_dir(const char *bdf, char *out, size_t size)
{
	char link[PATH_MAX];

	if (strlen(bdf) > 32 || strchr(bdf, '/'))
		return -ENODEV;
	vm_fmt(link, sizeof(link), "/sys/bus/pci/devices/%s", bdf);
	if (vm_link_resolve(out, size, link) < 0 || !vm_exists("%s", out))
		return -ENODEV;
	return 0;
}

static bool dev_exists(const char *bdf)
{
	char d[PATH_MAX];

	return dev_dir(bdf, d, sizeof(d)) == 0;
}

static void dev_driver(const char *bdf, char *drv, size_t size)
{
	if (vm_link_base(drv, size, "/sys/bus/pci/devices/%s/driver", bdf) < 0)
		drv[0] = '\0';
}

static void dev_override(const char *bdf, char *ov, size_t size)
{
	if (vm_read_line(ov, size, "/sys/bus/pci/devices/%s/driver_override",
			 bdf) < 0 ||
	    !strcmp(ov, "(null)"))
		ov[0] = '\0';
}

static unsigned long dev_hex(const char *bdf, const char *attr)
{
	char v[32];

	if (vm_read_line(v, sizeof(v), "/sys/bus/pci/devices/%s/%s", bdf,
			 attr) < 0)
		return 0;
	return strtoul(v, NULL, 16);
}

static int dev_group(const char *bdf)
{
	char g[32];

	if (vm_link_base(g, sizeof(g), "/sys/bus/pci/devices/%s/iommu_group",
			 bdf) < 0 ||
	    !g[0])
		return -1;
	return atoi(g);
}

/* The child a VFIO driver registered (vfio-dev/NAME); "" when none. */
static void dev_vfio_name(const char *bdf, char *name, size_t size)
{
	char **v = NULL;

	name[0] = '\0';
	if (vm_list(&v, "/sys/bus/pci/devices/%s/vfio-dev", bdf) == 0 && v[0])
		snprintf(name, size, "%s", v[0]);
	vm_strv_free(v);
}

static bool driver_exists(const char *drv)
{
	return vm_exists("/sys/bus/pci/drivers/%s", drv);
}

/* ---- the kernel log and taint --------------------------------------------- */

static unsigned long long kmsg_last(long long *seq)
{
	char *text = NULL, *line, *save = NULL;
	unsigned long long ts = 0;

	*seq = -1;
	if (vm_read(&text, "/dev/kmsg") < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		long long s;
		unsigned long long t;
		int pri;

		if (line[0] != ' ' &&
		    sscanf(line, "%d,%lld,%llu", &pri, &s, &t) == 3) {
			*seq = s;
			ts = t;
		}
	}
	free(text);
	return ts;
}

static int kmsg_append(int pri, const char *msg, const char *dict)
{
	long long seq;
	unsigned long long ts = kmsg_last(&seq);
	char *rec = NULL;
	int r;

	if (asprintf(&rec, "%d,%lld,%llu,-;%s\n%s", pri, seq + 1, ts + 1000,
		     msg, dict ? dict : "") < 0)
		return -ENOMEM;
	r = vm_append(rec, "/dev/kmsg");
	free(rec);
	return r;
}

/* A device's message: "DRIVER BDF: text", with the dictionary lines the
 * kernel's dev_printk adds (drivers/base/core.c dev_vprintk_emit). */
static void dev_msg(int level, const char *drv, const char *bdf,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void dev_msg(int level, const char *drv, const char *bdf,
		    const char *fmt, ...)
{
	char *msg = NULL, *full = NULL, *dict = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	if (asprintf(&full, "%s %s: %s", drv, bdf, msg) >= 0 &&
	    asprintf(&dict, " SUBSYSTEM=pci\n DEVICE=+pci:%s\n", bdf) >= 0)
		kmsg_append(level, full, dict);
	free(msg);
	free(full);
	free(dict);
}

int vm_kmsg_user(const char *buf, size_t len)
{
	char *line = strndup(buf, len);
	const char *msg = line;
	int level = 4, facility = 1; /* printk.c devkmsg_write: LOG_USER */
	int r;

	if (!line)
		return -ENOMEM;
	if (line[0] == '<') {
		char *end;
		unsigned long u = strtoul(line + 1, &end, 10);

		if (end && *end == '>') {
			level = (int)(u & 7);
			if (u >> 3)
				facility = (int)(u >> 3);
			msg = end + 1;
		}
	}
	while (*msg && msg[strlen(msg) - 1] == '\n')
		line[strlen(line) - 1] = '\0';
	r = kmsg_append(facility << 3 | level, msg, NULL);
	free(line);
	return r;
}

/* kernel/panic.c add_taint(TAINT_USER): bit 6, never cleared. */
static void taint_user(void)
{
	char v[32];
	unsigned long t = 0;

	if (vm_read_line(v, sizeof(v), "/proc/sys/kernel/tainted") == 0)
		t = strtoul(v, NULL, 10);
	snprintf(v, sizeof(v), "%lu\n", t | 64);
	vm_write(v, "/proc/sys/kernel/tainted");
}

int vm_store_tainted(const char *buf, size_t len)
{
	char v[32], *end;
	unsigned long add, t = 0;

	snprintf(v, sizeof(v), "%.*s", (int)(len < 31 ? len : 31), buf);
	errno = 0;
	add = strtoul(v, &end, 10);
	if (errno || end == v)
		return -EINVAL;
	if (vm_read_line(v, sizeof(v), "/proc/sys/kernel/tainted") == 0)
		t = strtoul(v, NULL, 10);
	snprintf(v, sizeof(v), "%lu\n", t | add);
	return vm_write(v, "/proc/sys/kernel/tainted");
}

/* ---- driver_override ------------------------------------------------------- */

int vm_store_override(const char *bdf, const char *buf, size_t len)
{
	char val[4096];
	size_t n;

	if (!dev_exists(bdf))
		return -ENODEV;
	/* drivers/base/dd.c __device_set_driver_override: one byte less
	 * than a page, cut at the first NUL and the first newline; empty
	 * clears it (the attribute then reads "(null)"). */
	if (len >= 4096 - 1)
		return -EINVAL;
	memcpy(val, buf, len);
	val[len] = '\0';
	n = strcspn(val, "\n");
	val[n] = '\0';
	if (!val[0])
		return vm_write("(null)\n",
				"/sys/bus/pci/devices/%s/driver_override", bdf);
	strcat(val, "\n");
	return vm_write(val, "/sys/bus/pci/devices/%s/driver_override", bdf);
}

/* ---- matching ----------------------------------------------------------------- */

/* The IDs each host driver had bound when the tree was recorded stand
 * for its ID table (.model/ids: "DRIVER VENDOR DEVICE"). */
bool vm_ids_match(const char *drv, unsigned long ven, unsigned long dev)
{
	char *text = NULL, *line, *save = NULL;
	bool found = false;

	if (vm_read(&text, VM_SIDE "/ids") < 0)
		return false;
	for (line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char d[64];
		unsigned long v, i;

		found = sscanf(line, "%63s %lx %lx", d, &v, &i) == 3 &&
			!strcmp(d, drv) && v == ven && i == dev;
	}
	free(text);
	return found;
}

/* drivers/pci/pci-driver.c pci_match_device: with driver_override set
 * only that driver matches, and it always does; vfio-pci's only ID is
 * override-only (vfio_pci.c vfio_pci_table). */
static bool match(const char *drv, const char *bdf)
{
	char ov[256];

	dev_override(bdf, ov, sizeof(ov));
	if (ov[0])
		return !strcmp(ov, drv);
	if (!strcmp(drv, VFIO_PCI))
		return false;
	return vm_ids_match(drv, dev_hex(bdf, "vendor"),
			    dev_hex(bdf, "device"));
}

/* ---- host drivers: what they make below the function ------------------------- */

static bool pci_core_child(const char *name)
{
	static const char *const core[] = { "power", "msi_irqs", "link",
					    "pci_bus", "vfio-dev" };
	unsigned int a, b, c, d;
	char tail;

	for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++)
		if (!strcmp(name, core[i]))
			return true;
	/* A PCI function below a bridge is its own device. */
	return sscanf(name, "%x:%x:%x.%x%c", &a, &b, &c, &d, &tail) == 4;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

typedef void link_fn(const char *link, const char *to, void *data);

static void scan_links(const char *dir, int depth, const char *into,
		       link_fn *fn, void *data)
{
	char **names = NULL;

	if (depth < 0 || vm_list(&names, "%s", dir) < 0)
		return;
	for (size_t i = 0; names[i]; i++) {
		char p[PATH_MAX], to[PATH_MAX];

		if (vm_fmt(p, sizeof(p), "%s/%s", dir, names[i]) < 0)
			continue;
		if (vm_link_resolve(to, sizeof(to), p) == 0) {
			if (under(to, into))
				fn(p, to, data);
			continue;
		}
		scan_links(p, depth - 1, into, fn, data);
	}
	vm_strv_free(names);
}

/* Symlinks in class, block and virtual directories that point into dir
 * (class/net/IFACE, nvme-subsystem/.../nvme0, ...). */
static void links_into(const char *dir, link_fn *fn, void *data)
{
	scan_links("/sys/class", 1, dir, fn, data);
	scan_links("/sys/block", 0, dir, fn, data);
	scan_links("/sys/devices/virtual", 2, dir, fn, data);
}

struct stash_ctx {
	const char *stash;
	bool drop; /* vanish: delete rather than keep */
};

static void stash_link(const char *link, const char *to, void *data)
{
	struct stash_ctx *c = data;
	char *line = NULL, p[PATH_MAX];

	if (!c->drop && asprintf(&line, "%s\t%s\n", link, to) >= 0)
		vm_append(line, "%s/links", c->stash);
	free(line);
	if (vm_path(p, sizeof(p), "%s", link) == 0)
		vm_real.unlink(p);
}

/* A host driver's remove takes its interfaces, controllers and their
 * class entries away; its next probe makes them again with the same
 * names (here: puts the stashed ones back). */
static void host_release(const char *bdf, const char *drv, bool drop)
{
	char dir[PATH_MAX], stash[PATH_MAX], **kids = NULL;
	struct stash_ctx c = { .stash = stash, .drop = drop };

	if (dev_dir(bdf, dir, sizeof(dir)) < 0)
		return;
	vm_fmt(stash, sizeof(stash), VM_SIDE "/stash/%s/%s", bdf, drv);
	vm_rm_rf("%s", stash);
	if (!drop)
		vm_mkdir_p("%s/dirs", stash);
	if (vm_list(&kids, "%s", dir) < 0)
		return;
	for (size_t i = 0; kids[i]; i++) {
		char sub[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
		struct stat st;

		vm_fmt(sub, sizeof(sub), "%s/%s", dir, kids[i]);
		if (pci_core_child(kids[i]) ||
		    vm_path(from, sizeof(from), "%s", sub) < 0 ||
		    vm_real.lstat(from, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		links_into(sub, stash_link, &c);
		if (drop) {
			vm_rm_rf("%s", sub);
		} else if (vm_path(to, sizeof(to), "%s/dirs/%s", stash,
				   kids[i]) == 0) {
			vm_real.rename(from, to);
		}
	}
	vm_strv_free(kids);
}

static void host_restore(const char *bdf, const char *drv)
{
	char dir[PATH_MAX], stash[PATH_MAX], **kids = NULL, *links = NULL;
	char *line, *save = NULL;

	if (dev_dir(bdf, dir, sizeof(dir)) < 0)
		return;
	vm_fmt(stash, sizeof(stash), VM_SIDE "/stash/%s/%s", bdf, drv);
	if (vm_list(&kids, "%s/dirs", stash) == 0)
		for (size_t i = 0; kids[i]; i++) {
			char from[PATH_MAX], to[PATH_MAX];

			if (vm_path(from, sizeof(from), "%s/dirs/%s", stash,
				    kids[i]) == 0 &&
			    vm_path(to, sizeof(to), "%s/%s", dir, kids[i]) == 0)
				vm_real.rename(from, to);
		}
	vm_strv_free(kids);
	if (vm_read(&links, "%s/links", stash) == 0)
		for (line = strtok_r(links, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *tab = strchr(line, '\t');

			if (tab) {
				*tab = '\0';
				vm_link(line, tab + 1);
			}
		}
	free(links);
	vm_rm_rf("%s", stash);
}

/* ---- vfio-pci ---------------------------------------------------------------- */

/* The number an entry of a directory stands for; -1 for none. */
typedef int number_of(const char *dir, const char *name);

/* The lowest number no entry of dir stands for (lib/idr.c ida_alloc). */
static int lowest_free(const char *dir, number_of *num)
{
	char **v = NULL;
	int used[256];
	size_t n = 0;

	if (vm_list(&v, "%s", dir) == 0)
		for (size_t i = 0; v[i] && n < 256; i++) {
			int k = num(dir, v[i]);

			if (k >= 0)
				used[n++] = k;
		}
	vm_strv_free(v);
	for (int i = 0;; i++) {
		bool taken = false;

		for (size_t j = 0; j < n && !taken; j++)
			taken = used[j] == i;
		if (!taken)
			return i;
	}
}

/* vfio_main.c vfio_init_device: vfioN and noiommu-vfioN share the IDA. */
static int vfio_index(const char *dir, const char *name)
{
	const char *p = strstr(name, "vfio");

	(void)dir;
	return p ? atoi(p + 4) : -1;
}

/* group.c vfio_group_alloc: the minor comes from its own IDA. */
static int group_minor(const char *dir, const char *name)
{
	char dev[32];
	unsigned int ma, mi;

	if (vm_read_line(dev, sizeof(dev), "%s/%s/dev", dir, name) < 0 ||
	    sscanf(dev, "%u:%u", &ma, &mi) != 2)
		return -1;
	return (int)mi;
}

/* iommu.c iommu_group_alloc: the lowest free group id. */
static int group_id(const char *dir, const char *name)
{
	(void)dir;
	return atoi(name);
}

static int node_record(const char *devpath, int major, int minor)
{
	char rec[64];
	int r;

	snprintf(rec, sizeof(rec), "char %d:%d 0 0 0600\n", major, minor);
	r = vm_mkdir_p("/dev/vfio/devices");
	return r < 0 ? r : vm_write(rec, "%s", devpath);
}

/* drivers/vfio/group.c vfio_create_group: class "vfio", no parent. */
static int group_create(const char *name, int major)
{
	char dir[PATH_MAX], dev[32], sub[PATH_MAX], link[PATH_MAX], uev[128];
	int minor = lowest_free("/sys/class/vfio", group_minor);

	vm_fmt(dir, sizeof(dir), "/sys/devices/virtual/vfio/%s", name);
	snprintf(dev, sizeof(dev), "%d:%d\n", major, minor);
	if (vm_mkdir_p("%s", dir) < 0 || vm_write(dev, "%s/dev", dir) < 0 ||
	    vm_mkdir_p("/sys/class/vfio") < 0)
		return -EIO;
	vm_fmt(sub, sizeof(sub), "%s/subsystem", dir);
	vm_link(sub, "/sys/class/vfio");
	snprintf(uev, sizeof(uev), "MAJOR=%d\nMINOR=%d\nDEVNAME=vfio/%s\n",
		 major, minor, name);
	vm_write(uev, "%s/uevent", dir);
	vm_fmt(link, sizeof(link), "/sys/class/vfio/%s", name);
	vm_link(link, dir);
	snprintf(dev, sizeof(dev), "char %d:%d 0 0 0600\n", major, minor);
	vm_mkdir_p("/dev/vfio");
	return vm_write(dev, "/dev/vfio/%s", name);
}

static void group_remove(const char *name)
{
	vm_rm_rf("/sys/devices/virtual/vfio/%s", name);
	vm_rm_rf("/sys/class/vfio/%s", name);
	vm_rm_rf("/dev/vfio/%s", name);
}

/* drivers/vfio/group.c vfio_noiommu_group_alloc: a new iommu_group named
 * vfio-noiommu holding this one device (drivers/iommu/iommu.c). */
static int fake_group(const char *bdf, const char *dir)
{
	int id = lowest_free("/sys/kernel/iommu_groups", group_id);
	char g[PATH_MAX], link[PATH_MAX];

	vm_fmt(g, sizeof(g), "/sys/kernel/iommu_groups/%d", id);
	if (vm_mkdir_p("%s/devices", g) < 0)
		return -EIO;
	vm_write("vfio-noiommu\n", "%s/name", g);
	vm_write("unknown\n", "%s/type", g);
	vm_write("", "%s/reserved_regions", g);
	vm_fmt(link, sizeof(link), "%s/devices/%s", g, bdf);
	vm_link(link, dir);
	vm_fmt(link, sizeof(link), "%s/iommu_group", dir);
	vm_link(link, g);
	dev_msg(6, VFIO_PCI, bdf, "Adding to iommu group %d", id);
	return id;
}

static void fake_group_remove(const char *bdf, int id)
{
	vm_rm_rf("/sys/kernel/iommu_groups/%d", id);
	vm_rm_rf("/sys/bus/pci/devices/%s/iommu_group", bdf);
	dev_msg(6, VFIO_PCI, bdf, "Removing from iommu group %d", id);
}

/* Header type from the class: vfio_pci_core_register_device refuses
 * anything but a normal (type 0) header. PCI-to-PCI and semi-transparent
 * bridges are type 1, CardBus bridges type 2 (the tree has no config
 * space to read it from). */
static int header_type(unsigned long class_code)
{
	unsigned long cls = class_code >> 8;

	if (cls == 0x0604 || cls == 0x0609)
		return 1;
	return cls == 0x0607 ? 2 : 0;
}

static bool param_on(void)
{
	char v[8];

	return vm_read_line(v, sizeof(v),
			    "/sys/module/vfio/parameters/"
			    "enable_unsafe_noiommu_mode") == 0 &&
	       v[0] == 'Y';
}

static int vfio_add_child(const char *bdf, const char *dir, const char *name,
			  int index, bool cdev, int cdev_major)
{
	char child[PATH_MAX], link[PATH_MAX], text[128];

	vm_fmt(child, sizeof(child), "%s/vfio-dev/%s", dir, name);
	if (vm_mkdir_p("%s", child) < 0 ||
	    vm_mkdir_p("/sys/class/vfio-dev") < 0)
		return -EIO;
	vm_fmt(link, sizeof(link), "%s/device", child);
	vm_link(link, dir);
	vm_fmt(link, sizeof(link), "%s/subsystem", child);
	vm_link(link, "/sys/class/vfio-dev");
	vm_fmt(link, sizeof(link), "/sys/class/vfio-dev/%s", name);
	vm_link(link, child);
	if (!cdev)
		return vm_write("", "%s/uevent", child);
	snprintf(text, sizeof(text), "%d:%d\n", cdev_major, index);
	vm_write(text, "%s/dev", child);
	snprintf(text, sizeof(text),
		 "MAJOR=%d\nMINOR=%d\nDEVNAME=vfio/devices/%s\n", cdev_major,
		 index, name);
	vm_write(text, "%s/uevent", child);
	vm_fmt(link, sizeof(link), "/dev/vfio/devices/%s", name);
	(void)bdf;
	return node_record(link, cdev_major, index);
}

/* What group.c vfio_device_set_group does for a device: its vfio_group
 * (the fake no-IOMMU one without an iommu_group when the parameter is Y,
 * else EINVAL; group.c vfio_group_find_or_alloc). */
struct vfio_group_made {
	char name[32];
	bool fake, created;
};

static int vfio_set_group(const struct vm_world *w, const char *bdf,
			  const char *dir, struct vfio_group_made *g)
{
	int group = dev_group(bdf);

	*g = (struct vfio_group_made){ 0 };
	if (w->group_major < 0)
		return 0; /* VFIO_GROUP=n: no group at all */
	if (group < 0 && !param_on())
		return -EINVAL;
	if (group < 0) {
		group = fake_group(bdf, dir);
		g->fake = true;
	}
	vm_fmt(g->name, sizeof(g->name), "%s%d", g->fake ? "noiommu-" : "",
	       group);
	if (!vm_exists("/sys/class/vfio/%s", g->name)) {
		if (group_create(g->name, w->group_major) < 0)
			return -EIO;
		g->created = true;
	}
	if (g->fake) {
		taint_user();
		dev_msg(4, VFIO_PCI, bdf,
			"Adding kernel taint for vfio-noiommu group on device");
	}
	return 0;
}

/*
 * vfio_pci.c vfio_pci_probe -> vfio_pci_core_register_device ->
 * vfio_main.c __vfio_register_dev: header type, SR-IOV, then name, group,
 * taint, the cache-coherency test for devices that are not no-IOMMU, and
 * the vfio-dev class device with its cdev (vfio.h vfio_device_add,
 * device_cdev.c vfio_init_device_cdev).
 */
static int vfio_probe(const char *bdf)
{
	struct vfio_group_made g;
	struct vm_world w;
	char dir[PATH_MAX], name[64], numvfs[16];
	bool has_iommu, dev_noiommu, noiommu, cdev;
	int index, r;

	if (dev_dir(bdf, dir, sizeof(dir)) < 0)
		return -ENODEV;
	vm_world(&w);
	if (header_type(dev_hex(bdf, "class")) != 0)
		return -EINVAL;
	if (vm_read_line(numvfs, sizeof(numvfs),
			 "/sys/bus/pci/devices/%s/sriov_numvfs", bdf) == 0 &&
	    atoi(numvfs) > 0) {
		dev_msg(4, VFIO_PCI, bdf,
			"Cannot bind to PF with SR-IOV enabled");
		return -EBUSY;
	}
	/* vfio_main.c vfio_device_set_noiommu_and_name */
	has_iommu = vm_exists("/sys/bus/pci/devices/%s/iommu", bdf);
	dev_noiommu = w.iommufd_noiommu && param_on() && !has_iommu;
	index = lowest_free("/sys/class/vfio-dev", vfio_index);
	vm_fmt(name, sizeof(name), "%svfio%d", dev_noiommu ? "noiommu-" : "",
	       index);
	if ((r = vfio_set_group(&w, bdf, dir, &g)) < 0)
		return r;
	noiommu = g.fake || dev_noiommu;
	if (noiommu && w.iommufd_noiommu) {
		taint_user();
		dev_msg(4, VFIO_PCI, bdf,
			"Adding kernel taint for vfio-noiommu cdev");
	}
	if (!noiommu && !has_iommu) {
		/* No IOMMU_CAP_CACHE_COHERENCY without an IOMMU; the group
		 * goes again (vfio_device_remove_group). */
		if (g.created)
			group_remove(g.name);
		return -EINVAL;
	}
	cdev = w.cdev_major >= 0 && !(noiommu && !w.iommufd_noiommu);
	return vfio_add_child(bdf, dir, name, index, cdev, w.cdev_major);
}

/* vfio_main.c vfio_unregister_group_dev: the vfio-dev device (and its
 * cdev) goes first, then the wait for users, then the group. */
static void plain_sleep(unsigned usec)
{
	usleep(usec);
}

void (*vm_sleep)(unsigned usec) = plain_sleep;

static void vfio_remove(const char *bdf, bool wait)
{
	char name[64], dir[PATH_MAX], cdev[PATH_MAX] = "", gname[32];
	char **members = NULL;
	bool fake, shared = false, said = false;
	int group = dev_group(bdf);

	dev_vfio_name(bdf, name, sizeof(name));
	if (dev_dir(bdf, dir, sizeof(dir)) < 0)
		return;
	if (name[0]) {
		if (vm_exists("%s/vfio-dev/%s/dev", dir, name))
			vm_fmt(cdev, sizeof(cdev), "/dev/vfio/devices/%s",
			       name);
		vm_rm_rf("%s/vfio-dev", dir);
		vm_rm_rf("/sys/class/vfio-dev/%s", name);
		if (cdev[0])
			vm_rm_rf("%s", cdev);
	}
	while (wait && vm_held(bdf, cdev)) {
		if (!said)
			dev_msg(4, VFIO_PCI, bdf,
				"No device request channel registered, "
				"blocked until released by user");
		said = true;
		vm_sleep(20 * 1000);
	}
	if (group < 0)
		return;
	{
		char gn[64] = "";

		vm_read_line(gn, sizeof(gn), "/sys/kernel/iommu_groups/%d/name",
			     group);
		fake = !strcmp(gn, "vfio-noiommu");
	}
	vm_fmt(gname, sizeof(gname), fake ? "noiommu-%d" : "%d", group);
	if (fake) {
		fake_group_remove(bdf, group);
	} else if (vm_list(&members, "/sys/kernel/iommu_groups/%d/devices",
			   group) == 0) {
		/* A real group's vfio_group lives while another member is on
		 * a VFIO driver (group.c vfio_device_remove_group). */
		for (size_t i = 0; members[i]; i++) {
			char other[64];

			if (strcmp(members[i], bdf) == 0)
				continue;
			dev_vfio_name(members[i], other, sizeof(other));
			shared |= other[0] != '\0';
		}
	}
	vm_strv_free(members);
	if (!shared)
		group_remove(gname);
}

/* ---- probe, bind, unbind ----------------------------------------------------- */

static bool refused(const char *drv)
{
	const char *list = getenv("VN_MODEL_REFUSE");
	size_t n = strlen(drv);

	for (const char *p = list; p && *p;) {
		const char *end = strchrnul(p, ',');

		if ((size_t)(end - p) == n && !strncmp(p, drv, n))
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

static void link_driver(const char *bdf, const char *drv)
{
	char dir[PATH_MAX], at[PATH_MAX], to[PATH_MAX];

	if (dev_dir(bdf, dir, sizeof(dir)) < 0)
		return;
	vm_fmt(at, sizeof(at), "%s/driver", dir);
	vm_fmt(to, sizeof(to), "/sys/bus/pci/drivers/%s", drv);
	vm_link(at, to);
	vm_fmt(at, sizeof(at), "/sys/bus/pci/drivers/%s/%s", drv, bdf);
	vm_link(at, dir);
}

static void unlink_driver(const char *bdf, const char *drv)
{
	vm_rm_rf("/sys/bus/pci/devices/%s/driver", bdf);
	vm_rm_rf("/sys/bus/pci/drivers/%s/%s", drv, bdf);
}

/* drivers/base/dd.c __driver_probe_device -> really_probe. */
static int probe(const char *drv, const char *bdf)
{
	char cur[256];
	int r;

	dev_driver(bdf, cur, sizeof(cur));
	if (cur[0])
		return -EBUSY;
	if (refused(drv))
		r = -EIO;
	else if (!strcmp(drv, VFIO_PCI))
		r = vfio_probe(bdf);
	else
		r = 0;
	if (r < 0) {
		/* dd.c call_driver_probe: ENODEV and ENXIO are quiet. */
		if (r != -ENODEV && r != -ENXIO)
			dev_msg(3, drv, bdf,
				"probe with driver %s failed with error %d",
				drv, r);
		return r;
	}
	if (strcmp(drv, VFIO_PCI) != 0)
		host_restore(bdf, drv);
	link_driver(bdf, drv);
	return 0;
}

int vm_store_bind(const char *drv, const char *buf, size_t len)
{
	char bdf[64];

	/* bus.c bind_store: ENODEV unless the device exists and the driver
	 * matches it; then dd.c device_driver_attach (EBUSY if bound). */
	if (!driver_exists(drv) || store_name(buf, len, bdf, sizeof(bdf)) < 0 ||
	    !dev_exists(bdf) || !match(drv, bdf))
		return -ENODEV;
	return probe(drv, bdf);
}

static int detach(const char *bdf, const char *drv, bool wait)
{
	if (!strcmp(drv, VFIO_PCI))
		vfio_remove(bdf, wait);
	else
		host_release(bdf, drv, false);
	unlink_driver(bdf, drv);
	return 0;
}

int vm_store_unbind(const char *drv, const char *buf, size_t len)
{
	char bdf[64], cur[256];

	/* bus.c unbind_store: ENODEV unless bound to this very driver; the
	 * detach is synchronous (and for vfio-pci waits for its users). */
	if (store_name(buf, len, bdf, sizeof(bdf)) < 0 || !dev_exists(bdf))
		return -ENODEV;
	dev_driver(bdf, cur, sizeof(cur));
	if (strcmp(cur, drv) != 0)
		return -ENODEV;
	return detach(bdf, drv, true);
}

static int attach_any(const char *bdf)
{
	char **drivers = NULL;

	if (vm_list(&drivers, "/sys/bus/pci/drivers") < 0)
		return 0;
	/* dd.c __device_attach_driver: the first driver that matches and
	 * probes wins; a failed probe lets the next one try. */
	for (size_t i = 0; drivers[i]; i++)
		if (match(drivers[i], bdf) && probe(drivers[i], bdf) == 0)
			break;
	vm_strv_free(drivers);
	return 0;
}

int vm_store_drivers_probe(const char *buf, size_t len)
{
	char bdf[64], cur[256];

	/* bus.c drivers_probe_store: ENODEV for an unknown name; success
	 * whatever the probe did (bus_rescan_devices_helper). */
	if (store_name(buf, len, bdf, sizeof(bdf)) < 0 || !dev_exists(bdf))
		return -ENODEV;
	dev_driver(bdf, cur, sizeof(cur));
	if (cur[0])
		return 0;
	return attach_any(bdf);
}

int vm_store_bool_param(const char *module, const char *param, const char *buf,
			size_t len)
{
	bool on;

	/* lib/kstrtox.c kstrtobool on the first characters. */
	if (!len)
		return -EINVAL;
	switch (buf[0]) {
	case 'e':
	case 'E':
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		on = true;
		break;
	case 'd':
	case 'D':
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		on = false;
		break;
	case 'o':
	case 'O':
		if (len > 1 && (buf[1] == 'n' || buf[1] == 'N'))
			on = true;
		else if (len > 1 && (buf[1] == 'f' || buf[1] == 'F'))
			on = false;
		else
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	return vm_write(on ? "Y\n" : "N\n", "/sys/module/%s/parameters/%s",
			module, param);
}

int vm_store_remove(const char *bdf, const char *buf, size_t len)
{
	char v[32], *end;
	unsigned long n;

	snprintf(v, sizeof(v), "%.*s", (int)(len < 31 ? len : 31), buf);
	n = strtoul(v, &end, 0);
	if (end == v)
		return -EINVAL;
	return n ? vm_vanish(bdf) : 0;
}

int vm_store_plain(const char *hostpath, const char *buf, size_t len)
{
	char *v = strndup(buf, len);
	int r;

	if (!v)
		return -ENOMEM;
	r = vm_write(v, "%s", hostpath);
	free(v);
	return r;
}

/* "/sys/bus/pci/devices/BDF/attr" or "/sys/devices/.../BDF/attr": the BDF */
static bool path_device(const char *hostpath, const char *attr, char *bdf,
			size_t size)
{
	const char *slash = strrchr(hostpath, '/'), *prev;

	if (!slash || strcmp(slash + 1, attr) != 0)
		return false;
	for (prev = slash - 1; prev > hostpath && *prev != '/'; prev--)
		;
	snprintf(bdf, size, "%.*s", (int)(slash - prev - 1), prev + 1);
	return true;
}

static bool driver_attr(const char *hostpath, const char *attr, char *drv,
			size_t size)
{
	const char *p = "/sys/bus/pci/drivers/";
	const char *slash;

	if (strncmp(hostpath, p, strlen(p)) != 0)
		return false;
	hostpath += strlen(p);
	slash = strchr(hostpath, '/');
	if (!slash || strcmp(slash + 1, attr) != 0)
		return false;
	snprintf(drv, size, "%.*s", (int)(slash - hostpath), hostpath);
	return true;
}

/* "/sys/bus/pci/devices/BDF/driver/attr": the BDF whose driver link the
 * path goes through (the kernel resolves it to drivers/NAME/attr). */
static bool device_driver_attr(const char *hostpath, const char *attr,
			       char *bdf, size_t size)
{
	char dir[PATH_MAX];
	size_t n = strlen(hostpath), tail = strlen("/driver/") + strlen(attr);

	if (n <= tail || strcmp(hostpath + n - strlen(attr), attr) != 0 ||
	    strncmp(hostpath + n - tail, "/driver/", strlen("/driver/")) != 0)
		return false;
	snprintf(dir, sizeof(dir), "%.*s/x", (int)(n - tail), hostpath);
	return path_device(dir, "x", bdf, size);
}

int vm_store(const char *hostpath, const char *buf, size_t len)
{
	char name[256], drv[256];

	if (path_device(hostpath, "driver_override", name, sizeof(name)))
		return vm_store_override(name, buf, len);
	if (driver_attr(hostpath, "bind", name, sizeof(name)))
		return vm_store_bind(name, buf, len);
	if (driver_attr(hostpath, "unbind", name, sizeof(name)))
		return vm_store_unbind(name, buf, len);
	if (device_driver_attr(hostpath, "unbind", name, sizeof(name))) {
		dev_driver(name, drv, sizeof(drv));
		return drv[0] ? vm_store_unbind(drv, buf, len) : -ENOENT;
	}
	if (!strcmp(hostpath, "/sys/bus/pci/drivers_probe"))
		return vm_store_drivers_probe(buf, len);
	if (!strcmp(hostpath,
		    "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"))
		return vm_store_bool_param("vfio", "enable_unsafe_noiommu_mode",
					   buf, len);
	if (!strcmp(hostpath, "/proc/sys/kernel/tainted"))
		return vm_store_tainted(buf, len);
	if (path_device(hostpath, "remove", name, sizeof(name)) &&
	    !strncmp(hostpath, "/sys/", 5))
		return vm_store_remove(name, buf, len);
	return vm_store_plain(hostpath, buf, len);
}

void vm_store_device(const char *hostpath, const char *buf, size_t len,
		     char *bdf, size_t size)
{
	char drv[256];

	bdf[0] = '\0';
	if (path_device(hostpath, "driver_override", bdf, size) ||
	    path_device(hostpath, "remove", bdf, size))
		return;
	bdf[0] = '\0';
	if (driver_attr(hostpath, "bind", drv, sizeof(drv)) ||
	    driver_attr(hostpath, "unbind", drv, sizeof(drv)) ||
	    device_driver_attr(hostpath, "unbind", drv, sizeof(drv)) ||
	    !strcmp(hostpath, "/sys/bus/pci/drivers_probe"))
		store_name(buf, len, bdf, size);
}

/* ---- hot removal -------------------------------------------------------------- */

static void drop_link(const char *link, const char *to, void *data)
{
	char p[PATH_MAX];

	(void)to;
	(void)data;
	if (vm_path(p, sizeof(p), "%s", link) == 0)
		vm_real.unlink(p);
}

int vm_vanish(const char *bdf)
{
	char dir[PATH_MAX], drv[256], **groups = NULL, line[128];

	if (dev_dir(bdf, dir, sizeof(dir)) < 0)
		return -ENODEV;
	/* drivers/pci/remove.c pci_stop_and_remove_bus_device: the driver
	 * lets go (vfio-pci would wait for its users; the model does not),
	 * then the device and everything below it goes. */
	dev_driver(bdf, drv, sizeof(drv));
	if (!strcmp(drv, VFIO_PCI))
		vfio_remove(bdf, false);
	else if (drv[0])
		host_release(bdf, drv, true);
	if (drv[0])
		unlink_driver(bdf, drv);
	links_into(dir, drop_link, NULL);
	if (vm_list(&groups, "/sys/kernel/iommu_groups") == 0)
		for (size_t i = 0; groups[i]; i++)
			vm_rm_rf("/sys/kernel/iommu_groups/%s/devices/%s",
				 groups[i], bdf);
	vm_strv_free(groups);
	vm_rm_rf("%s", dir);
	vm_rm_rf("/sys/bus/pci/devices/%s", bdf);
	vm_rm_rf(VM_SIDE "/stash/%s", bdf);
	snprintf(line, sizeof(line), "%s\n", bdf);
	vm_append(line, VM_SIDE "/vanished");
	return 0;
}

/* ---- holders ------------------------------------------------------------------- */

/* vfio_unregister_group_dev waits for the device's users: its cdev open,
 * or a device fd from the group (fdinfo names it, vfio_main.c
 * vfio_device_show_fdinfo), or a mapping of it. An open group fd alone
 * holds no device reference and does not block. */
static bool proc_holds(const char *pid, const char *bdf, const char *cdev)
{
	const char *kinds[] = { "fd", "map_files" };

	for (size_t k = 0; k < 2; k++) {
		char **fds = NULL;

		if (vm_list(&fds, "/proc/%s/%s", pid, kinds[k]) < 0)
			continue;
		for (size_t i = 0; fds[i]; i++) {
			char p[PATH_MAX], t[PATH_MAX], *info = NULL;
			ssize_t n;
			bool hit = false;

			if (vm_path(p, sizeof(p), "/proc/%s/%s/%s", pid,
				    kinds[k], fds[i]) < 0)
				continue;
			n = vm_real.readlink(p, t, sizeof(t) - 1);
			if (n > 0) {
				t[n] = '\0';
				hit = cdev && cdev[0] && !strcmp(t, cdev);
			}
			if (!hit && k == 0 &&
			    vm_read(&info, "/proc/%s/fdinfo/%s", pid, fds[i]) ==
				    0) {
				const char *s =
					strstr(info, "vfio-device-syspath:");
				const char *base;

				if (s) {
					const char *eol = strchrnul(s, '\n');

					for (base = eol;
					     base > s && base[-1] != '/';
					     base--)
						;
					hit = (size_t)(eol - base) ==
						      strlen(bdf) &&
					      !strncmp(base, bdf, strlen(bdf));
				}
			}
			free(info);
			if (hit) {
				vm_strv_free(fds);
				return true;
			}
		}
		vm_strv_free(fds);
	}
	return false;
}

bool vm_held(const char *bdf, const char *cdev)
{
	char **pids = NULL;
	bool held = false;

	if (vm_list(&pids, "/proc") < 0)
		return false;
	for (size_t i = 0; pids[i] && !held; i++)
		if (atoi(pids[i]) > 0)
			held = proc_holds(pids[i], bdf, cdev);
	vm_strv_free(pids);
	return held;
}

int vm_hold(const char *bdf, int pid)
{
	char name[64], dir[PATH_MAX], node[PATH_MAX], info[PATH_MAX * 2];
	char p[PATH_MAX];

	if (dev_dir(bdf, dir, sizeof(dir)) < 0)
		return -ENODEV;
	dev_vfio_name(bdf, name, sizeof(name));
	if (vm_mkdir_p("/proc/%d/fd", pid) < 0 ||
	    vm_mkdir_p("/proc/%d/fdinfo", pid) < 0 ||
	    vm_mkdir_p("/proc/%d/map_files", pid) < 0)
		return -EIO;
	vm_write("holder\n", "/proc/%d/comm", pid);
	if (name[0] && vm_exists("%s/vfio-dev/%s/dev", dir, name))
		snprintf(node, sizeof(node), "/dev/vfio/devices/%s", name);
	else
		snprintf(node, sizeof(node), "anon_inode:[vfio-device]");
	if (vm_path(p, sizeof(p), "/proc/%d/fd/3", pid) < 0)
		return -ENAMETOOLONG;
	vm_real.unlink(p);
	if (vm_real.symlink(node, p) < 0)
		return -errno;
	snprintf(info, sizeof(info),
		 "pos:\t0\nflags:\t02000002\nmnt_id:\t18\nino:\t1\n"
		 "vfio-device-syspath: %s\n",
		 dir);
	return vm_write(info, "/proc/%d/fdinfo/3", pid);
}

int vm_release(int pid)
{
	char **pids = NULL;

	if (pid > 0)
		return vm_rm_rf("/proc/%d", pid);
	if (vm_list(&pids, "/proc") < 0)
		return 0;
	for (size_t i = 0; pids[i]; i++) {
		char comm[64];

		if (atoi(pids[i]) > 0 &&
		    vm_read_line(comm, sizeof(comm), "/proc/%s/comm",
				 pids[i]) == 0 &&
		    !strcmp(comm, "holder"))
			vm_rm_rf("/proc/%s", pids[i]);
	}
	vm_strv_free(pids);
	return 0;
}

/* ---- set-up commands ------------------------------------------------------------ */

int vm_ctl_bind(const char *bdf, const char *drv)
{
	char cur[256];
	int r;

	if (!dev_exists(bdf))
		return -ENODEV;
	dev_driver(bdf, cur, sizeof(cur));
	if (!strcmp(cur, drv))
		return 0;
	if (cur[0] && (r = detach(bdf, cur, false)) < 0)
		return r;
	/* The way an administrator binds vfio-pci: the override first. */
	if (!strcmp(drv, VFIO_PCI) &&
	    (r = vm_store_override(bdf, VFIO_PCI, strlen(VFIO_PCI))) < 0)
		return r;
	return vm_store_bind(drv, bdf, strlen(bdf));
}

int vm_ctl_unbind(const char *bdf)
{
	char cur[256];

	if (!dev_exists(bdf))
		return -ENODEV;
	dev_driver(bdf, cur, sizeof(cur));
	return cur[0] ? detach(bdf, cur, false) : 0;
}

void vm_state(FILE *out)
{
	char **bdfs = NULL;

	if (vm_list(&bdfs, "/sys/bus/pci/devices") < 0)
		return;
	for (size_t i = 0; bdfs[i]; i++) {
		char drv[256], ov[256], name[64], dir[PATH_MAX];
		char cdev[PATH_MAX] = "-", grp[PATH_MAX] = "-", gname[64] = "";
		int g = dev_group(bdfs[i]);

		if (dev_dir(bdfs[i], dir, sizeof(dir)) < 0)
			continue;
		dev_driver(bdfs[i], drv, sizeof(drv));
		dev_override(bdfs[i], ov, sizeof(ov));
		dev_vfio_name(bdfs[i], name, sizeof(name));
		if (name[0] && vm_exists("/dev/vfio/devices/%s", name))
			vm_fmt(cdev, sizeof(cdev), "/dev/vfio/devices/%s",
			       name);
		if (g >= 0) {
			vm_read_line(gname, sizeof(gname),
				     "/sys/kernel/iommu_groups/%d/name", g);
			vm_fmt(gname, sizeof(gname), "%s%d",
			       !strcmp(gname, "vfio-noiommu") ? "noiommu-" : "",
			       g);
			if (vm_exists("/dev/vfio/%s", gname))
				vm_fmt(grp, sizeof(grp), "/dev/vfio/%s", gname);
		}
		fprintf(out,
			"%s\tdriver=%s\toverride=%s\tvfio=%s\tcdev=%s\t"
			"group=%s\n",
			bdfs[i], drv[0] ? drv : "-", ov[0] ? ov : "-",
			name[0] ? name : "-", cdev, grp);
	}
	vm_strv_free(bdfs);
}
