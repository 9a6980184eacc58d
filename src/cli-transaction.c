// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What bind and unbind share on the command side: options, the lock, and
 * the run: plan, then print (--dry-run) or execute, then report, and the
 * exit status.
 */
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>

#include "cli-transaction.h"
#include "lib/lock.h"
#include "lib/names.h"

enum {
	OPT_DRY_RUN = 0x200,
	OPT_FORCE,
	OPT_KEEP_GOING,
	OPT_TIMEOUT,
	OPT_JOBS = 'j',
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
		vn_argp_seconds(state, "--timeout", arg, true, &a->timeout_ms);
		break;
	case OPT_JOBS: {
		unsigned long n;

		if (parse_ulong(arg, 10, &n) < 0 || n < 1 || n > VN_JOBS_MAX)
			argp_error(state,
				   "--jobs: '%s' is not a number from 1 to %d",
				   arg, VN_JOBS_MAX);
		a->jobs = (int)n;
		break;
	}
	case ARGP_KEY_ARG:
		if (strv_push(&a->raw, strdup(arg)) < 0)
			argp_failure(state, VN_EXIT_FAILED, ENOMEM,
				     "arguments");
		break;
	case ARGP_KEY_NO_ARGS:
		if (!a->no_devices)
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
	{ "jobs", OPT_JOBS, "N", 0,
	  "Bind or unbind up to N devices at once (default 8; 1: one by one)",
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

/*
 * From here on, finish whatever happens to the terminal: --force on the
 * SSH interface cuts the session that runs this. Ctrl-C, SIGTERM and
 * SIGQUIT are blocked and only looked at between steps: the executor then
 * stops and puts every device back (the process exits right after;
 * SIGKILL still works, and the journal covers it).
 */
static void enter_write_phase(void)
{
	sigset_t set;

	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	vn_cli_tolerate_stdout();
}

struct run {
	enum vn_op op;
	const char *verb;
	struct vn_sys *sys;
	const struct vn_txn_args *a;
	struct vn_txn t;
	bool json;
	int lock; /* the global lock, shared */
	char **locked; /* devices whose lock we hold ... */
	int *lock_fds; /* ... on these fds */
	const char *failure; /* why there is no per-device answer */
	/* --persist with a document: it is printed once the entries are
	 * written, with what was written (persist). */
	bool doc_later;
	struct json_object *persist;
};

/* Writers of other devices go on; writers of these wait (src/lib/lock.h). */
static bool locking(const struct run *r)
{
	return !r->a->dry_run && !r->a->lock_held && vn_sys_is_host(r->sys);
}

/* Lock the devices not locked yet, in BDF order: two writers never wait
 * for each other in a circle. */
static int lock_devices(struct run *r, char **bdfs)
{
	size_t n = strv_len(bdfs), k = strv_len(r->locked);
	_cleanup_free_ char **sorted = calloc(n + 1, sizeof(char *));
	int *fds = realloc(r->lock_fds, (n + k + 1) * sizeof(int));
	int ret;

	if (fds)
		r->lock_fds = fds;
	if (!sorted || !fds)
		return VN_EXIT_FAILED;
	memcpy(sorted, bdfs, n * sizeof(char *));
	strv_sort(sorted);
	for (size_t i = 0; i < n; i++) {
		if (strv_contains(r->locked, sorted[i]))
			continue;
		if ((ret = vn_cli_lock_device(r->sys, sorted[i],
					      &r->lock_fds[k]))) {
			r->failure = "the lock is not available";
			return ret;
		}
		if (strv_push(&r->locked, strdup(sorted[i])) < 0)
			return VN_EXIT_FAILED;
		k++;
	}
	return 0;
}

static void release_locks(struct run *r)
{
	for (size_t i = 0; r->locked && r->locked[i]; i++)
		vn_lock_release(r->lock_fds[i]);
	strv_free(r->locked);
	free(r->lock_fds);
	vn_lock_release(r->lock);
}

static int add_devices(struct run *r, char **bdfs)
{
	for (size_t i = 0; bdfs[i]; i++) {
		int e = vn_txn_add(&r->t, bdfs[i]);

		if (e == -EBADMSG) {
			vn_err("the journal record %s/%s is corrupt or "
			       "truncated; not guessing what the device had",
			       VN_JOURNAL_DIR, bdfs[i]);
			vn_hint("inspect it; remove it to let the kernel choose the "
				"driver on unbind");
			r->failure = "a journal record is corrupt";
			return VN_EXIT_FAILED;
		}
		if (e < 0) {
			vn_err("%s %s: cannot read its state%s: %s", r->verb,
			       bdfs[i],
			       e == -ENODEV ?
				       " (it was removed meanwhile)" :
			       vn_err_denied(e) ?
				       " or journal record (run as root)" :
				       "",
			       strerror(-e));
			r->failure = "cannot read a device's state";
			return e == -ENODEV ? VN_EXIT_USAGE : VN_EXIT_FAILED;
		}
	}
	return 0;
}

/* Read and plan: nothing written yet. */
static int plan_once(struct run *r, char **bdfs)
{
	const struct vn_txn_args *a = r->a;
	struct vn_txn_opts to = {
		.force = a->force,
		.keep_going = a->keep_going,
		.group = a->group,
		.timeout_ms = a->timeout_ms,
		.unbind_timeout_ms = a->timeout_ms,
		.driver = a->driver,
		.jobs = a->jobs,
		.assume_noiommu_on = a->assume_noiommu_on,
	};
	int ret, e;

	vn_txn_clear(&r->t);
	e = vn_txn_init(&r->t, r->sys, r->op, &to);
	r->t.lock_fd = a->lock_held ? a->lock_fd : r->lock;
	if (e < 0) {
		vn_err("cannot read the kernel state: %s", strerror(-e));
		r->failure = "cannot read the kernel state";
		return VN_EXIT_FAILED;
	}
	if ((ret = add_devices(r, bdfs)))
		return ret;
	for (size_t i = 0; r->locked && r->locked[i]; i++) {
		struct vn_item *it = vn_txn_find(&r->t, r->locked[i]);

		if (it)
			it->lock_fd = r->lock_fds[i];
	}
	if ((e = vn_txn_plan(&r->t)) < 0) {
		vn_err("cannot plan the %s (reading guards' evidence): %s",
		       r->verb, strerror(-e));
		r->failure = "cannot read the guards' evidence";
		return VN_EXIT_FAILED;
	}
	return 0;
}

/* Devices the plan added (--group) that are not in bdfs yet. */
static int added(const struct run *r, char ***bdfs)
{
	int n = 0;

	for (size_t i = 0; i < r->t.n; i++) {
		const char *b = r->t.items[i].dev->bdf;

		if (strv_contains(*bdfs, b))
			continue;
		if (strv_push(bdfs, strdup(b)) < 0)
			return -ENOMEM;
		n++;
	}
	return n;
}

/* Lock, read, plan. --group may add devices whose locks we do not hold:
 * lock them too and plan again from what is there now. */
static int prepare(struct run *r, char **bdfs)
{
	_cleanup_strv_ char **all = strv_new();
	int ret, n;

	if (!all)
		return VN_EXIT_FAILED;
	if (locking(r) && (ret = vn_cli_take_lock(r->sys, false, &r->lock))) {
		r->failure = "the lock is not available";
		return ret;
	}
	for (size_t i = 0; bdfs[i]; i++)
		if (strv_push(&all, strdup(bdfs[i])) < 0)
			return VN_EXIT_FAILED;
	for (;;) {
		if (locking(r) && (ret = lock_devices(r, all)))
			return ret;
		if ((ret = plan_once(r, all)))
			return ret;
		if ((n = added(r, &all)) < 0)
			return VN_EXIT_FAILED;
		if (!n || !locking(r))
			break;
	}
	vn_cli_warn_unfinished(r->sys, all);
	return 0;
}

static int show_plan(struct run *r, int status)
{
	if (r->json && !r->doc_later)
		vn_print_txn_json(&r->t, r->op, true, status, NULL, NULL);
	if (r->json)
		return status;
	vn_print_pre(&r->t);
	for (size_t i = 0; i < r->t.n; i++)
		vn_print_plan(&r->t, &r->t.items[i]);
	printf("nothing was written (--dry-run)\n");
	return status;
}

static void say_refusals(struct run *r)
{
	for (size_t i = 0; i < r->t.n; i++) {
		const struct vn_item *it = &r->t.items[i];

		if (it->verdict == VN_ITEM_UNSUPPORTED)
			vn_print_unsupported(it);
		else if (it->verdict == VN_ITEM_REFUSED)
			vn_print_refusal(&r->t, it);
	}
}

/* The module load failed: no device was touched. */
static int load_failed(struct run *r, int e)
{
	_cleanup_free_ char *cmd = NULL, *esc = NULL;

	r->failure = "cannot load vfio-pci";
	if (vn_module_install_command(r->sys, "vfio-pci", &cmd) == 0 && cmd &&
	    e != -ENOENT && (esc = vn_escape(cmd))) {
		/* libkmod ran it instead of loading the module and says only
		 * -EINVAL (libkmod/libkmod-module.c, command_do()). */
		vn_err("cannot load vfio-pci: the modprobe.d install command "
		       "that replaces it failed: %s",
		       esc);
		vn_hint("fix or remove the 'install vfio-pci' line in "
			"/etc/modprobe.d (modprobe -c | grep vfio)");
		return VN_EXIT_FAILED;
	}
	vn_err("cannot load vfio-pci: %s", strerror(-e));
	if (e == -ENOENT)
		vn_hint("this kernel has no vfio-pci module");
	else if (e == -EINVAL)
		vn_hint("vfio-pci rejected its parameters: check the "
			"'options vfio-pci' lines in /etc/modprobe.d and the "
			"kernel log (dmesg)");
	return e == -ENOENT ? VN_EXIT_UNSUPPORTED : VN_EXIT_FAILED;
}

static int execute(struct run *r, int status)
{
	bool go = vn_txn_any(&r->t, VN_ITEM_GO);
	int e;

	if (go && !vn_sys_is_host(r->sys)) {
		vn_err("a --sysroot tree is only planned against: nothing was "
		       "written; use --dry-run");
		r->failure = "a --sysroot tree is never written";
		return VN_EXIT_USAGE;
	}
	if (!vn_sys_is_host(r->sys))
		return status;
	if (go) {
		if (r->op == VN_OP_BIND)
			warn_taint(&r->t);
		enter_write_phase();
	}
	if ((e = vn_txn_execute(&r->t)) < 0)
		return load_failed(r, e);
	/* With vfio loaded the mode is the parameter's, which may differ
	 * from what the configuration promised: the devices that turned out
	 * impossible are not touched, and without --keep-going neither is
	 * any other (vn_txn_execute returned 1). */
	for (size_t i = 0; i < r->t.n; i++)
		if (r->t.items[i].late && !r->json)
			vn_print_unsupported(&r->t.items[i]);
	if (e > 0)
		return plan_status(&r->t);
	return result_status(&r->t, plan_status(&r->t));
}

static int carry_out(struct run *r)
{
	int status = plan_status(&r->t);

	if (r->a->dry_run)
		return show_plan(r, status);
	say_refusals(r);
	if (status == VN_EXIT_OK || status == VN_EXIT_PARTIAL)
		status = execute(r, status);
	if (r->failure)
		return status;
	if (r->json && !r->doc_later)
		vn_print_txn_json(&r->t, r->op, false, status, NULL, NULL);
	else if (!r->json)
		vn_print_results(&r->t);
	return status;
}

/* --persist: the entries of the devices now where they were asked to
 * be (with --dry-run: would be), under the run's locks. */
static int persist(struct run *r, int status)
{
	_cleanup_strv_ char **done = NULL;
	int ret;

	for (size_t i = 0; i < r->t.n; i++) {
		const struct vn_item *it = &r->t.items[i];
		bool there = it->verdict == VN_ITEM_NOTHING ||
			     (it->verdict == VN_ITEM_GO &&
			      (r->a->dry_run || it->outcome == VN_OUT_DONE ||
			       it->outcome == VN_OUT_LATE));

		if (there && strv_push(&done, strdup(it->dev->bdf)) < 0)
			return VN_EXIT_FAILED;
	}
	if (r->json)
		r->persist = json_object_new_array();
	ret = vn_persist_devices(r->op, r->sys,
				 vn_sys_is_host(r->sys) ? r->sys : NULL, done,
				 r->a->dry_run, r->persist);
	return status == VN_EXIT_OK ? ret : status;
}

/* The devices the run changed, or with --dry-run would change. */
static int collect_changed(const struct vn_txn *t, const struct vn_txn_args *a)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct vn_item *it = &t->items[i];
		bool changed = a->dry_run ? it->verdict == VN_ITEM_GO :
					    it->outcome == VN_OUT_DONE ||
						    it->outcome == VN_OUT_LATE;

		if (changed && strv_push(a->changed, strdup(it->dev->bdf)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int vn_txn_run(enum vn_op op, struct vn_sys *sys, char **bdfs,
	       const struct vn_txn_args *a)
{
	struct run r = {
		.op = op,
		.verb = op == VN_OP_BIND ? "bind" : "unbind",
		.sys = sys,
		.a = a,
		.json = opts.out.fmt == VN_FMT_JSON ||
			opts.out.fmt == VN_FMT_PAIRS,
		.lock = -1,
	};
	int ret;

	r.doc_later = r.json && a->persist;
	ret = prepare(&r, bdfs);

	if (!ret)
		ret = carry_out(&r);
	/* With --json a script reads stdout: a run that stops before there
	 * is a per-device answer still prints a document saying why. */
	if (r.json && r.failure)
		vn_print_txn_json(NULL, op, a->dry_run, ret, r.failure, NULL);
	if (a->changed && !r.failure && collect_changed(&r.t, a) < 0)
		ret = VN_EXIT_FAILED;
	if (a->persist && !r.failure)
		ret = persist(&r, ret);
	if (r.doc_later && !r.failure)
		vn_print_txn_json(&r.t, op, a->dry_run, ret, NULL, r.persist);
	json_object_put(r.persist);
	vn_txn_clear(&r.t);
	release_locks(&r);
	return ret;
}

/*
 * The transaction prints its own report, or its own document; inside
 * another command's document, its document is captured (it writes to
 * stdout) and handed back parsed.
 */
int vn_txn_run_doc(enum vn_op op, struct vn_sys *sys, char **bdfs,
		   const struct vn_txn_args *a, bool doc,
		   struct json_object **out)
{
	struct vn_outopts saved = opts.out;
	FILE *stdout_was = stdout, *mem;
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (!doc)
		return vn_txn_run(op, sys, bdfs, a);
	fflush(stdout);
	mem = open_memstream(&buf, &len);
	if (!mem)
		return VN_EXIT_FAILED;
	opts.out.fmt = VN_FMT_JSON;
	stdout = mem;
	ret = vn_txn_run(op, sys, bdfs, a);
	fclose(mem);
	stdout = stdout_was;
	opts.out = saved;
	*out = json_tokener_parse(buf ? buf : "");
	free(buf);
	return ret;
}

/* --persist --root DIR: the entries inside DIR, no device changed. */
static int persist_root(enum vn_op op, struct vn_sys *sys, char **bdfs,
			const struct vn_txn_args *a)
{
	_cleanup_(vn_sys_freep) struct vn_sys *root = NULL;
	struct json_object *arr = NULL;
	int ret = vn_cli_open_root(a->persist_root, &root);

	if (ret)
		return ret;
	if (opts.out.fmt == VN_FMT_JSON || opts.out.fmt == VN_FMT_PAIRS)
		arr = json_object_new_array();
	ret = vn_persist_devices(op, sys, root, bdfs, a->dry_run, arr);
	if (arr)
		vn_print_txn_json(NULL, op, a->dry_run, ret, NULL, arr);
	json_object_put(arr);
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
		ret = vn_cli_bdf_args(sys, a.raw,
				      op == VN_OP_BIND ? VN_DEVARG_ANY :
							 VN_DEVARG_VFIO,
				      &bdfs);
	if (!ret && op == VN_OP_BIND && !a.persist_root)
		vn_bind_competing(sys, bdfs);
	if (!ret && a.persist_root)
		ret = persist_root(op, sys, bdfs, &a);
	else if (!ret)
		ret = vn_txn_run(op, sys, bdfs, &a);
	strv_free(a.raw);
	return ret;
}
