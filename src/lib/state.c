// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The declared-state file format (vfio-noiommuctl.conf(5)): identities,
 * the parser, reading the drop-in directory, rendering an entry.
 */
#include <ctype.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "bdf.h"
#include "pci.h"
#include "state.h"
#include "sys.h"
#include "util.h"

/* /etc/passwd and /etc/group of a large directory-less site. */
#define VN_READ_ACCOUNTS_MAX (64u << 20)

/* ---- identities ---------------------------------------------------------- */

static const char *const kind_names[] = {
	[VN_IDENT_SERIAL] = "serial",
	[VN_IDENT_PATH] = "path",
	[VN_IDENT_ID] = "id",
	[VN_IDENT_BDF] = "bdf",
};

const char *vn_ident_kind_name(enum vn_ident_kind kind)
{
	return (size_t)kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "?";
}

void vn_ident_clear(struct vn_ident *id)
{
	free(id->value);
	id->value = NULL;
}

bool vn_ident_equal(const struct vn_ident *a, const struct vn_ident *b)
{
	return a->kind == b->kind && streq_ptr(a->value, b->value);
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Exactly n hex digits at s; the value, or -1. */
static long hex_n(const char *s, size_t n)
{
	long v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = hex_digit((unsigned char)s[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

int vn_ids_parse(const char *s, struct vn_ids *out)
{
	size_t len = strlen(s);
	long f[4] = { 0 };

	if (len != 9 && len != 19)
		return -EINVAL;
	for (size_t i = 0; i * 5 < len; i++) {
		if (i && s[i * 5 - 1] != ':')
			return -EINVAL;
		f[i] = hex_n(s + i * 5, 4);
		if (f[i] < 0)
			return -EINVAL;
	}
	*out = (struct vn_ids){ (unsigned int)f[0], (unsigned int)f[1],
				(unsigned int)f[2], (unsigned int)f[3],
				len == 19 };
	return 0;
}

int vn_ids_format(const struct vn_ids *ids, char **out)
{
	if (ids->has_sub)
		return xasprintf(out, "%04x:%04x:%04x:%04x", ids->vendor,
				 ids->device, ids->subvendor, ids->subdevice);
	return xasprintf(out, "%04x:%04x", ids->vendor, ids->device);
}

bool vn_ids_match(const struct vn_ids *ids, const struct vn_dev *dev)
{
	if (ids->vendor != dev->vendor || ids->device != dev->device)
		return false;
	return !ids->has_sub || (ids->subvendor == dev->subvendor &&
				 ids->subdevice == dev->subdevice);
}

/* "xx-xx-xx-xx-xx-xx-xx-xx" with an optional ".F" (function 0-7). */
static int serial_canonical(const char *s, char **out, const char **why)
{
	uint64_t v = 0;
	char buf[VN_SERIAL_MAX];
	const char *p = s;

	*why = "8 hex bytes joined by '-' as lspci -vv prints them "
	       "(00-1b-21-ff-ff-a1-b2-c3), optionally .F for one function";
	for (int i = 0; i < 8; i++) {
		long b = hex_n(p, 2);

		if (b < 0 || (i < 7 && p[2] != '-'))
			return -EINVAL;
		v = v << 8 | (uint64_t)b;
		p += i < 7 ? 3 : 2;
	}
	if (*p && !(p[0] == '.' && p[1] >= '0' && p[1] <= '7' && !p[2]))
		return -EINVAL;
	if (v == 0 || v == UINT64_MAX) {
		*why = "a real serial number: all zeros or all ones is a "
		       "placeholder that many devices carry";
		return -EINVAL;
	}
	vn_dsn_format(v, buf);
	return *p ? xasprintf(out, "%s.%c", buf, p[1]) :
		    xasprintf(out, "%s", buf);
}

/* "DDDD:BB:DD.F" (or "BB:DD.F") then "/DD.F" per level below it. */
static int path_canonical(const char *s, char **out, const char **why)
{
	_cleanup_free_ char *copy = NULL;
	char *buf = NULL, *tok, *save = NULL;
	size_t len = 0;
	FILE *f;
	int r = 0;

	*why = "the address of the function on the root bus, then /DD.F for "
	       "each function below it (0000:00:1c.0/00.0)";
	if (!*s || s[0] == '/' || s[strlen(s) - 1] == '/' || strstr(s, "//"))
		return -EINVAL;
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	f = open_memstream(&buf, &len);
	/* False positive: _cleanup_free_ frees copy, and cppcheck does not
	 * know the cleanup attribute. */
	if (!f)
		return -ENOMEM; // cppcheck-suppress memleak
	for (char *it = copy; r == 0 && (tok = strtok_r(it, "/", &save));
	     it = NULL) {
		char bdf[VN_BDF_MAX];
		long dev = hex_n(tok, 2);

		if (it) {
			r = vn_bdf_canonical(tok, bdf);
			if (r == 0)
				fputs(bdf, f);
		} else if (dev < 0 || dev > 0x1f || tok[2] != '.' ||
			   tok[3] < '0' || tok[3] > '7' || tok[4]) {
			r = -EINVAL;
		} else {
			fprintf(f, "/%02lx.%c", dev, tok[3]);
		}
	}
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	return 0;
}

static int value_canonical(enum vn_ident_kind kind, const char *v, char **out,
			   const char **why)
{
	char bdf[VN_BDF_MAX];
	struct vn_ids ids;

	switch (kind) {
	case VN_IDENT_SERIAL:
		return serial_canonical(v, out, why);
	case VN_IDENT_PATH:
		return path_canonical(v, out, why);
	case VN_IDENT_ID:
		*why = "VVVV:DDDD or VVVV:DDDD:SVVV:SDDD (4 hex digits each)";
		if (vn_ids_parse(v, &ids) < 0)
			return -EINVAL;
		return vn_ids_format(&ids, out);
	case VN_IDENT_BDF:
		*why = "DDDD:BB:DD.F or BB:DD.F";
		if (vn_bdf_canonical(v, bdf) < 0)
			return -EINVAL;
		*out = strdup(bdf);
		return *out ? 0 : -ENOMEM;
	}
	return -EINVAL;
}

int vn_ident_parse(const char *text, struct vn_ident *out, const char **why)
{
	size_t klen = strcspn(text, " \t");
	const char *v = text + klen + strspn(text + klen, " \t");

	*why = "KIND VALUE, KIND one of serial, path, id, bdf";
	for (size_t k = 0; k < ARRAY_SIZE(kind_names); k++) {
		if (strlen(kind_names[k]) != klen ||
		    strncmp(text, kind_names[k], klen) != 0)
			continue;
		if (!*v || v[strcspn(v, " \t")]) {
			*why = "one value after the kind";
			return -EINVAL;
		}
		out->kind = (enum vn_ident_kind)k;
		return value_canonical(out->kind, v, &out->value, why);
	}
	return -EINVAL;
}

/* ---- the state ------------------------------------------------------------ */

void vn_entry_clear(struct vn_entry *e)
{
	free(e->file);
	vn_ident_clear(&e->match);
	free(e->driver);
	free(e->owner_name);
	free(e->group_name);
	free(e->replaces);
	*e = (struct vn_entry){ 0 };
}

void vn_state_init(struct vn_state *st)
{
	*st = (struct vn_state){ .noiommu = -1 };
}

void vn_state_clear(struct vn_state *st)
{
	for (size_t i = 0; i < st->n; i++)
		vn_entry_clear(&st->v[i]);
	free(st->v);
	free(st->noiommu_file);
	strv_free(st->files);
	strv_free(st->errors);
	vn_state_init(st);
}

static int state_add_error(struct vn_state *st, const char *file,
			   unsigned int line, const char *fmt, va_list ap)
{
	_cleanup_free_ char *msg = NULL, *where = NULL;
	char *full;
	int r;

	if (strv_len(st->errors) >= VN_STATE_ERRORS_MAX) {
		st->dropped++;
		return 0;
	}
	r = xvasprintf(&msg, fmt, ap);
	if (r < 0)
		return r;
	where = vn_escape(file);
	if (!where)
		return -ENOMEM;
	r = line ? xasprintf(&full, "%s:%u: %s", where, line, msg) :
		   xasprintf(&full, "%s: %s", where, msg);
	if (r < 0)
		return r;
	if (!st->errors && !(st->errors = strv_new())) {
		free(full);
		return -ENOMEM;
	}
	return strv_push(&st->errors, full);
}

/* Record an error; -EINVAL (the parse failed), or -ENOMEM. */
_printf_(4, 5) static int state_error(struct vn_state *st, const char *file,
				      unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = state_add_error(st, file, line, fmt, ap);
	va_end(ap);
	return r < 0 ? r : -EINVAL;
}

/* ---- the parser ------------------------------------------------------------ */

enum section { SEC_NONE, SEC_DEVICE, SEC_NOIOMMU };

enum key {
	KEY_MATCH,
	KEY_ID,
	KEY_DRIVER,
	KEY_OWNER,
	KEY_GROUP,
	KEY_MODE,
	KEY_NOIOMMU_MODE,
	KEY_COUNT,
};

struct parser {
	struct vn_state *st;
	const char *file;
	unsigned int line;
	enum section sec;
	unsigned int sec_line;
	unsigned int key_line[KEY_COUNT]; /* 0: not seen in this section */
	bool sec_bad; /* an error in this section: keep nothing of it */
	bool sec_unclear; /* a line of it was not understood: it may have
			   * been meant as the missing match */
	struct vn_entry cur;
	int noiommu;
	size_t first; /* this file's first entry in st->v */
	unsigned int noiommu_line; /* of this file's [noiommu], if any */
	int err; /* -EINVAL once any error was found, or -ENOMEM */
};

static int vperr(struct parser *p, unsigned int line, const char *fmt,
		 va_list ap)
{
	int r = state_add_error(p->st, p->file, line, fmt, ap);

	p->sec_bad = true;
	if (r < 0)
		return p->err = r;
	if (p->err == 0)
		p->err = -EINVAL;
	return 0;
}

/* Note an error at the current line (at line: another one of this
 * section); 0, or -ENOMEM, which stops the parse. */
_printf_(2, 3) static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vperr(p, p->line, fmt, ap);
	va_end(ap);
	return r;
}

_printf_(3, 4) static int perr_at(struct parser *p, unsigned int line,
				  const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vperr(p, line, fmt, ap);
	va_end(ap);
	return r;
}

/* Outside text for a message: escaped, and never NULL. */
static char *esc(const char *s)
{
	char *e = vn_escape(s);

	return e ? e : strdup("?");
}

static int set_match(struct parser *p, const char *v)
{
	_cleanup_free_ char *e = NULL;
	const char *why;
	int r = vn_ident_parse(v, &p->cur.match, &why);

	if (r != -EINVAL)
		return r;
	e = esc(v);
	return perr(p, "match = %s: expected %s", e, why);
}

static int set_id(struct parser *p, const char *v)
{
	_cleanup_free_ char *e = NULL;

	if (vn_ids_parse(v, &p->cur.id) == 0) {
		p->cur.has_id = true;
		return 0;
	}
	e = esc(v);
	return perr(p,
		    "id = %s: expected VVVV:DDDD or VVVV:DDDD:SVVV:SDDD "
		    "(4 hex digits each)",
		    e);
}

static int set_driver(struct parser *p, const char *v)
{
	_cleanup_free_ char *e = NULL;

	if (streq(v, "vfio-pci")) {
		p->cur.driver = strdup(v);
		return p->cur.driver ? 0 : -ENOMEM;
	}
	e = esc(v);
	return perr(p, "driver = %s: only vfio-pci is supported", e);
}

/* A user or group name that could be in /etc/passwd and is written
 * without quotes: no blanks, quotes, backslashes, ':' or controls. */
static bool name_ok(const char *v)
{
	if (!*v)
		return false;
	for (const char *c = v; *c; c++) {
		if (*c == ':' || *c == '"' || *c == '\\' ||
		    isspace((unsigned char)*c) || iscntrl((unsigned char)*c))
			return false;
	}
	return true;
}

/* A user or group as written: a number (all digits), or a name that
 * vn_state_resolve_names() looks up later. */
static int set_name(struct parser *p, const char *v, const char *what,
		    char **name, bool *has, unsigned int *id)
{
	_cleanup_free_ char *e = NULL;
	unsigned long n;
	bool numeric = strspn(v, "0123456789") == strlen(v);

	if (name_ok(v) && (!numeric || (parse_ulong(v, 10, &n) == 0 &&
					n < (unsigned int)-1))) {
		/* A name stays (uid_t)-1, "no change" to chown(2), until
		 * it is resolved: never root by accident. */
		*id = numeric ? (unsigned int)n : (unsigned int)-1;
		*name = strdup(v);
		*has = true;
		return *name ? 0 : -ENOMEM;
	}
	e = esc(v);
	return perr(p, "%s = %s: expected a %s name or number", what, e,
		    streq(what, "owner") ? "user" : "group");
}

static int set_owner(struct parser *p, const char *v)
{
	p->cur.owner_line = p->line;
	return set_name(p, v, "owner", &p->cur.owner_name, &p->cur.has_owner,
			&p->cur.uid);
}

static int set_group(struct parser *p, const char *v)
{
	p->cur.group_line = p->line;
	return set_name(p, v, "group", &p->cur.group_name, &p->cur.has_group,
			&p->cur.gid);
}

static int set_mode(struct parser *p, const char *v)
{
	_cleanup_free_ char *e = NULL;
	size_t n = strlen(v);
	unsigned long m;

	if (n >= 3 && n <= 4 && strspn(v, "01234567") == n &&
	    parse_ulong(v, 8, &m) == 0 && m <= 0777) {
		p->cur.mode = (mode_t)m;
		p->cur.has_mode = true;
		return 0;
	}
	e = esc(v);
	return perr(p, "mode = %s: expected octal permission bits, e.g. 0660",
		    e);
}

static int set_noiommu(struct parser *p, const char *v)
{
	_cleanup_free_ char *e = NULL;

	if (streq(v, "on") || streq(v, "off")) {
		p->noiommu = streq(v, "on");
		return 0;
	}
	e = esc(v);
	return perr(p, "mode = %s: expected on or off", e);
}

static const struct {
	const char *name;
	enum section sec;
	enum key key;
	int (*set)(struct parser *p, const char *v);
} keys[] = {
	{ "match", SEC_DEVICE, KEY_MATCH, set_match },
	{ "id", SEC_DEVICE, KEY_ID, set_id },
	{ "driver", SEC_DEVICE, KEY_DRIVER, set_driver },
	{ "owner", SEC_DEVICE, KEY_OWNER, set_owner },
	{ "group", SEC_DEVICE, KEY_GROUP, set_group },
	{ "mode", SEC_DEVICE, KEY_MODE, set_mode },
	{ "mode", SEC_NOIOMMU, KEY_NOIOMMU_MODE, set_noiommu },
};

static const char *section_name(enum section s)
{
	return s == SEC_DEVICE ? "[device]" : "[noiommu]";
}

/* ---- lines and sections ---------------------------------------------------- */

/* The entry the section built replaces an earlier one with the same
 * match from an earlier file; the same match twice in one file is a
 * mistake. */
static int keep_entry(struct parser *p)
{
	struct vn_state *st = p->st;
	struct vn_entry *nv;
	int r;

	for (size_t i = 0; i < st->n; i++) {
		if (!vn_ident_equal(&st->v[i].match, &p->cur.match))
			continue;
		if (i >= p->first)
			return perr_at(p, p->sec_line,
				       "the same device is declared at line "
				       "%u already: a file names it once",
				       st->v[i].line);
		r = xasprintf(&p->cur.replaces, "%s:%u", st->v[i].file,
			      st->v[i].line);
		if (r < 0)
			return r;
		vn_entry_clear(&st->v[i]);
		memmove(&st->v[i], &st->v[i + 1],
			(st->n - i - 1) * sizeof(*st->v));
		st->n--;
		p->first--;
		break;
	}
	nv = realloc(st->v, (st->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	st->v = nv;
	st->v[st->n++] = p->cur;
	p->cur = (struct vn_entry){ 0 };
	return 0;
}

static int finish_device(struct parser *p)
{
	struct vn_entry *e = &p->cur;

	if (!p->key_line[KEY_MATCH] && !p->sec_unclear)
		return perr_at(p, p->sec_line,
			       "[device] has no 'match = KIND VALUE'");
	if (!p->key_line[KEY_MATCH])
		return 0;
	if (e->match.kind == VN_IDENT_ID && p->key_line[KEY_ID])
		return perr_at(p, p->key_line[KEY_ID],
			       "id = only cross-checks serial, path and bdf "
			       "matches: this entry matches by id already");
	if (p->sec_bad)
		return 0;
	e->line = p->sec_line;
	e->file = strdup(p->file);
	if (!e->driver)
		e->driver = strdup("vfio-pci");
	if (!e->file || !e->driver)
		return -ENOMEM;
	return keep_entry(p);
}

static int finish_noiommu(struct parser *p)
{
	struct vn_state *st = p->st;

	if (!p->key_line[KEY_NOIOMMU_MODE] && !p->sec_unclear)
		return perr_at(p, p->sec_line,
			       "[noiommu] has no 'mode = on|off'");
	if (!p->key_line[KEY_NOIOMMU_MODE])
		return 0;
	if (p->noiommu_line)
		return perr_at(p, p->sec_line,
			       "[noiommu] is declared at line %u already: a "
			       "file sets the mode once",
			       p->noiommu_line);
	p->noiommu_line = p->sec_line;
	if (p->sec_bad)
		return 0;
	if (vn_set_str(&st->noiommu_file, p->file) < 0)
		return -ENOMEM;
	st->noiommu = p->noiommu;
	st->noiommu_line = p->key_line[KEY_NOIOMMU_MODE];
	return 0;
}

static int finish_section(struct parser *p)
{
	int r = 0;

	if (p->sec == SEC_DEVICE)
		r = finish_device(p);
	else if (p->sec == SEC_NOIOMMU)
		r = finish_noiommu(p);
	vn_entry_clear(&p->cur);
	memset(p->key_line, 0, sizeof(p->key_line));
	p->sec_bad = p->sec_unclear = false;
	p->sec = SEC_NONE;
	return r == -ENOMEM ? (p->err = r) : 0;
}

static int start_section(struct parser *p, const char *s)
{
	_cleanup_free_ char *e = NULL;
	int r = finish_section(p);

	if (r < 0)
		return r;
	p->sec_line = p->line;
	if (streq(s, "[device]")) {
		p->sec = SEC_DEVICE;
		return 0;
	}
	if (streq(s, "[noiommu]")) {
		p->sec = SEC_NOIOMMU;
		return 0;
	}
	/* Keys up to the next section header belong to no known section:
	 * report them once, as part of this error. */
	p->sec = SEC_NONE;
	e = esc(s);
	return perr(p, "unknown section %s: expected [device] or [noiommu]", e);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* A value in double quotes loses them; a lone or inner quote is an
 * error (NULL). */
static char *unquote(char *v)
{
	size_t n = strlen(v);

	if (v[0] != '"')
		return v;
	if (n < 2 || v[n - 1] != '"' || memchr(v + 1, '"', n - 2))
		return NULL;
	v[n - 1] = '\0';
	return v + 1;
}

static int set_key(struct parser *p, const char *key, char *value)
{
	_cleanup_free_ char *e = esc(key);
	char *v = unquote(value);

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		if (keys[k].sec != p->sec || !streq(keys[k].name, key))
			continue;
		if (p->key_line[keys[k].key])
			return perr(p,
				    "%s is given twice in this %s (first "
				    "at line %u)",
				    e, section_name(p->sec),
				    p->key_line[keys[k].key]);
		p->key_line[keys[k].key] = p->line;
		if (!v)
			return perr(p, "%s: unbalanced double quotes", e);
		if (!*v)
			return perr(p, "%s has no value", e);
		return keys[k].set(p, v);
	}
	p->sec_unclear = true;
	return perr(p, "unknown key %s in %s", e, section_name(p->sec));
}

static int parse_line(struct parser *p, char *s)
{
	_cleanup_free_ char *e = NULL;
	char *eq;

	if (!*s || *s == '#')
		return 0;
	if (*s == '[')
		return start_section(p, s);
	eq = strchr(s, '=');
	if (!eq) {
		p->sec_unclear = true;
		return perr(p, "expected 'key = value', a [section] or a "
			       "# comment");
	}
	*eq = '\0';
	s = trim(s);
	if (p->sec == SEC_NONE && p->sec_bad)
		return 0; /* under an unknown section: reported there */
	if (p->sec == SEC_NONE) {
		e = esc(s);
		return perr(p,
			    "%s is outside a section: put it under "
			    "[device] or [noiommu]",
			    e);
	}
	return set_key(p, s, trim(eq + 1));
}

int vn_state_parse(const char *text, size_t len, const char *file,
		   struct vn_state *st)
{
	struct parser p = { .st = st,
			    .file = file ? file : "-",
			    .first = st->n };
	char buf[VN_STATE_LINE_MAX + 1];
	bool binary = false;

	for (size_t pos = 0; pos < len && p.err != -ENOMEM;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text) - pos : len - pos;

		p.line++;
		if (memchr(text + pos, '\0', n)) {
			perr(&p, "a NUL byte: this is not a text file");
			binary = true;
			break;
		}
		if (n > VN_STATE_LINE_MAX) {
			perr(&p, "longer than %u bytes", VN_STATE_LINE_MAX);
		} else {
			memcpy(buf, text + pos, n);
			buf[n] = '\0';
			if (parse_line(&p, trim(buf)) == -ENOMEM)
				p.err = -ENOMEM;
		}
		pos += n + 1;
	}
	/* A binary file's sections say nothing more worth reporting. */
	if (!binary && p.err != -ENOMEM)
		finish_section(&p);
	vn_entry_clear(&p.cur);
	return p.err;
}

/* ---- reading the directory ------------------------------------------------- */

/*
 * Open path (absolute, as the looked-at system names it) for reading.
 * Under --root DIR every symlink on the way resolves inside DIR, as it
 * would for the image's own programs: an absolute link in an image names
 * the image's file, never the host's (openat2(2) RESOLVE_IN_ROOT, Linux
 * 5.6, fs/namei.c). Where openat2 is missing or filtered, a symlinked
 * file is refused (-ELOOP) rather than followed to the host.
 */
static int open_in_root(const struct vn_sys *sys, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOCTTY),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char full[PATH_MAX];
	_cleanup_close_ int root = -1;
	int fd, r;

	if (vn_sys_is_host(sys)) {
		fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
		return fd < 0 ? -errno : fd;
	}
	root = open(sys->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return fd < 0 ? -errno : fd;
	r = vn_path(sys, full, sizeof(full), "%s", path);
	if (r < 0)
		return r;
	fd = open(full, flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

/* A regular file of at most max bytes, whole; *len bytes, NUL added. */
static int read_regular(int fd, size_t max, char **out, size_t *len)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	return read_fd_full(fd, out, len);
}

/* The file's name as the user sees it on this machine: DIR/etc/... under
 * --root. */
static int host_name(const struct vn_sys *sys, const char *path, char **out)
{
	return xasprintf(out, "%s%s", sys->root, path);
}

static const char *read_error_text(int r)
{
	switch (r) {
	case -EISDIR:
		return "a directory, not a file";
	case -EINVAL:
		return "not a regular file";
	case -EFBIG:
		return "larger than 1 MiB: not a configuration file";
	case -ELOOP:
		return "a symbolic link, which is not followed here (no "
		       "openat2(2) to resolve it inside the root)";
	default:
		return strerror(-r);
	}
}

static int read_one(struct vn_sys *sys, const char *name, struct vn_state *st)
{
	_cleanup_free_ char *path = NULL, *shown = NULL, *text = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	int r;

	if ((r = xasprintf(&path, "%s/%s", VN_STATE_DIR, name)) < 0 ||
	    (r = host_name(sys, path, &shown)) < 0)
		return r;
	fd = open_in_root(sys, path, O_RDONLY | O_NONBLOCK);
	r = fd < 0 ? fd : read_regular(fd, VN_STATE_FILE_MAX, &text, &len);
	vn_log(sys, VN_LOG_READ, "read %s%s%s", shown, r < 0 ? ": " : "",
	       r < 0 ? strerror(-r) : "");
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return state_error(st, shown, 0, "cannot be read: %s",
				   read_error_text(r));
	if ((r = strv_push(&st->files, strdup(shown))) < 0)
		return r;
	return vn_state_parse(text, len, shown, st);
}

static bool is_conf_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && streq(name + n - 5, ".conf");
}

/* The *.conf names in the directory, sorted; -ENOENT when it is absent. */
static int conf_names(const struct vn_sys *sys, char ***out)
{
	_cleanup_strv_ char **v = strv_new();
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	if (!v)
		return -ENOMEM;
	fd = open_in_root(sys, VN_STATE_DIR, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while (r == 0 && (de = readdir(d)))
		if (is_conf_name(de->d_name))
			r = strv_push(&v, strdup(de->d_name));
	closedir(d);
	if (r < 0)
		return r;
	strv_sort(v);
	*out = steal_ptr(v);
	return 0;
}

/* ---- owner and group names -------------------------------------------------- */

static bool is_number(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* The id (third field) of name in passwd or group text; -ENOENT. The
 * first line wins, as for nss_files; NIS "+" and "-" lines never match a
 * valid name. */
static int lookup_id(const char *text, const char *name, unsigned int *id)
{
	size_t n = strlen(name);

	for (const char *l = text; *l;
	     l += strcspn(l, "\n") + !!l[strcspn(l, "\n")]) {
		size_t len = strcspn(l, "\n"), k;
		const char *f;
		char num[11];
		unsigned long v;

		if (len <= n || strncmp(l, name, n) != 0 || l[n] != ':')
			continue;
		f = memchr(l + n + 1, ':', len - n - 1); /* past the password */
		if (!f)
			continue;
		k = strspn(++f, "0123456789");
		if (k == 0 || k >= sizeof(num) ||
		    (f[k] != ':' && f[k] != '\n' && f[k]))
			continue;
		memcpy(num, f, k);
		num[k] = '\0';
		if (parse_ulong(num, 10, &v) < 0 || v >= (unsigned int)-1)
			continue;
		*id = (unsigned int)v;
		return 0;
	}
	return -ENOENT;
}

/* One owner (user) or group name of an entry, looked up in text, the
 * contents of the file db (NULL: it could not be read). */
static int resolve_one(struct vn_state *st, const struct vn_entry *e, bool user,
		       const char *text, const char *db, unsigned int *id)
{
	const char *name = user ? e->owner_name : e->group_name;
	_cleanup_free_ char *n = NULL;

	if (is_number(name) || (text && lookup_id(text, name, id) == 0))
		return 0;
	n = esc(name);
	if (!n)
		return -ENOMEM;
	return state_error(st, e->file, user ? e->owner_line : e->group_line,
			   "%s = %s: %s %s", user ? "owner" : "group", n,
			   text ? (user ? "no such user in" :
					  "no such group in") :
				  "cannot be looked up: cannot read",
			   db);
}

int vn_state_resolve_names(struct vn_state *st, const char *passwd,
			   const char *group, const char *where)
{
	_cleanup_free_ char *pw = NULL, *gr = NULL;
	int ret = 0;

	if (xasprintf(&pw, "%s/etc/passwd", where) < 0 ||
	    xasprintf(&gr, "%s/etc/group", where) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < st->n; i++) {
		struct vn_entry *e = &st->v[i];
		int r = 0;

		if (e->has_owner)
			r = resolve_one(st, e, true, passwd, pw, &e->uid);
		if (r != -ENOMEM && e->has_group) {
			int g = resolve_one(st, e, false, group, gr, &e->gid);

			if (g < 0)
				r = g; /* else the owner's answer stands */
		}
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			ret = r;
	}
	return ret;
}

static bool needs_lookup(const struct vn_state *st)
{
	for (size_t i = 0; i < st->n; i++)
		if ((st->v[i].has_owner && !is_number(st->v[i].owner_name)) ||
		    (st->v[i].has_group && !is_number(st->v[i].group_name)))
			return true;
	return false;
}

/* The root's own account files: an image's users are not the host's,
 * and NSS services (LDAP, sssd) may not be there at boot. */
static int read_accounts(struct vn_sys *sys, const char *path, char **out)
{
	_cleanup_close_ int fd = open_in_root(sys, path, O_RDONLY | O_NONBLOCK);
	int r = fd < 0 ? fd : read_regular(fd, VN_READ_ACCOUNTS_MAX, out, NULL);

	vn_log(sys, VN_LOG_READ, "read %s%s%s%s", sys->root, path,
	       r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
	if (r < 0)
		*out = NULL;
	return r == -ENOMEM ? r : 0;
}

static int resolve_names(struct vn_sys *sys, struct vn_state *st)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;

	if (!needs_lookup(st))
		return 0;
	if (read_accounts(sys, "/etc/passwd", &passwd) < 0 ||
	    read_accounts(sys, "/etc/group", &group) < 0)
		return -ENOMEM;
	return vn_state_resolve_names(st, passwd, group, sys->root);
}

int vn_state_read(struct vn_sys *sys, struct vn_state *st)
{
	_cleanup_strv_ char **names = NULL;
	_cleanup_free_ char *shown = NULL;
	int r, bad = 0;

	vn_state_init(st);
	if (!(st->files = strv_new()))
		return -ENOMEM;
	r = conf_names(sys, &names);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		if (r != -ENOMEM && host_name(sys, VN_STATE_DIR, &shown) == 0)
			state_error(st, shown, 0, "cannot be read: %s",
				    strerror(-r));
		return r;
	}
	for (size_t i = 0; names && names[i]; i++) {
		r = read_one(sys, names[i], st);
		if (r == -ENOMEM)
			return r;
		bad |= r < 0;
	}
	r = resolve_names(sys, st);
	if (r == -ENOMEM)
		return r;
	return bad || r < 0 ? -EINVAL : 0;
}

/* ---- rendering ----------------------------------------------------------- */

/* "# " before each line of comment, escaped, so that the result is one
 * comment line per line whatever the text holds. */
static int put_comment(FILE *f, const char *comment)
{
	_cleanup_free_ char *copy = NULL;
	char *line, *save = NULL;

	if (!comment)
		return 0;
	copy = strdup(comment);
	if (!copy)
		return -ENOMEM;
	for (char *it = copy; (line = strtok_r(it, "\n", &save)); it = NULL) {
		_cleanup_free_ char *e = vn_escape(line);

		if (!e)
			return -ENOMEM;
		fprintf(f, "# %s\n", e);
	}
	return 0;
}

/* A memstream writing *buf, the comment already in it. */
static int render_open(const char *comment, FILE **f, char **buf, size_t *len)
{
	*f = open_memstream(buf, len);
	if (!*f)
		return -ENOMEM;
	if (put_comment(*f, comment) < 0) {
		fclose(*f);
		free(*buf);
		return -ENOMEM;
	}
	return 0;
}

/* Close the memstream that writes *buf (set by fclose) into *text. */
static int render_close(FILE *f, char **buf, char **text)
{
	if (fclose(f) != 0) {
		free(*buf);
		return -ENOMEM;
	}
	*text = *buf;
	return 0;
}

static bool entry_writable(const struct vn_entry *e)
{
	struct vn_ident again = { 0 };
	_cleanup_free_ char *line = NULL;
	const char *why;
	bool ok;

	if (!e->match.value ||
	    xasprintf(&line, "%s %s", vn_ident_kind_name(e->match.kind),
		      e->match.value) < 0 ||
	    vn_ident_parse(line, &again, &why) < 0)
		return false;
	ok = vn_ident_equal(&again, &e->match);
	vn_ident_clear(&again);
	return ok && (!e->driver || streq(e->driver, "vfio-pci")) &&
	       (!e->has_owner || !e->owner_name || name_ok(e->owner_name)) &&
	       (!e->has_group || !e->group_name || name_ok(e->group_name)) &&
	       (!e->has_mode || e->mode <= 0777) &&
	       !(e->has_id && e->match.kind == VN_IDENT_ID);
}

int vn_entry_render(const struct vn_entry *e, const char *comment, char **text)
{
	_cleanup_free_ char *ids = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!entry_writable(e))
		return -EINVAL;
	if (e->has_id && vn_ids_format(&e->id, &ids) < 0)
		return -ENOMEM;
	if (render_open(comment, &f, &buf, &len) < 0)
		return -ENOMEM;
	fprintf(f, "[device]\nmatch = %s %s\n",
		vn_ident_kind_name(e->match.kind), e->match.value);
	if (ids)
		fprintf(f, "id = %s\n", ids);
	fprintf(f, "driver = %s\n", e->driver ? e->driver : "vfio-pci");
	if (e->has_owner && e->owner_name)
		fprintf(f, "owner = %s\n", e->owner_name);
	else if (e->has_owner)
		fprintf(f, "owner = %u\n", (unsigned int)e->uid);
	if (e->has_group && e->group_name)
		fprintf(f, "group = %s\n", e->group_name);
	else if (e->has_group)
		fprintf(f, "group = %u\n", (unsigned int)e->gid);
	if (e->has_mode)
		fprintf(f, "mode = %04o\n", (unsigned int)e->mode);
	return render_close(f, &buf, text);
}

int vn_noiommu_render(bool on, const char *comment, char **text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (render_open(comment, &f, &buf, &len) < 0)
		return -ENOMEM;
	fprintf(f, "[noiommu]\nmode = %s\n", on ? "on" : "off");
	return render_close(f, &buf, text);
}

int vn_entry_file_name(const struct vn_ident *id, char **name)
{
	int r;

	if (!id->value || strpbrk(id->value, " \t\n"))
		return -EINVAL;
	r = xasprintf(name, "50-%s-%s.conf", vn_ident_kind_name(id->kind),
		      id->value);
	if (r < 0)
		return r;
	/* Canonical values hold [0-9a-f.:/-]; ':' is awkward in file names
	 * (scp, make) and '/' impossible. No kind uses both ':' and '-', so
	 * the name stays one-to-one with the identity. */
	for (char *c = *name; *c; c++) {
		if (*c == ':')
			*c = '-';
		else if (*c == '/')
			*c = '_';
	}
	return 0;
}
