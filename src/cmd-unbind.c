// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unbind: devices back from vfio-pci to the exact driver the journal
 * recorded at bind time (or the kernel's choice, or --driver).
 */
#include "cli-transaction.h"
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
		state->child_inputs[1] = a;
		break;
	case OPT_DRIVER:
		if (!*arg || strchr(arg, '/') || strchr(arg, '\n'))
			argp_error(state, "--driver: '%s' is not a driver name",
				   arg);
		a->driver = arg;
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
	.children = vn_children_txn_persist,
};

static int run(int argc, char **argv)
{
	return vn_txn_main(VN_OP_UNBIND, &unbind_argp, argc, argv);
}

const struct vn_verb vn_verb_unbind = {
	.name = "unbind",
	.summary = "return devices to the driver they had before bind",
	.run = run,
};
