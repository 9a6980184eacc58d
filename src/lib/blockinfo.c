// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>

#include "blockinfo.h"
#include "pci.h"
#include "sys.h"
#include "vfio.h"

/* Is the entry a controller ("nvme3"), not a namespace head ("nvme3n1")? */
static bool controller_name(const char *e)
{
	return startswith(e, "nvme") && !strchr(e + 4, 'n');
}

/* The namespace heads of every subsystem that one of the function's
 * controllers belongs to. A subsystem links each of its controllers by
 * name (drivers/nvme/host/core.c, nvme_init_subsystem), and controller
 * names are unique, so a name says whose it is. */
static int add_subsystem_heads(const struct vn_sys *sys, char *const *ctrls,
			       char ***names)
{
	_cleanup_strv_ char **subs = NULL;
	int r;

	if (!ctrls[0] ||
	    vn_list_dir(sys, &subs, "/sys/class/nvme-subsystem") < 0)
		return 0;
	for (size_t s = 0; subs[s]; s++) {
		_cleanup_strv_ char **ents = NULL;
		bool ours = false;

		if (vn_list_dir(sys, &ents, "/sys/class/nvme-subsystem/%s",
				subs[s]) < 0)
			continue;
		for (size_t e = 0; ents[e] && !ours; e++)
			ours = controller_name(ents[e]) &&
			       strv_contains(ctrls, ents[e]);
		for (size_t e = 0; ours && ents[e]; e++) {
			if (!startswith(ents[e], "nvme") ||
			    controller_name(ents[e]) ||
			    !vn_exists(sys,
				       "/sys/class/nvme-subsystem/%s/%s/dev",
				       subs[s], ents[e]) ||
			    strv_contains(*names, ents[e]))
				continue;
			if ((r = strv_push(names, strdup(ents[e]))) < 0)
				return r;
		}
	}
	return 0;
}

int vn_block_devices(const struct vn_sys *sys, struct vn_class_cache *cache,
		     const char *bdf, char ***names)
{
	_cleanup_strv_ char **all = NULL, **ctrls = NULL;
	_cleanup_strv_ char **v = strv_new();
	int r;

	if (!v)
		return -ENOMEM;
	if ((r = vn_dev_class_children(sys, cache, bdf, "block", &all)) < 0 ||
	    (r = vn_dev_class_children(sys, cache, bdf, "nvme", &ctrls)) < 0)
		return r;
	/* Partitions come with their disk (checked there). */
	for (size_t i = 0; all[i]; i++)
		if (!vn_exists(sys, "/sys/class/block/%s/partition", all[i]) &&
		    (r = strv_push(&v, strdup(all[i]))) < 0)
			return r;
	r = add_subsystem_heads(sys, ctrls, &v);
	if (r < 0)
		return r;
	*names = steal_ptr(v);
	return 0;
}

/* The disk and its partitions: "nvme0n1", "nvme0n1p1", ... */
static int with_partitions(const struct vn_sys *sys, const char *disk,
			   char ***out)
{
	_cleanup_strv_ char **ents = NULL;
	int r = strv_push(out, strdup(disk));

	if (r < 0)
		return r;
	if (vn_list_dir(sys, &ents, "/sys/class/block/%s", disk) < 0)
		return 0;
	for (size_t i = 0; ents[i]; i++)
		if (startswith(ents[i], disk) &&
		    vn_exists(sys, "/sys/class/block/%s/%s/partition", disk,
			      ents[i]) &&
		    (r = strv_push(out, strdup(ents[i]))) < 0)
			return r;
	return 0;
}

static int devt_of(const struct vn_sys *sys, const char *disk, const char *name,
		   char *out, size_t size)
{
	_cleanup_free_ char *dev = NULL;
	int r;

	if (streq(disk, name))
		r = vn_read_text(sys, &dev, "/sys/class/block/%s/dev", name);
	else
		r = vn_read_text(sys, &dev, "/sys/class/block/%s/%s/dev", disk,
				 name);
	if (r < 0)
		return r;
	snprintf(out, size, "%s", dev);
	return 0;
}

int vn_parse_mountinfo(const char *text, const char *devt, char **where)
{
	for (const char *p = text; p && *p;) {
		char mm[32], mnt[PATH_MAX];

		/* "36 35 98:0 /mnt1 /mnt2 ...": ID, parent, MAJ:MIN, root,
		 * mount point (proc(5)). */
		if (sscanf(p, "%*d %*d %31s %*s %4095s", mm, mnt) == 2 &&
		    streq(mm, devt)) {
			*where = strdup(mnt);
			return *where ? 1 : -ENOMEM;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static int mounted_at(const struct vn_sys *sys, const char *devt, char **where)
{
	_cleanup_free_ char *mi = NULL;

	if (vn_read_text(sys, &mi, "/proc/self/mountinfo") < 0)
		return 0;
	return vn_parse_mountinfo(mi, devt, where);
}

static bool is_swap(const struct vn_sys *sys, const char *name)
{
	_cleanup_free_ char *swaps = NULL;
	char pat[96];

	if (vn_read_text(sys, &swaps, "/proc/swaps") < 0)
		return false;
	snprintf(pat, sizeof(pat), "/dev/%s ", name);
	return strstr(swaps, pat) != NULL;
}

static int holder_of(const struct vn_sys *sys, const char *disk,
		     const char *name, char **holder)
{
	_cleanup_strv_ char **h = NULL;
	int r;

	if (streq(disk, name))
		r = vn_list_dir(sys, &h, "/sys/class/block/%s/holders", name);
	else
		r = vn_list_dir(sys, &h, "/sys/class/block/%s/%s/holders", disk,
				name);
	if (r < 0 || !h[0])
		return 0;
	*holder = strv_join(h, ", ");
	return *holder ? 1 : -ENOMEM;
}

static bool busy_excl(const struct vn_sys *sys, const char *name)
{
	_cleanup_close_ int fd = -1;

	if (!vn_sys_is_host(sys))
		return false;
	fd = vn_open(sys, O_RDONLY | O_EXCL | O_NONBLOCK, "/dev/%s", name);
	return fd == -EBUSY;
}

static int found(char **why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int found(char **why, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = xvasprintf(why, fmt, ap);
	va_end(ap);
	return r < 0 ? r : 1;
}

/* Mounted, swap, or held: the evidence that names its cause. */
static int part_in_use(const struct vn_sys *sys, const char *disk,
		       const char *part, char **why)
{
	_cleanup_free_ char *where = NULL, *holder = NULL;
	char devt[32];
	int r;

	if (devt_of(sys, disk, part, devt, sizeof(devt)) == 0) {
		r = mounted_at(sys, devt, &where);
		if (r < 0)
			return r;
		if (r)
			return found(why, "/dev/%s is mounted on %s", part,
				     where);
	}
	if (is_swap(sys, part))
		return found(why, "/dev/%s is in use as swap", part);
	r = holder_of(sys, disk, part, &holder);
	if (r < 0)
		return r;
	if (r)
		return found(why, "/dev/%s is held by %s (md, dm or LVM)", part,
			     holder);
	return 0;
}

int vn_block_in_use(const struct vn_sys *sys, const char *disk, char **why)
{
	_cleanup_strv_ char **parts = NULL;
	int r;

	*why = NULL;
	r = with_partitions(sys, disk, &parts);
	if (r < 0)
		return r;
	for (size_t i = 0; parts[i]; i++) {
		r = part_in_use(sys, disk, parts[i], why);
		if (r != 0)
			return r;
	}
	/* Only then the exclusive open: a claimed partition makes its whole
	 * disk refuse it too, which would hide the mount that caused it. */
	for (size_t i = 0; parts[i]; i++)
		if (busy_excl(sys, parts[i]))
			return found(why,
				     "/dev/%s is in use: an exclusive open "
				     "fails with EBUSY (ZFS, LIO, btrfs or "
				     "another holder)",
				     parts[i]);
	return 0;
}
