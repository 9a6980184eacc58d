// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The executor: the only code that writes what a plan describes. It runs
 * the steps phase by phase across devices, advances the journal after each
 * step, waits for udev once per settle phase, and on failure or signal
 * runs the inverses of the steps that succeeded, in reverse; a device that
 * cannot be put back goes to its harbour (vfio-pci with its journal
 * record). doc/architecture.md describes the whole sequence.
 */
#include <libkmod.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>

#include "audit.h"
#include "binding.h"
#include "bounded.h"
#include "kmod.h"
#include "lock.h"
#include "settle.h"
#include "sys.h"
#include "testhook.h"

enum { SKIPPED = 1 }; /* run_action: its condition said not to */

struct exec {
	struct vn_txn *t;
	struct vn_waiter w;
	bool holders_stale;
	/* Workers of a phase (jobs > 1): the next item to take, and what
	 * must not run twice at once: libkmod, the system's caches. */
	pthread_mutex_t mu;
	size_t next;
	enum vn_phase phase;
};

/* The child of a timed-out vfio unbind: its copy of these. */
struct orphan {
	struct exec *x;
	struct vn_item *it;
};

static bool is_vfio_driver(const struct vn_dev *d)
{
	return vn_dev_is_vfio(d) || streq_ptr(d->driver, VN_VFIO_PCI);
}

static int reread(struct vn_txn *t, struct vn_item *it)
{
	vn_dev_free(it->after);
	it->after = NULL;
	return vn_vfio_dev_read(t->sys, it->dev->bdf, &it->after);
}

/* The driver the device is on now; -ENODEV when the device is gone. */
static int current_driver(struct vn_txn *t, const char *bdf, char **drv)
{
	int r = vn_link_name(t->sys, drv, "/sys/bus/pci/devices/%s/driver",
			     bdf);

	if (r == -ENOENT) {
		*drv = NULL;
		return vn_exists(t->sys, "/sys/bus/pci/devices/%s", bdf) ?
			       0 :
			       -ENODEV;
	}
	return r;
}

/* 1 when the action's condition says to skip it, 0 to run it. */
static int cond_skips(struct exec *x, const struct vn_item *it,
		      const struct vn_action *a)
{
	_cleanup_free_ char *drv = NULL;
	bool on;
	int r;

	switch (a->cond) {
	case VN_COND_ALWAYS:
		return 0;
	case VN_COND_UNLESS_LOADED:
		return vn_exists(x->t->sys, "/sys/bus/pci/drivers/%s",
				 a->cond_driver);
	case VN_COND_UNLESS_ON:
	case VN_COND_IF_ON:
	case VN_COND_ON_OTHER:
		break;
	}
	/* Only a device's own steps ask about its driver; run_pre()'s
	 * module loads pass no item. */
	if (!it)
		return -EINVAL;
	if ((r = current_driver(x->t, it->dev->bdf, &drv)) < 0)
		return r;
	on = streq_ptr(drv, a->cond_driver);
	if (a->cond == VN_COND_ON_OTHER)
		return !drv || on;
	return a->cond == VN_COND_UNLESS_ON ? on : !on;
}

/* ---- the actions ---------------------------------------------------------- */

static int load_module_locked(struct exec *x, const struct vn_action *a)
{
	_cleanup_(vn_kmod_module_unrefp) struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx = vn_kmod(x->t->sys);
	int r;

	if (!ctx)
		return -ENOENT;
	if ((r = kmod_module_new_from_name(ctx, a->value, &mod)) < 0)
		return r;
	r = kmod_module_probe_insert_module(mod, KMOD_PROBE_IGNORE_LOADED,
					    a->options, NULL, NULL, NULL);
	vn_sys_forget(x->t->sys); /* the kernel's regions may have changed */
	vn_log(x->t->sys, VN_LOG_WRITE, "load module %s%s%s%s%s", a->value,
	       a->options ? " " : "", a->options ? a->options : "",
	       r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
	if (r < 0)
		return r;
	/* A module of that name that registers no such driver. */
	if (a->cond_driver &&
	    !vn_exists(x->t->sys, "/sys/bus/pci/drivers/%s", a->cond_driver))
		return -ENOENT;
	return 0;
}

static int load_module(struct exec *x, const struct vn_action *a)
{
	int r;

	pthread_mutex_lock(&x->mu);
	r = load_module_locked(x, a);
	pthread_mutex_unlock(&x->mu);
	return r;
}

/* Fresh, once per phase: a process may have opened the node since the
 * plan was made. */
static int refresh_holders(struct exec *x)
{
	struct vn_txn *t = x->t;
	int r;

	if (!x->holders_stale && t->holders_read)
		return 0;
	vn_holders_clear(&t->holders);
	t->holders_read = false;
	if ((r = vn_holders_scan(t->sys, &t->holders)) < 0)
		return r;
	t->holders_read = true;
	x->holders_stale = false;
	return 0;
}

/* Fail closed when the processes cannot be read. */
static int check_unheld(struct exec *x, struct vn_item *it)
{
	_cleanup_free_ struct vn_holder_ref *refs = NULL;
	struct vn_txn *t = x->t;
	size_t n = 0;
	int r;

	pthread_mutex_lock(&x->mu);
	r = refresh_holders(x);
	pthread_mutex_unlock(&x->mu);
	if (r < 0)
		return r;
	if ((r = vn_holders_of(&t->holders, it->dev, &refs, &n)) < 0)
		return r;
	if (!n && !t->holders.unreadable)
		return 0;
	vn_setf(&it->detail,
		n ? "%s[%d] opened it meanwhile; it stays on its VFIO driver" :
		    "%s%.0d processes could not be inspected; it stays on its "
		    "VFIO driver",
		n ? refs[0].comm : "", n ? (int)refs[0].pid : 0);
	return -EBUSY;
}

static void orphan_resume(void *arg);
static int pending_signal(void);

static int vfio_unbind(struct exec *x, struct vn_item *it,
		       const struct vn_action *a)
{
	struct vn_txn *t = x->t;
	struct orphan o = { x, it };
	pid_t child;
	int r;

	if ((r = check_unheld(x, it)) < 0)
		return r;
	vn_test_pause("unbind-checked");
	r = vn_bounded_write(t->sys, a->path, a->value,
			     t->opts.unbind_timeout_ms, orphan_resume, &o,
			     &child);
	if (r != -ETIMEDOUT)
		return r;
	/* The child keeps the device's lock from here on: say so in the lock
	 * file, so that a waiter names it rather than us. */
	it->orphan = child;
	vn_lock_hand_over(it->lock_fd, child);
	vn_setf(&it->detail,
		"the unbind is blocked: something holds the device; process %d "
		"finishes %s when it is released",
		(int)child,
		it->at_harbour || it->at_undo >= 0 ? "putting it back" :
						     "the change");
	return -ETIMEDOUT;
}

/* Is the device where `expect` says (NULL: no driver; "*": not on a VFIO
 * driver)? Reads it again into it->after. */
static bool on_expected(struct vn_txn *t, struct vn_item *it,
			const char *expect)
{
	const struct vn_dev *a;

	if (reread(t, it) < 0)
		return false;
	a = it->after;
	if (!expect)
		return !a->driver;
	if (streq(expect, "*"))
		return !is_vfio_driver(a);
	return streq_ptr(a->driver, expect);
}

static int verify(struct exec *x, struct vn_item *it, const char *expect)
{
	if (on_expected(x->t, it, expect))
		return 0;
	vn_setf(&it->detail, "%s did not take it back",
		expect ? expect : "no driver");
	return -EIO;
}

static int settle_one(struct exec *x, struct vn_item *it, const char *expect);
static void settle_phase(struct exec *x);
static int finish_step(struct exec *x, struct vn_item *it, size_t s, int r);

static int run_action(struct exec *x, struct vn_item *it,
		      const struct vn_action *a)
{
	struct vn_txn *t = x->t;
	int r = cond_skips(x, it, a);

	if (r)
		return r < 0 ? r : SKIPPED;
	switch (a->kind) {
	case VN_ACT_JOURNAL:
		it->rec.step = a->state;
		return vn_journal_write(t->sys, &it->rec);
	case VN_ACT_FORGET:
		return vn_journal_remove(t->sys, it->dev->bdf);
	case VN_ACT_WRITE:
		return vn_write_text(t->sys, a->value, "%s", a->path);
	case VN_ACT_VFIO_UNBIND:
		return vfio_unbind(x, it, a);
	case VN_ACT_LOAD:
		return load_module(x, a);
	case VN_ACT_SETTLE:
		return settle_one(x, it, a->value);
	case VN_ACT_VERIFY:
		return verify(x, it, a->value);
	}
	return -EINVAL;
}

/* ---- waiting -------------------------------------------------------------- */

/* Bound to a VFIO driver, with the node(s) the kernel announced in /dev
 * and processed by udev. A vfio-dev class object without a dev_t (no
 * cdev: doc/kernel.md §1.3) gets no udev database entry, so only the
 * objects that have a node are asked about. */
static bool vfio_ready(struct vn_waiter *w, const struct vn_dev *a)
{
	if (!is_vfio_driver(a) || !a->vfio_name)
		return false;
	if (a->cdev.path &&
	    (a->cdev_state != VN_CDEV_OK ||
	     !vn_udev_initialized(w, "/sys/bus/pci/devices/%s/vfio-dev/%s",
				  a->bdf, a->vfio_name)))
		return false;
	if (a->group.path &&
	    (!a->group.st.present || !a->group.st.is_chr ||
	     !vn_udev_initialized(w, "/sys/class/vfio/%s",
				  a->group.path + strlen("/dev/vfio/"))))
		return false;
	/* At least one way in: a cdev or a group node. */
	return a->cdev.path || a->group.path;
}

/* The interfaces it had are back, renamed by udev if it renames. */
static bool netdevs_back(struct exec *x, struct vn_item *it)
{
	_cleanup_strv_ char **nets = NULL;

	if (!it->rec.netdevs || !it->rec.netdevs[0])
		return true;
	if (vn_dev_netdevs(x->t->sys, NULL, it->dev->bdf, &nets) < 0 ||
	    !nets[0])
		return false;
	for (size_t i = 0; nets[i]; i++)
		if (!vn_udev_initialized(&x->w, "/sys/class/net/%s", nets[i]))
			return false;
	strv_free(it->netdevs_after);
	it->netdevs_after = steal_ptr(nets);
	return true;
}

struct settle_arg {
	struct exec *x;
	struct vn_item **items;
	const char **expect;
};

static bool settled(void *arg, size_t i)
{
	struct settle_arg *a = arg;
	struct vn_item *it = a->items[i];

	if (!on_expected(a->x->t, it, a->expect[i]))
		return false;
	if (streq_ptr(a->expect[i], VN_VFIO_PCI))
		return vfio_ready(&a->x->w, it->after);
	return !a->expect[i] || netdevs_back(a->x, it);
}

/* What a wait that ended means for one device: 0 when it is where it
 * should be (an interface that is late does not undo the change). */
static int settle_verdict(struct exec *x, struct vn_item *it,
			  const char *expect, bool done)
{
	int ms = x->t->opts.timeout_ms;

	if (done)
		return 0;
	if (streq_ptr(expect, VN_VFIO_PCI)) {
		vn_setf(&it->detail, "%s: no VFIO device node within %d ms",
			it->after && it->after->driver ? "bound, but" :
							 "not bound",
			ms);
		return -ETIMEDOUT;
	}
	if (on_expected(x->t, it, expect)) {
		it->iface_late = true;
		vn_setf(&it->detail,
			"on %s, but its interface (%s) did not come back within "
			"%d ms",
			it->after->driver ? it->after->driver : "no driver",
			it->rec.netdevs[0], ms);
		return 0;
	}
	vn_setf(&it->detail, "%s did not take it",
		expect ? expect : "no driver");
	return -ENODEV;
}

static void settle_phase(struct exec *x)
{
	struct vn_txn *t = x->t;
	/* An array of pointers: sizeof(pointer) is meant. */
	// NOLINTBEGIN(bugprone-sizeof-expression)
	_cleanup_free_ struct vn_item **items =
		calloc(t->n + 1, sizeof(*items));
	// NOLINTEND(bugprone-sizeof-expression)
	_cleanup_free_ const char **expect = calloc(t->n + 1, sizeof(*expect));
	_cleanup_free_ bool *done = calloc(t->n + 1, sizeof(*done));
	struct settle_arg a = { x, items, expect };
	size_t n = 0;

	if (!items || !expect || !done)
		return;
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (it->settle_at < 0)
			continue;
		items[n] = it;
		expect[n++] = it->steps.v[it->settle_at].act.value;
	}
	if (!n)
		return;
	vn_wait_all(&x->w, t->opts.timeout_ms, settled, &a, n, done);
	for (size_t i = 0; i < n; i++)
		finish_step(x, items[i], (size_t)items[i]->settle_at,
			    settle_verdict(x, items[i], expect[i], done[i]));
}

static int settle_one(struct exec *x, struct vn_item *it, const char *expect)
{
	struct settle_arg a = { x, &it, &expect };
	bool done = false;

	vn_wait_all(&x->w, x->t->opts.timeout_ms, settled, &a, 1, &done);
	return settle_verdict(x, it, expect, done);
}

/* ---- steps ---------------------------------------------------------------- */

static void fail_item(struct vn_txn *t, struct vn_item *it, int err,
		      enum vn_fail_step at)
{
	if (it->outcome != VN_OUT_NONE)
		return;
	it->outcome = VN_OUT_FAILED;
	it->err = err;
	it->failed_at = at;
	/* A store on a device that was hot-removed fails with ENODEV. */
	if (!vn_exists(t->sys, "/sys/bus/pci/devices/%s", it->dev->bdf))
		it->failed_at = VN_FAIL_GONE;
}

/* Test builds: fail the bind of the change for one device (the VM tier
 * uses it to fail one device of a transaction on a real kernel). */
static int test_hook(struct vn_txn *t, const struct vn_item *it,
		     const struct vn_plan_step *st)
{
	if (st->phase != VN_PHASE_BIND)
		return 0;
	return vn_test_fail(t->op == VN_OP_BIND ? "bind" : "restore",
			    it->dev->bdf);
}

/* The change itself is done; only its journal record lags behind. */
static int note_unrecorded(struct vn_item *it, int err)
{
	vn_setf(&it->detail,
		"done, but its journal record could not be updated (%s); the "
		"next run of the tool for it completes the record",
		strerror(-err));
	return 0;
}

/* The bookkeeping after a step's action returned r: its result, then the
 * journal state it advances to. */
static int finish_step(struct exec *x, struct vn_item *it, size_t s, int r)
{
	struct vn_plan_step *st = &it->steps.v[s];

	if (r < 0) {
		st->result = VN_STEP_FAILED;
		st->err = r;
		if (it->orphan)
			return r; /* the child carries on with it */
		if (st->phase == VN_PHASE_FINISH)
			return note_unrecorded(it, r);
		fail_item(x->t, it, r, st->fail);
		return r;
	}
	st->result = r == SKIPPED ? VN_STEP_SKIPPED : VN_STEP_OK;
	if (!st->journal_after)
		return 0;
	it->rec.step = st->journal_state;
	if ((r = vn_journal_write(x->t->sys, &it->rec)) == 0)
		return 0;
	if (s + 1 == it->steps.n)
		return note_unrecorded(it, r);
	fail_item(x->t, it, r, VN_FAIL_JOURNAL);
	return r;
}

static int run_step(struct exec *x, struct vn_item *it, size_t s)
{
	struct vn_plan_step *st = &it->steps.v[s];

	it->at_step = s;
	it->at_undo = -1;
	return finish_step(x, it, s,
			   test_hook(x->t, it, st) ?:
						     run_action(x, it, &st->act));
}

static bool live(const struct vn_item *it)
{
	return vn_item_runs(it) && it->outcome == VN_OUT_NONE && !it->orphan;
}

/* One device's steps of a phase, in order; the index of its settle step,
 * which the phase's one wait covers, or -1. */
static long item_phase(struct exec *x, struct vn_item *it, enum vn_phase p)
{
	for (size_t s = 0; s < it->steps.n && live(it); s++) {
		struct vn_plan_step *st = &it->steps.v[s];

		if (st->phase != p || st->result != VN_STEP_NOT_RUN)
			continue;
		if (st->act.kind == VN_ACT_SETTLE)
			return (long)s;
		if (run_step(x, it, s) < 0)
			break;
	}
	return -1;
}

/* A worker of the phase: the next device nobody took yet, until none is
 * left or a signal asks to stop. */
static void *worker(void *arg)
{
	struct exec *x = arg;
	struct vn_txn *t = x->t;

	for (;;) {
		int sig = pending_signal();
		size_t i;

		pthread_mutex_lock(&x->mu);
		if (sig)
			t->interrupted = sig;
		i = t->interrupted ? t->n : x->next++;
		pthread_mutex_unlock(&x->mu);
		if (i >= t->n)
			return NULL;
		t->items[i].settle_at = item_phase(x, &t->items[i], x->phase);
	}
}

static bool has_phase(const struct vn_item *it, enum vn_phase p)
{
	for (size_t s = 0; s < it->steps.n; s++)
		if (it->steps.v[s].phase == p)
			return true;
	return false;
}

/* Every device's steps of one phase, up to `jobs` devices at once (each
 * device's kernel work is its own: the driver core locks the device),
 * then the settle steps of the phase in one wait. */
static void run_phase(struct exec *x, enum vn_phase p)
{
	struct vn_txn *t = x->t;
	pthread_t th[64];
	size_t busy = 0, k = 0;

	x->holders_stale = true;
	x->next = 0;
	x->phase = p;
	for (size_t i = 0; i < t->n; i++) {
		t->items[i].settle_at = -1;
		busy += live(&t->items[i]) && has_phase(&t->items[i], p);
	}
	for (; busy > 1 && k < busy && k < (size_t)t->opts.jobs &&
	       k < ARRAY_SIZE(th);
	     k++)
		if (pthread_create(&th[k], NULL, worker, x) != 0)
			break;
	if (!k)
		worker(x); /* one device at a time, here */
	for (size_t i = 0; i < k; i++)
		pthread_join(th[i], NULL);
	settle_phase(x);
}

/* ---- putting back ------------------------------------------------------------ */

/* The inverse of step s, from its action `from` on. */
static int undo_step(struct exec *x, struct vn_item *it, size_t s, size_t from)
{
	struct vn_plan_step *st = &it->steps.v[s];

	for (size_t k = from; k < st->nundo; k++) {
		int r;

		it->at_step = s;
		it->at_undo = (long)k;
		r = run_action(x, it, &st->undo[k]);
		if (r < 0)
			return r;
	}
	st->result = VN_STEP_UNDONE;
	return 0;
}

/* The inverses of the steps that succeeded, in reverse, from step s (its
 * inverse from action `from`) down to the first. */
static int unwind_from(struct exec *x, struct vn_item *it, size_t s,
		       size_t from)
{
	x->holders_stale = true;
	for (size_t i = s + 1; i-- > 0; from = 0) {
		int r;

		if (it->steps.v[i].result != VN_STEP_OK)
			continue;
		if ((r = undo_step(x, it, i, from)) < 0)
			return r;
	}
	return 0;
}

static int unwind(struct exec *x, struct vn_item *it)
{
	for (size_t i = it->steps.n; i-- > 0;)
		if (it->steps.v[i].result == VN_STEP_OK)
			return unwind_from(x, it, i, 0);
	return 0;
}

/* Putting it back failed: onto its VFIO driver with its journal record,
 * never driverless; from harbour step `from` on. */
static int harbour_from(struct exec *x, struct vn_item *it, size_t from)
{
	it->at_harbour = true;
	for (size_t i = from; i < it->harbour.n; i++) {
		int r;

		it->at_step = i;
		it->at_undo = -1;
		r = run_action(x, it, &it->harbour.v[i].act);
		it->harbour.v[i].result = r < 0	       ? VN_STEP_FAILED :
					  r == SKIPPED ? VN_STEP_SKIPPED :
							 VN_STEP_OK;
		if (r < 0) {
			it->at_harbour = false;
			return r;
		}
	}
	it->at_harbour = false;
	return 0;
}

/* Undo one device's change; `ok` is its outcome when that works. */
static void put_back(struct exec *x, struct vn_item *it, enum vn_outcome ok)
{
	int r = it->rollback_to_harbour ? -EAGAIN : unwind(x, it);

	if (r == 0) {
		it->outcome = ok;
		return;
	}
	if (it->outcome == VN_OUT_NONE && !it->rollback_to_harbour) {
		/* It had worked; now the roll-back failed. */
		it->err = r;
		it->failed_at = VN_FAIL_ROLLBACK;
	}
	if (it->orphan) {
		it->outcome = VN_OUT_STRANDED;
		return;
	}
	if (!it->detail && !it->rollback_to_harbour)
		vn_setf(&it->detail, "putting it back failed: %s",
			strerror(-r));
	it->outcome = harbour_from(x, it, 0) == 0 ? VN_OUT_HARBOUR :
						    VN_OUT_STRANDED;
}

static void audit(struct vn_txn *t, const struct vn_item *it)
{
	const struct vn_dev *a = it->after;

	if (t->op == VN_OP_BIND)
		vn_audit(t->sys,
			 "bind %s (%04x:%04x) %s -> " VN_VFIO_PCI "%s by %s",
			 it->dev->bdf, it->dev->vendor, it->dev->device,
			 it->from ? it->from : "no driver",
			 a && a->noiommu ? " as a no-IOMMU device (taints the "
					   "kernel)" :
					   "",
			 t->user);
	else
		vn_audit(t->sys, "unbind %s (%04x:%04x) %s -> %s by %s",
			 it->dev->bdf, it->dev->vendor, it->dev->device,
			 it->from ? it->from : "no driver",
			 a && a->driver ? a->driver : "no driver", t->user);
}

static void close_other_locks(struct vn_txn *t, const struct vn_item *keep)
{
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	t->lock_fd = -1;
	for (size_t i = 0; i < t->n; i++)
		if (&t->items[i] != keep && t->items[i].lock_fd >= 0) {
			close(t->items[i].lock_fd);
			t->items[i].lock_fd = -1;
		}
}

/* The step s whose vfio unbind just returned, then the rest in order. */
static int forward_from(struct exec *x, struct vn_item *it, size_t s)
{
	int r = finish_step(x, it, s, 0);

	for (size_t i = s + 1; r == 0 && i < it->steps.n; i++)
		r = run_step(x, it, i);
	return r;
}

/* What the child of a timed-out vfio unbind does once the holder lets go
 * and its parent has given up on it: the rest of the work, alone, in the
 * same order (steps, or the roll-back, or the harbour). */
static void orphan_resume(void *arg)
{
	struct orphan *o = arg;
	struct exec *x = o->x;
	struct vn_item *it = o->it;
	size_t s = it->at_step;

	it->orphan = 0;
	/* Alone now: another worker may have held the mutex at the fork. */
	pthread_mutex_init(&x->mu, NULL);
	vn_waiter_clear(&x->w); /* the parent's monitor: look instead */
	/* Keep only this device's lock: the others' writers must not wait
	 * for this device's holder (src/lib/lock.h). */
	close_other_locks(x->t, it);
	if (it->at_harbour) {
		harbour_from(x, it, s + 1);
	} else if (it->at_undo >= 0) {
		if (unwind_from(x, it, s, (size_t)it->at_undo + 1) < 0)
			harbour_from(x, it, 0);
	} else if (forward_from(x, it, s) == 0) {
		audit(x->t, it);
	} else if (unwind(x, it) < 0) {
		harbour_from(x, it, 0);
	}
	vn_lock_release(it->lock_fd);
}

/* ---- the run ------------------------------------------------------------------ */

/* A blocked SIGINT, SIGTERM or SIGQUIT waiting: stop and put back. */
static int pending_signal(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGQUIT };
	sigset_t set;

	if (sigpending(&set) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigismember(&set, sigs[i]))
			return sigs[i];
	return 0;
}

/* Test builds pause after these phases, so that the VM tier can kill the
 * tool exactly there (src/lib/testhook.h). */
static const char *pause_point(enum vn_op op, enum vn_phase p)
{
	static const char *const bind[VN_PHASE_COUNT] = {
		[VN_PHASE_RECORD] = "bind-journaled",
		[VN_PHASE_OVERRIDE] = "bind-override",
		[VN_PHASE_RELEASE] = "bind-unbound",
		[VN_PHASE_BIND] = "bind-bound",
	};
	static const char *const unbind[VN_PHASE_COUNT] = {
		[VN_PHASE_RECORD] = "unbind-journaled",
		[VN_PHASE_RELEASE] = "unbind-released",
	};

	return op == VN_OP_BIND ? bind[p] : unbind[p];
}

static int run_pre(struct exec *x)
{
	struct vn_txn *t = x->t;

	for (size_t i = 0; i < t->pre.n; i++) {
		struct vn_plan_step *st = &t->pre.v[i];
		int r = cond_skips(x, NULL, &st->act);

		if (r == 0)
			r = load_module(x, &st->act);
		st->result = r < 0 ? VN_STEP_FAILED :
			     r	   ? VN_STEP_SKIPPED :
				     VN_STEP_OK;
		st->err = r < 0 ? r : 0;
		if (r < 0)
			return r;
	}
	return t->pre.n ? vn_txn_recheck_mode(t) : 0;
}

static void conclude(struct exec *x)
{
	struct vn_txn *t = x->t;
	bool failed = false, all;

	for (size_t i = 0; i < t->n; i++)
		failed |= t->items[i].outcome == VN_OUT_FAILED ||
			  t->items[i].orphan;
	all = t->interrupted || (failed && !t->opts.keep_going);
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (it->verdict != VN_ITEM_GO)
			continue;
		if (it->orphan)
			it->outcome = VN_OUT_STRANDED;
		else if (it->outcome == VN_OUT_FAILED)
			put_back(x, it, VN_OUT_FAILED);
		else if (all)
			put_back(x, it, VN_OUT_ROLLED_BACK);
		else
			it->outcome = it->iface_late ? VN_OUT_LATE :
						       VN_OUT_DONE;
		if (it->outcome == VN_OUT_DONE || it->outcome == VN_OUT_LATE)
			audit(t, it);
	}
}

static bool any_late(const struct vn_txn *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->items[i].late)
			return true;
	return false;
}

int vn_txn_execute(struct vn_txn *t)
{
	struct exec x = { .t = t };
	int r;

	pthread_mutex_init(&x.mu, NULL);
	/* What the plan read of /sys/class is about to change. */
	vn_class_cache_clear(&t->classes);
	if (t->opts.jobs <= 0)
		t->opts.jobs = VN_JOBS_DEFAULT;
	if ((r = run_pre(&x)) < 0)
		return r;
	if (any_late(t) && !t->opts.keep_going)
		return 1;
	vn_waiter_init(&x.w, t->sys);
	for (int p = 0; p < VN_PHASE_COUNT && !t->interrupted; p++) {
		run_phase(&x, (enum vn_phase)p);
		if (pause_point(t->op, (enum vn_phase)p))
			vn_test_pause(pause_point(t->op, (enum vn_phase)p));
		if (!t->interrupted)
			t->interrupted = pending_signal();
	}
	conclude(&x);
	vn_waiter_clear(&x.w);
	return 0;
}
