// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bind: devices to vfio-pci, guarded, journaled, verified, as one
 * transaction.
 */
#include "cli-transaction.h"
#include "commands.h"

enum {
	OPT_GROUP = 0x300,
};

static error_t parse(int key, char *arg _unused_, struct argp_state *state)
{
	struct vn_txn_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = a;
		state->child_inputs[1] = a;
		break;
	case OPT_GROUP:
		a->group = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "group", OPT_GROUP, NULL, 0,
	  "Also bind the other members of each device's IOMMU group", 0 },
	{ 0 }
};

static const struct argp bind_argp = {
	.options = options,
	.parser = parse,
	.args_doc = "DEVICE...",
	.doc = "Bind devices to vfio-pci: plan, guard, journal, write, verify, "
	       "and roll back on failure. A DEVICE is a BDF (0000:03:00.0, "
	       "03:00.0) or VID:DID for every function with those IDs.\v"
	       "Exit status: 0 done or nothing to do; 1 failed (and put back); "
	       "2 invalid input; 3 not possible on this kernel (no-IOMMU mode "
	       "off, no vfio-pci); 4 refused by a guard; 5 partial "
	       "(--keep-going); 6 another writer held the lock.",
	.children = vn_children_txn_persist,
};

static int run(int argc, char **argv)
{
	return vn_txn_main(VN_OP_BIND, &bind_argp, argc, argv);
}

const struct vn_verb vn_verb_bind = {
	.name = "bind",
	.summary = "bind devices to vfio-pci, guarded, journaled, verified",
	.run = run,
};
