// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metrics: OpenMetrics text for node_exporter's textfile collector: taint,
 * devices on VFIO drivers, devices an interrupted run left between
 * drivers, and the no-IOMMU mode now and at the next load. Every family is
 * a gauge (nothing here only grows), named vfio_noiommuctl_..., in base
 * units; a source that cannot be read drops its families and says so in
 * vfio_noiommuctl_source_readable, so a dashboard never sees a false 0.
 */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "docs.h"
#include "lib/journal.h"

#define PREFIX "vfio_noiommuctl_"

static error_t parse(int key, char *arg, struct argp_state *state)
{
	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	argp_error(state, "metrics takes no arguments ('%s' given)", arg);
	return 0;
}

static const struct argp metrics_argp = {
	.parser = parse,
	.doc = "Print OpenMetrics text for node_exporter's textfile collector: "
	       "kernel taint and its U flag, devices on VFIO drivers, devices "
	       "left between drivers, no-IOMMU mode now and persisted.\v"
	       "--file writes the file as 0644 and atomically, so that "
	       "node_exporter never reads half of it. Exit status: 0; 1 when "
	       "the state cannot be read or written; 2 on usage errors.",
	.children = vn_children_file,
};

/* A label value or HELP text: backslash, double quote, newline escaped
 * (OpenMetrics 1.0, ABNF escaped-string). */
static void put_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP " PREFIX "%s ", name);
	put_escaped(out, help);
	fprintf(out, "\n# TYPE " PREFIX "%s gauge\n", name);
}

static void gauge(FILE *out, const char *name, const char *help, long long v)
{
	family(out, name, help);
	fprintf(out, PREFIX "%s %lld\n", name, v);
}

static void add_taint(FILE *out, const struct vn_facts *f)
{
	if (f->taint_err < 0)
		return;
	gauge(out, "kernel_taint",
	      "The kernel's taint flags as a number (/proc/sys/kernel/tainted).",
	      (long long)f->taint);
	gauge(out, "kernel_taint_user",
	      "1 when taint flag U (bit 6) is set: binding a device without an "
	      "IOMMU sets it until reboot.",
	      !!(f->taint & VN_TAINT_USER));
}

/* A series per VFIO driver and no-IOMMU state; vfio-pci's two always,
 * so that a dashboard sees 0 rather than nothing. */
static void add_devices(FILE *out, const struct vn_facts *f)
{
	_cleanup_strv_ char **drivers = NULL;

	if (strv_push(&drivers, strdup("vfio-pci")) < 0)
		return;
	for (size_t i = 0; i < f->devs.n; i++) {
		const struct vn_dev *d = f->devs.devs[i];

		if (vn_dev_is_vfio(d) && d->driver &&
		    !strv_contains(drivers, d->driver) &&
		    strv_push(&drivers, strdup(d->driver)) < 0)
			return;
	}
	family(out, "devices",
	       "PCI functions on a VFIO driver (vfio-pci or a variant), by "
	       "driver and whether VFIO registered them without an IOMMU.");
	for (size_t k = 0; drivers[k]; k++)
		for (int noiommu = 0; noiommu <= 1; noiommu++) {
			long long n = 0;

			for (size_t i = 0; i < f->devs.n; i++) {
				const struct vn_dev *d = f->devs.devs[i];

				n += vn_dev_is_vfio(d) &&
				     streq_ptr(d->driver, drivers[k]) &&
				     d->noiommu == noiommu;
			}
			fputs(PREFIX "devices{driver=\"", out);
			put_escaped(out, drivers[k]);
			fprintf(out, "\",noiommu=\"%s\"} %lld\n",
				noiommu ? "true" : "false", n);
		}
}

static void add_journal(FILE *out, const struct vn_facts *f)
{
	if (f->journal_err < 0)
		return;
	gauge(out, "journal_unfinished_devices",
	      "Devices an interrupted bind or unbind left between drivers; "
	      "'vfio-noiommuctl unbind BDF' finishes the job.",
	      (long long)strv_len(f->unfinished));
}

static void add_mode(FILE *out, const struct vn_facts *f)
{
	const struct vn_setting *from;
	enum vn_tri next = vn_persist_effective(&f->persist, &from);

	if (f->caps.noiommu.value != VN_UNKNOWN)
		gauge(out, "noiommu_mode_available",
		      "1 when this kernel has no-IOMMU mode "
		      "(CONFIG_VFIO_NOIOMMU).",
		      f->caps.noiommu.value == VN_YES);
	gauge(out, "noiommu_mode_enabled",
	      "1 when vfio's enable_unsafe_noiommu_mode is on now.",
	      f->caps.mode == 'Y');
	gauge(out, "noiommu_mode_persistent",
	      "1 when the next load of vfio turns no-IOMMU mode on (modprobe.d, "
	      "kernel command line).",
	      next == VN_YES);
}

/* The declared state (vfio-noiommuctl.conf(5)): its entries by how they
 * match the devices present, the declared devices not in place and the
 * drift (in apply's words, vfio-noiommuctl(8)). Not there when
 * /etc/vfio-noiommuctl cannot be read. */
static bool state_readable(const struct vn_facts *f)
{
	return f->state_err == 0 || f->state_err == -EINVAL;
}

static int add_declared(FILE *out, const struct vn_facts *f)
{
	_cleanup_strv_ char **not_in_place = NULL;

	if (!state_readable(f))
		return 0;
	if (vn_apply_to_bind(&f->apply, &not_in_place) < 0)
		return -ENOMEM;
	family(out, "declared_entries",
	       "Entries of the declared state (/etc/vfio-noiommuctl) by how "
	       "they match the devices present (no-device: declared, missing).");
	for (int r = VN_MATCH_OK; r <= VN_MATCH_OVERRIDDEN; r++) {
		long long n = 0;

		for (size_t i = 0; i < f->matches.n; i++)
			n += f->matches.v[i].result == (enum vn_match_result)r;
		fprintf(out, PREFIX "declared_entries{result=\"%s\"} %lld\n",
			vn_match_result_name((enum vn_match_result)r), n);
	}
	gauge(out, "declared_devices_not_in_place",
	      "Devices the declared state governs that are not on its driver "
	      "(apply binds them).",
	      (long long)strv_len(not_in_place));
	gauge(out, "drift_devices",
	      "Devices vfio-noiommuctl bound that no entry declares any more "
	      "(apply --prune returns them).",
	      (long long)f->apply.ndrift);
	return 0;
}

static void add_readable(FILE *out, const struct vn_facts *f)
{
	family(out, "source_readable",
	       "1 when a source could be read; 0 means the families made from "
	       "it are missing (run as root).");
	fprintf(out, PREFIX "source_readable{source=\"taint\"} %d\n",
		f->taint_err == 0);
	fprintf(out, PREFIX "source_readable{source=\"journal\"} %d\n",
		f->journal_err == 0);
	fprintf(out, PREFIX "source_readable{source=\"desired_state\"} %d\n",
		state_readable(f));
}

static int write_metrics(const struct vn_facts *f, FILE *out)
{
	family(out, "build_info",
	       "vfio-noiommuctl's version, as a label; the value is 1.");
	fprintf(out, PREFIX "build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	add_taint(out, f);
	add_devices(out, f);
	add_journal(out, f);
	add_mode(out, f);
	if (add_declared(out, f) < 0)
		return -ENOMEM;
	add_readable(out, f);
	fputs("# EOF\n", out);
	return ferror(out) ? -EIO : 0;
}

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	_cleanup_(vn_facts_clear) struct vn_facts f = { 0 };
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int ret, r;

	vn_parse_verb(&metrics_argp, "metrics", argc, argv, NULL);
	if ((ret = vn_cli_open_sys_readonly(&sys)))
		return ret;
	vn_facts_init(&f, sys, false);
	r = vn_facts_need(&f, VN_FACT_TAINT | VN_FACT_DEVS | VN_FACT_JOURNAL |
				      VN_FACT_CAPS | VN_FACT_PERSIST |
				      VN_FACT_APPLY);
	if (r < 0) {
		vn_err("cannot read the kernel state: %s", strerror(-r));
		return VN_EXIT_FAILED;
	}
	out = open_memstream(&buf, &len);
	if (!out)
		return VN_EXIT_FAILED;
	r = write_metrics(&f, out);
	if (fclose(out) != 0 || r < 0)
		return VN_EXIT_FAILED;
	/* node_exporter reads the directory at any moment: a new file
	 * renamed over the old one, never one being written. */
	return vn_cli_write_output("metrics", buf, len, 0644);
}

const struct vn_verb vn_verb_metrics = {
	.name = "metrics",
	.summary = "OpenMetrics for node_exporter's textfile collector",
	.run = run,
};
