// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/util.h"
#include "output/output.h"

static const struct vn_coldef defs[] = {
	{ "BDF", VN_COL_STR, VN_COL_DEFAULT, "address" },
	{ "NOIOMMU", VN_COL_BOOL, VN_COL_DEFAULT, "flag" },
	{ "OPEN_BY", VN_COL_LIST, 0, "holders" },
	{ "NUMA", VN_COL_NUM, 0, "node" },
};

static void columns(void **state)
{
	size_t idx[VN_MAX_COLUMNS], n;
	char *bad = NULL;

	(void)state;
	assert_int_equal(vn_columns_parse(defs, 4, NULL, idx, &n, &bad), 0);
	assert_int_equal(n, 2);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 1);
	assert_int_equal(vn_columns_parse(defs, 4, "numa,bdf", idx, &n, &bad),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(idx[0], 3);
	assert_int_equal(idx[1], 0);
	assert_int_equal(vn_columns_parse(defs, 4, "+OPEN_BY", idx, &n, &bad),
			 0);
	assert_int_equal(n, 3);
	assert_int_equal(idx[2], 2);
	assert_int_equal(vn_columns_parse(defs, 4, "BDF,OPEN BY", idx, &n,
					  &bad),
			 -EINVAL);
	assert_string_equal(bad, "OPEN BY");
	free(bad);
	assert_int_equal(vn_columns_parse(defs, 4, ",", idx, &n, &bad),
			 -EINVAL);
	free(bad);
	assert_int_equal(vn_columns_parse(defs, 4, "", idx, &n, &bad), -EINVAL);
	free(bad);
}

static char *render(enum vn_fmt fmt, const char *cols)
{
	struct vn_outopts o = { .fmt = fmt, .columns = cols };
	struct vn_table *t;
	char *bad = NULL, *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(vn_table_new(defs, 4, &o, &t, &bad), 0);
	assert_int_equal(vn_table_add_row(t), 0);
	assert_int_equal(vn_cell_str(t, 0, "0000:00:03.0"), 0);
	assert_int_equal(vn_cell_bool(t, 1, true), 0);
	assert_int_equal(vn_cell_list_add(t, 2, "a[1]"), 0);
	assert_int_equal(vn_cell_list_add(t, 2, "b \"$x\"[2]"), 0);
	assert_int_equal(vn_table_add_row(t), 0);
	assert_int_equal(vn_cell_str(t, 0, "0000:00:04.0"), 0);
	assert_int_equal(vn_cell_bool(t, 1, false), 0);
	assert_int_equal(vn_cell_num(t, 3, 1), 0);
	assert_int_equal(vn_cell_null_text(t, 2, "?"), 0);
	assert_int_equal(vn_table_print(t, f, "devices"), 0);
	fclose(f);
	vn_table_free(t);
	return buf;
}

static void pairs(void **state)
{
	_cleanup_free_ char *s = render(VN_FMT_PAIRS, "BDF,OPEN_BY,NUMA");

	(void)state;
	assert_string_equal(
		s,
		"BDF=\"0000:00:03.0\" OPEN_BY=\"a[1],b \\\"\\$x\\\"[2]\" NUMA=\"\"\n"
		"BDF=\"0000:00:04.0\" OPEN_BY=\"?\" NUMA=\"1\"\n");
}

static void json(void **state)
{
	_cleanup_free_ char *s = render(VN_FMT_JSON, NULL);

	(void)state;
	/* Without -o a document carries every column, typed. */
	assert_non_null(strstr(s, "\"noiommu\": true"));
	assert_non_null(strstr(s, "\"noiommu\": false"));
	assert_non_null(strstr(s, "\"numa\": null"));
	assert_non_null(strstr(s, "\"numa\": 1"));
	assert_non_null(strstr(s, "\"open_by\": null"));
	assert_non_null(strstr(s, "\"b \\\"$x\\\"[2]\""));
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
		cmocka_unit_test(columns),
		cmocka_unit_test(pairs),
		cmocka_unit_test(json),
		cmocka_unit_test(quoting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
