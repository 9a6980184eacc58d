// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A device's identities (Device Serial Number, topological path) and
 * matching the declared entries (state.c) to the devices present.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "bdf.h"
#include "pci.h"
#include "state.h"
#include "sys.h"
#include "util.h"

#define CFG_SPACE_SIZE 0x100 /* PCI_CFG_SPACE_SIZE */
#define CFG_SPACE_EXP_SIZE 0x1000 /* PCI_CFG_SPACE_EXP_SIZE */
#define EXT_CAP_ID_DSN 0x0003 /* PCI_EXT_CAP_ID_DSN */
#define HEADER_TYPE 0x0e /* PCI_HEADER_TYPE; bit 7: multi-function */

/* ---- Device Serial Number ------------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int vn_dsn_from_config(const uint8_t *cfg, size_t len, uint64_t *dsn)
{
	/* At most one capability per 8 bytes of extended space, as the
	 * kernel bounds it: a chain that loops ends here too. */
	int ttl = (CFG_SPACE_EXP_SIZE - CFG_SPACE_SIZE) / 8;
	size_t pos = CFG_SPACE_SIZE;

	/* A function that is gone or in error reads all ones. Vendor and
	 * device alone are not enough: an SR-IOV VF's read all ones too
	 * (the kernel takes its IDs from the PF, drivers/pci/iov.c
	 * pci_iov_scan_device), while its class code is real. */
	if (len >= 12 && le32(cfg) == UINT32_MAX && le32(cfg + 8) == UINT32_MAX)
		return -EIO;
	while (ttl-- > 0 && pos >= CFG_SPACE_SIZE && pos + 4 <= len) {
		uint32_t header = le32(cfg + pos);
		uint64_t v;

		if (header == 0)
			break;
		if ((header & 0xffff) != EXT_CAP_ID_DSN) {
			pos = (header >> 20) & 0xffc; /* PCI_EXT_CAP_NEXT */
			continue;
		}
		/* The lower dword first (drivers/pci/pci.c, pci_get_dsn). */
		if (pos + 12 > len)
			break;
		v = le32(cfg + pos + 4) | (uint64_t)le32(cfg + pos + 8) << 32;
		/* 0 is what pci_get_dsn() returns for "none"; all ones is
		 * another blank: neither identifies anything. */
		if (v == 0 || v == UINT64_MAX)
			break;
		*dsn = v;
		return 1;
	}
	return 0;
}

void vn_dsn_format(uint64_t dsn, char out[VN_SERIAL_MAX])
{
	/* Most significant byte first, as lspci's ls-ecaps.c cap_dsn(). */
	snprintf(out, VN_SERIAL_MAX, "%02x-%02x-%02x-%02x-%02x-%02x-%02x-%02x",
		 (unsigned int)(dsn >> 56) & 0xff,
		 (unsigned int)(dsn >> 48) & 0xff,
		 (unsigned int)(dsn >> 40) & 0xff,
		 (unsigned int)(dsn >> 32) & 0xff,
		 (unsigned int)(dsn >> 24) & 0xff,
		 (unsigned int)(dsn >> 16) & 0xff,
		 (unsigned int)(dsn >> 8) & 0xff, (unsigned int)dsn & 0xff);
}

/*
 * Config space as far as we may read it. The sysfs file's size is the
 * device's config size (256 or 4096), but the kernel gives a reader
 * without CAP_SYS_ADMIN only the first 64 bytes (drivers/pci/pci-sysfs.c,
 * pci_read_config): fewer bytes than the size is -EACCES, never "no
 * capability".
 */
static int read_config(const struct vn_sys *sys, const char *bdf, uint8_t *buf,
		       size_t *len)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t got = 0, want;
	ssize_t n;

	fd = vn_open(sys, O_RDONLY | O_NONBLOCK,
		     "/sys/bus/pci/devices/%s/config", bdf);
	vn_log(sys, VN_LOG_READ, "read /sys/bus/pci/devices/%s/config%s%s", bdf,
	       fd < 0 ? ": " : "", fd < 0 ? strerror(-fd) : "");
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	want = (uint64_t)st.st_size < CFG_SPACE_EXP_SIZE ? (size_t)st.st_size :
							   CFG_SPACE_EXP_SIZE;
	while (got < want) {
		n = pread(fd, buf + got, want - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*len = got;
	return got < want ? -EACCES : 0;
}

static void ident_read_dsn(const struct vn_sys *sys, const struct vn_dev *dev,
			   struct vn_dev_ident *id)
{
	uint8_t cfg[CFG_SPACE_EXP_SIZE];
	size_t len = 0;
	int r;

	id->dsn_read = true;
	r = read_config(sys, dev->bdf, cfg, &len);
	if (r == 0)
		r = vn_dsn_from_config(cfg, len, &id->dsn);
	if (r < 0) {
		id->dsn_state = VN_DSN_UNREADABLE;
		id->dsn_err = r;
		return;
	}
	id->multifunction = len > HEADER_TYPE && (cfg[HEADER_TYPE] & 0x80);
	id->dsn_state = r ? VN_DSN_PRESENT : VN_DSN_NONE;
	if (r)
		vn_dsn_format(id->dsn, id->serial);
}

/* ---- topological path ------------------------------------------------------ */

/* "pciDDDD:BB": a root bus's directory (drivers/pci/probe.c,
 * pci_register_host_bridge names it so). */
static bool is_root_bus(const char *s, size_t n)
{
	size_t d;

	if (n < 3 || strncmp(s, "pci", 3) != 0)
		return false;
	d = strspn(s + 3, "0123456789abcdef");
	return d >= 4 && 3 + d + 3 == n && s[3 + d] == ':' &&
	       strspn(s + 4 + d, "0123456789abcdef") >= 2;
}

int vn_pci_path_from_syspath(const char *syspath, char **out)
{
	const char *start = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r = 0, level = 0;

	for (const char *c = syspath; *c; c += strcspn(c, "/"), c += !!*c)
		if (is_root_bus(c, strcspn(c, "/")))
			start = c + strcspn(c, "/");
	if (!start || !*start)
		return -EINVAL;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	for (const char *c = start + 1; r == 0 && *c; level++) {
		size_t n = strcspn(c, "/");
		char name[VN_BDF_MAX];
		struct vn_bdf b;

		if (n >= sizeof(name)) {
			r = -EINVAL;
			break;
		}
		memcpy(name, c, n);
		name[n] = '\0';
		r = vn_bdf_parse(name, &b);
		if (r == 0 && level == 0)
			fprintf(f, "%04x:%02x:%02x.%x", b.domain, b.bus, b.dev,
				b.fn);
		else if (r == 0)
			fprintf(f, "/%02x.%x", b.dev, b.fn);
		c += n + !!c[n];
	}
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0 || level == 0) {
		free(buf);
		return r < 0 ? r : -EINVAL;
	}
	*out = buf;
	return 0;
}

static void ident_read_path(const struct vn_sys *sys, const struct vn_dev *dev,
			    struct vn_dev_ident *id)
{
	_cleanup_free_ char *target = NULL;

	id->path_read = true;
	if (vn_read_link(sys, &target, "/sys/bus/pci/devices/%s", dev->bdf) ==
	    0)
		(void)vn_pci_path_from_syspath(target, &id->path);
}

void vn_dev_ident_clear(struct vn_dev_ident *id)
{
	free(id->path);
	*id = (struct vn_dev_ident){ 0 };
}

int vn_dev_ident_read(struct vn_sys *sys, const struct vn_dev *dev,
		      struct vn_dev_ident *id)
{
	*id = (struct vn_dev_ident){ 0 };
	ident_read_dsn(sys, dev, id);
	ident_read_path(sys, dev, id);
	return 0;
}

int vn_entry_for(struct vn_sys *sys, const struct vn_dev *dev,
		 struct vn_entry *e)
{
	struct vn_dev_ident id;
	struct vn_bdf b;
	int r;

	*e = (struct vn_entry){ 0 };
	vn_dev_ident_read(sys, dev, &id);
	if (id.dsn_state == VN_DSN_UNREADABLE)
		r = id.dsn_err;
	else if (id.dsn_state == VN_DSN_PRESENT && id.multifunction &&
		 vn_bdf_parse(dev->bdf, &b) == 0)
		r = xasprintf(&e->match.value, "%s.%x", id.serial, b.fn);
	else if (id.dsn_state == VN_DSN_PRESENT)
		r = xasprintf(&e->match.value, "%s", id.serial);
	else
		r = id.path ? xasprintf(&e->match.value, "%s", id.path) :
			      -EINVAL;
	e->match.kind = id.dsn_state == VN_DSN_PRESENT ? VN_IDENT_SERIAL :
							 VN_IDENT_PATH;
	vn_dev_ident_clear(&id);
	if (r < 0)
		return r;
	e->has_id = true;
	e->id = (struct vn_ids){ dev->vendor, dev->device, dev->subvendor,
				 dev->subdevice, true };
	e->driver = strdup("vfio-pci");
	if (!e->driver) {
		vn_entry_clear(e);
		return -ENOMEM;
	}
	return 0;
}

/* ---- matching -------------------------------------------------------------- */

static const char *const result_names[] = {
	[VN_MATCH_OK] = "ok",
	[VN_MATCH_NONE] = "no-device",
	[VN_MATCH_AMBIGUOUS] = "ambiguous",
	[VN_MATCH_IDS_CHANGED] = "ids-changed",
	[VN_MATCH_UNREADABLE] = "unreadable",
	[VN_MATCH_OVERRIDDEN] = "overridden",
};

const char *vn_match_result_name(enum vn_match_result r)
{
	return (size_t)r < ARRAY_SIZE(result_names) ? result_names[r] : "?";
}

void vn_matches_clear(struct vn_matches *m)
{
	for (size_t i = 0; i < m->n; i++) {
		strv_free(m->v[i].bdfs);
		strv_free(m->v[i].overridden);
		free(m->v[i].reason);
	}
	free(m->v);
	*m = (struct vn_matches){ 0 };
}

const struct vn_match *vn_matches_find(const struct vn_matches *m,
				       const char *bdf)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].result == VN_MATCH_OK &&
		    strv_contains(m->v[i].bdfs, bdf))
			return &m->v[i];
	return NULL;
}

/* The devices and their identities, each read once, when first needed. */
struct matcher {
	struct vn_sys *sys;
	const struct vn_dev_list *devs;
	struct vn_dev_ident *ids;
	int unreadable_err; /* why a serial could not be read, first seen */
};

/* Does device i carry the entry's identity? 1 yes, 0 no, -1 unknown (its
 * serial number cannot be read). */
static int names_device(struct matcher *m, const struct vn_entry *e,
			const struct vn_ids *ids, size_t i)
{
	const struct vn_dev *dev = m->devs->devs[i];
	struct vn_dev_ident *id = &m->ids[i];
	const char *v = e->match.value;
	struct vn_bdf b;

	switch (e->match.kind) {
	case VN_IDENT_SERIAL:
		if (!id->dsn_read)
			ident_read_dsn(m->sys, dev, id);
		if (id->dsn_state == VN_DSN_UNREADABLE) {
			m->unreadable_err = m->unreadable_err ?: id->dsn_err;
			return -1;
		}
		if (id->dsn_state == VN_DSN_NONE ||
		    strncmp(v, id->serial, VN_SERIAL_MAX - 1) != 0)
			return 0;
		/* "serial X.F": one function of a multi-function card. */
		return !v[VN_SERIAL_MAX - 1] ||
		       (vn_bdf_parse(dev->bdf, &b) == 0 &&
			(unsigned int)(v[VN_SERIAL_MAX] - '0') == b.fn);
	case VN_IDENT_PATH:
		if (!id->path_read)
			ident_read_path(m->sys, dev, id);
		return streq_ptr(id->path, v);
	case VN_IDENT_ID:
		return vn_ids_match(ids, dev);
	case VN_IDENT_BDF:
		return streq(dev->bdf, v);
	}
	return 0;
}

static const char *unreadable_text(int err)
{
	switch (err) {
	case -EACCES:
	case -EPERM:
		return "config space past its first 64 bytes is readable by "
		       "root only";
	case -ENOENT:
		return "config space is not in this tree";
	case -EIO:
		return "a device does not answer config space reads";
	default:
		return strerror(-err);
	}
}

static int ids_text(const struct vn_ids *want, const struct vn_dev *dev,
		    char **out)
{
	struct vn_ids have = { dev->vendor, dev->device, dev->subvendor,
			       dev->subdevice, want->has_sub };

	return vn_ids_format(&have, out);
}

/* The devices the entry names (*first: the first of them), and how many
 * might be named but cannot be told (their serial numbers cannot be
 * read). */
static int collect(struct matcher *m, const struct vn_entry *e, char **hits[],
		   const struct vn_dev **first, size_t *unknown)
{
	struct vn_ids ids = e->id;
	int r = 0;

	if (e->match.kind == VN_IDENT_ID &&
	    vn_ids_parse(e->match.value, &ids) < 0)
		return -EINVAL;
	for (size_t i = 0; r == 0 && i < m->devs->n; i++) {
		const struct vn_dev *dev = m->devs->devs[i];
		int named = names_device(m, e, &ids, i);

		*unknown += named < 0;
		if (named <= 0)
			continue;
		if (!*first)
			*first = dev;
		r = strv_push(hits, strdup(dev->bdf));
	}
	return r;
}

/* "0000:03:00.0 is 8086:1533, not 8086:10d3 as declared: ..." */
static int ids_changed_text(const struct vn_entry *e, const struct vn_dev *dev,
			    char **out)
{
	_cleanup_free_ char *want = NULL, *have = NULL;

	if (ids_text(&e->id, dev, &have) < 0 ||
	    vn_ids_format(&e->id, &want) < 0)
		return -ENOMEM;
	return xasprintf(out, "%s is %s, not %s as declared: another device",
			 dev->bdf, have, want);
}

/* The entry's result before precedence, and its reason. */
static int judge(struct matcher *m, const struct vn_entry *e,
		 struct vn_match *mt)
{
	_cleanup_strv_ char **hits = strv_new();
	_cleanup_free_ char *list = NULL;
	const char *kind = vn_ident_kind_name(e->match.kind);
	const struct vn_dev *first = NULL;
	size_t unknown = 0, n;
	int r;

	if (!hits)
		return -ENOMEM;
	m->unreadable_err = 0;
	r = collect(m, e, &hits, &first, &unknown);
	if (r < 0)
		return r;
	n = strv_len(hits);
	if (n > 1 && e->match.kind != VN_IDENT_ID) {
		mt->result = VN_MATCH_AMBIGUOUS;
		list = strv_join(hits, ", ");
		r = !list ? -ENOMEM :
			    xasprintf(&mt->reason,
				      "%zu functions have %s %s (%s): name "
				      "one by serial with .F, by path or by "
				      "bdf",
				      n, kind, e->match.value, list);
	} else if (n == 1 && first && e->has_id &&
		   !vn_ids_match(&e->id, first)) {
		mt->result = VN_MATCH_IDS_CHANGED;
		r = ids_changed_text(e, first, &mt->reason);
	} else if (n == 0 && unknown) {
		mt->result = VN_MATCH_UNREADABLE;
		r = xasprintf(&mt->reason,
			      "the serial numbers of %zu functions are "
			      "unknown: %s",
			      unknown, unreadable_text(m->unreadable_err));
	} else if (n == 0) {
		mt->result = VN_MATCH_NONE;
		r = xasprintf(&mt->reason, "no PCI function has %s %s", kind,
			      e->match.value);
	} else {
		mt->result = VN_MATCH_OK;
	}
	mt->bdfs = steal_ptr(hits);
	return r;
}

/* Remove s from v (it is there once); the string is handed to *to. */
static int strv_move(char **v, const char *s, char ***to)
{
	/* False positive: the caller found s in v, so v is not NULL. */
	// NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
	for (size_t i = 0; v[i]; i++) {
		if (!streq(v[i], s))
			continue;
		char *taken = v[i];

		memmove(&v[i], &v[i + 1], strv_len(v + i) * sizeof(*v));
		return strv_push(to, taken);
	}
	return 0;
}

/* A device named by several OK entries belongs to the last one. */
static int apply_precedence(struct vn_matches *out,
			    const struct vn_dev_list *devs, size_t *by)
{
	int r = 0;

	for (size_t d = 0; r == 0 && d < devs->n; d++) {
		const char *bdf = devs->devs[d]->bdf;
		size_t last = SIZE_MAX;

		for (size_t i = out->n; i-- > 0 && r == 0;) {
			struct vn_match *mt = &out->v[i];

			if (mt->result != VN_MATCH_OK ||
			    !strv_contains(mt->bdfs, bdf))
				continue;
			if (last == SIZE_MAX) {
				last = i;
				continue;
			}
			by[i] = last;
			r = strv_move(mt->bdfs, bdf, &mt->overridden);
		}
	}
	return r;
}

static int mark_overridden(struct vn_matches *out, const size_t *by)
{
	for (size_t i = 0; i < out->n; i++) {
		struct vn_match *mt = &out->v[i];
		_cleanup_free_ char *file = NULL;
		const struct vn_entry *e;

		/* False positive: judge() gives every entry it judged a
		 * vector, and match_all() stops at the first error. */
		// NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
		if (mt->result != VN_MATCH_OK || mt->bdfs[0])
			continue;
		e = out->v[by[i]].entry;
		mt->result = VN_MATCH_OVERRIDDEN;
		file = vn_escape(e->file);
		if (!file || xasprintf(&mt->reason,
				       "every device it names is declared "
				       "again later, at %s:%u",
				       file, e->line) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int match_all(struct matcher *m, const struct vn_state *st,
		     struct vn_matches *out)
{
	_cleanup_free_ size_t *by = calloc(st->n ? st->n : 1, sizeof(*by));
	int r = 0;

	if (!by)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < st->n; i++) {
		out->v[i].entry = &st->v[i];
		/* gcc 12's analyzer loses pointers stored into the caller's
		 * array; vn_matches_clear() frees them. */
		VN_ANALYZER_FP_BEGIN("-Wanalyzer-malloc-leak")
		out->v[i].overridden = strv_new();
		r = out->v[i].overridden ? judge(m, &st->v[i], &out->v[i]) :
					   -ENOMEM;
		VN_ANALYZER_FP_END
		out->n++;
	}
	if (r == 0)
		r = apply_precedence(out, m->devs, by);
	return r < 0 ? r : mark_overridden(out, by);
}

int vn_state_match(struct vn_sys *sys, const struct vn_state *st,
		   const struct vn_dev_list *devs, struct vn_matches *out)
{
	struct matcher m = { .sys = sys, .devs = devs };
	int r;

	*out = (struct vn_matches){ 0 };
	m.ids = calloc(devs->n ? devs->n : 1, sizeof(*m.ids));
	out->v = calloc(st->n ? st->n : 1, sizeof(*out->v));
	r = m.ids && out->v ? match_all(&m, st, out) : -ENOMEM;
	for (size_t i = 0; m.ids && i < devs->n; i++)
		vn_dev_ident_clear(&m.ids[i]);
	free(m.ids);
	if (r < 0)
		vn_matches_clear(out);
	return r;
}
