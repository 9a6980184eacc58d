// SPDX-License-Identifier: GPL-2.0-or-later
/* The declared-state format (vfio-noiommuctl.conf(5)): whatever parses
 * renders to text that parses to the same entry and renders to itself;
 * every error names the file and prints as it is. */
#include "fuzz.h"
#include "lib/state.h"
#include "lib/util.h"

/* Text that prints as it is: escaping it again only doubles its
 * backslashes (the escapes already in it). */
static bool printable(const char *s)
{
	char *e = vn_escape(s);
	size_t backslashes = 0;
	bool ok;

	for (const char *c = s; *c; c++)
		backslashes += *c == '\\';
	ok = e && strlen(e) == strlen(s) + backslashes;
	free(e);
	return ok;
}

static void check_same(const struct vn_entry *a, const struct vn_entry *b)
{
	FUZZ_CHECK(vn_ident_equal(&a->match, &b->match));
	FUZZ_CHECK(a->has_id == b->has_id);
	FUZZ_CHECK(!a->has_id || memcmp(&a->id, &b->id, sizeof(a->id)) == 0);
	FUZZ_CHECK(streq_ptr(a->driver, b->driver));
	FUZZ_CHECK(a->has_owner == b->has_owner &&
		   a->has_group == b->has_group);
	FUZZ_CHECK(streq_ptr(a->owner_name, b->owner_name));
	FUZZ_CHECK(streq_ptr(a->group_name, b->group_name));
	FUZZ_CHECK(a->has_mode == b->has_mode && a->mode == b->mode);
}

static void check_entry(const struct vn_entry *e)
{
	char *once = NULL, *twice = NULL;
	struct vn_state again;

	FUZZ_CHECK(e->file && e->line > 0 && e->match.value);
	FUZZ_CHECK(vn_is_clean_text(e->match.value));
	FUZZ_CHECK(vn_entry_render(e, "fuzz\ncomment", &once) == 0);
	vn_state_init(&again);
	FUZZ_CHECK(vn_state_parse(once, strlen(once), "again.conf", &again) ==
		   0);
	FUZZ_CHECK(again.n == 1);
	check_same(e, &again.v[0]);
	FUZZ_CHECK(vn_entry_render(&again.v[0], "fuzz\ncomment", &twice) == 0);
	FUZZ_CHECK(strcmp(once, twice) == 0);
	vn_state_clear(&again);
	free(once);
	free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	struct vn_state st;
	struct vn_ident id = { 0 };
	const char *why;
	int r;

	vn_state_init(&st);
	r = vn_state_parse((const char *)data, size, "fuzz.conf", &st);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	FUZZ_CHECK((r == 0) == (st.errors == NULL));
	for (size_t i = 0; st.errors && st.errors[i]; i++)
		FUZZ_CHECK(startswith(st.errors[i], "fuzz.conf:") &&
			   printable(st.errors[i]));
	for (size_t i = 0; i < st.n; i++)
		check_entry(&st.v[i]);
	FUZZ_CHECK(st.noiommu >= -1 && st.noiommu <= 1);
	vn_state_clear(&st);
	/* One identity, as a match line holds it. */
	if (vn_ident_parse(s, &id, &why) == 0) {
		struct vn_ident again = { 0 };
		char *line = NULL;

		FUZZ_CHECK(xasprintf(&line, "%s %s",
				     vn_ident_kind_name(id.kind),
				     id.value) == 0);
		FUZZ_CHECK(vn_ident_parse(line, &again, &why) == 0);
		FUZZ_CHECK(vn_ident_equal(&id, &again));
		vn_ident_clear(&again);
		free(line);
	}
	vn_ident_clear(&id);
	free(s);
	return 0;
}
