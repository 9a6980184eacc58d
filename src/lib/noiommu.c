// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <libkmod.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cmdline.h"
#include "kmod.h"
#include "noiommu.h"
#include "sys.h"

bool vn_kstrtobool_extended(const char *release)
{
	return vn_release_at_least(release, 7, 0);
}

int vn_kstrtobool(const char *s, bool extended, bool *out)
{
	if (!s) {
		*out = true;
		return 0;
	}
	switch (s[0]) {
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*out = true;
		return 0;
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*out = false;
		return 0;
	case 'e':
	case 'E':
	case 'd':
	case 'D':
		if (!extended)
			return -EINVAL;
		*out = s[0] == 'e' || s[0] == 'E';
		return 0;
	case 'o':
	case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*out = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*out = false;
			return 0;
		}
		break;
	default:
		break;
	}
	return -EINVAL;
}

int vn_noiommu_effective(struct vn_sys *sys, enum vn_tri *mode,
			 const char **source)
{
	_cleanup_(vn_kmod_module_unrefp) struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	const char *options;
	bool yes;
	int r;

	r = vn_module_param_bool(sys, "vfio", VN_NOIOMMU_PARAM, &yes);
	if (r == 0) {
		*mode = yes ? VN_YES : VN_NO;
		*source = "/sys/module/vfio/parameters/" VN_NOIOMMU_PARAM;
		return 0;
	}
	*mode = VN_NO;
	*source = "the default (N) when vfio loads";
	r = 0;
	ctx = vn_kmod(sys);
	if (!ctx || kmod_module_new_from_name(ctx, "vfio", &mod) < 0)
		return 0;
	options = kmod_module_get_options(mod);
	if (options) {
		/* The same parser as for modprobe.d lines, so that both
		 * spellings of the name count, as the kernel's parameq(). */
		_cleanup_free_ char *line = NULL;
		struct vn_persist p = { 0 };
		const struct vn_setting *from;
		enum vn_tri v;

		r = xasprintf(&line, "options vfio %s\n", options);
		if (r == 0)
			r = vn_modprobe_parse(
				line, "libkmod",
				vn_kstrtobool_extended(vn_sys_release(sys)),
				&p);
		v = vn_persist_effective(&p, &from);
		if (r == 0 && from) {
			*mode = v;
			*source =
				"the options vfio loads with (modprobe.d, kernel "
				"command line)";
		}
		vn_persist_clear(&p);
	}
	return r < 0 ? r : 0;
}

/* ---- persistent settings --------------------------------------------------- */

void vn_persist_clear(struct vn_persist *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].where);
		free(p->v[i].text);
	}
	free(p->v);
	free(p->ours_path);
	*p = (struct vn_persist){ 0 };
}

int vn_persist_add(struct vn_persist *p, const char *where, const char *text,
		   enum vn_tri value, bool ours)
{
	struct vn_setting s = { .where = strdup(where),
				.text = strdup(text),
				.value = value,
				.ours = ours };
	struct vn_setting *nv = NULL;

	if (s.where && s.text)
		nv = realloc(p->v, (p->n + 1) * sizeof(*nv));
	if (!nv) {
		free(s.where);
		free(s.text);
		return -ENOMEM;
	}
	p->v = nv;
	/* gcc 12's analyzer loses pointers stored into a realloc()ed array
	 * and calls them leaked; vn_persist_clear() frees them. */
	VN_ANALYZER_FP_BEGIN("-Wanalyzer-malloc-leak")
	nv[p->n++] = s;
	VN_ANALYZER_FP_END
	return 0;
}

/* "vfio" and "vfio_pci" match as module names do: '-' equals '_'. */
static bool module_is_vfio(const char *name)
{
	return vn_param_name_eq(name, "vfio", 5);
}

/* One "options MODULE params..." line (continuations already joined). */
static int parse_options_line(const char *line, const char *where, bool ours,
			      bool extended, struct vn_persist *p)
{
	_cleanup_free_ char *copy = strdup(line);
	char *save = NULL, *tok, *mod;
	size_t n = strlen(VN_NOIOMMU_PARAM);
	int r;

	if (!copy)
		return -ENOMEM;
	tok = strtok_r(copy, " \t", &save);
	if (!tok || !streq(tok, "options"))
		return 0;
	mod = strtok_r(NULL, " \t", &save);
	if (!mod || !module_is_vfio(mod))
		return 0;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		bool v;
		enum vn_tri value;

		if (!vn_param_name_eq(tok, VN_NOIOMMU_PARAM, n) ||
		    (tok[n] && tok[n] != '='))
			continue;
		if (vn_kstrtobool(tok[n] ? tok + n + 1 : NULL, extended, &v) <
		    0)
			value = VN_UNKNOWN;
		else
			value = v ? VN_YES : VN_NO;
		r = vn_persist_add(p, where, line, value, ours);
		if (r < 0)
			return r;
	}
	return 0;
}

int vn_modprobe_join(const char *text, char **out)
{
	char *joined = malloc(strlen(text) + 1), *q;
	const char *s;

	if (!joined)
		return -ENOMEM;
	/* A backslash before the newline continues the line (modprobe.d(5)). */
	for (s = text, q = joined; *s; s++) {
		if (s[0] == '\\' && s[1] == '\n') {
			s++;
			*q++ = ' ';
			continue;
		}
		*q++ = *s;
	}
	*q = '\0';
	*out = joined;
	return 0;
}

int vn_modprobe_parse(const char *text, const char *where, bool extended,
		      struct vn_persist *p)
{
	_cleanup_free_ char *joined = NULL;
	bool ours = vn_conf_is_ours(text);
	char *line, *save = NULL;
	int r;

	if ((r = vn_modprobe_join(text, &joined)) < 0)
		return r;
	for (char *it = joined; (line = strtok_r(it, "\n", &save)); it = NULL) {
		char *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		r = parse_options_line(line, where, ours, extended, p);
		if (r < 0)
			return r;
	}
	return 0;
}

static int cmp_base(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/');
	const char *y = strrchr(*(char *const *)b, '/');

	return strcmp(x, y);
}

/* The files kmod reads, in its order: by name, first directory wins. */
int vn_modprobe_files(const struct vn_sys *sys, char ***files)
{
	_cleanup_strv_ char **v = strv_new();
	_cleanup_strv_ char **names = strv_new();
	int r;

	if (!v || !names)
		return -ENOMEM;
	for (size_t d = 0; d < VN_MODPROBE_NDIRS; d++) {
		_cleanup_strv_ char **ents = NULL;

		if (vn_list_dir(sys, &ents, "%s", vn_modprobe_dirs[d]) < 0)
			continue;
		for (size_t i = 0; ents[i]; i++) {
			size_t len = strlen(ents[i]);
			char *path;

			if (len < 6 || !streq(ents[i] + len - 5, ".conf") ||
			    strv_contains(names, ents[i]))
				continue;
			if ((r = strv_push(&names, strdup(ents[i]))) < 0 ||
			    (r = xasprintf(&path, "%s/%s", vn_modprobe_dirs[d],
					   ents[i])) < 0 ||
			    (r = strv_push(&v, path)) < 0)
				return r;
		}
	}
	qsort(v, strv_len(v), sizeof(*v), cmp_base);
	*files = steal_ptr(v);
	return 0;
}

static int read_cmdline_setting(const struct vn_sys *sys, bool extended,
				struct vn_persist *p)
{
	_cleanup_strv_ char **words = NULL;
	const char *val;
	char text[256];
	bool v;

	if (vn_cmdline_read(sys, &words) < 0 ||
	    vn_cmdline_find(words, "vfio." VN_NOIOMMU_PARAM, &val) != 1)
		return 0;
	snprintf(text, sizeof(text), "vfio." VN_NOIOMMU_PARAM "%s%s",
		 val ? "=" : "", val ? val : "");
	if (vn_kstrtobool(val, extended, &v) < 0)
		return vn_persist_add(p, "/proc/cmdline", text, VN_UNKNOWN,
				      false);
	return vn_persist_add(p, "/proc/cmdline", text, v ? VN_YES : VN_NO,
			      false);
}

/* A built-in vfio: the setting this boot started with, and the next
 * boot's from the boot loader's files (only /proc/cmdline when there are
 * none: then it is all that is known). */
static int read_builtin(struct vn_sys *sys, bool cmdline, bool ext,
			struct vn_persist *p)
{
	struct vn_persist now = { 0 };
	const struct vn_setting *from;
	int r = 0;

	p->loader = vn_loader_detect(sys);
	p->booted = VN_UNKNOWN;
	if (cmdline) {
		r = read_cmdline_setting(sys, ext, &now);
		if (r == 0)
			p->booted = vn_persist_effective(&now, &from);
		vn_persist_clear(&now);
		if (r < 0)
			return r;
	}
	if (p->loader != VN_LOADER_NONE)
		return vn_bootcmd_read(sys, p->loader, ext, p);
	return cmdline ? read_cmdline_setting(sys, ext, p) : 0;
}

int vn_persist_read(struct vn_sys *sys, bool cmdline, struct vn_persist *p)
{
	_cleanup_strv_ char **files = NULL;
	_cleanup_free_ char *ours = NULL;
	enum vn_mod_state st;
	bool ext = vn_kstrtobool_extended(vn_sys_release(sys));
	int r;

	*p = (struct vn_persist){ .cmdline_read = cmdline };
	if (vn_module_state(sys, "vfio", &st) == 0)
		p->builtin = st == VN_MOD_BUILTIN;

	if (vn_read_text(sys, &ours, VN_MODPROBE_FILE) == 0) {
		p->ours_path = strdup(VN_MODPROBE_FILE);
		if (!p->ours_path) {
			r = -ENOMEM;
			goto fail;
		}
		p->ours_foreign = !vn_conf_is_ours(ours);
	}
	if (p->builtin) {
		if ((r = read_builtin(sys, cmdline, ext, p)) < 0)
			goto fail;
		return 0;
	}
	if ((r = vn_modprobe_files(sys, &files)) < 0)
		goto fail;
	for (size_t i = 0; files[i]; i++) {
		_cleanup_free_ char *text = NULL;

		if (vn_read_file(sys, &text, "%s", files[i]) < 0)
			continue;
		if ((r = vn_modprobe_parse(text, files[i], ext, p)) < 0)
			goto fail;
	}
	/* libkmod passes vfio.* from the kernel command line after the
	 * modprobe.d options, and the kernel lets the last one win: the
	 * command line wins (seen on Linux 7.3 with kmod 30; a built-in
	 * vfio sees the command line only). */
	if (cmdline && (r = read_cmdline_setting(sys, ext, p)) < 0)
		goto fail;
	return 0;
fail:
	vn_persist_clear(p);
	return r;
}

enum vn_tri vn_persist_effective(const struct vn_persist *p,
				 const struct vn_setting **from)
{
	*from = NULL;
	for (size_t i = p->n; i-- > 0;) {
		/* A value the kernel rejects leaves the previous one. */
		if (p->v[i].value == VN_UNKNOWN)
			continue;
		*from = &p->v[i];
		return p->v[i].value;
	}
	return VN_NO;
}

int vn_conf_with_header(const char *user, time_t when, const char *body,
			char **out)
{
	/* SUDO_USER is whatever the caller's environment says: a newline in
	 * it would start a line of its own (modprobe.d: "install vfio
	 * /bin/sh"; a GRUB drop-in: a shell line update-grub runs). */
	_cleanup_free_ char *who = vn_escape(user);
	char date[32];
	struct tm tm;

	if (!who)
		return -ENOMEM;
	gmtime_r(&when, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", &tm);
	return xasprintf(out, VN_CONF_MARKER " on %s for %s.\n%s", date, who,
			 body);
}

int vn_conf_render(const char *user, time_t when, char **out)
{
	return vn_conf_with_header(
		user, when,
		"# VFIO no-IOMMU mode: devices bound to vfio-pci without an IOMMU\n"
		"# get no DMA isolation, and each such bind taints the kernel (U).\n"
		"# 'vfio-noiommuctl noiommu off --persist' removes this file.\n"
		"options vfio " VN_NOIOMMU_PARAM "=1\n",
		out);
}

bool vn_conf_is_ours(const char *text)
{
	return startswith(text, VN_CONF_MARKER);
}

int vn_conf_write(const struct vn_sys *sys, const char *text)
{
	int r;

	/* An image being assembled may not have /etc yet. */
	if ((r = vn_mkdir(sys, "/etc/modprobe.d")) < 0)
		return r;
	return vn_replace_file(sys, text, "%s", VN_MODPROBE_FILE);
}

int vn_conf_remove(const struct vn_sys *sys)
{
	int r = vn_remove_file(sys, "%s", VN_MODPROBE_FILE);

	return r == -ENOENT ? 0 : r;
}

/* ---- now -------------------------------------------------------------------- */

int vn_noiommu_set(struct vn_sys *sys, bool on, char *now)
{
	_cleanup_(vn_kmod_module_unrefp) struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	bool declared = false, yes;
	int r;

	*now = 0;
	if (vn_exists(sys, "/sys/module/vfio/parameters/" VN_NOIOMMU_PARAM)) {
		r = vn_write_text(
			sys, on ? "1" : "0",
			"/sys/module/vfio/parameters/" VN_NOIOMMU_PARAM);
		if (r < 0)
			return r;
	} else if (vn_exists(sys, "/sys/module/vfio")) {
		/* Loaded or built in without it: CONFIG_VFIO_NOIOMMU=n. */
		return -EOPNOTSUPP;
	} else if (!on) {
		return 0; /* not loaded: the mode is off */
	} else {
		ctx = vn_kmod(sys);
		if (!ctx)
			return -ENOENT;
		r = vn_module_declares_param(sys, "vfio", VN_NOIOMMU_PARAM,
					     &declared);
		if (r < 0)
			return r == -ENOENT ? -ENOENT : r;
		if (!declared)
			return -EOPNOTSUPP;
		if ((r = kmod_module_new_from_name(ctx, "vfio", &mod)) < 0)
			return r;
		r = kmod_module_probe_insert_module(
			mod, 0, VN_NOIOMMU_PARAM "=1", NULL, NULL, NULL);
		if (r < 0)
			return r;
	}
	r = vn_module_param_bool(sys, "vfio", VN_NOIOMMU_PARAM, &yes);
	if (r < 0)
		return r;
	*now = yes ? 'Y' : 'N';
	return 0;
}

static bool file_mentions(const struct vn_sys *sys, const char *path,
			  const char *needle)
{
	_cleanup_free_ char *text = NULL;

	return vn_read_text(sys, &text, "%s", path) == 0 &&
	       strstr(text, needle);
}

int vn_initramfs_hint(const struct vn_sys *sys, char **listed_in,
		      const char **command)
{
	static const char *const lists[] = {
		"/etc/initramfs-tools/modules",
		"/etc/modules",
	};
	_cleanup_strv_ char **dracut = NULL;

	*listed_in = NULL;
	*command = NULL;
	if (vn_exists(sys, "/etc/initramfs-tools"))
		*command = "update-initramfs -u";
	else if (vn_exists(sys, "/etc/dracut.conf") ||
		 vn_exists(sys, "/etc/dracut.conf.d"))
		*command = "dracut -f";
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (file_mentions(sys, lists[i], "vfio")) {
			*listed_in = strdup(lists[i]);
			return *listed_in ? 1 : -ENOMEM;
		}
	if (vn_list_dir(sys, &dracut, "/etc/dracut.conf.d") == 0)
		for (size_t i = 0; dracut[i]; i++) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), "/etc/dracut.conf.d/%s",
				 dracut[i]);
			if (file_mentions(sys, path, "vfio")) {
				*listed_in = strdup(path);
				*command = "dracut -f";
				return *listed_in ? 1 : -ENOMEM;
			}
		}
	return 0;
}
