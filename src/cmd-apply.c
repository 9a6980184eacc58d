// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apply: converge the host on the declared state (vfio-noiommuctl.conf(5))
 * through the same transaction as bind and unbind: the declared no-IOMMU
 * mode, the declared devices onto vfio-pci, and with --prune the devices
 * the tool bound that are no longer declared back to their drivers.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <unistd.h>

#include "cli-transaction.h"
#include "commands.h"
#include "lib/apply.h"
#include "lib/facts.h"
#include "lib/audit.h"
#include "lib/compete.h"
#include "lib/kernel.h"
#include "lib/lock.h"
#include "lib/noiommu.h"
#include "lib/owner.h"
#include "lib/vfio.h"

#define APPLY_SCHEMA 1

enum {
	OPT_PRUNE = 0x300,
	OPT_ROOT,
	OPT_WAIT,
	OPT_RECORD,
};

struct apply_args {
	struct vn_txn_args t; /* first: the transaction options' input */
	bool prune;
	const char *root;
	int wait_ms; /* --wait: for the devices, then their nodes */
	bool record; /* --record: keep what it did for status */
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct apply_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->t;
		break;
	case OPT_PRUNE:
		a->prune = true;
		break;
	case OPT_ROOT:
		if (!*arg)
			argp_error(state, "--root: an empty directory name");
		a->root = arg;
		break;
	case OPT_WAIT:
		vn_argp_seconds(state, "--wait", arg, false, &a->wait_ms);
		break;
	case OPT_RECORD:
		a->record = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state,
			   "'%s': apply takes no devices (it reads them from "
			   "the declared state)",
			   arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "prune", OPT_PRUNE, NULL, 0,
	  "Return devices the tool bound that are no longer declared to their "
	  "drivers",
	  0 },
	{ "root", OPT_ROOT, "DIR", 0,
	  "Read the declared state from DIR/etc/vfio-noiommuctl (the host is "
	  "still the one changed)",
	  0 },
	{ "wait", OPT_WAIT, "SECONDS", 0,
	  "Wait up to SECONDS for the declared devices to appear, and after "
	  "the run for their VFIO nodes; list what is still missing (the boot "
	  "unit)",
	  0 },
	{ "record", OPT_RECORD, NULL, 0,
	  "Keep what this run found, bound, owned, missed and refused in " VN_APPLY_RECORD
	  " for status (the boot unit)",
	  0 },
	{ 0 }
};

static const struct argp apply_argp = {
	.options = options,
	.parser = parse,
	.args_doc = "",
	.doc = "Converge the host on the declared state: the no-IOMMU mode, "
	       "the declared devices on vfio-pci (through bind's guards, journal "
	       "and roll-back), and with --prune the devices bound by this tool "
	       "but no longer declared back to their drivers. A second run "
	       "changes nothing.\v"
	       "Exit status: 0 done or nothing to do; 1 failed; 2 invalid input "
	       "or declared state; 3 not possible on this kernel; 4 refused (an "
	       "entry names no device, several, or one with other IDs; a "
	       "guard); 5 partial: some declared devices in place, others not "
	       "(each reported); 6 another writer held the lock; 7 --dry-run: "
	       "the run would change something.",
	.children = vn_children_txn,
};

/* ---- one run --------------------------------------------------------------- */

struct run {
	struct apply_args *a;
	struct vn_sys *sys; /* the host (or a --sysroot tree) */
	struct vn_facts f; /* of the host, the state read from root */
	const struct vn_apply *ap; /* in f */
	struct vn_competes competing;
	char **declared; /* BDFs the state wants on vfio-pci */
	bool doc; /* --json or --pairs */
	int lock;
	char **bound, **pruned; /* changed (or would be, with --dry-run) */
	struct json_object *bind_doc, *unbind_doc;
	char mode_before, mode_after; /* 'Y', 'N', 0: vfio not loaded */
	bool mode_changed;
	bool rules_changed; /* the udev rule (re)written or removed */
	struct json_object *nodes; /* nodes whose ownership was looked at */
	bool nodes_changed;
	const char *error; /* why the run stopped */
	bool waiting; /* --wait given */
	char **nodeless; /* --wait: declared devices still without a node */
	long long deadline; /* of --wait, on vn_now_ms()'s clock */
};

static void run_clear(struct run *r)
{
	vn_facts_clear(&r->f);
	vn_competes_clear(&r->competing);
	strv_free(r->declared);
	strv_free(r->bound);
	strv_free(r->pruned);
	strv_free(r->nodeless);
	json_object_put(r->bind_doc);
	json_object_put(r->unbind_doc);
	json_object_put(r->nodes);
	vn_lock_release(r->lock);
}

static bool say_text(const struct run *r)
{
	return !r->doc && !opts.quiet;
}

static int print_state_errors(const struct vn_state *st)
{
	for (size_t i = 0; st->errors && st->errors[i]; i++)
		vn_err("%s", st->errors[i]);
	if (st->dropped)
		vn_err("and %zu more errors", st->dropped);
	vn_hint("nothing was changed; see vfio-noiommuctl.conf(5)");
	return VN_EXIT_USAGE;
}

static int read_state(struct run *r)
{
	int e = vn_facts_need(&r->f, VN_FACT_APPLY);

	if (e == 0 && r->f.state_err == -EINVAL && r->f.state.errors) {
		r->error = "the declared state has errors";
		return print_state_errors(&r->f.state);
	}
	if (e == 0)
		e = r->f.state_err;
	if (e < 0) {
		vn_err("cannot read the declared state or the devices: %s",
		       strerror(-e));
		r->error = "cannot read the declared state or the devices";
		return VN_EXIT_FAILED;
	}
	for (size_t i = 0; i < r->ap->n; i++)
		if (strv_push(&r->declared, strdup(r->ap->v[i].bdf)) < 0)
			return VN_EXIT_FAILED;
	if ((e = vn_compete_scan(r->sys, r->ap->devs, r->f.journal,
				 &r->competing)) < 0) {
		vn_err("cannot read driverctl, modprobe.d or the command line: "
		       "%s",
		       strerror(-e));
		r->error = "cannot read the competing mechanisms";
		return VN_EXIT_FAILED;
	}
	if ((e = vn_facts_need(&r->f, VN_FACT_CAPS)) < 0) {
		vn_err("cannot read the kernel state: %s", strerror(-e));
		r->error = "cannot read the kernel state";
		return VN_EXIT_FAILED;
	}
	return VN_EXIT_OK;
}

/* ---- the no-IOMMU mode ----------------------------------------------------- */

/* The declared mode, through the noiommu command's library call. Off is
 * already so while vfio is not loaded (its default). */
static int apply_mode(struct run *r)
{
	int want = r->ap->st->noiommu;
	char now = 0;
	int e;

	r->mode_before = r->mode_after = r->f.caps.mode;
	if (want < 0 || (want ? r->f.caps.mode == 'Y' : r->f.caps.mode != 'Y'))
		return VN_EXIT_OK;
	if (want && r->f.caps.noiommu.value == VN_NO) {
		vn_err("the declared no-IOMMU mode is on (%s:%u), but this "
		       "kernel was built without CONFIG_VFIO_NOIOMMU",
		       r->ap->st->noiommu_file, r->ap->st->noiommu_line);
		return VN_EXIT_UNSUPPORTED;
	}
	r->mode_changed = true;
	r->mode_after = want ? 'Y' : 'N';
	if (r->a->t.dry_run || !vn_sys_is_host(r->sys))
		return VN_EXIT_OK;
	e = vn_noiommu_set(r->sys, want, &now);
	if (e < 0 || now != r->mode_after) {
		vn_err("cannot set vfio's " VN_NOIOMMU_PARAM " to %c: %s",
		       r->mode_after, e < 0 ? strerror(-e) : "it reads back");
		r->mode_after = now;
		return e == -ENOENT || e == -EOPNOTSUPP ? VN_EXIT_UNSUPPORTED :
							  VN_EXIT_FAILED;
	}
	vn_audit(r->sys, "apply: " VN_NOIOMMU_PARAM " %c -> %c",
		 r->mode_before ? r->mode_before : 'N', now);
	return VN_EXIT_OK;
}

static void print_mode(const struct run *r)
{
	if (!say_text(r) || r->ap->st->noiommu < 0)
		return;
	if (!r->mode_changed)
		printf("noiommu   already %s (%s:%u)\n",
		       r->ap->st->noiommu ? "on" : "off",
		       r->ap->st->noiommu_file, r->ap->st->noiommu_line);
	else
		printf("noiommu   %s" VN_NOIOMMU_PARAM " %c -> %c (%s:%u)\n",
		       r->a->t.dry_run ? "would set " : "",
		       r->mode_before ? r->mode_before : 'N', r->mode_after,
		       r->ap->st->noiommu_file, r->ap->st->noiommu_line);
}

/* ---- what was declared --------------------------------------------------- */

static void print_entry(const struct vn_match *m)
{
	const struct vn_entry *e = m->entry;
	_cleanup_free_ char *bdfs = strv_join(m->bdfs, " ");

	if (m->result == VN_MATCH_OVERRIDDEN)
		return;
	if (m->result == VN_MATCH_OK)
		printf("declared  %s:%u %s %s: %s\n", e->file, e->line,
		       vn_ident_kind_name(e->match.kind), e->match.value,
		       bdfs ? bdfs : "");
	else
		vn_err("%s:%u: %s %s: not bound: %s", e->file, e->line,
		       vn_ident_kind_name(e->match.kind), e->match.value,
		       m->reason ? m->reason : vn_match_result_name(m->result));
}

static void print_declared(const struct run *r)
{
	for (size_t i = 0; i < r->ap->m->n; i++)
		if (say_text(r) || vn_match_is_problem(&r->ap->m->v[i]))
			print_entry(&r->ap->m->v[i]);
	if (!say_text(r))
		return;
	if (!r->ap->m->n)
		printf("declared  nothing (no device entry in %s%s)\n",
		       r->a->root ? r->a->root : "", VN_STATE_DIR);
	for (size_t i = 0; i < r->ap->n; i++)
		if (r->ap->v[i].in_place)
			printf("in place  %s on " VN_VFIO_PCI "\n",
			       r->ap->v[i].bdf);
}

static void print_drift(const struct run *r)
{
	for (size_t i = 0; i < r->ap->ndrift; i++) {
		const struct vn_apply_drift *d = &r->ap->drift[i];

		if (!say_text(r))
			continue;
		printf("drift     %s on %s: bound by vfio-noiommuctl, not "
		       "declared%s%s%s\n",
		       d->bdf, d->driver ? d->driver : "no driver",
		       d->keep ? "; kept: " : "", d->keep ? d->keep : "",
		       !d->keep && !r->a->prune ? " (--prune returns it)" : "");
	}
}

/* ---- the transactions ------------------------------------------------------ */

static int run_txn(struct run *r, enum vn_op op, char **bdfs, char ***changed,
		   struct json_object **doc)
{
	struct vn_txn_args ta = r->a->t;

	ta.keep_going = true; /* a refused device does not stop the others */
	ta.lock_held = true;
	ta.lock_fd = r->lock;
	ta.raw = NULL;
	ta.changed = changed;
	ta.assume_noiommu_on = op == VN_OP_BIND && r->ap->st->noiommu == 1 &&
			       r->a->t.dry_run;
	return vn_txn_run_doc(op, r->sys, bdfs, &ta, r->doc, doc);
}

static int prune(struct run *r)
{
	_cleanup_strv_ char **bdfs = NULL;

	if (vn_apply_to_prune(r->ap, &bdfs) < 0)
		return VN_EXIT_FAILED;
	if (!r->a->prune || !bdfs)
		return VN_EXIT_OK;
	return run_txn(r, VN_OP_UNBIND, bdfs, &r->pruned, &r->unbind_doc);
}

static int bind(struct run *r)
{
	_cleanup_strv_ char **bdfs = NULL;

	if (vn_apply_to_bind(r->ap, &bdfs) < 0)
		return VN_EXIT_FAILED;
	if (!bdfs)
		return VN_EXIT_OK;
	return run_txn(r, VN_OP_BIND, bdfs, &r->bound, &r->bind_doc);
}

/* ---- ownership of the nodes ------------------------------------------------ */

/* Only the host is written; a --sysroot tree is only looked at. */
static bool writing(const struct run *r)
{
	return !r->a->t.dry_run && vn_sys_is_host(r->sys);
}

static int own_node(struct run *r, const char *path, const struct vn_entry *e)
{
	struct json_object *o;
	bool changed = false;
	int e2 = vn_owner_node(r->sys, path, e, !writing(r), &changed);

	if (e2 < 0) {
		vn_err("%s: cannot set its owner, group and mode%s: %s", path,
		       e2 == -EPROTO ? " (they do not read back)" : "",
		       strerror(-e2));
		return VN_EXIT_FAILED;
	}
	r->nodes_changed |= changed;
	o = json_object_new_object();
	json_object_object_add(o, "path", vn_jstr(path));
	json_object_object_add(o, "changed", json_object_new_boolean(changed));
	json_object_array_add(r->nodes, o);
	if (changed && say_text(r))
		printf("owner     %s%s\n",
		       writing(r) ? "set on " : "would set on ", path);
	return VN_EXIT_OK;
}

/* The nodes of one declared device there now (after the bind). */
static int own_device(struct run *r, const struct vn_apply_dev *d)
{
	_cleanup_(vn_dev_freep) struct vn_dev *dev = NULL;
	const struct vn_entry *e = d->match->entry;
	int ret = VN_EXIT_OK;

	if (!vn_entry_owns(e) || vn_vfio_dev_read(r->sys, d->bdf, &dev) < 0)
		return VN_EXIT_OK;
	if (dev->cdev.path)
		ret = own_node(r, dev->cdev.path, e);
	if (dev->group.path && own_node(r, dev->group.path, e))
		ret = VN_EXIT_FAILED;
	return ret;
}

/* The udev rule from the whole declared state, then the nodes. */
static int ownership(struct run *r)
{
	_cleanup_free_ char *text = NULL;
	int ret = VN_EXIT_OK, e;

	r->nodes = json_object_new_array();
	if ((e = vn_owner_rules_render(r->ap->m, &text)) < 0 ||
	    (e = vn_owner_rules_sync(r->sys, text, !writing(r),
				     &r->rules_changed)) < 0) {
		vn_err("%s%s: cannot write it: %s", r->sys->root, VN_UDEV_RULES,
		       strerror(-e));
		ret = VN_EXIT_FAILED;
	} else if (r->rules_changed && say_text(r)) {
		printf("udev      %s%s %s%s\n", writing(r) ? "" : "would ",
		       text ? "write" : "remove", r->sys->root, VN_UDEV_RULES);
	}
	for (size_t i = 0; i < r->ap->n; i++)
		if (own_device(r, &r->ap->v[i]))
			ret = VN_EXIT_FAILED;
	return ret;
}

/* ---- --wait: the boot unit's patience ------------------------------------ */

#define WAIT_STEP_US 100000

static bool all_present(const struct vn_matches *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].result == VN_MATCH_NONE)
			return false;
	return true;
}

/* Devices that enumerate late (behind a slow link, VFs made by another
 * unit) are waited for before the run's own facts are gathered; a state
 * with errors or a read error is for read_state() to report. */
static void wait_present(const struct run *r, long long deadline)
{
	for (;;) {
		struct vn_facts f;
		bool done;

		vn_facts_init(&f, r->sys, false);
		f.state_root = r->f.state_root;
		done = vn_facts_need(&f, VN_FACT_STATE) < 0 || f.state_err ||
		       all_present(&f.matches);
		vn_facts_clear(&f);
		if (done || vn_now_ms() >= deadline)
			return;
		usleep(WAIT_STEP_US);
	}
}

/* A node of the device's there: its cdev as the kernel announced it, or
 * its group node. */
static bool has_node(struct run *r, const char *bdf)
{
	_cleanup_(vn_dev_freep) struct vn_dev *dev = NULL;

	if (vn_vfio_dev_read(r->sys, bdf, &dev) < 0 || !vn_dev_is_vfio(dev))
		return false;
	return (dev->cdev.path && dev->cdev_state == VN_CDEV_OK) ||
	       (dev->group.path && vn_exists(r->sys, "%s", dev->group.path));
}

static size_t count_nodeless(struct run *r, char ***missing)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ap->n; i++) {
		if (has_node(r, r->ap->v[i].bdf))
			continue;
		n++;
		if (missing)
			strv_push(missing, strdup(r->ap->v[i].bdf));
	}
	return n;
}

/* After the run: every declared device present has a node, or is
 * listed. Returns VN_EXIT_FAILED when one is missing. */
static int wait_nodes(struct run *r, long long deadline)
{
	while (count_nodeless(r, NULL) && vn_now_ms() < deadline)
		usleep(WAIT_STEP_US);
	if (!count_nodeless(r, &r->nodeless))
		return VN_EXIT_OK;
	for (size_t i = 0; r->nodeless && r->nodeless[i]; i++)
		vn_err("missing: %s has no VFIO node after %d.%d s",
		       r->nodeless[i], r->a->wait_ms / 1000,
		       r->a->wait_ms % 1000 / 100);
	return VN_EXIT_FAILED;
}

/* The boot unit's last word: every entry that names no device, or whose
 * device is not in place, on one line for the journal. */
static void print_missing(const struct run *r)
{
	_cleanup_strv_ char **what = NULL;
	_cleanup_free_ char *list = NULL;

	for (size_t i = 0; i < r->ap->m->n; i++) {
		const struct vn_match *m = &r->ap->m->v[i];
		char *one = NULL;

		if (!vn_match_is_problem(m))
			continue;
		xasprintf(&one, "%s %s (%s:%u)",
			  vn_ident_kind_name(m->entry->match.kind),
			  m->entry->match.value, m->entry->file,
			  m->entry->line);
		strv_push(&what, vn_escape(one));
		free(one);
	}
	for (size_t i = 0; i < r->ap->n; i++)
		if (!r->ap->v[i].in_place &&
		    !strv_contains(r->bound, r->ap->v[i].bdf))
			strv_push(&what, strdup(r->ap->v[i].bdf));
	if (what && (list = strv_join(what, ", ")))
		vn_err("missing after %d.%d s: %s", r->a->wait_ms / 1000,
		       r->a->wait_ms % 1000 / 100, list);
}

/* ---- the outcome ----------------------------------------------------------- */

static bool changed(const struct run *r)
{
	return r->mode_changed || r->bound || r->pruned || r->rules_changed ||
	       r->nodes_changed;
}

/* Declared devices in place now (or, with --dry-run, about to be). */
static size_t in_place(const struct run *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ap->n; i++)
		n += r->ap->v[i].in_place ||
		     strv_contains(r->bound, r->ap->v[i].bdf);
	return n;
}

/* One status for the whole run from its parts (the man page, EXIT STATUS
 * and apply): a problem beside success is partial. */
static int overall(const struct run *r, int mode, int unbind, int bind, int own)
{
	int parts[] = { mode, unbind, bind, own };
	int worst = VN_EXIT_OK;
	bool bad = r->ap->problems > 0;

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		if (parts[i] != VN_EXIT_OK)
			bad = true;
		if (parts[i] > worst)
			worst = parts[i];
	}
	if (bad && (in_place(r) || r->pruned || r->mode_changed))
		return VN_EXIT_PARTIAL;
	if (bad)
		return worst ? worst : VN_EXIT_REFUSED;
	if (r->a->t.dry_run && changed(r))
		return VN_EXIT_WOULD_CHANGE;
	return VN_EXIT_OK;
}

static void print_summary(const struct run *r)
{
	size_t declared = r->ap->n;

	if (!say_text(r))
		return;
	if (!changed(r))
		printf("result    nothing changed: %zu of %zu declared devices "
		       "in place\n",
		       in_place(r), declared);
	else
		printf("result    %s: %zu bound, %zu pruned%s; %zu of %zu "
		       "declared devices in place%s\n",
		       r->a->t.dry_run ? "would change" : "changed",
		       strv_len(r->bound), strv_len(r->pruned),
		       r->mode_changed ? ", no-IOMMU mode set" : "",
		       in_place(r), declared,
		       r->a->t.dry_run ? " after the run" : "");
}

/* ---- the document ----------------------------------------------------------- */

static struct json_object *mode_json(const struct run *r)
{
	struct json_object *o = json_object_new_object();
	char b[2] = { r->mode_before, 0 }, a[2] = { r->mode_after, 0 };

	if (r->ap->st->noiommu < 0) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "declared",
			       vn_jstr(r->ap->st->noiommu ? "on" : "off"));
	json_object_object_add(o, "before", vn_jstr(b[0] ? b : NULL));
	json_object_object_add(o, "after", vn_jstr(a[0] ? a : NULL));
	json_object_object_add(o, "changed",
			       json_object_new_boolean(r->mode_changed));
	return o;
}

static struct json_object *strv_json(char *const *v)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(arr, vn_jstr(v[i]));
	return arr;
}

static struct json_object *entry_json(const struct vn_match *m)
{
	const struct vn_entry *e = m->entry;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "file", vn_jstr(e->file));
	json_object_object_add(o, "line", json_object_new_int((int)e->line));
	json_object_object_add(o, "kind",
			       vn_jstr(vn_ident_kind_name(e->match.kind)));
	json_object_object_add(o, "match", vn_jstr(e->match.value));
	json_object_object_add(o, "result",
			       vn_jstr(vn_match_result_name(m->result)));
	json_object_object_add(o, "reason", vn_jstr(m->reason));
	json_object_object_add(o, "devices", strv_json(m->bdfs));
	return o;
}

/* The result the transaction's document gives a device, or NULL. */
static const char *txn_result(struct json_object *doc, const char *bdf)
{
	struct json_object *devs, *d, *v;

	if (!doc || !json_object_object_get_ex(doc, "devices", &devs))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		d = json_object_array_get_idx(devs, i);
		if (json_object_object_get_ex(d, "bdf", &v) &&
		    streq(json_object_get_string(v), bdf) &&
		    json_object_object_get_ex(d, "result", &v))
			return json_object_get_string(v);
	}
	return NULL;
}

static struct json_object *device_json(const struct run *r,
				       const struct vn_apply_dev *d)
{
	struct json_object *o = json_object_new_object();
	const struct vn_entry *e = d->match->entry;
	const char *res = d->in_place ? "in-place" :
					txn_result(r->bind_doc, d->bdf);
	_cleanup_free_ char *where = NULL;

	xasprintf(&where, "%s:%u", e->file, e->line);
	json_object_object_add(o, "bdf", vn_jstr(d->bdf));
	json_object_object_add(o, "entry", vn_jstr(where));
	json_object_object_add(o, "driver_before", vn_jstr(d->driver));
	json_object_object_add(o, "result", vn_jstr(res));
	json_object_object_add(
		o, "changed",
		json_object_new_boolean(strv_contains(r->bound, d->bdf)));
	return o;
}

static struct json_object *drift_json(const struct run *r,
				      const struct vn_apply_drift *d)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "bdf", vn_jstr(d->bdf));
	json_object_object_add(o, "driver", vn_jstr(d->driver));
	json_object_object_add(o, "kept", vn_jstr(d->keep));
	json_object_object_add(o, "result",
			       vn_jstr(txn_result(r->unbind_doc, d->bdf)));
	json_object_object_add(
		o, "changed",
		json_object_new_boolean(strv_contains(r->pruned, d->bdf)));
	return o;
}

static struct json_object *lists_json(const struct run *r, const char *which)
{
	struct json_object *arr = json_object_new_array();

	if (streq(which, "entries"))
		for (size_t i = 0; i < r->ap->m->n; i++)
			json_object_array_add(arr, entry_json(&r->ap->m->v[i]));
	else if (streq(which, "devices"))
		for (size_t i = 0; i < r->ap->n; i++)
			json_object_array_add(arr,
					      device_json(r, &r->ap->v[i]));
	else
		for (size_t i = 0; i < r->ap->ndrift; i++)
			json_object_array_add(arr,
					      drift_json(r, &r->ap->drift[i]));
	return arr;
}

static struct json_object *ownership_json(const struct run *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "rules", vn_jstr(VN_UDEV_RULES));
	json_object_object_add(o, "rules_changed",
			       json_object_new_boolean(r->rules_changed));
	json_object_object_add(o, "nodes",
			       r->nodes ? json_object_get(r->nodes) :
					  json_object_new_array());
	return o;
}

static int print_doc(const struct run *r, int status)
{
	struct json_object *doc = json_object_new_object();
	int ret;

	json_object_object_add(doc, "schema",
			       json_object_new_int(APPLY_SCHEMA));
	json_object_object_add(doc, "dry_run",
			       json_object_new_boolean(r->a->t.dry_run));
	json_object_object_add(doc, "root", vn_jstr(r->a->root));
	json_object_object_add(doc, "exit_status", json_object_new_int(status));
	json_object_object_add(doc, "error", vn_jstr(r->error));
	json_object_object_add(doc, "changed",
			       json_object_new_boolean(changed(r)));
	json_object_object_add(doc, "files", strv_json(r->ap->st->files));
	json_object_object_add(doc, "noiommu", mode_json(r));
	json_object_object_add(doc, "entries", lists_json(r, "entries"));
	json_object_object_add(doc, "devices", lists_json(r, "devices"));
	json_object_object_add(doc, "drift", lists_json(r, "drift"));
	json_object_object_add(doc, "competing",
			       vn_competing_json(&r->competing, r->declared));
	json_object_object_add(doc, "ownership", ownership_json(r));
	json_object_object_add(doc, "bind", json_object_get(r->bind_doc));
	json_object_object_add(doc, "unbind", json_object_get(r->unbind_doc));
	ret = vn_doc_print(doc, &opts.out, stdout);
	json_object_put(doc);
	return ret;
}

/* ---- --record: what status shows as the last apply -------------------------- */

static int record_entries(const struct run *r, struct vn_apply_record *rec)
{
	for (size_t i = 0; r->ap->m && i < r->ap->m->n; i++) {
		const struct vn_match *m = &r->ap->m->v[i];
		char *one = NULL;

		if (!vn_match_is_problem(m))
			continue;
		if (xasprintf(&one, "%s %s (%s:%u)%s%s",
			      vn_ident_kind_name(m->entry->match.kind),
			      m->entry->match.value, m->entry->file,
			      m->entry->line, m->reason ? ": " : "",
			      m->reason ? m->reason : "") < 0 ||
		    strv_push(m->result == VN_MATCH_NONE ? &rec->missing :
							   &rec->refused,
			      one) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int record_devices(struct run *r, struct vn_apply_record *rec)
{
	struct json_object *o, *path;
	int e = 0;

	for (size_t i = 0; e == 0 && i < r->ap->n; i++) {
		const char *bdf = r->ap->v[i].bdf;

		e = strv_push(&rec->found, strdup(bdf));
		if (e == 0 && !r->ap->v[i].in_place &&
		    !strv_contains(r->bound, bdf))
			e = strv_push(&rec->refused, strdup(bdf));
		else if (e == 0 && strv_contains(r->nodeless, bdf))
			e = strv_push(&rec->missing, strdup(bdf));
	}
	for (size_t i = 0; e == 0 && r->bound && r->bound[i]; i++)
		e = strv_push(&rec->bound, strdup(r->bound[i]));
	for (size_t i = 0;
	     e == 0 && r->nodes && i < json_object_array_length(r->nodes);
	     i++) {
		o = json_object_array_get_idx(r->nodes, i);
		if (json_object_object_get_ex(o, "path", &path))
			e = strv_push(&rec->owned,
				      strdup(json_object_get_string(path)));
	}
	return e;
}

/* A record that cannot be written is said, never the run's failure: the
 * devices are where they are either way. */
static void record(struct run *r, int status)
{
	_cleanup_(vn_apply_record_clear) struct vn_apply_record rec = {
		.when = (long long)time(NULL),
		.exit_status = status,
	};
	_cleanup_free_ char *text = NULL;
	int e;

	if (!r->a->record || !writing(r))
		return;
	if ((e = record_entries(r, &rec)) < 0 ||
	    (e = record_devices(r, &rec)) < 0 ||
	    (e = vn_apply_record_render(&rec, &text)) < 0 ||
	    (e = vn_apply_record_write(r->sys, text)) < 0)
		vn_warn("cannot record this run in %s: %s", VN_APPLY_RECORD,
			strerror(-e));
}

/* ---- the command ------------------------------------------------------------ */

static int reconcile(struct run *r)
{
	int ret, mode, unbind, bound, own;

	r->waiting = r->a->wait_ms > 0;
	r->deadline = vn_now_ms() + r->a->wait_ms;
	if (r->waiting)
		wait_present(r, r->deadline);
	if ((ret = read_state(r)))
		return ret;
	if (!r->a->t.dry_run && vn_sys_is_host(r->sys) &&
	    (ret = vn_cli_take_lock(r->sys, true, &r->lock))) {
		r->error = "the lock is not available";
		return ret;
	}
	print_declared(r);
	print_drift(r);
	if (say_text(r))
		vn_print_competing(stdout, &r->competing, r->declared, NULL);
	mode = apply_mode(r);
	print_mode(r);
	unbind = prune(r);
	bound = bind(r);
	own = ownership(r);
	if (r->waiting && !r->a->t.dry_run && wait_nodes(r, r->deadline))
		own = VN_EXIT_FAILED;
	print_summary(r);
	ret = overall(r, mode, unbind, bound, own);
	if (r->waiting && ret != VN_EXIT_OK)
		print_missing(r);
	return ret;
}

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL, *root = NULL;
	struct apply_args a = { .t = { .timeout_ms = 10000,
				       .no_devices = true } };
	struct run r = { .a = &a, .lock = -1 };
	int ret;

	vn_parse_verb(&apply_argp, "apply", argc, argv, &a);
	r.doc = opts.out.fmt == VN_FMT_JSON || opts.out.fmt == VN_FMT_PAIRS;
	ret = vn_cli_open_sys(&sys);
	if (!ret && a.root)
		ret = vn_cli_open_root(a.root, &root);
	if (ret)
		return ret;
	r.sys = sys;
	vn_facts_init(&r.f, sys, false);
	r.f.state_root = root; /* the declared state read from there */
	r.ap = &r.f.apply;
	ret = reconcile(&r);
	record(&r, ret);
	if (r.doc && print_doc(&r, ret) < 0 && ret == VN_EXIT_OK)
		ret = VN_EXIT_FAILED;
	run_clear(&r);
	return ret;
}

const struct vn_verb vn_verb_apply = {
	.name = "apply",
	.summary = "converge the host on the declared state (idempotent)",
	.run = run,
};
