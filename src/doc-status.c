// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * status's document, one place for the status command and report.
 */
#include <json-c/json.h>

#include "docs.h"
#include "lib/journal.h"

/* The version of status's document: raise it when a field changes meaning
 * or goes away (doc/schema/status.json). */
#define STATUS_SCHEMA 1

/* Something declared, or a record of a bind that may be drift: only then
 * is every PCI function read (to match the entries and place the
 * records). An unreadable state or one with errors is reported as such. */
static bool declared_matters(const struct vn_facts *f)
{
	return f->state_err == 0 &&
	       (f->state.n || (f->journal && f->journal[0]));
}

int doc_status_gather(struct vn_facts *f, struct status *s)
{
	int r = vn_facts_need(f, VN_FACT_CAPS | VN_FACT_IOMMU | VN_FACT_TAINT |
					 VN_FACT_JOURNAL | VN_FACT_DECLARED |
					 VN_FACT_RECORD | VN_FACT_INITRAMFS);

	if (r == 0 && declared_matters(f))
		r = vn_facts_need(f, VN_FACT_APPLY);
	/* Built in, the mode of the next boot is the boot loader's
	 * configuration, which may not be booted yet (noiommu --persist). */
	if (r == 0 && f->caps.mod_vfio == VN_MOD_BUILTIN)
		r = vn_facts_need(f, VN_FACT_PERSIST);
	if (r < 0)
		return r;
	*s = (struct status){
		.caps = f->caps,
		.iommu = f->iommu,
		.taint_err = f->taint_err,
		.taint = f->taint,
		.pot = f->pot,
		.pot_mask = f->pot_mask,
		.pot_nousertaint = f->pot_nousertaint,
		.journal = f->journal,
		.unfinished = f->unfinished,
		.journal_denied = vn_err_denied(f->journal_err),
		.state_err = f->state_err,
		.state = &f->state,
		.apply = f->have & VN_FACT_APPLY ? &f->apply : NULL,
		.record = f->record_err ? NULL : &f->record,
		.record_err = f->record_err,
		.persist = f->have & VN_FACT_PERSIST ? &f->persist : NULL,
		.initramfs = f->initramfs.carries_state ? &f->initramfs : NULL,
	};
	/* The VFIO functions alone (every one only when another part of
	 * the run read them already: report); status alone costs the same
	 * on any host. */
	r = vn_facts_need(f, VN_FACT_VFIO);
	if (r < 0)
		return r;
	for (size_t i = 0; i < f->nvfio; i++)
		vn_vfio_tally(f->vfio[i], &s->nvfio, &s->nnoiommu);
	return 0;
}

const char *doc_status_impossible(const struct vn_caps *c, const char **source)
{
	*source = NULL;
	if (c->vfio.value == VN_NO) {
		*source = c->vfio.source;
		return "this kernel has no VFIO";
	}
	if (c->noiommu.value == VN_NO) {
		*source = c->noiommu.source;
		return "this kernel was built without CONFIG_VFIO_NOIOMMU";
	}
	switch (vn_caps_paths(c)) {
	case VN_PATHS_NONE:
		return "neither the group nor the cdev path is available for "
		       "no-IOMMU devices";
	case VN_PATHS_UNKNOWN:
		*source = c->noiommu.value == VN_UNKNOWN ? c->noiommu.source :
							   c->group.source;
		return "it cannot be confirmed on this kernel";
	default:
		return NULL;
	}
}

static struct json_object *jtri(enum vn_tri t)
{
	return t == VN_UNKNOWN ? NULL : json_object_new_boolean(t == VN_YES);
}

static struct json_object *janswer(const struct vn_answer *a)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "available", jtri(a->value));
	json_object_object_add(o, "source", vn_jstr(a->source));
	return o;
}

static struct json_object *jcaps(const struct vn_caps *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "vfio", janswer(&c->vfio));
	json_object_object_add(o, "group", janswer(&c->group));
	json_object_object_add(o, "cdev", janswer(&c->cdev));
	json_object_object_add(o, "noiommu", janswer(&c->noiommu));
	json_object_object_add(o, "iommufd", janswer(&c->iommufd));
	json_object_object_add(o, "iommufd_noiommu",
			       janswer(&c->iommufd_noiommu));
	json_object_object_add(o, "noiommu_group", janswer(&c->noiommu_group));
	json_object_object_add(o, "noiommu_cdev", janswer(&c->noiommu_cdev));
	return o;
}

static struct json_object *jmodules(const struct vn_caps *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "vfio",
			       vn_jstr(vn_mod_state_str(c->mod_vfio)));
	json_object_object_add(o, "vfio_pci",
			       vn_jstr(vn_mod_state_str(c->mod_vfio_pci)));
	json_object_object_add(o, "iommufd",
			       vn_jstr(vn_mod_state_str(c->mod_iommufd)));
	return o;
}

/* vfio built in: the next boot's mode, where it is set, and whether
 * this boot started with it; null otherwise. */
static struct json_object *jnext_boot(const struct vn_persist *p)
{
	const struct vn_setting *from;
	enum vn_tri next;
	struct json_object *o;
	_cleanup_free_ char *source = NULL;

	if (!p)
		return NULL;
	next = vn_persist_effective(p, &from);
	o = json_object_new_object();
	if (from)
		xasprintf(&source, "%s: %s", from->where, from->text);
	json_object_object_add(o, "enabled",
			       json_object_new_boolean(next == VN_YES));
	json_object_object_add(o, "source", vn_jstr(source));
	json_object_object_add(
		o, "booted",
		p->booted == VN_UNKNOWN ?
			NULL :
			json_object_new_boolean((p->booted == VN_YES) ==
						(next == VN_YES)));
	return o;
}

static struct json_object *jmode(const struct status *s)
{
	const struct vn_caps *c = &s->caps;
	struct json_object *o = json_object_new_object();
	char param[2] = { c->mode, '\0' };

	json_object_object_add(o, "available", jtri(c->noiommu.value));
	json_object_object_add(
		o, "enabled",
		c->mode ? json_object_new_boolean(c->mode == 'Y') :
		c->noiommu.value == VN_YES ? json_object_new_boolean(0) :
					     NULL);
	json_object_object_add(o, "parameter", c->mode ? vn_jstr(param) : NULL);
	json_object_object_add(o, "next_boot", jnext_boot(s->persist));
	return o;
}

static struct json_object *jiommu(const struct vn_iommu_state *st)
{
	struct json_object *o = json_object_new_object();
	struct json_object *units = json_object_new_array();

	for (size_t i = 0; st->units && st->units[i]; i++)
		json_object_array_add(units, vn_jstr(st->units[i]));
	json_object_object_add(o, "active",
			       json_object_new_boolean(st->units &&
						       st->units[0]));
	json_object_object_add(o, "units", units);
	json_object_object_add(o, "firmware_table", vn_jstr(st->fw_table));
	json_object_object_add(o, "cmdline", vn_jstr(st->cmdline_setting));
	return o;
}

static struct json_object *jtaint(const struct status *s)
{
	struct json_object *o = json_object_new_object();
	char letters[VN_TAINT_COUNT + 1];

	if (s->taint_err < 0) {
		json_object_object_add(o, "mask", NULL);
		json_object_object_add(o, "letters", NULL);
		json_object_object_add(o, "user", NULL);
		return o;
	}
	vn_taint_letters(s->taint, letters, sizeof(letters));
	/* "mask", as in taint's document and panic_on_taint's. */
	json_object_object_add(o, "mask",
			       json_object_new_int64((int64_t)s->taint));
	json_object_object_add(o, "letters", vn_jstr(letters));
	json_object_object_add(
		o, "user",
		json_object_new_boolean((s->taint & VN_TAINT_USER) != 0));
	return o;
}

static struct json_object *jpot(const struct status *s)
{
	struct json_object *o = json_object_new_object();
	bool set = s->pot == 1;

	json_object_object_add(o, "set", json_object_new_boolean(set));
	json_object_object_add(
		o, "mask",
		set ? json_object_new_int64((int64_t)s->pot_mask) : NULL);
	json_object_object_add(o, "nousertaint",
			       json_object_new_boolean(set &&
						       s->pot_nousertaint));
	json_object_object_add(
		o, "covers_user",
		json_object_new_boolean(set && (s->pot_mask & VN_TAINT_USER)));
	return o;
}

static struct json_object *jcheck(const struct vn_caps *c)
{
	struct json_object *o = json_object_new_object();
	const char *source, *why = doc_status_impossible(c, &source);

	json_object_object_add(o, "possible", json_object_new_boolean(!why));
	json_object_object_add(o, "reason", vn_jstr(why));
	json_object_object_add(o, "source", vn_jstr(source));
	return o;
}

/* records and unfinished are null when the journal may not be read. */
static struct json_object *jjournal(const struct status *s)
{
	struct json_object *j = json_object_new_object();
	struct json_object *u = NULL;

	if (!s->journal_denied) {
		u = json_object_new_array();
		for (size_t i = 0; s->unfinished && s->unfinished[i]; i++)
			json_object_array_add(u, vn_jstr(s->unfinished[i]));
	}
	json_object_object_add(
		j, "records",
		s->journal_denied ?
			NULL :
			json_object_new_int64((int64_t)strv_len(s->journal)));
	json_object_object_add(j, "unfinished", u);
	return j;
}

static struct json_object *jbdfs(char *const *v)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(arr, vn_jstr(v[i]));
	return arr;
}

static void jadd_count(struct json_object *o, const char *key, size_t n)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)n));
}

/* In apply's words (vfio-noiommuctl(8), apply). Without a reconciliation
 * (nothing declared, no bind recorded) the lists are empty; drift is
 * null when the journal may not be read. */
static int jdeclared_lists(const struct status *s, struct json_object *o)
{
	_cleanup_strv_ char **missing = NULL, **drift = NULL;
	_cleanup_strv_ char **placed = NULL;
	const struct vn_apply *ap = s->apply;

	for (size_t i = 0; ap && i < ap->n; i++)
		if (ap->v[i].in_place &&
		    strv_push(&placed, strdup(ap->v[i].bdf)) < 0)
			return -ENOMEM;
	if (ap && (vn_apply_to_bind(ap, &missing) < 0 ||
		   vn_apply_drift(ap, &drift) < 0))
		return -ENOMEM;
	jadd_count(o, "declared", ap ? ap->n : 0);
	jadd_count(o, "problems", ap ? ap->problems : 0);
	json_object_object_add(o, "in_place", jbdfs(placed));
	json_object_object_add(o, "not_in_place", jbdfs(missing));
	json_object_object_add(o, "drift",
			       s->journal_denied ? NULL : jbdfs(drift));
	return 0;
}

/* The declared state (vfio-noiommuctl.conf(5)); everything but error is
 * null when it cannot be read or has errors (apply says which). */
static struct json_object *jdeclared(const struct status *s)
{
	static const char *const keys[] = { "entries",	    "declared",
					    "problems",	    "in_place",
					    "not_in_place", "drift" };
	struct json_object *o = json_object_new_object();

	if (s->state_err < 0) {
		json_object_object_add(
			o, "error",
			vn_jstr(s->state_err == -EINVAL ?
					"errors in " VN_STATE_DIR :
					strerror(-s->state_err)));
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			json_object_object_add(o, keys[i], NULL);
		return o;
	}
	json_object_object_add(o, "error", NULL);
	jadd_count(o, "entries", s->state ? s->state->n : 0);
	if (jdeclared_lists(s, o) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The boot unit's last word (apply --record); null when this boot has
 * none. */
static struct json_object *jlast_apply(const struct status *s)
{
	const struct vn_apply_record *rec = s->record;
	struct json_object *o;

	if (!rec)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "time", json_object_new_int64(rec->when));
	json_object_object_add(o, "exit_status",
			       json_object_new_int(rec->exit_status));
	json_object_object_add(o, "found", jbdfs(rec->found));
	json_object_object_add(o, "bound", jbdfs(rec->bound));
	json_object_object_add(o, "owned", jbdfs(rec->owned));
	json_object_object_add(o, "missing", jbdfs(rec->missing));
	json_object_object_add(o, "refused", jbdfs(rec->refused));
	return o;
}

/* The boot image and whether it carries the declared state as it is
 * now; null when no image carries it. */
static struct json_object *jinitramfs(const struct status *s)
{
	const struct vn_initramfs *i = s->initramfs;
	struct json_object *o;

	if (!i)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "image", vn_jstr(i->image));
	json_object_object_add(o, "generator", vn_jstr(i->generator));
	json_object_object_add(
		o, "built",
		json_object_new_int64(i->image_mtime / 1000000000LL));
	json_object_object_add(o, "current",
			       json_object_new_boolean(!i->newer));
	json_object_object_add(o, "changed_after", vn_jstr(i->newer));
	json_object_object_add(o, "rebuild_command", vn_jstr(i->command));
	return o;
}

struct json_object *doc_status_json(const struct status *s)
{
	const struct vn_caps *c = &s->caps;
	struct json_object *doc = json_object_new_object();
	struct json_object *kernel = json_object_new_object();
	struct json_object *devs = json_object_new_object();
	enum vn_paths paths = vn_caps_paths(c);
	static const char *const containers[] = {
		[VN_CONTAINER_NONE] = "none",
		[VN_CONTAINER_VFIO] = "vfio",
		[VN_CONTAINER_IOMMUFD] = "iommufd",
		[VN_CONTAINER_UNKNOWN] = "unknown",
	};

	json_object_object_add(doc, "schema",
			       json_object_new_int(STATUS_SCHEMA));
	json_object_object_add(kernel, "release", vn_jstr(c->release));
	json_object_object_add(kernel, "config", vn_jstr(c->config.source));
	json_object_object_add(doc, "kernel", kernel);
	json_object_object_add(doc, "modules", jmodules(c));
	json_object_object_add(doc, "capabilities", jcaps(c));
	json_object_object_add(doc, "access_paths",
			       vn_jstr(vn_paths_name(paths)));
	json_object_object_add(doc, "access_paths_meaning",
			       vn_jstr(vn_paths_sentence(paths)));
	json_object_object_add(doc, "container",
			       vn_jstr(containers[c->container]));
	json_object_object_add(doc, "noiommu_mode", jmode(s));
	json_object_object_add(doc, "iommu", jiommu(&s->iommu));
	json_object_object_add(devs, "vfio",
			       json_object_new_int64((int64_t)s->nvfio));
	json_object_object_add(devs, "noiommu",
			       json_object_new_int64((int64_t)s->nnoiommu));
	json_object_object_add(doc, "devices", devs);
	json_object_object_add(doc, "taint", jtaint(s));
	json_object_object_add(doc, "panic_on_taint", jpot(s));
	json_object_object_add(doc, "check", jcheck(c));
	json_object_object_add(doc, "journal", jjournal(s));
	json_object_object_add(doc, "declared_state", jdeclared(s));
	json_object_object_add(doc, "last_apply", jlast_apply(s));
	json_object_object_add(doc, "initramfs", jinitramfs(s));
	return doc;
}
