// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * taint: decode the kernel's taint and say who caused U, from the kernel
 * log (doc/kernel.md §4) and, where the log is gone, from the
 * current state.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "docs.h"
#include "lib/journal.h"
#include "lib/names.h"

#include <ctype.h>
#include <limits.h>

struct taint_args {
	const char *value; /* decode this instead of the host's */
	bool check;
	const char *check_letters;
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct taint_args *a = state->input;

	switch (key) {
	case 'c':
		if (arg && !*arg)
			argp_error(state,
				   "--check=: give taint letters, or no '='");
		a->check = true;
		a->check_letters = arg;
		break;
	case ARGP_KEY_ARG:
		if (a->value)
			argp_error(
				state,
				"one value only; quote a pasted 'Tainted: ...' "
				"string");
		a->value = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "check", 'c', "LETTERS", OPTION_ARG_OPTIONAL,
	  "Exit 1 when any of these flags (default: any flag) is set, 0 when "
	  "none is; 2 for unknown letters, 3 when the taint cannot be read. "
	  "--check=U, --check U, -cU and -c U are the same",
	  0 },
	{ 0 }
};

static const struct argp taint_argp = {
	.options = options,
	.parser = parse,
	.args_doc = "[VALUE]",
	.doc = "Decode the kernel's taint and say which device set U, when, "
	       "in which mode, and who asked. VALUE decodes a number or a "
	       "'Tainted: ...' string pasted from an oops instead, without "
	       "looking at this host.\v"
	       "Exit status: 0; with --check, 0 when none of the flags is set, "
	       "1 when one is, 2 for unknown letters or other usage errors, 3 "
	       "when the taint cannot be read.",
	.children = vn_children_doc,
};

static const char *modes_str(unsigned int m)
{
	switch (m) {
	case VN_ATTR_GROUP | VN_ATTR_CDEV:
		return "group+cdev";
	case VN_ATTR_GROUP:
		return "group";
	case VN_ATTR_CDEV:
		return "cdev";
	}
	return "unknown";
}

/* Wall-clock time of a log timestamp; "" when the boot time is unknown. */
static void when(const struct taint_report *r, uint64_t usec, char *buf,
		 size_t size)
{
	time_t t;
	struct tm tm;

	if (!r->btime) {
		snprintf(buf, size, "%llu.%06llu s after boot",
			 (unsigned long long)(usec / 1000000),
			 (unsigned long long)(usec % 1000000));
		return;
	}
	t = (time_t)(r->btime + (long long)(usec / 1000000));
	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static void print_flags(unsigned long mask)
{
	const struct vn_taint_flag *f = vn_taint_flags();
	char shortf[64];

	vn_taint_short_form(mask, shortf, sizeof(shortf));
	printf("%s (%lu)\n", shortf, mask);
	for (size_t i = 0; i < VN_TAINT_COUNT; i++)
		if (mask & (1UL << i))
			printf("  %c  bit %-2u  %-21s %s\n", f[i].letter,
			       f[i].bit, f[i].name, f[i].meaning);
	if (mask & ~VN_TAINT_ALL)
		printf("  bits 0x%lx are not known to this tool\n",
		       mask & ~VN_TAINT_ALL);
}

static void print_attrib(struct vn_sys *sys, const struct taint_report *r,
			 const struct vn_attrib *at)
{
	const struct vn_dev *d = taint_find_dev(r, at->bdf);
	char name[160] = "", t[64];
	struct vn_record rec;

	if (d &&
	    vn_name_device(sys, d->vendor, d->device, name, sizeof(name)) != 0)
		name[0] = '\0';
	printf("  %s", at->bdf);
	if (d)
		printf("  %04x:%04x%s%s", d->vendor, d->device,
		       name[0] ? " " : "", name);
	else
		printf("  (no longer present)");
	printf("  no-IOMMU %s", modes_str(at->modes));
	if (at->from_log) {
		when(r, at->usec, t, sizeof(t));
		printf("  bound %s", t);
	}
	printf("  %s\n",
	       taint_still_bound(d) ? "still bound" : "no longer bound");
	if (at->user)
		printf("    by %s (vfio-noiommuctl's log line)\n", at->user);
	if (!at->from_log) {
		printf("    not in the kernel log any more; it is bound as a no-IOMMU "
		       "device, and that bind set U\n");
		if (vn_journal_read(sys, at->bdf, &rec) == 0) {
			struct tm tm;

			localtime_r(&rec.when, &tm);
			strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S", &tm);
			printf("    the journal says vfio-noiommuctl bound it at %s for %s\n",
			       t, rec.user ? rec.user : "?");
			vn_record_clear(&rec);
		}
	}
	for (size_t i = 0; i < r->attr.nopens; i++)
		if (streq(r->attr.opens[i].bdf, at->bdf)) {
			when(r, r->attr.opens[i].usec, t, sizeof(t));
			printf("    opened: %s[%d] at %s (group path)\n",
			       r->attr.opens[i].comm, r->attr.opens[i].pid, t);
		}
}

static void print_log_state(const struct taint_report *r)
{
	if (!r->log.source) {
		printf("The kernel log cannot be read (/dev/kmsg: %s)",
		       strerror(-r->log.error));
		if (r->log.error == -EPERM || r->log.error == -EACCES)
			printf(": kernel.dmesg_restrict keeps it from non-root users; "
			       "run 'sudo vfio-noiommuctl taint'");
		printf(".\n");
		return;
	}
	if (r->log.from_boot == 1)
		printf("The kernel log reaches back to boot: this is the complete "
		       "list.\n");
	else if (r->log.from_boot == 0)
		printf("The kernel log no longer reaches back to boot (its oldest "
		       "record is %llu.%06llu s after boot): earlier binds may be "
		       "missing; devices still bound are listed from the current "
		       "state.\n",
		       r->log.n ? (unsigned long long)(r->log.v[0].usec /
						       1000000) :
				  0,
		       r->log.n ? (unsigned long long)(r->log.v[0].usec %
						       1000000) :
				  0);
	else
		printf("Whether the kernel log (%s) reaches back to boot is unknown.\n",
		       r->log.source);
}

static void print_report(struct vn_sys *sys, const struct taint_report *r)
{
	print_flags(r->mask);
	if (!r->host || !(r->mask & VN_TAINT_USER))
		return;
	if (r->attr.n) {
		printf("Why U is set:\n");
		for (size_t i = 0; i < r->attr.n; i++)
			print_attrib(sys, r, &r->attr.v[i]);
		print_log_state(r);
		return;
	}
	printf("Why U is set: no vfio-noiommu line in the kernel log and no "
	       "no-IOMMU device bound.\n");
	print_log_state(r);
	printf("U has other sources too:\n");
	for (size_t i = 0; vn_taint_user_sources[i]; i++)
		printf("  - %s\n", vn_taint_user_sources[i]);
}

/* ---- command ---------------------------------------------------------------- */

/* Exit status of --check: 1 when one of the flags is set, else 0. */
static int check(const struct taint_args *a, unsigned long mask, bool print)
{
	unsigned long want = VN_TAINT_ALL | ~VN_TAINT_ALL;
	char bad;

	if (a->check_letters &&
	    vn_taint_letters_parse(a->check_letters, &want, &bad) < 0) {
		vn_err("--check: '%c' is not a taint letter (%s)", bad,
		       "P F S R M B U D A W C I O E L K X T N J");
		return VN_EXIT_USAGE;
	}
	if (mask & want) {
		char letters[VN_TAINT_COUNT + 1];

		vn_taint_letters(mask & want, letters, sizeof(letters));
		if (print)
			printf("tainted: %s (%lu)\n",
			       letters[0] ? letters : "?", mask);
		return 1;
	}
	if (print)
		printf("not tainted%s%s\n", a->check_letters ? " by " : "",
		       a->check_letters ? a->check_letters : "");
	return 0;
}

/*
 * argp attaches an optional argument only with "=" (--check=U, -cU). A
 * word of letters right after --check or -c is its letters too, so that
 * "--check U" checks U instead of decoding "U" as a VALUE; a number or a
 * "Tainted: ..." string is never letters. *joined owns the new word.
 */
static int attach_check_letters(int argc, char **argv, char **joined)
{
	for (int i = 1; i + 1 < argc; i++) {
		const char *w = argv[i + 1];
		bool letters = *w != '\0';

		if (streq(argv[i], "--"))
			break;
		if (streq(argv[i], "--sysroot")) {
			i++;
			continue;
		}
		if (!streq(argv[i], "--check") && !streq(argv[i], "-c"))
			continue;
		for (const char *c = w; *c; c++)
			letters = letters && isalpha((unsigned char)*c);
		if (!letters || xasprintf(joined, "--check=%s", w) < 0)
			return argc;
		argv[i] = *joined;
		memmove(&argv[i + 1], &argv[i + 2],
			(size_t)(argc - i - 1) * sizeof(*argv));
		return argc - 1;
	}
	return argc;
}

static int decode(const char *value, unsigned long *mask)
{
	char bad;
	int r = vn_taint_parse(value, mask, &bad);

	if (r == -ERANGE)
		vn_err("'%s' is out of range: a taint value is a number from 0 "
		       "to %lu",
		       value, ULONG_MAX);
	else if (r < 0 && bad)
		vn_err("'%s': '%c' is not a taint letter", value, bad);
	else if (r < 0)
		vn_err("'%s' is neither a taint number nor a 'Tainted: ...' "
		       "string",
		       value);
	return r < 0 ? VN_EXIT_USAGE : 0;
}

static int print_document(struct vn_sys *sys, struct taint_report *r)
{
	struct json_object *doc = doc_taint_json(sys, r);
	int e = vn_doc_print(doc, &opts.out, stdout);

	json_object_put(doc);
	return e;
}

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	_cleanup_free_ char *joined = NULL;
	struct taint_args a = { 0 };
	_cleanup_(vn_facts_clear) struct vn_facts f = { 0 };
	struct taint_report r = { 0 };
	bool doc;
	int ret, e = 0;

	argc = attach_check_letters(argc, argv, &joined);
	vn_parse_verb(&taint_argp, "taint", argc, argv, &a);
	doc = opts.out.fmt == VN_FMT_JSON || opts.out.fmt == VN_FMT_PAIRS;
	if ((ret = vn_cli_open_sys_readonly(&sys)))
		return ret;
	if (a.value) {
		if ((ret = decode(a.value, &r.mask)))
			return ret;
	} else if ((e = vn_taint_read(sys, &r.mask)) < 0) {
		vn_err("cannot read /proc/sys/kernel/tainted: %s",
		       strerror(-e));
		/* --check's own meaning: 3 when the taint cannot be read. */
		return a.check ? VN_EXIT_UNSUPPORTED : VN_EXIT_FAILED;
	} else {
		r.host = true;
	}
	/* --check answers with its exit status; -q prints nothing else. */
	ret = a.check ? check(&a, r.mask, !doc && !opts.quiet) : VN_EXIT_OK;
	if ((a.check && !doc) || ret == VN_EXIT_USAGE)
		return ret;
	vn_facts_init(&f, sys, false);
	if ((e = doc_taint_gather(&f, &r)) < 0) {
		vn_err("cannot read the kernel log and devices: %s",
		       strerror(-e));
		return VN_EXIT_FAILED;
	}
	if (doc)
		e = print_document(sys, &r);
	else
		print_report(sys, &r);
	return e < 0 && !a.check ? VN_EXIT_FAILED : ret;
}

const struct vn_verb vn_verb_taint = {
	.name = "taint",
	.summary = "decode kernel taint and say which device set U",
	.run = run,
};
