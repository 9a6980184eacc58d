// SPDX-License-Identifier: GPL-2.0-or-later
/* The udev rule apply generates for the owner, group and mode of the
 * declared devices' nodes (src/lib/owner.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "lib/owner.h"
#include "lib/util.h"

static const char *const TEXT = "[device]\n"
				"match = serial 52-54-00-ff-ff-12-34-56\n"
				"owner = 1000\n"
				"group = 1001\n"
				"mode = 0660\n"
				"[device]\n"
				"match = bdf 0000:00:04.0\n";

static void parse(struct vn_state *st)
{
	vn_state_init(st);
	assert_int_equal(vn_state_parse(TEXT, strlen(TEXT), "/etc/x.conf", st),
			 0);
	assert_int_equal(st->n, 2);
}

/* One OK match per entry, governing these devices. */
static void matches(struct vn_state *st, struct vn_matches *m, char **a,
		    char **b)
{
	static char *none[] = { NULL };

	m->n = 2;
	m->v = calloc(2, sizeof(*m->v));
	assert_non_null(m->v);
	m->v[0] = (struct vn_match){ .entry = &st->v[0],
				     .bdfs = a,
				     .overridden = none };
	m->v[1] = (struct vn_match){ .entry = &st->v[1],
				     .bdfs = b,
				     .overridden = none };
}

static void rules_for_owned_entries(void **unused)
{
	static char *a[] = { "0000:00:02.0", NULL },
		    *b[] = { "0000:00:04.0", NULL };
	struct vn_state st;
	struct vn_matches m;
	char *text = NULL;

	(void)unused;
	parse(&st);
	matches(&st, &m, a, b);
	assert_int_equal(vn_owner_rules_render(&m, &text), 0);
	assert_non_null(text);
	/* The cdev by its PCI parent, the group node by its IOMMU group. */
	assert_non_null(strstr(
		text, "SUBSYSTEM==\"vfio-dev\", KERNELS==\"0000:00:02.0\", "
		      "OWNER=\"1000\", GROUP=\"1001\", MODE=\"0660\"\n"));
	assert_non_null(strstr(
		text, "SUBSYSTEM==\"vfio\", KERNEL==\"noiommu-*|[0-9]*\", "
		      "TEST==\"/sys/kernel/iommu_groups/%n/devices/"
		      "0000:00:02.0\", OWNER=\"1000\""));
	assert_non_null(strstr(text, "# /etc/x.conf:1: serial "
				     "52-54-00-ff-ff-12-34-56, now "
				     "0000:00:02.0\n"));
	/* The entry without ownership has no rule. */
	assert_null(strstr(text, "0000:00:04.0"));
	free(text);
	free(m.v);
	vn_state_clear(&st);
}

static void no_rules_without_ownership(void **unused)
{
	static char *a[] = { NULL }, *b[] = { "0000:00:04.0", NULL };
	struct vn_state st;
	struct vn_matches m;
	char *text = (char *)"x";

	(void)unused;
	parse(&st);
	/* The owned entry names no device now: no rule at all. */
	matches(&st, &m, a, b);
	m.v[0].result = VN_MATCH_NONE;
	assert_int_equal(vn_owner_rules_render(&m, &text), 0);
	assert_null(text);
	free(m.v);
	vn_state_clear(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules_for_owned_entries),
		cmocka_unit_test(no_rules_without_ownership),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
