/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "journal.h"
#include "kernel.h"
#include "netinfo.h"
#include "pci.h"
#include "vfio.h"

/*
 * bind and unbind as one transaction over several devices:
 * plan (read state, guards, the exact writes) -> journal -> apply in
 * phases (all overrides, all unbinds, all binds) -> one wait -> verify ->
 * roll back what failed (or everything). Sequence: kernel-interfaces.md
 * §5.10.
 */

#define VN_VFIO_PCI "vfio-pci"

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
	VN_OUT_NONE, /* not applied */
	VN_OUT_DONE,
	VN_OUT_FAILED, /* and put back where it was */
	VN_OUT_ROLLED_BACK, /* succeeded, undone because another failed */
	VN_OUT_STRANDED, /* could not be put back: see detail, journal kept */
};

struct vn_write {
	char *path; /* as on the host */
	char *value;
};

#define VN_MAX_WRITES 3

/* The step a device's change failed at; the CLI explains an errno by it. */
enum vn_fail_step {
	VN_FAIL_NONE,
	VN_FAIL_JOURNAL,
	VN_FAIL_OVERRIDE,
	VN_FAIL_UNBIND_HOST,
	VN_FAIL_BIND_VFIO,
	VN_FAIL_UNBIND_VFIO,
	VN_FAIL_RESTORE_OVERRIDE,
	VN_FAIL_BIND_ORIGINAL,
	VN_FAIL_PROBE,
	VN_FAIL_VERIFY,
	VN_FAIL_ROLLBACK,
};

/* "bind to vfio-pci": what was being done; NULL for VN_FAIL_NONE. */
const char *vn_fail_step_name(enum vn_fail_step s);

/* Why an UNSUPPORTED device cannot be bound, for the CLI's hints. */
enum vn_unsupported {
	VN_UNSUP_OTHER,
	VN_UNSUP_MODE_OFF, /* no IOMMU and enable_unsafe_noiommu_mode N */
	VN_UNSUP_NO_NOIOMMU, /* no IOMMU, no CONFIG_VFIO_NOIOMMU */
};

struct vn_item {
	struct vn_dev *dev;
	struct vn_record rec; /* the journal record, existing or planned */
	bool had_record;
	bool via_group; /* joined through --group */
	char *from; /* driver now; NULL: none */
	char *to; /* driver wanted; NULL: see probe */
	bool probe; /* unbind without a record: the kernel's choice
			       * (drivers_probe); else no driver when to is NULL */
	char *to_override; /* unbind: override to restore; NULL clears */
	bool noiommu; /* bind: will be registered as no-IOMMU */
	enum vn_verdict verdict;
	bool late; /* found UNSUPPORTED only once vfio was loaded */
	bool completed; /* an interrupted bind's record marked bound now */
	char *why; /* NOTHING / UNSUPPORTED: why */
	enum vn_unsupported unsupported;
	struct vn_guard *guards;
	size_t nguards;
	struct vn_write writes[VN_MAX_WRITES];
	size_t nwrites;

	enum vn_outcome outcome;
	int err; /* -errno of the failed step */
	enum vn_fail_step failed_at;
	char *detail;
	struct vn_dev *after; /* state read back after apply */
	char **netdevs_after; /* unbind: interfaces that came back */
};

struct vn_txn_opts {
	bool force;
	bool keep_going;
	bool group;
	int timeout_ms; /* verification wait (udev, netdevs) */
	int unbind_timeout_ms; /* a vfio-pci unbind write in a child */
	const char *driver; /* unbind --driver */
};

struct vn_txn {
	struct vn_sys *sys;
	int lock_fd; /* the writers' lock, handed to a child that outlives us */
	enum vn_op op;
	struct vn_txn_opts opts;
	struct vn_item *items;
	size_t n;
	char user[160];
	struct vn_caps caps;
	enum vn_tri mode;
	const char *mode_source;
	bool holders_read, net_read;
	struct vn_holders holders;
	struct vn_netinfo net;
	int pot; /* panic_on_taint set */
	unsigned long pot_mask;
	bool pot_nousertaint;
};

int vn_txn_init(struct vn_txn *t, struct vn_sys *sys, enum vn_op op,
		const struct vn_txn_opts *opts);
void vn_txn_clear(struct vn_txn *t);

/* Add a device by canonical BDF. -ENODEV: no such function; -EEXIST: in
 * the transaction already (ignored for --group additions). */
int vn_txn_add(struct vn_txn *t, const char *bdf);

/* Decide per device: guards, target, writes. No write happens. */
int vn_txn_plan(struct vn_txn *t);

/* Any item with this verdict? */
bool vn_txn_any(const struct vn_txn *t, enum vn_verdict v);
/* A refusal that --force would not pass. */
bool vn_item_hard_refused(const struct vn_item *it);

/* bind: a device already on vfio-pci whose record an interrupted bind
 * left unfinished (killed after the bind write) gets its record marked
 * bound, so status stops calling it interrupted. */
int vn_txn_complete_records(struct vn_txn *t);

/* Load vfio-pci (bind only); -ENOENT when the kernel has none. */
int vn_txn_load_modules(struct vn_txn *t);

/*
 * Apply the GO items. With keep_going, failures are put back alone and
 * the rest stays; without it, any failure puts every device back.
 */
int vn_txn_apply(struct vn_txn *t);

/* Every function with these IDs, sorted. */
int vn_pci_find_ids(struct vn_sys *sys, unsigned int vendor,
		    unsigned int device, char ***bdfs);
