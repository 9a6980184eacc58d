/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct vn_sys;

/* One kernel log record. */
struct vn_kmsg_rec {
	int prio; /* syslog priority and facility, as printed */
	uint64_t seq; /* sequence number; UINT64_MAX when unknown */
	uint64_t usec; /* monotonic timestamp since boot */
	char *msg; /* the message, escapes kept as the kernel wrote them */
	char *device; /* DEVICE= of the dictionary ("+pci:0000:00:03.0") */
};

struct vn_kmsg {
	struct vn_kmsg_rec *v;
	size_t n;
	const char *source; /* "/dev/kmsg", "syslog(2)", NULL: unreadable */
	int error; /* -errno when neither could be read */
	bool lost; /* records were overwritten while reading */
	/* Does the buffer still hold the boot's first record? false: older
	 * records were overwritten; unknown (-1) for syslog(2). */
	int from_boot;
};

/*
 * Read the whole kernel log: /dev/kmsg (non-blocking, from the first
 * record still in the buffer; 'dmesg -C' does not hide records from
 * /dev/kmsg readers), else syslog(2) SYSLOG_ACTION_READ_ALL. Under
 * --sysroot, the tree's dev/kmsg file in the same record format.
 */
int vn_kmsg_read(const struct vn_sys *sys, struct vn_kmsg *k);
void vn_kmsg_clear(struct vn_kmsg *k);

/*
 * Parse one /dev/kmsg record: "prio,seq,usec,flags[,...];message" and the
 * " KEY=value" continuation lines. -EBADMSG when it is not one.
 */
int vn_kmsg_parse_record(const char *text, struct vn_kmsg_rec *rec);
/* A recorded kmsg (--sysroot): records one after another, each starting
 * at the beginning of a line with "prio,seq,"; what is not a record is
 * skipped. Appends to k. */
int vn_kmsg_parse_recorded(const char *text, struct vn_kmsg *k);
/* A syslog(2) line: "<prio>[  12.345678] message". */
int vn_kmsg_parse_syslog_line(const char *line, struct vn_kmsg_rec *rec);
void vn_kmsg_rec_clear(struct vn_kmsg_rec *rec);
