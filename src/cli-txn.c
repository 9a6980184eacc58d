// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What bind and unbind share on the command side: options, the lock, the
 * plan shown by --dry-run, refusals, results and the exit status.
 */
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "cli-txn.h"
#include "lib/lock.h"
#include "lib/names.h"
#include "lib/taint.h"

enum {
	OPT_DRY_RUN = 0x200,
	OPT_FORCE,
	OPT_KEEP_GOING,
	OPT_TIMEOUT,
};

static error_t parse_txn(int key, char *arg, struct argp_state *state)
{
	struct vn_txn_args *a = state->input;

	switch (key) {
	case OPT_DRY_RUN:
		a->dry_run = true;
		break;
	case OPT_FORCE:
		a->force = true;
		break;
	case OPT_KEEP_GOING:
		a->keep_going = true;
		break;
	case OPT_TIMEOUT:
		/* 0 would time every vfio-pci unbind out at once. */
		if (vn_parse_seconds(arg, &a->timeout_ms) < 0 || !a->timeout_ms)
			argp_error(state,
				   "--timeout: '%s' is not a number of seconds "
				   "above 0",
				   arg);
		break;
	case ARGP_KEY_ARG:
		if (strv_push(&a->raw, strdup(arg)) < 0)
			argp_failure(state, VN_EXIT_FAILED, ENOMEM,
				     "arguments");
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no device given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option txn_options[] = {
	{ "dry-run", OPT_DRY_RUN, NULL, 0,
	  "Print the plan (every write, every guard's verdict) and write nothing",
	  0 },
	{ "force", OPT_FORCE, NULL, 0,
	  "Pass the soft guards (network, block devices, boot VGA)", 0 },
	{ "keep-going", OPT_KEEP_GOING, NULL, 0,
	  "Keep the devices that succeed when others fail (exit 5)", 0 },
	{ "timeout", OPT_TIMEOUT, "SECONDS", 0,
	  "Wait this long for nodes, interfaces and a blocked unbind (default 10)",
	  0 },
	{ 0 }
};

static const struct argp_child txn_children[] = { { &vn_argp_lock, 0, NULL, 0 },
						  { 0 } };

const struct argp vn_argp_txn = {
	.options = txn_options,
	.parser = parse_txn,
	.children = txn_children,
};

const struct argp_child vn_children_txn[] = {
	{ &vn_argp_txn, 0, NULL, 0 },
	{ &vn_argp_doc_output, 0, "Output:", 0 },
	{ &vn_argp_common, 0, NULL, 0 },
	{ 0 },
};

/* ---- messages ------------------------------------------------------------- */

static const char *errname(int err)
{
	static char buf[32];

	return vn_errno_name(err < 0 ? -err : err, buf, sizeof(buf));
}

/* What an errno means at the step where it happened. */
static const char *explain(const struct vn_item *it)
{
	int e = -it->err;

	switch (it->failed_at) {
	case VN_FAIL_NONE:
		return NULL;
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
		if (e == ETIMEDOUT)
			return "a process holds the device";
		break;
	default:
		break;
	}
	if (e == EACCES || e == EPERM)
		return "this needs root";
	return NULL;
}

static void print_item_failure(const struct vn_item *it, const char *verb)
{
	const char *why = explain(it);

	vn_err("%s %s: %s failed: %s (%s)", verb, it->dev->bdf,
	       vn_fail_step_name(it->failed_at) ?
		       vn_fail_step_name(it->failed_at) :
		       "?",
	       strerror(-it->err), errname(it->err));
	if (why)
		vn_hint("likely cause: %s", why);
	if (it->detail)
		vn_hint("%s", it->detail);
	if (it->outcome == VN_OUT_STRANDED)
		vn_hint("the journal keeps its original driver; run "
			"'vfio-noiommuctl unbind %s' to retry",
			it->dev->bdf);
	else if (it->after)
		vn_hint("it is on %s now%s",
			it->after->driver ? it->after->driver : "no driver",
			it->after->driver &&
					streq(it->after->driver, VN_VFIO_PCI) &&
					verb[0] == 'u' ?
				", and the journal keeps its original driver" :
				"");
}

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

static void print_refusal(const struct vn_item *it, enum vn_op op, bool force)
{
	const char *hint = refusal_hint(it);

	for (size_t g = 0; g < it->nguards; g++) {
		const struct vn_guard *gd = &it->guards[g];

		if (gd->level == VN_GUARD_PASS ||
		    (gd->level == VN_GUARD_SOFT && force))
			continue;
		vn_err("refusing to %s %s%s%s: %s%s",
		       op == VN_OP_BIND ? "take" : "release", it->dev->bdf,
		       it->from ? " from " : "", it->from ? it->from : "",
		       gd->evidence,
		       gd->level == VN_GUARD_SOFT ?
			       "" :
			       " (this guard cannot be forced)");
	}
	if (hint)
		vn_hint("%s", hint);
}

static void print_unsupported(const struct vn_item *it)
{
	vn_err("cannot bind %s: %s", it->dev->bdf, it->why);
	if (it->unsupported == VN_UNSUP_MODE_OFF)
		vn_hint("'vfio-noiommuctl noiommu on' enables it (devices bound "
			"afterwards get no DMA isolation and taint the kernel)");
	else if (it->unsupported == VN_UNSUP_NO_NOIOMMU)
		vn_hint("a kernel built with CONFIG_VFIO_NOIOMMU=y (Ubuntu, Fedora, "
			"RHEL) can; or boot with an IOMMU enabled");
}

static void print_plan(const struct vn_txn *t, const struct vn_item *it)
{
	size_t w = 0;

	printf("%s  %s -> %s%s\n", it->dev->bdf, it->from ? it->from : "(none)",
	       it->to	 ? it->to :
	       it->probe ? "(the kernel's choice)" :
			   "(none)",
	       it->via_group ? "  (same IOMMU group, --group)" : "");
	if (it->verdict == VN_ITEM_NOTHING) {
		printf("  nothing to do: %s\n", it->why);
		return;
	}
	if (it->verdict == VN_ITEM_UNSUPPORTED)
		printf("  not possible: %s\n", it->why);
	for (size_t g = 0; g < it->nguards; g++) {
		const struct vn_guard *gd = &it->guards[g];

		printf("  guard  %-15s %s%s\n", gd->name,
		       gd->level == VN_GUARD_PASS ?
			       "ok: " :
		       gd->level == VN_GUARD_SOFT ?
			       (t->opts.force ? "forced: " : "REFUSED: ") :
			       "REFUSED: ",
		       gd->evidence);
	}
	for (size_t i = 0; i < it->nwrites; i++)
		if (strlen(it->writes[i].path) > w)
			w = strlen(it->writes[i].path);
	for (size_t i = 0; i < it->nwrites; i++) {
		const char *v = it->writes[i].value;

		printf("  write  %-*s <- %s\n", (int)w, it->writes[i].path,
		       streq(v, "\n") ? "\"\\n\" (clears it)" : v);
	}
	if (t->op == VN_OP_BIND)
		printf("  expect %s\n",
		       it->noiommu ?
			       "a no-IOMMU VFIO device (taints the kernel: U)" :
			       "a VFIO device behind its IOMMU");
}

static void print_done(const struct vn_txn *t, const struct vn_item *it)
{
	const struct vn_dev *a = it->after;

	if (t->op == VN_OP_BIND) {
		printf("%s  %s -> %s", it->dev->bdf,
		       it->from ? it->from : "(none)",
		       a && a->driver ? a->driver : VN_VFIO_PCI);
		if (a && a->cdev.path && a->cdev_state == VN_CDEV_OK)
			printf("  %s", a->cdev.path);
		if (a && a->group.path)
			printf("  %s", a->group.path);
		if (a && a->noiommu)
			printf("  (no-IOMMU)");
		putchar('\n');
		return;
	}
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

/* ---- JSON ---------------------------------------------------------------- */

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
	if (dry)
		return "planned";
	switch (it->outcome) {
	case VN_OUT_DONE:
		return "done";
	case VN_OUT_FAILED:
		return "failed";
	case VN_OUT_ROLLED_BACK:
		return "rolled-back";
	case VN_OUT_STRANDED:
		return "stranded";
	case VN_OUT_NONE:
		break;
	}
	return "skipped";
}

static struct json_object *item_json(const struct vn_txn *t,
				     const struct vn_item *it, bool dry)
{
	struct json_object *o = json_object_new_object();
	struct json_object *guards = json_object_new_array();
	struct json_object *writes = json_object_new_array();
	const struct vn_dev *a = it->after;
	static const char *const levels[] = { "pass", "soft", "hard" };

	json_object_object_add(o, "bdf", vn_jstr(it->dev->bdf));
	json_object_object_add(o, "from", vn_jstr(it->from));
	json_object_object_add(o, "to", vn_jstr(it->to));
	json_object_object_add(o, "result", vn_jstr(result_name(it, dry)));
	json_object_object_add(o, "reason", vn_jstr(it->why));
	json_object_object_add(o, "noiommu",
			       json_object_new_boolean(it->noiommu));
	json_object_object_add(o, "via_group",
			       json_object_new_boolean(it->via_group));
	for (size_t g = 0; g < it->nguards; g++) {
		struct json_object *go = json_object_new_object();

		json_object_object_add(go, "name", vn_jstr(it->guards[g].name));
		json_object_object_add(go, "level",
				       vn_jstr(levels[it->guards[g].level]));
		json_object_object_add(go, "evidence",
				       vn_jstr(it->guards[g].evidence));
		json_object_array_add(guards, go);
	}
	json_object_object_add(o, "guards", guards);
	for (size_t i = 0; i < it->nwrites; i++) {
		struct json_object *wo = json_object_new_object();

		json_object_object_add(wo, "path", vn_jstr(it->writes[i].path));
		json_object_object_add(wo, "value",
				       vn_jstr(it->writes[i].value));
		json_object_array_add(writes, wo);
	}
	json_object_object_add(o, "writes", writes);
	json_object_object_add(o, "error",
			       it->err ? vn_jstr(strerror(-it->err)) : NULL);
	json_object_object_add(o, "errno",
			       it->err ? vn_jstr(errname(it->err)) : NULL);
	json_object_object_add(o, "failed_step",
			       vn_jstr(vn_fail_step_name(it->failed_at)));
	json_object_object_add(o, "detail", vn_jstr(it->detail));
	json_object_object_add(o, "driver", a ? vn_jstr(a->driver) : NULL);
	json_object_object_add(o, "cdev",
			       a && a->cdev_state == VN_CDEV_OK ?
				       vn_jstr(a->cdev.path) :
				       NULL);
	json_object_object_add(o, "group", a ? vn_jstr(a->group.path) : NULL);
	(void)t;
	return o;
}

static int print_json(const struct vn_txn *t, bool dry, int status)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	int r;

	for (size_t i = 0; i < t->n; i++)
		json_object_array_add(arr, item_json(t, &t->items[i], dry));
	json_object_object_add(doc, "devices", arr);
	json_object_object_add(doc, "dry_run", json_object_new_boolean(dry));
	json_object_object_add(doc, "exit_status", json_object_new_int(status));
	r = vn_doc_print(doc, &opts.out, stdout);
	json_object_put(doc);
	return r;
}

/* ---- the run ------------------------------------------------------------- */

/* Exit status of the plan alone (also what --dry-run returns). */
static int plan_status(const struct vn_txn *t)
{
	bool go = vn_txn_any(t, VN_ITEM_GO);
	bool unsup = vn_txn_any(t, VN_ITEM_UNSUPPORTED);
	bool refused = vn_txn_any(t, VN_ITEM_REFUSED);

	if ((unsup || refused) && t->opts.keep_going && go)
		return VN_EXIT_PARTIAL;
	if (unsup)
		return VN_EXIT_UNSUPPORTED;
	if (refused)
		return VN_EXIT_REFUSED;
	return VN_EXIT_OK;
}

static int result_status(const struct vn_txn *t, int planned)
{
	size_t ok = 0, bad = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct vn_item *it = &t->items[i];

		if (it->verdict != VN_ITEM_GO)
			continue;
		if (it->outcome == VN_OUT_DONE)
			ok++;
		else
			bad++;
	}
	if (bad && ok)
		return VN_EXIT_PARTIAL;
	if (bad)
		return VN_EXIT_FAILED;
	return planned;
}

static void report(const struct vn_txn *t)
{
	const char *verb = t->op == VN_OP_BIND ? "bind" : "unbind";

	for (size_t i = 0; i < t->n; i++) {
		const struct vn_item *it = &t->items[i];

		switch (it->verdict) {
		case VN_ITEM_NOTHING:
			if (!opts.quiet)
				printf("%s  %s: nothing to do%s\n",
				       it->dev->bdf, it->why,
				       it->completed ?
					       " (the interrupted bind's "
					       "journal record is now "
					       "complete)" :
					       "");
			continue;
		case VN_ITEM_UNSUPPORTED:
		case VN_ITEM_REFUSED:
			continue; /* said before applying */
		case VN_ITEM_GO:
			break;
		}
		if (it->outcome == VN_OUT_DONE)
			print_done(t, it);
		else if (it->outcome == VN_OUT_ROLLED_BACK)
			printf("%s  rolled back to %s: another device failed\n",
			       it->dev->bdf,
			       t->op == VN_OP_BIND ?
				       (it->rec.orig_driver ?
						it->rec.orig_driver :
						"no driver") :
				       VN_VFIO_PCI);
		else
			print_item_failure(it, verb);
	}
}

static void warn_taint(const struct vn_txn *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct vn_item *it = &t->items[i];
		char name[160];

		if (it->verdict != VN_ITEM_GO || !it->noiommu)
			continue;
		if (vn_name_device(t->sys, it->dev->vendor, it->dev->device,
				   name, sizeof(name)) == 0)
			vn_warn("%s (%s) has no IOMMU: binding it gives user space "
				"DMA to all memory and taints the kernel (U) until "
				"reboot",
				it->dev->bdf, name);
		else
			vn_warn("%s has no IOMMU: binding it gives user space DMA "
				"to all memory and taints the kernel (U) until reboot",
				it->dev->bdf);
	}
}

/* Ctrl-C between the phases would leave devices between drivers: hold
 * SIGINT, SIGTERM and SIGQUIT until the transaction is over (the process
 * exits right after; SIGKILL still works, and the journal covers it). */
static void block_interrupts(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* With --json a script reads stdout: a run that stops before there is a
 * per-device answer still prints a document saying why. */
static void print_failure_json(bool dry, int status, const char *error)
{
	struct json_object *doc = json_object_new_object();

	json_object_object_add(doc, "devices", json_object_new_array());
	json_object_object_add(doc, "dry_run", json_object_new_boolean(dry));
	json_object_object_add(doc, "exit_status", json_object_new_int(status));
	json_object_object_add(doc, "error", vn_jstr(error));
	vn_doc_print(doc, &opts.out, stdout);
	json_object_put(doc);
}

int vn_txn_run(enum vn_op op, struct vn_sys *sys, char **bdfs,
	       const struct vn_txn_args *a)
{
	struct vn_txn_opts to = {
		.force = a->force,
		.keep_going = a->keep_going,
		.group = a->group,
		.timeout_ms = a->timeout_ms,
		.unbind_timeout_ms = a->timeout_ms,
		.driver = a->driver,
	};
	const char *verb = op == VN_OP_BIND ? "bind" : "unbind";
	const char *failure = NULL;
	struct vn_txn t = { 0 };
	int lock = -1, ret, r;
	bool json = opts.out.fmt == VN_FMT_JSON || opts.out.fmt == VN_FMT_PAIRS;
	bool printed = false;

	if (!a->dry_run && !a->lock_held &&
	    (ret = vn_cli_take_lock(sys, &lock))) {
		failure = "the lock is not available";
		goto out;
	}
	r = vn_txn_init(&t, sys, op, &to);
	t.lock_fd = a->lock_held ? a->lock_fd : lock;
	if (r < 0) {
		vn_err("cannot read the kernel state: %s", strerror(-r));
		failure = "cannot read the kernel state";
		ret = VN_EXIT_FAILED;
		goto out;
	}
	for (size_t i = 0; bdfs[i]; i++) {
		r = vn_txn_add(&t, bdfs[i]);
		if (r == -EBADMSG) {
			vn_err("the journal record %s/%s is corrupt or truncated; "
			       "not guessing what the device had",
			       VN_JOURNAL_DIR, bdfs[i]);
			vn_hint("inspect it; remove it to let the kernel choose the "
				"driver on unbind");
			failure = "a journal record is corrupt";
			ret = VN_EXIT_FAILED;
			goto out;
		}
		if (r < 0) {
			vn_err("%s %s: cannot read its state%s: %s", verb,
			       bdfs[i],
			       r == -ENODEV ?
				       " (it was removed meanwhile)" :
			       vn_err_denied(r) ?
				       " or journal record (run as root)" :
				       "",
			       strerror(-r));
			failure = "cannot read a device's state";
			ret = r == -ENODEV ? VN_EXIT_USAGE : VN_EXIT_FAILED;
			goto out;
		}
	}
	r = vn_txn_plan(&t);
	if (r < 0) {
		vn_err("cannot plan the %s (reading guards' evidence): %s",
		       verb, strerror(-r));
		failure = "cannot read the guards' evidence";
		ret = VN_EXIT_FAILED;
		goto out;
	}
	vn_cli_warn_unfinished(sys, bdfs);
	ret = plan_status(&t);

	if (a->dry_run) {
		if (json) {
			print_json(&t, true, ret);
			printed = true;
		} else {
			for (size_t i = 0; i < t.n; i++)
				print_plan(&t, &t.items[i]);
			printf("nothing was written (--dry-run)\n");
		}
		goto out;
	}
	for (size_t i = 0; i < t.n; i++) {
		if (t.items[i].verdict == VN_ITEM_UNSUPPORTED)
			print_unsupported(&t.items[i]);
		else if (t.items[i].verdict == VN_ITEM_REFUSED)
			print_refusal(&t.items[i], op, t.opts.force);
	}
	if (ret != VN_EXIT_OK && ret != VN_EXIT_PARTIAL)
		goto report;
	if (vn_sys_is_host(sys) && (r = vn_txn_complete_records(&t)) < 0)
		vn_warn("cannot complete an interrupted bind's journal record: %s",
			strerror(-r));
	if (!vn_txn_any(&t, VN_ITEM_GO)) {
		if (!json)
			report(&t);
		goto report;
	}
	if (!vn_sys_is_host(sys)) {
		vn_err("a --sysroot tree is only planned against: nothing was "
		       "written; use --dry-run");
		failure = "a --sysroot tree is never written";
		ret = VN_EXIT_USAGE;
		goto out;
	}
	if (op == VN_OP_BIND)
		warn_taint(&t);

	/* From here on, finish whatever happens to the terminal: --force on
	 * the SSH interface cuts the session that runs this. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	block_interrupts();
	vn_cli_tolerate_stdout();

	r = vn_txn_load_modules(&t);
	if (r < 0) {
		vn_err("cannot load vfio-pci: %s", strerror(-r));
		if (r == -ENOENT)
			vn_hint("this kernel has no vfio-pci module");
		failure = "cannot load vfio-pci";
		ret = r == -ENOENT ? VN_EXIT_UNSUPPORTED : VN_EXIT_FAILED;
		goto out;
	}
	/* With vfio loaded the mode is the parameter's, which may differ
	 * from what the configuration promised: report the devices that
	 * turned out impossible (each once), then go on with the rest only
	 * under --keep-going. */
	for (size_t i = 0; i < t.n; i++)
		if (t.items[i].late && !json)
			print_unsupported(&t.items[i]);
	if (plan_status(&t) != ret) {
		ret = plan_status(&t);
		if (ret != VN_EXIT_PARTIAL)
			goto report;
	}
	r = vn_txn_apply(&t);
	if (r < 0) {
		vn_err("%s: %s", verb, strerror(-r));
		failure = "the change could not be applied";
		ret = VN_EXIT_FAILED;
		goto out;
	}
	ret = result_status(&t, ret);
	if (!json)
		report(&t);
report:
	/* Refusals were printed above; the text report is for what ran. */
	if (json)
		print_json(&t, false, ret);
	printed = true;
out:
	if (json && !printed && failure)
		print_failure_json(a->dry_run, ret, failure);
	vn_txn_clear(&t);
	vn_lock_release(lock);
	return ret;
}

int vn_txn_main(enum vn_op op, const struct argp *argp, int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	_cleanup_strv_ char **bdfs = NULL;
	struct vn_txn_args a = { .timeout_ms = 10000 };
	int ret;

	vn_parse_verb(argp, op == VN_OP_BIND ? "bind" : "unbind", argc, argv,
		      &a);
	ret = vn_cli_open_sys(&sys);
	if (!ret)
		ret = vn_cli_bdf_args(sys, a.raw, op == VN_OP_BIND, &bdfs);
	if (!ret)
		ret = vn_txn_run(op, sys, bdfs, &a);
	strv_free(a.raw);
	return ret;
}
