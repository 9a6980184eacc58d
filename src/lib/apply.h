/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bdf.h"
#include "pci.h"
#include "state.h"

struct vn_facts;

/*
 * What apply reconciles (vfio-noiommuctl(8), apply): the declared state
 * matched against the host's devices and the journal, built from the
 * run's facts (facts.h, VN_FACT_APPLY) so that status, report and
 * metrics see the same thing without reading it again. Deciding only;
 * the changes go through the bind and unbind transaction (binding.h)
 * like any other.
 */

/* A device some entry governs. */
struct vn_apply_dev {
	char bdf[VN_BDF_MAX];
	const struct vn_match *match; /* the governing entry */
	char *driver; /* now; NULL: none */
	bool in_place; /* on vfio-pci, its record (if any) finished */
};

/* A device the tool bound (a journal record) that no entry governs. */
struct vn_apply_drift {
	char bdf[VN_BDF_MAX];
	char *driver; /* now; NULL: none */
	/* Not to be pruned, and why (static text): an entry that names it
	 * has a problem, or identities could not be read. NULL: prunable. */
	const char *keep;
};

struct vn_apply {
	/* The facts it was built from (they own them). */
	const struct vn_state *st;
	const struct vn_dev_list *devs;
	const struct vn_matches *m;
	struct vn_apply_dev *v; /* sorted by BDF */
	size_t n;
	struct vn_apply_drift *drift; /* sorted by BDF */
	size_t ndrift;
	size_t problems; /* entries that are neither OK nor overridden */
};

void vn_apply_clear(struct vn_apply *a);

/*
 * Build it from facts that hold the declared state matched to the
 * devices, and the journal (VN_FACT_STATE, VN_FACT_JOURNAL). A state
 * with errors or unreadable declares nothing and has no drift (apply
 * refuses it whole). Devices whose record is gone are not
 * drift; records of devices no longer present are left alone (unbind
 * reports them).
 */
int vn_apply_from_facts(const struct vn_facts *f, struct vn_apply *a);

/* Is this entry's result a problem to report (not OK, not overridden)? */
bool vn_match_is_problem(const struct vn_match *m);

/* BDFs of the declared devices not in place, and of the drift that may
 * be pruned: the device arguments of the two transactions (appended to
 * *bdfs, which may be NULL). */
int vn_apply_to_bind(const struct vn_apply *a, char ***bdfs);
int vn_apply_to_prune(const struct vn_apply *a, char ***bdfs);
/* BDFs of all the drift, prunable or kept. */
int vn_apply_drift(const struct vn_apply *a, char ***bdfs);

/* The declared device with this BDF, or NULL. */
const struct vn_apply_dev *vn_apply_find(const struct vn_apply *a,
					 const char *bdf);

/* ---- the last recorded run (apply --record: the boot unit) ------------------ */

/* Under /run: every boot starts without one. */
#define VN_APPLY_RECORD "/run/vfio-noiommuctl/last-apply"

struct vn_apply_record {
	long long when; /* epoch seconds */
	int exit_status;
	char **found; /* declared devices present */
	char **bound; /* those it bound */
	char **owned; /* nodes whose declared ownership it set or found */
	char **missing; /* entries naming no device, devices without a node */
	char **refused; /* entries with another problem, devices not bound */
};

void vn_apply_record_clear(struct vn_apply_record *r);
/* "key=value" lines (time, exit, then one line per list item), each
 * value escaped (vn_escape): a file name cannot start a line of its own. */
int vn_apply_record_render(const struct vn_apply_record *r, char **text);
int vn_apply_record_write(const struct vn_sys *sys, const char *text);
/* -ENOENT: no run recorded this boot; -EBADMSG: not a record. */
int vn_apply_record_read(const struct vn_sys *sys, struct vn_apply_record *r);

/* ---- one device, for the udev rule ---------------------------------------- */

enum vn_one_result {
	VN_ONE_DECLARED, /* an entry governs it: steer it to entry->driver */
	VN_ONE_UNDECLARED, /* no entry names it */
	VN_ONE_STATE_INVALID, /* the declared state has errors: nothing is
			       * declared until it is fixed (as apply) */
	VN_ONE_NO_DEVICE, /* no such function (removed meanwhile) */
	VN_ONE_PROBLEM, /* an entry names it but is not OK (other IDs, an
			 * unreadable serial): not steered, apply reports */
};

const char *vn_one_result_name(enum vn_one_result r);

struct vn_one {
	enum vn_one_result result;
	struct vn_state st;
	struct vn_matches m;
	const struct vn_match *match; /* DECLARED, PROBLEM: the entry */
};

void vn_one_clear(struct vn_one *o);

/*
 * Is this one function declared (vfio-noiommuctl(8), udev-match)? The
 * declared state under root, then, only when it has device entries, this
 * function's attributes and the identities the entries need: never
 * another function (a udev event costs one device's reads). So an
 * identity that several functions share (one serial on two cards) is not
 * seen as ambiguous here; apply, which reads them all, refuses it.
 * -errno only when the state directory or the device cannot be read.
 */
int vn_apply_read_one(struct vn_sys *host, struct vn_sys *root, const char *bdf,
		      struct vn_one *o);
