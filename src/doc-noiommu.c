// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * noiommu show's document, one place for the noiommu command and report.
 */
#include <json-c/json.h>

#include "docs.h"

/* The version of show's document: raise it when a field changes meaning
 * or goes away (doc/schema/noiommu.json). */
#define NOIOMMU_SCHEMA 1

int doc_noiommu_gather(struct vn_facts *f, struct noiommu_state *s)
{
	unsigned int need = VN_FACT_CAPS | VN_FACT_PERSIST;
	int r;

	/* An image (--root) has no running kernel and no devices to ask. */
	if (!f->image)
		need |= VN_FACT_DEVS;
	if ((r = vn_facts_need(f, need)) < 0)
		return r;
	*s = (struct noiommu_state){
		.caps = f->caps,
		.persist = f->persist,
		.devs = f->devs,
		.on_host = !f->image,
	};
	return 0;
}

static enum vn_paths dev_path_kind(const struct vn_dev *d)
{
	return vn_paths_of(d->group.path != NULL, d->cdev_state == VN_CDEV_OK);
}

/* A device's access paths for people ("group and cdev") ... */
const char *noiommu_dev_paths(const struct vn_dev *d)
{
	static const char *const words[] = {
		[VN_PATHS_NONE] = "no node",
		[VN_PATHS_GROUP] = "group",
		[VN_PATHS_CDEV] = "cdev",
		[VN_PATHS_BOTH] = "group and cdev",
		[VN_PATHS_UNKNOWN] = "unknown",
	};

	return words[dev_path_kind(d)];
}

/* ... and as the one enum of every document (none, group, cdev, both). */
const char *noiommu_dev_access_paths(const struct vn_dev *d)
{
	return vn_paths_name(dev_path_kind(d));
}

static struct json_object *settings_json(const struct vn_persist *p)
{
	struct json_object *sets = json_object_new_array();

	for (size_t i = 0; i < p->n; i++) {
		struct json_object *o = json_object_new_object();
		const struct vn_setting *v = &p->v[i];

		json_object_object_add(o, "where", vn_jstr(v->where));
		json_object_object_add(o, "text", vn_jstr(v->text));
		json_object_object_add(
			o, "value",
			v->value == VN_UNKNOWN ?
				NULL :
				json_object_new_boolean(v->value == VN_YES));
		json_object_object_add(o, "ours",
				       json_object_new_boolean(v->ours));
		json_object_array_add(sets, o);
	}
	return sets;
}

static struct json_object *persistent_json(const struct noiommu_state *s)
{
	const struct vn_setting *from;
	enum vn_tri next = vn_persist_effective(&s->persist, &from);
	struct json_object *pers = json_object_new_object();
	char mode = s->caps.mode;

	json_object_object_add(pers, "enabled",
			       json_object_new_boolean(next == VN_YES));
	json_object_object_add(pers, "source",
			       from ? vn_jstr(from->where) : NULL);
	json_object_object_add(pers, "text", from ? vn_jstr(from->text) : NULL);
	json_object_object_add(
		pers, "agrees",
		s->on_host && mode ? json_object_new_boolean((next == VN_YES) ==
							     (mode == 'Y')) :
				     NULL);
	json_object_object_add(
		pers, "cmdline_read",
		json_object_new_boolean(s->persist.cmdline_read));
	json_object_object_add(pers, "settings", settings_json(&s->persist));
	return pers;
}

static struct json_object *devices_json(const struct noiommu_state *s)
{
	struct json_object *devs = json_object_new_array();

	for (size_t i = 0; i < s->devs.n; i++) {
		const struct vn_dev *d = s->devs.devs[i];
		struct json_object *o;

		if (!vn_dev_is_vfio(d))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "bdf", vn_jstr(d->bdf));
		json_object_object_add(o, "noiommu",
				       json_object_new_boolean(d->noiommu));
		json_object_object_add(o, "access_paths",
				       vn_jstr(noiommu_dev_access_paths(d)));
		json_object_object_add(o, "rebind_fails",
				       json_object_new_boolean(d->noiommu &&
							       s->caps.mode !=
								       'Y'));
		json_object_array_add(devs, o);
	}
	return devs;
}

struct json_object *doc_noiommu_json(const struct noiommu_state *s)
{
	const struct vn_caps *c = &s->caps;
	struct json_object *doc = json_object_new_object();
	char mode[2] = { c->mode, 0 };

	json_object_object_add(doc, "schema",
			       json_object_new_int(NOIOMMU_SCHEMA));
	json_object_object_add(
		doc, "available",
		c->noiommu.value == VN_UNKNOWN ?
			NULL :
			json_object_new_boolean(c->noiommu.value == VN_YES));
	json_object_object_add(doc, "source", vn_jstr(c->noiommu.source));
	json_object_object_add(doc, "parameter",
			       c->mode ? vn_jstr(mode) : NULL);
	json_object_object_add(doc, "enabled",
			       json_object_new_boolean(c->mode == 'Y'));
	json_object_object_add(doc, "loaded",
			       json_object_new_boolean(c->mode != 0));
	json_object_object_add(doc, "builtin",
			       json_object_new_boolean(s->persist.builtin));
	json_object_object_add(doc, "access_paths",
			       vn_jstr(vn_paths_name(vn_caps_paths(c))));
	json_object_object_add(doc, "persistent", persistent_json(s));
	json_object_object_add(doc, "devices", devices_json(s));
	return doc;
}
