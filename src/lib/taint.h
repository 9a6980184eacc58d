/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vn_sys;

#define VN_TAINT_COUNT 20
#define VN_TAINT_ALL ((1UL << VN_TAINT_COUNT) - 1)
#define VN_TAINT_USER_BIT 6
#define VN_TAINT_USER (1UL << VN_TAINT_USER_BIT)

/* kernel/panic.c taint_flags[], doc/kernel.md §4.3 */
struct vn_taint_flag {
	unsigned int bit;
	char letter; /* printed when set */
	char clear; /* printed when clear ('G' for bit 0, else ' ') */
	const char *name; /* TAINT_<name> without the prefix */
	const char *meaning;
};

const struct vn_taint_flag *vn_taint_flags(void);
const struct vn_taint_flag *vn_taint_flag_by_letter(char letter);

/* /proc/sys/kernel/tainted. */
int vn_taint_read(const struct vn_sys *sys, unsigned long *mask);

/* The oops header form: "Not tainted" or "Tainted: G     U    ...". */
void vn_taint_short_form(unsigned long mask, char *buf, size_t size);
/* Set letters only, in bit order ("U", "OE"); "" when clean. */
void vn_taint_letters(unsigned long mask, char *buf, size_t size);

/*
 * A taint value as users paste it: a number (decimal, or 0x hex), the
 * oops header form ("Tainted: G        W  O", also inside a whole "CPU: 0
 * PID: 1 Comm: x Tainted: ... 6.1.0 #1" line, with blanks collapsed or
 * not: every letter names one flag), the verbose form ("[U]=USER, [W]=WARN"),
 * or "Not tainted". -ERANGE for a number above ULONG_MAX (the kernel's
 * tainted_mask is an unsigned long). -EINVAL for anything else, with *bad
 * set to the first character that is not a taint letter (0 if none).
 */
int vn_taint_parse(const char *s, unsigned long *mask, char *bad);

/* Flags given as letters ("UW"); -EINVAL and *bad for an unknown one. */
int vn_taint_letters_parse(const char *s, unsigned long *mask, char *bad);

/* ---- who set U: the kernel log ------------------------------------------- */

struct vn_kmsg;

enum {
	VN_ATTR_GROUP =
		1
		<< 0, /* "Adding kernel taint for vfio-noiommu group on device" */
	VN_ATTR_CDEV = 1 << 1, /* "Adding kernel taint for vfio-noiommu cdev" */
};

struct vn_attrib {
	char bdf[24];
	char *driver; /* the dev_warn prefix: vfio-pci or a variant */
	unsigned int modes;
	uint64_t usec; /* first line's time since boot */
	unsigned int lines;
	bool from_log; /* false: known from the current state only */
	char *user; /* who, from vfio-noiommuctl's own log line */
};

struct vn_open_event {
	char bdf[24];
	char comm[32];
	int pid;
	uint64_t usec;
};

struct vn_attribution {
	struct vn_attrib *v;
	size_t n;
	struct vn_open_event *opens;
	size_t nopens;
};

void vn_attribution_clear(struct vn_attribution *a);

/* Walk the log: taint lines (§4.1), "opened by user" lines (§4.2), and
 * vfio-noiommuctl's own bind lines for who acted. */
int vn_taint_attribute(const struct vn_kmsg *log, struct vn_attribution *a);

/* Add a device known from the current state (bound as no-IOMMU, which
 * set U when it was bound) when the log no longer shows it. */
int vn_attribution_add_current(struct vn_attribution *a, const char *bdf,
			       unsigned int modes);

/* Message matchers (for tests). */
int vn_kmsg_match_taint(const char *msg, char *bdf, size_t bdfsz, char **driver,
			unsigned int *mode);
int vn_kmsg_match_open(const char *msg, char *bdf, size_t bdfsz, char *comm,
		       size_t commsz, int *pid);
int vn_kmsg_match_audit(const char *msg, char *bdf, size_t bdfsz, char **user);

/* Other setters of U (doc/kernel.md §4.4), for the honest answer. */
extern const char *const vn_taint_user_sources[];

/* Boot time (seconds since the epoch) from /proc/stat's btime. */
int vn_boot_time(const struct vn_sys *sys, long long *btime);
