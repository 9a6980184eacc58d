// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unbind: devices back from vfio-pci to the exact driver the journal
 * recorded at bind time (or the kernel's choice, or --driver).
 */
#include "cli-txn.h"
#include "commands.h"

enum {
	OPT_DRIVER = 0x300,
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct vn_txn_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = a;
		break;
	case OPT_DRIVER:
		if (!*arg || strchr(arg, '/') || strchr(arg, '\n'))
			argp_error(state, "--driver: '%s' is not a driver name",
				   arg);
		a->driver = arg;
		break;
	case ARGP_KEY_ARG:
		if (strv_push(&a->raw, strdup(arg)) < 0)
			argp_failure(state, VN_EXIT_FAILED, ENOMEM,
				     "arguments");
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no device given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "driver", OPT_DRIVER, "NAME", 0,
	  "Bind to this driver instead of the recorded one", 0 },
	{ 0 }
};

static const struct argp_child children[] = { { &vn_argp_txn, 0, NULL, 0 },
					      { &vn_argp_doc_output, 0,
						"Output:", 0 },
					      { &vn_argp_common, 0, NULL, 0 },
					      { 0 } };

static const struct argp unbind_argp = {
	.options = options,
	.parser = parse,
	.args_doc = "BDF...",
	.doc = "Return devices from vfio-pci to the driver they had before "
	       "'bind' (from the journal), clearing driver_override first; "
	       "without a record, to the kernel's choice. Also completes a bind "
	       "or unbind that was interrupted.\v"
	       "Exit status: 0 done or nothing to do; 1 failed (the device "
	       "stays on vfio-pci, the journal is kept); 2 invalid input; "
	       "4 refused (a process holds the device); 5 partial "
	       "(--keep-going); 6 another writer held the lock.",
	.children = children,
};

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	_cleanup_strv_ char **bdfs = NULL;
	struct vn_txn_args a = { .timeout_ms = 10000,
				 .lock_timeout_ms = 10000 };
	int ret;

	vn_parse_verb(&unbind_argp, "unbind", argc, argv, &a);
	ret = vn_cli_open_sys(&sys);
	for (size_t i = 0; !ret && a.raw[i]; i++) {
		char bdf[VN_BDF_MAX];

		ret = vn_cli_bdf_arg(sys, a.raw[i], bdf);
		if (ret)
			break;
		if (strv_contains(bdfs, bdf)) {
			vn_err("%s is given twice", bdf);
			ret = VN_EXIT_USAGE;
		} else if (strv_push(&bdfs, strdup(bdf)) < 0) {
			ret = VN_EXIT_FAILED;
		}
	}
	if (!ret)
		ret = vn_txn_run(VN_OP_UNBIND, sys, bdfs, &a);
	strv_free(a.raw);
	return ret;
}

const struct vn_verb vn_verb_unbind = {
	.name = "unbind",
	.summary = "return devices to the driver they had before bind",
	.run = run,
};
