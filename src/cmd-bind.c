// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bind: devices to vfio-pci, guarded, journaled, verified, as one
 * transaction.
 */
#include "cli-txn.h"
#include "commands.h"

enum {
	OPT_GROUP = 0x300,
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct vn_txn_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = a;
		break;
	case OPT_GROUP:
		a->group = true;
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
	{ "group", OPT_GROUP, NULL, 0,
	  "Also bind the other members of each device's IOMMU group", 0 },
	{ 0 }
};

static const struct argp_child children[] = { { &vn_argp_txn, 0, NULL, 0 },
					      { &vn_argp_doc_output, 0,
						"Output:", 0 },
					      { &vn_argp_common, 0, NULL, 0 },
					      { 0 } };

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
	.children = children,
};

/* Arguments to canonical BDFs; VID:DID expands to every match. */
static int resolve(struct vn_sys *sys, char **raw, char ***out)
{
	for (size_t i = 0; raw && raw[i]; i++) {
		_cleanup_strv_ char **found = NULL;
		unsigned int v, d;
		char bdf[VN_BDF_MAX];
		int ret;

		if (vn_id_parse(raw[i], &v, &d) == 0) {
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
			if (strv_contains(*out, found[f])) {
				vn_err("%s is given twice", found[f]);
				return VN_EXIT_USAGE;
			}
			if (strv_push(out, strdup(found[f])) < 0)
				return VN_EXIT_FAILED;
		}
	}
	return 0;
}

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	_cleanup_strv_ char **bdfs = NULL;
	struct vn_txn_args a = { .timeout_ms = 10000,
				 .lock_timeout_ms = 10000 };
	int ret;

	vn_parse_verb(&bind_argp, "bind", argc, argv, &a);
	ret = vn_cli_open_sys(&sys);
	if (!ret)
		ret = resolve(sys, a.raw, &bdfs);
	if (!ret)
		ret = vn_txn_run(VN_OP_BIND, sys, bdfs, &a);
	strv_free(a.raw);
	return ret;
}

const struct vn_verb vn_verb_bind = {
	.name = "bind",
	.summary = "bind devices to vfio-pci, guarded, journaled, verified",
	.run = run,
};
