/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

struct vn_sys;

/*
 * The initramfs the running kernel boots with, and whether it predates
 * what it carries of ours (vfio-noiommuctl(8), BOOT): our initramfs-tools
 * hook or dracut module copies the declared state into it, and the
 * generators copy modprobe.d (no-IOMMU mode for a vfio loaded there).
 * A file changed after the image was built is not in it until the image
 * is rebuilt.
 */
struct vn_initramfs {
	char *image; /* e.g. /boot/initrd.img-REL; NULL: none found */
	long long image_mtime; /* nanoseconds since the epoch */
	/* The generator whose image it is, by the name of the image (Debian's
	 * initramfs-tools: initrd.img-REL; dracut: initramfs-REL.img), and
	 * the command that rebuilds it. */
	const char *generator, *command;
	/* Our hook (initramfs-tools) or module (dracut) is where that
	 * generator reads them: the declared state goes into the image. */
	bool carries_state;
	/* The newest of the files it carries that changed after the image
	 * was built (host view); NULL: none, the image is current. */
	char *newer;
	long long newer_mtime; /* nanoseconds */
};

/*
 * Read the image of the running release and, when it carries the state,
 * compare it with files (the declared state's files, as real paths;
 * NULL-terminated, may be NULL), the state directory itself (a file
 * removed) and our modprobe.d file. No image is not an error (image
 * NULL).
 */
int vn_initramfs_read(struct vn_sys *sys, char *const *files,
		      struct vn_initramfs *out);
void vn_initramfs_clear(struct vn_initramfs *i);
