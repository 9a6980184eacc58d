// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * taint's document, one place for the taint command and report.
 */
#include <json-c/json.h>
#include <time.h>

#include "docs.h"
#include "lib/audit.h"
#include "lib/names.h"

/* The version of taint's document: raise it when a field changes meaning
 * or goes away (doc/schema/taint.json). */
#define TAINT_SCHEMA 1

int doc_taint_gather(struct vn_facts *f, struct taint_report *r)
{
	int e;

	/* Who set U is asked only for U on this host: a decoded VALUE or a
	 * taint without U leaves the log unread (the document says so). */
	if (!r->host || !(r->mask & VN_TAINT_USER))
		return 0;
	if ((e = vn_facts_need(f, VN_FACT_LOG | VN_FACT_DEVS)) < 0)
		return e;
	r->log = f->log;
	r->attr = f->attr;
	r->btime = f->btime;
	r->devs = f->devs;
	return 0;
}

const struct vn_dev *taint_find_dev(const struct taint_report *r,
				    const char *bdf)
{
	for (size_t i = 0; i < r->devs.n; i++)
		if (streq(r->devs.devs[i]->bdf, bdf))
			return r->devs.devs[i];
	return NULL;
}

bool taint_still_bound(const struct vn_dev *d)
{
	return d && vn_dev_is_vfio(d) && d->noiommu;
}

/* The access paths a bind went through, as every document names them. */
static const char *modes_paths(unsigned int m)
{
	if (!(m & (VN_ATTR_GROUP | VN_ATTR_CDEV)))
		return vn_paths_name(VN_PATHS_UNKNOWN);
	return vn_paths_name(vn_paths_of(m & VN_ATTR_GROUP, m & VN_ATTR_CDEV));
}

static struct json_object *jtime(const struct taint_report *r, uint64_t usec)
{
	char buf[64];
	time_t t;
	struct tm tm;

	if (!r->btime)
		return NULL;
	t = (time_t)(r->btime + (long long)(usec / 1000000));
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_object_new_string(buf);
}

static struct json_object *flags_json(unsigned long mask)
{
	const struct vn_taint_flag *f = vn_taint_flags();
	struct json_object *flags = json_object_new_array();

	for (size_t i = 0; i < VN_TAINT_COUNT; i++) {
		struct json_object *o;
		char l[2] = { f[i].letter, 0 };

		if (!(mask & (1UL << i)))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "bit",
				       json_object_new_int((int)f[i].bit));
		json_object_object_add(o, "letter", vn_jstr(l));
		json_object_object_add(o, "name", vn_jstr(f[i].name));
		json_object_object_add(o, "meaning", vn_jstr(f[i].meaning));
		json_object_array_add(flags, o);
	}
	return flags;
}

/* {"name", "uid", "via"} from the text bind logged; null without one. */
struct json_object *doc_user_json(const char *text)
{
	struct json_object *o;
	struct vn_user u;

	if (!text)
		return NULL;
	vn_user_parse(text, &u);
	o = json_object_new_object();
	json_object_object_add(o, "name", vn_jstr(u.name));
	json_object_object_add(
		o, "uid", u.uid >= 0 ? json_object_new_int64(u.uid) : NULL);
	json_object_object_add(o, "via", vn_jstr(u.via));
	return o;
}

static struct json_object *attribution_json(struct vn_sys *sys,
					    const struct taint_report *r,
					    const struct vn_attrib *at)
{
	const struct vn_dev *d = taint_find_dev(r, at->bdf);
	struct json_object *o = json_object_new_object();
	char id[16], name[160];

	json_object_object_add(o, "bdf", vn_jstr(at->bdf));
	snprintf(id, sizeof(id), "%04x:%04x", d ? d->vendor : 0,
		 d ? d->device : 0);
	json_object_object_add(o, "id", d ? vn_jstr(id) : NULL);
	json_object_object_add(o, "name",
			       d && vn_name_device(sys, d->vendor, d->device,
						   name, sizeof(name)) == 0 ?
				       vn_jstr(name) :
				       NULL);
	json_object_object_add(o, "access_paths",
			       vn_jstr(modes_paths(at->modes)));
	json_object_object_add(o, "from_log",
			       json_object_new_boolean(at->from_log));
	json_object_object_add(o, "log_lines",
			       json_object_new_int((int)at->lines));
	json_object_object_add(o, "time",
			       at->from_log ? jtime(r, at->usec) : NULL);
	json_object_object_add(
		o, "monotonic_usec",
		at->from_log ? json_object_new_int64((int64_t)at->usec) : NULL);
	json_object_object_add(o, "driver", vn_jstr(at->driver));
	json_object_object_add(o, "user", doc_user_json(at->user));
	json_object_object_add(o, "still_bound",
			       json_object_new_boolean(taint_still_bound(d)));
	return o;
}

static struct json_object *opens_json(const struct taint_report *r)
{
	struct json_object *opens = json_object_new_array();

	for (size_t i = 0; i < r->attr.nopens; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "bdf", vn_jstr(r->attr.opens[i].bdf));
		json_object_object_add(o, "comm",
				       vn_jstr(r->attr.opens[i].comm));
		json_object_object_add(
			o, "pid", json_object_new_int(r->attr.opens[i].pid));
		json_object_object_add(o, "time",
				       jtime(r, r->attr.opens[i].usec));
		json_object_array_add(opens, o);
	}
	return opens;
}

static struct json_object *log_json(const struct taint_report *r)
{
	struct json_object *log = json_object_new_object();

	/* Consulted only for U on this host: a decoded VALUE or a taint
	 * without U leaves it unread. */
	json_object_object_add(
		log, "read",
		json_object_new_boolean(r->host && (r->mask & VN_TAINT_USER)));
	json_object_object_add(log, "source", vn_jstr(r->log.source));
	json_object_object_add(log, "error",
			       r->log.error && !r->log.source ?
				       vn_jstr(strerror(-r->log.error)) :
				       NULL);
	json_object_object_add(log, "records",
			       json_object_new_int64((int64_t)r->log.n));
	/* Unknown (null) when the log was not read or cannot tell. */
	json_object_object_add(
		log, "complete",
		!r->log.source || r->log.from_boot < 0 ?
			NULL :
			json_object_new_boolean(r->log.from_boot));
	return log;
}

struct json_object *doc_taint_json(struct vn_sys *sys,
				   const struct taint_report *r)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *attrs = json_object_new_array();
	struct json_object *other = json_object_new_array();
	char shortf[64];

	vn_taint_short_form(r->mask, shortf, sizeof(shortf));
	json_object_object_add(doc, "schema",
			       json_object_new_int(TAINT_SCHEMA));
	json_object_object_add(doc, "mask",
			       json_object_new_int64((int64_t)r->mask));
	json_object_object_add(doc, "short", vn_jstr(shortf));
	json_object_object_add(doc, "flags", flags_json(r->mask));
	for (size_t i = 0; i < r->attr.n; i++)
		json_object_array_add(attrs,
				      attribution_json(sys, r, &r->attr.v[i]));
	json_object_object_add(doc, "attributions", attrs);
	json_object_object_add(doc, "opens", opens_json(r));
	json_object_object_add(doc, "log", log_json(r));
	if (r->host && (r->mask & VN_TAINT_USER) && !r->attr.n)
		for (size_t i = 0; vn_taint_user_sources[i]; i++)
			json_object_array_add(
				other, vn_jstr(vn_taint_user_sources[i]));
	json_object_object_add(doc, "other_sources", other);
	return doc;
}
