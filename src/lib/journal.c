// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "journal.h"
#include "sys.h"

/* Version 2 added "restore" (the unbind's intent); version 1 records,
 * written before it, are still read: their intent follows from the
 * original driver. */
#define JOURNAL_VERSION 2

static const char *const step_names[] = {
	[VN_STEP_PLANNED] = "planned",	   [VN_STEP_OVERRIDE] = "override",
	[VN_STEP_UNBOUND] = "unbound",	   [VN_STEP_BOUND] = "bound",
	[VN_STEP_RESTORING] = "restoring",
};

const char *vn_step_name(enum vn_step s)
{
	return (size_t)s < ARRAY_SIZE(step_names) ? step_names[s] : "?";
}

int vn_step_parse(const char *s, enum vn_step *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(step_names); i++)
		if (streq(s, step_names[i])) {
			*out = (enum vn_step)i;
			return 0;
		}
	return -EBADMSG;
}

static const char *const restore_names[] = {
	[VN_RESTORE_NONE] = "none",
	[VN_RESTORE_DRIVER] = "driver",
	[VN_RESTORE_PROBE] = "probe",
};

const char *vn_restore_name(enum vn_restore r)
{
	return (size_t)r < ARRAY_SIZE(restore_names) ? restore_names[r] : "?";
}

void vn_record_restore_original(struct vn_record *rec)
{
	free(rec->restore_driver);
	rec->restore_driver = rec->orig_driver ? strdup(rec->orig_driver) :
						 NULL;
	rec->restore = rec->orig_driver ? VN_RESTORE_DRIVER : VN_RESTORE_NONE;
}

void vn_record_clear(struct vn_record *rec)
{
	free(rec->restore_driver);
	free(rec->orig_driver);
	free(rec->orig_override);
	free(rec->target);
	free(rec->user);
	strv_free(rec->netdevs);
	*rec = (struct vn_record){ 0 };
}

/* key=value with the value escaped; a NULL key continues a line. */
static void put_escaped(FILE *f, const char *key, const char *v)
{
	if (key)
		fprintf(f, "%s=", key);
	for (; v && *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else if (*v == '\t')
			fputs("\\t", f);
		else
			fputc(*v, f);
	}
	fputc('\n', f);
}

/* An interface name in a record: not empty, and not "-", which is how
 * the record says "none" (a list of just "-" would read back as none). */
static bool netdev_name_ok(const char *name)
{
	return *name && !streq(name, "-");
}

int vn_record_encode(const struct vn_record *rec, char **out)
{
	_cleanup_free_ char *netdevs = strv_join(rec->netdevs, ",");
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!netdevs)
		return -ENOMEM;
	if (rec->restore == VN_RESTORE_DRIVER && !rec->restore_driver)
		return -EINVAL;
	for (size_t i = 0; rec->netdevs && rec->netdevs[i]; i++)
		if (!netdev_name_ok(rec->netdevs[i]) ||
		    strchr(rec->netdevs[i], ','))
			return -EINVAL;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "version=%d\n", JOURNAL_VERSION);
	put_escaped(f, "bdf", rec->bdf);
	fprintf(f, "id=%04x:%04x\n", rec->vendor, rec->device);
	/* "-" marks absence so an empty value is never ambiguous. */
	put_escaped(f, "original_driver",
		    rec->orig_driver ? rec->orig_driver : "-");
	put_escaped(f, "original_override",
		    rec->orig_override ? rec->orig_override : "-");
	put_escaped(f, "target", rec->target ? rec->target : "-");
	if (rec->restore == VN_RESTORE_DRIVER)
		fprintf(f, "restore=driver:");
	else
		fprintf(f, "restore=%s", vn_restore_name(rec->restore));
	put_escaped(f, NULL,
		    rec->restore == VN_RESTORE_DRIVER ? rec->restore_driver :
							"");
	put_escaped(f, "netdevs", *netdevs ? netdevs : "-");
	fprintf(f, "step=%s\n", vn_step_name(rec->step));
	fprintf(f, "time=%lld\n", (long long)rec->when);
	put_escaped(f, "user", rec->user ? rec->user : "-");
	/* Last: a record cut short by a crash has no end marker. */
	fputs("end=1\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}

static char *unescape_value(const char *v)
{
	char *out = malloc(strlen(v) + 1), *p = out;

	if (!out)
		return NULL;
	for (; *v; v++) {
		if (*v != '\\') {
			*p++ = *v;
			continue;
		}
		v++;
		if (*v == 'n')
			*p++ = '\n';
		else if (*v == 't')
			*p++ = '\t';
		else if (*v == '\\')
			*p++ = '\\';
		else {
			free(out);
			return NULL;
		}
	}
	*p = '\0';
	return out;
}

/* "-" decodes to NULL (absent). */
static int take_optional(const char *v, char **out)
{
	if (streq(v, "-")) {
		*out = NULL;
		return 0;
	}
	*out = unescape_value(v);
	return *out ? 0 : -EBADMSG;
}

enum {
	F_VERSION = 1 << 0,
	F_BDF = 1 << 1,
	F_ID = 1 << 2,
	F_DRIVER = 1 << 3,
	F_OVERRIDE = 1 << 4,
	F_TARGET = 1 << 5,
	F_NETDEVS = 1 << 6,
	F_STEP = 1 << 7,
	F_TIME = 1 << 8,
	F_USER = 1 << 9,
	F_END = 1 << 10,
	F_RESTORE = 1 << 11,
	F_ALL_V1 = (1 << 11) - 1,
	F_ALL = (1 << 12) - 1,
};

static int decode_netdevs(struct vn_record *rec, const char *v)
{
	_cleanup_free_ char *s = NULL;
	char *next;

	if (take_optional(v, &s) < 0)
		return -EBADMSG;
	rec->netdevs = strv_new();
	if (!rec->netdevs)
		return -ENOMEM;
	/* Every comma separates two names: ",-" or "a,,b" is not a list
	 * the encoder writes (found by fuzz-journal). */
	for (char *p = s; p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (!netdev_name_ok(p))
			return -EBADMSG;
		if (strv_push(&rec->netdevs, strdup(p)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* In the order of the F_ bits above. */
static const char *const keys[] = {
	"version",
	"bdf",
	"id",
	"original_driver",
	"original_override",
	"target",
	"netdevs",
	"step",
	"time",
	"user",
	"end",
	"restore",
};

static int decode_restore(struct vn_record *rec, const char *v)
{
	if (startswith(v, "driver:")) {
		rec->restore = VN_RESTORE_DRIVER;
		rec->restore_driver = unescape_value(v + strlen("driver:"));
		return rec->restore_driver && *rec->restore_driver ? 0 :
								     -EBADMSG;
	}
	if (streq(v, "none"))
		rec->restore = VN_RESTORE_NONE;
	else if (streq(v, "probe"))
		rec->restore = VN_RESTORE_PROBE;
	else
		return -EBADMSG;
	return 0;
}

static int decode_field(struct vn_record *rec, const char *key, const char *v,
			unsigned int *seen, unsigned int *version)
{
	unsigned long n;
	unsigned int bit = 0;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (streq(key, keys[i]))
			bit = 1u << i;
	/* An unknown key or a key twice: not a record this tool wrote. */
	if (!bit || (*seen & bit))
		return -EBADMSG;
	*seen |= bit;
	switch (bit) {
	case F_VERSION:
		if (parse_ulong(v, 10, &n) < 0 || n < 1 || n > JOURNAL_VERSION)
			return -EBADMSG;
		*version = (unsigned int)n;
		return 0;
	case F_RESTORE:
		return decode_restore(rec, v);
	case F_BDF:
		return vn_bdf_canonical(v, rec->bdf) < 0 ||
				       !streq(v, rec->bdf) ?
			       -EBADMSG :
			       0;
	case F_ID:
		return vn_id_parse(v, &rec->vendor, &rec->device) < 0 ?
			       -EBADMSG :
			       0;
	case F_DRIVER:
		/* A driver has a name: "-" says there was none. An empty one
		 * would become the restore target "driver:", which no record
		 * may say (found by fuzz-journal on a version 1 record). */
		if (!*v)
			return -EBADMSG;
		return take_optional(v, &rec->orig_driver);
	case F_OVERRIDE:
		return take_optional(v, &rec->orig_override);
	case F_TARGET:
		return take_optional(v, &rec->target);
	case F_NETDEVS:
		return decode_netdevs(rec, v);
	case F_STEP:
		return vn_step_parse(v, &rec->step);
	case F_TIME:
		/* Past LLONG_MAX the time_t would turn negative and encode
		 * as text that no longer decodes. */
		if (parse_ulong(v, 10, &n) < 0 || n > (unsigned long)LLONG_MAX)
			return -EBADMSG;
		rec->when = (time_t)n;
		return 0;
	case F_USER:
		return take_optional(v, &rec->user);
	default: /* F_END */
		return streq(v, "1") ? 0 : -EBADMSG;
	}
}

int vn_record_decode(const char *text, struct vn_record *rec)
{
	unsigned int seen = 0, version = 0;
	const char *p = text;
	int r = 0;

	*rec = (struct vn_record){ 0 };
	while (*p) {
		const char *eol = strchr(p, '\n');
		_cleanup_free_ char *line = NULL;
		char *eq;

		/* Every line ends with a newline; a missing one is a cut. */
		if (!eol || (seen & F_END)) {
			r = -EBADMSG;
			break;
		}
		line = strndup(p, (size_t)(eol - p));
		if (!line) {
			r = -ENOMEM;
			break;
		}
		p = eol + 1;
		eq = strchr(line, '=');
		if (!eq) {
			r = -EBADMSG;
			break;
		}
		*eq = '\0';
		r = decode_field(rec, line, eq + 1, &seen, &version);
		if (r < 0)
			break;
	}
	/* Every field, each once; "restore" exactly from version 2 on. */
	if (r == 0 && seen != (version >= 2 ? F_ALL : F_ALL_V1))
		r = -EBADMSG;
	if (r == 0 && version == 1)
		vn_record_restore_original(rec);
	if (r < 0)
		vn_record_clear(rec);
	return r;
}

int vn_journal_write(const struct vn_sys *sys, const struct vn_record *rec)
{
	_cleanup_free_ char *text = NULL;
	int r;

	/* 0755: status and list show interrupted runs to users who may
	 * not change them. */
	if ((r = vn_mkdir(sys, VN_JOURNAL_DIR)) < 0)
		return r;
	r = vn_record_encode(rec, &text);
	if (r < 0)
		return r;
	r = vn_replace_file(sys, text, VN_JOURNAL_DIR "/%s", rec->bdf);
	vn_log(sys, VN_LOG_WRITE, "journal %s: %s%s%s", rec->bdf,
	       vn_step_name(rec->step), r < 0 ? ": " : "",
	       r < 0 ? strerror(-r) : "");
	return r;
}

int vn_journal_read(const struct vn_sys *sys, const char *bdf,
		    struct vn_record *rec)
{
	_cleanup_free_ char *text = NULL;
	int r = vn_read_file(sys, &text, VN_JOURNAL_DIR "/%s", bdf);

	*rec = (struct vn_record){ 0 };
	if (r < 0)
		return r;
	r = vn_record_decode(text, rec);
	if (r == 0 && !streq(rec->bdf, bdf)) {
		vn_record_clear(rec);
		return -EBADMSG;
	}
	return r;
}

int vn_journal_remove(const struct vn_sys *sys, const char *bdf)
{
	int r = vn_remove_file(sys, VN_JOURNAL_DIR "/%s", bdf);

	if (r == -ENOENT)
		r = 0;
	vn_log(sys, VN_LOG_WRITE, "journal %s: removed%s%s", bdf,
	       r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
	return r;
}

int vn_journal_list(const struct vn_sys *sys, char ***bdfs)
{
	_cleanup_strv_ char **all = NULL;
	_cleanup_strv_ char **v = strv_new();
	int r;

	if (!v)
		return -ENOMEM;
	r = vn_list_dir(sys, &all, VN_JOURNAL_DIR);
	if (r == -ENOENT) {
		*bdfs = steal_ptr(v);
		return 0;
	}
	if (r < 0)
		return r;
	for (size_t i = 0; all[i]; i++) {
		char canon[VN_BDF_MAX];

		/* Skip temporary files and anything that is not a BDF. */
		if (vn_bdf_canonical(all[i], canon) < 0 ||
		    !streq(canon, all[i]))
			continue;
		r = strv_push(&v, strdup(all[i]));
		if (r < 0)
			return r;
	}
	*bdfs = steal_ptr(v);
	return 0;
}

int vn_journal_unfinished_of(const struct vn_sys *sys, char *const *all,
			     char ***bdfs)
{
	_cleanup_strv_ char **v = strv_new();
	int r;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; all && all[i]; i++) {
		struct vn_record rec;

		r = vn_journal_read(sys, all[i], &rec);
		/* A corrupt record is unfinished business too. */
		if (r == -EBADMSG || (r == 0 && vn_record_unfinished(&rec)))
			r = strv_push(&v, strdup(all[i]));
		else
			r = r == -ENOENT ? 0 : r;
		vn_record_clear(&rec);
		if (r < 0)
			return r;
	}
	*bdfs = steal_ptr(v);
	return 0;
}

int vn_journal_find_netdev(const struct vn_sys *sys, const char *ifname,
			   char bdf[VN_BDF_MAX])
{
	_cleanup_strv_ char **all = NULL;
	int r = vn_journal_list(sys, &all);

	if (r < 0)
		return r;
	for (size_t i = 0; all[i]; i++) {
		struct vn_record rec;
		bool had;

		/* An unreadable record names no interface; clearing it is
		 * harmless (vn_journal_read() zeroes it first). */
		had = vn_journal_read(sys, all[i], &rec) == 0 &&
		      strv_contains(rec.netdevs, ifname);
		vn_record_clear(&rec);
		if (had) {
			snprintf(bdf, VN_BDF_MAX, "%s", all[i]);
			return 0;
		}
	}
	return -ENOENT;
}
