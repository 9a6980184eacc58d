/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "apply.h"
#include "initramfs.h"
#include "kernel.h"
#include "kmsg.h"
#include "noiommu.h"
#include "pci.h"
#include "state.h"
#include "taint.h"
#include "vfio.h"

struct vn_sys;

/*
 * The facts a run gathers, each read once however many documents show it
 * (status, list, taint and noiommu each show some; report shows them all).
 * vn_facts_need() gathers what is asked and not there yet.
 */
enum {
	VN_FACT_CAPS = 1 << 0, /* capability probe: config, modules, regions */
	VN_FACT_IOMMU = 1 << 1, /* IOMMU units, firmware table, boot setting */
	VN_FACT_DEVS = 1 << 2, /* every PCI function, VFIO state inspected */
	VN_FACT_TAINT = 1 << 3, /* the taint value and panic_on_taint */
	VN_FACT_JOURNAL = 1 << 4, /* bind journal: records, unfinished ones */
	VN_FACT_LOG = 1 << 5, /* kernel log, who set U, boot time (+DEVS) */
	VN_FACT_PERSIST = 1 << 6, /* persistent no-IOMMU settings */
	VN_FACT_HOLDERS = 1 << 7, /* processes holding VFIO files */
	VN_FACT_DECLARED = 1 << 8, /* declared state, its files only */
	VN_FACT_STATE = 1 << 9, /* declared state, matched (+DEVS) */
	VN_FACT_APPLY = 1 << 10, /* what apply reconciles (+STATE, JOURNAL) */
	/* The functions on a VFIO driver only (from DEVS when it is there). */
	VN_FACT_VFIO = 1 << 11,
	VN_FACT_RECORD = 1 << 12, /* the last recorded apply of this boot */
	VN_FACT_INITRAMFS = 1 << 13, /* the boot image, against (+DECLARED) */
	VN_FACT_LAST = VN_FACT_INITRAMFS,
};

struct vn_facts {
	struct vn_sys *sys;
	bool image; /* a system image (--root): no running kernel to ask */
	/* Where the declared state is read when not from sys (apply --root
	 * DIR: an image's state, this host's devices); NULL: sys. */
	struct vn_sys *state_root;
	unsigned int have; /* VN_FACT_* gathered */

	struct vn_caps caps;
	struct vn_iommu_state iommu;
	struct vn_dev_list devs;
	/* VN_FACT_VFIO: the functions on a VFIO driver; points into devs
	 * when every function was read, else into vfio_own. */
	struct vn_dev **vfio;
	size_t nvfio;
	struct vn_dev_list vfio_own;
	int taint_err; /* 0, or why /proc/sys/kernel/tainted is unreadable */
	unsigned long taint;
	int pot; /* 1 when panic_on_taint is set */
	unsigned long pot_mask;
	bool pot_nousertaint;
	char **journal; /* BDFs with a record */
	char **unfinished; /* those an interrupted run left (or corrupt) */
	int journal_err; /* -EACCES/-EPERM: not readable by this user */
	struct vn_kmsg log;
	/* From the log, plus no-IOMMU devices bound now: binding them set U
	 * even when the log no longer shows it. */
	struct vn_attribution attr;
	long long btime; /* boot time (epoch seconds); 0: unknown */
	struct vn_persist persist;
	struct vn_holders holders;
	/* The declared state (vfio-noiommuctl.conf(5)) and its entries
	 * matched to the devices; state_err: 0, -EINVAL when some entry has
	 * errors (the others are kept), or why the directory is unreadable. */
	struct vn_state state;
	int state_err;
	struct vn_matches matches;
	/* The declared devices in place or not, and the drift. */
	struct vn_apply apply;
	/* What the boot unit's apply did; record_err: 0, -ENOENT (no run
	 * recorded this boot), or why it could not be read. */
	struct vn_apply_record record;
	int record_err;
	/* The running release's initramfs and what of the declared state
	 * changed after it was built. */
	struct vn_initramfs initramfs;
};

void vn_facts_init(struct vn_facts *f, struct vn_sys *sys, bool image);
void vn_facts_clear(struct vn_facts *f);
/* Gather the facts in mask that are not there yet; -errno when one
 * cannot be had at all (an unreadable part is recorded, not an error). */
int vn_facts_need(struct vn_facts *f, unsigned int mask);
