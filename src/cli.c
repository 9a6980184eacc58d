// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#include <sanitizer/msan_interface.h>
#define VN_MSAN 1
#endif
#endif

#include "cli.h"
#include "config.h"
#include "lib/bdf.h"
#include "lib/binding.h"
#include "lib/journal.h"
#include "lib/lock.h"
#include "lib/netinfo.h"

struct vn_opts opts;

enum {
	OPT_SYSROOT = 0x100,
	OPT_LOCK_TIMEOUT,
	OPT_FILE,
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

/*
 * Standard error, with every line passed through vn_escape(): control
 * characters and bytes that are not UTF-8, echoed from arguments or
 * anything else outside, never reach the terminal as they are. All
 * messages go this way: ours, argp's and getopt's. A line is escaped
 * whole, so a character is never split between two writes.
 */
struct escaper {
	char *pending; /* the line not yet ended */
	size_t len;
};

static void put_escaped(const char *line, bool newline)
{
	_cleanup_free_ char *e = vn_escape(line);
	const char *p = e ? e : "?";
	size_t n = strlen(p);

	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
	if (newline && write(STDERR_FILENO, "\n", 1) < 0)
		return;
}

static ssize_t escaper_write(void *cookie, const char *buf, size_t size)
{
	struct escaper *e = cookie;
	char *nl, *grown = realloc(e->pending, e->len + size + 1);

	if (!grown)
		return (ssize_t)size;
#ifdef VN_MSAN
	/* buf is stdio's own buffer, filled by libc, which MemorySanitizer
	 * does not instrument: its bytes would read as uninitialised. */
	__msan_unpoison(buf, size);
#endif
	e->pending = grown;
	memcpy(e->pending + e->len, buf, size);
	e->len += size;
	e->pending[e->len] = '\0';
	while ((nl = memchr(e->pending, '\n', e->len))) {
		size_t used = (size_t)(nl - e->pending) + 1;

		*nl = '\0';
		put_escaped(e->pending, true);
		memmove(e->pending, nl + 1, e->len - used + 1);
		e->len -= used;
	}
	return (ssize_t)size;
}

static int escaper_close(void *cookie)
{
	struct escaper *e = cookie;

	if (e->len)
		put_escaped(e->pending, false);
	free(e->pending);
	free(e);
	return 0;
}

/* Flush the line not yet ended and free the escaper: exit() flushes
 * streams but closes none. */
static void close_stderr(void)
{
	fclose(stderr);
}

void vn_cli_escape_stderr(void)
{
	cookie_io_functions_t io = { .write = escaper_write,
				     .close = escaper_close };
	struct escaper *e = calloc(1, sizeof(*e));
	FILE *f = e ? fopencookie(e, "w", io) : NULL;

	if (!f) {
		free(e);
		return;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	stderr = f;
	atexit(close_stderr);
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

int vn_cli_open_root(const char *dir, struct vn_sys **sys)
{
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		vn_err("--root '%s' is not a directory", dir);
		return VN_EXIT_USAGE;
	}
	if (vn_sys_new(dir, sys) < 0) {
		vn_err("--root '%s': cannot use it", dir);
		return VN_EXIT_USAGE;
	}
	return VN_EXIT_OK;
}

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

int vn_cli_open_sys_readonly(struct vn_sys **sys)
{
	int ret = vn_cli_open_sys(sys);

	if (ret)
		return ret;
	if (vn_sys_snapshot(*sys) < 0) {
		vn_err("cannot read the system: %s", strerror(ENOMEM));
		vn_sys_free(*sys);
		*sys = NULL;
		return VN_EXIT_FAILED;
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

/* ---- device arguments: one rule for every command ------------------------ */

/* What resolving the arguments needs, read once for all of them. */
struct devargs {
	struct vn_sys *sys;
	enum vn_devarg_scope scope;
	struct vn_dev_list all;
	bool have_all;
	char **journaled;
	bool have_journal;
};

static void devargs_clear(struct devargs *d)
{
	if (d->have_all)
		vn_dev_list_clear(&d->all);
	strv_free(d->journaled);
}

/* Within the scope: any function, or (unbind) one on a VFIO driver (it
 * has a vfio-dev child) or with a journal record to complete. */
static bool in_scope(struct devargs *d, const char *bdf)
{
	if (d->scope == VN_DEVARG_ANY ||
	    vn_exists(d->sys, "/sys/bus/pci/devices/%s/vfio-dev", bdf))
		return true;
	if (!d->have_journal)
		d->have_journal = vn_journal_list(d->sys, &d->journaled) == 0;
	return strv_contains(d->journaled, bdf);
}

static int resolve_bdf(struct devargs *d, const char *arg, char ***found)
{
	char bdf[VN_BDF_MAX];

	vn_bdf_canonical(arg, bdf);
	if (!vn_exists(d->sys, "/sys/bus/pci/devices/%s", bdf)) {
		if (streq(arg, bdf))
			vn_err("no PCI device %s on this system", bdf);
		else
			vn_err("no PCI device %s ('%s') on this system", bdf,
			       arg);
		vn_hint("'vfio-noiommuctl list --all' shows every PCI function");
		return VN_EXIT_USAGE;
	}
	return strv_push(found, strdup(bdf)) < 0 ? VN_EXIT_FAILED : 0;
}

static int resolve_id(struct devargs *d, const char *arg,
		      const struct vn_pci_id *id, char ***found)
{
	int r;

	if (!d->have_all) {
		if ((r = vn_dev_read_all(d->sys, &d->all)) < 0) {
			vn_err("cannot read the PCI devices: %s", strerror(-r));
			return VN_EXIT_FAILED;
		}
		d->have_all = true;
	}
	for (size_t i = 0; i < d->all.n; i++)
		if (vn_dev_has_id(d->all.devs[i], id) &&
		    in_scope(d, d->all.devs[i]->bdf) &&
		    strv_push(found, strdup(d->all.devs[i]->bdf)) < 0)
			return VN_EXIT_FAILED;
	if (*found && **found)
		return 0;
	if (d->scope == VN_DEVARG_ANY) {
		vn_err("no PCI function has the ID %s", arg);
		vn_hint("'vfio-noiommuctl list --all' shows every PCI function");
	} else {
		vn_err("no device on a VFIO driver has the ID %s", arg);
		vn_hint("'vfio-noiommuctl list' shows them");
	}
	return VN_EXIT_USAGE;
}

/* A word the kernel would take as an interface name (net/core/dev.c,
 * dev_valid_name(); an altname may be longer than IFNAMSIZ). */
static bool ifname_like(const char *s)
{
	if (!*s || strlen(s) >= 128 || streq(s, ".") || streq(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

static int resolve_netdev(struct devargs *d, const char *arg, char ***found)
{
	_cleanup_free_ char *what = NULL;
	char bdf[VN_BDF_MAX];
	int r = vn_netdev_to_pci(d->sys, arg, bdf, &what);

	if (r == -ENOTSUP) {
		vn_err("'%s' is %s, not the network interface of a PCI function",
		       arg, what);
		vn_hint("give the PCI address of the function, or the interface "
			"it has itself");
		return VN_EXIT_USAGE;
	}
	/* Bound to vfio-pci, a function has no interface any more: the
	 * journal remembers the ones it had. */
	if (r == -ENODEV && d->scope == VN_DEVARG_VFIO &&
	    vn_journal_find_netdev(d->sys, arg, bdf) == 0)
		r = 0;
	if (r < 0) {
		vn_err("'%s' is not a PCI address, a VID:DID ID or a network "
		       "interface on this system",
		       arg);
		vn_hint("a device is DDDD:BB:DD.F or BB:DD.F (hexadecimal), "
			"VID:DID[:SVID:SDID], or an interface name as 'ip link' "
			"shows it");
		return VN_EXIT_USAGE;
	}
	return strv_push(found, strdup(bdf)) < 0 ? VN_EXIT_FAILED : 0;
}

/* One argument to the functions it names. */
static int resolve_one(struct devargs *d, const char *arg, char ***found)
{
	struct vn_pci_id id;
	struct vn_bdf b;

	if (vn_arg_is_path(arg)) {
		vn_err("'%s' is a path; give the device's PCI address (BDF), "
		       "such as 0000:03:00.0",
		       arg);
		return VN_EXIT_USAGE;
	}
	if (vn_bdf_parse(arg, &b) == 0)
		return resolve_bdf(d, arg, found);
	if (vn_pci_id_parse(arg, &id) == 0)
		return resolve_id(d, arg, &id, found);
	if (ifname_like(arg))
		return resolve_netdev(d, arg, found);
	vn_err("'%s' is not a PCI address: expected DDDD:BB:DD.F or BB:DD.F in "
	       "hexadecimal, such as 0000:03:00.0 (or VID:DID, or a network "
	       "interface name)",
	       arg);
	return VN_EXIT_USAGE;
}

int vn_cli_bdf_args(struct vn_sys *sys, char *const *raw,
		    enum vn_devarg_scope scope, char ***bdfs)
{
	struct devargs d = { .sys = sys, .scope = scope };
	int ret = 0;

	for (size_t i = 0; !ret && raw && raw[i]; i++) {
		_cleanup_strv_ char **found = NULL;

		ret = resolve_one(&d, raw[i], &found);
		/* The same function reached twice is one device. */
		for (size_t f = 0; !ret && found && found[f]; f++)
			if (!strv_contains(*bdfs, found[f]) &&
			    strv_push(bdfs, strdup(found[f])) < 0)
				ret = VN_EXIT_FAILED;
	}
	devargs_clear(&d);
	return ret;
}

int vn_cli_device_arg(struct vn_sys *sys, const char *arg, char bdf[VN_BDF_MAX])
{
	struct devargs d = { .sys = sys, .scope = VN_DEVARG_ANY };
	_cleanup_strv_ char **found = NULL;
	_cleanup_free_ char *list = NULL;
	int ret = resolve_one(&d, arg, &found);

	/* An ID several functions carry: the one on a VFIO driver, if only
	 * one is. */
	d.scope = VN_DEVARG_VFIO;
	for (size_t i = 0; !ret && found[1] && found[i]; i++)
		if (!in_scope(&d, found[i])) {
			free(found[i]);
			memmove(&found[i], &found[i + 1],
				(strv_len(&found[i + 1]) + 1) * sizeof(char *));
			i--;
		}
	if (!ret && strv_len(found) != 1) {
		list = strv_join(found, ", ");
		vn_err("'%s' names several devices (%s): give one PCI address",
		       arg, list ? list : "?");
		ret = VN_EXIT_USAGE;
	}
	if (!ret)
		snprintf(bdf, VN_BDF_MAX, "%s", found[0]);
	devargs_clear(&d);
	return ret;
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
		if (r == -ENOSPC || r == -EDQUOT)
			vn_hint("the file system holding %s is full; nothing "
				"was changed",
				VN_RUN_DIR);
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
