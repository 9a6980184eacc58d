// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdio.h>
#include <sys/sysmacros.h>

#include "kernel.h"
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
		 * VFIO_DEVICE_CDEV=n, for a no-IOMMU device when
		 * IOMMUFD_NOIOMMU=n, and always before 6.6, where the class
		 * came (6.1) without cdevs (§1.3 warning, §3.1 step 5). */
		if (kernel_has_cdev && dev->noiommu)
			dev->cdev_state = VN_CDEV_NOIOMMU_NONE;
		else if (vn_release_predates(vn_sys_release(sys),
					     "VFIO_DEVICE_CDEV"))
			dev->cdev_state = VN_CDEV_PREDATES;
		else
			dev->cdev_state = VN_CDEV_NO_SUPPORT;
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

int vn_vfio_inspect(struct vn_sys *sys, struct vn_dev *dev)
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

	r = inspect_cdev(sys, dev, vn_kernel_has_cdev(sys));
	if (r < 0)
		return r;
	return inspect_group(sys, dev);
}

int vn_vfio_dev_read(struct vn_sys *sys, const char *bdf, struct vn_dev **out)
{
	_cleanup_(vn_dev_freep) struct vn_dev *d = NULL;
	int r = vn_dev_read(sys, bdf, &d);

	if (r < 0)
		return r;
	r = vn_vfio_inspect(sys, d);
	if (r < 0)
		return r;
	*out = steal_ptr(d);
	return 0;
}

/*
 * Every vfio device gets an object in the "vfio-dev" class, cdev or not
 * (its class is set in drivers/vfio/vfio_main.c, vfio_init_device(), and
 * the object added in vfio_device_add()), whose "device" link names its
 * PCI function. Objects whose parent is not a PCI function (mdev,
 * platform) are left out. Before Linux 6.1 there is no such class, and
 * no device of vfio_read_all's has a "vfio-dev" child either.
 */
static int bound_bdfs(struct vn_sys *sys, char ***out)
{
	_cleanup_strv_ char **names = NULL;
	_cleanup_strv_ char **bdfs = strv_new();
	int r = vn_list_dir(sys, &names, "/sys/class/vfio-dev");

	if (!bdfs)
		return -ENOMEM;
	if (r < 0 && r != -ENOENT) /* ENOENT: vfio is not loaded */
		return r;
	for (size_t i = 0; r == 0 && names[i]; i++) {
		char *bdf = NULL;

		if (vn_link_name(sys, &bdf, "/sys/class/vfio-dev/%s/device",
				 names[i]) < 0)
			continue; /* unbound between the listing and now */
		r = strv_push(&bdfs, bdf);
	}
	if (r < 0 && r != -ENOENT)
		return r;
	strv_sort(bdfs);
	*out = steal_ptr(bdfs);
	return 0;
}

int vn_vfio_read_bound(struct vn_sys *sys, struct vn_dev_list *out)
{
	_cleanup_strv_ char **bdfs = NULL;
	size_t kept = 0;
	int r = bound_bdfs(sys, &bdfs);

	*out = (struct vn_dev_list){ 0 };
	if (r < 0 || (r = vn_dev_read_list(sys, bdfs, out)) < 0)
		return r;
	for (size_t i = 0; i < out->n; i++) {
		struct vn_dev *d = out->devs[i];

		if (r == 0)
			r = vn_vfio_inspect(sys, d);
		if (r == 0 && vn_dev_is_vfio(d))
			out->devs[kept++] = d;
		else /* unbound since the listing, or an error */
			vn_dev_free(d);
	}
	out->n = kept;
	if (r < 0)
		vn_dev_list_clear(out);
	return r;
}

void vn_vfio_tally(const struct vn_dev *d, size_t *nvfio, size_t *nnoiommu)
{
	if (!vn_dev_is_vfio(d))
		return;
	(*nvfio)++;
	*nnoiommu += d->noiommu;
}

int vn_vfio_read_all(struct vn_sys *sys, struct vn_dev_list *out)
{
	int r = vn_dev_read_all(sys, out);

	for (size_t i = 0; r == 0 && i < out->n; i++)
		r = vn_vfio_inspect(sys, out->devs[i]);
	if (r < 0)
		vn_dev_list_clear(out);
	return r;
}

/* ---- holders -------------------------------------------------------- */

static const char anon_vfio_device[] = "anon_inode:[vfio-device]";

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

/* Mapped files that a stat found not to be VFIO nodes, by the device and
 * inode fields of /proc/PID/maps and the path: the same file mapped again,
 * by this process or any other, needs no stat of its own. The path too,
 * because the device is the file system's superblock (fs/proc/
 * task_mmu.c, show_map_vma), and btrfs subvolumes share one superblock
 * but number their inodes each from the start. Open addressing; ino 0
 * (no file) marks a free slot. */
struct inode_key {
	unsigned long long dev, ino, path; /* path: its FNV-1a hash */
};

struct inode_set {
	struct inode_key *v;
	size_t n, cap; /* cap: 0 or a power of two */
};

static size_t inode_slot(const struct inode_set *s, struct inode_key k)
{
	size_t i = (size_t)((k.ino * 0x9e3779b97f4a7c15ull) ^ k.dev ^ k.path);

	for (i &= s->cap - 1; s->v[i].ino; i = (i + 1) & (s->cap - 1))
		if (s->v[i].ino == k.ino && s->v[i].dev == k.dev &&
		    s->v[i].path == k.path)
			break;
	return i;
}

static bool inode_set_has(const struct inode_set *s, struct inode_key k)
{
	return s->cap && s->v[inode_slot(s, k)].ino;
}

static int inode_set_add(struct inode_set *s, struct inode_key k)
{
	size_t slot;

	if (2 * (s->n + 1) > s->cap) {
		struct inode_set g = { .cap = s->cap ? 2 * s->cap : 64 };

		if (!(g.v = calloc(g.cap, sizeof(*g.v))))
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i].ino)
				g.v[inode_slot(&g, s->v[i])] = s->v[i];
		g.n = s->n;
		free(s->v);
		*s = g;
	}
	slot = inode_slot(s, k);
	if (!s->v[slot].ino) {
		s->v[slot] = k;
		s->n++;
	}
	return 0;
}

/* What one process holds, while it is being scanned. */
struct proc_scan {
	const struct vn_sys *sys;
	struct vn_holders *h;
	pid_t pid;
	bool comm_read;
	char comm[sizeof(((struct vn_holder *)0)->comm)];
	int majors[2]; /* char majors of VFIO nodes: group, cdev (-1: none) */
	struct inode_set plain; /* mapped files known not to be VFIO nodes */
};

/* The process's name, read once it holds something: most processes hold
 * nothing, and comm is a file of its own (five calls under /proc, a
 * third of what a process with a few fds costs the scan). "?" when it
 * cannot be read (it exited meanwhile). */
static const char *scan_comm(struct proc_scan *p)
{
	_cleanup_free_ char *c = NULL;

	if (p->comm_read)
		return p->comm;
	p->comm_read = true;
	if (vn_read_text(p->sys, &c, "/proc/%d/comm", (int)p->pid) < 0)
		snprintf(p->comm, sizeof(p->comm), "?");
	else
		snprintf(p->comm, sizeof(p->comm), "%s", c);
	return p->comm;
}

static int holder_add(struct proc_scan *p, enum vn_hold_kind kind,
		      const char *target, const struct vn_node_info *st,
		      char *bdf)
{
	struct vn_holders *h = p->h;
	struct vn_holder *nv = realloc(h->v, (h->n + 1) * sizeof(*nv));

	if (!nv) {
		free(bdf);
		return -ENOMEM;
	}
	h->v = nv;
	nv[h->n] =
		(struct vn_holder){ .pid = p->pid, .kind = kind, .bdf = bdf };
	snprintf(nv[h->n].comm, sizeof(nv[h->n].comm), "%s", scan_comm(p));
	if (st && st->present && st->is_chr) {
		nv[h->n].chr = true;
		nv[h->n].major = st->major;
		nv[h->n].minor = st->minor;
	}
	/* gcc 12's analyzer loses pointers stored into a realloc()ed array
	 * and calls them leaked; vn_holders_clear() frees them. */
	VN_ANALYZER_FP_BEGIN("-Wanalyzer-malloc-leak")
	nv[h->n].target = strdup(target);
	if (!nv[h->n].target) {
		free(bdf);
		return -ENOMEM;
	}
	h->n++;
	return 0;
	VN_ANALYZER_FP_END
}

/* Paths that are never a device node someone made (procfs and sysfs
 * cannot hold one) or never a VFIO one: not worth a stat. */
static bool never_vfio_node(const char *t)
{
	return t[0] != '/' || startswith(t, "/proc/") ||
	       startswith(t, "/sys/") || startswith(t, "/dev/pts/") ||
	       streq(t, "/dev/null") || startswith(t, "/memfd:");
}

/* Is the open file (host: followed through the fd link, which reaches it
 * in any mount namespace; a recorded tree: its node record) a VFIO group
 * or device node? Compared by device number, never by name: a node
 * opened through a container's own /dev or a mknod copy has another
 * path (doc/kernel.md §7). 1: a VFIO node; 0: a file a stat found to be
 * something else; -1: not looked at, or not found (it cannot be
 * remembered as either). */
static int node_check(struct proc_scan *p, const char *host_path,
		      const char *target, struct vn_node_info *st)
{
	if (never_vfio_node(target))
		return -1;
	if (vn_node_stat(p->sys, vn_sys_is_host(p->sys) ? host_path : target,
			 st) < 0 ||
	    !st->present)
		return -1;
	return st->is_chr && ((int)st->major == p->majors[0] ||
			      (int)st->major == p->majors[1]);
}

static bool vfio_node(struct proc_scan *p, const char *host_path,
		      const char *target, struct vn_node_info *st)
{
	return node_check(p, host_path, target, st) == 1;
}

static int scan_fd(struct proc_scan *p, const char *fd)
{
	_cleanup_free_ char *target = NULL, *info = NULL;
	struct vn_node_info st = { 0 };
	char link[64];
	char *bdf = NULL;

	snprintf(link, sizeof(link), "/proc/%d/fd/%s", (int)p->pid, fd);
	if (vn_read_link(p->sys, &target, "%s", link) < 0)
		return 0;
	if (!streq(target, anon_vfio_device) &&
	    !vfio_node(p, link, target, &st))
		return 0;
	/* fdinfo names the device for cdev and group-derived fds on
	 * kernels that print vfio-device-syspath (not 6.12, §7). */
	if (vn_read_text(p->sys, &info, "/proc/%d/fdinfo/%s", (int)p->pid,
			 fd) == 0)
		bdf = vn_fdinfo_vfio_bdf(info);
	return holder_add(p, VN_HOLD_FD, target, &st, bdf);
}

static int scan_fds(struct proc_scan *p)
{
	_cleanup_strv_ char **fds = NULL;
	int r = vn_list_dir(p->sys, &fds, "/proc/%d/fd", (int)p->pid);

	for (size_t i = 0; r == 0 && fds[i]; i++)
		r = scan_fd(p, fds[i]);
	return r;
}

/* One line of /proc/PID/maps: a BAR mapping outlives its fd. Only shared
 * mappings of a file can be one (BARs are mmap'ed MAP_SHARED). */
static int scan_map_line(struct proc_scan *p, const char *line, char ***seen)
{
	char perms[8], root_path[PATH_MAX];
	struct vn_node_info st = { 0 };
	unsigned int maj, min;
	struct inode_key key;
	const char *path;
	int n = 0, r;

	if (sscanf(line, "%*x-%*x %7s %*x %x:%x %llu %n", perms, &maj, &min,
		   &key.ino, &n) != 4 ||
	    !n || strlen(perms) < 4 || perms[3] != 's')
		return 0;
	path = line + n;
	key.dev = makedev(maj, min);
	key.path = 14695981039346656037ull;
	for (const char *c = path; *c; c++)
		key.path = (key.path ^ (unsigned char)*c) * 1099511628211ull;
	if (strv_contains(*seen, path))
		return 0;
	if (!streq(path, anon_vfio_device)) {
		if (key.ino && inode_set_has(&p->plain, key))
			return 0;
		snprintf(root_path, sizeof(root_path), "/proc/%d/root%s",
			 (int)p->pid, path);
		r = node_check(p, root_path, path, &st);
		if (r == 0 && key.ino)
			return inode_set_add(&p->plain, key);
		if (r != 1)
			return 0;
	}
	/* One entry per mapped file: a BAR is often several VMAs. */
	if (strv_push(seen, strdup(path)) < 0)
		return -ENOMEM;
	return holder_add(p, VN_HOLD_MAP, path, &st, NULL);
}

/* MAPS: /proc/PID/maps as read, R what reading it returned. */
static int scan_maps(struct proc_scan *p, char *maps, int r)
{
	_cleanup_strv_ char **seen = NULL;
	char *save = NULL;

	if (r == -ENOENT)
		return 0; /* a recorded tree without mappings */
	for (char *l = r < 0 ? NULL : strtok_r(maps, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		if ((r = scan_map_line(p, l, &seen)) < 0)
			return r;
	return r;
}

/* One process: its fds, then its mappings. Its maps are read first: on
 * the host, a process without any has no open file either, and its fd
 * directory is not listed. That is a kernel thread (its files are
 * init_files, which hold none), or one that is exiting: do_exit() in
 * kernel/exit.c drops its memory (exit_mm) before its files (exit_files),
 * which close within the call. Most processes of a small host are
 * kernel threads. A recorded tree's maps may be left empty. */
static int scan_proc(struct proc_scan *p, bool *denied)
{
	_cleanup_free_ char *maps = NULL;
	int rm = vn_read_file(p->sys, &maps, "/proc/%d/maps", (int)p->pid);
	int r, r2;

	if (rm == 0 && !*maps && vn_sys_is_host(p->sys))
		return 0;
	/* A process that exited meanwhile (ENOENT) is simply gone; it
	 * counts once as unreadable, whichever part was denied. */
	r = scan_fds(p);
	r2 = r == -ENOMEM ? r : scan_maps(p, maps, rm);
	if (r == -ENOMEM || r2 == -ENOMEM)
		return -ENOMEM;
	*denied = vn_err_denied(r) || vn_err_denied(r2);
	return 0;
}

int vn_holders_scan(const struct vn_sys *sys, struct vn_holders *out)
{
	_cleanup_strv_ char **pids = NULL;
	struct proc_scan p = { .sys = sys, .h = out };
	int r;

	*out = (struct vn_holders){ 0 };
	p.majors[0] = vn_proc_devices_char_major(sys, "vfio");
	p.majors[1] = vn_proc_devices_char_major(sys, "vfio-dev");
	r = vn_list_dir(sys, &pids, "/proc");
	if (r < 0)
		return r;
	for (size_t i = 0; pids[i]; i++) {
		bool denied = false;
		int pid;

		if (parse_int(pids[i], &pid) < 0 || pid <= 0)
			continue;
		p.pid = pid;
		p.comm_read = false;
		if (scan_proc(&p, &denied) < 0)
			goto fail;
		if (denied)
			out->unreadable++;
	}
	free(p.plain.v);
	return 0;
fail:
	free(p.plain.v);
	vn_holders_clear(out);
	return -ENOMEM;
}

static bool node_is(const struct vn_node *n, const struct vn_holder *h)
{
	return n->path && n->major == h->major && n->minor == h->minor;
}

enum vn_hold_match vn_holder_match(const struct vn_holder *h,
				   const struct vn_dev *dev)
{
	if (h->bdf)
		return streq(h->bdf, dev->bdf) ? VN_HOLD_YES : VN_HOLD_NO;
	if (h->chr && (node_is(&dev->cdev, h) || node_is(&dev->group, h)))
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
	case VN_CDEV_PREDATES:
		return "VFIO device cdevs need Linux 6.6";
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

const char *vn_cdev_state_name(enum vn_cdev_state s)
{
	switch (s) {
	case VN_CDEV_OK:
		return "ok";
	case VN_CDEV_NOT_VFIO:
		return "not-vfio";
	case VN_CDEV_NO_SUPPORT:
	case VN_CDEV_PREDATES:
		return "unsupported";
	case VN_CDEV_NOIOMMU_NONE:
		return "noiommu-unsupported";
	case VN_CDEV_NO_NODE:
		return "missing";
	case VN_CDEV_WRONG_NODE:
		return "mismatch";
	}
	return NULL;
}
