// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Planning: each device's verdict and, for those that will change, the
 * steps the executor runs, each with its inverse. The sequences follow the
 * kernel's rules for driver_override and bind/unbind (doc/kernel.md §5,
 * doc/architecture.md "The plan").
 */
#include <stdarg.h>
#include <stdio.h>

#include "binding.h"
#include "guards.h"
#include "kmod.h"
#include "noiommu.h"
#include "sys.h"
#include "taint.h"

static bool is_vfio_driver(const struct vn_dev *d)
{
	return vn_dev_is_vfio(d) || streq_ptr(d->driver, VN_VFIO_PCI);
}

/* ---- building steps ------------------------------------------------------ */

static struct vn_plan_step *add_step(struct vn_steps *s, enum vn_phase phase,
				     enum vn_fail_step fail)
{
	struct vn_plan_step *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	s->v = v;
	v[s->n] = (struct vn_plan_step){ .phase = phase, .fail = fail };
	return &v[s->n++];
}

static struct vn_action *add_undo(struct vn_plan_step *st)
{
	struct vn_action *v = realloc(st->undo, (st->nundo + 1) * sizeof(*v));

	if (!v)
		return NULL;
	st->undo = v;
	v[st->nundo] = (struct vn_action){ 0 };
	return &v[st->nundo++];
}

/* A sysfs write, the driver_override value "\n" standing for "clear it":
 * "(null)" would be taken literally (doc/kernel.md §5.1). */
static int set_write(struct vn_action *a, enum vn_act_kind kind,
		     const char *value, const char *fmt, ...) _printf_(4, 5);
static int set_write(struct vn_action *a, enum vn_act_kind kind,
		     const char *value, const char *fmt, ...)
{
	va_list ap;
	int r;

	a->kind = kind;
	va_start(ap, fmt);
	r = xvasprintf(&a->path, fmt, ap);
	va_end(ap);
	if (r < 0)
		return r;
	return vn_set_str(&a->value, value ? value : "\n");
}

static int set_cond(struct vn_action *a, enum vn_act_cond cond,
		    const char *driver)
{
	a->cond = cond;
	return vn_set_str(&a->cond_driver, driver);
}

static int act_override(struct vn_action *a, const char *bdf, const char *v)
{
	return set_write(a, VN_ACT_WRITE, v,
			 "/sys/bus/pci/devices/%s/driver_override", bdf);
}

/* drivers/DRV/bind, unless the device is on DRV already. */
static int act_bind(struct vn_action *a, const char *bdf, const char *drv)
{
	return set_write(a, VN_ACT_WRITE, bdf, "/sys/bus/pci/drivers/%s/bind", drv) ?:
		       set_cond(a, VN_COND_UNLESS_ON, drv);
}

/* drivers/DRV/unbind, only while the device is on DRV. */
static int act_unbind(struct vn_action *a, const char *bdf, const char *drv,
		      bool vfio)
{
	return set_write(a, vfio ? VN_ACT_VFIO_UNBIND : VN_ACT_WRITE, bdf, "/sys/bus/pci/drivers/%s/unbind", drv) ?:
		       set_cond(a, VN_COND_IF_ON, drv);
}

/* The unbind of whatever driver it is on (the driver link leads there),
 * unless that is `except`: the kernel's choice, known only once made. */
static int act_unbind_any(struct vn_action *a, const char *bdf,
			  const char *except)
{
	return set_write(a, VN_ACT_WRITE, bdf, "/sys/bus/pci/devices/%s/driver/unbind", bdf) ?:
		       set_cond(a, VN_COND_ON_OTHER, except);
}

static int act_load(struct vn_action *a, const char *module)
{
	a->kind = VN_ACT_LOAD;
	return vn_set_str(&a->value, module) ?:
		       set_cond(a, VN_COND_UNLESS_LOADED, module);
}

static int act_check(struct vn_action *a, enum vn_act_kind kind,
		     const char *driver)
{
	a->kind = kind;
	return vn_set_str(&a->value, driver);
}

static void act_journal(struct vn_action *a, enum vn_step state)
{
	a->kind = VN_ACT_JOURNAL;
	a->state = state;
}

/* Put a driver back: the override it had first (while it names another
 * driver nothing else matches, doc/kernel.md §5.1), its module if it was
 * unloaded meanwhile, then the bind. */
static int undo_to_driver(struct vn_plan_step *st, const char *bdf,
			  const char *override, const char *drv)
{
	struct vn_action *a;
	int r;

	if (!(a = add_undo(st)) || (r = act_override(a, bdf, override)) < 0)
		return a ? r : -ENOMEM;
	if (!drv)
		return 0;
	if (!(a = add_undo(st)) || (r = act_load(a, drv)) < 0)
		return a ? r : -ENOMEM;
	if (!(a = add_undo(st)))
		return -ENOMEM;
	return act_bind(a, bdf, drv);
}

/* ---- bind ---------------------------------------------------------------- */

/* The journal record before the first write. Its inverse runs last: check
 * the device is back on back_on, then put the record back as it was
 * (`before`, a journal state) or remove it (-1). */
static int step_record(struct vn_item *it, enum vn_step state,
		       const char *back_on, int before)
{
	struct vn_plan_step *st;
	struct vn_action *a;
	int r;

	/* gcc 12's analyzer loses the buffers add_step() and add_undo()
	 * realloc() into the item and calls them leaked; vn_txn_clear()
	 * frees them. */
	VN_ANALYZER_FP_BEGIN("-Wanalyzer-malloc-leak")
	st = add_step(&it->steps, VN_PHASE_RECORD, VN_FAIL_JOURNAL);
	if (!st)
		return -ENOMEM;
	act_journal(&st->act, state);
	if (!(a = add_undo(st)) ||
	    (r = act_check(a, VN_ACT_VERIFY, back_on)) < 0)
		return a ? r : -ENOMEM;
	if (!(a = add_undo(st)))
		return -ENOMEM;
	VN_ANALYZER_FP_END
	if (before < 0)
		a->kind = VN_ACT_FORGET;
	else
		act_journal(a, (enum vn_step)before);
	return 0;
}

static int bind_steps(struct vn_item *it)
{
	const char *bdf = it->dev->bdf, *orig = it->rec.orig_override;
	struct vn_plan_step *st;
	int r;

	if ((r = step_record(it, VN_STEP_PLANNED, it->rec.orig_driver, -1)) < 0)
		return r;
	if (!(st = add_step(&it->steps, VN_PHASE_OVERRIDE, VN_FAIL_OVERRIDE)))
		return -ENOMEM;
	st->journal_after = true;
	st->journal_state = VN_STEP_OVERRIDE;
	/* A device an interrupted bind left with no driver goes back to the
	 * one its record names. */
	if ((r = act_override(&st->act, bdf, VN_VFIO_PCI)) < 0 ||
	    (r = undo_to_driver(st, bdf, orig,
				it->from ? NULL : it->rec.orig_driver)) < 0)
		return r;
	if (it->from) {
		st = add_step(&it->steps, VN_PHASE_RELEASE,
			      VN_FAIL_UNBIND_HOST);
		if (!st)
			return -ENOMEM;
		st->journal_after = true;
		st->journal_state = VN_STEP_UNBOUND;
		if ((r = act_unbind(&st->act, bdf, it->from, false)) < 0 ||
		    (r = undo_to_driver(st, bdf, orig, it->from)) < 0)
			return r;
	}
	/* bind, not drivers_probe: only bind returns the probe's errno. */
	if (!(st = add_step(&it->steps, VN_PHASE_BIND, VN_FAIL_BIND_VFIO)) ||
	    !add_undo(st))
		return -ENOMEM;
	if ((r = act_bind(&st->act, bdf, VN_VFIO_PCI)) < 0 ||
	    (r = act_unbind(&st->undo[0], bdf, VN_VFIO_PCI, true)) < 0)
		return r;
	if (!(st = add_step(&it->steps, VN_PHASE_SETTLE, VN_FAIL_VERIFY)))
		return -ENOMEM;
	st->journal_after = true;
	st->journal_state = VN_STEP_BOUND;
	return act_check(&st->act, VN_ACT_SETTLE, VN_VFIO_PCI);
}

/*
 * Where a device goes when putting it back failed: onto the VFIO driver,
 * with a journal record saying bound, so that 'unbind' can retry; never
 * driverless (doc/architecture.md "Nothing is lost").
 */
static int harbour_steps(struct vn_item *it, const char *vfio,
			 const char *other, bool forget)
{
	const char *bdf = it->dev->bdf;
	struct vn_plan_step *st;
	int r;

	if (!(st = add_step(&it->harbour, VN_PHASE_OVERRIDE,
			    VN_FAIL_ROLLBACK)) ||
	    (r = act_override(&st->act, bdf, vfio)) < 0)
		return st ? r : -ENOMEM;
	if (other && (!(st = add_step(&it->harbour, VN_PHASE_RELEASE,
				      VN_FAIL_ROLLBACK)) ||
		      (r = act_unbind(&st->act, bdf, other, false)) < 0))
		return st ? r : -ENOMEM;
	if (!(st = add_step(&it->harbour, VN_PHASE_BIND, VN_FAIL_ROLLBACK)) ||
	    (r = act_bind(&st->act, bdf, vfio)) < 0)
		return st ? r : -ENOMEM;
	if (!(st = add_step(&it->harbour, VN_PHASE_SETTLE, VN_FAIL_ROLLBACK)) ||
	    (r = act_check(&st->act, VN_ACT_VERIFY, vfio)) < 0)
		return st ? r : -ENOMEM;
	if (!(st = add_step(&it->harbour, VN_PHASE_FINISH, VN_FAIL_ROLLBACK)))
		return -ENOMEM;
	if (forget)
		st->act.kind = VN_ACT_FORGET;
	else
		act_journal(&st->act, VN_STEP_BOUND);
	return 0;
}

/* A no-IOMMU device while the mode is (or will load) off: vfio-pci's
 * probe would fail with EINVAL (doc/kernel.md §2.2, §3.1). */
static int unsupported_mode_off(struct vn_txn *t, struct vn_item *it)
{
	it->verdict = VN_ITEM_UNSUPPORTED;
	it->unsupported = VN_UNSUP_MODE_OFF;
	return vn_setf(&it->why,
		       "it has no IOMMU and no-IOMMU mode is off (%s): "
		       "vfio-pci would fail to probe it (EINVAL)",
		       t->mode_source);
}

static void verdict(struct vn_item *it, enum vn_verdict v)
{
	/* The strongest verdict wins (enum vn_verdict's order). */
	if (v > it->verdict)
		it->verdict = v;
}

/* Does the record of an earlier, unfinished run still say where the
 * device came from? It does while the device is between drivers or still
 * on the driver it recorded: its driver_override may be ours by now (a
 * bind killed after writing it), and must not be taken for the original. */
static bool record_still_original(const struct vn_item *it)
{
	const struct vn_dev *d = it->dev;

	return it->had_record && vn_record_unfinished(&it->rec) &&
	       (!d->driver || streq_ptr(d->driver, it->rec.orig_driver));
}

/* What is there now, as the original. An override our udev rule wrote is
 * not (vn_dev_override_by_rule): the device is off its host driver only
 * because the rule steered it, so a restore clears the override and asks
 * the kernel to probe, which gives the device back to the driver it would
 * have had. */
static int record_original(struct vn_txn *t, struct vn_item *it)
{
	const struct vn_dev *d = it->dev;
	bool ours = vn_dev_override_by_rule(t->sys, d);
	int r;

	vn_record_clear(&it->rec);
	snprintf(it->rec.bdf, sizeof(it->rec.bdf), "%s", d->bdf);
	it->rec.vendor = d->vendor;
	it->rec.device = d->device;
	if ((r = vn_set_str(&it->rec.orig_driver, d->driver)) < 0 ||
	    (r = vn_set_str(&it->rec.orig_override,
			    ours ? NULL : d->driver_override)) < 0)
		return r;
	if ((r = vn_dev_netdevs(t->sys, &t->classes, d->bdf,
				&it->rec.netdevs)) < 0)
		return r;
	vn_record_restore_original(&it->rec);
	if (ours && !d->driver)
		it->rec.restore = VN_RESTORE_PROBE;
	return 0;
}

/* The record to write: the original of an earlier, unfinished run where
 * it still holds; otherwise what is there now is the original. */
static int bind_record(struct vn_txn *t, struct vn_item *it)
{
	int r;

	if (!record_still_original(it) && (r = record_original(t, it)) < 0)
		return r;
	if ((r = vn_set_str(&it->rec.target, VN_VFIO_PCI)) < 0 ||
	    (r = vn_set_str(&it->rec.user, t->user)) < 0)
		return r;
	it->rec.when = time(NULL);
	return 0;
}

/* Can this kernel take the device at all? */
static int bind_support(struct vn_txn *t, struct vn_item *it)
{
	if (t->caps.vfio.value == VN_NO) {
		verdict(it, VN_ITEM_UNSUPPORTED);
		return vn_setf(&it->why, "this kernel has no VFIO (%s)",
			       t->caps.vfio.source);
	}
	if (t->caps.mod_vfio_pci == VN_MOD_ABSENT &&
	    (t->caps.modules_dir ||
	     vn_kconfig_get(&t->caps.config, "VFIO_PCI") == 'n')) {
		verdict(it, VN_ITEM_UNSUPPORTED);
		return vn_setf(&it->why, "this kernel has no vfio-pci driver "
					 "(neither loaded, built in, nor "
					 "installed)");
	}
	if (it->noiommu && t->caps.noiommu.value == VN_NO) {
		verdict(it, VN_ITEM_UNSUPPORTED);
		it->unsupported = VN_UNSUP_NO_NOIOMMU;
		return vn_setf(&it->why,
			       "it has no IOMMU, and this kernel was built "
			       "without CONFIG_VFIO_NOIOMMU, so vfio-pci "
			       "cannot take it (%s)",
			       t->caps.noiommu.source);
	}
	if (it->noiommu && t->mode != VN_YES)
		return unsupported_mode_off(t, it);
	return 0;
}

static void apply_guard_verdicts(struct vn_txn *t, struct vn_item *it)
{
	for (size_t g = 0; g < it->nguards; g++)
		if (it->guards[g].level == VN_GUARD_HARD ||
		    (it->guards[g].level == VN_GUARD_SOFT && !t->opts.force))
			verdict(it, VN_ITEM_REFUSED);
}

/* A device a killed bind left on vfio-pci with its record a step behind:
 * its only step marks the record bound. */
static int complete_record(struct vn_item *it)
{
	struct vn_plan_step *st;

	if (!it->had_record || !vn_record_unfinished(&it->rec))
		return 0;
	/* gcc 12's analyzer loses the buffers add_step() and add_undo()
	 * realloc() into the item and calls them leaked; vn_txn_clear()
	 * frees them. */
	VN_ANALYZER_FP_BEGIN("-Wanalyzer-malloc-leak")
	if (!(st = add_step(&it->steps, VN_PHASE_FINISH, VN_FAIL_JOURNAL)))
		return -ENOMEM;
	VN_ANALYZER_FP_END
	act_journal(&st->act, VN_STEP_BOUND);
	it->completes_record = true;
	return 0;
}

static int plan_bind_item(struct vn_txn *t, struct vn_item *it,
			  struct vn_guard_facts *f)
{
	const struct vn_dev *d = it->dev;
	int r;

	it->noiommu = !d->has_iommu && (d->iommu_group < 0 || d->noiommu);
	if ((r = vn_set_str(&it->from, d->driver)) < 0 ||
	    (r = vn_set_str(&it->to, VN_VFIO_PCI)) < 0)
		return r;
	if (is_vfio_driver(d)) {
		verdict(it, VN_ITEM_NOTHING);
		return vn_setf(&it->why, "already on %s", d->driver) ?:
			       complete_record(it);
	}
	if ((r = bind_record(t, it)) < 0 || (r = bind_support(t, it)) < 0 ||
	    (r = vn_guard_facts_read(t, it, f)) < 0 ||
	    (r = vn_guards_judge_bind(f, t->opts.group, it)) < 0)
		return r;
	apply_guard_verdicts(t, it);
	return bind_steps(it) ?:
				harbour_steps(it, VN_VFIO_PCI, it->from, false);
}

/* ---- unbind -------------------------------------------------------------- */

/* A step loading a module (unless it is loaded by then). */
static int add_load_step(struct vn_item *it, const char *module)
{
	struct vn_plan_step *st =
		add_step(&it->steps, VN_PHASE_LOAD, VN_FAIL_LOAD);

	return st ? act_load(&st->act, module) : -ENOMEM;
}

/* The modules a probe needs: those udev would have loaded for the
 * function's modalias at its add event. Our udev rule keeps that load from
 * happening for a declared device (boot/61-vfio-noiommuctl.rules.in), so
 * its host driver may never have been loaded. */
static int probe_load_steps(struct vn_txn *t, struct vn_item *it)
{
	_cleanup_strv_ char **mods = NULL;
	int r;

	if ((r = vn_modalias_modules(t->sys, it->dev->bdf, &mods)) < 0)
		return r;
	for (size_t i = 0; mods[i]; i++)
		if ((r = add_load_step(it, mods[i])) < 0)
			return r;
	return 0;
}

/* Back to the driver, with the module loaded if it is not. */
static int unbind_bind_steps(struct vn_txn *t, struct vn_item *it)
{
	const char *bdf = it->dev->bdf;
	struct vn_plan_step *st;
	int r;

	if (it->to && !vn_exists(t->sys, "/sys/bus/pci/drivers/%s", it->to)) {
		if ((r = add_load_step(it, it->to)) < 0)
			return r;
	} else if (!it->to && it->restore == VN_RESTORE_PROBE &&
		   (r = probe_load_steps(t, it)) < 0) {
		return r;
	}
	if (it->to) {
		/* A module just loaded may have bound it already. */
		st = add_step(&it->steps, VN_PHASE_BIND, VN_FAIL_BIND_ORIGINAL);
		if (!st || !add_undo(st))
			return -ENOMEM;
		if ((r = act_bind(&st->act, bdf, it->to)) < 0 ||
		    (r = act_unbind(&st->undo[0], bdf, it->to, false)) < 0)
			return r;
	} else if (it->restore == VN_RESTORE_PROBE) {
		/* The kernel's choice (drivers_probe reports success whatever
		 * the probe did); undone by unbinding whatever it chose. */
		st = add_step(&it->steps, VN_PHASE_BIND, VN_FAIL_PROBE);
		if (!st || !add_undo(st))
			return -ENOMEM;
		if ((r = set_write(&st->act, VN_ACT_WRITE, bdf,
				   "/sys/bus/pci/drivers_probe")) < 0 ||
		    (r = act_unbind_any(&st->undo[0], bdf, it->from)) < 0)
			return r;
	}
	return 0;
}

static int unbind_steps(struct vn_txn *t, struct vn_item *it)
{
	const struct vn_dev *d = it->dev;
	struct vn_plan_step *st;
	int r;

	/* Rolled back, it is on its VFIO driver again: its record says
	 * bound, even when an interrupted unbind had left it restoring. */
	if ((r = step_record(it, VN_STEP_RESTORING, d->driver,
			     is_vfio_driver(d) && it->had_record ?
				     (int)VN_STEP_BOUND :
			     it->had_record ? (int)it->rec.step :
					      -1)) < 0)
		return r;
	if (is_vfio_driver(d)) {
		st = add_step(&it->steps, VN_PHASE_RELEASE,
			      VN_FAIL_UNBIND_VFIO);
		if (!st ||
		    (r = act_unbind(&st->act, d->bdf, d->driver, true)) < 0)
			return st ? r : -ENOMEM;
		if ((r = undo_to_driver(st, d->bdf, d->driver_override,
					d->driver)) < 0)
			return r;
	}
	/* The override first: while it names vfio-pci nothing else can
	 * match (doc/kernel.md §5.1). */
	st = add_step(&it->steps, VN_PHASE_RESTORE_OVERRIDE,
		      VN_FAIL_RESTORE_OVERRIDE);
	if (!st || (r = act_override(&st->act, d->bdf, it->to_override)) < 0)
		return st ? r : -ENOMEM;
	if ((r = undo_to_driver(st, d->bdf, d->driver_override, NULL)) < 0 ||
	    (r = unbind_bind_steps(t, it)) < 0)
		return r;
	if (!(st = add_step(&it->steps, VN_PHASE_SETTLE, VN_FAIL_VERIFY)) ||
	    (r = act_check(&st->act, VN_ACT_SETTLE,
			   it->restore == VN_RESTORE_PROBE ? "*" : it->to)) < 0)
		return st ? r : -ENOMEM;
	if (!(st = add_step(&it->steps, VN_PHASE_FINISH, VN_FAIL_JOURNAL)))
		return -ENOMEM;
	st->act.kind = VN_ACT_FORGET;
	return 0;
}

/* Without a record the device was bound by someone else: the record this
 * unbind writes says so (restore=probe), so that a run killed half-way is
 * finished the same way by the next one. */
static int unbind_record(struct vn_txn *t, struct vn_item *it)
{
	const struct vn_dev *d = it->dev;
	int r;

	if (it->had_record)
		return 0;
	snprintf(it->rec.bdf, sizeof(it->rec.bdf), "%s", d->bdf);
	it->rec.vendor = d->vendor;
	it->rec.device = d->device;
	it->rec.when = time(NULL);
	it->rec.restore = VN_RESTORE_PROBE;
	if ((r = vn_set_str(&it->rec.target, d->driver)) < 0 ||
	    (r = vn_set_str(&it->rec.user, t->user)) < 0)
		return r;
	/* gcc 12's analyzer loses pointers stored into the items array
	 * and calls them leaked; vn_txn_clear() frees them. */
	VN_ANALYZER_FP_BEGIN("-Wanalyzer-malloc-leak")
	return (it->rec.netdevs = strv_new()) ? 0 : -ENOMEM;
	VN_ANALYZER_FP_END
}

static int unbind_target(struct vn_txn *t, struct vn_item *it)
{
	const char *to = t->opts.driver;
	int r;

	it->restore = VN_RESTORE_PROBE;
	if (!to && it->had_record) {
		it->restore = it->rec.restore;
		to = it->rec.restore == VN_RESTORE_DRIVER ?
			     it->rec.restore_driver :
			     NULL;
	} else if (to) {
		it->restore = VN_RESTORE_DRIVER;
	}
	if ((r = vn_set_str(&it->from, it->dev->driver)) < 0 ||
	    (r = vn_set_str(&it->to, to)) < 0)
		return r;
	return vn_set_str(&it->to_override,
			  it->had_record ? it->rec.orig_override : NULL);
}

static int plan_unbind_item(struct vn_txn *t, struct vn_item *it,
			    struct vn_guard_facts *f)
{
	const struct vn_dev *d = it->dev;
	int r;

	if ((r = unbind_target(t, it)) < 0)
		return r;
	if (!is_vfio_driver(d) &&
	    !(it->had_record && vn_record_unfinished(&it->rec))) {
		verdict(it, VN_ITEM_NOTHING);
		return vn_setf(&it->why, "not on a VFIO driver (%s)",
			       d->driver ? d->driver : "no driver");
	}
	if ((r = unbind_record(t, it)) < 0)
		return r;
	if (t->opts.driver &&
	    !vn_exists(t->sys, "/sys/bus/pci/drivers/%s", it->to) &&
	    !vn_module_known(t->sys, it->to)) {
		verdict(it, VN_ITEM_UNSUPPORTED);
		if ((r = vn_setf(&it->why,
				 "there is no driver '%s' on this system",
				 it->to)) < 0)
			return r;
	}
	if (is_vfio_driver(d) && ((r = vn_guard_facts_read(t, it, f)) < 0 ||
				  (r = vn_guards_judge_release(f, it)) < 0))
		return r;
	apply_guard_verdicts(t, it);
	/* Finishing an interrupted unbind: the state it started from (no
	 * driver, or half-way) is no place to roll back to. */
	it->rollback_to_harbour = !is_vfio_driver(d);
	return unbind_steps(t, it) ?:
				     harbour_steps(
					     it, is_vfio_driver(d) ? d->driver : VN_VFIO_PCI,
					     it->to, !it->had_record);
}

/* ---- the transaction -------------------------------------------------- */

/* vfio-pci's catch-all ID is override-only, so udev never loads it for a
 * device (doc/kernel.md §5.6): the tool must. */
static int plan_pre(struct vn_txn *t)
{
	struct vn_plan_step *st;

	if (t->op != VN_OP_BIND || !vn_txn_any(t, VN_ITEM_GO) ||
	    vn_exists(t->sys, "/sys/bus/pci/drivers/" VN_VFIO_PCI))
		return 0;
	if (!(st = add_step(&t->pre, VN_PHASE_LOAD, VN_FAIL_LOAD)))
		return -ENOMEM;
	return act_load(&st->act, "vfio_pci") ?:
		       set_cond(&st->act, VN_COND_UNLESS_LOADED, VN_VFIO_PCI);
}

static int plan_item(struct vn_txn *t, size_t i)
{
	struct vn_guard_facts f = { .iommu_group = -1 };
	int r;

	if (t->op == VN_OP_BIND)
		r = plan_bind_item(t, &t->items[i], &f);
	else
		r = plan_unbind_item(t, &t->items[i], &f);
	/* Items added by --group are planned too (t->n grows). */
	for (size_t o = 0;
	     r == 0 && t->opts.group && f.group_others && f.group_others[o];
	     o++) {
		r = vn_txn_add(t, f.group_others[o]);
		if (r == -EEXIST) {
			r = 0;
			continue;
		}
		if (r == 0)
			t->items[t->n - 1].via_group = true;
	}
	vn_guard_facts_clear(&f);
	return r;
}

int vn_txn_plan(struct vn_txn *t)
{
	int r;

	if (t->op == VN_OP_BIND) {
		r = vn_noiommu_effective(t->sys, &t->mode, &t->mode_source);
		if (r < 0)
			return r;
		if (t->opts.assume_noiommu_on && t->mode != VN_YES) {
			t->mode = VN_YES;
			t->mode_source = "apply sets it on first";
		}
		t->pot = vn_panic_on_taint(t->sys, &t->pot_mask,
					   &t->pot_nousertaint);
	}
	for (size_t i = 0; i < t->n; i++)
		if ((r = plan_item(t, i)) < 0)
			return r;
	return plan_pre(t);
}

int vn_txn_recheck_mode(struct vn_txn *t)
{
	int r = vn_noiommu_effective(t->sys, &t->mode, &t->mode_source);

	if (r < 0)
		return r;
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (it->verdict != VN_ITEM_GO || !it->noiommu ||
		    t->mode == VN_YES)
			continue;
		it->late = true;
		if ((r = unsupported_mode_off(t, it)) < 0)
			return r;
	}
	return 0;
}
