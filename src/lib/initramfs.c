// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "initramfs.h"
#include "noiommu.h"
#include "state.h"
#include "sys.h"
#include "util.h"

/* Where each generator writes the image of a release, and where it reads
 * our part: initramfs-tools runs the hooks in its two hook directories
 * (initramfs-tools(7), HOOK SCRIPTS); dracut reads modules.d. */
static const struct generator {
	const char *name, *image_fmt, *command;
	const char *ours[2];
} generators[] = {
	{ "initramfs-tools",
	  "/boot/initrd.img-%s",
	  "update-initramfs -u",
	  { "/usr/share/initramfs-tools/hooks/vfio-noiommuctl",
	    "/etc/initramfs-tools/hooks/vfio-noiommuctl" } },
	{ "dracut",
	  "/boot/initramfs-%s.img",
	  "dracut -f",
	  { "/usr/lib/dracut/modules.d/90vfio-noiommuctl",
	    "/lib/dracut/modules.d/90vfio-noiommuctl" } },
};

static int mtime_of(const char *path, long long *out)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	/* Nanoseconds: a file written in the second the image was (or the
	 * one before it) is still told apart. */
	*out = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	return 0;
}

/* Keep the file (path: as the host sees it) as the newest changed after
 * the image, when it is. */
static int consider(const struct vn_sys *sys, struct vn_initramfs *i,
		    const char *path)
{
	char real[PATH_MAX];
	long long t = 0;
	int r;

	if ((r = vn_path(sys, real, sizeof(real), "%s", path)) < 0)
		return r;
	if (mtime_of(real, &t) < 0 || t <= i->image_mtime ||
	    (i->newer && t <= i->newer_mtime))
		return 0;
	i->newer_mtime = t;
	return vn_set_str(&i->newer, path);
}

/* The first generator with an image for this release. */
static int find_image(struct vn_sys *sys, struct vn_initramfs *i)
{
	const char *rel = vn_sys_release(sys);
	char path[PATH_MAX], real[PATH_MAX];

	for (size_t g = 0; rel && g < ARRAY_SIZE(generators); g++) {
		const struct generator *gen = &generators[g];
		int r;

		snprintf(path, sizeof(path), gen->image_fmt, rel);
		if ((r = vn_path(sys, real, sizeof(real), "%s", path)) < 0)
			return r;
		if (mtime_of(real, &i->image_mtime) < 0)
			continue;
		i->generator = gen->name;
		i->command = gen->command;
		for (size_t k = 0; k < ARRAY_SIZE(gen->ours); k++)
			i->carries_state |= vn_exists(sys, "%s", gen->ours[k]);
		return vn_set_str(&i->image, path);
	}
	return 0;
}

int vn_initramfs_read(struct vn_sys *sys, char *const *files,
		      struct vn_initramfs *out)
{
	size_t rootlen = strlen(sys->root);
	int r;

	*out = (struct vn_initramfs){ 0 };
	if ((r = find_image(sys, out)) < 0 || !out->image ||
	    !out->carries_state)
		return r;
	/* The state's files are named with the root in front. */
	for (size_t k = 0; files && files[k]; k++)
		if (startswith(files[k], sys->root) &&
		    (r = consider(sys, out, files[k] + rootlen)) < 0)
			return r;
	/* The hook puts vfio-pci (so vfio, with modprobe.d's options) into
	 * the image with the state. A removed file shows as the directory's
	 * change; a removed modprobe.d file does not show. */
	if ((r = consider(sys, out, VN_STATE_DIR)) < 0)
		return r;
	return consider(sys, out, VN_MODPROBE_FILE);
}

void vn_initramfs_clear(struct vn_initramfs *i)
{
	free(i->image);
	free(i->newer);
	*i = (struct vn_initramfs){ 0 };
}
