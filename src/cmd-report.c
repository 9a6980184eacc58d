// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report: everything a support engineer needs about VFIO and taint on this
 * host in one file: a JSON document, or a tar archive of it with the raw
 * files it was made from. Reads each source once (a snapshot of the
 * system), writes nothing but its output, works as any user and says
 * what it could not read; --redact hides host names, addresses and serial
 * numbers behind consistent placeholders.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "docs.h"
#include "lib/journal.h"
#include "lib/redact.h"
#include "lib/state.h"
#include "lib/tar.h"

/* The version of report's document: raise it when a field changes meaning
 * or goes away (doc/schema/report.json). */
#define REPORT_SCHEMA 2
#define ARCHIVE_DIR "vfio-noiommuctl-report/"
#define DRIVERCTL_DIR "/etc/driverctl.d"

enum {
	OPT_ARCHIVE = 0x600,
	OPT_REDACT,
};

struct report_args {
	bool archive;
	bool redact;
};

/* A raw file for the archive, as read (redacted on the way out). */
struct member {
	char *name;
	char *data;
};

struct report {
	struct vn_facts f;
	struct json_object *doc;
	struct json_object *unreadable; /* [{source, error}] */
	char **involved; /* BDFs the report is about */
	struct member *files;
	size_t nfiles;
	time_t now;
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct report_args *a = state->input;

	switch (key) {
	case 'J':
		break; /* the default */
	case OPT_ARCHIVE:
		a->archive = true;
		break;
	case OPT_REDACT:
		a->redact = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "report takes no arguments ('%s' given)",
			   arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "json", 'J', NULL, 0, "Write the JSON document (the default)", 0 },
	{ "archive", OPT_ARCHIVE, NULL, 0,
	  "Write a tar archive: the document and the raw files it was made "
	  "from",
	  0 },
	{ "redact", OPT_REDACT, NULL, 0,
	  "Replace host names, MAC and IP addresses and serial numbers with "
	  "placeholders, the same value always the same one",
	  0 },
	{ 0 }
};

static const struct argp report_argp = {
	.options = options,
	.parser = parse,
	.doc = "Write one file for a support ticket: status, every PCI "
	       "function, taint with its attribution, the no-IOMMU settings, "
	       "the journal, the kernel's VFIO and IOMMU configuration, the "
	       "kernel log lines about them, the kernel command line, "
	       "modprobe.d lines and driverctl overrides.\v"
	       "Runs as any user: what it could not read is listed under "
	       "\"unreadable\". --file writes the file as 0600. Exit status: 0; "
	       "1 when it cannot be written; 2 on usage errors.",
	.children = vn_children_file,
};

/* ---- collecting ------------------------------------------------------- */

static void unreadable(struct report *rp, const char *source, int err)
{
	struct json_object *o = json_object_new_object();
	char buf[32];

	json_object_object_add(o, "source", vn_jstr(source));
	json_object_object_add(o, "error",
			       vn_jstr(vn_errno_name(-err, buf, sizeof(buf))));
	json_object_object_add(o, "message", vn_jstr(strerror(-err)));
	json_object_array_add(rp->unreadable, o);
}

static int add_member(struct report *rp, const char *path, const char *data)
{
	struct member *nv = realloc(rp->files, (rp->nfiles + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	rp->files = nv;
	nv[rp->nfiles] = (struct member){ .name = strdup(path + 1),
					  .data = strdup(data) };
	rp->nfiles++;
	return nv[rp->nfiles - 1].name && nv[rp->nfiles - 1].data ? 0 : -ENOMEM;
}

/* A file of the system, kept raw for the archive; NULL (and the reason
 * listed) when it cannot be read. */
static char *read_source(struct vn_sys *sys, struct report *rp,
			 const char *path)
{
	char *text = NULL;
	int r = vn_read_file(sys, &text, "%s", path);

	if (r < 0) {
		if (r != -ENOENT)
			unreadable(rp, path, r);
		return NULL;
	}
	if (add_member(rp, path, text) < 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int involve(struct report *rp, const char *bdf)
{
	if (strv_contains(rp->involved, bdf))
		return 0;
	return strv_push(&rp->involved, strdup(bdf));
}

/* Devices on VFIO drivers, in the journal, named by the log as having
 * set U, or overridden by driverctl. */
static int find_involved(struct report *rp)
{
	const struct vn_facts *f = &rp->f;
	int r = 0;

	for (size_t i = 0; r == 0 && i < f->devs.n; i++)
		if (vn_dev_is_vfio(f->devs.devs[i]))
			r = involve(rp, f->devs.devs[i]->bdf);
	for (size_t i = 0; r == 0 && f->journal && f->journal[i]; i++)
		r = involve(rp, f->journal[i]);
	for (size_t i = 0; r == 0 && i < f->attr.n; i++)
		r = involve(rp, f->attr.v[i].bdf);
	return r;
}

static void put(struct report *rp, const char *key, struct json_object *v)
{
	json_object_object_add(rp->doc, key, v);
}

static struct json_object *jtime(time_t t)
{
	char buf[32];
	struct tm tm;

	if (t <= 0)
		return NULL;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_object_new_string(buf);
}

static void add_meta(struct report *rp, const struct report_args *a)
{
	struct vn_sys *sys = rp->f.sys;
	struct json_object *o = json_object_new_object();
	struct json_object *feat = json_object_new_object();

	json_object_object_add(o, "tool", vn_jstr(PACKAGE_NAME));
	json_object_object_add(o, "version", vn_jstr(PACKAGE_VERSION));
	json_object_object_add(feat, "test_hooks",
			       json_object_new_boolean(ENABLE_TEST_HOOKS));
	json_object_object_add(feat, "pci_ids", vn_jstr(PCI_IDS_PATH));
	json_object_object_add(o, "features", feat);
	json_object_object_add(o, "generated", jtime(rp->now));
	json_object_object_add(o, "sysroot",
			       vn_sys_is_host(sys) ? NULL : vn_jstr(sys->root));
	json_object_object_add(o, "uid", json_object_new_int((int)getuid()));
	json_object_object_add(o, "euid", json_object_new_int((int)geteuid()));
	json_object_object_add(o, "redacted",
			       json_object_new_boolean(a->redact));
	put(rp, "report", o);
}

static void add_host(struct report *rp, struct vn_redactor *red)
{
	struct vn_sys *sys = rp->f.sys;
	struct json_object *o = json_object_new_object();
	_cleanup_free_ char *name = NULL, *cmdline = NULL;
	int r = vn_read_text(sys, &name, "/proc/sys/kernel/hostname");

	if (r < 0)
		unreadable(rp, "/proc/sys/kernel/hostname", r);
	cmdline = read_source(sys, rp, "/proc/cmdline");
	if (cmdline)
		strip_trailing(cmdline);
	if (name && strchr(name, '.')) {
		/* The short name stands alone in logs and command lines. */
		_cleanup_free_ char *label = strndup(name, strcspn(name, "."));

		vn_redact_add(red, VN_REDACT_HOST, label);
	}
	vn_redact_add(red, VN_REDACT_HOST, name);
	json_object_object_add(o, "hostname", vn_jstr(name));
	json_object_object_add(o, "kernel", vn_jstr(vn_sys_release(sys)));
	json_object_object_add(o, "boot_time", jtime((time_t)rp->f.btime));
	json_object_object_add(o, "cmdline", vn_jstr(cmdline));
	put(rp, "host", o);
}

/* The documents of status, list --all, taint and noiommu show, as those
 * commands print them with --json (the same builders, src/doc-*.c). */
static int add_documents(struct report *rp)
{
	_cleanup_(vn_table_freep) struct vn_table *t = NULL;
	struct vn_outopts o = { .fmt = VN_FMT_JSON };
	struct taint_report tr = { .mask = rp->f.taint, .host = true };
	struct noiommu_state ns;
	struct status st;
	struct json_object *list;
	size_t shown = 0;
	int r;

	if ((r = doc_status_gather(&rp->f, &st)) < 0 ||
	    (r = doc_taint_gather(&rp->f, &tr)) < 0 ||
	    (r = doc_noiommu_gather(&rp->f, &ns)) < 0 ||
	    (r = vn_table_new(doc_list_columns, doc_list_ncolumns, &o, &t,
			      NULL)) < 0 ||
	    (r = doc_list_fill(&rp->f, t, true, NULL, &shown)) < 0)
		return r;
	list = vn_table_json(t, DOC_LIST_KEY, DOC_LIST_SCHEMA);
	if (!list)
		return -ENOMEM;
	put(rp, "status", doc_status_json(&st));
	put(rp, "list", list);
	/* Unreadable: null here, and listed under "unreadable". */
	put(rp, "taint",
	    rp->f.taint_err < 0 ? NULL : doc_taint_json(rp->f.sys, &tr));
	put(rp, "noiommu", doc_noiommu_json(&ns));
	return 0;
}

static struct json_object *jrecord(const struct vn_record *rec)
{
	struct json_object *o = json_object_new_object();
	struct json_object *nd = json_object_new_array();

	for (size_t i = 0; rec->netdevs && rec->netdevs[i]; i++)
		json_object_array_add(nd, vn_jstr(rec->netdevs[i]));
	/* "state" and "step" as list's JOURNAL column has them. */
	json_object_object_add(
		o, "state",
		vn_jstr(vn_record_unfinished(rec) ? "interrupted" : "bound"));
	json_object_object_add(o, "step", vn_jstr(vn_step_name(rec->step)));
	json_object_object_add(o, "original_driver", vn_jstr(rec->orig_driver));
	json_object_object_add(o, "original_override",
			       vn_jstr(rec->orig_override));
	json_object_object_add(o, "target", vn_jstr(rec->target));
	json_object_object_add(o, "netdevs", nd);
	json_object_object_add(o, "time", jtime(rec->when));
	json_object_object_add(o, "user", doc_user_json(rec->user));
	return o;
}

/* Every journal record, decoded, and raw in the archive. */
static void add_journal(struct report *rp)
{
	struct json_object *arr = json_object_new_array();
	char path[PATH_MAX];

	if (rp->f.journal_err < 0)
		unreadable(rp, VN_JOURNAL_DIR, rp->f.journal_err);
	for (size_t i = 0; rp->f.journal && rp->f.journal[i]; i++) {
		const char *bdf = rp->f.journal[i];
		_cleanup_free_ char *raw = NULL;
		struct vn_record rec;
		struct json_object *o;
		int r;

		snprintf(path, sizeof(path), VN_JOURNAL_DIR "/%s", bdf);
		raw = read_source(rp->f.sys, rp, path);
		r = raw ? vn_record_decode(raw, &rec) : -ENOENT;
		o = r == 0 ? jrecord(&rec) : json_object_new_object();
		json_object_object_add(o, "bdf", vn_jstr(bdf));
		if (r < 0)
			json_object_object_add(o, "state",
					       vn_jstr(r == -EBADMSG ?
							       "corrupt" :
							       "unreadable"));
		json_object_array_add(arr, o);
		if (r == 0)
			vn_record_clear(&rec);
	}
	put(rp, "journal", arr);
}

/* The kernel's VFIO and IOMMU symbols, as its config has them. */
static void add_kconfig(struct report *rp)
{
	const struct vn_kconfig *kc = &rp->f.caps.config;
	struct json_object *o = json_object_new_object();
	struct json_object *syms = json_object_new_object();
	_cleanup_free_ char *text = NULL;
	FILE *f;
	size_t len = 0;

	f = open_memstream(&text, &len);
	for (size_t i = 0; kc->syms && kc->syms[i]; i++) {
		const char *eq = strchr(kc->syms[i], '=');
		char name[160];

		if (!eq || !(strstr(kc->syms[i], "VFIO") ||
			     strstr(kc->syms[i], "IOMMU")))
			continue;
		snprintf(name, sizeof(name), "CONFIG_%.*s",
			 (int)(eq - kc->syms[i]), kc->syms[i]);
		json_object_object_add(syms, name, vn_jstr(eq + 1));
		if (f)
			fprintf(f, "%s=%s\n", name, eq + 1);
	}
	if (f && fclose(f) == 0 && kc->source)
		add_member(rp, "/kernel-config.txt", text);
	json_object_object_add(o, "source", vn_jstr(kc->source));
	json_object_object_add(o, "symbols", syms);
	put(rp, "kernel_config", o);
}

/* A kernel log line about VFIO, IOMMUs, taint, this tool, or a device
 * the report is about. */
static bool log_relevant(const struct report *rp, const struct vn_kmsg_rec *k)
{
	static const char *const words[] = { "vfio",  "VFIO",	 "iommu",
					     "IOMMU", "DMAR",	 "AMD-Vi",
					     "taint", "Tainted", NULL };

	for (size_t i = 0; words[i]; i++)
		if (strstr(k->msg, words[i]))
			return true;
	for (size_t i = 0; rp->involved && rp->involved[i]; i++)
		if (strstr(k->msg, rp->involved[i]) ||
		    (k->device && strstr(k->device, rp->involved[i])))
			return true;
	return false;
}

static void add_kernel_log(struct report *rp)
{
	const struct vn_kmsg *log = &rp->f.log;
	struct json_object *o = json_object_new_object();
	struct json_object *lines = json_object_new_array();
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!log->source)
		unreadable(rp, "/dev/kmsg", log->error);
	for (size_t i = 0; i < log->n; i++) {
		const struct vn_kmsg_rec *k = &log->v[i];
		struct json_object *l;

		if (!log_relevant(rp, k))
			continue;
		l = json_object_new_object();
		json_object_object_add(l, "usec",
				       json_object_new_int64((int64_t)k->usec));
		json_object_object_add(l, "priority",
				       json_object_new_int(k->prio & 7));
		json_object_object_add(l, "message", vn_jstr(k->msg));
		json_object_object_add(l, "device", vn_jstr(k->device));
		json_object_array_add(lines, l);
		if (f)
			fprintf(f, "[%5llu.%06llu] %s\n",
				(unsigned long long)(k->usec / 1000000),
				(unsigned long long)(k->usec % 1000000),
				k->msg);
	}
	if (f && fclose(f) == 0 && log->source)
		add_member(rp, "/kernel-log.txt", text);
	json_object_object_add(o, "source", vn_jstr(log->source));
	json_object_object_add(o, "records",
			       json_object_new_int64((int64_t)log->n));
	json_object_object_add(o, "complete",
			       !log->source || log->from_boot < 0 ?
				       NULL :
				       json_object_new_boolean(log->from_boot));
	json_object_object_add(o, "lines", lines);
	put(rp, "kernel_log", o);
}

/* Does a modprobe.d line name vfio, a vfio-pci variant or iommufd? */
static bool modprobe_relevant(const char *line)
{
	_cleanup_free_ char *copy = strdup(line);
	char *save = NULL, *tok;

	if (!copy)
		return false;
	tok = strtok_r(copy, " \t", &save);
	if (!tok || *tok == '#')
		return false;
	while ((tok = strtok_r(NULL, " \t", &save)))
		if (strstr(tok, "vfio") || strstr(tok, "iommufd"))
			return true;
	return false;
}

static void add_modprobe_file(struct report *rp, const char *path,
			      struct json_object *arr)
{
	_cleanup_free_ char *text = NULL;
	unsigned int no = 0;
	bool any = false;
	int r = vn_read_file(rp->f.sys, &text, "%s", path);

	if (r < 0) {
		unreadable(rp, path, r);
		return;
	}
	for (char *line = text; *line;) {
		char *eol = strchrnul(line, '\n');
		bool last = !*eol;
		struct json_object *o;

		*eol = '\0';
		no++;
		if (modprobe_relevant(line)) {
			o = json_object_new_object();
			json_object_object_add(o, "file", vn_jstr(path));
			json_object_object_add(o, "line",
					       json_object_new_int((int)no));
			json_object_object_add(o, "text", vn_jstr(line));
			json_object_array_add(arr, o);
			any = true;
		}
		if (last)
			break;
		line = eol + 1;
	}
	if (any)
		free(read_source(rp->f.sys, rp, path));
}

static void add_modprobe(struct report *rp)
{
	_cleanup_strv_ char **files = NULL;
	struct json_object *arr = json_object_new_array();
	int r = vn_modprobe_files(rp->f.sys, &files);

	if (r < 0)
		unreadable(rp, "/etc/modprobe.d", r);
	for (size_t i = 0; files && files[i]; i++)
		add_modprobe_file(rp, files[i], arr);
	put(rp, "modprobe_d", arr);
}

/* driverctl's overrides: /etc/driverctl.d/pci-<BDF> holds the driver. */
static void add_driverctl(struct report *rp)
{
	_cleanup_strv_ char **names = NULL;
	struct json_object *arr = json_object_new_array();
	int r = vn_list_dir(rp->f.sys, &names, DRIVERCTL_DIR);

	if (r < 0 && r != -ENOENT)
		unreadable(rp, DRIVERCTL_DIR, r);
	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_free_ char *driver = NULL;
		struct json_object *o;
		char path[PATH_MAX];

		snprintf(path, sizeof(path), DRIVERCTL_DIR "/%s", names[i]);
		driver = read_source(rp->f.sys, rp, path);
		if (!driver)
			continue;
		strip_trailing(driver);
		o = json_object_new_object();
		json_object_object_add(o, "file", vn_jstr(path));
		json_object_object_add(o, "device",
				       vn_jstr(startswith(names[i], "pci-") ?
						       names[i] + 4 :
						       names[i]));
		json_object_object_add(o, "driver", vn_jstr(driver));
		json_object_array_add(arr, o);
		if (startswith(names[i], "pci-"))
			involve(rp, names[i] + 4);
	}
	put(rp, "driverctl", arr);
}

/* What tells a card apart, for the devices the report is about: IDs,
 * the PCI Device Serial Number, its interfaces' and NVMe controllers'
 * names, addresses and serial numbers. */
static struct json_object *identity(struct report *rp, struct vn_redactor *red,
				    const char *bdf)
{
	static const char *const kinds[] = { "net", "nvme" };
	struct vn_sys *sys = rp->f.sys;
	struct json_object *o = json_object_new_object();
	struct json_object *subs = json_object_new_array();
	_cleanup_free_ char *dsn = NULL;

	json_object_object_add(o, "bdf", vn_jstr(bdf));
	if (vn_read_text(sys, &dsn, "/sys/bus/pci/devices/%s/serial_number",
			 bdf) == 0)
		vn_redact_add(red, VN_REDACT_SERIAL, dsn);
	json_object_object_add(o, "serial_number", vn_jstr(dsn));
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		_cleanup_strv_ char **names = NULL;

		if (vn_list_dir(sys, &names, "/sys/bus/pci/devices/%s/%s", bdf,
				kinds[k]) < 0)
			continue;
		for (size_t i = 0; names[i]; i++) {
			_cleanup_free_ char *addr = NULL, *serial = NULL;
			struct json_object *s = json_object_new_object();

			vn_read_text(sys, &addr,
				     "/sys/bus/pci/devices/%s/%s/%s/address",
				     bdf, kinds[k], names[i]);
			vn_read_text(sys, &serial,
				     "/sys/bus/pci/devices/%s/%s/%s/serial",
				     bdf, kinds[k], names[i]);
			vn_redact_add(red, VN_REDACT_SERIAL, serial);
			json_object_object_add(s, "class", vn_jstr(kinds[k]));
			json_object_object_add(s, "name", vn_jstr(names[i]));
			json_object_object_add(s, "address", vn_jstr(addr));
			json_object_object_add(s, "serial", vn_jstr(serial));
			json_object_array_add(subs, s);
		}
	}
	json_object_object_add(o, "functions", subs);
	return o;
}

static void add_identities(struct report *rp, struct vn_redactor *red)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; rp->involved && rp->involved[i]; i++)
		json_object_array_add(arr, identity(rp, red, rp->involved[i]));
	put(rp, "identities", arr);
}

/* The declared state names its files by their path on this host: under
 * --sysroot, the path inside the tree is the one a reader knows. */
static const char *system_path(const struct vn_sys *sys, const char *path)
{
	size_t n = strlen(sys->root);

	return n && strncmp(path, sys->root, n) == 0 ? path + n : path;
}

static struct json_object *jstrv(const struct vn_sys *sys, char *const *v)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(
			arr, vn_jstr(sys ? system_path(sys, v[i]) : v[i]));
	return arr;
}

/* Each entry of the declared state, where it is and how it matches the
 * devices present; the devices it governs are involved. */
static struct json_object *jdeclared(struct report *rp)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < rp->f.matches.n; i++) {
		const struct vn_match *m = &rp->f.matches.v[i];
		struct json_object *o = json_object_new_object();
		_cleanup_free_ char *match = NULL;

		xasprintf(&match, "%s %s",
			  vn_ident_kind_name(m->entry->match.kind),
			  m->entry->match.value);
		json_object_object_add(
			o, "file",
			vn_jstr(system_path(rp->f.sys, m->entry->file)));
		json_object_object_add(
			o, "line", json_object_new_int((int)m->entry->line));
		json_object_object_add(o, "match", vn_jstr(match));
		json_object_object_add(o, "driver", vn_jstr(m->entry->driver));
		json_object_object_add(
			o, "result", vn_jstr(vn_match_result_name(m->result)));
		json_object_object_add(o, "devices", jstrv(NULL, m->bdfs));
		json_object_object_add(o, "reason", vn_jstr(m->reason));
		json_object_array_add(arr, o);
		for (size_t j = 0; m->result == VN_MATCH_OK && m->bdfs[j]; j++)
			involve(rp, m->bdfs[j]);
	}
	return arr;
}

/* The declared state (vfio-noiommuctl.conf(5)): its files raw, its
 * entries matched, the declared devices not in place and the errors
 * found. The time
 * of the last successful apply joins them when apply exists. */
static int add_desired_state(struct report *rp)
{
	_cleanup_strv_ char **not_in_place = NULL;
	struct json_object *o = json_object_new_object();
	int err = rp->f.state_err;

	if (err < 0 && err != -EINVAL && err != -ENOENT)
		unreadable(rp, VN_STATE_DIR, err);
	for (size_t i = 0; rp->f.state.files && rp->f.state.files[i]; i++)
		free(read_source(rp->f.sys, rp,
				 system_path(rp->f.sys, rp->f.state.files[i])));
	if (vn_apply_to_bind(&rp->f.apply, &not_in_place) < 0)
		return -ENOMEM;
	json_object_object_add(o, "directory", vn_jstr(VN_STATE_DIR));
	json_object_object_add(o, "files", jstrv(rp->f.sys, rp->f.state.files));
	json_object_object_add(o, "declared", jdeclared(rp));
	json_object_object_add(o, "not_in_place", jstrv(NULL, not_in_place));
	json_object_object_add(o, "errors", jstrv(NULL, rp->f.state.errors));
	json_object_object_add(o, "last_apply", NULL);
	put(rp, "desired_state", o);
	return 0;
}

/* ---- redaction and output ----------------------------------------------- */

static int redact_json(struct vn_redactor *red, struct json_object *o)
{
	if (json_object_is_type(o, json_type_string)) {
		_cleanup_free_ char *t =
			vn_redact(red, json_object_get_string(o));

		if (!t)
			return -ENOMEM;
		return json_object_set_string(o, t) ? 0 : -ENOMEM;
	}
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			int r = redact_json(red,
					    json_object_array_get_idx(o, i));

			if (r < 0)
				return r;
		}
	} else if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			int r = redact_json(red, v);

			(void)k;
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Every raw file and its name, redacted like the document. */
static int redact_members(struct vn_redactor *red, struct report *rp)
{
	for (size_t i = 0; i < rp->nfiles; i++) {
		char *name = vn_redact(red, rp->files[i].name);
		char *data = vn_redact(red, rp->files[i].data);

		if (!name || !data) {
			free(name);
			free(data);
			return -ENOMEM;
		}
		free(rp->files[i].name);
		free(rp->files[i].data);
		rp->files[i] = (struct member){ name, data };
	}
	return 0;
}

static const char *json_text(struct json_object *doc)
{
	return json_object_to_json_string_ext(
		doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int write_archive(const struct report *rp, FILE *out)
{
	const char *json = json_text(rp->doc);
	_cleanup_free_ char *doc = NULL;
	char name[PATH_MAX];
	int r;

	if (xasprintf(&doc, "%s\n", json) < 0)
		return -ENOMEM;
	r = vn_tar_add(out, ARCHIVE_DIR "report.json", doc, strlen(doc),
		       rp->now);
	for (size_t i = 0; r == 0 && i < rp->nfiles; i++) {
		snprintf(name, sizeof(name), ARCHIVE_DIR "%s",
			 rp->files[i].name);
		r = vn_tar_add(out, name, rp->files[i].data,
			       strlen(rp->files[i].data), rp->now);
	}
	return r < 0 ? r : vn_tar_end(out);
}

/* The whole output in memory, then written in one go: to stdout, or to
 * --file replaced atomically. */
static int emit(const struct report *rp, const struct report_args *a)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return VN_EXIT_FAILED;
	if (a->archive)
		r = write_archive(rp, f);
	else
		r = fprintf(f, "%s\n", json_text(rp->doc)) < 0 ? -EIO : 0;
	if (fclose(f) != 0 || r < 0) {
		vn_err("cannot make the report: %s",
		       strerror(r < 0 ? -r : EIO));
		return VN_EXIT_FAILED;
	}
	return vn_cli_write_output("report", buf, len, 0600);
}

static void report_clear(struct report *rp)
{
	vn_facts_clear(&rp->f);
	json_object_put(rp->doc);
	strv_free(rp->involved);
	for (size_t i = 0; i < rp->nfiles; i++) {
		free(rp->files[i].name);
		free(rp->files[i].data);
	}
	free(rp->files);
}

/* ---- command ----------------------------------------------------------- */

static int collect(struct report *rp, const struct report_args *a,
		   struct vn_redactor *red)
{
	int r;

	rp->doc = json_object_new_object();
	rp->unreadable = json_object_new_array();
	if (!rp->doc || !rp->unreadable)
		return -ENOMEM;
	put(rp, "schema", json_object_new_int(REPORT_SCHEMA));
	add_meta(rp, a);
	r = vn_facts_need(&rp->f, VN_FACT_CAPS | VN_FACT_IOMMU | VN_FACT_DEVS |
					  VN_FACT_TAINT | VN_FACT_JOURNAL |
					  VN_FACT_LOG | VN_FACT_PERSIST |
					  VN_FACT_HOLDERS | VN_FACT_APPLY);
	if (r < 0 || (r = find_involved(rp)) < 0)
		return r;
	add_host(rp, red);
	if ((r = add_documents(rp)) < 0)
		return r;
	add_journal(rp);
	add_driverctl(rp);
	if ((r = add_desired_state(rp)) < 0)
		return r;
	add_identities(rp, red);
	add_kconfig(rp);
	add_kernel_log(rp);
	add_modprobe(rp);
	if (rp->f.taint_err < 0)
		unreadable(rp, "/proc/sys/kernel/tainted", rp->f.taint_err);
	if (rp->f.holders.unreadable)
		unreadable(rp, "/proc/PID/fd and maps of some processes",
			   -EACCES);
	put(rp, "unreadable", rp->unreadable);
	return 0;
}

static void warn_unreadable(const struct report *rp)
{
	size_t n = json_object_array_length(rp->unreadable);
	bool denied = false;

	if (!n || opts.quiet)
		return;
	vn_warn("the report lacks what this user could not read (listed "
		"under \"unreadable\"):");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o =
			json_object_array_get_idx(rp->unreadable, i);

		const char *err = json_object_get_string(
			json_object_object_get(o, "error"));

		denied |= streq(err, "EACCES") || streq(err, "EPERM");
		vn_hint("%s: %s",
			json_object_get_string(
				json_object_object_get(o, "source")),
			json_object_get_string(
				json_object_object_get(o, "message")));
	}
	if (denied)
		vn_hint("run it as root for a complete report");
}

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	_cleanup_(vn_redactor_freep) struct vn_redactor *red = NULL;
	struct report_args a = { 0 };
	struct report rp = { .now = time(NULL) };
	int ret, r;

	vn_parse_verb(&report_argp, "report", argc, argv, &a);
	opts.out.fmt = VN_FMT_JSON;
	if (a.archive && !opts.file && isatty(STDOUT_FILENO)) {
		vn_err("not writing a tar archive to a terminal");
		vn_hint("redirect it to a file, or give --file FILE");
		return VN_EXIT_USAGE;
	}
	if ((ret = vn_cli_open_sys_readonly(&sys)))
		return ret;
	if (a.redact && vn_redactor_new(&red) < 0)
		return VN_EXIT_FAILED;
	vn_facts_init(&rp.f, sys, false);
	r = collect(&rp, &a, red);
	if (r == 0 && red)
		r = redact_json(red, rp.doc);
	if (r == 0 && red)
		r = redact_members(red, &rp);
	if (r < 0) {
		vn_err("cannot gather the report: %s", strerror(-r));
		report_clear(&rp);
		return VN_EXIT_FAILED;
	}
	ret = emit(&rp, &a);
	if (ret == VN_EXIT_OK)
		warn_unreadable(&rp);
	report_clear(&rp);
	return ret;
}

const struct vn_verb vn_verb_report = {
	.name = "report",
	.summary = "one file (JSON or tar) for a support ticket",
	.run = run,
};
