/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "journal.h"
#include "kernel.h"
#include "netinfo.h"
#include "pci.h"
#include "vfio.h"

/*
 * bind and unbind as one transaction over several devices, in three
 * stages (doc/architecture.md):
 *
 *   plan     read each device's state, run the guards (guards.c), decide a
 *            verdict and, for the devices that will change, build their
 *            steps (plan.c): data, nothing written;
 *   print    --dry-run, --json and the text report render those steps;
 *   execute  one executor (exec.c) walks the steps phase by phase across
 *            devices, advances the journal after each step, waits for udev
 *            once per phase (settle.c), and on failure or signal runs the
 *            inverses of the steps that succeeded, in reverse. The only
 *            writes the tool makes to sysfs, the journal and the module
 *            list are the actions of a plan.
 */

#define VN_VFIO_PCI "vfio-pci"
/* Devices unbound or probed at once by default: the kernel takes a lock
 * per device, and a probe mostly waits (doc/architecture.md). */
#define VN_JOBS_DEFAULT 8
#define VN_JOBS_MAX 64

enum vn_op {
	VN_OP_BIND,
	VN_OP_UNBIND,
};

enum vn_guard_level {
	VN_GUARD_PASS,
	VN_GUARD_SOFT, /* --force passes it */
	VN_GUARD_HARD,
};

struct vn_guard {
	const char *name;
	enum vn_guard_level level;
	char *evidence;
};

/* In increasing strength: a stronger verdict replaces a weaker one. */
enum vn_verdict {
	VN_ITEM_GO, /* will be written */
	VN_ITEM_REFUSED, /* a guard refused */
	VN_ITEM_UNSUPPORTED, /* not possible on this kernel / configuration */
	VN_ITEM_NOTHING, /* already as asked */
};

enum vn_outcome {
	VN_OUT_NONE, /* not executed */
	VN_OUT_DONE,
	VN_OUT_LATE, /* on the right driver, but what should come back with
		      * it (an interface) did not within the timeout */
	VN_OUT_FAILED, /* and put back where it was */
	VN_OUT_ROLLED_BACK, /* succeeded, undone because another failed */
	VN_OUT_HARBOUR, /* could not be put back: left on vfio-pci with its
			 * journal record, for 'unbind' to retry */
	VN_OUT_STRANDED, /* neither: see detail; the journal record is kept */
};

/* What a device's change failed at; the CLI explains an errno by it. */
enum vn_fail_step {
	VN_FAIL_NONE,
	VN_FAIL_JOURNAL,
	VN_FAIL_OVERRIDE,
	VN_FAIL_UNBIND_HOST,
	VN_FAIL_BIND_VFIO,
	VN_FAIL_UNBIND_VFIO,
	VN_FAIL_RESTORE_OVERRIDE,
	VN_FAIL_LOAD,
	VN_FAIL_BIND_ORIGINAL,
	VN_FAIL_PROBE,
	VN_FAIL_VERIFY,
	VN_FAIL_ROLLBACK,
	VN_FAIL_INTERRUPTED,
	VN_FAIL_GONE, /* the device disappeared (hot-unplug) */
};

/* "bind to vfio-pci": what was being done; NULL for VN_FAIL_NONE. */
const char *vn_fail_step_name(enum vn_fail_step s);

/* Why an UNSUPPORTED device cannot be bound, for the CLI's hints. */
enum vn_unsupported {
	VN_UNSUP_OTHER,
	VN_UNSUP_MODE_OFF, /* no IOMMU and enable_unsafe_noiommu_mode N */
	VN_UNSUP_NO_NOIOMMU, /* no IOMMU, no CONFIG_VFIO_NOIOMMU */
};

/* ---- the plan: actions and steps (doc/architecture.md, "The plan") ---- */

enum vn_act_kind {
	VN_ACT_JOURNAL, /* write the device's journal record in `state` */
	VN_ACT_FORGET, /* remove the device's journal record */
	VN_ACT_WRITE, /* write `value` to the sysfs attribute `path` */
	VN_ACT_VFIO_UNBIND, /* the same, to a VFIO driver's unbind: only once
			     * no process holds the device, and in a child
			     * with a time limit (the write blocks while it
			     * is held: doc/kernel.md §5.8) */
	VN_ACT_LOAD, /* load module `value` with parameters `options` */
	VN_ACT_SETTLE, /* wait until the device is on `value` (NULL: no
			* driver; "*": any but a VFIO driver) with what
			* comes with it: VFIO nodes, interfaces */
	VN_ACT_VERIFY, /* check, without waiting, that it is on `value` */
};

/* A condition an action is skipped under, read just before it runs. */
enum vn_act_cond {
	VN_COND_ALWAYS,
	VN_COND_UNLESS_ON, /* skip when the device is on `cond_driver`
			    * already (a module load may have bound it) */
	VN_COND_IF_ON, /* run only when the device is on `cond_driver` */
	VN_COND_UNLESS_LOADED, /* LOAD: skip when the driver is there */
	VN_COND_ON_OTHER, /* run only when it is on a driver, not
			   * `cond_driver` */
};

struct vn_action {
	enum vn_act_kind kind;
	char *path; /* WRITE, VFIO_UNBIND: sysfs path as on the host */
	char *value; /* WRITE, VFIO_UNBIND: value; LOAD: module; SETTLE:
		      * driver expected */
	char *options; /* LOAD: module parameters, NULL for none */
	enum vn_step state; /* JOURNAL: the state recorded */
	enum vn_act_cond cond;
	char *cond_driver;
};

/* The groups of steps the executor runs across all devices before the
 * next group starts (one udev wait per settle phase). */
enum vn_phase {
	VN_PHASE_RECORD, /* journal before the first write */
	VN_PHASE_OVERRIDE,
	VN_PHASE_RELEASE, /* leave the current driver */
	VN_PHASE_RESTORE_OVERRIDE, /* unbind: the original override */
	VN_PHASE_LOAD, /* the target driver's module */
	VN_PHASE_BIND,
	VN_PHASE_SETTLE,
	VN_PHASE_FINISH,
	VN_PHASE_COUNT,
};

enum vn_step_result {
	VN_STEP_NOT_RUN,
	VN_STEP_OK,
	VN_STEP_SKIPPED, /* its condition said so */
	VN_STEP_FAILED,
	VN_STEP_UNDONE, /* succeeded, then its inverse ran */
};

struct vn_plan_step {
	struct vn_action act;
	enum vn_phase phase;
	bool journal_after; /* record `journal_state` once it succeeded */
	enum vn_step journal_state;
	enum vn_fail_step fail; /* what a failure of this step is called */
	struct vn_action *undo; /* its inverse, run in order on rollback */
	size_t nundo;
	/* execution */
	enum vn_step_result result;
	int err; /* -errno of a failed step */
};

struct vn_steps {
	struct vn_plan_step *v;
	size_t n;
};

struct vn_item {
	struct vn_dev *dev;
	struct vn_record rec; /* the journal record, existing or planned */
	bool had_record;
	bool via_group; /* joined through --group */
	char *from; /* driver now; NULL: none */
	char *to; /* driver wanted; NULL: see restore */
	enum vn_restore restore; /* unbind: where it goes */
	char *to_override; /* unbind: override to restore; NULL clears */
	bool noiommu; /* bind: will be registered as no-IOMMU */
	enum vn_verdict verdict;
	bool late; /* found UNSUPPORTED only once vfio was loaded */
	bool completes_record; /* NOTHING, but an interrupted bind's record
				* is marked bound (its only step) */
	char *why; /* NOTHING / UNSUPPORTED: why */
	enum vn_unsupported unsupported;
	struct vn_guard *guards;
	size_t nguards;

	struct vn_steps steps; /* forward */
	struct vn_steps harbour; /* where it goes when a rollback fails:
				  * vfio-pci, with its journal record */
	bool rollback_to_harbour; /* a failure goes there directly */

	/* execution */
	enum vn_outcome outcome;
	int err; /* -errno of the failed step */
	enum vn_fail_step failed_at;
	char *detail;
	struct vn_dev *after; /* state read back after execution */
	char **netdevs_after; /* unbind: interfaces that came back */
	int lock_fd; /* the device's lock (src/lib/lock.h), -1: not ours */
	/* Where the executor is: this step, this inverse action of it (-1:
	 * the step's own action), or its harbour. The child of a timed-out
	 * vfio unbind picks up the work exactly there. */
	size_t at_step;
	long at_undo;
	bool at_harbour;
	long settle_at; /* this phase's settle step, -1: none */
	pid_t orphan; /* a bounded unbind's child that finishes alone */
	bool iface_late; /* on the right driver, its interface late */
};

struct vn_txn_opts {
	bool force;
	bool keep_going;
	bool group;
	int timeout_ms; /* verification wait (udev, netdevs) */
	int unbind_timeout_ms; /* a vfio-pci unbind write in a child */
	int jobs; /* devices whose kernel work runs at once (0: default) */
	const char *driver; /* unbind --driver */
	/* Plan as if no-IOMMU mode were on: apply --dry-run, whose real run
	 * sets the declared mode before it binds. */
	bool assume_noiommu_on;
};

struct vn_txn {
	struct vn_sys *sys;
	int lock_fd; /* the global writers' lock (shared), -1: none */
	enum vn_op op;
	struct vn_txn_opts opts;
	struct vn_item *items;
	size_t n;
	char user[160];
	struct vn_caps caps;
	enum vn_tri mode;
	const char *mode_source;
	struct vn_steps pre; /* before any device: the modules to load */
	bool holders_read, net_read;
	struct vn_holders holders;
	struct vn_netinfo net;
	struct vn_class_cache classes; /* for the plan, cleared by execution */
	int pot; /* panic_on_taint set */
	unsigned long pot_mask;
	bool pot_nousertaint;
	int interrupted; /* the signal that stopped execution, 0: none */
};

int vn_txn_init(struct vn_txn *t, struct vn_sys *sys, enum vn_op op,
		const struct vn_txn_opts *opts);
void vn_txn_clear(struct vn_txn *t);

/* Add a device by canonical BDF. -ENODEV: no such function; -EEXIST: in
 * the transaction already (ignored for --group additions); -EBADMSG: its
 * journal record is corrupt. */
int vn_txn_add(struct vn_txn *t, const char *bdf);
struct vn_item *vn_txn_find(struct vn_txn *t, const char *bdf);

/* Decide per device: guards, verdict, steps. Nothing is written. */
int vn_txn_plan(struct vn_txn *t);

/* Any item with this verdict? */
bool vn_txn_any(const struct vn_txn *t, enum vn_verdict v);
/* Will the executor run anything for this item? */
bool vn_item_runs(const struct vn_item *it);
/* A refusal that --force would not pass. */
bool vn_item_hard_refused(const struct vn_item *it);

/*
 * Run the plan. First the transaction's own steps (loading vfio-pci),
 * after which the no-IOMMU mode is read again: devices the loaded module
 * cannot take become UNSUPPORTED (`late`) and are not touched. Then the
 * devices' steps. With keep_going, a failed device is put back alone and
 * the rest stays; without it, any failure puts every device back. A
 * pending SIGINT, SIGTERM or SIGQUIT (the caller blocks them) stops the
 * run and puts every device back. Returns 0 when the plan ran (see each
 * item's outcome); 1 when, after loading vfio-pci, some devices turned out
 * impossible and without keep_going none was touched; -errno when a
 * transaction step failed before any device was touched (-ENOENT: no such
 * module).
 */
int vn_txn_execute(struct vn_txn *t);

/* For the executor: after loading vfio-pci, the mode is the parameter's;
 * devices it cannot take become UNSUPPORTED (`late`). */
int vn_txn_recheck_mode(struct vn_txn *t);

/* Every function with these IDs, sorted. */
int vn_pci_find_ids(struct vn_sys *sys, unsigned int vendor,
		    unsigned int device, char ***bdfs);

/* Names for the plan's data, as the text and JSON output show them. */
const char *vn_act_kind_name(enum vn_act_kind k);
const char *vn_phase_name(enum vn_phase p);
const char *vn_step_result_name(enum vn_step_result r);
const char *vn_outcome_name(enum vn_outcome o);
