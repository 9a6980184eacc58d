// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The last recorded apply run of this boot (apply --record, which the boot
 * unit passes): what status shows as "Last apply". It lives under /run,
 * which every boot starts empty, so a record is always of this boot.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "journal.h"
#include "sys.h"
#include "util.h"

static const struct {
	const char *key;
	size_t off;
} lists[] = {
	{ "found", offsetof(struct vn_apply_record, found) },
	{ "bound", offsetof(struct vn_apply_record, bound) },
	{ "owned", offsetof(struct vn_apply_record, owned) },
	{ "missing", offsetof(struct vn_apply_record, missing) },
	{ "refused", offsetof(struct vn_apply_record, refused) },
};

static char ***list_of(struct vn_apply_record *r, size_t i)
{
	return (char ***)((char *)r + lists[i].off);
}

static char *const *list_in(const struct vn_apply_record *r, size_t i)
{
	return *(char **const *)((const char *)r + lists[i].off);
}

void vn_apply_record_clear(struct vn_apply_record *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		strv_free(*list_of(r, i));
	*r = (struct vn_apply_record){ 0 };
}

static int append(char **text, const char *key, const char *value)
{
	_cleanup_free_ char *v = vn_escape(value);
	char *next;

	if (!v || xasprintf(&next, "%s%s=%s\n", *text, key, v) < 0)
		return -ENOMEM;
	free(*text);
	*text = next;
	return 0;
}

int vn_apply_record_render(const struct vn_apply_record *r, char **out)
{
	_cleanup_free_ char *text = NULL;
	int ret;

	if (xasprintf(&text, "time=%lld\nexit=%d\n", r->when, r->exit_status) <
	    0)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		char *const *v = list_in(r, i);

		for (size_t j = 0; v && v[j]; j++)
			if ((ret = append(&text, lists[i].key, v[j])) < 0)
				return ret;
	}
	*out = steal_ptr(text);
	return 0;
}

int vn_apply_record_write(const struct vn_sys *sys, const char *text)
{
	int r = vn_mkdir(sys, VN_RUN_DIR);

	return r < 0 ? r : vn_replace_file(sys, text, VN_APPLY_RECORD);
}

/* One "key=value" line; unknown keys are skipped (a later version's). */
static int parse_line(struct vn_apply_record *r, char *line)
{
	char *eq = strchr(line, '=');
	long long v;

	if (!eq)
		return -EBADMSG;
	*eq++ = '\0';
	if (streq(line, "time") || streq(line, "exit")) {
		char *end;

		errno = 0;
		v = strtoll(eq, &end, 10);
		if (errno || end == eq || *end || v < 0 ||
		    (streq(line, "exit") && v > 255))
			return -EBADMSG;
		if (streq(line, "time"))
			r->when = v;
		else
			r->exit_status = (int)v;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (streq(line, lists[i].key))
			return strv_push(list_of(r, i), strdup(eq));
	return 0;
}

int vn_apply_record_read(const struct vn_sys *sys, struct vn_apply_record *r)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	int ret;

	*r = (struct vn_apply_record){ .exit_status = -1 };
	ret = vn_read_file(sys, &text, VN_APPLY_RECORD);
	if (ret < 0)
		return ret;
	for (char *it = text; (line = strtok_r(it, "\n", &save)); it = NULL)
		if ((ret = parse_line(r, line)) < 0)
			break;
	if (ret == 0 && (r->when <= 0 || r->exit_status < 0))
		ret = -EBADMSG;
	if (ret < 0)
		vn_apply_record_clear(r);
	return ret;
}
