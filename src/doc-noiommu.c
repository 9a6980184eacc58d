// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The noiommu show document (moved from cmd-noiommu.c; report shows it
 * too).
 */
#include <json-c/json.h>

#include "docs.h"

int doc_noiommu_gather(struct vn_facts *f, struct noiommu_state *s)
{
	unsigned int need = VN_FACT_CAPS | VN_FACT_PERSIST;
	int r;

	s->on_host = !f->image;
	if (s->on_host)
		need |= VN_FACT_DEVS;
	r = vn_facts_need(f, need);
	if (r < 0)
		return r;
	s->caps = f->caps;
	s->persist = f->persist;
	s->devs = f->devs;
	return 0;
}

const char *noiommu_dev_paths(const struct vn_dev *d)
{
	bool cdev = d->cdev_state == VN_CDEV_OK, group = d->group.path != NULL;

	return cdev && group ? "group and cdev" :
	       cdev	     ? "cdev" :
	       group	     ? "group" :
			       "no node";
}

static struct json_object *show_json(const struct noiommu_state *s)
{
	const struct vn_caps *c = &s->caps;
	const struct vn_setting *from;
	enum vn_tri next = vn_persist_effective(&s->persist, &from);
	struct json_object *doc = json_object_new_object();
	struct json_object *pers = json_object_new_object();
	struct json_object *sets = json_object_new_array();
	struct json_object *devs = json_object_new_array();
	char mode[2] = { c->mode, 0 };

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
	for (size_t i = 0; i < s->persist.n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "where",
				       vn_jstr(s->persist.v[i].where));
		json_object_object_add(o, "text",
				       vn_jstr(s->persist.v[i].text));
		json_object_object_add(
			o, "value",
			s->persist.v[i].value == VN_UNKNOWN ?
				NULL :
				json_object_new_boolean(s->persist.v[i].value ==
							VN_YES));
		json_object_object_add(
			o, "ours",
			json_object_new_boolean(s->persist.v[i].ours));
		json_object_array_add(sets, o);
	}
	json_object_object_add(pers, "enabled",
			       json_object_new_boolean(next == VN_YES));
	json_object_object_add(pers, "source",
			       from ? vn_jstr(from->where) : NULL);
	json_object_object_add(pers, "text", from ? vn_jstr(from->text) : NULL);
	json_object_object_add(
		pers, "agrees",
		s->on_host && c->mode ?
			json_object_new_boolean((next == VN_YES) ==
						(c->mode == 'Y')) :
			NULL);
	json_object_object_add(
		pers, "cmdline_read",
		json_object_new_boolean(s->persist.cmdline_read));
	json_object_object_add(pers, "settings", sets);
	json_object_object_add(doc, "persistent", pers);
	for (size_t i = 0; i < s->devs.n; i++) {
		const struct vn_dev *d = s->devs.devs[i];
		struct json_object *o;

		if (!vn_dev_is_vfio(d))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "bdf", vn_jstr(d->bdf));
		json_object_object_add(o, "noiommu",
				       json_object_new_boolean(d->noiommu));
		json_object_object_add(o, "paths",
				       vn_jstr(noiommu_dev_paths(d)));
		json_object_object_add(o, "rebind_fails",
				       json_object_new_boolean(d->noiommu &&
							       c->mode != 'Y'));
		json_object_array_add(devs, o);
	}
	json_object_object_add(doc, "devices", devs);
	return doc;
}

struct json_object *doc_noiommu_json(const struct noiommu_state *s)
{
	return show_json(s);
}
