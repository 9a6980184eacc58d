/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The documents of status, list, taint and noiommu show, built from the
 * run's facts (lib/facts.h): each command prints its own, and report puts
 * them all in one without reading anything twice.
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
};

int doc_status_gather(struct vn_facts *f, struct status *s);
/* Why no-IOMMU assignment cannot work here; NULL when it can. */
const char *doc_status_impossible(const struct vn_caps *c, const char **source);
struct json_object *doc_status_json(const struct status *s);

/* ---- list ------------------------------------------------------------ */

extern const struct vn_coldef doc_list_columns[];
extern const size_t doc_list_ncolumns;

/* Rows for the devices on VFIO drivers and those the journal holds, or
 * all (all), or the given BDFs (bdfs); *shown counts them. */
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

int doc_taint_gather(struct vn_facts *f, struct taint_report *r);
const struct vn_dev *taint_find_dev(const struct taint_report *r,
				    const char *bdf);
const char *taint_modes_str(unsigned int m);
bool taint_still_bound(const struct vn_dev *d);
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
const char *noiommu_dev_paths(const struct vn_dev *d);
struct json_object *doc_noiommu_json(const struct noiommu_state *s);
