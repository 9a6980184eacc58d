/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "cli.h"
#include "lib/binding.h"

/* Options bind and unbind share. */
struct vn_txn_args {
	bool dry_run;
	bool force;
	bool keep_going;
	bool group;
	int timeout_ms;
	int lock_timeout_ms;
	const char *driver;
	bool lock_held; /* the caller holds the writers' lock already */
	char **raw; /* arguments as given */
};

extern const struct argp vn_argp_txn;

/* Parse a seconds value ("10", "2.5") into milliseconds. */
int vn_parse_seconds(const char *s, int *ms);

/* The whole run of bind or unbind over canonical BDFs. Returns the exit
 * status. */
int vn_txn_run(enum vn_op op, struct vn_sys *sys, char **bdfs,
	       const struct vn_txn_args *a);
