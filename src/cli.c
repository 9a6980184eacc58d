// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "lib/bdf.h"
#include "lib/binding.h"
#include "lib/journal.h"
#include "lib/lock.h"

struct vn_opts opts;

enum {
	OPT_SYSROOT = 0x100,
	OPT_LOCK_TIMEOUT,
	OPT_FILE,
};

static error_t parse_table_output(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'J':
		opts.out.fmt = VN_FMT_JSON;
		break;
	case 'P':
		opts.out.fmt = VN_FMT_PAIRS;
		break;
	case 'r':
		opts.out.fmt = VN_FMT_RAW;
		break;
	case 'n':
		opts.out.noheadings = true;
		break;
	case 'o':
		opts.out.columns = arg;
		break;
	default:
		(void)state;
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option table_output_options[] = {
	{ "json", 'J', NULL, 0, "Print a JSON document", 0 },
	{ "pairs", 'P', NULL, 0, "Print KEY=\"value\" pairs (shell-evaluable)",
	  0 },
	{ "raw", 'r', NULL, 0, "Print a raw table: one space between columns",
	  0 },
	{ "noheadings", 'n', NULL, 0, "Do not print the header line", 0 },
	{ "output", 'o', "COLUMNS", 0,
	  "Columns to print, comma-separated; +COL,... adds to the defaults",
	  0 },
	{ 0 }
};

const struct argp vn_argp_table_output = {
	.options = table_output_options,
	.parser = parse_table_output,
};

static const struct argp_option doc_output_options[] = {
	{ "json", 'J', NULL, 0, "Print a JSON document", 0 },
	{ "pairs", 'P', NULL, 0, "Print KEY=\"value\" pairs (shell-evaluable)",
	  0 },
	{ 0 }
};

const struct argp vn_argp_doc_output = {
	.options = doc_output_options,
	.parser = parse_table_output,
};

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'q':
		opts.quiet = true;
		break;
	case 'v':
		opts.verbose++;
		break;
	case OPT_SYSROOT:
		opts.sysroot = arg;
		break;
	default:
		(void)state;
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option common_options[] = {
	{ "quiet", 'q', NULL, 0, "Print only errors and requested output", 0 },
	{ "verbose", 'v', NULL, 0, "Say more (repeat for more)", 0 },
	{ "sysroot", OPT_SYSROOT, "DIR", 0,
	  "Look at the recorded tree DIR (sys/, dev/, proc/) instead of this "
	  "host; for tests and offline diagnosis "
	  "(also VFIO_NOIOMMUCTL_SYSROOT)",
	  1 },
	{ 0 }
};

const struct argp vn_argp_common = {
	.options = common_options,
	.parser = parse_common,
};

int vn_parse_seconds(const char *s, int *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 86400)
		return -EINVAL;
	*ms = (int)lround(v * 1000);
	return 0;
}

static error_t parse_lock(int key, char *arg, struct argp_state *state)
{
	if (key != OPT_LOCK_TIMEOUT)
		return ARGP_ERR_UNKNOWN;
	if (vn_parse_seconds(arg, &opts.lock_timeout_ms) < 0)
		argp_error(state,
			   "--lock-timeout: '%s' is not a number of seconds",
			   arg);
	return 0;
}

static const struct argp_option lock_options[] = {
	{ "lock-timeout", OPT_LOCK_TIMEOUT, "SECONDS", 0,
	  "Wait this long for another writer (default 10), then exit 6", 0 },
	{ 0 }
};

const struct argp vn_argp_lock = {
	.options = lock_options,
	.parser = parse_lock,
};

static error_t parse_file(int key, char *arg, struct argp_state *state)
{
	if (key != OPT_FILE)
		return ARGP_ERR_UNKNOWN;
	if (!*arg)
		argp_error(state, "--file: give a file name");
	opts.file = arg;
	return 0;
}

static const struct argp_option file_options[] = {
	{ "file", OPT_FILE, "FILE", 0,
	  "Write to FILE instead of standard output: a new file beside it, "
	  "renamed over it when complete",
	  0 },
	{ 0 }
};

static const struct argp vn_argp_file = {
	.options = file_options,
	.parser = parse_file,
};

const struct argp_child vn_children_file[] = {
	{ &vn_argp_file, 0, NULL, 0 },
	{ &vn_argp_common, 0, NULL, 0 },
	{ 0 },
};

int vn_cli_write_output(const char *what, const char *data, size_t len,
			mode_t mode)
{
	_cleanup_free_ char *name = NULL;
	int r;

	if (opts.file)
		r = vn_write_file_atomic(opts.file, data, len, mode);
	else
		r = fwrite(data, 1, len, stdout) == len ? 0 : -EIO;
	if (r == 0)
		return VN_EXIT_OK;
	name = vn_escape(opts.file);
	vn_err("cannot write the %s to %s: %s", what,
	       opts.file ? name : "standard output", strerror(-r));
	return VN_EXIT_FAILED;
}

const struct argp_child vn_children_doc[] = {
	{ &vn_argp_doc_output, 0, "Output:", 0 },
	{ &vn_argp_common, 0, NULL, 0 },
	{ 0 },
};

const struct argp_child vn_children_doc_lock[] = {
	{ &vn_argp_lock, 0, NULL, 0 },
	{ &vn_argp_doc_output, 0, "Output:", 0 },
	{ &vn_argp_common, 0, NULL, 0 },
	{ 0 },
};

const struct argp_child vn_children_table[] = {
	{ &vn_argp_table_output, 0, "Output:", 0 },
	{ &vn_argp_common, 0, NULL, 0 },
	{ 0 },
};

void vn_parse_verb(const struct argp *argp, const char *verb, int argc,
		   char **argv, void *input)
{
	char name[64];

	/* argp names the program after argv[0]: "vfio-noiommuctl list". */
	snprintf(name, sizeof(name), "%s %s", PACKAGE_NAME, verb);
	if (!opts.lock_timeout_ms)
		opts.lock_timeout_ms = 10000;
	argv[0] = name;
	argp_parse(argp, argc, argv, 0, NULL, input);
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void vn_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(PACKAGE_NAME ": ", fmt, ap);
	va_end(ap);
}

void vn_warn(const char *fmt, ...)
{
	va_list ap;

	if (opts.quiet)
		return;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void vn_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("  ", fmt, ap);
	va_end(ap);
}

/* -v: what the library writes, as it writes it; -vv: what it reads. */
static void cli_log(void *data, int level, const char *fmt, va_list ap)
{
	_cleanup_free_ char *msg = NULL;
	size_t n;

	(void)data;
	(void)level;
	if (xvasprintf(&msg, fmt, ap) < 0)
		return;
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", PACKAGE_NAME, msg);
}

int vn_cli_open_sys(struct vn_sys **sys)
{
	const char *root = opts.sysroot;
	int r;

	if (!root)
		root = getenv("VFIO_NOIOMMUCTL_SYSROOT");
	r = vn_sys_new(root, sys);
	if (r < 0) {
		vn_err("cannot use '%s' as the system root: %s", root,
		       strerror(-r));
		return VN_EXIT_USAGE;
	}
	if (opts.verbose)
		vn_sys_set_log(*sys, cli_log, NULL, opts.verbose);
	return 0;
}

int vn_cli_bdf_arg(struct vn_sys *sys, const char *arg,
		   char canonical[VN_BDF_MAX])
{
	if (vn_arg_is_path(arg)) {
		vn_err("'%s' is a path; give the device's PCI address (BDF), "
		       "such as 0000:03:00.0",
		       arg);
		return VN_EXIT_USAGE;
	}
	if (vn_bdf_canonical(arg, canonical) < 0) {
		vn_err("'%s' is not a PCI address: expected DDDD:BB:DD.F or "
		       "BB:DD.F in hexadecimal, such as 0000:03:00.0",
		       arg);
		return VN_EXIT_USAGE;
	}
	if (!vn_exists(sys, "/sys/bus/pci/devices/%s", canonical)) {
		if (streq(arg, canonical))
			vn_err("no PCI device %s on this system", canonical);
		else
			vn_err("no PCI device %s ('%s') on this system",
			       canonical, arg);
		vn_hint("'vfio-noiommuctl list --all' shows every PCI function");
		return VN_EXIT_USAGE;
	}
	return 0;
}

const char *vn_errno_name(int err, char *buf, size_t size)
{
	const char *n = strerrorname_np(err);

	if (n)
		return n;
	snprintf(buf, size, "errno %d", err);
	return buf;
}

void vn_cli_tolerate_stdout(void)
{
	opts.stdout_tolerant = true;
}

void vn_cli_warn_unfinished(struct vn_sys *sys, char *const *except)
{
	_cleanup_strv_ char **all = NULL;

	if (opts.quiet || vn_journal_list(sys, &all) < 0)
		return;
	for (size_t i = 0; all[i]; i++) {
		struct vn_record rec;
		int r;

		if (strv_contains(except, all[i]))
			continue;
		r = vn_journal_read(sys, all[i], &rec);
		if (r == -EBADMSG)
			vn_warn("%s: its journal record %s/%s is corrupt; inspect "
				"it before running unbind",
				all[i], VN_JOURNAL_DIR, all[i]);
		else if (r == 0 && vn_record_unfinished(&rec))
			vn_warn("%s: a %s was interrupted at step '%s'; "
				"'vfio-noiommuctl unbind %s' puts it back on %s",
				all[i],
				rec.step == VN_STEP_RESTORING ? "unbind" :
								"bind",
				vn_step_name(rec.step), all[i],
				rec.orig_driver ? rec.orig_driver :
						  "no driver");
		vn_record_clear(&rec);
	}
}

int vn_cli_bdf_args(struct vn_sys *sys, char *const *raw, bool ids,
		    char ***bdfs)
{
	for (size_t i = 0; raw && raw[i]; i++) {
		_cleanup_strv_ char **found = NULL;
		unsigned int v, d;
		char bdf[VN_BDF_MAX];
		int ret;

		if (ids && vn_id_parse(raw[i], &v, &d) == 0) {
			if (vn_pci_find_ids(sys, v, d, &found) < 0 ||
			    !found[0]) {
				vn_err("no PCI function has the ID %s", raw[i]);
				return VN_EXIT_USAGE;
			}
		} else {
			ret = vn_cli_bdf_arg(sys, raw[i], bdf);
			if (ret)
				return ret;
			if (strv_push(&found, strdup(bdf)) < 0)
				return VN_EXIT_FAILED;
		}
		for (size_t f = 0; found[f]; f++) {
			if (strv_contains(*bdfs, found[f])) {
				vn_err("%s is given twice", found[f]);
				return VN_EXIT_USAGE;
			}
			if (strv_push(bdfs, strdup(found[f])) < 0)
				return VN_EXIT_FAILED;
		}
	}
	return 0;
}

/* A lock not had: the exit status (6 busy, 1 failed) and a message. */
static int lock_failed(struct vn_sys *sys, int r, pid_t holder,
		       const char *what, const char *path)
{
	_cleanup_free_ char *comm = NULL;

	if (r != -EWOULDBLOCK) {
		vn_err("cannot take the lock %s: %s", path, strerror(-r));
		if (r == -EACCES || r == -EPERM || r == -EROFS)
			vn_hint("changing devices and modes needs root");
		return VN_EXIT_FAILED;
	}
	if (holder > 0 &&
	    vn_read_text(sys, &comm, "/proc/%d/comm", (int)holder) == 0) {
		_cleanup_free_ char *c = vn_escape(comm);

		free(comm);
		comm = steal_ptr(c);
	}
	if (holder > 0)
		vn_err("another writer, PID %d (%s), held %s%s for %d ms; "
		       "retry later",
		       (int)holder, comm ? comm : "no longer running", path,
		       what, opts.lock_timeout_ms);
	else
		vn_err("another writer held %s%s for %d ms; retry later", path,
		       what, opts.lock_timeout_ms);
	return VN_EXIT_BUSY;
}

int vn_cli_take_lock(struct vn_sys *sys, bool exclusive, int *fd)
{
	pid_t holder;
	int r;

	/* A recorded tree (--sysroot) is only looked at and planned against,
	 * never written: there is nothing to serialise. */
	*fd = -1;
	if (!vn_sys_is_host(sys))
		return 0;
	r = vn_lock_acquire(sys, exclusive, opts.lock_timeout_ms, &holder);
	if (r >= 0) {
		*fd = r;
		return 0;
	}
	return lock_failed(sys, r, holder, "", VN_LOCK_FILE);
}

int vn_cli_lock_device(struct vn_sys *sys, const char *bdf, int *fd)
{
	char what[64];
	pid_t holder;
	int r;

	*fd = -1;
	if (!vn_sys_is_host(sys))
		return 0;
	r = vn_lock_device(sys, bdf, opts.lock_timeout_ms, &holder);
	if (r >= 0) {
		*fd = r;
		return 0;
	}
	snprintf(what, sizeof(what), " (changing %s)", bdf);
	return lock_failed(sys, r, holder, what, VN_LOCK_DIR "/<BDF>");
}
