// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <zlib.h>

#include "cmdline.h"
#include "kernel.h"
#include "kmod.h"
#include "sys.h"
#include "uapi.h"

/* The symbols the capability answers are built from. */
static const char *const wanted_syms[] = {
	"VFIO",
	"VFIO_GROUP",
	"VFIO_CONTAINER",
	"VFIO_DEVICE_CDEV",
	"VFIO_NOIOMMU",
	"VFIO_PCI",
	"IOMMUFD",
	"IOMMUFD_NOIOMMU",
	"IOMMUFD_VFIO_CONTAINER",
	"GENERIC_ATOMIC64",
};

void vn_kconfig_clear(struct vn_kconfig *kc)
{
	free(kc->source);
	free(kc->skipped);
	strv_free(kc->syms);
	*kc = (struct vn_kconfig){ 0 };
}

/* Copy the symbol name [p, end) into name; false when it does not fit. */
static bool take_name(const char *p, const char *end, char *name, size_t namesz)
{
	size_t n = (size_t)(end - p);

	if (!n || n >= namesz)
		return false;
	memcpy(name, p, n);
	name[n] = '\0';
	return true;
}

int vn_kconfig_parse_line(const char *line, char *name, size_t namesz,
			  char *value, size_t valsz)
{
	const char *p, *end;

	if (startswith(line, "# CONFIG_")) {
		p = line + strlen("# CONFIG_");
		end = strstr(p, " is not set");
		if (!end || !take_name(p, end, name, namesz))
			return 0;
		snprintf(value, valsz, "n");
		return 1;
	}
	if (!startswith(line, "CONFIG_"))
		return 0;
	p = line + strlen("CONFIG_");
	end = strchr(p, '=');
	if (!end || !take_name(p, end, name, namesz))
		return 0;
	snprintf(value, valsz, "%s", end + 1);
	strip_trailing(value);
	return 1;
}

/* The first W (WN bytes) in [s, end), or NULL: memchr for its first byte,
 * then a compare. glibc's memmem sets up a two-way search at each call,
 * which for names of twenty bytes cost more than the search. */
static const char *find(const char *s, const char *end, const char *w,
			size_t wn)
{
	while ((size_t)(end - s) >= wn) {
		s = memchr(s, w[0], (size_t)(end - s) - wn + 1);
		if (!s)
			return NULL;
		if (!memcmp(s, w, wn))
			return s;
		s++;
	}
	return NULL;
}

/* Every VFIO and IOMMU symbol too: report shows them. The name is
 * [name, end), not NUL-terminated. */
static bool wanted(const char *name, const char *end)
{
	size_t n = (size_t)(end - name);

	if (find(name, end, "VFIO", 4) || find(name, end, "IOMMU", 5))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(wanted_syms); i++)
		if (strlen(wanted_syms[i]) == n &&
		    !memcmp(name, wanted_syms[i], n))
			return true;
	return false;
}

/* The name a config line [line, end) would set, found with the same
 * delimiters as vn_kconfig_parse_line, before anything is copied: most
 * of a config's thousands of lines are for other symbols, and formatting
 * each of them cost status more than inflating the file. */
static bool wanted_line(const char *line, const char *end)
{
	size_t len = (size_t)(end - line);
	const char *p, *e;

	if (len > 9 && !memcmp(line, "# CONFIG_", 9)) {
		p = line + 9;
		e = find(p, end, " is not set", 11);
	} else if (len > 7 && !memcmp(line, "CONFIG_", 7)) {
		p = line + 7;
		e = memchr(p, '=', (size_t)(end - p));
	} else {
		return false;
	}
	return e && wanted(p, e);
}

static void gzclosep(gzFile *f)
{
	if (*f)
		gzclose(*f);
}

/* A regular file only: a FIFO would block and a device never end. */
static gzFile open_regular_gz(const char *path, int *err)
{
	_cleanup_close_ int fd =
		open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	gzFile f;

	*err = 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		*err = -errno;
	else if (!S_ISREG(st.st_mode))
		*err = -EINVAL;
	if (*err)
		return NULL;
	f = gzdopen(fd, "rb");
	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	/* gzclose closes it: disarm _cleanup_close_, which clang's
	 * analyzer does not model. */
	fd = -1; // NOLINT(clang-analyzer-deadcode.DeadStores)
	return f;
}

/* The whole uncompressed text into *buf (*len bytes), at most
 * VN_KCONFIG_MAX: past that -EFBIG, so that a compressed bomb or a link
 * to /dev/zero in a tree ends. zlib reads plain files transparently, so
 * one reader serves all sources. */
static int kconfig_slurp(gzFile f, char **buf, size_t *len)
{
	_cleanup_free_ char *b = NULL;
	size_t n = 0, size = 0;
	int zerr;

	for (;;) {
		int got;

		if (n == size) {
			size_t want = size ? size * 2 : 256u << 10;
			char *nb;

			/* One byte past the limit tells a file that is over. */
			if (size > VN_KCONFIG_MAX)
				return -EFBIG;
			if (want > VN_KCONFIG_MAX)
				want = VN_KCONFIG_MAX + 1;
			nb = realloc(b, want);
			if (!nb)
				return -ENOMEM;
			b = nb;
			size = want;
		}
		got = gzread(f, b + n, (unsigned int)(size - n));
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	if (n > VN_KCONFIG_MAX)
		return -EFBIG;
	/* Z_BUF_ERROR: cut short; Z_DATA_ERROR: corrupt. */
	gzerror(f, &zerr);
	if (zerr != Z_OK)
		return zerr == Z_MEM_ERROR ? -ENOMEM : -EBADMSG;
	*buf = steal_ptr(b);
	*len = n;
	return 0;
}

/* The line [p, end) as vn_kconfig_parse_line takes it: NUL-terminated,
 * cut at 511 bytes as a line buffer of 512 would. "NAME=VALUE" into *v
 * when it sets a symbol. */
static int kconfig_take(const char *p, const char *end, char ***v)
{
	char line[512], name[128], value[256];
	size_t n = (size_t)(end - p);
	char *s;
	int r;

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, p, n);
	line[n] = '\0';
	if (vn_kconfig_parse_line(line, name, sizeof(name), value,
				  sizeof(value)) != 1)
		return 0;
	r = xasprintf(&s, "%s=%s", name, value);
	if (r < 0)
		return r;
	return strv_push(v, s);
}

static int kconfig_read(const char *path, char ***syms)
{
	_cleanup_(gzclosep) gzFile f = NULL;
	_cleanup_strv_ char **v = strv_new();
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	if (!v)
		return -ENOMEM;
	f = open_regular_gz(path, &r);
	if (!f)
		return r;
	/* /proc/config.gz in one read(2), not 8 KiB at a time. */
	gzbuffer(f, 128u << 10);
	r = kconfig_slurp(f, &buf, &len);
	if (r < 0)
		return r;
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (wanted_line(p, eol) && (r = kconfig_take(p, eol, &v)) < 0)
			return r;
		p = nl ? nl + 1 : end;
	}
	*syms = steal_ptr(v);
	return 0;
}

int vn_kconfig_load(struct vn_sys *sys, struct vn_kconfig *kc)
{
	const char *rel = vn_sys_release(sys);
	char disp[PATH_MAX], path[PATH_MAX];
	const char *fmts[] = {
		"/proc/config.gz",
		"/boot/config-%s",
		"/usr/lib/modules/%s/config",
		"/lib/modules/%s/config",
	};

	*kc = (struct vn_kconfig){ 0 };
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		int r;

		if (i > 0 && !rel)
			break;
		snprintf(disp, sizeof(disp), fmts[i], rel);
		if (vn_path(sys, path, sizeof(path), "%s", disp) < 0 ||
		    access(path, R_OK) < 0)
			continue;
		r = kconfig_read(path, &kc->syms);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			if (!kc->skipped) {
				kc->skipped = strdup(disp);
				kc->skipped_err = r;
			}
			continue;
		}
		kc->source = strdup(disp);
		if (!kc->source)
			return -ENOMEM;
		return 0;
	}
	return 0;
}

char vn_kconfig_line(const struct vn_kconfig *kc, const char *sym)
{
	size_t n = strlen(sym);

	if (!kc->source)
		return '?';
	for (size_t i = 0; kc->syms && kc->syms[i]; i++) {
		const char *s = kc->syms[i];

		if (!strncmp(s, sym, n) && s[n] == '=') {
			char v = s[n + 1];

			return (char)(v == 'y' || v == 'm' ? v : 'n');
		}
	}
	return 0;
}

char vn_kconfig_get(const struct vn_kconfig *kc, const char *sym)
{
	char v = vn_kconfig_line(kc, sym);

	if (!v)
		return 'n'; /* absent from the config */
	return v;
}

/*
 * When the symbols the answers lean on appeared, and what the kernel did
 * before them (doc/kernel.md §1.1): before 6.2 vfio.ko always holds the
 * legacy container and there is no iommufd; before 6.6 it always holds
 * the group interface and no VFIO device gets a cdev; before 7.3 no
 * no-IOMMU device gets a cdev. Symbols older than 6.1 are not listed.
 */
struct sym_history {
	const char *sym;
	int major, minor;
	bool part_of_vfio; /* before it, every VFIO had the feature */
	const char *before; /* what the kernel did before, in words */
};

static const struct sym_history sym_history[] = {
	{ "VFIO_CONTAINER", 6, 2, true,
	  "the legacy container is part of every VFIO" },
	{ "IOMMUFD", 6, 2, false, "there is no iommufd" },
	{ "IOMMUFD_VFIO_CONTAINER", 6, 2, false,
	  "only VFIO provides /dev/vfio/vfio" },
	{ "VFIO_GROUP", 6, 6, true,
	  "the group interface is part of every VFIO" },
	{ "VFIO_DEVICE_CDEV", 6, 6, false, "VFIO devices get no cdev" },
	{ "IOMMUFD_NOIOMMU", 7, 3, false, "no-IOMMU devices get no cdev" },
};

static const struct sym_history *history_of(const char *sym)
{
	for (size_t i = 0; i < ARRAY_SIZE(sym_history); i++)
		if (streq(sym, sym_history[i].sym))
			return &sym_history[i];
	return NULL;
}

int vn_kconfig_since(const char *sym, int *major, int *minor)
{
	const struct sym_history *h = history_of(sym);

	if (!h)
		return -ENOENT;
	*major = h->major;
	*minor = h->minor;
	return 0;
}

static bool release_version(const char *release, int *major, int *minor)
{
	return release && sscanf(release, "%d.%d", major, minor) == 2;
}

bool vn_release_predates(const char *release, const char *sym)
{
	const struct sym_history *h = history_of(sym);
	int ma, mi;

	if (!h || !release_version(release, &ma, &mi))
		return false;
	return !vn_release_at_least(release, h->major, h->minor);
}

int vn_parse_proc_devices(const char *text, const char *name)
{
	bool in_char = false;
	const char *p = text;

	while (p && *p) {
		const char *eol = strchrnul(p, '\n');
		char line[128], dname[96];
		size_t n = (size_t)(eol - p);
		int major;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = *eol ? eol + 1 : eol;
		if (streq(line, "Character devices:")) {
			in_char = true;
			continue;
		}
		if (!line[0] || startswith(line, "Block devices:")) {
			in_char = false;
			continue;
		}
		if (in_char && sscanf(line, "%d %95s", &major, dname) == 2 &&
		    streq(dname, name))
			return major;
	}
	return -ENOENT;
}

int vn_parse_proc_misc(const char *text, const char *name)
{
	const char *p = text;

	while (p && *p) {
		char dname[96];
		int minor;

		if (sscanf(p, "%d %95s", &minor, dname) == 2 &&
		    streq(dname, name))
			return minor;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

int vn_proc_devices_char_major(const struct vn_sys *sys, const char *name)
{
	const char *text;
	int r = vn_sys_cached_text(sys, VN_CACHED_DEVICES, &text);

	return r < 0 ? r : vn_parse_proc_devices(text, name);
}

int vn_proc_misc_minor(const struct vn_sys *sys, const char *name)
{
	const char *text;
	int r = vn_sys_cached_text(sys, VN_CACHED_MISC, &text);

	return r < 0 ? r : vn_parse_proc_misc(text, name);
}

bool vn_kernel_has_cdev(const struct vn_sys *sys)
{
	/* The region exists only with VFIO_DEVICE_CDEV, once vfio is in
	 * (doc/kernel.md §1.3). */
	return vn_proc_devices_char_major(sys, "vfio-dev") >= 0;
}

bool vn_release_at_least(const char *release, int major, int minor)
{
	int ma = 0, mi = 0;

	if (!release || sscanf(release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

const char *vn_tri_str(enum vn_tri t)
{
	return t == VN_YES ? "yes" : t == VN_NO ? "no" : "unknown";
}

enum vn_getpa_probe vn_probe_getpa(const struct vn_sys *sys)
{
	struct vn_iommu_ioas_noiommu_get_pa pa = {
		.size = sizeof(pa),
		.length = 1,
		.ioas_id = 0,
	};
	_cleanup_close_ int fd = -1;

	/* An ioctl answers only on the real host, and /dev/iommu is opened
	 * only when iommufd is registered: the node is never a static one
	 * that would load a module. */
	if (!vn_sys_is_host(sys) || vn_proc_misc_minor(sys, "iommu") < 0)
		return VN_GETPA_NOT_RUN;
	fd = vn_open(sys, O_RDWR, "/dev/iommu");
	if (fd < 0)
		return VN_GETPA_NOT_RUN;
	if (ioctl(fd, VN_IOMMU_IOAS_NOIOMMU_GET_PA, &pa) == 0)
		return VN_GETPA_BUILT; /* id 0 never exists; cannot happen */
	switch (errno) {
	case EOPNOTSUPP:
		return VN_GETPA_NOT_BUILT;
	case EPERM:
		return VN_GETPA_NO_RAWIO;
	case ENOENT:
		return VN_GETPA_BUILT;
	case ENOTTY:
		return VN_GETPA_TOO_OLD;
	default:
		return VN_GETPA_NOT_RUN;
	}
}

static int answer(struct vn_answer *a, enum vn_tri v, const char *fmt, ...)
	_printf_(3, 4);
static int answer(struct vn_answer *a, enum vn_tri v, const char *fmt, ...)
{
	va_list ap;
	int r;

	free(a->source);
	a->value = v;
	va_start(ap, fmt);
	r = xvasprintf(&a->source, fmt, ap);
	va_end(ap);
	return r;
}

static enum vn_tri tri_and(enum vn_tri a, enum vn_tri b)
{
	if (a == VN_NO || b == VN_NO)
		return VN_NO;
	if (a == VN_UNKNOWN || b == VN_UNKNOWN)
		return VN_UNKNOWN;
	return VN_YES;
}

static bool mod_present(enum vn_mod_state s)
{
	return s == VN_MOD_LOADED || s == VN_MOD_BUILTIN;
}

/* The history of SYM when this kernel predates it and its config does
 * not say otherwise (a config line wins: distributions backport). */
static const struct sym_history *predated(const struct vn_caps *c,
					  const char *sym)
{
	char v = vn_kconfig_line(&c->config, sym);

	if ((v && v != '?') || !vn_release_predates(c->release, sym))
		return NULL;
	return history_of(sym);
}

static int predates_answer(struct vn_caps *c, struct vn_answer *a,
			   const struct sym_history *h)
{
	int ma = 0, mi = 0;

	release_version(c->release, &ma, &mi);
	return answer(a, h->part_of_vfio ? c->vfio.value : VN_NO,
		      "Linux %d.%d predates CONFIG_%s (%d.%d): %s", ma, mi,
		      h->sym, h->major, h->minor, h->before);
}

/* An answer from the kernel config and the release, or unknown when
 * there is neither. */
static int from_config(struct vn_caps *c, struct vn_answer *a, const char *sym)
{
	const struct sym_history *h = predated(c, sym);
	char v = vn_kconfig_get(&c->config, sym);

	if (h)
		return predates_answer(c, a, h);
	if (v == '?')
		return answer(
			a, VN_UNKNOWN,
			"vfio is not loaded and no kernel config was found");
	if (v == 'n')
		return answer(a, VN_NO, "%s: CONFIG_%s is not set",
			      c->config.source, sym);
	return answer(a, VN_YES, "%s: CONFIG_%s=%c", c->config.source, sym, v);
}

/* A char region exists only once vfio is loaded; before that, ask the
 * config (doc/kernel.md §1.3). */
static int region_answer(struct vn_caps *c, struct vn_answer *a,
			 const struct vn_sys *sys, const char *region,
			 const char *sym)
{
	if (vn_proc_devices_char_major(sys, region) >= 0)
		return answer(a, VN_YES,
			      "/proc/devices lists the \"%s\" region", region);
	if (mod_present(c->mod_vfio) && !predated(c, sym))
		return answer(
			a, VN_NO,
			"vfio is %s and /proc/devices has no \"%s\" region",
			vn_mod_state_str(c->mod_vfio), region);
	return from_config(c, a, sym);
}

static int probe_noiommu(struct vn_sys *sys, struct vn_caps *c)
{
	bool declared, yes;
	int r;

	r = vn_module_param_bool(sys, "vfio", "enable_unsafe_noiommu_mode",
				 &yes);
	if (r == 0) {
		c->mode = yes ? 'Y' : 'N';
		return answer(
			&c->noiommu, VN_YES,
			"/sys/module/vfio/parameters/enable_unsafe_noiommu_mode exists");
	}
	/* enable_unsafe_noiommu_mode is vfio's only parameter (§1.3). */
	if (mod_present(c->mod_vfio))
		return answer(
			&c->noiommu, VN_NO,
			"vfio is %s and has no enable_unsafe_noiommu_mode parameter",
			vn_mod_state_str(c->mod_vfio));
	if (c->mod_vfio == VN_MOD_AVAILABLE &&
	    vn_module_declares_param(sys, "vfio", "enable_unsafe_noiommu_mode",
				     &declared) == 0)
		return answer(
			&c->noiommu, declared ? VN_YES : VN_NO,
			"vfio.ko %s the enable_unsafe_noiommu_mode parameter",
			declared ? "declares" : "does not declare");
	return from_config(c, &c->noiommu, "VFIO_NOIOMMU");
}

static int probe_iommufd(struct vn_sys *sys, struct vn_caps *c)
{
	if (vn_proc_misc_minor(sys, "iommu") >= 0)
		return answer(&c->iommufd, VN_YES,
			      "/proc/misc lists iommu (/dev/iommu)");
	if (c->mod_iommufd == VN_MOD_AVAILABLE)
		return answer(&c->iommufd, VN_YES,
			      "iommufd.ko is installed (not loaded)");
	if (c->config.source || predated(c, "IOMMUFD"))
		return from_config(c, &c->iommufd, "IOMMUFD");
	if (c->modules_dir)
		return answer(&c->iommufd, VN_NO,
			      "iommufd is neither loaded nor installed");
	return answer(
		&c->iommufd, VN_UNKNOWN,
		"iommufd is not loaded and no kernel config or module directory was found");
}

static bool any_noiommu_cdev(const struct vn_sys *sys)
{
	_cleanup_strv_ char **names = NULL;

	if (vn_list_dir(sys, &names, "/sys/class/vfio-dev") < 0)
		return false;
	for (size_t i = 0; names[i]; i++)
		if (startswith(names[i], "noiommu-vfio"))
			return true;
	return false;
}

static int probe_iommufd_noiommu(struct vn_sys *sys, struct vn_caps *c)
{
	c->getpa = vn_probe_getpa(sys);
	switch (c->getpa) {
	case VN_GETPA_NOT_BUILT:
		return answer(&c->iommufd_noiommu, VN_NO,
			      "IOMMU_IOAS_NOIOMMU_GET_PA probe: EOPNOTSUPP");
	case VN_GETPA_TOO_OLD:
		return answer(
			&c->iommufd_noiommu, VN_NO,
			"IOMMU_IOAS_NOIOMMU_GET_PA probe: ENOTTY (kernel predates it)");
	case VN_GETPA_BUILT:
	case VN_GETPA_NO_RAWIO:
		return answer(&c->iommufd_noiommu, VN_YES,
			      "IOMMU_IOAS_NOIOMMU_GET_PA probe: %s",
			      c->getpa == VN_GETPA_BUILT ? "ENOENT" : "EPERM");
	case VN_GETPA_NOT_RUN:
		break;
	}
	if (any_noiommu_cdev(sys))
		return answer(
			&c->iommufd_noiommu, VN_YES,
			"a noiommu-vfioN device exists in /sys/class/vfio-dev");
	if (c->config.source || predated(c, "IOMMUFD_NOIOMMU"))
		return from_config(c, &c->iommufd_noiommu, "IOMMUFD_NOIOMMU");
	/* IOMMUFD_NOIOMMU has no selector but VFIO_NOIOMMU && VFIO_DEVICE_CDEV
	 * on 7.3+ (§1.2); x86 and arm64 never have GENERIC_ATOMIC64. */
	if (c->noiommu.value == VN_YES && c->cdev.value == VN_YES) {
		bool new_enough = vn_release_at_least(c->release, 7, 3);

		return answer(
			&c->iommufd_noiommu, new_enough ? VN_YES : VN_NO,
			"derived: Linux %s %s 7.3 with VFIO_NOIOMMU and VFIO_DEVICE_CDEV",
			c->release ? c->release : "?", new_enough ? ">=" : "<");
	}
	return answer(&c->iommufd_noiommu,
		      tri_and(c->noiommu.value, c->cdev.value),
		      "follows VFIO_NOIOMMU and VFIO_DEVICE_CDEV");
}

static void probe_container(const struct vn_sys *sys, struct vn_caps *c)
{
	/* Both providers register misc "vfio" 10:196; only the config tells
	 * them apart without opening the node (§1.3). Before 6.2 there is
	 * only VFIO's, in every vfio.ko. */
	bool present = vn_proc_misc_minor(sys, "vfio") >= 0;
	char legacy = vn_kconfig_get(&c->config, "VFIO_CONTAINER");
	char emul = vn_kconfig_get(&c->config, "IOMMUFD_VFIO_CONTAINER");

	if ((predated(c, "VFIO_CONTAINER") && c->vfio.value == VN_YES) ||
	    legacy == 'y')
		c->container = VN_CONTAINER_VFIO;
	else if (emul == 'y')
		c->container = VN_CONTAINER_IOMMUFD;
	else
		c->container = present ? VN_CONTAINER_UNKNOWN :
					 VN_CONTAINER_NONE;
}

static int probe_vfio(struct vn_caps *c)
{
	if (mod_present(c->mod_vfio) || c->mod_vfio == VN_MOD_AVAILABLE)
		return answer(&c->vfio, VN_YES, "vfio is %s",
			      vn_mod_state_str(c->mod_vfio));
	if (c->config.source)
		return from_config(c, &c->vfio, "VFIO");
	if (c->modules_dir)
		return answer(
			&c->vfio, VN_NO,
			"vfio is neither loaded, built in, nor installed");
	return answer(
		&c->vfio, VN_NO,
		"vfio is not loaded, and this release has no module directory or kernel config");
}

int vn_caps_probe(struct vn_sys *sys, struct vn_caps *c)
{
	const char *rel = vn_sys_release(sys);
	int r;

	*c = (struct vn_caps){ .container = VN_CONTAINER_NONE };
	if (rel && !(c->release = strdup(rel)))
		return -ENOMEM;
	r = vn_kconfig_load(sys, &c->config);
	if (r < 0)
		return r;
	c->modules_dir = vn_modules_dir_found(sys);
	if ((r = vn_module_state(sys, "vfio", &c->mod_vfio)) < 0 ||
	    (r = vn_module_state(sys, "vfio_pci", &c->mod_vfio_pci)) < 0 ||
	    (r = vn_module_state(sys, "iommufd", &c->mod_iommufd)) < 0)
		return r;

	if ((r = probe_vfio(c)) < 0 ||
	    (r = region_answer(c, &c->group, sys, "vfio", "VFIO_GROUP")) < 0 ||
	    (r = region_answer(c, &c->cdev, sys, "vfio-dev",
			       "VFIO_DEVICE_CDEV")) < 0 ||
	    (r = probe_noiommu(sys, c)) < 0 ||
	    (r = probe_iommufd(sys, c)) < 0 ||
	    (r = probe_iommufd_noiommu(sys, c)) < 0)
		return r;
	probe_container(sys, c);

	r = answer(&c->noiommu_group, tri_and(c->noiommu.value, c->group.value),
		   "VFIO_NOIOMMU and VFIO_GROUP");
	if (r < 0)
		return r;
	return answer(&c->noiommu_cdev,
		      tri_and(tri_and(c->noiommu.value, c->cdev.value),
			      c->iommufd_noiommu.value),
		      "VFIO_NOIOMMU, VFIO_DEVICE_CDEV and IOMMUFD_NOIOMMU");
}

void vn_caps_clear(struct vn_caps *c)
{
	struct vn_answer *all[] = {
		&c->vfio,	   &c->group,	     &c->cdev,
		&c->noiommu,	   &c->iommufd,	     &c->iommufd_noiommu,
		&c->noiommu_group, &c->noiommu_cdev,
	};

	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		free(all[i]->source);
	free(c->release);
	vn_kconfig_clear(&c->config);
	*c = (struct vn_caps){ 0 };
}

void vn_iommu_state_clear(struct vn_iommu_state *st)
{
	strv_free(st->units);
	free(st->cmdline_setting);
	*st = (struct vn_iommu_state){ 0 };
}

int vn_iommu_probe(const struct vn_sys *sys, struct vn_iommu_state *st)
{
	static const char *const params[] = { "intel_iommu", "amd_iommu",
					      "iommu" };
	_cleanup_strv_ char **words = NULL;
	int r;

	*st = (struct vn_iommu_state){ 0 };
	r = vn_list_dir(sys, &st->units, "/sys/class/iommu");
	if (r == -ENOENT)
		st->units = strv_new();
	else if (r < 0)
		return r;
	if (!st->units)
		return -ENOMEM;
	if (vn_exists(sys, "/sys/firmware/acpi/tables/DMAR"))
		st->fw_table = "DMAR";
	else if (vn_exists(sys, "/sys/firmware/acpi/tables/IVRS"))
		st->fw_table = "IVRS";

	if (vn_cmdline_read(sys, &words) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(params); i++) {
		const char *val;

		if (vn_cmdline_find(words, params[i], &val) != 1)
			continue;
		r = xasprintf(&st->cmdline_setting, "%s=%s", params[i],
			      val ? val : "");
		return r;
	}
	return 0;
}

const char *vn_iommu_enable_param(const struct vn_iommu_state *st)
{
	if (st->fw_table && streq(st->fw_table, "IVRS"))
		return "amd_iommu=on";
	return "intel_iommu=on";
}

int vn_panic_on_taint(const struct vn_sys *sys, unsigned long *mask,
		      bool *nousertaint)
{
	_cleanup_strv_ char **words = NULL;
	int r;

	r = vn_cmdline_read(sys, &words);
	if (r < 0)
		return r;
	return vn_cmdline_panic_on_taint(words, mask, nousertaint);
}

enum vn_paths vn_caps_paths(const struct vn_caps *c)
{
	enum vn_tri g = c->noiommu_group.value, d = c->noiommu_cdev.value;

	if (g == VN_UNKNOWN || d == VN_UNKNOWN)
		return VN_PATHS_UNKNOWN;
	return vn_paths_of(g == VN_YES, d == VN_YES);
}

enum vn_paths vn_paths_of(bool group, bool cdev)
{
	return group && cdev ? VN_PATHS_BOTH :
	       group	     ? VN_PATHS_GROUP :
	       cdev	     ? VN_PATHS_CDEV :
			       VN_PATHS_NONE;
}

const char *vn_paths_name(enum vn_paths p)
{
	static const char *const names[] = {
		[VN_PATHS_NONE] = "none",	[VN_PATHS_GROUP] = "group",
		[VN_PATHS_CDEV] = "cdev",	[VN_PATHS_BOTH] = "both",
		[VN_PATHS_UNKNOWN] = "unknown",
	};
	return names[p];
}

const char *vn_paths_sentence(enum vn_paths p)
{
	switch (p) {
	case VN_PATHS_BOTH:
		return "no-IOMMU devices get both a group node "
		       "(/dev/vfio/noiommu-N) and a cdev "
		       "(/dev/vfio/devices/noiommu-vfioN)";
	case VN_PATHS_GROUP:
		return "no-IOMMU devices get a group node (/dev/vfio/noiommu-N) "
		       "only, no cdev";
	case VN_PATHS_CDEV:
		return "no-IOMMU devices get a cdev "
		       "(/dev/vfio/devices/noiommu-vfioN) only; this kernel has "
		       "no VFIO group interface";
	case VN_PATHS_NONE:
		return "no-IOMMU devices cannot be assigned on this kernel";
	case VN_PATHS_UNKNOWN:
		break;
	}
	return "what a no-IOMMU device would get cannot be told until vfio is "
	       "loaded";
}
