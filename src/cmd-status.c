// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * status: what this kernel can do for no-IOMMU assignment, the mode, the
 * modules, the IOMMU, the VFIO devices and the taint, on one screen.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "lib/binding.h"
#include "lib/journal.h"
#include "lib/kernel.h"
#include "lib/taint.h"
#include "lib/vfio.h"

struct status_args {
	bool check;
};

struct status {
	struct vn_caps caps;
	struct vn_iommu_state iommu;
	size_t nvfio, nnoiommu;
	int taint_err;
	unsigned long taint;
	int pot; /* 1 when panic_on_taint is set */
	unsigned long pot_mask;
	bool pot_nousertaint;
	char **journal; /* every BDF with a record */
	char **unfinished; /* those an interrupted run left (or corrupt) */
	bool journal_denied; /* not readable by this user */
};

static void status_clear(struct status *s)
{
	vn_caps_clear(&s->caps);
	vn_iommu_state_clear(&s->iommu);
	strv_free(s->journal);
	strv_free(s->unfinished);
}

/*
 * Count the VFIO devices and the no-IOMMU ones among them. Every vfio
 * device gets an object in the "vfio-dev" class, cdev or not (its class is
 * set in drivers/vfio/vfio_main.c, vfio_init_device(), and the object
 * added in vfio_device_add()), whose "device" link names its PCI function:
 * only those are read, so that status costs the same on a host with a
 * thousand PCI functions as on one with ten. Objects whose parent is not
 * a PCI function (mdev, platform) are not counted, as before.
 */
static int count_vfio(struct vn_sys *sys, struct status *s)
{
	_cleanup_strv_ char **names = NULL;
	int r = vn_list_dir(sys, &names, "/sys/class/vfio-dev");

	if (r == -ENOENT)
		return 0; /* vfio is not loaded: no device */
	if (r < 0)
		return r;
	for (size_t i = 0; names[i]; i++) {
		_cleanup_free_ char *bdf = NULL;
		_cleanup_(vn_dev_freep) struct vn_dev *d = NULL;

		if (vn_link_name(sys, &bdf, "/sys/class/vfio-dev/%s/device",
				 names[i]) < 0)
			continue; /* unbound between the listing and now */
		r = vn_vfio_dev_read(sys, bdf, &d);
		if (r == -ENODEV || r == -EINVAL) /* not a PCI function */
			continue;
		if (r < 0)
			return r;
		if (!vn_dev_is_vfio(d))
			continue;
		s->nvfio++;
		s->nnoiommu += d->noiommu;
	}
	return 0;
}

static int gather(struct vn_sys *sys, struct status *s)
{
	int r;

	r = vn_caps_probe(sys, &s->caps);
	if (r < 0)
		return r;
	r = vn_iommu_probe(sys, &s->iommu);
	if (r < 0)
		return r;
	s->taint_err = vn_taint_read(sys, &s->taint);
	s->pot = vn_panic_on_taint(sys, &s->pot_mask, &s->pot_nousertaint);
	r = vn_journal_list(sys, &s->journal);
	if (r == 0)
		r = vn_journal_unfinished(sys, &s->unfinished);
	/* Not allowed to read it: the journal is unknown, not an error. */
	s->journal_denied = vn_err_denied(r);
	if (r < 0 && !s->journal_denied)
		return r;

	return count_vfio(sys, s);
}

/* Why no-IOMMU assignment cannot work here; NULL when it can. */
static const char *impossible(const struct vn_caps *c, const char **source)
{
	*source = NULL;
	if (c->vfio.value == VN_NO) {
		*source = c->vfio.source;
		return "this kernel has no VFIO";
	}
	if (c->noiommu.value == VN_NO) {
		*source = c->noiommu.source;
		return "this kernel was built without CONFIG_VFIO_NOIOMMU";
	}
	switch (vn_caps_paths(c)) {
	case VN_PATHS_NONE:
		return "neither the group nor the cdev path is available for "
		       "no-IOMMU devices";
	case VN_PATHS_UNKNOWN:
		*source = c->noiommu.value == VN_UNKNOWN ? c->noiommu.source :
							   c->group.source;
		return "it cannot be confirmed on this kernel";
	default:
		return NULL;
	}
}

static void print_unavailable_hint(const struct vn_caps *c)
{
	if (c->vfio.value == VN_NO) {
		printf(VN_INDENT
		       "VFIO needs CONFIG_VFIO and CONFIG_VFIO_PCI; no-IOMMU "
		       "mode also needs CONFIG_VFIO_NOIOMMU.\n");
		return;
	}
	printf(VN_INDENT
	       "Ubuntu, Fedora and RHEL kernels enable it; for "
	       "/dev/vfio/devices/noiommu-vfioN the kernel also needs\n" VN_INDENT
	       "CONFIG_VFIO_DEVICE_CDEV and CONFIG_IOMMUFD (Linux 7.3 or later).\n");
}

static void print_verdict(const struct status *s)
{
	const char *source, *why = impossible(&s->caps, &source);

	if (!why) {
		printf(VN_LABEL "possible: %s\n", "No-IOMMU",
		       vn_paths_sentence(vn_caps_paths(&s->caps)));
		return;
	}
	printf(VN_LABEL "not available: %s\n", "No-IOMMU mode", why);
	if (source)
		printf(VN_INDENT "(%s)\n", source);
	print_unavailable_hint(&s->caps);
}

static void print_mode(const struct status *s)
{
	const struct vn_caps *c = &s->caps;
	const char *source, *why = impossible(c, &source);

	if (why && c->noiommu.value != VN_YES) {
		print_verdict(s);
		return;
	}
	if (c->mode == 'Y')
		printf(VN_LABEL "on  (enable_unsafe_noiommu_mode=Y)\n",
		       "No-IOMMU mode");
	else if (c->mode == 'N')
		printf(VN_LABEL
		       "off (enable_unsafe_noiommu_mode=N): binding a device "
		       "without an IOMMU fails until it is on\n",
		       "No-IOMMU mode");
	else
		printf(VN_LABEL "off: vfio is not loaded; loading it with "
				"enable_unsafe_noiommu_mode=1 turns it on\n",
		       "No-IOMMU mode");
}

static void print_caps(const struct vn_caps *c)
{
	const struct {
		const char *label;
		const struct vn_answer *a;
	} rows[] = {
		{ "VFIO", &c->vfio },
		{ "group interface", &c->group },
		{ "cdev interface", &c->cdev },
		{ "no-IOMMU", &c->noiommu },
		{ "iommufd", &c->iommufd },
		{ "iommufd no-IOMMU", &c->iommufd_noiommu },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		printf(VN_LABEL "%-17s %-8s %s\n", i ? "" : "Capabilities",
		       rows[i].label, vn_tri_str(rows[i].a->value),
		       rows[i].a->source ? rows[i].a->source : "");
	printf(VN_LABEL "%s: %s\n", "Access paths",
	       vn_paths_name(vn_caps_paths(c)),
	       vn_paths_sentence(vn_caps_paths(c)));
}

static void print_iommu(const struct vn_iommu_state *st)
{
	_cleanup_free_ char *units = strv_join(st->units, ", ");

	if (units && *units) {
		printf(VN_LABEL
		       "active: %s (devices behind it are not no-IOMMU)\n",
		       "IOMMU", units);
		return;
	}
	if (st->fw_table) {
		printf(VN_LABEL
		       "none active, but the firmware describes one (ACPI %s "
		       "table)%s%s\n",
		       "IOMMU", st->fw_table,
		       st->cmdline_setting ? "; the kernel command line has " :
					     "",
		       st->cmdline_setting ? st->cmdline_setting : "");
		printf(VN_INDENT
		       "boot with %s rather than use no-IOMMU mode: it "
		       "gives DMA isolation and no taint\n",
		       vn_iommu_enable_param(st));
		return;
	}
	printf(VN_LABEL "none: no DMAR/IVRS table in ACPI, /sys/class/iommu is "
			"empty\n",
	       "IOMMU");
}

static void print_taint(const struct status *s)
{
	char letters[VN_TAINT_COUNT + 1];

	if (s->taint_err < 0) {
		printf(VN_LABEL "unknown: /proc/sys/kernel/tainted: %s\n",
		       "Taint", strerror(-s->taint_err));
		return;
	}
	if (!s->taint) {
		printf(VN_LABEL "0 (not tainted)\n", "Taint");
		return;
	}
	vn_taint_letters(s->taint, letters, sizeof(letters));
	printf(VN_LABEL "%lu (%s)", "Taint", s->taint, letters);
	if ((s->taint & VN_TAINT_USER) && s->nnoiommu)
		printf("; binding a no-IOMMU device sets U, and %zu %s bound",
		       s->nnoiommu, s->nnoiommu == 1 ? "is" : "are");
	else if (s->taint & VN_TAINT_USER)
		printf("; U is set, but no no-IOMMU device is bound now");
	putchar('\n');
}

static void print_pot(const struct status *s)
{
	if (s->pot != 1) {
		printf(VN_LABEL "not set\n", "Panic on taint");
		return;
	}
	printf(VN_LABEL "0x%lx%s from the kernel command line%s\n",
	       "Panic on taint", s->pot_mask,
	       s->pot_nousertaint ? ",nousertaint" : "",
	       s->pot_mask & VN_TAINT_USER ?
		       ": covers U, so binding a no-IOMMU device would panic "
		       "this host" :
		       ": does not cover U");
}

static void print_journal(const struct status *s)
{
	_cleanup_free_ char *list = NULL;

	if (s->journal_denied) {
		printf(VN_LABEL "not readable by this user (%s); run as root\n",
		       "Journal", VN_JOURNAL_DIR);
		return;
	}
	list = strv_join(s->unfinished, ", ");
	if (!s->unfinished || !s->unfinished[0]) {
		printf(VN_LABEL
		       "%zu device%s recorded by bind, no interrupted run\n",
		       "Journal", strv_len(s->journal),
		       strv_len(s->journal) == 1 ? "" : "s");
		return;
	}
	printf(VN_LABEL
	       "interrupted run left %s between drivers; 'vfio-noiommuctl "
	       "unbind BDF' puts %s back\n",
	       "Journal", list ? list : "?", s->unfinished[1] ? "them" : "it");
}

static void print_text(const struct status *s)
{
	const struct vn_caps *c = &s->caps;

	printf(VN_LABEL "%s", "Kernel", c->release ? c->release : "unknown");
	if (c->config.source)
		printf("  (config read from %s)\n", c->config.source);
	else
		printf("  (no kernel config found)\n");
	printf(VN_LABEL "vfio %s, vfio_pci %s, iommufd %s\n", "Modules",
	       vn_mod_state_str(c->mod_vfio), vn_mod_state_str(c->mod_vfio_pci),
	       vn_mod_state_str(c->mod_iommufd));
	if (c->vfio.value == VN_NO && !opts.verbose) {
		/* Nothing below VFIO can exist: say that once, plainly. */
		printf(VN_LABEL "not available: this kernel has no VFIO (%s)\n",
		       "VFIO", c->vfio.source);
		print_unavailable_hint(c);
	} else {
		print_caps(c);
		print_mode(s);
	}
	print_iommu(&s->iommu);
	if (s->nvfio)
		printf(VN_LABEL "%zu on VFIO drivers, %zu of them no-IOMMU\n",
		       "Devices", s->nvfio, s->nnoiommu);
	else
		printf(VN_LABEL "none on VFIO drivers\n", "Devices");
	print_taint(s);
	print_pot(s);
	print_journal(s);
}

/* ---- JSON / pairs ------------------------------------------------------ */

static struct json_object *jtri(enum vn_tri t)
{
	return t == VN_UNKNOWN ? NULL : json_object_new_boolean(t == VN_YES);
}

static struct json_object *janswer(const struct vn_answer *a)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "available", jtri(a->value));
	json_object_object_add(o, "source", vn_jstr(a->source));
	return o;
}

static struct json_object *jcaps(const struct vn_caps *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "vfio", janswer(&c->vfio));
	json_object_object_add(o, "group", janswer(&c->group));
	json_object_object_add(o, "cdev", janswer(&c->cdev));
	json_object_object_add(o, "noiommu", janswer(&c->noiommu));
	json_object_object_add(o, "iommufd", janswer(&c->iommufd));
	json_object_object_add(o, "iommufd_noiommu",
			       janswer(&c->iommufd_noiommu));
	json_object_object_add(o, "noiommu_group", janswer(&c->noiommu_group));
	json_object_object_add(o, "noiommu_cdev", janswer(&c->noiommu_cdev));
	return o;
}

static struct json_object *jmodules(const struct vn_caps *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "vfio",
			       vn_jstr(vn_mod_state_str(c->mod_vfio)));
	json_object_object_add(o, "vfio_pci",
			       vn_jstr(vn_mod_state_str(c->mod_vfio_pci)));
	json_object_object_add(o, "iommufd",
			       vn_jstr(vn_mod_state_str(c->mod_iommufd)));
	return o;
}

static struct json_object *jmode(const struct vn_caps *c)
{
	struct json_object *o = json_object_new_object();
	char param[2] = { c->mode, '\0' };

	json_object_object_add(o, "available", jtri(c->noiommu.value));
	json_object_object_add(
		o, "enabled",
		c->mode ? json_object_new_boolean(c->mode == 'Y') :
		c->noiommu.value == VN_YES ? json_object_new_boolean(0) :
					     NULL);
	json_object_object_add(o, "parameter", c->mode ? vn_jstr(param) : NULL);
	return o;
}

static struct json_object *jiommu(const struct vn_iommu_state *st)
{
	struct json_object *o = json_object_new_object();
	struct json_object *units = json_object_new_array();

	for (size_t i = 0; st->units && st->units[i]; i++)
		json_object_array_add(units, vn_jstr(st->units[i]));
	json_object_object_add(o, "active",
			       json_object_new_boolean(st->units &&
						       st->units[0]));
	json_object_object_add(o, "units", units);
	json_object_object_add(o, "firmware_table", vn_jstr(st->fw_table));
	json_object_object_add(o, "cmdline", vn_jstr(st->cmdline_setting));
	return o;
}

static struct json_object *jtaint(const struct status *s)
{
	struct json_object *o = json_object_new_object();
	char letters[VN_TAINT_COUNT + 1];

	if (s->taint_err < 0) {
		json_object_object_add(o, "value", NULL);
		return o;
	}
	vn_taint_letters(s->taint, letters, sizeof(letters));
	json_object_object_add(o, "value",
			       json_object_new_int64((int64_t)s->taint));
	json_object_object_add(o, "letters", vn_jstr(letters));
	json_object_object_add(
		o, "user", json_object_new_boolean(s->taint & VN_TAINT_USER));
	return o;
}

static struct json_object *jpot(const struct status *s)
{
	struct json_object *o = json_object_new_object();
	bool set = s->pot == 1;

	json_object_object_add(o, "set", json_object_new_boolean(set));
	json_object_object_add(
		o, "mask",
		set ? json_object_new_int64((int64_t)s->pot_mask) : NULL);
	json_object_object_add(o, "nousertaint",
			       json_object_new_boolean(set &&
						       s->pot_nousertaint));
	json_object_object_add(
		o, "covers_user",
		json_object_new_boolean(set && (s->pot_mask & VN_TAINT_USER)));
	return o;
}

static struct json_object *jcheck(const struct vn_caps *c)
{
	struct json_object *o = json_object_new_object();
	const char *source, *why = impossible(c, &source);

	json_object_object_add(o, "possible", json_object_new_boolean(!why));
	json_object_object_add(o, "reason", vn_jstr(why));
	json_object_object_add(o, "source", vn_jstr(source));
	return o;
}

/* records and unfinished are null when the journal may not be read. */
static struct json_object *jjournal(const struct status *s)
{
	struct json_object *j = json_object_new_object();
	struct json_object *u = NULL;

	if (!s->journal_denied) {
		u = json_object_new_array();
		for (size_t i = 0; s->unfinished && s->unfinished[i]; i++)
			json_object_array_add(u, vn_jstr(s->unfinished[i]));
	}
	json_object_object_add(
		j, "records",
		s->journal_denied ?
			NULL :
			json_object_new_int64((int64_t)strv_len(s->journal)));
	json_object_object_add(j, "unfinished", u);
	return j;
}

static struct json_object *document(const struct status *s)
{
	const struct vn_caps *c = &s->caps;
	struct json_object *doc = json_object_new_object();
	struct json_object *kernel = json_object_new_object();
	struct json_object *devs = json_object_new_object();
	enum vn_paths paths = vn_caps_paths(c);
	static const char *const containers[] = {
		[VN_CONTAINER_NONE] = "none",
		[VN_CONTAINER_VFIO] = "vfio",
		[VN_CONTAINER_IOMMUFD] = "iommufd",
		[VN_CONTAINER_UNKNOWN] = "unknown",
	};

	json_object_object_add(kernel, "release", vn_jstr(c->release));
	json_object_object_add(kernel, "config", vn_jstr(c->config.source));
	json_object_object_add(doc, "kernel", kernel);
	json_object_object_add(doc, "modules", jmodules(c));
	json_object_object_add(doc, "capabilities", jcaps(c));
	json_object_object_add(doc, "access_paths",
			       vn_jstr(vn_paths_name(paths)));
	json_object_object_add(doc, "access_paths_meaning",
			       vn_jstr(vn_paths_sentence(paths)));
	json_object_object_add(doc, "container",
			       vn_jstr(containers[c->container]));
	json_object_object_add(doc, "noiommu_mode", jmode(c));
	json_object_object_add(doc, "iommu", jiommu(&s->iommu));
	json_object_object_add(devs, "vfio",
			       json_object_new_int64((int64_t)s->nvfio));
	json_object_object_add(devs, "noiommu",
			       json_object_new_int64((int64_t)s->nnoiommu));
	json_object_object_add(doc, "devices", devs);
	json_object_object_add(doc, "taint", jtaint(s));
	json_object_object_add(doc, "panic_on_taint", jpot(s));
	json_object_object_add(doc, "check", jcheck(c));
	json_object_object_add(doc, "journal", jjournal(s));
	return doc;
}

/* ---- command ----------------------------------------------------------- */

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct status_args *a = state->input;

	(void)arg;
	switch (key) {
	case 'c':
		a->check = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "status takes no arguments ('%s' given)",
			   arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "check", 'c', NULL, 0,
	  "Only say whether no-IOMMU device assignment is possible on this "
	  "kernel; exit 3 when it is not",
	  0 },
	{ 0 }
};

static const struct argp status_argp = {
	.options = options,
	.parser = parse,
	.doc = "Show kernel support for VFIO no-IOMMU assignment, the mode, "
	       "modules, IOMMU, VFIO devices and taint.\v"
	       "Exit status: 0, or with --check 3 when no-IOMMU assignment is "
	       "impossible on this kernel; 2 on usage errors.",
	.children = vn_children_doc,
};

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	struct status_args args = { 0 };
	struct status s = { 0 };
	const char *source;
	int r, ret;

	vn_parse_verb(&status_argp, "status", argc, argv, &args);
	ret = vn_cli_open_sys(&sys);
	if (ret)
		return ret;
	r = gather(sys, &s);
	if (r < 0) {
		vn_err("cannot read the kernel state: %s", strerror(-r));
		status_clear(&s);
		return VN_EXIT_FAILED;
	}
	if (opts.out.fmt == VN_FMT_JSON || opts.out.fmt == VN_FMT_PAIRS) {
		struct json_object *doc = document(&s);

		r = vn_doc_print(doc, &opts.out, stdout);
		json_object_put(doc);
	} else if (args.check) {
		print_verdict(&s);
	} else {
		print_text(&s);
	}
	ret = args.check && impossible(&s.caps, &source) ? VN_EXIT_UNSUPPORTED :
							   VN_EXIT_OK;
	status_clear(&s);
	if (r < 0 || fflush(stdout) != 0)
		return VN_EXIT_FAILED;
	return ret;
}

const struct vn_verb vn_verb_status = {
	.name = "status",
	.summary = "kernel support, no-IOMMU mode, modules, devices, taint",
	.run = run,
};
