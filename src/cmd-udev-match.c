// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * udev-match: the question the udev rule asks for every PCI function
 * being added (vfio-noiommuctl(8), BOOT): is it declared? The answer is
 * udev's IMPORT{program} format (KEY=VALUE lines); the rule itself sets
 * driver_override. Read-only, one device's reads, and never a failed
 * event for what the administrator wrote: a declared state with errors
 * declares nothing (as apply refuses it whole) and says so.
 */
#include <stdio.h>

#include "commands.h"
#include "lib/apply.h"
#include "lib/binding.h"

#define VAR "VFIO_NOIOMMUCTL_"

struct match_args {
	const char *bdf;
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct match_args *a = state->input;
	char bdf[VN_BDF_MAX];

	switch (key) {
	case ARGP_KEY_ARG:
		if (a->bdf)
			argp_error(state, "'%s': udev-match takes one device",
				   arg);
		if (vn_bdf_canonical(arg, bdf) < 0)
			argp_error(state,
				   "'%s' is not a PCI address "
				   "([DOMAIN:]BUS:DEVICE.FUNCTION)",
				   arg);
		a->bdf = arg;
		break;
	case ARGP_KEY_END:
		if (!a->bdf)
			argp_error(state, "give the device's PCI address "
					  "(the rule passes $kernel)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child children[] = {
	{ &vn_argp_common, 0, NULL, 0 },
	{ 0 },
};

static const struct argp match_argp = {
	.parser = parse,
	.args_doc = "BDF",
	.doc = "For the udev rule: is this PCI function declared in "
	       "/etc/vfio-noiommuctl? Prints udev IMPORT{program} lines: " VAR
	       "DECLARED=1 and " VAR "DRIVER=vfio-pci when an entry governs "
	       "it, else " VAR "DECLARED=0 and " VAR "REASON. Reads only this "
	       "device; changes nothing.\v"
	       "Exit status: 0 answered (declared or not; a declared state "
	       "with errors declares nothing); 1 the state or the device "
	       "could not be read; 2 invalid input.",
	.children = children,
};

/* "/etc/vfio-noiommuctl/10-nic.conf:1", printable (udev logs it). */
static void print_entry(const struct vn_match *m)
{
	_cleanup_free_ char *file = vn_escape(m->entry->file);

	printf(VAR "ENTRY=%s:%u\n", file ? file : "?", m->entry->line);
}

static void print_answer(const struct vn_one *o)
{
	_cleanup_free_ char *driver = NULL;

	if (o->result != VN_ONE_DECLARED) {
		printf(VAR "DECLARED=0\n" VAR "REASON=%s\n",
		       vn_one_result_name(o->result));
		if (o->match)
			print_entry(o->match);
		return;
	}
	driver = vn_escape(o->match->entry->driver ? o->match->entry->driver :
						     VN_VFIO_PCI);
	printf(VAR "DECLARED=1\n" VAR "DRIVER=%s\n", driver ? driver : "?");
	print_entry(o->match);
}

/* Said on stderr, which udev logs with the event: why nothing is
 * steered although an entry may have meant this device. */
static void explain(const struct vn_one *o, const char *bdf)
{
	if (opts.quiet)
		return;
	if (o->result == VN_ONE_STATE_INVALID)
		vn_err("the declared state has errors, so %s is not steered "
		       "(the first: %s); see vfio-noiommuctl.conf(5)",
		       bdf, o->st.errors[0]);
	else if (o->result == VN_ONE_PROBLEM && o->match->reason)
		vn_err("%s is not steered: %s", bdf, o->match->reason);
}

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	struct match_args a = { 0 };
	struct vn_one o;
	char bdf[VN_BDF_MAX];
	int ret, r;

	vn_parse_verb(&match_argp, "udev-match", argc, argv, &a);
	if ((ret = vn_cli_open_sys(&sys)))
		return ret;
	vn_bdf_canonical(a.bdf, bdf);
	r = vn_apply_read_one(sys, sys, bdf, &o);
	if (r < 0) {
		vn_err("%s: cannot read the declared state or the device: %s",
		       bdf, strerror(-r));
		vn_one_clear(&o);
		return VN_EXIT_FAILED;
	}
	print_answer(&o);
	explain(&o, bdf);
	vn_one_clear(&o);
	return fflush(stdout) == 0 ? VN_EXIT_OK : VN_EXIT_FAILED;
}

const struct vn_verb vn_verb_udev_match = {
	.name = "udev-match",
	.summary = "for the udev rule: is this PCI function declared?",
	.run = run,
};
