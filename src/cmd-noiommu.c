// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * noiommu [show|on|off]: vfio's enable_unsafe_noiommu_mode, now and at the
 * next boot (doc/kernel.md §2).
 */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "cli-transaction.h"
#include "commands.h"
#include "docs.h"
#include "lib/audit.h"
#include "lib/kernel.h"
#include "lib/lock.h"
#include "lib/noiommu.h"
#include "lib/taint.h"
#include "lib/vfio.h"

enum action {
	SHOW,
	ON,
	OFF,
};

enum {
	OPT_PERSIST = 0x400,
	OPT_ROOT,
	OPT_UNBIND,
	OPT_DRY,
};

struct noiommu_args {
	enum action action;
	bool action_given;
	bool persist;
	bool unbind;
	bool dry_run;
	const char *root;
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct noiommu_args *a = state->input;

	switch (key) {
	case OPT_PERSIST:
		a->persist = true;
		break;
	case OPT_ROOT:
		a->root = arg;
		a->persist = true;
		break;
	case OPT_UNBIND:
		a->unbind = true;
		break;
	case OPT_DRY:
		a->dry_run = true;
		break;
	case ARGP_KEY_ARG:
		if (a->action_given)
			argp_error(state, "one action only ('%s' given too)",
				   arg);
		a->action_given = true;
		if (streq(arg, "show"))
			a->action = SHOW;
		else if (streq(arg, "on"))
			a->action = ON;
		else if (streq(arg, "off"))
			a->action = OFF;
		else
			argp_error(state,
				   "unknown action '%s': use show, on or off",
				   arg);
		break;
	case ARGP_KEY_END:
		if (a->unbind && a->action != OFF)
			argp_error(state, "--unbind goes with 'off'");
		if (a->persist && a->action == SHOW && !a->root)
			argp_error(state, "--persist goes with 'on' or 'off'");
		if (a->unbind && a->root)
			argp_error(state,
				   "--unbind acts on this host, not on --root");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "persist", OPT_PERSIST, NULL, 0,
	  "Also set it for every boot (a modprobe.d file, or the kernel command "
	  "line to add when vfio is built in)",
	  0 },
	{ "root", OPT_ROOT, "DIR", 0,
	  "Write the persistent setting into the system image DIR instead "
	  "(implies --persist; reads only DIR)",
	  0 },
	{ "unbind", OPT_UNBIND, NULL, 0,
	  "(off) First return every bound no-IOMMU device to its original driver",
	  0 },
	{ "dry-run", OPT_DRY, NULL, 0, "Print what would be written, where",
	  0 },
	{ 0 }
};

static const struct argp noiommu_argp = {
	.options = options,
	.parser = parse,
	.args_doc = "[show|on|off]",
	.doc = "Show or switch vfio's enable_unsafe_noiommu_mode, now and (with "
	       "--persist) at every boot.\v"
	       "Exit status: 0 done, already so, or shown; 1 failed; 2 invalid "
	       "input; 3 not possible on this kernel or configuration (no "
	       "CONFIG_VFIO_NOIOMMU, a conflicting setting); 4 refused (--unbind: "
	       "a device is held); 5 partial; 6 busy.",
	.children = vn_children_doc_lock,
};

/* ---- show ----------------------------------------------------------------- */
static void print_unavailable(const struct vn_caps *c)
{
	printf(VN_LABEL "not available: this kernel was built without "
			"CONFIG_VFIO_NOIOMMU (%s)\n",
	       "Mode", c->noiommu.source ? c->noiommu.source : "?");
	printf(VN_INDENT
	       "the group path needs CONFIG_VFIO_NOIOMMU; "
	       "/dev/vfio/devices/noiommu-vfioN also needs\n" VN_INDENT
	       "CONFIG_VFIO_DEVICE_CDEV and CONFIG_IOMMUFD "
	       "(CONFIG_IOMMUFD_NOIOMMU, Linux 7.3 or later)\n");
}

static void print_persist(const struct noiommu_state *s)
{
	const struct vn_setting *from;
	enum vn_tri next = vn_persist_effective(&s->persist, &from);

	if (!from) {
		printf(VN_LABEL "%s at the next %s: nothing sets it%s\n",
		       "Persistent", "off",
		       s->persist.builtin ? "boot" : "load of vfio",
		       s->on_host ?
			       "" :
			       " (the image's kernel command line is not read)");
	} else {
		printf(VN_LABEL "%s at the next %s: %s: %s\n", "Persistent",
		       next == VN_YES ? "on" : "off",
		       s->persist.builtin ? "boot" : "load of vfio",
		       from->where, from->text);
		for (size_t i = 0; i < s->persist.n; i++)
			if (&s->persist.v[i] != from)
				printf(VN_INDENT "also %s: %s%s\n",
				       s->persist.v[i].where,
				       s->persist.v[i].text,
				       s->persist.v[i].value == VN_UNKNOWN ?
					       " (a value the kernel rejects)" :
					       " (overridden)");
	}
	if (s->persist.ours_foreign)
		printf(VN_INDENT
		       "%s exists but was not written by vfio-noiommuctl\n",
		       VN_MODPROBE_FILE);
	if (s->on_host && s->caps.mode)
		printf(VN_INDENT "%s the running value (%c)\n",
		       (next == VN_YES) == (s->caps.mode == 'Y') ?
			       "agrees with" :
			       "differs from",
		       s->caps.mode);
}

static void print_devices(const struct noiommu_state *s)
{
	bool any = false;

	for (size_t i = 0; i < s->devs.n; i++) {
		const struct vn_dev *d = s->devs.devs[i];

		if (!vn_dev_is_vfio(d))
			continue;
		printf(VN_LABEL "%s  %s (%s)%s\n", any ? "" : "Bound devices",
		       d->bdf, d->noiommu ? "no-IOMMU" : "behind its IOMMU",
		       noiommu_dev_paths(d),
		       d->noiommu && s->caps.mode != 'Y' ?
			       "; rebinding it would fail while the mode is off" :
			       "");
		any = true;
	}
	if (!any)
		printf(VN_LABEL "none on VFIO drivers\n", "Bound devices");
}

static void print_show(const struct noiommu_state *s)
{
	const struct vn_caps *c = &s->caps;
	enum vn_paths p = vn_caps_paths(c);

	if (c->noiommu.value == VN_NO) {
		print_unavailable(c);
	} else if (!s->on_host) {
		printf(VN_LABEL "(not read: --root looks at an image)\n",
		       "Mode");
	} else if (c->mode) {
		printf(VN_LABEL "%s (" VN_NOIOMMU_PARAM "=%c)\n", "Mode",
		       c->mode == 'Y' ? "on " : "off", c->mode);
	} else {
		printf(VN_LABEL "off (vfio is not loaded)\n", "Mode");
	}
	if (c->noiommu.value != VN_NO)
		printf(VN_LABEL "%s: %s\n", "Paths", vn_paths_name(p),
		       vn_paths_sentence(p));
	print_persist(s);
	if (s->on_host)
		print_devices(s);
}

/* ---- on / off ---------------------------------------------------------------- */

/* The version of the on/off document: raise it when a field changes
 * meaning or goes away (doc/schema/noiommu-change.json). */
#define CHANGE_SCHEMA 1

/* What on or off did (or, with --dry-run, would do): printed as it goes
 * for people, or gathered into one document for --json and --pairs. */
struct change {
	const struct noiommu_args *a;
	bool on;
	bool doc;
	struct json_object *parameter; /* NULL with --root */
	struct json_object *persist; /* NULL without --persist */
	struct json_object *writes, *notes, *warnings, *bound;
	struct json_object *unbind; /* the unbind transaction's document */
	const char *error;
};

static void change_init(struct change *c, const struct noiommu_args *a)
{
	*c = (struct change){ .a = a, .on = a->action == ON };
	c->doc = opts.out.fmt == VN_FMT_JSON || opts.out.fmt == VN_FMT_PAIRS;
	c->writes = json_object_new_array();
	c->notes = json_object_new_array();
	c->warnings = json_object_new_array();
	c->bound = json_object_new_array();
}

static void change_clear(struct change *c)
{
	json_object_put(c->parameter);
	json_object_put(c->persist);
	json_object_put(c->writes);
	json_object_put(c->notes);
	json_object_put(c->warnings);
	json_object_put(c->bound);
	json_object_put(c->unbind);
}

/* A line for people ("key  text"), or a note or warning of the document. */
static void say(struct change *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct change *c, const char *key, const char *fmt, ...)
{
	_cleanup_free_ char *text = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = xvasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	/* A warning (a bind that would panic the host, a reopen that will
	 * fail) goes to stderr and -q does not hide it; the rest is the
	 * report, on stdout. */
	if (c->doc)
		json_object_array_add(streq(key, "warning") ? c->warnings :
							      c->notes,
				      json_object_new_string(text));
	else if (streq(key, "warning"))
		fprintf(stderr, "%-11s %s\n", key, text);
	else if (!opts.quiet)
		printf("%-11s %s\n", key, text);
}

/* A write made, or with --dry-run one that would be, for the document. */
static void wrote(struct change *c, const char *path, const char *value)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", vn_jstr(path));
	json_object_object_add(o, "value", vn_jstr(value));
	json_object_array_add(c->writes, o);
}

/* A kernel without the mode: the document says so in its error. */
static int unavailable(struct change *c, const struct vn_caps *caps)
{
	c->error = "this kernel was built without CONFIG_VFIO_NOIOMMU";
	if (c->doc)
		vn_err("no-IOMMU mode is not available: %s (%s)", c->error,
		       caps->noiommu.source ? caps->noiommu.source : "?");
	else
		print_unavailable(caps);
	return VN_EXIT_UNSUPPORTED;
}

static struct json_object *persist_json(const char *how, const char *file,
					const char *text, bool changed)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "how", vn_jstr(how));
	json_object_object_add(o, "file", vn_jstr(file));
	json_object_object_add(o, "text", vn_jstr(text));
	json_object_object_add(o, "changed", json_object_new_boolean(changed));
	return o;
}

/*
 * vfio built into the kernel: modprobe.d does not apply, only the kernel
 * command line does. With GRUB or kernel-install, the next boot's line is
 * their configuration, which --persist changes (persist_boot()); a setting
 * there that is not ours and says otherwise is left alone: exit 3, before
 * anything changes. With neither, the boot loader is not ours to edit:
 * exit 3 naming what to add (or remove) where.
 */
static int persist_builtin(struct change *c, const struct noiommu_state *s)
{
	const struct vn_setting *from;
	enum vn_tri next = vn_persist_effective(&s->persist, &from);
	const char *param = "vfio." VN_NOIOMMU_PARAM "=1";

	if ((next == VN_YES) == c->on)
		return VN_EXIT_OK; /* already so: persist_boot() says it */
	for (size_t i = 0; i < s->persist.n; i++) {
		const struct vn_setting *v = &s->persist.v[i];

		if (v->ours || v->value == VN_UNKNOWN ||
		    (v->value == VN_YES) == c->on)
			continue;
		vn_err("%s sets %s (\"%s\"), and is not ours to change; "
		       "nothing was changed",
		       v->where, VN_NOIOMMU_PARAM, v->text);
		vn_hint("edit that file, then run %s",
			s->persist.loader == VN_LOADER_GRUB ? "update-grub" :
							      "kernel-install");
		c->error = "another setting would win over the persistent one";
		return VN_EXIT_UNSUPPORTED;
	}
	if (s->persist.loader != VN_LOADER_NONE)
		return VN_EXIT_OK;
	/* False positive: off here means the next boot has it on, which
	 * vn_persist_effective() only says with the setting in from. */
	// cppcheck-suppress nullPointerRedundantCheck
	c->persist = persist_json("cmdline", NULL, c->on ? param : from->text,
				  false);
	if (c->on)
		vn_err("vfio is built into this kernel, so modprobe.d does not "
		       "apply: add %s to the kernel command line (the boot "
		       "loader's entry for this kernel); nothing was changed",
		       param);
	else
		vn_err("the kernel command line sets %s: remove it (the boot "
		       "loader's entry for this kernel); nothing was changed",
		       from->text);
	vn_hint("neither GRUB (%s) nor kernel-install (%s) is configured "
		"here; without --persist, 'noiommu %s' switches it now, until "
		"reboot",
		VN_GRUB_DEFAULT, VN_KERNEL_CMDLINE, c->on ? "on" : "off");
	c->error = "vfio is built in: only the kernel command line persists it";
	return VN_EXIT_UNSUPPORTED;
}

/*
 * What would make --persist fail, checked before anything changes (the
 * running mode included): vfio built in, a foreign file where ours goes, a
 * setting that applies after ours and says otherwise (files in order of
 * their names, the command line last), or, to turn it off, a setting that
 * is not ours.
 */
static int persist_conflict(struct change *c, const struct noiommu_state *s)
{
	if (s->persist.builtin)
		return persist_builtin(c, s);
	if (c->on && s->persist.ours_foreign) {
		vn_err("%s exists and was not written by vfio-noiommuctl; not "
		       "overwriting it",
		       VN_MODPROBE_FILE);
		c->error =
			"a file not written by vfio-noiommuctl is in the way";
		return VN_EXIT_UNSUPPORTED;
	}
	for (size_t i = 0; i < s->persist.n; i++) {
		const struct vn_setting *v = &s->persist.v[i];
		const char *base = strrchr(v->where, '/');
		bool later = streq(v->where, "/proc/cmdline") ||
			     strcmp(base, strrchr(VN_MODPROBE_FILE, '/')) > 0;

		if (v->ours || v->value == (c->on ? VN_YES : VN_NO) ||
		    (c->on && !later) || v->value == VN_UNKNOWN)
			continue;
		if (c->on)
			vn_err("%s sets %s (\"%s\") and applies after %s, so it "
			       "would win; nothing was changed",
			       v->where, VN_NOIOMMU_PARAM, v->text,
			       VN_MODPROBE_FILE);
		else
			vn_err("%s still sets it (\"%s\"); not ours to change, so "
			       "nothing was changed",
			       v->where, v->text);
		vn_hint(streq(v->where, "/proc/cmdline") ?
				"change it in the boot loader's kernel command line" :
				"edit or remove that file");
		c->error = "another setting would win over the persistent one";
		return VN_EXIT_UNSUPPORTED;
	}
	return VN_EXIT_OK;
}

/* A symlink on the way (DIR/etc -> /etc) is refused, never followed
 * (rootpath.h): under --root that is the image's fault, bad input. */
static int conf_failed(const struct vn_sys *sys, struct change *c,
		       const char *action, const char *file, int r)
{
	c->error = streq(action, "write") ? "cannot write the modprobe.d file" :
					    "cannot remove the modprobe.d file";
	if (r != -ELOOP) {
		vn_err("cannot %s %s: %s", action, file, strerror(-r));
		return VN_EXIT_FAILED;
	}
	vn_err("cannot %s %s: a directory on the way is a symbolic link",
	       action, file);
	vn_hint("files are never written through a symlink, which could lead "
		"out of %s; make it a real directory",
		vn_sys_is_host(sys) ? "the intended place" : "--root");
	return vn_sys_is_host(sys) ? VN_EXIT_FAILED : VN_EXIT_USAGE;
}

static void note_initramfs(struct vn_sys *sys, struct change *c)
{
	_cleanup_free_ char *listed = NULL, *rebuild = NULL;
	const char *cmd;

	if ((rebuild = vn_initramfs_rebuild_note(sys)))
		say(c, "note", "%s", rebuild);
	else if (vn_initramfs_hint(sys, &listed, &cmd) > 0)
		say(c, "note",
		    "vfio is loaded from the initramfs (%s lists it): run "
		    "'%s' so early boot uses the setting",
		    listed, cmd ? cmd : "your initramfs generator");
	else if (cmd)
		say(c, "note", "if your initramfs loads vfio, run '%s'", cmd);
}

/* Persisted, but this boot started otherwise (built-in vfio). */
static void note_not_booted(struct change *c, const struct noiommu_state *s,
			    bool on)
{
	if (s->persist.booted == VN_UNKNOWN ||
	    (s->persist.booted == VN_YES) == on)
		return;
	say(c, "note", "not yet booted: this boot started with it %s; %s",
	    on ? "off" : "on", vn_loader_next_step(s->persist.loader));
}

/* The new text of the file that carries the next boot's setting. */
static int boot_file_text(struct vn_sys *sys, const struct change *c,
			  enum vn_loader l, char **text)
{
	_cleanup_free_ char *old = NULL;
	char user[160];
	int r;

	if (l == VN_LOADER_GRUB) {
		if (!c->on)
			return 0; /* the drop-in is removed */
		vn_acting_user(sys, user, sizeof(user));
		return vn_grub_dropin_render(user, time(NULL), text);
	}
	r = vn_read_file(sys, &old, VN_KERNEL_CMDLINE);
	return r < 0 ? r : vn_kernel_cmdline_edit(old, c->on, text);
}

/* Built in, GRUB or kernel-install: write (or remove) the next boot's
 * setting, and say what makes it take effect. */
static int persist_boot(struct vn_sys *sys, struct change *c,
			const struct noiommu_state *s)
{
	enum vn_loader l = s->persist.loader;
	const char *path = l == VN_LOADER_GRUB ? VN_GRUB_DROPIN :
						 VN_KERNEL_CMDLINE;
	_cleanup_free_ char *text = NULL, *file = NULL;
	const struct vn_setting *from;
	enum vn_tri next = vn_persist_effective(&s->persist, &from);
	bool remove = l == VN_LOADER_GRUB && !c->on;
	char user[160];
	int r;

	if ((next == VN_YES) == c->on) {
		if (from && c->on)
			say(c, "persist", "already persisted: %s: %s",
			    from->where, from->text);
		else if (from)
			say(c, "persist",
			    "already off at the next boot: %s: %s", from->where,
			    from->text);
		else
			say(c, "persist", "already off at the next boot");
		c->persist = persist_json(NULL, from ? from->where : NULL,
					  from ? from->text : NULL, false);
		note_not_booted(c, s, c->on);
		return VN_EXIT_OK;
	}
	if ((r = boot_file_text(sys, c, l, &text)) < 0 ||
	    xasprintf(&file, "%s%s", sys->root, path) < 0)
		return conf_failed(sys, c, "write", path, r < 0 ? r : -ENOMEM);
	c->persist =
		persist_json(remove ? "remove" : "write", file, text, true);
	if (c->a->dry_run) {
		if (!c->doc)
			printf(remove ? "would remove %s\n" :
					"would write %s:\n%s",
			       file, text ? text : "");
		return VN_EXIT_OK;
	}
	if (remove)
		r = vn_remove_file(sys, "%s", path);
	else if (l == VN_LOADER_GRUB &&
		 (r = vn_mkdir(sys, VN_GRUB_DROPIN_DIR)) < 0)
		; /* an image being assembled may not have grub.d yet */
	else
		r = vn_replace_file(sys, text, "%s", path);
	if (r < 0)
		return conf_failed(sys, c, remove ? "remove" : "write", file,
				   r);
	say(c, remove ? "removed" : "persisted", "%s%s%s", file,
	    remove ? "" : ": ", remove ? "" : "vfio." VN_NOIOMMU_PARAM "=1");
	say(c, "note", "the running kernel keeps its command line: %s",
	    vn_loader_next_step(l));
	vn_acting_user(sys, user, sizeof(user));
	vn_audit(sys, "noiommu: persisted %s in %s by %s", c->on ? "on" : "off",
		 file, user);
	return VN_EXIT_OK;
}

static int persist_on(struct vn_sys *sys, struct change *c,
		      const struct noiommu_state *s)
{
	_cleanup_free_ char *text = NULL, *file = NULL;
	const struct vn_setting *from;
	char user[160];
	int r;

	if (s->persist.builtin)
		return persist_boot(sys, c, s);
	if (vn_persist_effective(&s->persist, &from) == VN_YES && from &&
	    (from->ours || !s->persist.ours_path)) {
		say(c, "persist", "already persisted: %s: %s", from->where,
		    from->text);
		c->persist = persist_json(NULL, from->where, from->text, false);
		return VN_EXIT_OK;
	}
	vn_acting_user(sys, user, sizeof(user));
	if (vn_conf_render(user, time(NULL), &text) < 0 ||
	    xasprintf(&file, "%s%s", sys->root, VN_MODPROBE_FILE) < 0)
		return VN_EXIT_FAILED;
	c->persist = persist_json("write", file, text, true);
	if (c->a->dry_run) {
		if (!c->doc)
			printf("would write %s:\n%s", file, text);
		return VN_EXIT_OK;
	}
	r = vn_conf_write(sys, text);
	if (r < 0)
		return conf_failed(sys, c, "write", file, r);
	say(c, "persisted", "%s: options vfio " VN_NOIOMMU_PARAM "=1", file);
	note_initramfs(sys, c);
	vn_audit(sys, "noiommu: persisted on in %s by %s", file, user);
	return VN_EXIT_OK;
}

static int persist_off(struct vn_sys *sys, struct change *c,
		       const struct noiommu_state *s)
{
	_cleanup_free_ char *file = NULL;
	char user[160];
	int r;

	if (s->persist.builtin)
		return persist_boot(sys, c, s);
	if (!s->persist.ours_path || s->persist.ours_foreign) {
		say(c, "persist", "already off at the next %s",
		    s->persist.builtin ? "boot" : "load of vfio");
		if (!c->persist)
			c->persist = persist_json(NULL, NULL, NULL, false);
		return VN_EXIT_OK;
	}
	if (xasprintf(&file, "%s%s", sys->root, VN_MODPROBE_FILE) < 0)
		return VN_EXIT_FAILED;
	c->persist = persist_json("remove", file, NULL, true);
	if (c->a->dry_run) {
		if (!c->doc)
			printf("would remove %s\n", file);
		return VN_EXIT_OK;
	}
	r = vn_conf_remove(sys);
	if (r < 0)
		return conf_failed(sys, c, "remove", file, r);
	vn_acting_user(sys, user, sizeof(user));
	say(c, "removed", "%s", file);
	vn_audit(sys, "noiommu: removed %s by %s", file, user);
	return VN_EXIT_OK;
}

static void warn_after_on(struct vn_sys *sys, struct change *c,
			  const struct vn_caps *caps)
{
	unsigned long mask;
	bool nouser;

	say(c, "warning",
	    "devices bound from now on get no DMA isolation; each "
	    "bind of a device without an IOMMU taints the kernel (U) "
	    "until reboot");
	say(c, "note",
	    "devices already bound keep the mode they were bound with; "
	    "rebind them to change it");
	say(c, "paths", "%s", vn_paths_sentence(vn_caps_paths(caps)));
	if (vn_panic_on_taint(sys, &mask, &nouser) == 1 &&
	    (mask & VN_TAINT_USER))
		say(c, "warning",
		    "panic_on_taint=0x%lx on the kernel command line covers U: "
		    "setting the mode does not taint, but the first bind of a "
		    "device without an IOMMU would panic this host, so 'bind' "
		    "refuses it",
		    mask);
}

static struct json_object *parameter_json(char before, char after,
					  const char *how)
{
	struct json_object *o = json_object_new_object();
	char b[2] = { before, 0 }, a[2] = { after, 0 };

	json_object_object_add(o, "before", before ? vn_jstr(b) : NULL);
	json_object_object_add(o, "after", after ? vn_jstr(a) : NULL);
	json_object_object_add(o, "changed",
			       json_object_new_boolean(before != after));
	json_object_object_add(o, "how", vn_jstr(how));
	return o;
}

#define PARAM_PATH "/sys/module/vfio/parameters/" VN_NOIOMMU_PARAM

static int live_on_off(struct vn_sys *sys, struct change *c,
		       struct noiommu_state *s)
{
	char user[160], now = 0, want = c->on ? 'Y' : 'N';
	const char *how = s->caps.mode ? "write" : "load";
	int r;

	if (s->caps.mode == want || (!c->on && !s->caps.mode)) {
		say(c, VN_NOIOMMU_PARAM, "already %s",
		    c->on ? "enabled" : "disabled");
		c->parameter = parameter_json(s->caps.mode, s->caps.mode, NULL);
		return VN_EXIT_OK;
	}
	c->parameter = parameter_json(s->caps.mode, want, how);
	if (c->a->dry_run) {
		if (s->caps.mode)
			wrote(c, PARAM_PATH, c->on ? "1" : "0");
		if (!c->doc && s->caps.mode)
			printf("would write %s to " PARAM_PATH "\n",
			       c->on ? "1" : "0");
		else if (!c->doc)
			printf("would load vfio with " VN_NOIOMMU_PARAM "=1\n");
		return VN_EXIT_OK;
	}
	r = vn_noiommu_set(sys, c->on, &now);
	if (r == -EOPNOTSUPP || r == -ENOENT)
		return unavailable(c, &s->caps);
	if (r < 0 || now != want) {
		if (r < 0)
			vn_err("cannot %s vfio's " VN_NOIOMMU_PARAM ": %s",
			       s->caps.mode ? "write" : "load vfio with",
			       strerror(-r));
		else
			vn_err(VN_NOIOMMU_PARAM " reads %c after writing it",
			       now);
		c->error = "the parameter could not be set";
		return VN_EXIT_FAILED;
	}
	if (s->caps.mode)
		wrote(c, PARAM_PATH, c->on ? "1" : "0");
	vn_acting_user(sys, user, sizeof(user));
	vn_audit(sys, "noiommu: " VN_NOIOMMU_PARAM " %c -> %c by %s",
		 s->caps.mode ? s->caps.mode : 'N', now, user);
	say(c, VN_NOIOMMU_PARAM, "%c -> %c", s->caps.mode ? s->caps.mode : 'N',
	    now);
	s->caps.mode = now;
	return VN_EXIT_OK;
}

/* How a holder reaches the device: its cdev, or the group (legacy path). */
static const char *holder_path(const struct vn_holder_ref *h,
			       const struct vn_dev *d)
{
	if (streq_ptr(h->target, d->cdev.path))
		return "cdev";
	if (streq_ptr(h->target, d->group.path))
		return "group";
	return "other";
}

/* The processes sure to hold d (a mapping of unknown identity is not). */
static struct json_object *
bound_json(const struct vn_dev *d, const struct vn_holder_ref *refs, size_t n)
{
	struct json_object *o = json_object_new_object();
	struct json_object *holders = json_object_new_array();

	json_object_object_add(o, "bdf", vn_jstr(d->bdf));
	json_object_object_add(o, "access_paths",
			       vn_jstr(noiommu_dev_access_paths(d)));
	for (size_t j = 0; j < n; j++) {
		struct json_object *ho;

		if (refs[j].maybe)
			continue;
		ho = json_object_new_object();
		json_object_object_add(ho, "comm", vn_jstr(refs[j].comm));
		json_object_object_add(ho, "pid",
				       json_object_new_int((int)refs[j].pid));
		json_object_object_add(ho, "access_path",
				       vn_jstr(holder_path(&refs[j], d)));
		json_object_array_add(holders, ho);
	}
	json_object_object_add(o, "holders", holders);
	return o;
}

static void say_bound(struct change *c, const struct vn_dev *d,
		      const struct vn_holder_ref *refs, size_t n)
{
	say(c, "", "%s (%s)", d->bdf, noiommu_dev_paths(d));
	for (size_t j = 0; j < n; j++) {
		const char *via = holder_path(&refs[j], d);

		if (!refs[j].maybe)
			say(c, "", "  %s[%d] holds it through %s", refs[j].comm,
			    (int)refs[j].pid,
			    streq(via, "cdev")	? "the cdev" :
			    streq(via, "group") ? "the group (legacy path)" :
						  refs[j].target);
	}
}

/* What 'off' leaves behind: no-IOMMU devices still bound, and how their
 * holders reach them. A new legacy container breaks: its VFIO_SET_IOMMU
 * finds no allowed driver and returns -ENODEV (drivers/vfio/container.c,
 * vfio_ioctl_set_iommu() and vfio_iommu_driver_allowed()). */
static void report_bound(struct vn_sys *sys, struct change *c,
			 const struct noiommu_state *s)
{
	struct vn_holders h = { 0 };
	bool any = false;

	vn_holders_scan(sys, &h);
	for (size_t i = 0; i < s->devs.n; i++) {
		const struct vn_dev *d = s->devs.devs[i];
		_cleanup_free_ struct vn_holder_ref *refs = NULL;
		size_t n = 0;

		if (!d->noiommu)
			continue;
		/* doc/kernel.md §2.3: iommufd ignores the mode, but there
		 * is none before 6.2. */
		if (!any && s->caps.iommufd.value == VN_YES)
			say(c, "warning",
			    "still bound no-IOMMU devices keep working through "
			    "the cdev and iommufd paths, but an application "
			    "that reopens one through the legacy group and "
			    "container fails (VFIO_SET_IOMMU: ENODEV)%s",
			    c->doc ? "" : ":");
		else if (!any)
			say(c, "warning",
			    "still bound no-IOMMU devices keep working while "
			    "they stay open, but an application that reopens "
			    "one fails: without iommufd its only path is the "
			    "legacy group and container (VFIO_SET_IOMMU: "
			    "ENODEV)%s",
			    c->doc ? "" : ":");
		any = true;
		vn_holders_of(&h, d, &refs, &n);
		json_object_array_add(c->bound, bound_json(d, refs, n));
		if (!c->doc)
			say_bound(c, d, refs, n);
	}
	if (any)
		say(c, "hint",
		    "'vfio-noiommuctl noiommu off --unbind' returns them to "
		    "their drivers first");
	vn_holders_clear(&h);
}

static int unbind_noiommu(struct vn_sys *sys, struct change *c,
			  const struct noiommu_state *s, int lock)
{
	_cleanup_strv_ char **bdfs = NULL;
	struct vn_txn_args ta = { .timeout_ms = 10000,
				  .dry_run = c->a->dry_run,
				  .lock_held = true,
				  .lock_fd = lock };
	int ret;

	for (size_t i = 0; i < s->devs.n; i++)
		if (s->devs.devs[i]->noiommu &&
		    strv_push(&bdfs, strdup(s->devs.devs[i]->bdf)) < 0)
			return VN_EXIT_FAILED;
	if (!bdfs)
		return VN_EXIT_OK;
	ret = vn_txn_run_doc(VN_OP_UNBIND, sys, bdfs, &ta, c->doc, &c->unbind);
	if (ret != VN_EXIT_OK)
		c->error = "the no-IOMMU devices could not all be unbound";
	return ret;
}

/* Warnings and notes after the change: a dry run gives the same ones. */
static void after_change(struct vn_sys *sys, struct change *c,
			 const struct noiommu_state *s)
{
	if (c->a->root)
		return;
	if (c->on)
		warn_after_on(sys, c, &s->caps);
	else if (c->a->unbind)
		say(c, "note", "the taint (U) stays until reboot");
	else
		report_bound(sys, c, s);
}

static int change(struct vn_sys *sys, struct change *c, struct noiommu_state *s,
		  int lock)
{
	const struct noiommu_args *a = c->a;
	int ret;

	if (s->caps.noiommu.value == VN_NO && !a->root)
		return unavailable(c, &s->caps);
	if (!vn_sys_is_host(sys) && !a->root && !a->dry_run) {
		vn_err("a --sysroot tree is only looked at: use --dry-run, or "
		       "--root to write an image's persistent setting");
		c->error = "a --sysroot tree is never written";
		return VN_EXIT_USAGE;
	}
	if (a->persist && (ret = persist_conflict(c, s)))
		return ret;
	if (!a->root) {
		if (!c->on && a->unbind &&
		    (ret = unbind_noiommu(sys, c, s, lock)) != VN_EXIT_OK)
			return ret;
		if ((ret = live_on_off(sys, c, s)) != VN_EXIT_OK)
			return ret;
	}
	if (a->persist) {
		ret = c->on ? persist_on(sys, c, s) : persist_off(sys, c, s);
		if (ret != VN_EXIT_OK)
			return ret;
	}
	after_change(sys, c, s);
	return VN_EXIT_OK;
}

static int print_change(const struct change *c, int status)
{
	struct json_object *doc = json_object_new_object();
	int r;

	json_object_object_add(doc, "schema",
			       json_object_new_int(CHANGE_SCHEMA));
	json_object_object_add(doc, "action", vn_jstr(c->on ? "on" : "off"));
	json_object_object_add(doc, "dry_run",
			       json_object_new_boolean(c->a->dry_run));
	json_object_object_add(doc, "root", vn_jstr(c->a->root));
	json_object_object_add(doc, "exit_status", json_object_new_int(status));
	json_object_object_add(doc, "error", vn_jstr(c->error));
	json_object_object_add(doc, "parameter", json_object_get(c->parameter));
	json_object_object_add(doc, "persist", json_object_get(c->persist));
	json_object_object_add(doc, "writes", json_object_get(c->writes));
	json_object_object_add(doc, "still_bound", json_object_get(c->bound));
	json_object_object_add(doc, "unbind", json_object_get(c->unbind));
	json_object_object_add(doc, "notes", json_object_get(c->notes));
	json_object_object_add(doc, "warnings", json_object_get(c->warnings));
	r = vn_doc_print(doc, &opts.out, stdout);
	json_object_put(doc);
	return r;
}

static int run_change(struct vn_sys *sys, const struct noiommu_args *a,
		      struct vn_facts *f)
{
	struct noiommu_state s;
	struct change c;
	int lock = -1, ret, r;

	change_init(&c, a);
	if (!a->dry_run && !a->root &&
	    (ret = vn_cli_take_lock(sys, true, &lock))) {
		c.error = "the lock is not available";
	} else if ((r = doc_noiommu_gather(f, &s)) < 0) {
		vn_err("cannot read the no-IOMMU state: %s", strerror(-r));
		c.error = "cannot read the no-IOMMU state";
		ret = VN_EXIT_FAILED;
	} else {
		/* Our lock covers the unbind transaction of --unbind too. */
		ret = change(sys, &c, &s, lock);
	}
	if (c.doc && print_change(&c, ret) < 0 && ret == VN_EXIT_OK)
		ret = VN_EXIT_FAILED;
	change_clear(&c);
	vn_lock_release(lock);
	return ret;
}

static int run_show(struct vn_facts *f)
{
	struct noiommu_state s;
	struct json_object *doc;
	int r = doc_noiommu_gather(f, &s);

	if (r < 0) {
		vn_err("cannot read the no-IOMMU state: %s", strerror(-r));
		return VN_EXIT_FAILED;
	}
	if (opts.out.fmt != VN_FMT_JSON && opts.out.fmt != VN_FMT_PAIRS) {
		print_show(&s);
		return VN_EXIT_OK;
	}
	doc = doc_noiommu_json(&s);
	r = vn_doc_print(doc, &opts.out, stdout);
	json_object_put(doc);
	return r < 0 ? VN_EXIT_FAILED : VN_EXIT_OK;
}

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	_cleanup_(vn_facts_clear) struct vn_facts f = { 0 };
	struct noiommu_args a = { 0 };
	int ret;

	vn_parse_verb(&noiommu_argp, "noiommu", argc, argv, &a);
	ret = a.root ? vn_cli_open_root(a.root, &sys) : vn_cli_open_sys(&sys);
	if (ret)
		return ret;
	vn_facts_init(&f, sys, a.root != NULL);
	return a.action == SHOW ? run_show(&f) : run_change(sys, &a, &f);
}

const struct vn_verb vn_verb_noiommu = {
	.name = "noiommu",
	.summary = "show or switch no-IOMMU mode, now and across reboots",
	.run = run,
};
