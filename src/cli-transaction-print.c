// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How bind and unbind show a plan and its result: the text plan of
 * --dry-run, the messages for refusals and failures, the report of what
 * ran, and the JSON document. Everything shown comes from the plan's data
 * (src/lib/binding.h), the same data the executor ran.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

#include "cli-transaction.h"
#include "lib/names.h"

static const char *errname(int err)
{
	static char buf[32];

	return vn_errno_name(err < 0 ? -err : err, buf, sizeof(buf));
}

/* ---- the plan as text ------------------------------------------------------- */

static const char *cond_text(const struct vn_action *a, char *buf, size_t n)
{
	switch (a->cond) {
	case VN_COND_ALWAYS:
		return "";
	case VN_COND_UNLESS_ON:
		snprintf(buf, n, "  (unless it is on %s already)",
			 a->cond_driver);
		break;
	case VN_COND_IF_ON:
		snprintf(buf, n, "  (only while it is on %s)", a->cond_driver);
		break;
	case VN_COND_UNLESS_LOADED:
		snprintf(buf, n, "  (unless %s is there already)",
			 a->cond_driver);
		break;
	case VN_COND_ON_OTHER:
		snprintf(buf, n, "  (only while it is on a driver but %s)",
			 a->cond_driver);
		break;
	}
	return buf;
}

static const char *expect_text(const char *driver)
{
	if (!driver)
		return "no driver";
	return streq(driver, "*") ? "the kernel's choice" : driver;
}

/* One action, as "verb  object" (the verb padded to 6). */
static void print_action(const struct vn_action *a, const char *indent,
			 int width, const char *mark)
{
	_cleanup_free_ char *value = NULL;
	char cond[160];

	switch (a->kind) {
	case VN_ACT_WRITE:
	case VN_ACT_VFIO_UNBIND:
		value = streq(a->value, "\n") ? strdup("\"\\n\" (clears it)") :
						vn_escape(a->value);
		printf("%swrite  %-*s <- %s%s%s\n", indent, width, a->path,
		       value ? value : "?", cond_text(a, cond, sizeof(cond)),
		       mark);
		break;
	case VN_ACT_LOAD:
		printf("%sload   module %s%s%s%s%s\n", indent, a->value,
		       a->options ? " " : "", a->options ? a->options : "",
		       cond_text(a, cond, sizeof(cond)), mark);
		break;
	case VN_ACT_JOURNAL:
		printf("%sjournal record the device as '%s'%s\n", indent,
		       vn_step_name(a->state), mark);
		break;
	case VN_ACT_FORGET:
		printf("%sjournal remove the device's record%s\n", indent,
		       mark);
		break;
	case VN_ACT_SETTLE:
		printf("%swait   until it is on %s%s%s\n", indent,
		       expect_text(a->value),
		       streq_ptr(a->value, VN_VFIO_PCI) ?
			       " with its VFIO node(s)" :
			       ", with its interfaces back",
		       mark);
		break;
	case VN_ACT_VERIFY:
		printf("%scheck  it is on %s%s\n", indent,
		       expect_text(a->value), mark);
		break;
	}
}

static int writes_width(const struct vn_steps *s)
{
	size_t w = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].act.path && strlen(s->v[i].act.path) > w)
			w = strlen(s->v[i].act.path);
	return (int)w;
}

static void print_guards(const struct vn_txn *t, const struct vn_item *it)
{
	for (size_t g = 0; g < it->nguards; g++) {
		const struct vn_guard *gd = &it->guards[g];
		_cleanup_free_ char *ev = vn_escape(gd->evidence);
		const char *v = "ok: ";

		if (gd->level == VN_GUARD_SOFT)
			v = t->opts.force ? "forced: " :
					    "REFUSED (--force passes it): ";
		else if (gd->level == VN_GUARD_HARD)
			v = "REFUSED (cannot be forced): ";
		printf("  guard  %-15s %s%s\n", gd->name, v, ev ? ev : "?");
	}
}

/* Why the steps below will not run, or "" when they will. */
static const char *not_run_mark(const struct vn_item *it)
{
	switch (it->verdict) {
	case VN_ITEM_GO:
		return "";
	case VN_ITEM_REFUSED:
		return "  [not done: refused]";
	case VN_ITEM_UNSUPPORTED:
		return "  [not done: not possible]";
	case VN_ITEM_NOTHING:
		break;
	}
	return "";
}

static void print_steps(const struct vn_item *it)
{
	const char *mark = not_run_mark(it);
	int w = writes_width(&it->steps);

	for (size_t i = 0; i < it->steps.n; i++) {
		const struct vn_plan_step *st = &it->steps.v[i];

		print_action(&st->act, "  ", w, mark);
		for (size_t k = 0; opts.verbose && k < st->nundo; k++)
			print_action(&st->undo[k], "           undo: ", 0, "");
	}
}

void vn_print_plan(const struct vn_txn *t, const struct vn_item *it)
{
	printf("%s  %s -> %s%s\n", it->dev->bdf, it->from ? it->from : "(none)",
	       it->to			       ? it->to :
	       it->restore == VN_RESTORE_PROBE ? "(the kernel's choice)" :
						 "(none)",
	       it->via_group ? "  (same IOMMU group, --group)" : "");
	if (it->verdict == VN_ITEM_NOTHING) {
		printf("  nothing to do: %s\n", it->why);
		print_steps(it);
		return;
	}
	if (it->verdict == VN_ITEM_UNSUPPORTED)
		printf("  not possible: %s\n", it->why);
	print_guards(t, it);
	if (it->verdict == VN_ITEM_REFUSED)
		printf("  refused: none of the steps below is done\n");
	print_steps(it);
	if (t->op == VN_OP_BIND)
		printf("  expect %s\n",
		       it->noiommu ?
			       "a no-IOMMU VFIO device (taints the kernel: U)" :
			       "a VFIO device behind its IOMMU");
}

void vn_print_pre(const struct vn_txn *t)
{
	for (size_t i = 0; i < t->pre.n; i++)
		print_action(&t->pre.v[i].act, "", 0, "");
}

/* ---- refusals and failures ------------------------------------------------- */

static const char *refusal_hint(const struct vn_item *it)
{
	for (size_t g = 0; g < it->nguards; g++) {
		const struct vn_guard *gd = &it->guards[g];

		if (gd->level == VN_GUARD_HARD &&
		    streq(gd->name, "iommu_group"))
			return "--group takes the whole group";
		if (gd->level == VN_GUARD_HARD && streq(gd->name, "holders"))
			return "stop those processes first";
	}
	return vn_item_hard_refused(it) ? NULL : "use --force to do it anyway";
}

void vn_print_refusal(const struct vn_txn *t, const struct vn_item *it)
{
	const char *hint = refusal_hint(it);

	for (size_t g = 0; g < it->nguards; g++) {
		const struct vn_guard *gd = &it->guards[g];

		if (gd->level == VN_GUARD_PASS ||
		    (gd->level == VN_GUARD_SOFT && t->opts.force))
			continue;
		vn_err("refusing to %s %s%s%s: %s%s",
		       t->op == VN_OP_BIND ? "take" : "release", it->dev->bdf,
		       it->from ? " from " : "", it->from ? it->from : "",
		       gd->evidence,
		       gd->level == VN_GUARD_SOFT ?
			       "" :
			       " (this guard cannot be forced)");
	}
	if (hint)
		vn_hint("%s", hint);
}

void vn_print_unsupported(const struct vn_item *it)
{
	vn_err("cannot bind %s: %s", it->dev->bdf, it->why);
	if (it->unsupported == VN_UNSUP_MODE_OFF)
		vn_hint("'vfio-noiommuctl noiommu on' enables it (devices bound "
			"afterwards get no DMA isolation and taint the kernel)");
	else if (it->unsupported == VN_UNSUP_NO_NOIOMMU)
		vn_hint("a kernel built with CONFIG_VFIO_NOIOMMU=y (Ubuntu, Fedora, "
			"RHEL) can; or boot with an IOMMU enabled");
}

/* What an errno means at the step where it happened. */
static const char *explain(const struct vn_item *it)
{
	int e = -it->err;

	switch (it->failed_at) {
	case VN_FAIL_BIND_VFIO:
		if (e == EINVAL && it->noiommu)
			return "a device without an IOMMU needs no-IOMMU mode on";
		if (e == EINVAL)
			return "vfio-pci refuses bridges, denylisted devices, and "
			       "IOMMUs without cache coherency";
		if (e == EBUSY)
			return "an SR-IOV PF with VFs enabled, or another driver "
			       "took it first";
		if (e == ENODEV)
			return "vfio-pci did not match it: driver_override was "
			       "not in place";
		break;
	case VN_FAIL_BIND_ORIGINAL:
	case VN_FAIL_ROLLBACK:
		if (e == EBUSY)
			return "another member of its IOMMU group is still in use "
			       "by user space";
		break;
	case VN_FAIL_UNBIND_VFIO:
		if (e == ETIMEDOUT || e == EBUSY)
			return "a process holds the device";
		break;
	case VN_FAIL_GONE:
		return "it was hot-unplugged or removed while being changed";
	default:
		break;
	}
	if (e == EACCES || e == EPERM)
		return "this needs root";
	return NULL;
}

static void print_failure(const struct vn_txn *t, const struct vn_item *it)
{
	const char *verb = t->op == VN_OP_BIND ? "bind" : "unbind";
	const char *why = explain(it);
	const struct vn_dev *a = it->after;

	vn_err("%s %s: %s failed: %s (%s)", verb, it->dev->bdf,
	       vn_fail_step_name(it->failed_at) ?
		       vn_fail_step_name(it->failed_at) :
		       "?",
	       strerror(-it->err), errname(it->err));
	if (why)
		vn_hint("likely cause: %s", why);
	if (it->detail)
		vn_hint("%s", it->detail);
	if (it->outcome == VN_OUT_STRANDED || it->outcome == VN_OUT_HARBOUR)
		vn_hint("the journal keeps its original driver; run "
			"'vfio-noiommuctl unbind %s' to retry",
			it->dev->bdf);
	else if (a)
		vn_hint("it is on %s now%s",
			a->driver ? a->driver : "no driver",
			a->driver && streq(a->driver, VN_VFIO_PCI) &&
					t->op == VN_OP_UNBIND ?
				", and the journal keeps its original driver" :
				"");
}

/* ---- what ran ---------------------------------------------------------------- */

static void print_bound(const struct vn_item *it)
{
	const struct vn_dev *a = it->after;

	printf("%s  %s -> %s", it->dev->bdf, it->from ? it->from : "(none)",
	       a && a->driver ? a->driver : VN_VFIO_PCI);
	if (a && a->cdev.path && a->cdev_state == VN_CDEV_OK)
		printf("  %s", a->cdev.path);
	if (a && a->group.path)
		printf("  %s", a->group.path);
	if (a && a->noiommu)
		printf("  (no-IOMMU)");
	putchar('\n');
}

static void print_restored(const struct vn_item *it)
{
	const struct vn_dev *a = it->after;

	printf("%s  %s -> %s", it->dev->bdf, it->from ? it->from : "(none)",
	       a && a->driver ? a->driver : "(none)");
	if (it->had_record && it->rec.when) {
		char when[32];
		struct tm tm;

		localtime_r(&it->rec.when, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		printf("  (recorded at bind, %s)", when);
	} else if (!it->had_record) {
		printf("  (no record: the kernel's choice)");
	}
	for (size_t i = 0; it->netdevs_after && it->netdevs_after[i]; i++)
		printf("%s%s", i ? ", " : "  ", it->netdevs_after[i]);
	if (it->netdevs_after && it->netdevs_after[0])
		printf(" %s back", it->netdevs_after[1] ? "are" : "is");
	putchar('\n');
}

static void print_nothing(const struct vn_item *it)
{
	bool done = it->completes_record && it->steps.n &&
		    it->steps.v[0].result == VN_STEP_OK;

	if (it->completes_record && !done && it->steps.n &&
	    it->steps.v[0].result == VN_STEP_FAILED)
		vn_warn("cannot complete an interrupted bind's journal record: "
			"%s",
			strerror(-it->steps.v[0].err));
	if (!opts.quiet)
		printf("%s  %s: nothing to do%s\n", it->dev->bdf, it->why,
		       done ? " (the interrupted bind's journal record is now "
			      "complete)" :
			      "");
}

void vn_print_results(const struct vn_txn *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct vn_item *it = &t->items[i];

		if (it->verdict == VN_ITEM_NOTHING) {
			print_nothing(it);
			continue;
		}
		if (it->verdict != VN_ITEM_GO)
			continue; /* said before executing */
		if (it->outcome == VN_OUT_DONE)
			t->op == VN_OP_BIND ? print_bound(it) :
					      print_restored(it);
		else if (it->outcome == VN_OUT_ROLLED_BACK)
			printf("%s  rolled back to %s: %s\n", it->dev->bdf,
			       t->op == VN_OP_BIND ?
				       (it->rec.orig_driver ?
						it->rec.orig_driver :
						"no driver") :
				       VN_VFIO_PCI,
			       t->interrupted ? "the run was interrupted" :
						"another device failed");
		else if (it->outcome == VN_OUT_LATE)
			vn_err("unbind %s: %s", it->dev->bdf, it->detail);
		else if (it->outcome != VN_OUT_NONE)
			print_failure(t, it);
	}
	if (t->interrupted)
		vn_err("interrupted by SIG%s: every device was put back",
		       sigabbrev_np(t->interrupted) ?
			       sigabbrev_np(t->interrupted) :
			       "?");
}

/* ---- JSON (schema in doc/schema/bind.json) ----------------------------------- */

#define TXN_SCHEMA 1

static struct json_object *cond_json(const struct vn_action *a)
{
	static const char *const names[] = {
		[VN_COND_UNLESS_ON] = "unless-on",
		[VN_COND_IF_ON] = "only-while-on",
		[VN_COND_UNLESS_LOADED] = "unless-loaded",
		[VN_COND_ON_OTHER] = "only-while-on-another",
	};
	struct json_object *o;

	if (a->cond == VN_COND_ALWAYS)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "kind", vn_jstr(names[a->cond]));
	json_object_object_add(o, "driver", vn_jstr(a->cond_driver));
	return o;
}

static struct json_object *action_json(const struct vn_action *a)
{
	struct json_object *o = json_object_new_object();
	bool sysfs = a->kind == VN_ACT_WRITE || a->kind == VN_ACT_VFIO_UNBIND;

	json_object_object_add(o, "kind", vn_jstr(vn_act_kind_name(a->kind)));
	json_object_object_add(o, "path", sysfs ? vn_jstr(a->path) : NULL);
	json_object_object_add(o, "value", sysfs ? vn_jstr(a->value) : NULL);
	json_object_object_add(o, "bounded",
			       json_object_new_boolean(a->kind ==
						       VN_ACT_VFIO_UNBIND));
	json_object_object_add(
		o, "module", a->kind == VN_ACT_LOAD ? vn_jstr(a->value) : NULL);
	json_object_object_add(o, "options", vn_jstr(a->options));
	json_object_object_add(o, "state",
			       a->kind == VN_ACT_JOURNAL ?
				       vn_jstr(vn_step_name(a->state)) :
				       NULL);
	json_object_object_add(o, "expect",
			       a->kind == VN_ACT_SETTLE ||
					       a->kind == VN_ACT_VERIFY ?
				       vn_jstr(a->value ? a->value : "none") :
				       NULL);
	json_object_object_add(o, "condition", cond_json(a));
	return o;
}

static struct json_object *error_json(int err, enum vn_fail_step at)
{
	struct json_object *o;

	if (!err)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "errno", vn_jstr(errname(err)));
	json_object_object_add(o, "message", vn_jstr(strerror(-err)));
	json_object_object_add(o, "step", vn_jstr(vn_fail_step_name(at)));
	return o;
}

static struct json_object *steps_json(const struct vn_steps *s)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < s->n; i++) {
		const struct vn_plan_step *st = &s->v[i];
		struct json_object *o = action_json(&st->act);
		struct json_object *undo = json_object_new_array();

		json_object_object_add(o, "phase",
				       vn_jstr(vn_phase_name(st->phase)));
		json_object_object_add(
			o, "journal_after",
			st->journal_after ?
				vn_jstr(vn_step_name(st->journal_state)) :
				NULL);
		json_object_object_add(
			o, "result", vn_jstr(vn_step_result_name(st->result)));
		json_object_object_add(o, "error",
				       error_json(st->err, st->fail));
		for (size_t k = 0; k < st->nundo; k++)
			json_object_array_add(undo, action_json(&st->undo[k]));
		json_object_object_add(o, "undo", undo);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* The sysfs writes of the forward steps, in order: what --dry-run
 * promises and what a clean run does. */
static struct json_object *writes_json(const struct vn_steps *s)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < s->n; i++) {
		const struct vn_action *a = &s->v[i].act;
		struct json_object *w;

		if (a->kind != VN_ACT_WRITE && a->kind != VN_ACT_VFIO_UNBIND)
			continue;
		w = json_object_new_object();
		json_object_object_add(w, "path", vn_jstr(a->path));
		json_object_object_add(w, "value", vn_jstr(a->value));
		json_object_array_add(arr, w);
	}
	return arr;
}

static struct json_object *guards_json(const struct vn_txn *t,
				       const struct vn_item *it)
{
	static const char *const levels[] = { "pass", "soft", "hard" };
	struct json_object *arr = json_object_new_array();

	for (size_t g = 0; g < it->nguards; g++) {
		const struct vn_guard *gd = &it->guards[g];
		struct json_object *o = json_object_new_object();
		const char *verdict =
			gd->level == VN_GUARD_PASS		    ? "pass" :
			gd->level == VN_GUARD_SOFT && t->opts.force ? "forced" :
								      "refused";

		json_object_object_add(o, "name", vn_jstr(gd->name));
		json_object_object_add(o, "level", vn_jstr(levels[gd->level]));
		json_object_object_add(o, "verdict", vn_jstr(verdict));
		json_object_object_add(o, "evidence", vn_jstr(gd->evidence));
		json_object_array_add(arr, o);
	}
	return arr;
}

static const char *result_name(const struct vn_item *it, bool dry)
{
	switch (it->verdict) {
	case VN_ITEM_NOTHING:
		return "nothing";
	case VN_ITEM_UNSUPPORTED:
		return "unsupported";
	case VN_ITEM_REFUSED:
		return "refused";
	case VN_ITEM_GO:
		break;
	}
	return dry ? "planned" : vn_outcome_name(it->outcome);
}

static struct json_object *item_json(const struct vn_txn *t,
				     const struct vn_item *it, bool dry)
{
	struct json_object *o = json_object_new_object();
	const struct vn_dev *a = it->after;

	json_object_object_add(o, "bdf", vn_jstr(it->dev->bdf));
	json_object_object_add(o, "from", vn_jstr(it->from));
	json_object_object_add(o, "to", vn_jstr(it->to));
	json_object_object_add(o, "restore",
			       t->op == VN_OP_UNBIND ?
				       vn_jstr(vn_restore_name(it->restore)) :
				       NULL);
	json_object_object_add(o, "result", vn_jstr(result_name(it, dry)));
	json_object_object_add(o, "reason", vn_jstr(it->why));
	json_object_object_add(o, "noiommu",
			       json_object_new_boolean(it->noiommu));
	json_object_object_add(o, "via_group",
			       json_object_new_boolean(it->via_group));
	json_object_object_add(o, "guards", guards_json(t, it));
	json_object_object_add(o, "steps", steps_json(&it->steps));
	json_object_object_add(o, "fallback", steps_json(&it->harbour));
	json_object_object_add(o, "writes", writes_json(&it->steps));
	json_object_object_add(o, "error", error_json(it->err, it->failed_at));
	json_object_object_add(o, "detail", vn_jstr(it->detail));
	json_object_object_add(o, "driver", a ? vn_jstr(a->driver) : NULL);
	json_object_object_add(o, "cdev",
			       a && a->cdev_state == VN_CDEV_OK ?
				       vn_jstr(a->cdev.path) :
				       NULL);
	json_object_object_add(o, "group", a ? vn_jstr(a->group.path) : NULL);
	return o;
}

int vn_print_txn_json(const struct vn_txn *t, enum vn_op op, bool dry,
		      int status, const char *error,
		      struct json_object *persist)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	int r;

	for (size_t i = 0; t && i < t->n; i++)
		json_object_array_add(arr, item_json(t, &t->items[i], dry));
	json_object_object_add(doc, "schema", json_object_new_int(TXN_SCHEMA));
	json_object_object_add(doc, "operation",
			       vn_jstr(op == VN_OP_BIND ? "bind" : "unbind"));
	json_object_object_add(doc, "dry_run", json_object_new_boolean(dry));
	json_object_object_add(doc, "exit_status", json_object_new_int(status));
	json_object_object_add(doc, "error", vn_jstr(error));
	json_object_object_add(doc, "interrupted",
			       t && t->interrupted ?
				       vn_jstr(sigabbrev_np(t->interrupted)) :
				       NULL);
	json_object_object_add(doc, "steps",
			       t ? steps_json(&t->pre) :
				   json_object_new_array());
	json_object_object_add(doc, "devices", arr);
	json_object_object_add(doc, "persist", json_object_get(persist));
	r = vn_doc_print(doc, &opts.out, stdout);
	json_object_put(doc);
	return r;
}
