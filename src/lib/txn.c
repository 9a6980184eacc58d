// SPDX-License-Identifier: GPL-2.0-or-later
/* The transaction's data: lifetime, lookups, and the names of its parts. */
#include "audit.h"
#include "binding.h"
#include "netinfo.h"
#include "sys.h"

int vn_pci_find_ids(struct vn_sys *sys, unsigned int vendor,
		    unsigned int device, char ***bdfs)
{
	struct vn_dev_list all;
	_cleanup_strv_ char **v = strv_new();
	int r;

	if (!v)
		return -ENOMEM;
	r = vn_dev_read_all(sys, &all);
	if (r < 0)
		return r;
	for (size_t i = 0; i < all.n && r == 0; i++)
		if (all.devs[i]->vendor == vendor &&
		    all.devs[i]->device == device)
			r = strv_push(&v, strdup(all.devs[i]->bdf));
	vn_dev_list_clear(&all);
	if (r < 0)
		return r;
	*bdfs = steal_ptr(v);
	return 0;
}

int vn_txn_init(struct vn_txn *t, struct vn_sys *sys, enum vn_op op,
		const struct vn_txn_opts *opts)
{
	*t = (struct vn_txn){
		.sys = sys, .op = op, .opts = *opts, .lock_fd = -1
	};
	vn_acting_user(sys, t->user, sizeof(t->user));
	return vn_caps_probe(sys, &t->caps);
}

static void action_clear(struct vn_action *a)
{
	free(a->path);
	free(a->value);
	free(a->options);
	free(a->cond_driver);
}

static void steps_clear(struct vn_steps *s)
{
	for (size_t i = 0; i < s->n; i++) {
		action_clear(&s->v[i].act);
		for (size_t k = 0; k < s->v[i].nundo; k++)
			action_clear(&s->v[i].undo[k]);
		free(s->v[i].undo);
	}
	free(s->v);
	*s = (struct vn_steps){ 0 };
}

static void item_clear(struct vn_item *it)
{
	vn_dev_free(it->dev);
	vn_dev_free(it->after);
	vn_record_clear(&it->rec);
	free(it->from);
	free(it->to);
	free(it->to_override);
	free(it->why);
	free(it->detail);
	for (size_t i = 0; i < it->nguards; i++)
		free(it->guards[i].evidence);
	free(it->guards);
	steps_clear(&it->steps);
	steps_clear(&it->harbour);
	strv_free(it->netdevs_after);
}

void vn_txn_clear(struct vn_txn *t)
{
	for (size_t i = 0; i < t->n; i++)
		item_clear(&t->items[i]);
	free(t->items);
	steps_clear(&t->pre);
	vn_caps_clear(&t->caps);
	vn_holders_clear(&t->holders);
	vn_netinfo_clear(&t->net);
	vn_class_cache_clear(&t->classes);
	*t = (struct vn_txn){ 0 };
}

struct vn_item *vn_txn_find(struct vn_txn *t, const char *bdf)
{
	for (size_t i = 0; i < t->n; i++)
		if (streq(t->items[i].dev->bdf, bdf))
			return &t->items[i];
	return NULL;
}

int vn_txn_add(struct vn_txn *t, const char *bdf)
{
	struct vn_item *items, *it;
	int r;

	if (vn_txn_find(t, bdf))
		return -EEXIST;
	items = realloc(t->items, (t->n + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	t->items = items;
	it = &items[t->n];
	*it = (struct vn_item){ .lock_fd = -1 };
	r = vn_vfio_dev_read(t->sys, bdf, &it->dev);
	if (r < 0)
		return r;
	t->n++;
	r = vn_journal_read(t->sys, bdf, &it->rec);
	if (r == 0) {
		/* A record for another function at this address (hot swap)
		 * says nothing about this one. */
		it->had_record = it->rec.vendor == it->dev->vendor &&
				 it->rec.device == it->dev->device;
		if (!it->had_record)
			vn_record_clear(&it->rec);
	} else if (r != -ENOENT) {
		/* Corrupt: refuse to guess (the caller reports it). */
		return r;
	}
	return 0;
}

bool vn_txn_any(const struct vn_txn *t, enum vn_verdict v)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->items[i].verdict == v)
			return true;
	return false;
}

bool vn_item_runs(const struct vn_item *it)
{
	return it->verdict == VN_ITEM_GO ||
	       (it->verdict == VN_ITEM_NOTHING && it->steps.n);
}

bool vn_item_hard_refused(const struct vn_item *it)
{
	for (size_t g = 0; g < it->nguards; g++)
		if (it->guards[g].level == VN_GUARD_HARD)
			return true;
	return false;
}

const char *vn_fail_step_name(enum vn_fail_step s)
{
	static const char *const names[] = {
		[VN_FAIL_NONE] = NULL,
		[VN_FAIL_JOURNAL] = "write the journal",
		[VN_FAIL_OVERRIDE] = "set driver_override",
		[VN_FAIL_UNBIND_HOST] = "unbind from its driver",
		/* A literal and the macro's literal make one string here: no
		 * comma is missing. */
		// NOLINTNEXTLINE(bugprone-suspicious-missing-comma)
		[VN_FAIL_BIND_VFIO] = "bind to " VN_VFIO_PCI,
		[VN_FAIL_UNBIND_VFIO] = "unbind from " VN_VFIO_PCI,
		[VN_FAIL_RESTORE_OVERRIDE] = "restore driver_override",
		[VN_FAIL_LOAD] = "load the driver's module",
		[VN_FAIL_BIND_ORIGINAL] = "bind to the original driver",
		[VN_FAIL_PROBE] = "probe drivers",
		[VN_FAIL_VERIFY] = "verify",
		[VN_FAIL_ROLLBACK] = "roll back to its original driver",
		[VN_FAIL_INTERRUPTED] = "finish before the signal",
		[VN_FAIL_GONE] = "find the device (it was removed)",
	};

	return (size_t)s < ARRAY_SIZE(names) ? names[s] : NULL;
}

const char *vn_act_kind_name(enum vn_act_kind k)
{
	static const char *const names[] = {
		[VN_ACT_JOURNAL] = "journal", [VN_ACT_FORGET] = "forget",
		[VN_ACT_WRITE] = "write",     [VN_ACT_VFIO_UNBIND] = "write",
		[VN_ACT_LOAD] = "load",	      [VN_ACT_SETTLE] = "settle",
		[VN_ACT_VERIFY] = "verify",
	};

	return (size_t)k < ARRAY_SIZE(names) ? names[k] : "?";
}

const char *vn_phase_name(enum vn_phase p)
{
	static const char *const names[] = {
		[VN_PHASE_RECORD] = "record",
		[VN_PHASE_OVERRIDE] = "override",
		[VN_PHASE_RELEASE] = "release",
		[VN_PHASE_RESTORE_OVERRIDE] = "restore-override",
		[VN_PHASE_LOAD] = "load",
		[VN_PHASE_BIND] = "bind",
		[VN_PHASE_SETTLE] = "settle",
		[VN_PHASE_FINISH] = "finish",
	};

	return (size_t)p < ARRAY_SIZE(names) && names[p] ? names[p] : "?";
}

const char *vn_step_result_name(enum vn_step_result r)
{
	static const char *const names[] = {
		[VN_STEP_NOT_RUN] = "not-run", [VN_STEP_OK] = "done",
		[VN_STEP_SKIPPED] = "skipped", [VN_STEP_FAILED] = "failed",
		[VN_STEP_UNDONE] = "undone",
	};

	return (size_t)r < ARRAY_SIZE(names) ? names[r] : "?";
}

const char *vn_outcome_name(enum vn_outcome o)
{
	static const char *const names[] = {
		[VN_OUT_NONE] = "skipped",
		[VN_OUT_DONE] = "done",
		[VN_OUT_LATE] = "late",
		[VN_OUT_FAILED] = "failed",
		[VN_OUT_ROLLED_BACK] = "rolled-back",
		[VN_OUT_HARBOUR] = "left-on-vfio",
		[VN_OUT_STRANDED] = "stranded",
	};

	return (size_t)o < ARRAY_SIZE(names) ? names[o] : "?";
}
