/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vn_sys;
struct vn_dev;
struct vn_dev_list;

/*
 * The declared state: the *.conf files in /etc/vfio-noiommuctl (format:
 * vfio-noiommuctl.conf(5), man/vfio-noiommuctl.conf.5.scd), the devices
 * it names and how they are identified. Reading and rendering only; the
 * commands that act on it (apply, bind --persist) live elsewhere.
 */
#define VN_STATE_DIR "/etc/vfio-noiommuctl"
#define VN_STATE_FILE_MAX (1u << 20) /* bytes per file */
#define VN_STATE_LINE_MAX 1024u /* bytes per line, newline excluded */
#define VN_STATE_ERRORS_MAX 64u /* messages kept per read; see dropped */

/* ---- identities ---------------------------------------------------------- */

enum vn_ident_kind {
	VN_IDENT_SERIAL, /* PCI Device Serial Number [+ function] */
	VN_IDENT_PATH, /* topological path from the root bus */
	VN_IDENT_ID, /* vendor:device[:subvendor:subdevice], every function */
	VN_IDENT_BDF, /* the address */
};

/* "serial 52-54-00-ff-ff-12-34-56" and the like; value is canonical
 * (lowercase, full domain), so equal identities compare equal. */
struct vn_ident {
	enum vn_ident_kind kind;
	char *value;
};

const char *vn_ident_kind_name(enum vn_ident_kind kind);
/* "KIND VALUE" (blanks between), canonicalised; -EINVAL if malformed,
 * with *why (static text) saying what was expected. */
int vn_ident_parse(const char *text, struct vn_ident *out, const char **why);
void vn_ident_clear(struct vn_ident *id);
static inline void vn_ident_clearp(struct vn_ident *id)
{
	vn_ident_clear(id);
}
bool vn_ident_equal(const struct vn_ident *a, const struct vn_ident *b);

/* "VVVV:DDDD" or "VVVV:DDDD:SVVV:SDDD" (four hex digits each). */
struct vn_ids {
	unsigned int vendor, device, subvendor, subdevice;
	bool has_sub;
};
int vn_ids_parse(const char *s, struct vn_ids *out);
/* The canonical spelling (lowercase, the subsystem IDs when has_sub). */
int vn_ids_format(const struct vn_ids *ids, char **out);
/* Does the device carry these IDs (the subsystem ones only when given)? */
bool vn_ids_match(const struct vn_ids *ids, const struct vn_dev *dev);

/* ---- the state ------------------------------------------------------------ */

/* Strings in an entry are as read (a command escapes them to print). */
struct vn_entry {
	char *file; /* where it was declared (the host's path of the file) */
	unsigned int line; /* of its [device] line */
	struct vn_ident match;
	bool has_id; /* the cross-check: a device with other IDs is never
		      * taken */
	struct vn_ids id;
	char *driver; /* "vfio-pci" */
	bool has_owner, has_group, has_mode;
	uid_t uid; /* valid after vn_state_read (or when written as a number) */
	gid_t gid;
	mode_t mode; /* permission bits, <= 0777 */
	char *owner_name, *group_name; /* as written, for messages */
	unsigned int owner_line, group_line;
	char *replaces; /* "file:line" of an earlier entry with the same
			 * match that this one replaced whole, or NULL */
};

void vn_entry_clear(struct vn_entry *e);

struct vn_state {
	struct vn_entry *v; /* in the order read, after precedence */
	size_t n;
	int noiommu; /* -1 unset, 0 off, 1 on: the last [noiommu] read */
	char *noiommu_file;
	unsigned int noiommu_line;
	char **files; /* read, in order (NULL-terminated, may be NULL) */
	char **errors; /* "file:line: message", printable as they are:
			* outside text in them went through vn_escape() */
	size_t dropped; /* errors not kept beyond VN_STATE_ERRORS_MAX */
};

/* An empty state (noiommu unset). */
void vn_state_init(struct vn_state *st);
void vn_state_clear(struct vn_state *st);

/*
 * Read VN_STATE_DIR under the system's root (--root DIR reads
 * DIR/etc/vfio-noiommuctl, resolving symlinks inside DIR): every *.conf
 * not starting with '.', in strcmp() order, then resolve owner and group
 * names against the root's /etc/passwd and /etc/group. A missing
 * directory is an empty state. Returns 0; -EINVAL when any error was
 * found (all of them are in st->errors, with file and line; entries read
 * without error are kept, for diagnostics); another -errno (also in
 * st->errors) when the directory itself cannot be read.
 */
int vn_state_read(struct vn_sys *sys, struct vn_state *st);

/*
 * Parse one file's text (len bytes; a NUL byte is an error), appending to
 * st: entries, the noiommu setting, errors (each "file:line: ..."). Owner
 * and group names are kept, not resolved. 0, -EINVAL (errors added) or
 * -ENOMEM.
 */
int vn_state_parse(const char *text, size_t len, const char *file,
		   struct vn_state *st);

/*
 * Resolve the entries' owner and group names in the passwd and group
 * texts (the root's /etc/passwd and /etc/group; where names them in
 * messages). Numbers need no lookup. 0 or -EINVAL (errors added).
 */
int vn_state_resolve_names(struct vn_state *st, const char *passwd,
			   const char *group, const char *where);

/*
 * One entry as a file's text: comment lines first ("# " added to each
 * line of comment, which may be NULL, escaped), then the [device]
 * section. It parses back to the same entry. -EINVAL if a field cannot be
 * written (a name with blanks or quotes).
 */
int vn_entry_render(const struct vn_entry *e, const char *comment, char **text);
/* The [noiommu] section for mode on or off. */
int vn_noiommu_render(bool on, const char *comment, char **text);
/*
 * The file name (no directory) bind --persist writes a device's entry to:
 * "50-serial-52-54-00-ff-ff-12-34-56.conf", "50-path-0000-00-06.0_00.0.conf"
 * and so on; one identity, one name. 50 leaves room for the
 * administrator's own files before and after it.
 */
int vn_entry_file_name(const struct vn_ident *id, char **name);

/* ---- a device's identities --------------------------------------------- */

enum vn_dsn_state {
	VN_DSN_NONE, /* no DSN capability (or a placeholder value) */
	VN_DSN_PRESENT,
	VN_DSN_UNREADABLE, /* config space could not be read: see dsn_err */
};

#define VN_SERIAL_MAX 24 /* "xx-xx-xx-xx-xx-xx-xx-xx" and NUL */

struct vn_dev_ident {
	enum vn_dsn_state dsn_state;
	int dsn_err; /* UNREADABLE: -EACCES (not root: the kernel gives
		      * others the first 64 bytes), -ENOENT (no config in a
		      * recorded tree), -EIO (the device does not answer) */
	uint64_t dsn;
	char serial[VN_SERIAL_MAX]; /* as lspci prints it; "" without */
	bool multifunction; /* header type bit 7: siblings share the DSN */
	char *path; /* NULL when the device is not below a PCI root bus */
	bool dsn_read, path_read; /* what has been looked at */
};

void vn_dev_ident_clear(struct vn_dev_ident *id);

/* Read both identities of one function (config space and sysfs link). */
int vn_dev_ident_read(struct vn_sys *sys, const struct vn_dev *dev,
		      struct vn_dev_ident *id);

/*
 * The Device Serial Number in len bytes of config space (little endian,
 * as /sys/bus/pci/devices/BDF/config holds it): 1 and *dsn when found, 0
 * when the device has none, -EIO when the device does not answer
 * (vendor, device and class code all ones). Walks the extended capability list as the kernel
 * does (drivers/pci/pci.h, PCI_FIND_NEXT_EXT_CAP): from 0x100, a bounded
 * number of steps, so a looping chain ends.
 */
int vn_dsn_from_config(const uint8_t *cfg, size_t len, uint64_t *dsn);
/* lspci's spelling: most significant byte first, lowercase, '-'. */
void vn_dsn_format(uint64_t dsn, char out[VN_SERIAL_MAX]);

/*
 * The topological path of a function from its sysfs directory (the
 * target of /sys/bus/pci/devices/BDF, relative or absolute): the full
 * address of the first function below the root bus, then "/DD.F" for each
 * function below it, ending with the device's own:
 * ".../devices/pci0000:00/0000:00:06.0/0000:02:00.0/0000:03:01.0" gives
 * "0000:00:06.0/00.0/01.0". -EINVAL when there is no root bus in it.
 */
int vn_pci_path_from_syspath(const char *syspath, char **out);

/*
 * The entry bind --persist records for a device: matched by serial when
 * it has a DSN (with ".F" when it is multi-function, whose functions
 * share one), else by path; its four IDs as the cross-check; driver
 * vfio-pci; no owner, group or mode (the caller adds them). -EACCES (or
 * the dsn_err) when config space cannot be read, so the best identity
 * cannot be chosen; -EINVAL when the device has neither.
 */
int vn_entry_for(struct vn_sys *sys, const struct vn_dev *dev,
		 struct vn_entry *e);

/*
 * bind --persist: write the device's entry (vn_entry_for) to its own file,
 * VN_STATE_DIR/vn_entry_file_name(), atomically inside root (the host's
 * "/" or --root DIR), the directory created if needed; identities are
 * read from host. *path: the file, relative to the root (also on error
 * once known); *match (may be NULL): its identity ("serial 52-54-...").
 * dry_run: only those. unbind --persist: remove it; -ENOENT
 * when there is none (a hand-written entry is not the tool's to remove).
 */
int vn_state_persist(struct vn_sys *root, struct vn_sys *host,
		     const struct vn_dev *dev, bool dry_run, char **path,
		     char **match);
int vn_state_unpersist(struct vn_sys *root, struct vn_sys *host,
		       const struct vn_dev *dev, bool dry_run, char **path,
		       char **match);

/* ---- matching entries to devices ----------------------------------------- */

enum vn_match_result {
	VN_MATCH_OK, /* names these devices, and governs them */
	VN_MATCH_NONE, /* names no device present */
	VN_MATCH_AMBIGUOUS, /* a single-device identity names several */
	VN_MATCH_IDS_CHANGED, /* the device found has other IDs */
	VN_MATCH_UNREADABLE, /* serial: config space could not be read */
	VN_MATCH_OVERRIDDEN, /* every device it names is declared later */
};

const char *vn_match_result_name(enum vn_match_result r);

struct vn_match {
	const struct vn_entry *entry; /* points into the state */
	enum vn_match_result result;
	/* OK: the devices it governs; AMBIGUOUS: every candidate;
	 * IDS_CHANGED: the device found. Sorted BDFs, never NULL. */
	char **bdfs;
	/* Devices it names that a later entry governs (sorted, never NULL). */
	char **overridden;
	char *reason; /* one sentence, printable; NULL for OK */
};

struct vn_matches {
	struct vn_match *v; /* one per entry, in the state's order */
	size_t n;
};

void vn_matches_clear(struct vn_matches *m);

/*
 * Match every entry of st against the devices: each device is governed
 * by the last entry (in reading order) that names it and is OK, so a
 * later entry for the same device wins, whatever identity either uses.
 * An entry that is not OK governs nothing, and its reason says why.
 * Identities are read once per device, and only those some entry needs
 * (config space only for serial entries).
 */
int vn_state_match(struct vn_sys *sys, const struct vn_state *st,
		   const struct vn_dev_list *devs, struct vn_matches *out);

/* The OK match that governs the device, or NULL: not declared. */
const struct vn_match *vn_matches_find(const struct vn_matches *m,
				       const char *bdf);
