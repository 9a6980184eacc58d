// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libkmod as the tool uses it, answered from the model's module list
 * (.model/modules) instead of the host's /lib/modules: the tool calls these
 * through its PLT, so vnmodel.so's definitions win. A module load is a
 * numbered operation (faults apply) that loads the module into the model
 * (modules.c vm_module_load). Without VN_MODEL_ROOT the real libkmod
 * answers.
 */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <libkmod.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "trap.h"

#define MAGIC 0x766e6d6f /* "vnmo" */

struct kmod_ctx {
	unsigned int magic;
};

struct kmod_module {
	unsigned int magic;
	char name[64];
	char path[PATH_MAX];
	char *options;
};

/* kmod_module_get_info's list: key and value per entry. */
struct kmod_list {
	struct kmod_list *next;
	char *key, *value;
};

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

struct kmod_ctx *kmod_new(const char *dirname, const char *const *config_paths)
{
	struct kmod_ctx *ctx;

	if (!vt_active())
		return NEXT(kmod_new)(dirname, config_paths);
	ctx = calloc(1, sizeof(*ctx));
	if (ctx)
		ctx->magic = MAGIC;
	return ctx;
}

struct kmod_ctx *kmod_unref(struct kmod_ctx *ctx)
{
	if (!vt_active())
		return NEXT(kmod_unref)(ctx);
	free(ctx);
	return NULL;
}

void kmod_set_log_priority(struct kmod_ctx *ctx, int priority)
{
	if (!vt_active())
		NEXT(kmod_set_log_priority)(ctx, priority);
}

int kmod_module_new_from_name(struct kmod_ctx *ctx, const char *name,
			      struct kmod_module **mod)
{
	struct vm_world w;
	struct kmod_module *m;
	size_t i;

	if (!vt_active())
		return NEXT(kmod_module_new_from_name)(ctx, name, mod);
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->magic = MAGIC;
	for (i = 0; name[i] && i + 1 < sizeof(m->name); i++)
		m->name[i] = name[i] == '-' ? '_' : name[i];
	vm_world(&w);
	snprintf(m->path, sizeof(m->path), "/lib/modules/%s/kernel/%s.ko",
		 w.release, m->name);
	m->options = vm_module_options(m->name);
	*mod = m;
	return 0;
}

struct kmod_module *kmod_module_unref(struct kmod_module *mod)
{
	if (!vt_active())
		return NEXT(kmod_module_unref)(mod);
	if (mod)
		free(mod->options);
	free(mod);
	return NULL;
}

int kmod_module_get_initstate(const struct kmod_module *mod)
{
	if (!vt_active())
		return NEXT(kmod_module_get_initstate)(mod);
	switch (vm_module_state(mod->name)) {
	case VM_MOD_LOADED:
		return KMOD_MODULE_LIVE;
	case VM_MOD_BUILTIN:
		return KMOD_MODULE_BUILTIN;
	default:
		return -ENOENT;
	}
}

const char *kmod_module_get_path(const struct kmod_module *mod)
{
	enum vm_mod_state st;

	if (!vt_active())
		return NEXT(kmod_module_get_path)(mod);
	st = vm_module_state(mod->name);
	return st == VM_MOD_AVAILABLE || st == VM_MOD_LOADED ? mod->path : NULL;
}

const char *kmod_module_get_options(const struct kmod_module *mod)
{
	if (!vt_active())
		return NEXT(kmod_module_get_options)(mod);
	return mod->options;
}

static int info_add(struct kmod_list **list, const char *key, const char *value)
{
	struct kmod_list *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->key = strdup(key);
	e->value = strdup(value);
	e->next = *list;
	*list = e;
	return 1;
}

/* vfio's modinfo declares its one parameter where CONFIG_VFIO_NOIOMMU is
 * set (drivers/vfio/vfio_main.c module_param_named). */
int kmod_module_get_info(const struct kmod_module *mod, struct kmod_list **list)
{
	struct vm_world w;
	int n = 0;

	if (!vt_active())
		return NEXT(kmod_module_get_info)(mod, list);
	*list = NULL;
	if (vm_module_state(mod->name) == VM_MOD_UNKNOWN)
		return -ENOENT;
	vm_world(&w);
	n += info_add(list, "name", mod->name) > 0;
	if (!strcmp(mod->name, "vfio") && w.noiommu_config) {
		n += info_add(list, "parmtype",
			      "enable_unsafe_noiommu_mode:bool") > 0;
		n += info_add(list, "parm",
			      "enable_unsafe_noiommu_mode:Enable UNSAFE, "
			      "no-IOMMU mode.  This mode provides no device "
			      "isolation, no DMA translation, no host kernel "
			      "protection, cannot be used for device "
			      "assignment to virtual machines, requires RAWIO "
			      "permissions, and will taint the kernel.  If you "
			      "do not know what this is for, step away. "
			      "(default: false)") > 0;
	}
	return n;
}

const char *kmod_module_info_get_key(const struct kmod_list *entry)
{
	if (!vt_active())
		return NEXT(kmod_module_info_get_key)(entry);
	return entry->key;
}

const char *kmod_module_info_get_value(const struct kmod_list *entry)
{
	if (!vt_active())
		return NEXT(kmod_module_info_get_value)(entry);
	return entry->value;
}

void kmod_module_info_free_list(struct kmod_list *list)
{
	if (!vt_active()) {
		NEXT(kmod_module_info_free_list)(list);
		return;
	}
	while (list) {
		struct kmod_list *n = list->next;

		free(list->key);
		free(list->value);
		free(list);
		list = n;
	}
}

/* The alias lookup's list: the module name as the entry's key. */
int kmod_module_new_from_lookup(struct kmod_ctx *ctx, const char *alias,
				struct kmod_list **list)
{
	char **mods = NULL;
	int r;

	if (!vt_active())
		return NEXT(kmod_module_new_from_lookup)(ctx, alias, list);
	*list = NULL;
	if ((r = vm_alias_modules(alias, &mods)) < 0)
		return r;
	for (size_t i = 0; mods[i]; i++)
		info_add(list, mods[i], "");
	vm_strv_free(mods);
	return 0;
}

/* No module is blacklisted in the model: the same entries. */
int kmod_module_apply_filter(const struct kmod_ctx *ctx,
			     enum kmod_filter filter_type,
			     const struct kmod_list *input,
			     struct kmod_list **output)
{
	if (!vt_active())
		return NEXT(kmod_module_apply_filter)(ctx, filter_type, input,
						      output);
	*output = NULL;
	for (const struct kmod_list *l = input; l; l = l->next)
		info_add(output, l->key, "");
	return 0;
}

struct kmod_module *kmod_module_get_module(const struct kmod_list *entry)
{
	struct kmod_module *m = NULL;

	if (!vt_active())
		return NEXT(kmod_module_get_module)(entry);
	kmod_module_new_from_name(NULL, entry->key, &m);
	return m;
}

const char *kmod_module_get_name(const struct kmod_module *mod)
{
	if (!vt_active())
		return NEXT(kmod_module_get_name)(mod);
	return mod->name;
}

int kmod_module_unref_list(struct kmod_list *list)
{
	if (!vt_active())
		return NEXT(kmod_module_unref_list)(list);
	kmod_module_info_free_list(list);
	return 0;
}

struct kmod_list *kmod_list_next(const struct kmod_list *list,
				 const struct kmod_list *curr)
{
	if (!vt_active())
		return NEXT(kmod_list_next)(list, curr);
	return curr ? curr->next : NULL;
}

struct load_call {
	const char *name, *options;
};

static int do_load(void *arg)
{
	struct load_call *c = arg;

	return vm_module_load(c->name, c->options);
}

int kmod_module_probe_insert_module(
	struct kmod_module *mod, unsigned int flags, const char *extra_options,
	int (*run_install)(struct kmod_module *m, const char *cmdline,
			   void *data),
	const void *data,
	void (*print_action)(struct kmod_module *m, bool install,
			     const char *options))
{
	struct load_call c = { .name = mod->name, .options = extra_options };
	enum vm_mod_state st;

	if (!vt_active())
		return NEXT(kmod_module_probe_insert_module)(mod, flags,
							     extra_options,
							     run_install, data,
							     print_action);
	st = vm_module_state(mod->name);
	if ((flags & KMOD_PROBE_FAIL_ON_LOADED) &&
	    (st == VM_MOD_LOADED || st == VM_MOD_BUILTIN))
		return -EEXIST;
	return vt_op("load", mod->name, extra_options ? extra_options : "",
		     extra_options ? strlen(extra_options) : 0, "", do_load,
		     &c);
}
