/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>

#include "cli.h"
#include "lib/binding.h"

/*
 * The command side of a device transaction (bind, unbind, and noiommu
 * off --unbind): options, the lock, plan -> print or execute -> report,
 * and the exit status. src/lib/binding.h has the transaction itself.
 */

/* Options bind and unbind share. */
struct vn_txn_args {
	bool dry_run;
	bool force;
	bool keep_going;
	bool group;
	int timeout_ms;
	int jobs; /* --jobs, 0: the default */
	const char *driver;
	bool lock_held; /* the caller holds the writers' lock already ... */
	int lock_fd; /* ... on this fd */
	char **raw; /* arguments as given */
	bool no_devices; /* apply: no device arguments, none wanted */
	bool persist; /* --persist: declare (unbind: undeclare) them too */
	const char *persist_root; /* --root DIR: only that, inside DIR */
	/* apply --dry-run: plan as if no-IOMMU mode were on (apply sets the
	 * declared mode before it binds). */
	bool assume_noiommu_on;
	/* When set: the BDFs the run changed (with --dry-run: would change)
	 * are appended here. */
	char ***changed;
};

/* --dry-run, --force, --keep-going, --timeout, --lock-timeout, and the
 * device arguments into raw; the input is a struct vn_txn_args. */
extern const struct argp vn_argp_txn;
/* The groups bind and unbind take after their own option. */
extern const struct argp_child vn_children_txn[];

/* A bind or unbind command from its arguments to its exit status: parse
 * with argp (whose input is a vn_txn_args), check the devices (VID:DID
 * too for bind), run the transaction. */
int vn_txn_main(enum vn_op op, const struct argp *argp, int argc, char **argv);

/* The whole run of bind or unbind over canonical BDFs. Returns the exit
 * status. */
int vn_txn_run(enum vn_op op, struct vn_sys *sys, char **bdfs,
	       const struct vn_txn_args *a);

/* vn_txn_run, its document (with doc: --json or --pairs) captured into
 * *out instead of printed, for a command that embeds it in its own. */
int vn_txn_run_doc(enum vn_op op, struct vn_sys *sys, char **bdfs,
		   const struct vn_txn_args *a, bool doc,
		   struct json_object **out);

/* bind's and unbind's option groups: --persist and --root, then
 * vn_children_txn's; the input of the first two is a vn_txn_args. */
extern const struct argp_child vn_children_txn_persist[];

/* (cli-persist.c) Write (bind) or remove (unbind) the entries of these
 * devices in root's declared state; root NULL: a --sysroot tree, which
 * is never written. Returns the exit status. With arr (a document is
 * printed) nothing is said on stdout: each device gets an object in arr
 * instead (the transaction document's "persist"). */
int vn_persist_devices(enum vn_op op, struct vn_sys *host, struct vn_sys *root,
		       char *const *bdfs, bool dry_run,
		       struct json_object *arr);

/* ---- competing mechanisms (cli-compete.c) ------------------------------ */

struct vn_compete;
struct vn_competes;
/* "agrees", "fights" (with on_vfio: the devices that should be on
 * vfio-pci) or "neutral" (concerns no present device). */
const char *vn_compete_verdict(const struct vn_compete *x,
			       char *const *on_vfio);
/* One line each (stdout: "competing ...", stderr: "note: ..."); only:
 * just those devices (bind), NULL: all (apply). */
void vn_print_competing(FILE *f, const struct vn_competes *c,
			char *const *on_vfio, char *const *only);
struct json_object *vn_competing_json(const struct vn_competes *c,
				      char *const *on_vfio);
/* status: "Declared state" (declared N, in place M, not in place, drift)
 * and "Competing" lines, when there is anything to say: from the facts
 * doc_status_gather() gathered (the reconciliation only when something
 * is declared or bound by the tool). */
struct vn_facts;
void vn_print_declared_status(struct vn_facts *f);
/* bind: the mechanisms that concern its devices, on stderr. */
void vn_bind_competing(struct vn_sys *sys, char *const *bdfs);

/* ---- showing it (cli-transaction-print.c) ----------------------------- */

/* The plan of one device, as --dry-run prints it (-v adds the inverses). */
void vn_print_plan(const struct vn_txn *t, const struct vn_item *it);
/* The transaction's own steps (loading vfio-pci). */
void vn_print_pre(const struct vn_txn *t);
/* Why a device is refused or not possible, on stderr. */
void vn_print_refusal(const struct vn_txn *t, const struct vn_item *it);
void vn_print_unsupported(const struct vn_item *it);
/* What happened to every device that ran. */
void vn_print_results(const struct vn_txn *t);
/* The JSON (or pairs) document; t may be NULL before there is a plan
 * (error says why then) or without one (--persist --root); persist:
 * what --persist wrote or removed, NULL without it. */
int vn_print_txn_json(const struct vn_txn *t, enum vn_op op, bool dry,
		      int status, const char *error,
		      struct json_object *persist);
