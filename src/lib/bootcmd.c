// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A built-in vfio reads enable_unsafe_noiommu_mode from the kernel command
 * line only (kernel/params.c, parse_args() at boot; modprobe.d never
 * applies). What the next boot's command line will say is the boot
 * loader's configuration: GRUB's /etc/default/grub and its grub.d
 * drop-ins, which update-grub turns into grub.cfg (grub-mkconfig sources
 * /etc/default/grub, then /etc/default/grub.d/ *.cfg in glob order), or
 * /etc/kernel/cmdline, which kernel-install copies into each boot entry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "noiommu.h"
#include "sys.h"
#include "util.h"

#define PARAM "vfio." VN_NOIOMMU_PARAM

enum vn_loader vn_loader_detect(const struct vn_sys *sys)
{
	if (vn_exists(sys, VN_GRUB_DEFAULT))
		return VN_LOADER_GRUB;
	if (vn_exists(sys, VN_KERNEL_CMDLINE))
		return VN_LOADER_KERNEL_INSTALL;
	return VN_LOADER_NONE;
}

const char *vn_loader_next_step(enum vn_loader l)
{
	switch (l) {
	case VN_LOADER_GRUB:
		return "run 'update-grub', then reboot";
	case VN_LOADER_KERNEL_INSTALL:
		return "run 'kernel-install add' for the installed kernels (or "
		       "reinstall them), then reboot";
	default:
		return "reboot";
	}
}

static bool word_end(char c)
{
	return !c || c == ' ' || c == '\t' || c == '\n' || c == '"' ||
	       c == '\'';
}

/* One word of the parameter at w ("vfio.…" or "vfio.…=VALUE"). */
static int add_word(const char *w, size_t len, const char *where, bool ours,
		    bool extended, struct vn_persist *p)
{
	_cleanup_free_ char *word = strndup(w, len);
	const char *val;
	bool v;

	if (!word)
		return -ENOMEM;
	val = word[strlen(PARAM)] == '=' ? word + strlen(PARAM) + 1 : NULL;
	if (vn_kstrtobool(val, extended, &v) < 0)
		return vn_persist_add(p, where, word, VN_UNKNOWN, ours);
	return vn_persist_add(p, where, word, v ? VN_YES : VN_NO, ours);
}

/* Every word of the parameter outside comment lines, in order. */
static int scan(const char *text, const char *where, bool ours, bool extended,
		struct vn_persist *p)
{
	const size_t n = strlen(PARAM);
	bool comment = false, line_start = true;

	for (const char *s = text; *s; s++) {
		if (*s == '\n') {
			comment = false;
			line_start = true;
			continue;
		}
		if (line_start && *s == '#')
			comment = true;
		if (*s != ' ' && *s != '\t')
			line_start = false;
		if (comment || strncmp(s, PARAM, n) != 0 ||
		    (s != text && !word_end(s[-1])) ||
		    !(word_end(s[n]) || s[n] == '='))
			continue;
		size_t len = n;
		int r;

		while (!word_end(s[len]))
			len++;
		if ((r = add_word(s, len, where, ours, extended, p)) < 0)
			return r;
		s += len - 1;
	}
	return 0;
}

/* Whose words a file holds: another's; ours when it starts with our
 * header (the GRUB drop-in); ours to edit word by word
 * (/etc/kernel/cmdline, which noiommu --persist changes in place). */
enum owner { OTHERS, MARKED, EDITED };

static int scan_file(const struct vn_sys *sys, const char *path,
		     enum owner owner, bool extended, struct vn_persist *p)
{
	_cleanup_free_ char *text = NULL;
	bool ours;

	if (vn_read_file(sys, &text, "%s", path) < 0)
		return 0; /* unreadable: says nothing */
	ours = owner == EDITED || (owner == MARKED && vn_conf_is_ours(text));
	return scan(text, path, ours, extended, p);
}

int vn_bootcmd_read(const struct vn_sys *sys, enum vn_loader l, bool extended,
		    struct vn_persist *p)
{
	_cleanup_strv_ char **cfgs = NULL;
	int r;

	if (l == VN_LOADER_KERNEL_INSTALL)
		return scan_file(sys, VN_KERNEL_CMDLINE, EDITED, extended, p);
	if (l != VN_LOADER_GRUB)
		return 0;
	if ((r = scan_file(sys, VN_GRUB_DEFAULT, OTHERS, extended, p)) < 0)
		return r;
	if (vn_list_dir(sys, &cfgs, VN_GRUB_DROPIN_DIR) < 0)
		return 0;
	strv_sort(cfgs);
	for (size_t i = 0; cfgs[i]; i++) {
		char path[PATH_MAX];
		size_t len = strlen(cfgs[i]);

		if (len < 5 || !streq(cfgs[i] + len - 4, ".cfg"))
			continue;
		snprintf(path, sizeof(path), VN_GRUB_DROPIN_DIR "/%s", cfgs[i]);
		r = scan_file(sys, path,
			      streq(path, VN_GRUB_DROPIN) ? MARKED : OTHERS,
			      extended, p);
		if (r < 0)
			return r;
	}
	return 0;
}

int vn_grub_dropin_render(const char *user, time_t when, char **out)
{
	return vn_conf_with_header(
		user, when,
		"# VFIO no-IOMMU mode at every boot (vfio is built into the kernel,\n"
		"# so only the kernel command line sets it). Devices bound to\n"
		"# vfio-pci without an IOMMU get no DMA isolation, and each such bind\n"
		"# taints the kernel (U). 'vfio-noiommuctl noiommu off --persist'\n"
		"# removes this file; run update-grub after either.\n"
		"GRUB_CMDLINE_LINUX=\"${GRUB_CMDLINE_LINUX} " PARAM "=1\"\n",
		out);
}

int vn_kernel_cmdline_edit(const char *text, bool on, char **out)
{
	_cleanup_strv_ char **words = NULL;
	_cleanup_strv_ char **kept = strv_new();
	int r = vn_cmdline_split(text, &words);

	if (r < 0)
		return r;
	if (!kept)
		return -ENOMEM;
	for (size_t i = 0; words[i]; i++) {
		const char *w = words[i];

		if (startswith(w, PARAM) &&
		    (w[strlen(PARAM)] == '\0' || w[strlen(PARAM)] == '='))
			continue;
		if ((r = strv_push(&kept, strdup(w))) < 0)
			return r;
	}
	if (on && (r = strv_push(&kept, strdup(PARAM "=1"))) < 0)
		return r;
	{
		_cleanup_free_ char *line = strv_join(kept, " ");

		if (!line || xasprintf(out, "%s\n", line) < 0)
			return -ENOMEM;
	}
	return 0;
}
