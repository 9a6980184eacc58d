// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * list: VFIO devices (or every PCI function) with their nodes, no-IOMMU
 * status, taint and the processes holding them.
 */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "docs.h"

struct list_args {
	bool all;
	char **bdfs; /* canonical, from the arguments */
	char **raw; /* as given */
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct list_args *a = state->input;

	switch (key) {
	case 'a':
		a->all = true;
		break;
	case ARGP_KEY_ARG:
		if (strv_push(&a->raw, strdup(arg)) < 0)
			argp_failure(state, VN_EXIT_FAILED, ENOMEM,
				     "arguments");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "all", 'a', NULL, 0, "List every PCI function, not only VFIO devices",
	  0 },
	{ 0 }
};

static char *help_filter(int key, const char *text, void *input)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)input;
	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fprintf(f, "%s\nColumns:\n", text ? text : "");
	vn_columns_help(doc_list_columns, doc_list_ncolumns, f);
	fclose(f);
	return buf;
}

static const struct argp list_argp = {
	.options = options,
	.parser = parse,
	.args_doc = "[DEVICE...]",
	.doc = "List devices bound to VFIO drivers, or the given ones, with "
	       "their nodes, no-IOMMU status and holders. A DEVICE is a BDF "
	       "(0000:03:00.0, 03:00.0), VID:DID[:SVID:SDID], or a network "
	       "interface name.\v"
	       "--json prints every column unless -o selects some. "
	       "Exit status: 0; 2 for a malformed or unknown BDF or column.",
	.children = vn_children_table,
	.help_filter = help_filter,
};

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	_cleanup_(vn_table_freep) struct vn_table *t = NULL;
	_cleanup_free_ char *bad = NULL;
	struct list_args a = { 0 };
	struct vn_facts f = { 0 };
	size_t shown = 0;
	int r, ret;

	vn_parse_verb(&list_argp, "list", argc, argv, &a);
	r = vn_table_new(doc_list_columns, doc_list_ncolumns, &opts.out, &t,
			 &bad);
	if (r == -EINVAL) {
		vn_err("unknown column '%s' in -o; 'vfio-noiommuctl list --help' "
		       "lists the columns",
		       bad);
		ret = VN_EXIT_USAGE;
		goto out;
	}
	if (r < 0) {
		vn_err("-o: %s", strerror(-r));
		ret = VN_EXIT_USAGE;
		goto out;
	}
	ret = vn_cli_open_sys_readonly(&sys);
	if (ret)
		goto out;
	ret = vn_cli_bdf_args(sys, a.raw, VN_DEVARG_ANY, &a.bdfs);
	if (ret)
		goto out;
	vn_cli_warn_unfinished(sys, NULL);
	vn_facts_init(&f, sys, false);
	r = doc_list_fill(&f, t, a.all, a.bdfs, &shown);
	if (r < 0) {
		vn_err("cannot read the PCI devices: %s", strerror(-r));
		ret = VN_EXIT_FAILED;
		goto out;
	}
	if (!shown && !a.all && !a.bdfs && opts.out.fmt == VN_FMT_TABLE &&
	    !opts.quiet) {
		fprintf(stderr, "no device is bound to a VFIO driver; "
				"'vfio-noiommuctl list --all' shows every PCI "
				"function\n");
		goto out;
	}
	r = vn_table_print(t, stdout, DOC_LIST_KEY, DOC_LIST_SCHEMA);
	if (r < 0 || fflush(stdout) != 0) {
		vn_err("cannot write the list: %s",
		       strerror(r < 0 ? -r : errno));
		ret = VN_EXIT_FAILED;
	}
out:
	vn_facts_clear(&f);
	strv_free(a.bdfs);
	strv_free(a.raw);
	return ret;
}

const struct vn_verb vn_verb_list = {
	.name = "list",
	.summary = "VFIO devices (or all PCI functions) with their state",
	.run = run,
};
