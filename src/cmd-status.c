// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * status: what this kernel can do for no-IOMMU assignment, the mode, the
 * modules, the IOMMU, the VFIO devices and the taint, on one screen.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

#include "cli-transaction.h"
#include "cli.h"
#include "commands.h"
#include "docs.h"
#include "lib/journal.h"

struct status_args {
	bool check;
};

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
	const char *source, *why = doc_status_impossible(&s->caps, &source);

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
	const char *source, *why = doc_status_impossible(c, &source);

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

/* vfio built in: the mode the boot loader's configuration gives the next
 * boot, and whether this boot started with it (noiommu --persist). */
static void print_next_boot(const struct status *s)
{
	const struct vn_setting *from;
	enum vn_tri next;

	if (!s->persist)
		return;
	next = vn_persist_effective(s->persist, &from);
	printf(VN_LABEL "%s%s%s%s", "Next boot", next == VN_YES ? "on" : "off",
	       from ? " (" : "", from ? from->where : "", from ? ")" : "");
	if (s->persist->booted != VN_UNKNOWN &&
	    (s->persist->booted == VN_YES) != (next == VN_YES))
		printf("; this boot started %s: not yet booted (%s)",
		       next == VN_YES ? "off" : "on",
		       vn_loader_next_step(s->persist->loader));
	printf("\n");
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

static void print_list(const char *what, char *const *v)
{
	_cleanup_free_ char *list = strv_join(v, ", ");

	printf("; %s: %s", what, v && v[0] && list ? list : "none");
}

/* What the boot unit's apply found, bound, owned, missed and refused;
 * nothing when no apply --record ran this boot. */
static void print_last_apply(const struct status *s)
{
	const struct vn_apply_record *rec = s->record;
	char when[32];
	time_t t;
	struct tm tm;

	if (!rec) {
		if (s->record_err != -ENOENT)
			printf(VN_LABEL "%s: %s\n", "Last apply",
			       VN_APPLY_RECORD,
			       s->record_err == -EBADMSG ?
				       "not a record of apply" :
				       strerror(-s->record_err));
		return;
	}
	t = (time_t)rec->when;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf(VN_LABEL "%s, exit status %d: %zu declared devices found, %zu "
			"bound, %zu nodes owned",
	       "Last apply", when, rec->exit_status, strv_len(rec->found),
	       strv_len(rec->bound), strv_len(rec->owned));
	print_list("missing", rec->missing);
	print_list("refused", rec->refused);
	printf("\n");
}

/* Does early boot see the declared state as it is now? Said when an
 * initramfs carries it and something is declared, or was. */
static void print_initramfs(const struct status *s)
{
	const struct vn_initramfs *i = s->initramfs;

	if (!i ||
	    (!i->newer && !(s->state && s->state->files && s->state->files[0])))
		return;
	if (!i->newer) {
		printf(VN_LABEL "%s carries the declared state (built after "
				"its last change)\n",
		       "Initramfs", i->image);
		return;
	}
	printf(VN_LABEL "%s is older than %s: early boot still uses the "
			"declared state from before; run '%s'\n",
	       "Initramfs", i->image, i->newer, i->command);
}

/* Why a kernel config that is there was not used (vn_kconfig). */
_Static_assert(VN_KCONFIG_MAX == 16u << 20, "the message says 16 MiB");
static const char *config_error(int err)
{
	switch (err) {
	case -EINVAL:
		return "not a regular file";
	case -EFBIG:
		return "larger than any kernel config (16 MiB)";
	case -EBADMSG:
		return "corrupt or cut short";
	default:
		return strerror(-err);
	}
}

static void print_text(const struct status *s)
{
	const struct vn_caps *c = &s->caps;

	printf(VN_LABEL "%s", "Kernel", c->release ? c->release : "unknown");
	if (c->config.source)
		printf("  (config read from %s)\n", c->config.source);
	else
		printf("  (no kernel config found)\n");
	if (c->config.skipped)
		printf(VN_LABEL "(%s skipped: %s)\n", "", c->config.skipped,
		       config_error(c->config.skipped_err));
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
		print_next_boot(s);
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
	print_last_apply(s);
	print_initramfs(s);
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
	struct vn_facts f;
	struct status s;
	const char *source;
	int r, ret;

	vn_parse_verb(&status_argp, "status", argc, argv, &args);
	ret = vn_cli_open_sys_readonly(&sys);
	if (ret)
		return ret;
	vn_facts_init(&f, sys, false);
	r = doc_status_gather(&f, &s);
	if (r < 0) {
		vn_err("cannot read the kernel state: %s", strerror(-r));
		vn_facts_clear(&f);
		return VN_EXIT_FAILED;
	}
	if (opts.out.fmt == VN_FMT_JSON || opts.out.fmt == VN_FMT_PAIRS) {
		struct json_object *doc = doc_status_json(&s);

		r = vn_doc_print(doc, &opts.out, stdout);
		json_object_put(doc);
	} else if (args.check) {
		/* --check answers with its exit status; -q prints nothing. */
		if (!opts.quiet)
			print_verdict(&s);
	} else {
		print_text(&s);
		vn_print_declared_status(&f);
	}
	ret = args.check && doc_status_impossible(&s.caps, &source) ?
		      VN_EXIT_UNSUPPORTED :
		      VN_EXIT_OK;
	vn_facts_clear(&f);
	if (r < 0 || fflush(stdout) != 0)
		return VN_EXIT_FAILED;
	return ret;
}

const struct vn_verb vn_verb_status = {
	.name = "status",
	.summary = "kernel support, no-IOMMU mode, modules, devices, taint",
	.run = run,
};
