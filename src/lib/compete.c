// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Competing mechanisms: what else decides a device's driver. vfio-pci's
 * ids= adds dynamic IDs at load (drivers/vfio/pci/vfio_pci.c,
 * vfio_pci_fill_ids), so a device with one of them goes to vfio-pci
 * whenever vfio-pci loads first; a softdep or install line can make it
 * load first; driverctl re-applies saved overrides from udev; a
 * driver_override wins over every ID match (drivers/pci/pci-driver.c,
 * pci_match_device).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "compete.h"
#include "noiommu.h"
#include "sys.h"
#include "util.h"

static const char *const kind_names[] = {
	[VN_COMPETE_DRIVERCTL] = "driverctl",
	[VN_COMPETE_IDS_CMDLINE] = "cmdline-ids",
	[VN_COMPETE_IDS_MODPROBE] = "modprobe-ids",
	[VN_COMPETE_SOFTDEP] = "softdep",
	[VN_COMPETE_INSTALL] = "install",
	[VN_COMPETE_OVERRIDE] = "driver_override",
};

const char *vn_compete_kind_name(enum vn_compete_kind k)
{
	return (size_t)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "?";
}

void vn_competes_clear(struct vn_competes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].where);
		free(c->v[i].text);
	}
	free(c->v);
	*c = (struct vn_competes){ 0 };
}

static int add(struct vn_competes *c, enum vn_compete_kind kind,
	       const char *where, const char *text, const char *bdf,
	       bool to_vfio)
{
	struct vn_compete *n = realloc(c->v, (c->n + 1) * sizeof(*n)), *x;

	if (!n)
		return -ENOMEM;
	c->v = n;
	x = &c->v[c->n];
	*x = (struct vn_compete){ .kind = kind, .to_vfio = to_vfio };
	snprintf(x->bdf, sizeof(x->bdf), "%s", bdf ? bdf : "");
	/* gcc 12 loses what is stored into the realloc()ed array; the
	 * caller's clear function frees it. */
	VN_ANALYZER_FP_BEGIN("-Wanalyzer-malloc-leak")
	x->where = strdup(where);
	x->text = strdup(text);
	if (!x->where || !x->text) {
		free(x->where);
		free(x->text);
		return -ENOMEM;
	}
	VN_ANALYZER_FP_END
	c->n++;
	return 0;
}

/* One "VVVV:DDDD[:SVVV:SDDD[:CLASS:MASK]]" of ids=, hex, ffffffff any. */
static bool id_match(const char *one, const struct vn_dev *d)
{
	unsigned int v[6] = { 0, 0, ~0u, ~0u, 0, 0 };
	int n = sscanf(one, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3],
		       &v[4], &v[5]);

	if (n < 2)
		return false;
	return (v[0] == ~0u || v[0] == d->vendor) &&
	       (v[1] == ~0u || v[1] == d->device) &&
	       (v[2] == ~0u || v[2] == d->subvendor) &&
	       (v[3] == ~0u || v[3] == d->subdevice) &&
	       ((d->class_code ^ v[4]) & v[5]) == 0;
}

bool vn_ids_param_match(const char *value, const struct vn_dev *dev)
{
	_cleanup_free_ char *copy = strdup(value ? value : "");
	char *save = NULL, *one;

	for (char *it = copy; copy && (one = strtok_r(it, ",", &save));
	     it = NULL)
		if (id_match(one, dev))
			return true;
	return false;
}

static int ids_devices(struct vn_competes *c, enum vn_compete_kind kind,
		       const char *where, const char *text, const char *value,
		       const struct vn_dev_list *devs)
{
	int r;

	for (size_t i = 0; i < devs->n; i++)
		if (vn_ids_param_match(value, devs->devs[i]) &&
		    (r = add(c, kind, where, text, devs->devs[i]->bdf, true)) <
			    0)
			return r;
	return 0;
}

static int scan_cmdline(struct vn_sys *sys, const struct vn_dev_list *devs,
			struct vn_competes *c)
{
	_cleanup_strv_ char **words = NULL;
	const char *val;
	char text[512];

	if (vn_cmdline_read(sys, &words) < 0 ||
	    vn_cmdline_find(words, "vfio_pci.ids", &val) != 1 || !val)
		return 0;
	snprintf(text, sizeof(text), "vfio-pci.ids=%s", val);
	return ids_devices(c, VN_COMPETE_IDS_CMDLINE, "/proc/cmdline", text,
			   val, devs);
}

static bool is_vfio_pci(const char *name)
{
	return name && strlen(name) == 8 &&
	       vn_param_name_eq(name, "vfio_pci", 8);
}

/* Devices a module drives now (a softdep or install line's subject). */
static int module_devices(struct vn_competes *c, enum vn_compete_kind kind,
			  const char *where, const char *text,
			  const char *module, const struct vn_dev_list *devs)
{
	size_t before = c->n;
	int r;

	for (size_t i = 0; i < devs->n; i++) {
		const char *drv = devs->devs[i]->driver;

		if (drv && strlen(drv) == strlen(module) &&
		    vn_param_name_eq(drv, module, strlen(module)) &&
		    (r = add(c, kind, where, text, devs->devs[i]->bdf, true)) <
			    0)
			return r;
	}
	return c->n == before ? add(c, kind, where, text, NULL, true) : 0;
}

/* One modprobe.d line (continuations joined, comment cut). */
static int scan_modprobe_line(char *line, const char *where,
			      const struct vn_dev_list *devs,
			      struct vn_competes *c)
{
	_cleanup_free_ char *text = strdup(line);
	char *save = NULL, *cmd = strtok_r(line, " \t", &save);
	char *mod = cmd ? strtok_r(NULL, " \t", &save) : NULL, *w;
	bool loads = false;
	int r;

	if (!text)
		return -ENOMEM;
	if (!mod)
		return 0; // cppcheck-suppress memleak ; text is _cleanup_free_

	while ((w = strtok_r(NULL, " \t", &save))) {
		if (streq(cmd, "options") && is_vfio_pci(mod) &&
		    !strncmp(w, "ids=", 4) &&
		    (r = ids_devices(c, VN_COMPETE_IDS_MODPROBE, where, text,
				     w + 4, devs)) < 0)
			return r;
		loads |= is_vfio_pci(w) ||
			 (streq(cmd, "install") &&
			  (strstr(w, "vfio-pci") || strstr(w, "vfio_pci")));
	}
	if (!loads || is_vfio_pci(mod))
		return 0;
	if (streq(cmd, "softdep"))
		return module_devices(c, VN_COMPETE_SOFTDEP, where, text, mod,
				      devs);
	if (streq(cmd, "install"))
		return module_devices(c, VN_COMPETE_INSTALL, where, text, mod,
				      devs);
	return 0;
}

static int scan_modprobe_file(struct vn_sys *sys, const char *file,
			      const struct vn_dev_list *devs,
			      struct vn_competes *c)
{
	_cleanup_free_ char *raw = NULL, *joined = NULL;
	char *line, *save = NULL;
	int r;

	if (vn_read_text(sys, &raw, "%s", file) < 0)
		return 0;
	if ((r = vn_modprobe_join(raw, &joined)) < 0)
		return r;
	for (char *it = joined; (line = strtok_r(it, "\n", &save)); it = NULL) {
		char *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		if ((r = scan_modprobe_line(line, file, devs, c)) < 0)
			return r;
	}
	return 0;
}

static int scan_modprobe(struct vn_sys *sys, const struct vn_dev_list *devs,
			 struct vn_competes *c)
{
	_cleanup_strv_ char **files = NULL;
	int r = vn_modprobe_files(sys, &files);

	for (size_t i = 0; r >= 0 && files && files[i]; i++)
		r = scan_modprobe_file(sys, files[i], devs, c);
	return r < 0 && r != -ENOENT ? r : 0;
}

/* driverctl saves "DRIVER" in /etc/driverctl.d/pci-BDF and sets it again
 * as the device appears (its udev rule). */
static int scan_driverctl(struct vn_sys *sys, const struct vn_dev_list *devs,
			  struct vn_competes *c)
{
	_cleanup_strv_ char **names = NULL;

	if (vn_list_dir(sys, &names, VN_DRIVERCTL_DIR) < 0)
		return 0;
	for (size_t i = 0; names[i]; i++) {
		_cleanup_free_ char *drv = NULL, *where = NULL;
		const char *bdf = names[i] + 4;
		bool present = false;

		if (strncmp(names[i], "pci-", 4) != 0 ||
		    vn_read_text(sys, &drv, VN_DRIVERCTL_DIR "/%s", names[i]) <
			    0)
			continue;
		for (size_t k = 0; k < devs->n; k++)
			present |= streq(devs->devs[k]->bdf, bdf);
		if (!present)
			continue;
		if (xasprintf(&where, VN_DRIVERCTL_DIR "/%s", names[i]) < 0 ||
		    add(c, VN_COMPETE_DRIVERCTL, where, drv, bdf,
			is_vfio_pci(drv)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* A driver_override on a device without our journal record: someone
 * else's (ours is restored on unbind, and recorded). */
static int scan_overrides(const struct vn_dev_list *devs, char *const *recs,
			  struct vn_competes *c)
{
	int r;

	for (size_t i = 0; i < devs->n; i++) {
		const struct vn_dev *d = devs->devs[i];
		_cleanup_free_ char *where = NULL;

		if (!d->driver_override || strv_contains(recs, d->bdf))
			continue;
		if (xasprintf(&where, "/sys/bus/pci/devices/%s/driver_override",
			      d->bdf) < 0)
			return -ENOMEM;
		if ((r = add(c, VN_COMPETE_OVERRIDE, where, d->driver_override,
			     d->bdf, is_vfio_pci(d->driver_override))) < 0)
			return r;
	}
	return 0;
}

int vn_compete_scan(struct vn_sys *sys, const struct vn_dev_list *devs,
		    char *const *journal, struct vn_competes *out)
{
	int r;

	*out = (struct vn_competes){ 0 };
	if ((r = scan_driverctl(sys, devs, out)) < 0 ||
	    (r = scan_cmdline(sys, devs, out)) < 0 ||
	    (r = scan_modprobe(sys, devs, out)) < 0 ||
	    (r = scan_overrides(devs, journal, out)) < 0)
		vn_competes_clear(out);
	return r;
}
