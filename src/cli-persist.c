// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bind --persist and unbind --persist: the device's entry in the declared
 * state (vfio-noiommuctl.conf(5)) written or removed once the device is
 * where it was asked to be; with --root DIR only that, inside DIR.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "cli-transaction.h"
#include "lib/initramfs.h"
#include "lib/state.h"

enum {
	OPT_PERSIST = 0x280,
	OPT_ROOT,
};

static error_t parse_persist(int key, char *arg, struct argp_state *state)
{
	struct vn_txn_args *a = state->input;

	switch (key) {
	case OPT_PERSIST:
		a->persist = true;
		break;
	case OPT_ROOT:
		if (!*arg)
			argp_error(state, "--root: an empty directory name");
		a->persist_root = arg;
		break;
	case ARGP_KEY_END:
		if (a->persist_root && !a->persist)
			argp_error(state, "--root is only for --persist");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option persist_options[] = {
	{ "persist", OPT_PERSIST, NULL, 0,
	  "Also declare the device in " VN_STATE_DIR
	  " (unbind: remove its entry), so 'apply' keeps it so",
	  0 },
	{ "root", OPT_ROOT, "DIR", 0,
	  "With --persist: only write (or remove) the entry inside DIR; change "
	  "no device",
	  0 },
	{ 0 }
};

static const struct argp persist_argp = {
	.options = persist_options,
	.parser = parse_persist,
};

const struct argp_child vn_children_txn_persist[] = {
	{ &persist_argp, 0, NULL, 0 },
	{ &vn_argp_txn, 0, NULL, 0 },
	{ &vn_argp_doc_output, 0, "Output:", 0 },
	{ &vn_argp_common, 0, NULL, 0 },
	{ 0 },
};

/* What --persist did to one device's entry, for the document. */
static void persist_json(struct json_object *arr, enum vn_op op,
			 const char *bdf, const char *file, const char *match,
			 bool changed, const char *error)
{
	struct json_object *o;

	if (!arr)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "bdf", vn_jstr(bdf));
	json_object_object_add(o, "action",
			       vn_jstr(op == VN_OP_BIND ? "write" : "remove"));
	json_object_object_add(o, "file", vn_jstr(file));
	json_object_object_add(o, "entry", vn_jstr(match));
	json_object_object_add(o, "changed", json_object_new_boolean(changed));
	json_object_object_add(o, "error", vn_jstr(error));
	json_object_array_add(arr, o);
}

static int persist_failed(enum vn_op op, struct vn_sys *root, const char *bdf,
			  const char *path, int r)
{
	vn_err("%s --persist %s: cannot %s its entry in %s%s: %s",
	       op == VN_OP_BIND ? "bind" : "unbind", bdf,
	       op == VN_OP_BIND ? "write" : "remove", root->root,
	       path ? path : VN_STATE_DIR, strerror(-r));
	if (r == -EACCES)
		vn_hint("config space (the serial number) and %s need root",
			VN_STATE_DIR);
	else if (r == -ENOENT && !path)
		vn_hint("its config space (the serial number) cannot be read, "
			"so its identity cannot be chosen");
	return VN_EXIT_FAILED;
}

static int persist_one(enum vn_op op, struct vn_sys *host, struct vn_sys *root,
		       const char *bdf, bool dry_run, struct json_object *arr)
{
	_cleanup_(vn_dev_freep) struct vn_dev *dev = NULL;
	_cleanup_free_ char *path = NULL, *match = NULL, *file = NULL;
	bool quiet = opts.quiet || arr;
	int r = vn_dev_read(host, bdf, &dev);

	if (r >= 0)
		r = op == VN_OP_BIND ?
			    vn_state_persist(root, host, dev, dry_run, &path,
					     &match) :
			    vn_state_unpersist(root, host, dev, dry_run, &path,
					       &match);
	if (path)
		xasprintf(&file, "%s%s", root->root, path);
	if (r == -ENOENT && op == VN_OP_UNBIND) {
		persist_json(arr, op, bdf, file, match, false, NULL);
		if (!quiet)
			printf("persist    %s: no entry of its own in %s%s\n",
			       bdf, root->root, VN_STATE_DIR);
		return VN_EXIT_OK;
	}
	if (r < 0) {
		persist_json(arr, op, bdf, file, match, false, strerror(-r));
		return persist_failed(op, root, bdf, path, r);
	}
	persist_json(arr, op, bdf, file, match, true, NULL);
	if (!quiet)
		printf("persist    %s%s %s\n", dry_run ? "would " : "",
		       op == VN_OP_BIND ? (dry_run ? "write" : "wrote") :
					  (dry_run ? "remove" : "removed"),
		       file ? file : "?");
	return VN_EXIT_OK;
}

char *vn_initramfs_rebuild_note(struct vn_sys *sys)
{
	_cleanup_(vn_initramfs_clear) struct vn_initramfs i = { 0 };
	char *text = NULL;

	if (!vn_sys_is_host(sys) || vn_initramfs_read(sys, NULL, &i) < 0 ||
	    !i.newer)
		return NULL;
	xasprintf(&text,
		  "the initramfs %s carries the declared state and is older "
		  "than %s now: run '%s' so that early boot sees the change",
		  i.image, i.newer, i.command);
	return text;
}

int vn_persist_devices(enum vn_op op, struct vn_sys *host, struct vn_sys *root,
		       char *const *bdfs, bool dry_run, struct json_object *arr)
{
	_cleanup_free_ char *note = NULL;
	int ret = VN_EXIT_OK;

	if (!root) {
		vn_err("--persist: a --sysroot tree is never written; give "
		       "--root DIR");
		return VN_EXIT_USAGE;
	}
	for (size_t i = 0; bdfs && bdfs[i]; i++)
		if (persist_one(op, host, root, bdfs[i], dry_run, arr))
			ret = VN_EXIT_FAILED;
	if (!dry_run && !opts.quiet && (note = vn_initramfs_rebuild_note(root)))
		fprintf(stderr, "note: %s\n", note);
	return ret;
}
