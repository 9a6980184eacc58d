// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bind --persist and unbind --persist: one file per device in the
 * declared state (vfio-noiommuctl.conf(5)), named after its identity
 * (vn_entry_file_name), written and removed atomically inside the root.
 */
#include <errno.h>
#include <stdlib.h>

#include "pci.h"
#include "state.h"
#include "sys.h"
#include "util.h"

/* The device's entry, its identity as text and the path of its file in
 * the root. */
static int entry_and_path(struct vn_sys *host, const struct vn_dev *dev,
			  struct vn_entry *e, char **path, char **match)
{
	_cleanup_free_ char *name = NULL;
	int r = vn_entry_for(host, dev, e);

	if (r < 0)
		return r;
	if (match &&
	    xasprintf(match, "%s %s", vn_ident_kind_name(e->match.kind),
		      e->match.value) < 0)
		return -ENOMEM;
	if ((r = vn_entry_file_name(&e->match, &name)) < 0)
		return r;
	return xasprintf(path, VN_STATE_DIR "/%s", name) < 0 ? -ENOMEM : 0;
}

int vn_state_persist(struct vn_sys *root, struct vn_sys *host,
		     const struct vn_dev *dev, bool dry_run, char **path,
		     char **match)
{
	_cleanup_(vn_entry_clear) struct vn_entry e = { 0 };
	_cleanup_free_ char *text = NULL, *comment = NULL;
	int r = entry_and_path(host, dev, &e, path, match);

	if (r < 0)
		return r;
	if (xasprintf(&comment,
		      "Written by vfio-noiommuctl bind --persist for %s "
		      "(its address then).",
		      dev->bdf) < 0)
		return -ENOMEM;
	if ((r = vn_entry_render(&e, comment, &text)) < 0)
		return r;
	if (dry_run)
		return 0;
	if ((r = vn_mkdir(root, VN_STATE_DIR)) < 0 && r != -EEXIST)
		return r;
	return vn_replace_file(root, text, "%s", *path);
}

int vn_state_unpersist(struct vn_sys *root, struct vn_sys *host,
		       const struct vn_dev *dev, bool dry_run, char **path,
		       char **match)
{
	_cleanup_(vn_entry_clear) struct vn_entry e = { 0 };
	int r = entry_and_path(host, dev, &e, path, match);

	if (r < 0)
		return r;
	if (dry_run)
		return vn_exists(root, "%s", *path) ? 0 : -ENOENT;
	return vn_remove_file(root, "%s", *path);
}
