// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * noiommu [show|on|off]: vfio's enable_unsafe_noiommu_mode, now and at the
 * next boot (kernel-interfaces.md §2).
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

static void say(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(const char *key, const char *fmt, ...)
{
	va_list ap;

	if (opts.quiet)
		return;
	printf("%-11s ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/*
 * What would make --persist fail, checked before anything changes (the
 * running mode included): a foreign file where ours goes, a setting that
 * applies after ours and says otherwise (files in order of their names,
 * the command line last), or, to turn it off, a setting that is not ours.
 */
static int persist_conflict(const struct noiommu_state *s, bool on)
{
	if (s->persist.builtin)
		return VN_EXIT_OK; /* only the command line applies: printed */
	if (on && s->persist.ours_foreign) {
		vn_err("%s exists and was not written by vfio-noiommuctl; not "
		       "overwriting it",
		       VN_MODPROBE_FILE);
		return VN_EXIT_UNSUPPORTED;
	}
	for (size_t i = 0; i < s->persist.n; i++) {
		const struct vn_setting *v = &s->persist.v[i];
		const char *base = strrchr(v->where, '/');
		bool later = streq(v->where, "/proc/cmdline") ||
			     strcmp(base, strrchr(VN_MODPROBE_FILE, '/')) > 0;

		if (v->ours || v->value == (on ? VN_YES : VN_NO) ||
		    (on && !later) || v->value == VN_UNKNOWN)
			continue;
		if (on)
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
		return VN_EXIT_UNSUPPORTED;
	}
	return VN_EXIT_OK;
}

static int persist_on(struct vn_sys *sys, const struct noiommu_state *s,
		      bool dry)
{
	_cleanup_free_ char *text = NULL, *listed = NULL;
	const struct vn_setting *from;
	const char *cmd;
	char user[160];
	int r;

	if (s->persist.builtin) {
		say("persist",
		    "vfio is built into this kernel: modprobe.d does not "
		    "apply; add vfio." VN_NOIOMMU_PARAM "=1 to the kernel "
		    "command line (e.g. GRUB_CMDLINE_LINUX in "
		    "/etc/default/grub, then update-grub)");
		return VN_EXIT_OK;
	}
	if (vn_persist_effective(&s->persist, &from) == VN_YES && from &&
	    (from->ours || !s->persist.ours_path)) {
		say("persist", "already persisted: %s: %s", from->where,
		    from->text);
		return VN_EXIT_OK;
	}
	vn_acting_user(sys, user, sizeof(user));
	if ((r = vn_conf_render(user, time(NULL), &text)) < 0)
		return VN_EXIT_FAILED;
	if (dry) {
		printf("would write %s%s:\n%s", sys->root, VN_MODPROBE_FILE,
		       text);
		return VN_EXIT_OK;
	}
	r = vn_conf_write(sys, text);
	if (r < 0) {
		vn_err("cannot write %s%s: %s", sys->root, VN_MODPROBE_FILE,
		       strerror(-r));
		return VN_EXIT_FAILED;
	}
	say("persisted", "%s%s: options vfio " VN_NOIOMMU_PARAM "=1", sys->root,
	    VN_MODPROBE_FILE);
	if (vn_initramfs_hint(sys, &listed, &cmd) > 0)
		say("note",
		    "vfio is loaded from the initramfs (%s lists it): run "
		    "'%s' so early boot uses the setting",
		    listed, cmd ? cmd : "your initramfs generator");
	else if (cmd)
		say("note", "if your initramfs loads vfio, run '%s'", cmd);
	vn_audit(sys, "noiommu: persisted on in %s%s by %s", sys->root,
		 VN_MODPROBE_FILE, user);
	return VN_EXIT_OK;
}

static int persist_off(struct vn_sys *sys, const struct noiommu_state *s,
		       bool dry)
{
	const struct vn_setting *from;
	char user[160];
	int r;

	if (!s->persist.ours_path || s->persist.ours_foreign) {
		if (vn_persist_effective(&s->persist, &from) != VN_YES)
			say("persist", "already off at the next %s",
			    s->persist.builtin ? "boot" : "load of vfio");
		return VN_EXIT_OK;
	}
	if (dry) {
		printf("would remove %s%s\n", sys->root, VN_MODPROBE_FILE);
		return VN_EXIT_OK;
	}
	r = vn_conf_remove(sys);
	if (r < 0) {
		vn_err("cannot remove %s%s: %s", sys->root, VN_MODPROBE_FILE,
		       strerror(-r));
		return VN_EXIT_FAILED;
	}
	vn_acting_user(sys, user, sizeof(user));
	say("removed", "%s%s", sys->root, VN_MODPROBE_FILE);
	vn_audit(sys, "noiommu: removed %s%s by %s", sys->root,
		 VN_MODPROBE_FILE, user);
	return VN_EXIT_OK;
}

static void warn_after_on(const struct vn_sys *sys, const struct vn_caps *c)
{
	unsigned long mask;
	bool nouser;

	say("warning",
	    "devices bound from now on get no DMA isolation; each "
	    "bind of a device without an IOMMU taints the kernel (U) "
	    "until reboot");
	say("note", "devices already bound keep the mode they were bound with; "
		    "rebind them to change it");
	say("paths", "%s", vn_paths_sentence(vn_caps_paths(c)));
	if (vn_panic_on_taint(sys, &mask, &nouser) == 1 &&
	    (mask & VN_TAINT_USER))
		vn_warn("panic_on_taint=0x%lx on the kernel command line covers U: "
			"setting the mode does not taint, but the first bind of a "
			"device without an IOMMU would panic this host, so 'bind' "
			"refuses it",
			mask);
}

static int live_on_off(struct vn_sys *sys, struct noiommu_state *s, bool on,
		       bool dry)
{
	char user[160], now = 0;
	int r;

	if (s->caps.mode == (on ? 'Y' : 'N') || (!on && !s->caps.mode)) {
		say(VN_NOIOMMU_PARAM, "already %s",
		    on ? "enabled" : "disabled");
		return VN_EXIT_OK;
	}
	if (dry) {
		if (s->caps.mode)
			printf("would write %s to /sys/module/vfio/parameters/" VN_NOIOMMU_PARAM
			       "\n",
			       on ? "1" : "0");
		else
			printf("would load vfio with " VN_NOIOMMU_PARAM "=1\n");
		return VN_EXIT_OK;
	}
	r = vn_noiommu_set(sys, on, &now);
	if (r == -EOPNOTSUPP || r == -ENOENT) {
		print_unavailable(&s->caps);
		return VN_EXIT_UNSUPPORTED;
	}
	if (r < 0) {
		vn_err("cannot %s vfio's " VN_NOIOMMU_PARAM ": %s",
		       s->caps.mode ? "write" : "load vfio with", strerror(-r));
		return VN_EXIT_FAILED;
	}
	if (now != (on ? 'Y' : 'N')) {
		vn_err(VN_NOIOMMU_PARAM " reads %c after writing it", now);
		return VN_EXIT_FAILED;
	}
	vn_acting_user(sys, user, sizeof(user));
	vn_audit(sys, "noiommu: " VN_NOIOMMU_PARAM " %c -> %c by %s",
		 s->caps.mode ? s->caps.mode : 'N', now, user);
	say(VN_NOIOMMU_PARAM, "%c -> %c", s->caps.mode ? s->caps.mode : 'N',
	    now);
	s->caps.mode = now;
	return VN_EXIT_OK;
}

/* What 'off' leaves behind: no-IOMMU devices still bound, and how their
 * holders reach them (§2.3: the legacy container breaks on restart). */
static void report_bound(struct vn_sys *sys, const struct noiommu_state *s)
{
	struct vn_holders h = { 0 };
	bool any = false;

	vn_holders_scan(sys, &h);
	for (size_t i = 0; i < s->devs.n; i++) {
		const struct vn_dev *d = s->devs.devs[i];

		if (!d->noiommu)
			continue;
		if (!any)
			say("note",
			    "still bound no-IOMMU devices keep working through "
			    "the cdev and iommufd paths, but an application "
			    "that reopens one through the legacy group and "
			    "container fails (VFIO_SET_IOMMU: ENODEV):");
		any = true;
		say("", "%s (%s)", d->bdf, noiommu_dev_paths(d));
		for (size_t j = 0; j < h.n; j++)
			if (vn_holder_match(&h.v[j], d) == VN_HOLD_YES)
				say("", "  %s[%d] holds it through %s",
				    h.v[j].comm, (int)h.v[j].pid,
				    streq_ptr(h.v[j].target, d->cdev.path) ?
					    "the cdev" :
				    streq_ptr(h.v[j].target, d->group.path) ?
					    "the group (legacy path)" :
					    h.v[j].target);
	}
	if (any)
		say("hint",
		    "'vfio-noiommuctl noiommu off --unbind' returns them to "
		    "their drivers first");
	vn_holders_clear(&h);
}

static int unbind_noiommu(struct vn_sys *sys, const struct noiommu_state *s,
			  const struct noiommu_args *a, int lock)
{
	_cleanup_strv_ char **bdfs = NULL;
	struct vn_txn_args ta = { .timeout_ms = 10000,
				  .dry_run = a->dry_run,
				  .lock_held = true,
				  .lock_fd = lock };

	for (size_t i = 0; i < s->devs.n; i++)
		if (s->devs.devs[i]->noiommu &&
		    strv_push(&bdfs, strdup(s->devs.devs[i]->bdf)) < 0)
			return VN_EXIT_FAILED;
	if (!bdfs)
		return VN_EXIT_OK;
	return vn_txn_run(VN_OP_UNBIND, sys, bdfs, &ta);
}

static int change(struct vn_sys *sys, struct noiommu_state *s,
		  const struct noiommu_args *a, int lock)
{
	bool on = a->action == ON;
	int ret;

	if (s->caps.noiommu.value == VN_NO && !a->root) {
		print_unavailable(&s->caps);
		return VN_EXIT_UNSUPPORTED;
	}
	if (!vn_sys_is_host(sys) && !a->root && !a->dry_run) {
		vn_err("a --sysroot tree is only looked at: use --dry-run, or "
		       "--root to write an image's persistent setting");
		return VN_EXIT_USAGE;
	}
	if (a->persist && (ret = persist_conflict(s, on)))
		return ret;
	if (!a->root) {
		if (!on && a->unbind) {
			ret = unbind_noiommu(sys, s, a, lock);
			if (ret != VN_EXIT_OK)
				return ret;
		}
		ret = live_on_off(sys, s, on, a->dry_run);
		if (ret != VN_EXIT_OK)
			return ret;
	}
	if (a->persist) {
		ret = on ? persist_on(sys, s, a->dry_run) :
			   persist_off(sys, s, a->dry_run);
		if (ret != VN_EXIT_OK)
			return ret;
	}
	if (a->root || a->dry_run)
		return VN_EXIT_OK;
	if (on)
		warn_after_on(sys, &s->caps);
	else if (a->unbind)
		say("note", "the taint (U) stays until reboot");
	else
		report_bound(sys, s);
	return VN_EXIT_OK;
}

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	struct noiommu_args a = { 0 };
	_cleanup_(vn_facts_clear) struct vn_facts f = { 0 };
	struct noiommu_state s = { 0 };
	int lock = -1, ret, r;

	vn_parse_verb(&noiommu_argp, "noiommu", argc, argv, &a);
	if (a.root) {
		struct stat st;

		if (stat(a.root, &st) < 0 || !S_ISDIR(st.st_mode)) {
			vn_err("--root '%s' is not a directory", a.root);
			return VN_EXIT_USAGE;
		}
		if (vn_sys_new(a.root, &sys) < 0) {
			vn_err("--root '%s': cannot use it", a.root);
			return VN_EXIT_USAGE;
		}
	} else if ((ret = vn_cli_open_sys(&sys))) {
		return ret;
	}
	vn_facts_init(&f, sys, a.root != NULL);
	if (a.action != SHOW && !a.dry_run && !a.root &&
	    (ret = vn_cli_take_lock(sys, true, &lock)))
		return ret;
	r = doc_noiommu_gather(&f, &s);
	if (r < 0) {
		vn_err("cannot read the no-IOMMU state: %s", strerror(-r));
		ret = VN_EXIT_FAILED;
	} else if (a.action == SHOW) {
		ret = VN_EXIT_OK;
		if (opts.out.fmt == VN_FMT_JSON ||
		    opts.out.fmt == VN_FMT_PAIRS) {
			struct json_object *doc = doc_noiommu_json(&s);

			vn_doc_print(doc, &opts.out, stdout);
			json_object_put(doc);
		} else {
			print_show(&s);
		}
	} else {
		/* Our lock covers the unbind transaction of --unbind too. */
		ret = change(sys, &s, &a, lock);
	}
	vn_lock_release(lock);
	return ret;
}

const struct vn_verb vn_verb_noiommu = {
	.name = "noiommu",
	.summary = "show or switch no-IOMMU mode, now and across reboots",
	.run = run,
};
