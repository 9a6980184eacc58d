/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "bdf.h"

struct vn_sys;

/*
 * One record per device under /run/vfio-noiommuctl/journal/<BDF>, written
 * before the first sysfs write of a bind and kept while the device is
 * assigned, so that unbind can put back exactly what was there and a run
 * killed half-way can be completed by the next one.
 */
#define VN_RUN_DIR "/run/vfio-noiommuctl"
#define VN_JOURNAL_DIR VN_RUN_DIR "/journal"

enum vn_step {
	VN_STEP_PLANNED, /* recorded, nothing written yet */
	VN_STEP_OVERRIDE, /* driver_override set to the target */
	VN_STEP_UNBOUND, /* released by its original driver */
	VN_STEP_BOUND, /* on the target driver and verified: done */
	VN_STEP_RESTORING, /* unbind under way: back to the original */
};

/* Where an unbind puts the device: the driver it had, none (it had
 * none), or the kernel's choice (an unbind that found no record). Kept in
 * the record so that a run killed half-way is finished the same way. */
enum vn_restore {
	VN_RESTORE_NONE,
	VN_RESTORE_DRIVER,
	VN_RESTORE_PROBE,
};

struct vn_record {
	char bdf[VN_BDF_MAX];
	unsigned int vendor, device; /* identity: the same function still */
	char *orig_driver; /* NULL: it had none */
	char *orig_override; /* NULL: unset */
	char *target; /* driver asked for (vfio-pci) */
	enum vn_restore restore; /* what unbind does with it */
	char *restore_driver; /* VN_RESTORE_DRIVER: the driver */
	char **netdevs; /* interfaces it had, to see them return */
	enum vn_step step;
	time_t when; /* when the bind began (UTC) */
	char *user; /* who asked */
};

void vn_record_clear(struct vn_record *rec);

const char *vn_step_name(enum vn_step s);
int vn_step_parse(const char *s, enum vn_step *out);

/* A record in flight (killed or failed run) needs attention. */
static inline bool vn_record_unfinished(const struct vn_record *rec)
{
	return rec->step != VN_STEP_BOUND;
}

/* The record's restore intent from what it had: its original driver, or
 * none. */
void vn_record_restore_original(struct vn_record *rec);
const char *vn_restore_name(enum vn_restore r);

/* Text form: "key=value" lines; values escape \, newline and tab.
 * doc/journal.md describes the format and its states. */
int vn_record_encode(const struct vn_record *rec, char **out);
/* -EBADMSG for anything not written by vn_record_encode(): truncated,
 * unknown version, missing or malformed fields. Never a guess. */
int vn_record_decode(const char *text, struct vn_record *rec);

/* Storage. Writes go to a temporary file renamed into place. */
int vn_journal_write(const struct vn_sys *sys, const struct vn_record *rec);
/* -ENOENT when there is no record, -EBADMSG when it is corrupt. */
int vn_journal_read(const struct vn_sys *sys, const char *bdf,
		    struct vn_record *rec);
int vn_journal_remove(const struct vn_sys *sys, const char *bdf);
/* BDFs with a record, sorted. -EACCES when the journal may not be read
 * (callers that only report treat that as "unknown"). */
int vn_journal_list(const struct vn_sys *sys, char ***bdfs);

/* Of the records all (vn_journal_list's), those a killed or failed run
 * left unfinished (corrupt ones included). */
int vn_journal_unfinished_of(const struct vn_sys *sys, char *const *all,
			     char ***bdfs);

/* The device whose record lists this interface among those it had when it
 * was bound (a device on vfio-pci has none any more). -ENOENT if none. */
int vn_journal_find_netdev(const struct vn_sys *sys, const char *ifname,
			   char bdf[VN_BDF_MAX]);
