// SPDX-License-Identifier: GPL-2.0-or-later
#include <libkmod.h>
#include <syslog.h>

#include "kmod.h"
#include "sys.h"

const char *vn_mod_state_str(enum vn_mod_state s)
{
	switch (s) {
	case VN_MOD_LOADED:
		return "loaded";
	case VN_MOD_BUILTIN:
		return "built-in";
	case VN_MOD_AVAILABLE:
		return "available";
	case VN_MOD_ABSENT:
		break;
	}
	return "absent";
}

const char *const vn_modprobe_dirs[VN_MODPROBE_NDIRS] = {
	"/etc/modprobe.d",     "/run/modprobe.d", "/usr/local/lib/modprobe.d",
	"/usr/lib/modprobe.d", "/lib/modprobe.d",
};

/* The release's module directory, looked up once per run. */
static const char *modules_dir(struct vn_sys *sys)
{
	const char *rel = vn_sys_release(sys);
	char buf[PATH_MAX];
	int r;

	if (sys->modules_dir || sys->modules_dir_tried)
		return sys->modules_dir;
	sys->modules_dir_tried = true;
	if (!rel)
		return NULL;
	/* Merged-/usr systems have both; older ones only /lib/modules. */
	if (vn_exists(sys, "/lib/modules/%s/modules.dep", rel))
		r = vn_path(sys, buf, sizeof(buf), "/lib/modules/%s", rel);
	else if (vn_exists(sys, "/usr/lib/modules/%s/modules.dep", rel))
		r = vn_path(sys, buf, sizeof(buf), "/usr/lib/modules/%s", rel);
	else
		return NULL;
	if (r >= 0)
		sys->modules_dir = strdup(buf);
	return sys->modules_dir;
}

static void kmod_log(void *data, int priority, const char *file, int line,
		     const char *fn, const char *format, va_list args)
{
	const struct vn_sys *sys = data;

	(void)file;
	(void)line;
	(void)fn;
	/* libkmod's messages end in a newline of their own. */
	if (sys->log_fn)
		sys->log_fn(sys->log_data,
			    priority <= LOG_INFO ? VN_LOG_WRITE : VN_LOG_READ,
			    format, args);
}

/* libkmod's own messages go through the library's log: errors and
 * information with -v, debugging with -vv; none without. */
static void set_log(struct vn_sys *sys)
{
	kmod_set_log_priority(sys->kmod, !sys->log_fn ? 0 :
					 sys->log_level >= VN_LOG_READ ?
							LOG_DEBUG :
							LOG_INFO);
	kmod_set_log_fn(sys->kmod, kmod_log, sys);
}

struct kmod_ctx *vn_kmod(struct vn_sys *sys)
{
	const char *dir;
	char conf[VN_MODPROBE_NDIRS][PATH_MAX];
	const char *confv[VN_MODPROBE_NDIRS + 1] = { NULL };

	if (sys->kmod || sys->kmod_tried)
		return sys->kmod;
	sys->kmod_tried = true;
	if (!(dir = modules_dir(sys)))
		return NULL;
	if (!vn_sys_is_host(sys)) {
		for (size_t i = 0; i < VN_MODPROBE_NDIRS; i++) {
			if (vn_path(sys, conf[i], sizeof(conf[i]), "%s",
				    vn_modprobe_dirs[i]) < 0)
				return NULL;
			confv[i] = conf[i];
		}
	}
	sys->kmod = kmod_new(dir, vn_sys_is_host(sys) ? NULL : confv);
	if (sys->kmod)
		set_log(sys);
	return sys->kmod;
}

/* Without creating libkmod's context: kmod_new() reads every modprobe.d
 * file and /proc/cmdline (libkmod-config.c, kmod_config_new), which a
 * run whose modules are all loaded never needs (`status`: a third of
 * its system calls beyond start-up; BENCHMARKS.md). */
bool vn_modules_dir_found(struct vn_sys *sys)
{
	return modules_dir(sys) != NULL;
}

void vn_kmod_module_unrefp(struct kmod_module **m)
{
	if (*m)
		kmod_module_unref(*m);
}

int vn_module_state(struct vn_sys *sys, const char *name,
		    enum vn_mod_state *state)
{
	_cleanup_(vn_kmod_module_unrefp) struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;

	/* /sys/module/NAME/initstate exists only for loadable modules. */
	if (vn_exists(sys, "/sys/module/%s/initstate", name)) {
		*state = VN_MOD_LOADED;
		return 0;
	}
	if (vn_exists(sys, "/sys/module/%s", name)) {
		*state = VN_MOD_BUILTIN;
		return 0;
	}
	*state = VN_MOD_ABSENT;
	ctx = vn_kmod(sys);
	if (!ctx)
		return 0;
	if (kmod_module_new_from_name(ctx, name, &mod) < 0)
		return -ENOMEM;
	/* The built-in check reads modules.builtin from our context's
	 * directory before libkmod would look at the host's /sys/module. */
	if (kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN)
		*state = VN_MOD_BUILTIN;
	else if (kmod_module_get_path(mod))
		*state = VN_MOD_AVAILABLE;
	return 0;
}

int vn_module_declares_param(struct vn_sys *sys, const char *module,
			     const char *param, bool *declared)
{
	_cleanup_(vn_kmod_module_unrefp) struct kmod_module *mod = NULL;
	struct kmod_list *info = NULL, *l;
	struct kmod_ctx *ctx = vn_kmod(sys);
	size_t plen = strlen(param);
	int r;

	if (!ctx)
		return -ENOENT;
	if (kmod_module_new_from_name(ctx, module, &mod) < 0)
		return -ENOMEM;
	r = kmod_module_get_info(mod, &info);
	if (r < 0)
		return r == -ENOENT ? -ENOENT : r;
	if (r == 0) {
		kmod_module_info_free_list(info);
		return -ENOENT;
	}
	*declared = false;
	kmod_list_foreach(l, info) {
		const char *key = kmod_module_info_get_key(l);
		const char *val = kmod_module_info_get_value(l);

		if (streq(key, "parm") && val && !strncmp(val, param, plen) &&
		    val[plen] == ':')
			*declared = true;
	}
	kmod_module_info_free_list(info);
	return 0;
}

int vn_module_param_read(const struct vn_sys *sys, const char *module,
			 const char *param, char **value)
{
	return vn_read_text(sys, value, "/sys/module/%s/parameters/%s", module,
			    param);
}

bool vn_module_known(struct vn_sys *sys, const char *name)
{
	enum vn_mod_state st;
	char norm[64];
	size_t i;

	/* Driver names use '-', module names '_' (vfio-pci, vfio_pci). */
	for (i = 0; name[i] && i + 1 < sizeof(norm); i++)
		norm[i] = (char)(name[i] == '-' ? '_' : name[i]);
	norm[i] = '\0';
	return vn_module_state(sys, norm, &st) == 0 && st != VN_MOD_ABSENT;
}

static void kmod_list_unrefp(struct kmod_list **l)
{
	if (*l)
		kmod_module_unref_list(*l);
}

/* Add the module of this alias match unless it is loaded or built in. */
static int add_unloaded(struct vn_sys *sys, struct kmod_list *entry,
			char ***out)
{
	_cleanup_(vn_kmod_module_unrefp) struct kmod_module *mod =
		kmod_module_get_module(entry);
	enum vn_mod_state st;
	const char *name;
	int r;

	if (!mod || !(name = kmod_module_get_name(mod)))
		return -ENOMEM;
	if ((r = vn_module_state(sys, name, &st)) < 0)
		return r;
	if (st == VN_MOD_LOADED || st == VN_MOD_BUILTIN ||
	    strv_contains(*out, name))
		return 0;
	return strv_push(out, strdup(name));
}

int vn_modalias_modules(struct vn_sys *sys, const char *bdf, char ***out)
{
	_cleanup_(kmod_list_unrefp) struct kmod_list *all = NULL;
	_cleanup_(kmod_list_unrefp) struct kmod_list *allowed = NULL;
	_cleanup_free_ char *alias = NULL;
	struct kmod_ctx *ctx = vn_kmod(sys);
	struct kmod_list *l;
	int r;

	if (!(*out = strv_new()))
		return -ENOMEM;
	r = vn_read_text(sys, &alias, "/sys/bus/pci/devices/%s/modalias", bdf);
	if (r == -ENOENT || !ctx)
		return 0;
	if (r < 0 || (r = kmod_module_new_from_lookup(ctx, alias, &all)) < 0 ||
	    (r = kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, all,
					  &allowed)) < 0)
		goto fail;
	kmod_list_foreach(l, allowed) {
		if ((r = add_unloaded(sys, l, out)) < 0)
			goto fail;
	}
	return 0;
fail:
	strv_free(*out);
	*out = NULL;
	return r;
}

int vn_module_install_command(struct vn_sys *sys, const char *name, char **out)
{
	_cleanup_(vn_kmod_module_unrefp) struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx = vn_kmod(sys);
	const char *cmd;
	int r;

	*out = NULL;
	if (!ctx)
		return -ENOENT;
	if ((r = kmod_module_new_from_name(ctx, name, &mod)) < 0)
		return r;
	cmd = kmod_module_get_install_commands(mod);
	if (cmd && !(*out = strdup(cmd)))
		return -ENOMEM;
	return 0;
}

int vn_module_param_bool(const struct vn_sys *sys, const char *module,
			 const char *param, bool *yes)
{
	_cleanup_free_ char *val = NULL;
	int r = vn_module_param_read(sys, module, param, &val);

	if (r < 0)
		return r;
	*yes = val[0] == 'Y';
	return 0;
}
