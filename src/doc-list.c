// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * list's table, one place for the list command and report (which shows
 * 'list --all --json').
 */
#include <grp.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>

#include "docs.h"
#include "lib/journal.h"
#include "lib/names.h"
#include "lib/taint.h"

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
	COL_CDEV_STATE,
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
	COL_DECLARED,
};

static const char *const journal_keys[] = { "state", "step", NULL };

/* clang-format off */
const struct vn_coldef doc_list_columns[] = {
	[COL_BDF] = { "BDF", VN_COL_STR, VN_COL_DEFAULT, "PCI address", NULL },
	[COL_ID] = { "ID", VN_COL_STR, VN_COL_DEFAULT, "vendor:device ID", NULL },
	[COL_VENDOR] = { "VENDOR", VN_COL_STR, VN_COL_TRUNC, "vendor name",
			 NULL },
	[COL_NAME] = { "NAME", VN_COL_STR, VN_COL_DEFAULT | VN_COL_TRUNC,
		       "device name (pci.ids)", NULL },
	[COL_CLASS] = { "CLASS", VN_COL_STR, VN_COL_TRUNC, "device class",
			NULL },
	[COL_DRIVER] = { "DRIVER", VN_COL_STR, VN_COL_DEFAULT, "bound driver",
			 NULL },
	[COL_OVERRIDE] = { "OVERRIDE", VN_COL_STR, 0, "driver_override", NULL },
	[COL_IOMMU_GROUP] = { "IOMMU_GROUP", VN_COL_NUM, VN_COL_RIGHT,
			      "IOMMU group number", NULL },
	[COL_NOIOMMU] = { "NOIOMMU", VN_COL_BOOL, VN_COL_DEFAULT,
			  "registered by VFIO as a no-IOMMU device", NULL },
	[COL_CDEV] = { "CDEV", VN_COL_STR, VN_COL_DEFAULT,
		       "VFIO device cdev node the kernel made", NULL },
	[COL_CDEV_STATE] = { "CDEV_STATE", VN_COL_STR, 0,
			     "ok, missing, mismatch, not-vfio, unsupported, "
			     "noiommu-unsupported", NULL },
	[COL_CDEV_REASON] = { "CDEV_REASON", VN_COL_STR, VN_COL_TRUNC,
			      "why there is no usable cdev node", NULL },
	[COL_GROUP] = { "GROUP", VN_COL_STR, VN_COL_DEFAULT,
			"VFIO group node", NULL },
	[COL_DEVT] = { "DEVT", VN_COL_STR, 0,
		       "MAJ:MIN of the cdev (else of the group node)", NULL },
	[COL_OWNER] = { "OWNER", VN_COL_STR, 0, "owner:group of that node",
			NULL },
	[COL_MODE] = { "MODE", VN_COL_STR, 0, "permissions of that node", NULL },
	[COL_OPEN_BY] = { "OPEN_BY", VN_COL_LIST, VN_COL_DEFAULT | VN_COL_WRAP,
			  "processes holding it: command[pid]", NULL },
	[COL_NUMA] = { "NUMA", VN_COL_NUM, VN_COL_RIGHT, "NUMA node", NULL },
	[COL_TAINT] = { "TAINT", VN_COL_NUM, VN_COL_RIGHT,
			"taint its binding added (64 = U for no-IOMMU)", NULL },
	[COL_JOURNAL] = { "JOURNAL", VN_COL_OBJECT, 0,
			  "journal record: bound, interrupted:STEP, corrupt",
			  journal_keys },
	[COL_ORIG_DRIVER] = { "ORIG_DRIVER", VN_COL_STR, 0,
			      "driver recorded at bind, restored by unbind",
			      NULL },
	[COL_DECLARED] = { "DECLARED", VN_COL_STR, 0,
			   "file:line of the entry that declares it", NULL },
};
/* clang-format on */

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
		out[i + 1] =
			(char)((st->mode & (1u << (8 - i))) ? rwx[i] : '-');
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

/* What a table people read says where there is no usable cdev. */
static const char *cdev_note(enum vn_cdev_state st)
{
	switch (st) {
	case VN_CDEV_NO_SUPPORT:
	case VN_CDEV_PREDATES:
		return "none (no cdevs)";
	case VN_CDEV_NOIOMMU_NONE:
		return "none (group only)";
	case VN_CDEV_NO_NODE:
		return "missing";
	case VN_CDEV_WRONG_NODE:
		return "wrong node";
	case VN_CDEV_OK:
	case VN_CDEV_NOT_VFIO:
		break;
	}
	return NULL;
}

/* CDEV holds the node the kernel made, or nothing; whether /dev has it
 * is CDEV_STATE, and why there is none is CDEV_REASON. */
static int add_nodes(struct vn_table *t, const struct vn_dev *d)
{
	const char *note = cdev_note(d->cdev_state);
	int r = vn_cell_str(t, COL_CDEV, d->cdev.path);
	char buf[PATH_MAX + 32];

	/* A node the kernel made that /dev lacks (or has wrong): the path is
	 * the value, CDEV_STATE says so, and people read both in one cell. */
	if (note && d->cdev.path) {
		snprintf(buf, sizeof(buf), "%s (%s)", d->cdev.path, note);
		note = buf;
	}
	if (r == 0 && note)
		r = vn_cell_note(t, COL_CDEV, note);
	if (r == 0)
		r = vn_cell_str(t, COL_CDEV_STATE,
				vn_cdev_state_name(d->cdev_state));
	if (r == 0)
		r = vn_cell_str(t, COL_CDEV_REASON,
				vn_cdev_state_text(d->cdev_state));
	if (r == 0 && d->group.path)
		r = vn_cell_str(t, COL_GROUP, d->group.path);
	if (r == 0 && (d->cdev.path || d->group.path))
		r = add_node_meta(t, d->cdev.path ? &d->cdev : &d->group);
	return r;
}

/* {"comm", "pid", "maybe"}: maybe when only a mapping of a device file
 * of unknown identity points at it. */
static struct json_object *holder_json(const struct vn_holder_ref *h)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "comm", vn_jstr(h->comm));
	json_object_object_add(o, "pid", json_object_new_int((int)h->pid));
	json_object_object_add(o, "maybe", json_object_new_boolean(h->maybe));
	return o;
}

static int add_holders(struct vn_table *t, const struct vn_dev *d,
		       const struct vn_holders *h)
{
	_cleanup_free_ struct vn_holder_ref *refs = NULL;
	size_t n;
	int r;

	/* Nothing holds a device that is not on a VFIO driver (see
	 * any_vfio_shown()), whether the processes were read or not. */
	if (!vn_dev_is_vfio(d))
		return vn_cell_list_add(t, COL_OPEN_BY, "");
	r = vn_holders_of(h, d, &refs, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		char item[64];

		snprintf(item, sizeof(item), "%s[%d]%s", refs[i].comm,
			 (int)refs[i].pid, refs[i].maybe ? "?" : "");
		r = vn_cell_list_add_obj(t, COL_OPEN_BY, item,
					 holder_json(&refs[i]));
	}
	if (r < 0 || n)
		return r;
	/* Nothing found: an empty list, unless some processes could not be
	 * inspected, which makes the answer unknown. */
	if (h->unreadable)
		return vn_cell_note(t, COL_OPEN_BY, "?");
	return vn_cell_list_add(t, COL_OPEN_BY, "");
}

/* {"state", "step"}: bound, interrupted (at step) or corrupt (no step). */
static int journal_cell(struct vn_table *t, const char *state,
			const struct vn_record *rec)
{
	struct json_object *o = json_object_new_object();
	const char *step = rec ? vn_step_name(rec->step) : NULL;
	char text[64];

	json_object_object_add(o, "state", vn_jstr(state));
	json_object_object_add(o, "step", vn_jstr(step));
	snprintf(text, sizeof(text), "%s%s%s", state,
		 streq(state, "interrupted") ? ":" : "",
		 streq(state, "interrupted") ? step : "");
	return vn_cell_obj(t, COL_JOURNAL, text, o);
}

static int add_journal(struct vn_sys *sys, struct vn_table *t,
		       const struct vn_dev *d)
{
	struct vn_record rec;
	int r = vn_journal_read(sys, d->bdf, &rec);

	if (r == -ENOENT)
		return 0;
	if (r == -EBADMSG)
		return journal_cell(t, "corrupt", NULL);
	if (r < 0)
		return 0;
	r = journal_cell(
		t, vn_record_unfinished(&rec) ? "interrupted" : "bound", &rec);
	if (r == 0)
		r = rec.orig_driver ?
			    vn_cell_str(t, COL_ORIG_DRIVER, rec.orig_driver) :
			    vn_cell_note(t, COL_ORIG_DRIVER, "(none)");
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

/* DECLARED: the entry of vfio-noiommuctl.conf(5) that governs it; "?"
 * when the declared state cannot be read or has errors. */
static int add_declared(struct vn_table *t, const struct vn_facts *f,
			const struct vn_dev *d)
{
	const struct vn_match *x = vn_matches_find(&f->matches, d->bdf);

	if (f->state_err)
		return vn_cell_note(t, COL_DECLARED, "?");
	if (!x)
		return vn_cell_note(t, COL_DECLARED, "no");
	return vn_cell_strf(t, COL_DECLARED, "%s:%u", x->entry->file,
			    x->entry->line);
}

/* By default: devices on VFIO drivers, nothing else. One a killed bind
 * left between drivers is in --all and status, and warned about. */
static bool selected(bool all, char *const *bdfs, const struct vn_dev *d)
{
	if (bdfs)
		return strv_contains(bdfs, d->bdf);
	return all || vn_dev_is_vfio(d);
}

/* Only a device on a VFIO driver can be held: the unbind that takes one
 * off waits until every file of it is closed (doc/kernel.md §5.8). With
 * no such device to show, the scan of every process is not done. */
static bool any_vfio_shown(struct vn_dev *const *devs, size_t n, bool all,
			   char *const *bdfs)
{
	for (size_t i = 0; i < n; i++)
		if (vn_dev_is_vfio(devs[i]) && selected(all, bdfs, devs[i]))
			return true;
	return false;
}

/* The functions the rows come from: only those on a VFIO driver when
 * nothing else is shown (found without reading every function), else
 * every one. Entries of a declared state are matched against every
 * function: with none (or an unreadable state), nothing is matched. */
static int rows_from(struct vn_facts *f, bool every, bool declared,
		     struct vn_dev *const **devs, size_t *n)
{
	int r = declared ? vn_facts_need(f, VN_FACT_DECLARED) : 0;

	if (r < 0)
		return r;
	if (declared && (f->state_err < 0 && f->state_err != -EINVAL))
		declared = false;
	if (declared && f->state_err == 0 && f->state.n == 0)
		declared = false;
	if (!every && !declared) {
		r = vn_facts_need(f, VN_FACT_VFIO);
		*devs = f->vfio;
		*n = f->nvfio;
		return r;
	}
	r = vn_facts_need(f, VN_FACT_DEVS | (declared ? VN_FACT_STATE : 0));
	*devs = f->devs.devs;
	*n = f->devs.n;
	return r;
}

int doc_list_fill(struct vn_facts *f, struct vn_table *t, bool all,
		  char *const *bdfs, size_t *shown)
{
	bool want_holders = vn_table_wants(t, COL_OPEN_BY);
	bool declared = vn_table_wants(t, COL_DECLARED);
	struct vn_dev *const *devs = NULL;
	size_t n = 0;
	int r;

	r = rows_from(f, all || bdfs, declared, &devs, &n);
	if (r == 0 && want_holders && any_vfio_shown(devs, n, all, bdfs))
		r = vn_facts_need(f, VN_FACT_HOLDERS);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (!selected(all, bdfs, devs[i]))
			continue;
		r = add_row(f->sys, t, devs[i],
			    want_holders ? &f->holders : NULL);
		if (r == 0 && declared)
			r = add_declared(t, f, devs[i]);
		if (r < 0)
			return r;
		(*shown)++;
	}
	return 0;
}
