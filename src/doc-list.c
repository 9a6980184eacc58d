// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The list table (moved from cmd-list.c; report shows it too).
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>

#include "cli.h"
#include "docs.h"
#include "lib/journal.h"
#include "lib/names.h"

enum {
	COL_BDF,
	COL_ID,
	COL_VENDOR,
	COL_NAME,
	COL_CLASS,
	COL_DRIVER,
	COL_OVERRIDE,
	COL_IOMMU_GROUP,
	COL_NOIOMMU,
	COL_CDEV,
	COL_CDEV_REASON,
	COL_GROUP,
	COL_DEVT,
	COL_OWNER,
	COL_MODE,
	COL_OPEN_BY,
	COL_NUMA,
	COL_TAINT,
	COL_JOURNAL,
	COL_ORIG_DRIVER,
};

const struct vn_coldef doc_list_columns[] = {
	[COL_BDF] = { "BDF", VN_COL_STR, VN_COL_DEFAULT, "PCI address" },
	[COL_ID] = { "ID", VN_COL_STR, VN_COL_DEFAULT, "vendor:device ID" },
	[COL_VENDOR] = { "VENDOR", VN_COL_STR, VN_COL_TRUNC, "vendor name" },
	[COL_NAME] = { "NAME", VN_COL_STR, VN_COL_DEFAULT | VN_COL_TRUNC,
		       "device name (pci.ids)" },
	[COL_CLASS] = { "CLASS", VN_COL_STR, VN_COL_TRUNC, "device class" },
	[COL_DRIVER] = { "DRIVER", VN_COL_STR, VN_COL_DEFAULT, "bound driver" },
	[COL_OVERRIDE] = { "OVERRIDE", VN_COL_STR, 0, "driver_override" },
	[COL_IOMMU_GROUP] = { "IOMMU_GROUP", VN_COL_NUM,
			      VN_COL_DEFAULT | VN_COL_RIGHT,
			      "IOMMU group number (none without one)" },
	[COL_NOIOMMU] = { "NOIOMMU", VN_COL_BOOL, VN_COL_DEFAULT,
			  "registered by VFIO as a no-IOMMU device" },
	[COL_CDEV] = { "CDEV", VN_COL_STR, VN_COL_DEFAULT,
		       "VFIO device cdev node, or why there is none" },
	[COL_CDEV_REASON] = { "CDEV_REASON", VN_COL_STR, 0,
			      "why there is no cdev node" },
	[COL_GROUP] = { "GROUP", VN_COL_STR, VN_COL_DEFAULT,
			"VFIO group node" },
	[COL_DEVT] = { "DEVT", VN_COL_STR, 0,
		       "MAJ:MIN of the cdev (else of the group node)" },
	[COL_OWNER] = { "OWNER", VN_COL_STR, 0, "owner:group of that node" },
	[COL_MODE] = { "MODE", VN_COL_STR, 0, "permissions of that node" },
	[COL_OPEN_BY] = { "OPEN_BY", VN_COL_LIST, VN_COL_DEFAULT | VN_COL_WRAP,
			  "processes holding it: command[pid]" },
	[COL_NUMA] = { "NUMA", VN_COL_NUM, VN_COL_RIGHT, "NUMA node" },
	[COL_TAINT] = { "TAINT", VN_COL_NUM, VN_COL_RIGHT,
			"taint its binding added (64 = U for no-IOMMU)" },
	[COL_JOURNAL] = { "JOURNAL", VN_COL_STR, 0,
			  "journal state: bound, or the step an interrupted run reached" },
	[COL_ORIG_DRIVER] = { "ORIG_DRIVER", VN_COL_STR, 0,
			      "driver recorded at bind, restored by unbind" },
};

const size_t doc_list_ncolumns = ARRAY_SIZE(doc_list_columns);

static int add_names(struct vn_sys *sys, struct vn_table *t,
		     const struct vn_dev *d)
{
	char buf[256];
	int r = 0;

	if (vn_table_wants(t, COL_VENDOR) &&
	    vn_name_vendor(sys, d->vendor, buf, sizeof(buf)) == 0)
		r = vn_cell_str(t, COL_VENDOR, buf);
	if (r == 0 && vn_table_wants(t, COL_NAME) &&
	    vn_name_device(sys, d->vendor, d->device, buf, sizeof(buf)) == 0)
		r = vn_cell_str(t, COL_NAME, buf);
	if (r == 0 && vn_table_wants(t, COL_CLASS)) {
		if (vn_name_class(sys, d->class_code, buf, sizeof(buf)) == 0)
			r = vn_cell_str(t, COL_CLASS, buf);
		else
			r = vn_cell_strf(t, COL_CLASS, "0x%06x", d->class_code);
	}
	return r;
}

static void mode_string(const struct vn_node_info *st, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";

	out[0] = st->is_chr ? 'c' : 'b';
	for (int i = 0; i < 9; i++)
		out[i + 1] = st->mode & (1u << (8 - i)) ? rwx[i] : '-';
	out[10] = '\0';
}

static int add_node_meta(struct vn_table *t, const struct vn_node *n)
{
	struct passwd *pw;
	struct group *gr;
	char mode[11];
	int r;

	r = vn_cell_strf(t, COL_DEVT, "%u:%u", n->major, n->minor);
	if (r < 0 || !n->st.present)
		return r;
	pw = getpwuid(n->st.uid);
	gr = getgrgid(n->st.gid);
	if (pw && gr)
		r = vn_cell_strf(t, COL_OWNER, "%s:%s", pw->pw_name,
				 gr->gr_name);
	else
		r = vn_cell_strf(t, COL_OWNER, "%u:%u", (unsigned)n->st.uid,
				 (unsigned)n->st.gid);
	if (r < 0)
		return r;
	mode_string(&n->st, mode);
	return vn_cell_str(t, COL_MODE, mode);
}

static int add_nodes(struct vn_table *t, const struct vn_dev *d)
{
	const char *why = vn_cdev_state_text(d->cdev_state);
	int r;

	if (d->cdev_state == VN_CDEV_OK)
		r = vn_cell_str(t, COL_CDEV, d->cdev.path);
	else if (d->cdev_state == VN_CDEV_NOT_VFIO)
		r = 0;
	else if (d->cdev.path)
		r = vn_cell_strf(t, COL_CDEV, "%s (%s)", d->cdev.path,
				 d->cdev_state == VN_CDEV_NO_NODE ?
					 "missing" :
					 "wrong node");
	else
		r = vn_cell_strf(t, COL_CDEV, "none: %s", why);
	/* The JSON cdev field holds a usable path or null; the reason has
	 * its own field. */
	if (r == 0 && d->cdev_state != VN_CDEV_OK &&
	    d->cdev_state != VN_CDEV_NOT_VFIO && opts.out.fmt == VN_FMT_JSON)
		r = vn_cell_str(t, COL_CDEV, NULL);
	if (r == 0)
		r = vn_cell_str(t, COL_CDEV_REASON, why);
	if (r == 0 && d->group.path)
		r = vn_cell_str(t, COL_GROUP, d->group.path);
	if (r == 0 && (d->cdev.path || d->group.path))
		r = add_node_meta(t, d->cdev.path ? &d->cdev : &d->group);
	return r;
}

static int add_holders(struct vn_table *t, const struct vn_dev *d,
		       const struct vn_holders *h)
{
	size_t found = 0;

	for (size_t i = 0; i < h->n; i++) {
		enum vn_hold_match m = vn_holder_match(&h->v[i], d);
		char item[64];
		bool dup = false;
		int r;

		if (m == VN_HOLD_NO)
			continue;
		/* One entry per process, however many fds and maps it has. */
		for (size_t j = 0; j < i; j++)
			if (h->v[j].pid == h->v[i].pid &&
			    vn_holder_match(&h->v[j], d) != VN_HOLD_NO)
				dup = true;
		if (dup)
			continue;
		snprintf(item, sizeof(item), "%s[%d]%s", h->v[i].comm,
			 (int)h->v[i].pid, m == VN_HOLD_MAYBE ? "?" : "");
		r = vn_cell_list_add(t, COL_OPEN_BY, item);
		if (r < 0)
			return r;
		found++;
	}
	if (found)
		return 0;
	/* Nothing found: an empty list, unless some processes could not be
	 * inspected, which makes the answer unknown. */
	if (h->unreadable)
		return vn_cell_null_text(t, COL_OPEN_BY, "?");
	return vn_cell_list_add(t, COL_OPEN_BY, "");
}

static int add_journal(struct vn_sys *sys, struct vn_table *t,
		       const struct vn_dev *d)
{
	struct vn_record rec;
	int r = vn_journal_read(sys, d->bdf, &rec);

	if (r == -ENOENT)
		return 0;
	if (r == -EBADMSG)
		return vn_cell_str(t, COL_JOURNAL, "corrupt");
	if (r < 0)
		return 0;
	if (vn_record_unfinished(&rec))
		r = vn_cell_strf(t, COL_JOURNAL, "interrupted: %s",
				 vn_step_name(rec.step));
	else
		r = vn_cell_str(t, COL_JOURNAL, vn_step_name(rec.step));
	if (r == 0)
		r = rec.orig_driver ?
			    vn_cell_str(t, COL_ORIG_DRIVER, rec.orig_driver) :
			    vn_cell_null_text(t, COL_ORIG_DRIVER, "(none)");
	vn_record_clear(&rec);
	return r;
}

static int add_row(struct vn_sys *sys, struct vn_table *t,
		   const struct vn_dev *d, const struct vn_holders *h)
{
	int r;

	if ((r = vn_table_add_row(t)) < 0 ||
	    (r = vn_cell_str(t, COL_BDF, d->bdf)) < 0 ||
	    (r = vn_cell_strf(t, COL_ID, "%04x:%04x", d->vendor, d->device)) <
		    0 ||
	    (r = add_names(sys, t, d)) < 0 ||
	    (r = vn_cell_str(t, COL_DRIVER, d->driver)) < 0 ||
	    (r = vn_cell_str(t, COL_OVERRIDE, d->driver_override)) < 0 ||
	    (r = add_nodes(t, d)) < 0)
		return r;
	if (d->iommu_group >= 0)
		r = vn_cell_num(t, COL_IOMMU_GROUP, d->iommu_group);
	else
		r = vn_cell_null_text(t, COL_IOMMU_GROUP, "none");
	if (r == 0)
		r = vn_cell_bool(t, COL_NOIOMMU, d->noiommu);
	if (r == 0 && d->numa_node >= 0)
		r = vn_cell_num(t, COL_NUMA, d->numa_node);
	/* Registering a no-IOMMU device is what sets U (§4.1). */
	if (r == 0)
		r = vn_cell_num(t, COL_TAINT,
				d->noiommu ? (long long)VN_TAINT_USER : 0);
	if (r == 0 && h)
		r = add_holders(t, d, h);
	if (r == 0)
		r = add_journal(sys, t, d);
	return r;
}

/* By default: devices on VFIO drivers, and any the journal holds (one a
 * killed bind left between drivers has no VFIO driver yet). */
static bool selected(bool all, char *const *bdfs, char **journaled,
		     const struct vn_dev *d)
{
	if (bdfs)
		return strv_contains(bdfs, d->bdf);
	return all || vn_dev_is_vfio(d) || strv_contains(journaled, d->bdf);
}

int doc_list_fill(struct vn_facts *f, struct vn_table *t, bool all,
		  char *const *bdfs, size_t *shown)
{
	bool want_holders = vn_table_wants(t, COL_OPEN_BY);
	int r;

	/* A journal we may not read: its records are unknown, not fatal. */
	r = vn_facts_need(f, VN_FACT_JOURNAL | VN_FACT_DEVS |
				     (want_holders ? VN_FACT_HOLDERS : 0));
	if (r < 0)
		return r;
	for (size_t i = 0; i < f->devs.n; i++) {
		if (!selected(all, bdfs, f->journal, f->devs.devs[i]))
			continue;
		r = add_row(f->sys, t, f->devs.devs[i],
			    want_holders ? &f->holders : NULL);
		if (r < 0)
			return r;
		(*shown)++;
	}
	return 0;
}
