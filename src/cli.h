/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <argp.h>
#include <stdbool.h>
#include <sys/types.h>

#include "lib/bdf.h"
#include "lib/sys.h"
#include "output/output.h"

/* Exit statuses (man page, EXIT STATUS). */
enum {
	VN_EXIT_OK = 0,
	VN_EXIT_FAILED = 1,
	VN_EXIT_USAGE = 2, /* usage or invalid input; nothing changed */
	VN_EXIT_UNSUPPORTED =
		3, /* not possible on this kernel / configuration */
	VN_EXIT_REFUSED = 4, /* a safety guard refused */
	VN_EXIT_PARTIAL = 5, /* some of several devices failed */
	VN_EXIT_BUSY = 6, /* another writer held the lock too long */
	VN_EXIT_WOULD_CHANGE = 7, /* apply --dry-run: the run would change */
};

/* The parsed options: the only global mutable state of the program. */
struct vn_opts {
	struct vn_outopts out;
	bool quiet;
	int verbose;
	const char *sysroot;
	int lock_timeout_ms; /* --lock-timeout, for the verbs that write */
	bool stdout_tolerant; /* write phase: a cut session must not fail it */
	const char *file; /* --file: write the output there, not to stdout */
};
extern struct vn_opts opts;

/* A verb: one per src/cmd-<name>.c. */
struct vn_verb {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/* Shared argp children: output formats for tables and for documents,
 * and the options every verb takes. */
extern const struct argp vn_argp_table_output;
extern const struct argp vn_argp_doc_output;
/* Every output option, for the program's options before the command. */
extern const struct argp vn_argp_any_output;
extern const struct argp vn_argp_common;
/* --lock-timeout, for the verbs that take the writers' lock. */
extern const struct argp vn_argp_lock;

/* The option groups a verb takes after its own, ready for struct argp:
 * document output and the common options; the same with --lock-timeout;
 * table output and the common options. */
extern const struct argp_child vn_children_doc[];
extern const struct argp_child vn_children_doc_lock[];
extern const struct argp_child vn_children_table[];
/* --file FILE and the common options (report, metrics). */
extern const struct argp_child vn_children_file[];

/* The output of a verb that writes one file: to --file, created with this
 * mode beside it and renamed over it when complete, or to stdout. A
 * message names the destination when it fails (VN_EXIT_FAILED). */
int vn_cli_write_output(const char *what, const char *data, size_t len,
			mode_t mode);

/* Parse a seconds value ("10", "2.5") into milliseconds: -EINVAL when it
 * is not a number, -ERANGE outside 0 to 86400. */
int vn_parse_seconds(const char *s, int *ms);
/* The same for an option's argument; bad input is argp_error (exit 2)
 * naming the option and the problem: not a number, or out of range (and
 * the range). */
void vn_argp_seconds(struct argp_state *state, const char *option,
		     const char *arg, bool above_zero, int *ms);

/* Parse a verb's own arguments: argv[0] is the verb; usage errors exit 2. */
void vn_parse_verb(const struct argp *argp, const char *verb, int argc,
		   char **argv, void *input);

/* Label-and-value reports (status, noiommu show): a 16-column label,
 * continuation lines indented to match. */
#define VN_LABEL "%-16s"
#define VN_INDENT "                "

/* From now on, every line written to stderr goes through vn_escape(). */
void vn_cli_escape_stderr(void);

void vn_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vn_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Continuation lines of a message, indented under it. */
void vn_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* After a write that the running release's initramfs carries (the
 * declared state, our modprobe.d file): the sentence asking for its
 * rebuild, or NULL when none is needed (no image carries our part, it
 * is newer than every such file, or sys is not the host). */
char *vn_initramfs_rebuild_note(struct vn_sys *sys);

/* The system to look at: the host, or --sysroot / VFIO_NOIOMMUCTL_SYSROOT. */
int vn_cli_open_sys(struct vn_sys **sys);
/* The same for a verb that only looks: every file is read once per run
 * (vn_sys_snapshot), however many facts lean on it. */
int vn_cli_open_sys_readonly(struct vn_sys **sys);

/* An image's root (--root DIR): a directory, or a message naming it and
 * VN_EXIT_USAGE. */
int vn_cli_open_root(const char *dir, struct vn_sys **sys);

/* Say which devices a killed or failed run left with an unfinished (or
 * corrupt) journal record, except those listed. */
void vn_cli_warn_unfinished(struct vn_sys *sys, char *const *except);

/* From now on, errors writing stdout (EIO, EPIPE of a dead SSH session)
 * do not change the exit status. */
void vn_cli_tolerate_stdout(void);

/*
 * Device arguments, one rule for every command: a BDF (0000:03:00.0,
 * 03:00.0), VID:DID or VID:DID:SVID:SDID (every function with those IDs),
 * or a network interface name or altname (its PCI function). A path, a
 * malformed or unknown device, or an interface that is no PCI function's
 * gets a message naming it and VN_EXIT_USAGE. The same function reached
 * twice is one device. Appended to *bdfs, canonical.
 */
enum vn_devarg_scope {
	VN_DEVARG_ANY, /* IDs match every PCI function */
	/* unbind: IDs match functions on a VFIO driver or with a journal
	 * record, and an interface may be one a bound device had */
	VN_DEVARG_VFIO,
};
int vn_cli_bdf_args(struct vn_sys *sys, char *const *raw,
		    enum vn_devarg_scope scope, char ***bdfs);
/* One device (smoke-test): an ID several functions carry must name one
 * on a VFIO driver. */
int vn_cli_device_arg(struct vn_sys *sys, const char *arg,
		      char bdf[VN_BDF_MAX]);

/* The global writers' lock (src/lib/lock.h), exclusive for what changes
 * the whole host, shared for device transactions, waiting up to
 * --lock-timeout; a message and the exit status (6 busy, 1 failed) when
 * it cannot be had, else 0 and *fd (-1 for a --sysroot tree, which is
 * never written). */
int vn_cli_take_lock(struct vn_sys *sys, bool exclusive, int *fd);
/* One device's lock, the same way. */
int vn_cli_lock_device(struct vn_sys *sys, const char *bdf, int *fd);

/* Symbolic errno name ("EBUSY"), or the number. */
const char *vn_errno_name(int err, char *buf, size_t size);
