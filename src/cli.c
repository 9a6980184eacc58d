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
};

static const char *fmt_option(enum vn_fmt f)
{
	switch (f) {
	case VN_FMT_JSON:
		return "--json";
	case VN_FMT_PAIRS:
		return "--pairs";
	case VN_FMT_RAW:
		return "--raw";
	case VN_FMT_TABLE:
		break;
	}
	return "";
}

/* Two formats contradict each other: refused, as lsblk does, never
 * resolved by "the last one wins". */
static void set_fmt(struct argp_state *state, enum vn_fmt f)
{
	if (opts.out.fmt != VN_FMT_TABLE && opts.out.fmt != f)
		argp_error(state, "%s and %s contradict each other: choose one",
			   fmt_option(opts.out.fmt), fmt_option(f));
	opts.out.fmt = f;
}

/* The output options, wherever they are given (before the command or
 * after it); what the command makes of them is checked at its end. */
static error_t parse_output(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'J':
		set_fmt(state, VN_FMT_JSON);
		break;
	case 'P':
		set_fmt(state, VN_FMT_PAIRS);
		break;
	case 'r':
		set_fmt(state, VN_FMT_RAW);
		break;
	case 'n':
		opts.out.noheadings = true;
		break;
	case 'o':
		opts.out.columns = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* list: a table, or a document of its rows. */
static error_t parse_table_output(int key, char *arg, struct argp_state *state)
{
	if (key == ARGP_KEY_END && opts.out.noheadings &&
	    (opts.out.fmt == VN_FMT_JSON || opts.out.fmt == VN_FMT_PAIRS))
		argp_error(state,
			   "--noheadings and %s contradict each other: %s has "
			   "no header line",
			   fmt_option(opts.out.fmt), fmt_option(opts.out.fmt));
	return parse_output(key, arg, state);
}

/* The other commands print documents: the table options given before
 * the command name are not theirs. */
static error_t parse_doc_output(int key, char *arg, struct argp_state *state)
{
	const char *bad = opts.out.fmt == VN_FMT_RAW ? "--raw" :
			  opts.out.noheadings	     ? "--noheadings" :
			  opts.out.columns	     ? "-o" :
						       NULL;

	if (key == ARGP_KEY_END && bad)
		argp_error(state,
			   "%s is for tables, and this command prints a "
			   "document: use --json or --pairs",
			   bad);
	return parse_output(key, arg, state);
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

/* Before the command name every output option is accepted; the command
 * refuses those it does not honour. */
const struct argp vn_argp_any_output = {
	.options = table_output_options,
	.parser = parse_output,
};

static const struct argp_option doc_output_options[] = {
	{ "json", 'J', NULL, 0, "Print a JSON document", 0 },
	{ "pairs", 'P', NULL, 0, "Print KEY=\"value\" pairs (shell-evaluable)",
	  0 },
	{ 0 }
};

const struct argp vn_argp_doc_output = {
	.options = doc_output_options,
	.parser = parse_doc_output,
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
	case 'h':
		/* argp knows only -? and --help. */
		argp_state_help(state, state->out_stream, ARGP_HELP_STD_HELP);
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
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Give this help list (as -?)", 0 },
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

#define VN_SECONDS_MAX 86400

int vn_parse_seconds(const char *s, int *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || v != v)
		return -EINVAL;
	if (errno || v < 0 || v > VN_SECONDS_MAX)
		return -ERANGE;
	*ms = (int)lround(v * 1000);
	return 0;
}

void vn_argp_seconds(struct argp_state *state, const char *option,
		     const char *arg, bool above_zero, int *ms)
{
	int r = vn_parse_seconds(arg, ms);

	if (r == -EINVAL)
		argp_error(state, "%s: '%s' is not a number of seconds", option,
			   arg);
	else if (r < 0 || (above_zero && *ms <= 0))
		argp_error(state,
			   "%s: '%s' is out of range: %s %d seconds (fractions "
			   "allowed)",
			   option, arg,
			   above_zero ? "more than 0 and at most" : "from 0 to",
			   VN_SECONDS_MAX);
}

static error_t parse_lock(int key, char *arg, struct argp_state *state)
{
	if (key != OPT_LOCK_TIMEOUT)
		return ARGP_ERR_UNKNOWN;
	vn_argp_seconds(state, "--lock-timeout", arg, false,
			&opts.lock_timeout_ms);
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

#define SYSROOT_ENV "VFIO_NOIOMMUCTL_SYSROOT"

int vn_cli_open_sys(struct vn_sys **sys)
{
	const char *root = opts.sysroot, *what = "--sysroot";
	int r;

	if (!root) {
		root = getenv(SYSROOT_ENV);
		what = SYSROOT_ENV;
	}
	/* An empty value is a script's unset variable, never "this host":
	 * "--sysroot \"$TREE\" bind ..." must not bind for real. */
	if (root && !*root) {
		vn_err("%s is empty: give the directory of a recorded tree, or "
		       "%s to look at this host",
		       what,
		       opts.sysroot ? "leave the option out" : "unset it");
		return VN_EXIT_USAGE;
	}
	r = vn_sys_new(root, sys);
	if (r < 0) {
		vn_err("%s: cannot use '%s' as the system root: %s", what, root,
		       strerror(-r));
		return VN_EXIT_USAGE;
	}
	if (!vn_sys_is_host(*sys) && !vn_exists(*sys, "/sys/bus/pci")) {
		vn_err("%s '%s' holds no recorded tree: %s/sys/bus/pci is "
		       "missing",
		       what, root, (*sys)->root);
		vn_hint("a tree has the layout of a running system (sys/, dev/, "
			"proc/); see FILES in vfio-noiommuctl(8)");
		vn_sys_free(*sys);
		*sys = NULL;
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
