/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The documents of status, list, taint and noiommu show, each built in
 * one place (src/doc-*.c) from the run's facts (lib/facts.h): the command
 * prints its own, and report embeds the same documents, built by the same
 * code, without reading anything twice.
 */

#include <stdbool.h>

#include "lib/facts.h"
#include "output/output.h"

struct json_object;

/* ---- status ---------------------------------------------------------- */

/* A view of the facts: it owns nothing (the facts do). */
struct status {
	struct vn_caps caps;
	struct vn_iommu_state iommu;
	size_t nvfio, nnoiommu;
	int taint_err;
	unsigned long taint;
	int pot; /* 1 when panic_on_taint is set */
	unsigned long pot_mask;
	bool pot_nousertaint;
	char **journal; /* every BDF with a record */
	char **unfinished; /* those an interrupted run left (or corrupt) */
	bool journal_denied; /* not readable by this user */
	/* The declared state: as the facts have it (state_err, state);
	 * apply NULL when nothing is declared and no bind is recorded, so
	 * no PCI function was read for it. */
	int state_err;
	const struct vn_state *state;
	const struct vn_apply *apply;
	/* What the last recorded apply of this boot did (the boot unit's
	 * apply --record); NULL when none was recorded or it is unreadable
	 * (record_err says why: -ENOENT none). */
	const struct vn_apply_record *record;
	int record_err;
	/* vfio built in: the next boot's setting (the boot loader's
	 * configuration) and how this boot started; NULL otherwise. */
	const struct vn_persist *persist;
	/* The initramfs, when it carries the declared state (our hook or
	 * dracut module is installed); NULL otherwise. */
	const struct vn_initramfs *initramfs;
};

int doc_status_gather(struct vn_facts *f, struct status *s);
/* Why no-IOMMU assignment cannot work here; NULL when it can. */
const char *doc_status_impossible(const struct vn_caps *c, const char **source);
/* status --json (doc/schema/status.json). */
struct json_object *doc_status_json(const struct status *s);

/* ---- list ------------------------------------------------------------ */

/* The version of list's document: raise it when a field changes meaning
 * or goes away (doc/schema/list.json); its rows are under "devices". */
#define DOC_LIST_SCHEMA 1
#define DOC_LIST_KEY "devices"

extern const struct vn_coldef doc_list_columns[];
extern const size_t doc_list_ncolumns;

/* Rows for the devices on VFIO drivers, or all (all), or the given BDFs
 * (bdfs); *shown counts them. */
int doc_list_fill(struct vn_facts *f, struct vn_table *t, bool all,
		  char *const *bdfs, size_t *shown);

/* ---- taint ----------------------------------------------------------- */

/* A view of the facts (and the value decoded): it owns nothing. */
struct taint_report {
	unsigned long mask;
	bool host; /* looked at this host (no VALUE) */
	struct vn_kmsg log;
	struct vn_attribution attr;
	long long btime; /* 0: unknown */
	struct vn_dev_list devs; /* to name devices and see what is bound */
};

/* With mask and host set: for U on this host, who set it (the kernel
 * log, the devices bound now); nothing else is read. */
int doc_taint_gather(struct vn_facts *f, struct taint_report *r);
const struct vn_dev *taint_find_dev(const struct taint_report *r,
				    const char *bdf);
/* A device bound now as no-IOMMU on a VFIO driver. */
bool taint_still_bound(const struct vn_dev *d);
/* Who asked, as every document has it: {"name", "uid", "via"} from the
 * text bind logged or journaled ("alice (via sudo, uid 0)"); null for
 * NULL. */
struct json_object *doc_user_json(const char *text);
/* taint --json (doc/schema/taint.json). */
struct json_object *doc_taint_json(struct vn_sys *sys,
				   const struct taint_report *r);

/* ---- noiommu show ---------------------------------------------------- */

/* A view of the facts: it owns nothing. */
struct noiommu_state {
	struct vn_caps caps;
	struct vn_persist persist;
	struct vn_dev_list devs;
	bool on_host; /* false with --root */
};

int doc_noiommu_gather(struct vn_facts *f, struct noiommu_state *s);
/* A device's access paths for people ("group and cdev") ... */
const char *noiommu_dev_paths(const struct vn_dev *d);
/* ... and as the one enum of every document (none, group, cdev, both). */
const char *noiommu_dev_access_paths(const struct vn_dev *d);
/* noiommu show --json (doc/schema/noiommu.json). */
struct json_object *doc_noiommu_json(const struct noiommu_state *s);
