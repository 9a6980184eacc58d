// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apply's reading: the declared state against the devices and the
 * journal. Which devices to bind, which are in place, which the tool
 * bound without a declaration (drift).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "binding.h"
#include "facts.h"
#include "util.h"

void vn_apply_clear(struct vn_apply *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].driver);
	for (size_t i = 0; i < a->ndrift; i++)
		free(a->drift[i].driver);
	free(a->v);
	free(a->drift);
	*a = (struct vn_apply){ 0 };
}

bool vn_match_is_problem(const struct vn_match *m)
{
	return m->result != VN_MATCH_OK && m->result != VN_MATCH_OVERRIDDEN;
}

static const struct vn_dev *find_dev(const struct vn_apply *a, const char *bdf)
{
	for (size_t i = 0; i < a->devs->n; i++)
		if (streq(a->devs->devs[i]->bdf, bdf))
			return a->devs->devs[i];
	return NULL;
}

static int cmp_dev(const void *x, const void *y)
{
	return strcmp(((const struct vn_apply_dev *)x)->bdf,
		      ((const struct vn_apply_dev *)y)->bdf);
}

/* A record left unfinished by a killed run is not in place: bind
 * completes it (plan.c). */
static int add_declared(struct vn_apply *a, const struct vn_match *m,
			const char *bdf, char *const *unfinished)
{
	const struct vn_dev *d = find_dev(a, bdf);
	struct vn_apply_dev *v, *nd;

	if (!d)
		return 0;
	nd = realloc(a->v, (a->n + 1) * sizeof(*a->v));
	if (!nd)
		return -ENOMEM;
	a->v = nd;
	v = &a->v[a->n];
	*v = (struct vn_apply_dev){ .match = m };
	snprintf(v->bdf, sizeof(v->bdf), "%s", bdf);
	/* gcc 12 loses what is stored into the realloc()ed array; the
	 * caller's vn_apply_clear() frees it. */
	VN_ANALYZER_FP_BEGIN("-Wanalyzer-malloc-leak")
	if (d->driver && !(v->driver = strdup(d->driver)))
		return -ENOMEM;
	VN_ANALYZER_FP_END
	v->in_place = d->driver && streq(d->driver, VN_VFIO_PCI) &&
		      !strv_contains(unfinished, bdf);
	a->n++;
	return 0;
}

/* unfinished: NULL when the journal may not be read (as any record it
 * holds is unknown). */
static int collect_declared(struct vn_apply *a, char *const *unfinished)
{
	int r;

	for (size_t i = 0; i < a->m->n; i++) {
		const struct vn_match *m = &a->m->v[i];

		if (vn_match_is_problem(m))
			a->problems++;
		if (m->result != VN_MATCH_OK)
			continue;
		for (size_t k = 0; m->bdfs[k]; k++)
			if ((r = add_declared(a, m, m->bdfs[k], unfinished)) <
			    0)
				return r;
	}
	if (a->n)
		qsort(a->v, a->n, sizeof(*a->v), cmp_dev);
	return 0;
}

/* Why a drifted device must not be pruned: an entry meant to name it is
 * broken, so the declaration may still want it. NULL: it may go. */
/* The first entry that may mean bdf but cannot be trusted: a serial entry
 * whose config space was unreadable, or one naming bdf with a problem.
 * Such a device is neither pruned nor steered by the udev rule. */
static const struct vn_match *problem_entry(const struct vn_matches *ms,
					    const char *bdf)
{
	for (size_t i = 0; i < ms->n; i++) {
		const struct vn_match *m = &ms->v[i];

		if (m->result == VN_MATCH_UNREADABLE ||
		    (vn_match_is_problem(m) && strv_contains(m->bdfs, bdf)))
			return m;
	}
	return NULL;
}

static const char *keep_reason(const struct vn_apply *a, const char *bdf)
{
	const struct vn_match *m = problem_entry(a->m, bdf);

	if (!m)
		return NULL;
	return m->result == VN_MATCH_UNREADABLE ?
		       "a serial entry could not be checked "
		       "(config space unreadable)" :
		       "an entry names it but has a problem";
}

/* recs: the BDFs with a record; NULL when the journal may not be read. */
static int collect_drift(struct vn_apply *a, char *const *recs)
{
	for (size_t i = 0; recs && recs[i]; i++) {
		const struct vn_dev *d = find_dev(a, recs[i]);
		struct vn_apply_drift *nd, *v;

		if (!d || vn_apply_find(a, recs[i]))
			continue;
		nd = realloc(a->drift, (a->ndrift + 1) * sizeof(*nd));
		if (!nd)
			return -ENOMEM;
		a->drift = nd;
		v = &a->drift[a->ndrift++];
		*v = (struct vn_apply_drift){ .keep = keep_reason(a, recs[i]) };
		snprintf(v->bdf, sizeof(v->bdf), "%s", recs[i]);
		/* Stored into the realloc()ed array (gcc 12 loses it);
		 * vn_apply_clear() frees it. */
		VN_ANALYZER_FP_BEGIN("-Wanalyzer-malloc-leak")
		if (d->driver && !(v->driver = strdup(d->driver)))
			return -ENOMEM;
		VN_ANALYZER_FP_END
	}
	return 0;
}

int vn_apply_from_facts(const struct vn_facts *f, struct vn_apply *a)
{
	int r;

	*a = (struct vn_apply){ .st = &f->state,
				.devs = &f->devs,
				.m = &f->matches };
	/* apply refuses a state with errors whole. And with entries
	 * missing, every device they named would look like drift (that
	 * --prune would take). */
	if (f->state_err < 0)
		return 0;
	if ((r = collect_declared(a, f->unfinished)) < 0)
		return r;
	return collect_drift(a, f->journal);
}

const struct vn_apply_dev *vn_apply_find(const struct vn_apply *a,
					 const char *bdf)
{
	struct vn_apply_dev key = { 0 };

	if (!a->n)
		return NULL;
	snprintf(key.bdf, sizeof(key.bdf), "%s", bdf);
	return bsearch(&key, a->v, a->n, sizeof(*a->v), cmp_dev);
}

int vn_apply_to_bind(const struct vn_apply *a, char ***bdfs)
{
	for (size_t i = 0; i < a->n; i++)
		if (!a->v[i].in_place &&
		    strv_push(bdfs, strdup(a->v[i].bdf)) < 0)
			return -ENOMEM;
	return 0;
}

static int drift_bdfs(const struct vn_apply *a, bool all, char ***bdfs)
{
	for (size_t i = 0; i < a->ndrift; i++)
		if ((all || !a->drift[i].keep) &&
		    strv_push(bdfs, strdup(a->drift[i].bdf)) < 0)
			return -ENOMEM;
	return 0;
}

int vn_apply_to_prune(const struct vn_apply *a, char ***bdfs)
{
	return drift_bdfs(a, false, bdfs);
}

int vn_apply_drift(const struct vn_apply *a, char ***bdfs)
{
	return drift_bdfs(a, true, bdfs);
}

/* ---- one device, for the udev rule ------------------------------------------ */

static const char *const one_names[] = {
	[VN_ONE_DECLARED] = "declared",
	[VN_ONE_UNDECLARED] = "not-declared",
	[VN_ONE_STATE_INVALID] = "state-invalid",
	[VN_ONE_NO_DEVICE] = "no-device",
	[VN_ONE_PROBLEM] = "entry-problem",
};

const char *vn_one_result_name(enum vn_one_result r)
{
	return one_names[r];
}

void vn_one_clear(struct vn_one *o)
{
	vn_matches_clear(&o->m);
	vn_state_clear(&o->st);
	*o = (struct vn_one){ .result = VN_ONE_UNDECLARED };
	vn_state_init(&o->st);
}

/* The entry that governs bdf, else one that names it with a problem. */
static void one_judge(struct vn_one *o, const char *bdf)
{
	o->match = vn_matches_find(&o->m, bdf);
	if (o->match) {
		o->result = VN_ONE_DECLARED;
		return;
	}
	if ((o->match = problem_entry(&o->m, bdf)))
		o->result = VN_ONE_PROBLEM;
}

int vn_apply_read_one(struct vn_sys *host, struct vn_sys *root, const char *bdf,
		      struct vn_one *o)
{
	_cleanup_(vn_dev_freep) struct vn_dev *dev = NULL;
	struct vn_dev *one[1];
	struct vn_dev_list list = { one, 1 };
	int r;

	*o = (struct vn_one){ .result = VN_ONE_UNDECLARED };
	vn_state_init(&o->st);
	r = vn_state_read(root, &o->st);
	if (r == -EINVAL && o->st.errors) {
		o->result = VN_ONE_STATE_INVALID;
		return 0;
	}
	if (r < 0 || !o->st.n)
		return r < 0 ? r : 0;
	r = vn_dev_read(host, bdf, &dev);
	if (r == -ENODEV) {
		o->result = VN_ONE_NO_DEVICE;
		return 0;
	}
	if (r < 0)
		return r;
	one[0] = dev;
	if ((r = vn_state_match(host, &o->st, &list, &o->m)) < 0)
		return r;
	one_judge(o, bdf);
	return 0;
}
