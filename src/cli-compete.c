// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Competing mechanisms (src/lib/compete.h), said the same way by apply,
 * bind and status: what each is, where, and whether it agrees with where
 * the devices should be.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "cli-transaction.h"
#include "lib/apply.h"
#include "lib/compete.h"
#include "lib/facts.h"
#include "lib/journal.h"

const char *vn_compete_verdict(const struct vn_compete *x, char *const *on_vfio)
{
	if (!x->bdf[0])
		return "neutral";
	return x->to_vfio == strv_contains(on_vfio, x->bdf) ? "agrees" :
							      "fights";
}

/* "driverctl /etc/driverctl.d/pci-0000:00:02.0 (e1000e)" */
static void describe(FILE *f, const struct vn_compete *x)
{
	_cleanup_free_ char *where = vn_escape(x->where);
	_cleanup_free_ char *text = vn_escape(x->text);

	fprintf(f, "%s %s: %s", vn_compete_kind_name(x->kind),
		where ? where : "?", text ? text : "?");
}

void vn_print_competing(FILE *f, const struct vn_competes *c,
			char *const *on_vfio, char *const *only)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct vn_compete *x = &c->v[i];
		const char *v = vn_compete_verdict(x, on_vfio);

		if (only && !strv_contains(only, x->bdf))
			continue;
		fprintf(f, "%s", f == stderr ? "note: " : "competing ");
		describe(f, x);
		if (!x->bdf[0])
			fprintf(f, " (loads vfio-pci first; no device present "
				   "uses that module)\n");
		else
			fprintf(f, " -> %s for %s: %s %s\n",
				x->to_vfio ? "vfio-pci" : "another driver",
				x->bdf, streq(v, "agrees") ? "agrees with" : v,
				only ? "this bind" : "the declared state");
	}
}

struct json_object *vn_competing_json(const struct vn_competes *c,
				      char *const *on_vfio)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < c->n; i++) {
		const struct vn_compete *x = &c->v[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "kind",
				       vn_jstr(vn_compete_kind_name(x->kind)));
		json_object_object_add(o, "where", vn_jstr(x->where));
		json_object_object_add(o, "text", vn_jstr(x->text));
		json_object_object_add(o, "bdf",
				       vn_jstr(x->bdf[0] ? x->bdf : NULL));
		json_object_object_add(o, "to_vfio",
				       json_object_new_boolean(x->to_vfio));
		json_object_object_add(o, "verdict",
				       vn_jstr(vn_compete_verdict(x, on_vfio)));
		json_object_array_add(arr, o);
	}
	return arr;
}

void vn_bind_competing(struct vn_sys *sys, char *const *bdfs)
{
	struct vn_dev_list devs = { 0 };
	struct vn_competes c = { 0 };
	_cleanup_strv_ char **journal = NULL;

	/* The functions of this bind only: what is said is about them, and
	 * a host's hundred other functions would each be read for nothing
	 * (most of a bind's system calls on the bench machine; BENCHMARKS.md). */
	if (opts.quiet || vn_dev_read_list(sys, bdfs, &devs) < 0)
		return;
	vn_journal_list(sys, &journal);
	if (vn_compete_scan(sys, &devs, journal, &c) == 0)
		vn_print_competing(stderr, &c, bdfs, bdfs);
	vn_competes_clear(&c);
	vn_dev_list_clear(&devs);
}

/* status: the declared state in one line, and the mechanisms that fight
 * it in another (apply has the details). The words are apply's
 * (vfio-noiommuctl(8), apply): in place, not in place, drift. */
static void declared_line(const struct vn_apply *ap)
{
	_cleanup_strv_ char **missing = NULL, **drift = NULL;
	_cleanup_free_ char *m = NULL, *d = NULL;

	if (vn_apply_to_bind(ap, &missing) < 0 ||
	    vn_apply_drift(ap, &drift) < 0)
		return;
	m = missing ? strv_join(missing, ", ") : NULL;
	d = drift ? strv_join(drift, ", ") : NULL;
	printf(VN_LABEL "declared %zu, in place %zu, not in place: %s; drift: "
			"%s%s\n",
	       "Declared state", ap->n, ap->n - strv_len(missing),
	       m && *m ? m : "none", d && *d ? d : "none",
	       ap->problems ? "; entries with problems (see apply)" : "");
}

void vn_print_declared_status(struct vn_facts *f)
{
	const struct vn_apply *ap = &f->apply;
	struct vn_competes c = { 0 };
	_cleanup_strv_ char **on_vfio = NULL;
	size_t fights = 0;

	if (f->state_err < 0) {
		printf(VN_LABEL "cannot be read: %s (see apply)\n",
		       "Declared state",
		       f->state_err == -EINVAL ? "errors in " VN_STATE_DIR :
						 strerror(-f->state_err));
		return;
	}
	/* Without a declared state there is nothing to agree or fight. */
	if (!(f->have & VN_FACT_APPLY) || (!ap->st->n && !ap->ndrift))
		return;
	declared_line(ap);
	for (size_t i = 0; i < ap->n; i++)
		strv_push(&on_vfio, strdup(ap->v[i].bdf));
	if (vn_compete_scan(f->sys, &f->devs, f->journal, &c) == 0 && c.n) {
		for (size_t i = 0; i < c.n; i++)
			fights += streq(vn_compete_verdict(&c.v[i], on_vfio),
					"fights");
		printf(VN_LABEL "%zu other mechanisms choose drivers, %zu "
				"fighting the declared state (see apply)\n",
		       "Competing", c.n, fights);
	}
	vn_competes_clear(&c);
}
