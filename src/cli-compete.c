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

	if (opts.quiet || vn_dev_read_all(sys, &devs) < 0)
		return;
	if (vn_compete_scan(sys, &devs, &c) == 0)
		vn_print_competing(stderr, &c, bdfs, bdfs);
	vn_competes_clear(&c);
	vn_dev_list_clear(&devs);
}

/* status: the declared state in one line, and the mechanisms that fight
 * it in another (apply has the details). */
static void declared_line(const struct vn_apply *ap)
{
	_cleanup_strv_ char **drift = NULL;
	_cleanup_free_ char *names = NULL;
	size_t in_place = 0;

	for (size_t i = 0; i < ap->n; i++)
		in_place += ap->v[i].in_place;
	for (size_t i = 0; i < ap->ndrift; i++)
		strv_push(&drift, strdup(ap->drift[i].bdf));
	names = drift ? strv_join(drift, ", ") : NULL;
	printf(VN_LABEL "declared %zu, in place %zu, drift: %s%s\n",
	       "Declared state", ap->n, in_place, names ? names : "none",
	       ap->problems ? "; entries with problems (see apply)" : "");
}

/* Nothing declared (and no file to complain about) and no record of a
 * bind: no declared state to agree with or drift from, and no reason to
 * read every PCI function. */
static bool nothing_declared(struct vn_sys *sys, char *const *journal)
{
	struct vn_state st;
	bool none;
	int r;

	if (journal && journal[0])
		return false;
	vn_state_init(&st);
	r = vn_state_read(sys, &st);
	none = r == 0 && st.n == 0;
	vn_state_clear(&st);
	return none;
}

void vn_print_declared_status(struct vn_sys *sys, char *const *journal)
{
	struct vn_apply ap;
	struct vn_competes c = { 0 };
	_cleanup_strv_ char **on_vfio = NULL;
	size_t fights = 0;
	int r;

	if (nothing_declared(sys, journal))
		return;
	r = vn_apply_read(sys, sys, &ap);

	if (r < 0) {
		printf(VN_LABEL "cannot be read: %s (see apply)\n",
		       "Declared state",
		       r == -EINVAL ? "errors in " VN_STATE_DIR : strerror(-r));
		vn_apply_clear(&ap);
		return;
	}
	/* Without a declared state there is nothing to agree or fight. */
	if (!ap.st.n && !ap.ndrift) {
		vn_apply_clear(&ap);
		return;
	}
	declared_line(&ap);
	for (size_t i = 0; i < ap.n; i++)
		strv_push(&on_vfio, strdup(ap.v[i].bdf));
	if (vn_compete_scan(sys, &ap.devs, &c) == 0 && c.n) {
		for (size_t i = 0; i < c.n; i++)
			fights += streq(vn_compete_verdict(&c.v[i], on_vfio),
					"fights");
		printf(VN_LABEL "%zu other mechanisms choose drivers, %zu "
				"fighting the declared state (see apply)\n",
		       "Competing", c.n, fights);
	}
	vn_competes_clear(&c);
	vn_apply_clear(&ap);
}
