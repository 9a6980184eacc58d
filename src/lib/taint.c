// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdio.h>

#include "bdf.h"
#include "kmsg.h"
#include "sys.h"
#include "taint.h"

static const struct vn_taint_flag flags[VN_TAINT_COUNT] = {
	{ 0, 'P', 'G', "PROPRIETARY_MODULE",
	  "a proprietary module was loaded" },
	{ 1, 'F', ' ', "FORCED_MODULE", "a module was force-loaded" },
	{ 2, 'S', ' ', "CPU_OUT_OF_SPEC",
	  "the CPU runs out of specification (SMP with a non-SMP CPU, or forced)" },
	{ 3, 'R', ' ', "FORCED_RMMOD", "a module was force-unloaded" },
	{ 4, 'M', ' ', "MACHINE_CHECK",
	  "the processor reported a machine check exception" },
	{ 5, 'B', ' ', "BAD_PAGE",
	  "a bad page was referenced or unexpected page flags were seen" },
	{ 6, 'U', ' ', "USER",
	  "user space asked for unsafe behaviour (for example a no-IOMMU VFIO bind)" },
	{ 7, 'D', ' ', "DIE", "the kernel died recently (an oops or BUG)" },
	{ 8, 'A', ' ', "OVERRIDDEN_ACPI_TABLE",
	  "an ACPI table was overridden by the user" },
	{ 9, 'W', ' ', "WARN", "the kernel issued a warning" },
	{ 10, 'C', ' ', "CRAP", "a staging driver was loaded" },
	{ 11, 'I', ' ', "FIRMWARE_WORKAROUND",
	  "a workaround for a platform firmware bug is active" },
	{ 12, 'O', ' ', "OOT_MODULE", "an out-of-tree module was loaded" },
	{ 13, 'E', ' ', "UNSIGNED_MODULE", "an unsigned module was loaded" },
	{ 14, 'L', ' ', "SOFTLOCKUP", "a soft lockup occurred" },
	{ 15, 'K', ' ', "LIVEPATCH", "the kernel has been live patched" },
	{ 16, 'X', ' ', "AUX", "an auxiliary taint, defined by distributions" },
	{ 17, 'T', ' ', "RANDSTRUCT",
	  "the kernel was built with the randstruct plugin" },
	{ 18, 'N', ' ', "TEST", "an in-kernel test has been run" },
	{ 19, 'J', ' ', "FWCTL", "fwctl was used for a mutating command" },
};

const struct vn_taint_flag *vn_taint_flags(void)
{
	return flags;
}

const struct vn_taint_flag *vn_taint_flag_by_letter(char letter)
{
	for (size_t i = 0; i < VN_TAINT_COUNT; i++)
		if (flags[i].letter == letter)
			return &flags[i];
	return NULL;
}

int vn_taint_read(const struct vn_sys *sys, unsigned long *mask)
{
	_cleanup_free_ char *text = NULL;
	int r = vn_read_text(sys, &text, "/proc/sys/kernel/tainted");

	if (r < 0)
		return r;
	return parse_ulong(text, 10, mask) < 0 ? -EBADMSG : 0;
}

void vn_taint_short_form(unsigned long mask, char *buf, size_t size)
{
	char s[sizeof("Tainted: ") + VN_TAINT_COUNT];
	char *p;

	if (!mask) {
		snprintf(buf, size, "Not tainted");
		return;
	}
	p = stpcpy(s, "Tainted: ");
	for (size_t i = 0; i < VN_TAINT_COUNT; i++)
		*p++ = (char)((mask & (1UL << i)) ? flags[i].letter :
						    flags[i].clear);
	*p = '\0';
	snprintf(buf, size, "%s", s);
}

void vn_taint_letters(unsigned long mask, char *buf, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < VN_TAINT_COUNT && n + 1 < size; i++)
		if (mask & (1UL << i))
			buf[n++] = flags[i].letter;
	if (size)
		buf[n < size ? n : size - 1] = '\0';
}

/* ---- parsing what users paste ------------------------------------------- */

int vn_taint_letters_parse(const char *s, unsigned long *mask, char *bad)
{
	unsigned long m = 0;

	*bad = 0;
	for (; *s; s++) {
		const struct vn_taint_flag *f = vn_taint_flag_by_letter(*s);

		if (!f) {
			*bad = *s;
			return -EINVAL;
		}
		m |= 1UL << f->bit;
	}
	*mask = m;
	return 0;
}

static bool taint_token(const char *tok)
{
	if (!*tok)
		return false;
	for (; *tok; tok++)
		if (*tok != 'G' && !vn_taint_flag_by_letter(*tok))
			return false;
	return true;
}

/* "[U]=USER, [W]=WARN" */
static int parse_verbose(const char *s, unsigned long *mask, char *bad)
{
	unsigned long m = 0;
	const char *p = s;

	while ((p = strchr(p, '['))) {
		const struct vn_taint_flag *f;

		if (p[1] && p[2] == ']' && p[3] == '=') {
			f = vn_taint_flag_by_letter(p[1]);
			if (!f ||
			    strncmp(p + 4, f->name, strlen(f->name)) != 0) {
				*bad = p[1];
				return -EINVAL;
			}
			m |= 1UL << f->bit;
		}
		p++;
	}
	*mask = m;
	return 0;
}

/* Decimal, or hexadecimal with 0x: never octal for a leading 0
 * (/proc/sys/kernel/tainted is decimal). Blanks around are fine. 1 with
 * *mask, 0 when s is not a number, -ERANGE when it is too large for the
 * kernel's unsigned long (then it is not letters either). */
static int parse_number(const char *s, unsigned long *mask)
{
	_cleanup_free_ char *num = strdup(s);
	int r;

	if (!num)
		return -ENOMEM;
	strip_trailing(num);
	r = parse_ulong(
		num, startswith(num, "0x") || startswith(num, "0X") ? 16 : 10,
		mask);
	if (r == 0)
		return 1;
	return r == -ERANGE ? -ERANGE : 0;
}

/* The flag field of a "Tainted:" string: letters and blanks; what follows
 * it in an oops header (the release, "#1") is not. Blanks may have been
 * collapsed by a mailer, but each letter names one flag wherever it
 * stands. */
static int parse_letters(const char *p, unsigned long *mask, char *bad)
{
	_cleanup_free_ char *copy = strdup(p);
	char *save = NULL, *tok;
	unsigned long m = 0;
	bool any = false;

	if (!copy)
		return -ENOMEM;
	for (char *it = copy; (tok = strtok_r(it, " \t\n", &save)); it = NULL) {
		if (!taint_token(tok)) {
			/* An oops header goes on with the release ("6.1.0-13")
			 * and build ("#1") after the flag field. */
			if (any &&
			    (isdigit((unsigned char)*tok) || *tok == '#'))
				break;
			for (const char *c = tok; *c && !*bad; c++)
				if (*c != 'G' && !vn_taint_flag_by_letter(*c))
					*bad = *c;
			return -EINVAL;
		}
		any = true;
		for (const char *c = tok; *c; c++) {
			/* taint_token() checked every letter; 'G' sets none. */
			const struct vn_taint_flag *f =
				vn_taint_flag_by_letter(*c);

			if (*c != 'G' && f)
				m |= 1UL << f->bit;
		}
	}
	if (!any)
		return -EINVAL;
	*mask = m;
	return 0;
}

int vn_taint_parse(const char *s, unsigned long *mask, char *bad)
{
	const char *p;
	int r;

	*bad = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	r = parse_number(s, mask);
	if (r != 0)
		return r < 0 ? r : 0;
	if (strstr(s, "Not tainted")) {
		*mask = 0;
		return 0;
	}
	if (strstr(s, "]=")) {
		/* The verbose form may follow "Tainted: " too. */
		return parse_verbose(s, mask, bad);
	}
	p = strstr(s, "Tainted:");
	return parse_letters(p ? p + strlen("Tainted:") : s, mask, bad);
}

/* ---- attribution ---------------------------------------------------------- */

/* Long sentences are split over lines on purpose. */
// NOLINTBEGIN(bugprone-suspicious-missing-comma)
const char *const vn_taint_user_sources[] = {
	"a write into a kernel-exclusive PCI config space range through sysfs or "
	"/proc/bus/pci",
	"setting a module parameter marked unsafe",
	"i915's force_probe of an unsupported GPU",
	"a CXL secondary bus reset",
	"an arm64 protected KVM guest",
	"writes through some debugfs files (regmap, thunderbolt, soundwire)",
	"root writing to /proc/sys/kernel/tainted",
	NULL,
};
// NOLINTEND(bugprone-suspicious-missing-comma)

void vn_attribution_clear(struct vn_attribution *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].driver);
		free(a->v[i].user);
	}
	free(a->v);
	free(a->opens);
	*a = (struct vn_attribution){ 0 };
}

/* "<driver> <BDF>: <rest>": the dev_warn prefix. Returns rest or NULL;
 * the driver is the text before the first space. */
static const char *dev_prefix(const char *msg, char *bdf, size_t bdfsz)
{
	const char *sp = strchr(msg, ' '), *colon;
	char canon[VN_BDF_MAX], tmp[32];
	size_t n;

	if (!sp)
		return NULL;
	colon = strstr(sp + 1, ": ");
	if (!colon || (n = (size_t)(colon - sp - 1)) >= sizeof(tmp))
		return NULL;
	memcpy(tmp, sp + 1, n);
	tmp[n] = '\0';
	if (vn_bdf_canonical(tmp, canon) < 0)
		return NULL;
	snprintf(bdf, bdfsz, "%s", canon);
	return colon + 2;
}

int vn_kmsg_match_taint(const char *msg, char *bdf, size_t bdfsz, char **driver,
			unsigned int *mode)
{
	const char *rest = dev_prefix(msg, bdf, bdfsz);

	*driver = NULL;
	if (!rest)
		return 0;
	if (streq(rest, "Adding kernel taint for vfio-noiommu group on device"))
		*mode = VN_ATTR_GROUP;
	else if (streq(rest, "Adding kernel taint for vfio-noiommu cdev"))
		*mode = VN_ATTR_CDEV;
	else
		return 0;
	*driver = strndup(msg, strcspn(msg, " "));
	return *driver ? 1 : -ENOMEM;
}

int vn_kmsg_match_open(const char *msg, char *bdf, size_t bdfsz, char *comm,
		       size_t commsz, int *pid)
{
	const char *rest = dev_prefix(msg, bdf, bdfsz);
	const char *open, *colon;
	size_t n;

	if (!rest || !startswith(rest, "vfio-noiommu device opened by user ("))
		return 0;
	open = rest + strlen("vfio-noiommu device opened by user (");
	/* comm may itself hold ':'; the pid follows the last one. */
	colon = strrchr(open, ':');
	if (!colon || sscanf(colon + 1, "%d)", pid) != 1)
		return 0;
	n = (size_t)(colon - open);
	if (n >= commsz)
		n = commsz - 1;
	memcpy(comm, open, n);
	comm[n] = '\0';
	return 1;
}

int vn_kmsg_match_audit(const char *msg, char *bdf, size_t bdfsz, char **user)
{
	const char *p, *by;
	char tmp[32], canon[VN_BDF_MAX];

	*user = NULL;
	if (!startswith(msg, "vfio-noiommuctl[") ||
	    !(p = strstr(msg, "]: bind ")))
		return 0;
	if (sscanf(p + strlen("]: bind "), "%31s", tmp) != 1 ||
	    vn_bdf_canonical(tmp, canon) < 0)
		return 0;
	by = strstr(p, " by ");
	if (!by)
		return 0;
	snprintf(bdf, bdfsz, "%s", canon);
	*user = strdup(by + 4);
	return *user ? 1 : -ENOMEM;
}

static struct vn_attrib *find_attrib(struct vn_attribution *a, const char *bdf)
{
	/* The latest entry: a device bound twice has two. */
	for (size_t i = a->n; i-- > 0;)
		if (streq(a->v[i].bdf, bdf))
			return &a->v[i];
	return NULL;
}

static struct vn_attrib *new_attrib(struct vn_attribution *a, const char *bdf)
{
	struct vn_attrib *nv = realloc(a->v, (a->n + 1) * sizeof(*nv));

	if (!nv)
		return NULL;
	a->v = nv;
	nv = &nv[a->n++];
	*nv = (struct vn_attrib){ 0 };
	snprintf(nv->bdf, sizeof(nv->bdf), "%s", bdf);
	return nv;
}

/* The kernel's taint line for a device: one registration logs group then
 * cdev; a second group line is a later bind of the same device. 1 when
 * the record was one, -ENOMEM. */
static int take_taint(struct vn_attribution *a, const struct vn_kmsg_rec *rec)
{
	char bdf[24];
	unsigned int mode;
	struct vn_attrib *at;
	char *driver;
	int r = vn_kmsg_match_taint(rec->msg, bdf, sizeof(bdf), &driver, &mode);

	if (r <= 0)
		return r;
	at = find_attrib(a, bdf);
	if (!at || (at->modes & mode))
		at = new_attrib(a, bdf);
	if (!at) {
		free(driver);
		return -ENOMEM;
	}
	if (!at->lines) {
		at->usec = rec->usec;
		at->driver = driver;
		at->from_log = true;
	} else {
		free(driver);
	}
	at->modes |= mode;
	at->lines++;
	return 1;
}

/* "vfio-noiommu device opened by user": 1 when the record was one. */
static int take_open(struct vn_attribution *a, const struct vn_kmsg_rec *rec)
{
	struct vn_open_event *nv;
	char bdf[24], comm[32];
	int pid;

	if (!vn_kmsg_match_open(rec->msg, bdf, sizeof(bdf), comm, sizeof(comm),
				&pid))
		return 0;
	nv = realloc(a->opens, (a->nopens + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	a->opens = nv;
	nv = &nv[a->nopens++];
	*nv = (struct vn_open_event){ .pid = pid, .usec = rec->usec };
	snprintf(nv->bdf, sizeof(nv->bdf), "%s", bdf);
	snprintf(nv->comm, sizeof(nv->comm), "%s", comm);
	return 1;
}

/* Our own bind line names who acted: it follows the kernel's taint lines;
 * one for a device the taint lines do not name is dropped. */
static int take_audit(struct vn_attribution *a, const struct vn_kmsg_rec *rec)
{
	struct vn_attrib *at;
	char bdf[24];
	char *user;
	int r = vn_kmsg_match_audit(rec->msg, bdf, sizeof(bdf), &user);

	if (r <= 0)
		return r;
	at = find_attrib(a, bdf);
	if (!at || at->user) {
		free(user);
		return 1;
	}
	at->user = user;
	return 1;
}

int vn_taint_attribute(const struct vn_kmsg *log, struct vn_attribution *a)
{
	*a = (struct vn_attribution){ 0 };
	for (size_t i = 0; i < log->n; i++) {
		const struct vn_kmsg_rec *rec = &log->v[i];
		int r = take_audit(a, rec);

		if (r == 0)
			r = take_taint(a, rec);
		if (r == 0)
			r = take_open(a, rec);
		if (r < 0) {
			vn_attribution_clear(a);
			return -ENOMEM;
		}
	}
	return 0;
}

int vn_attribution_add_current(struct vn_attribution *a, const char *bdf,
			       unsigned int modes)
{
	struct vn_attrib *at = find_attrib(a, bdf);

	if (at)
		return 0;
	at = new_attrib(a, bdf);
	if (!at)
		return -ENOMEM;
	at->modes = modes;
	return 0;
}

int vn_boot_time(const struct vn_sys *sys, long long *btime)
{
	_cleanup_free_ char *stat = NULL;
	const char *p;

	if (vn_read_text(sys, &stat, "/proc/stat") < 0)
		return -ENOENT;
	p = startswith(stat, "btime ") ? stat : strstr(stat, "\nbtime ");
	if (!p || sscanf(p + (*p == '\n') + 6, "%lld", btime) != 1)
		return -EBADMSG;
	return 0;
}
