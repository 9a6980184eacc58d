// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/util.h"
#include "output/output.h"

static const char *const jkeys[] = { "state", "step", NULL };

static const struct vn_coldef defs[] = {
	{ "BDF", VN_COL_STR, VN_COL_DEFAULT, "address", NULL },
	{ "NOIOMMU", VN_COL_BOOL, VN_COL_DEFAULT, "flag", NULL },
	{ "OPEN_BY", VN_COL_LIST, 0, "holders", NULL },
	{ "NUMA", VN_COL_NUM, 0, "node", NULL },
	{ "CDEV", VN_COL_STR, 0, "node", NULL },
	{ "JOURNAL", VN_COL_OBJECT, 0, "record", jkeys },
};
#define NDEFS ARRAY_SIZE(defs)

static void columns(void **state)
{
	size_t idx[VN_MAX_COLUMNS], n;
	char *bad = NULL;

	(void)state;
	assert_int_equal(vn_columns_parse(defs, NDEFS, NULL, idx, &n, &bad), 0);
	assert_int_equal(n, 2);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 1);
	assert_int_equal(
		vn_columns_parse(defs, NDEFS, "numa,bdf", idx, &n, &bad), 0);
	assert_int_equal(n, 2);
	assert_int_equal(idx[0], 3);
	assert_int_equal(idx[1], 0);
	assert_int_equal(
		vn_columns_parse(defs, NDEFS, "+OPEN_BY", idx, &n, &bad), 0);
	assert_int_equal(n, 3);
	assert_int_equal(idx[2], 2);
	assert_int_equal(vn_columns_parse(defs, NDEFS, "BDF,OPEN BY", idx, &n,
					  &bad),
			 -EINVAL);
	assert_string_equal(bad, "OPEN BY");
	free(bad);
	assert_int_equal(vn_columns_parse(defs, NDEFS, ",", idx, &n, &bad),
			 -EINVAL);
	free(bad);
	assert_int_equal(vn_columns_parse(defs, NDEFS, "", idx, &n, &bad),
			 -EINVAL);
	free(bad);
}

static char *render_opts(const struct vn_outopts *o)
{
	struct vn_table *t;
	char *bad = NULL, *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "state", json_object_new_string("bound"));
	json_object_object_add(j, "step", json_object_new_string("bound"));
	assert_int_equal(vn_table_new(defs, NDEFS, o, &t, &bad), 0);
	assert_int_equal(vn_table_add_row(t), 0);
	assert_int_equal(vn_cell_str(t, 0, "0000:00:03.0"), 0);
	assert_int_equal(vn_cell_bool(t, 1, true), 0);
	assert_int_equal(vn_cell_list_add(t, 2, "a[1]"), 0);
	assert_int_equal(vn_cell_list_add(t, 2, "b \"$x\",[2]"), 0);
	assert_int_equal(vn_cell_str(t, 4, "/dev/vfio/devices/vfio1"), 0);
	assert_int_equal(
		vn_cell_note(t, 4, "/dev/vfio/devices/vfio1 (missing)"), 0);
	assert_int_equal(vn_cell_obj(t, 5, "bound", j), 0);
	assert_int_equal(vn_table_add_row(t), 0);
	assert_int_equal(vn_cell_str(t, 0, "0000:00:04.0"), 0);
	assert_int_equal(vn_cell_bool(t, 1, false), 0);
	assert_int_equal(vn_cell_num(t, 3, 1), 0);
	assert_int_equal(vn_cell_note(t, 2, "?"), 0);
	assert_int_equal(vn_cell_note(t, 4, "none (group only)"), 0);
	assert_int_equal(vn_table_print(t, f, "devices", 7), 0);
	fclose(f);
	vn_table_free(t);
	return buf;
}

static char *render(enum vn_fmt fmt, const char *cols)
{
	struct vn_outopts o = { .fmt = fmt, .columns = cols };

	return render_opts(&o);
}

static void pairs(void **state)
{
	_cleanup_free_ char *s =
		render(VN_FMT_PAIRS, "BDF,OPEN_BY,NUMA,CDEV,JOURNAL");

	(void)state;
	/* A note never reaches a script: a cell is its value or "". A ","
	 * inside a list item is written \x2c; objects flatten. */
	assert_string_equal(
		s,
		"BDF=\"0000:00:03.0\" OPEN_BY=\"a[1],b \\\"\\$x\\\"\\\\x2c[2]\" "
		"NUMA=\"\" CDEV=\"/dev/vfio/devices/vfio1\" "
		"JOURNAL_STATE=\"bound\" JOURNAL_STEP=\"bound\"\n"
		"BDF=\"0000:00:04.0\" OPEN_BY=\"\" NUMA=\"1\" CDEV=\"\" "
		"JOURNAL_STATE=\"\" JOURNAL_STEP=\"\"\n");
}

static void json(void **state)
{
	_cleanup_free_ char *s = render(VN_FMT_JSON, NULL);

	(void)state;
	/* Without -o a document carries every column, typed. */
	assert_non_null(strstr(s, "\"schema\": 7"));
	assert_non_null(strstr(s, "\"noiommu\": true"));
	assert_non_null(strstr(s, "\"noiommu\": false"));
	assert_non_null(strstr(s, "\"numa\": null"));
	assert_non_null(strstr(s, "\"numa\": 1"));
	assert_non_null(strstr(s, "\"open_by\": null"));
	assert_non_null(strstr(s, "\"b \\\"$x\\\",[2]\""));
	assert_non_null(strstr(s, "\"cdev\": \"/dev/vfio/devices/vfio1\""));
	assert_non_null(strstr(s, "\"cdev\": null"));
	assert_non_null(strstr(s, "\"state\": \"bound\""));
	assert_null(strstr(s, "missing"));
	assert_null(strstr(s, "group only"));
}

/* A table people read shows notes; a raw table or one column does not. */
static void notes(void **state)
{
	struct vn_outopts human = { .columns = "BDF,CDEV,OPEN_BY" };
	struct vn_outopts one = { .columns = "CDEV" };
	struct vn_outopts bare = { .columns = "BDF,CDEV", .noheadings = true };
	_cleanup_free_ char *h = render_opts(&human);
	_cleanup_free_ char *o = render_opts(&one);
	_cleanup_free_ char *b = render_opts(&bare);
	_cleanup_free_ char *r = render(VN_FMT_RAW, "BDF,CDEV,NUMA");

	(void)state;
	assert_non_null(strstr(h, "/dev/vfio/devices/vfio1 (missing)"));
	assert_non_null(strstr(h, "none (group only)"));
	assert_non_null(strstr(h, " ?"));
	assert_string_equal(o, "CDEV\n/dev/vfio/devices/vfio1\n\n");
	assert_null(strstr(b, "missing"));
	assert_null(strstr(b, "none"));
	assert_non_null(strstr(b, "0000:00:04.0 -"));
	assert_string_equal(r, "BDF CDEV NUMA\n"
			       "0000:00:03.0 /dev/vfio/devices/vfio1 \n"
			       "0000:00:04.0  1\n");
}

static void quoting(void **state)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	vn_fputs_quoted("a\"b\\c$d`e\nf", f);
	fclose(f);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\$d\\`e\\x0af\"");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(columns), cmocka_unit_test(pairs),
		cmocka_unit_test(json),	   cmocka_unit_test(notes),
		cmocka_unit_test(quoting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
