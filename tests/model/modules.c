// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Modules in the model, and `vnmodel-ctl TREE init`, which adds to a
 * recorded tree what the recording leaves out (the drivers' bind and unbind
 * attributes and device links, the bus's drivers_probe) and writes the
 * model's side files: the kernel's configuration (world), the IDs each host
 * driver binds (ids) and the module list (modules).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"

#define VFIO_PCI "vfio-pci"
#define NOIOMMU_PARAM "enable_unsafe_noiommu_mode"

/* ---- the module list: .model/modules, "NAME STATE DRIVER|-" ------------- */

static void norm(char *dst, size_t size, const char *name)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < size; i++)
		dst[i] = name[i] == '-' ? '_' : name[i];
	dst[i] = '\0';
}

static const char *const state_names[] = {
	[VM_MOD_UNKNOWN] = "unknown",
	[VM_MOD_AVAILABLE] = "available",
	[VM_MOD_LOADED] = "loaded",
	[VM_MOD_BUILTIN] = "builtin",
};

/* Find NAME's line; fills state and driver. */
static bool module_find(const char *name, enum vm_mod_state *st, char *drv,
			size_t dsize)
{
	char *text = NULL, *line, *save = NULL, want[64];
	bool found = false;

	norm(want, sizeof(want), name);
	if (vm_read(&text, VM_SIDE "/modules") < 0)
		return false;
	for (line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char n[64], s[16], d[64];

		if (sscanf(line, "%63s %15s %63s", n, s, d) != 3 ||
		    strcmp(n, want) != 0)
			continue;
		found = true;
		*st = VM_MOD_UNKNOWN;
		for (size_t i = 0; i < 4; i++)
			if (!strcmp(s, state_names[i]))
				*st = (enum vm_mod_state)i;
		snprintf(drv, dsize, "%s", strcmp(d, "-") ? d : "");
	}
	free(text);
	return found;
}

static int module_set(const char *name, enum vm_mod_state st, const char *drv)
{
	char *text = NULL, *line, *save = NULL, want[64], *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int r;

	if (!f)
		return -ENOMEM;
	norm(want, sizeof(want), name);
	if (vm_read(&text, VM_SIDE "/modules") == 0)
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char n[64];

			if (sscanf(line, "%63s", n) == 1 && !strcmp(n, want))
				continue;
			fprintf(f, "%s\n", line);
		}
	fprintf(f, "%s %s %s\n", want, state_names[st],
		drv && *drv ? drv : "-");
	fclose(f);
	free(text);
	r = vm_write(out, VM_SIDE "/modules");
	free(out);
	return r;
}

enum vm_mod_state vm_module_state(const char *name)
{
	enum vm_mod_state st;
	char drv[64], n[64];

	if (module_find(name, &st, drv, sizeof(drv)))
		return st;
	norm(n, sizeof(n), name);
	if (vm_exists("/sys/module/%s/initstate", n))
		return VM_MOD_LOADED;
	return vm_exists("/sys/module/%s", n) ? VM_MOD_BUILTIN : VM_MOD_UNKNOWN;
}

/* ---- options -------------------------------------------------------------- */

static void options_from(char **opts, const char *text, const char *want)
{
	char *copy = strdup(text), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); copy && line;
	     line = strtok_r(NULL, "\n", &save)) {
		char kw[16], mod[64], n[64];
		int off = 0;

		if (sscanf(line, " %15s %63s %n", kw, mod, &off) < 2 ||
		    strcmp(kw, "options") != 0)
			continue;
		norm(n, sizeof(n), mod);
		if (strcmp(n, want) != 0 || !line[off])
			continue;
		char *joined = NULL;

		if (asprintf(&joined, "%s%s%s", *opts ? *opts : "",
			     *opts ? " " : "", line + off) >= 0) {
			free(*opts);
			*opts = joined;
		}
	}
	free(copy);
}

char *vm_module_options(const char *name)
{
	/* libkmod reads these in this order of precedence (libkmod-config.c
	 * default_config_paths), then the kernel command line. */
	static const char *const dirs[] = {
		"/etc/modprobe.d",	     "/run/modprobe.d",
		"/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
		"/lib/modprobe.d",
	};
	char want[64], *opts = NULL, *cmdline = NULL, *tok, *save = NULL;

	norm(want, sizeof(want), name);
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		char **files = NULL;

		if (vm_list(&files, "%s", dirs[d]) < 0)
			continue;
		for (size_t i = 0; files[i]; i++) {
			char *text = NULL;
			size_t n = strlen(files[i]);

			if (n < 5 || strcmp(files[i] + n - 5, ".conf") != 0 ||
			    vm_read(&text, "%s/%s", dirs[d], files[i]) < 0)
				continue;
			options_from(&opts, text, want);
			free(text);
		}
		vm_strv_free(files);
	}
	if (vm_read(&cmdline, "/proc/cmdline") == 0)
		for (tok = strtok_r(cmdline, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			char *dot = strchr(tok, '.'), m[64], *joined = NULL;

			if (!dot || !strchr(dot, '='))
				continue;
			snprintf(m, sizeof(m), "%.*s", (int)(dot - tok), tok);
			norm(m, sizeof(m), m);
			if (strcmp(m, want) != 0)
				continue;
			if (asprintf(&joined, "%s%s%s", opts ? opts : "",
				     opts ? " " : "", dot + 1) >= 0) {
				free(opts);
				opts = joined;
			}
		}
	free(cmdline);
	return opts;
}

/* The last "param=value" for param in a space-separated option string. */
static bool option_value(const char *opts, const char *param, char *val,
			 size_t size)
{
	size_t n = strlen(param);
	bool found = false;

	for (const char *p = opts; p && *p;) {
		const char *end = strchrnul(p, ' ');

		if (!strncmp(p, param, n) && p[n] == '=') {
			snprintf(val, size, "%.*s", (int)(end - p - n - 1),
				 p + n + 1);
			found = true;
		} else if (!strncmp(p, param, n) && (p[n] == ' ' || !p[n])) {
			snprintf(val, size, "1"); /* bare: "set" */
			found = true;
		}
		p = *end ? end + 1 : end;
	}
	return found;
}

/* ---- loading ----------------------------------------------------------------- */

static int driver_dir(const char *drv)
{
	static const char *const attrs[] = { "bind", "unbind", "new_id",
					     "remove_id", "uevent" };

	if (vm_mkdir_p("/sys/bus/pci/drivers/%s", drv) < 0)
		return -EIO;
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (!vm_exists("/sys/bus/pci/drivers/%s/%s", drv, attrs[i]))
			vm_write("", "/sys/bus/pci/drivers/%s/%s", drv,
				 attrs[i]);
	return 0;
}

/* drivers/base/dd.c driver_attach: a driver that registers binds every
 * device without a driver that it matches (probe errors are ignored). */
static void driver_attach(const char *drv)
{
	char **bdfs = NULL;

	if (vm_list(&bdfs, "/sys/bus/pci/devices") < 0)
		return;
	for (size_t i = 0; bdfs[i]; i++) {
		char cur[64];

		if (vm_link_base(cur, sizeof(cur),
				 "/sys/bus/pci/devices/%s/driver",
				 bdfs[i]) < 0 ||
		    cur[0])
			continue;
		vm_store_bind(drv, bdfs[i], strlen(bdfs[i]));
	}
	vm_strv_free(bdfs);
}

static void vfio_core_appears(const char *opts)
{
	struct vm_world w;
	char val[16] = "N";
	bool on = false;

	vm_world(&w);
	vm_mkdir_p("/sys/class/vfio-dev");
	if (w.group_major >= 0)
		vm_mkdir_p("/sys/class/vfio");
	if (!w.noiommu_config)
		return;
	if (option_value(opts, NOIOMMU_PARAM, val, sizeof(val)))
		on = strchr("yYtTeE1", val[0]) ||
		     ((val[0] == 'o' || val[0] == 'O') &&
		      (val[1] == 'n' || val[1] == 'N'));
	vm_mkdir_p("/sys/module/vfio/parameters");
	vm_write(on ? "Y\n" : "N\n",
		 "/sys/module/vfio/parameters/" NOIOMMU_PARAM);
}

static const char *const vfio_pci_deps[] = { "vfio", "vfio_pci_core", NULL };
static const char *const vfio_pci_core_deps[] = { "vfio", NULL };
static const char *const vfio_deps[] = { "iommufd", NULL };

static const char *const *deps_of(const char *name)
{
	if (!strcmp(name, "vfio_pci"))
		return vfio_pci_deps;
	if (!strcmp(name, "vfio_pci_core"))
		return vfio_pci_core_deps;
	if (!strcmp(name, "vfio"))
		return vfio_deps;
	return NULL;
}

int vm_module_load(const char *name, const char *options)
{
	enum vm_mod_state st = VM_MOD_UNKNOWN;
	char n[64], drv[64] = "", *opts, *all = NULL;
	const char *const *deps;
	int r;

	norm(n, sizeof(n), name);
	if (!module_find(n, &st, drv, sizeof(drv)))
		st = vm_module_state(n);
	if (st == VM_MOD_LOADED || st == VM_MOD_BUILTIN)
		return 0;
	if (st != VM_MOD_AVAILABLE)
		return -ENOENT; /* libkmod: no such module in modules.dep */
	deps = deps_of(n);
	for (size_t i = 0; deps && deps[i]; i++)
		if (vm_module_state(deps[i]) == VM_MOD_AVAILABLE &&
		    (r = vm_module_load(deps[i], NULL)) < 0)
			return r;
	/* modprobe.d and the command line first, the caller's last (the
	 * kernel keeps the last value of a parameter given twice). */
	opts = vm_module_options(n);
	if (asprintf(&all, "%s%s%s", opts ? opts : "",
		     opts && options ? " " : "", options ? options : "") < 0)
		all = NULL;
	free(opts);
	vm_mkdir_p("/sys/module/%s", n);
	vm_write("live\n", "/sys/module/%s/initstate", n);
	if (!strcmp(n, "vfio"))
		vfio_core_appears(all);
	free(all);
	module_set(n, VM_MOD_LOADED, drv);
	if (drv[0]) {
		if ((r = driver_dir(drv)) < 0)
			return r;
		driver_attach(drv);
	}
	return 0;
}

/* rmmod: the driver lets its devices go (driver_unregister), its
 * directory and /sys/module entry disappear. A built-in host driver is
 * treated as if it were a module. */
int vm_module_unload(const char *name)
{
	enum vm_mod_state st = VM_MOD_UNKNOWN;
	char n[64], drv[64] = "", **bound = NULL;

	norm(n, sizeof(n), name);
	if (!module_find(n, &st, drv, sizeof(drv)))
		return -ENOENT;
	if (drv[0] && vm_list(&bound, "/sys/bus/pci/drivers/%s", drv) == 0) {
		for (size_t i = 0; bound[i]; i++) {
			unsigned int a, b, c, d;

			if (sscanf(bound[i], "%x:%x:%x.%x", &a, &b, &c, &d) ==
			    4)
				vm_ctl_unbind(bound[i]);
		}
		vm_strv_free(bound);
		vm_rm_rf("/sys/bus/pci/drivers/%s", drv);
	}
	vm_rm_rf("/sys/module/%s", n);
	return module_set(n, VM_MOD_AVAILABLE, drv);
}

/* Every module (.model/modules: "NAME STATE DRIVER") whose driver's ID
 * table holds the alias's IDs. */
int vm_alias_modules(const char *alias, char ***out)
{
	char *text = NULL, *line, *save = NULL;
	unsigned long ven, dev;
	size_t n = 0;

	*out = calloc(1, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	if (sscanf(alias, "pci:v%8lXd%8lX", &ven, &dev) != 2 ||
	    vm_read(&text, VM_SIDE "/modules") < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char mod[64], s[16], d[64];
		char **nv;

		if (sscanf(line, "%63s %15s %63s", mod, s, d) != 3 ||
		    !vm_ids_match(d, ven, dev))
			continue;
		nv = realloc(*out, (n + 2) * sizeof(char *));
		if (!nv)
			break;
		*out = nv;
		nv[n++] = strdup(mod);
		nv[n] = NULL;
	}
	free(text);
	return 0;
}

/* ---- init ------------------------------------------------------------------------ */

static int proc_major(const char *devices, const char *want)
{
	bool chr = false;
	char *copy = strdup(devices), *line, *save = NULL;
	int major = -1;

	for (line = strtok_r(copy, "\n", &save); copy && line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		int m;

		if (!strcmp(line, "Character devices:"))
			chr = true;
		else if (!strncmp(line, "Block devices:", 14))
			chr = false;
		else if (chr && sscanf(line, "%d %63s", &m, name) == 2 &&
			 !strcmp(name, want))
			major = m;
	}
	free(copy);
	return major;
}

static int config_sym(const char *config, const char *sym)
{
	char key[96];
	const char *p;

	if (!config)
		return -1;
	snprintf(key, sizeof(key), "CONFIG_%s=", sym);
	p = strstr(config, key);
	if (!p) {
		snprintf(key, sizeof(key), "# CONFIG_%s is not set", sym);
		return strstr(config, key) ? 'n' : -1;
	}
	return p[strlen(key)];
}

static bool release_at_least(const char *rel, int maj, int min)
{
	int a = 0, b = 0;

	sscanf(rel, "%d.%d", &a, &b);
	return a > maj || (a == maj && b >= min);
}

/* The kernel's configuration as the tree shows it: its character regions
 * (drivers/vfio/group.c and device_cdev.c allocate "vfio" and
 * "vfio-dev"), and the build configuration where it was recorded. */
static int init_world(void)
{
	char rel[64] = "", *devices = NULL, *config = NULL, *text = NULL;
	int group, cdev, nc, ic;
	bool noiommu, ifd;
	int r;

	vm_read_line(rel, sizeof(rel), "/proc/sys/kernel/osrelease");
	vm_read(&devices, "/proc/devices");
	vm_read(&config, "/boot/config-%s", rel);
	group = devices ? proc_major(devices, "vfio") : -1;
	cdev = devices ? proc_major(devices, "vfio-dev") : -1;
	nc = config_sym(config, "VFIO_NOIOMMU");
	ic = config_sym(config, "IOMMUFD_NOIOMMU");
	noiommu =
		nc >= 0 ?
			nc == 'y' :
			vm_exists("/sys/module/vfio/parameters/" NOIOMMU_PARAM);
	/* drivers/iommu/iommufd/Kconfig: selected by VFIO_NOIOMMU with
	 * VFIO_DEVICE_CDEV (Linux 7.3 and later). */
	ifd = ic >= 0 ? ic == 'y' :
			noiommu && cdev >= 0 && release_at_least(rel, 7, 3);
	r = asprintf(&text,
		     "release=%s\ngroup_major=%d\ncdev_major=%d\n"
		     "noiommu_config=%d\niommufd_noiommu=%d\n",
		     rel, group, cdev, noiommu, ifd);
	free(devices);
	free(config);
	if (r < 0)
		return -ENOMEM;
	r = vm_write(text, VM_SIDE "/world");
	free(text);
	return r;
}

/* Each bound device: its driver's ID, its link in the driver's directory. */
static int init_devices(void)
{
	char **bdfs = NULL;

	if (vm_list(&bdfs, "/sys/bus/pci/devices") < 0)
		return 0;
	for (size_t i = 0; bdfs[i]; i++) {
		char drv[64], ven[16] = "", dev[16] = "", line[128],
			      dir[PATH_MAX];
		char at[PATH_MAX], link[PATH_MAX];

		if (vm_link_base(drv, sizeof(drv),
				 "/sys/bus/pci/devices/%s/driver",
				 bdfs[i]) < 0 ||
		    !drv[0])
			continue;
		snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s",
			 bdfs[i]);
		if (vm_link_resolve(dir, sizeof(dir), link) == 0) {
			snprintf(at, sizeof(at), "/sys/bus/pci/drivers/%s/%s",
				 drv, bdfs[i]);
			vm_mkdir_p("/sys/bus/pci/drivers/%s", drv);
			vm_link(at, dir);
		}
		if (!strcmp(drv, VFIO_PCI))
			continue;
		vm_read_line(ven, sizeof(ven), "/sys/bus/pci/devices/%s/vendor",
			     bdfs[i]);
		vm_read_line(dev, sizeof(dev), "/sys/bus/pci/devices/%s/device",
			     bdfs[i]);
		snprintf(line, sizeof(line), "%s %s %s\n", drv, ven, dev);
		vm_append(line, VM_SIDE "/ids");
	}
	vm_strv_free(bdfs);
	return 0;
}

/* A modules.dep where the tool looks for one (kmod.c answers what the tool
 * asks libkmod; the tool only checks that the file exists). */
static void write_modules_dep(const char *rel)
{
	char *text = NULL, *line, *save = NULL, *dep = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&dep, &len);

	if (!f)
		return;
	if (vm_read(&text, VM_SIDE "/modules") == 0)
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char n[64], s[16];

			if (sscanf(line, "%63s %15s", n, s) == 2 &&
			    strcmp(s, "builtin") != 0)
				fprintf(f, "kernel/%s.ko:\n", n);
		}
	free(text);
	fclose(f);
	vm_mkdir_p("/lib/modules/%s", rel);
	vm_write(dep ? dep : "", "/lib/modules/%s/modules.dep", rel);
	free(dep);
}

static void init_modules(void)
{
	static const struct {
		const char *name, *sym, *drv;
	} vfio[] = {
		{ "vfio", "VFIO", "-" },
		{ "vfio_pci_core", "VFIO_PCI_CORE", "-" },
		{ "vfio_pci", "VFIO_PCI", VFIO_PCI },
		{ "vfio_iommu_type1", "VFIO_IOMMU_TYPE1", "-" },
		{ "iommufd", "IOMMUFD", "-" },
	};
	char rel[64] = "", *config = NULL, **mods = NULL, **drvs = NULL;

	vm_read_line(rel, sizeof(rel), "/proc/sys/kernel/osrelease");
	vm_read(&config, "/boot/config-%s", rel);
	vm_write("", VM_SIDE "/modules");
	if (vm_list(&mods, "/sys/module") == 0)
		for (size_t i = 0; mods[i]; i++)
			module_set(mods[i],
				   vm_exists("/sys/module/%s/initstate",
					     mods[i]) ?
					   VM_MOD_LOADED :
					   VM_MOD_BUILTIN,
				   NULL);
	vm_strv_free(mods);
	for (size_t i = 0; i < sizeof(vfio) / sizeof(vfio[0]); i++) {
		enum vm_mod_state st = vm_module_state(vfio[i].name);

		if (st == VM_MOD_UNKNOWN &&
		    config_sym(config, vfio[i].sym) == 'm')
			st = VM_MOD_AVAILABLE;
		if (st != VM_MOD_UNKNOWN)
			module_set(vfio[i].name, st, vfio[i].drv);
	}
	/* Host drivers without a /sys/module entry are built in. */
	if (vm_list(&drvs, "/sys/bus/pci/drivers") == 0)
		for (size_t i = 0; drvs[i]; i++) {
			enum vm_mod_state st = vm_module_state(drvs[i]);

			if (!strcmp(drvs[i], VFIO_PCI))
				continue;
			module_set(drvs[i],
				   st == VM_MOD_UNKNOWN ? VM_MOD_BUILTIN : st,
				   drvs[i]);
		}
	vm_strv_free(drvs);
	write_modules_dep(rel);
	free(config);
}

int vm_init(void)
{
	char **drvs = NULL;
	int r;

	if ((r = vm_mkdir_p(VM_SIDE "/stash")) < 0 || (r = init_world()) < 0)
		return r;
	vm_write("", VM_SIDE "/ids");
	vm_write("0\n", VM_SIDE "/counter");
	vm_write("", VM_SIDE "/log");
	if ((r = init_devices()) < 0)
		return r;
	if (vm_list(&drvs, "/sys/bus/pci/drivers") == 0)
		for (size_t i = 0; drvs[i]; i++)
			driver_dir(drvs[i]);
	vm_strv_free(drvs);
	vm_write("", "/sys/bus/pci/drivers_probe");
	vm_write("1\n", "/sys/bus/pci/drivers_autoprobe");
	vm_write("", "/sys/bus/pci/rescan");
	init_modules();
	vm_mkdir_p("/run");
	if (!vm_exists("/proc/sys/kernel/tainted"))
		vm_write("0\n", "/proc/sys/kernel/tainted");
	if (!vm_exists("/dev/kmsg"))
		vm_write("", "/dev/kmsg");
	return 0;
}
